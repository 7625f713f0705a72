//! Accounts, sessions and scoping: who may see and change what, on pages and through the API, and
//! the attacks that must fail (cross-agency access, CSRF, XSS, SQL injection, session fixation,
//! password guessing).

use serde_json::{Value, json};

use crate::helpers::{Db, PASSWORD, TestApp};
use crate::on_both_backends;
use crate::tasks::DIRECTIVE;
use dondoc::store::users::Role;

on_both_backends!(
    requests_without_credentials_are_refused,
    agency_staff_see_and_change_only_their_own_tasks,
    roles_are_enforced_on_the_api,
    sessions_need_csrf_and_end_at_sign_out,
    password_guessing_is_throttled,
    disabled_users_lose_access_at_once,
    markup_in_directives_and_reports_is_escaped,
    injection_attempts_in_search_and_filters_change_nothing,
    the_command_line_adds_lists_and_disables_users,
    admins_set_agency_addresses_on_the_settings_page,
    decisions_on_reports_and_extensions_belong_to_their_roles,
);

/// A second directive, for another agency only.
const OTHER_DIRECTIVE: &str = "ỦY BAN NHÂN DÂN\nTỈNH KIÊN GIANG\nSố: 16/UBND-KGVX\nKiên Giang, ngày 06 tháng 3 năm 2024\nV/v phòng, chống dịch bệnh mùa mưa\n\nKính gửi: Sở Y tế.\n\n1. Giao Sở Y tế chủ trì tổ chức phun hóa chất diệt muỗi tại các xã có ổ dịch, hoàn thành trước ngày 30/4/2024.\n\nNơi nhận:\n- Như trên;\n- Lưu: VT.\n\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nNguyễn Văn An\n";

/// Registers both directives; answers (first directive id, second directive id, all tasks).
async fn two_directives(app: &TestApp) -> (i64, i64, Vec<Value>) {
    let (s, first) = app
        .post_json("/api/directives", &json!({"text": DIRECTIVE}))
        .await;
    assert_eq!(s, 201, "{first}");
    let (s, second) = app
        .post_json("/api/directives", &json!({"text": OTHER_DIRECTIVE}))
        .await;
    assert_eq!(s, 201, "{second}");
    let (s, tasks) = app.get("/api/tasks").await;
    assert_eq!(s, 200);
    (
        first["id"].as_i64().unwrap(),
        second["id"].as_i64().unwrap(),
        tasks.as_array().unwrap().clone(),
    )
}

fn names(task: &Value, role: &str) -> Vec<String> {
    task[role]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect()
}

fn involves(task: &Value, agency: &str) -> bool {
    names(task, "lead").iter().any(|n| n == agency)
        || names(task, "support").iter().any(|n| n == agency)
}

/// The lead agency of the first task whose lead starts with `prefix`.
fn lead_starting(tasks: &[Value], prefix: &str) -> String {
    tasks
        .iter()
        .flat_map(|t| names(t, "lead"))
        .find(|n| n.starts_with(prefix))
        .unwrap_or_else(|| panic!("no task led by {prefix}: {tasks:?}"))
}

async fn requests_without_credentials_are_refused(db: Db) {
    let app = TestApp::spawn(db).await;
    for path in [
        "/api/tasks",
        "/api/directives",
        "/api/search?q=a",
        "/api/me",
    ] {
        let response = app.server.get(path).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 401, "{path}");
    }
    let response = app
        .server
        .get("/api/tasks")
        .insert_header(("Authorization", "Bearer not-a-token"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    // Pages send the browser to the sign-in form, and back afterwards.
    let response = app.server.get("/tasks?x=1").send().await.unwrap();
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(
        response.headers().get("location").unwrap(),
        "/login?next=/tasks%3Fx%3D1"
    );
    // Health stays open for monitoring, and says nothing about the data.
    let (s, health) = app.get("/api/health").await;
    assert_eq!(s, 200);
    assert!(health.get("directives").is_none(), "{health}");
}

async fn agency_staff_see_and_change_only_their_own_tasks(db: Db) {
    let app = TestApp::spawn(db).await;
    let (first, second, tasks) = two_directives(&app).await;
    let agency = lead_starting(&tasks, "Sở Thông tin và Truyền thông");
    let staff = app.add_user("sotttt", Role::Agency, Some(&agency));

    let (s, mine) = app.get_as(&staff, "/api/tasks").await;
    assert_eq!(s, 200);
    let mine = mine.as_array().unwrap();
    let expected = tasks.iter().filter(|t| involves(t, &agency)).count();
    assert!(expected >= 1 && expected < tasks.len(), "{tasks:?}");
    assert_eq!(mine.len(), expected, "{mine:?}");
    assert!(mine.iter().all(|t| involves(t, &agency)));
    // Asking for another agency's tasks by filter still shows nothing of theirs.
    let (_, filtered) = app
        .get_as(&staff, "/api/tasks?agency=S%E1%BB%9F%20Y%20t%E1%BA%BF")
        .await;
    assert!(
        filtered
            .as_array()
            .unwrap()
            .iter()
            .all(|t| involves(t, &agency))
    );

    let foreign = tasks.iter().find(|t| !involves(t, &agency)).unwrap();
    let foreign_id = foreign["id"].as_i64().unwrap();
    let (s_foreign, body_foreign) = app
        .get_as(&staff, &format!("/api/tasks/{foreign_id}"))
        .await;
    let (s_missing, body_missing) = app.get_as(&staff, "/api/tasks/987654").await;
    assert_eq!(s_foreign, 404);
    // Exactly what a task that does not exist answers: nothing leaks.
    assert_eq!((s_foreign, &body_foreign), (s_missing, &body_missing));
    let (s, _) = app
        .get_as(&staff, &format!("/api/tasks/{foreign_id}/reports"))
        .await;
    assert_eq!(s, 404);
    let before = app.counts();
    let (s, _) = app
        .post_json_as(
            &staff,
            &format!("/api/tasks/{foreign_id}/reports"),
            &json!({"text": "Đã xong"}),
        )
        .await;
    assert_eq!(s, 404);
    assert_eq!(app.counts(), before, "a refused report changes nothing");

    // Directives: only the one holding their task, and in it only their tasks.
    let (_, list) = app.get_as(&staff, "/api/directives").await;
    let ids: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![first]);
    let (s, _) = app
        .get_as(&staff, &format!("/api/directives/{second}"))
        .await;
    assert_eq!(s, 404);
    let (s, _) = app
        .get_as(&staff, &format!("/api/directives/{second}/file"))
        .await;
    assert_eq!(s, 404);
    let (s, view) = app
        .get_as(&staff, &format!("/api/directives/{first}"))
        .await;
    assert_eq!(s, 200);
    let shown: Vec<&Value> = view["documents"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["tasks"].as_array().unwrap())
        .collect();
    assert_eq!(shown.len(), expected);
    assert!(shown.iter().all(|t| involves(t, &agency)));

    // Search finds only their directives, even for words of the other one.
    let (s, hits) = app.get_as(&staff, "/api/search?q=phun%20hoa%20chat").await;
    assert_eq!(s, 200, "{hits}");
    assert_eq!(hits["total"], 0, "{hits}");
    let (_, hits) = app.get("/api/search?q=phun%20hoa%20chat").await;
    assert_eq!(hits["total"], 1, "the admin finds it: {hits}");

    // Their own task takes a report; the page of another's task is "not found" too.
    let own_id = mine[0]["id"].as_i64().unwrap();
    let (s, report) = app
        .post_json_as(
            &staff,
            &format!("/api/tasks/{own_id}/reports"),
            &json!({"text": "Đã nâng cấp xong 40 dịch vụ."}),
        )
        .await;
    assert_eq!(s, 201, "{report}");
    let page = app
        .server
        .get(format!("/tasks/{foreign_id}"))
        .bearer_auth(&staff)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 404);
}

async fn roles_are_enforced_on_the_api(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, _, tasks) = two_directives(&app).await;
    let task_id = tasks[0]["id"].as_i64().unwrap();
    let agency = lead_starting(&tasks, "Sở Y tế");
    let staff = app.add_user("soyte", Role::Agency, Some(&agency));
    let leader = app.add_user("lanhdao", Role::Leader, None);
    let clerk = app.add_user("vanthu", Role::Clerk, None);

    let forbidden = |s: u16, b: &Value| {
        assert_eq!(s, 403, "{b}");
        assert_eq!(b["error"]["code"], "forbidden");
    };
    for token in [&staff, &leader] {
        let (s, b) = app
            .post_json_as(token, "/api/directives", &json!({"text": DIRECTIVE}))
            .await;
        forbidden(s, &b);
        let (s, b) = app
            .patch_json_as(
                token,
                &format!("/api/tasks/{task_id}"),
                &json!({"text": "x"}),
            )
            .await;
        // Agency staff do not even learn that another's task exists.
        assert!(s == 403 || s == 404, "{s} {b}");
    }
    for token in [&staff, &leader, &clerk] {
        let (s, b) = app.get_as(token, "/api/users").await;
        forbidden(s, &b);
        let (s, b) = app
            .post_json_as(
                token,
                "/api/users",
                &json!({"username": "moi", "role": "admin", "password": "abcdefghij"}),
            )
            .await;
        forbidden(s, &b);
    }
    let (s, b) = app
        .patch_json_as(
            &clerk,
            &format!("/api/tasks/{task_id}"),
            &json!({"text": "Nội dung đã sửa"}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = app.get_as(&leader, "/api/tasks").await;
    assert_eq!((s, b.as_array().unwrap().len()), (200, tasks.len()));

    // Admins create users; the audit log names who did it.
    let (s, user) = app
        .post_json(
            "/api/users",
            &json!({"username": "canbo.moi", "role": "agency", "agency": agency, "password": "mật khẩu mới 1"}),
        )
        .await;
    assert_eq!(s, 201, "{user}");
    assert_eq!(user["agency"], agency.as_str());
    let (s, b) = app
        .post_json(
            "/api/users",
            &json!({"username": "canbo.moi", "role": "clerk", "password": "abcdefghij"}),
        )
        .await;
    assert_eq!(s, 409, "{b}");
    let (s, b) = app
        .post_json(
            "/api/users",
            &json!({"username": "Tên Có Dấu", "role": "clerk", "password": "abcdefghij"}),
        )
        .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (400, Some("invalid")),
        "{b}"
    );
    let (s, b) = app
        .post_json(
            "/api/users",
            &json!({"username": "ngan", "role": "clerk", "password": "123"}),
        )
        .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (400, Some("weak_password")),
        "{b}"
    );
    let actors: Vec<String> = app
        .store
        .read(|c| dondoc::store::audit::for_entity(c, "task", task_id))
        .unwrap()
        .into_iter()
        .map(|e| e.actor)
        .collect();
    assert!(actors.contains(&"vanthu".to_string()), "{actors:?}");
}

/// Signs in through the form; answers the session cookie's value.
async fn sign_in(app: &TestApp, username: &str, password: &str) -> (u16, Option<String>) {
    let response = app
        .server
        .post("/login")
        .send_form(&[
            ("username", username),
            ("password", password),
            ("next", "/tasks"),
        ])
        .await
        .unwrap();
    let cookie = response
        .cookies()
        .ok()
        .and_then(|cs| {
            cs.iter()
                .find(|c| c.name() == "dondoc_session")
                .map(|c| c.value().to_string())
        })
        .filter(|v| !v.is_empty());
    (response.status().as_u16(), cookie)
}

async fn page(app: &TestApp, cookie: &str, path: &str) -> (u16, String) {
    let mut response = app
        .server
        .get(path)
        .insert_header(("Cookie", format!("dondoc_session={cookie}")))
        .send()
        .await
        .unwrap();
    let body = response.body().limit(10 << 20).await.unwrap();
    (
        response.status().as_u16(),
        String::from_utf8_lossy(&body).into_owned(),
    )
}

fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[at..].split('"').next().unwrap().to_string()
}

async fn sessions_need_csrf_and_end_at_sign_out(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, _, tasks) = two_directives(&app).await;
    let agency = lead_starting(&tasks, "Sở Y tế");
    app.add_user("soyte", Role::Agency, Some(&agency));
    let task_id = tasks.iter().find(|t| involves(t, &agency)).unwrap()["id"]
        .as_i64()
        .unwrap();

    let (s, cookie) = sign_in(&app, "soyte", "sai mật khẩu").await;
    assert_eq!((s, cookie), (401, None));
    // A session id planted before signing in is never adopted.
    let planted = "a".repeat(64);
    let response = app
        .server
        .post("/login")
        .insert_header(("Cookie", format!("dondoc_session={planted}")))
        .send_form(&[("username", "soyte"), ("password", PASSWORD)])
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    let (s, cookie) = sign_in(&app, "soyte", PASSWORD).await;
    assert_eq!(s, 303);
    let cookie = cookie.unwrap();
    assert_ne!(cookie, planted);
    let (s, _) = page(&app, &planted, "/tasks").await;
    assert_eq!(s, 303, "the planted id is not a session");

    let (s, html) = page(&app, &cookie, &format!("/tasks/{task_id}")).await;
    assert_eq!(s, 200);
    let csrf = csrf_of(&html);
    let report = |token: Option<String>| {
        let boundary = "dondoc-report-boundary";
        let mut body = String::new();
        let mut field = |name: &str, extra: &str, value: &str| {
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"{extra}\r\n\r\n{value}\r\n"
            ));
        };
        field("text", "", "Đã phun hóa chất tại 12 xã.");
        field(
            "attachment",
            "; filename=\"bien-ban.txt\"",
            "Biên bản nghiệm thu",
        );
        if let Some(t) = &token {
            field("csrf", "", t);
        }
        body.push_str(&format!("--{boundary}--\r\n"));
        app.server
            .post(format!("/tasks/{task_id}/report"))
            .insert_header(("Cookie", format!("dondoc_session={cookie}")))
            .insert_header((
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            ))
            .send_body(body)
    };
    let before = app.counts();
    assert_eq!(report(None).await.unwrap().status().as_u16(), 403);
    assert_eq!(
        report(Some("sai".into())).await.unwrap().status().as_u16(),
        403
    );
    assert_eq!(app.counts(), before, "refused forms change nothing");
    assert_eq!(
        report(Some(csrf.clone())).await.unwrap().status().as_u16(),
        303
    );
    let (_, html) = page(&app, &cookie, &format!("/tasks/{task_id}")).await;
    assert!(html.contains("Đã phun hóa chất tại 12 xã."));
    assert!(html.contains("bien-ban.txt"), "the attachment is listed");

    // The API accepts the session cookie for reading, and for changes only with the token.
    let api_report = |token: Option<&str>| {
        let mut request = app
            .server
            .post(format!("/api/tasks/{task_id}/extensions"))
            .insert_header(("Cookie", format!("dondoc_session={cookie}")));
        if let Some(t) = token {
            request = request.insert_header(("X-CSRF-Token", t.to_string()));
        }
        request.send_json(&json!({"new_deadline": "2024-05-31", "reason": "Chờ hóa chất"}))
    };
    let (s, _) = page(&app, &cookie, "/api/me").await;
    assert_eq!(s, 200);
    assert_eq!(api_report(None).await.unwrap().status().as_u16(), 403);
    assert_eq!(
        api_report(Some(&csrf)).await.unwrap().status().as_u16(),
        201
    );

    // Signing out ends the session on the server, not only in the browser.
    let response = app
        .server
        .post("/logout")
        .insert_header(("Cookie", format!("dondoc_session={cookie}")))
        .send_form(&[("csrf", csrf.as_str())])
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    let (s, _) = page(&app, &cookie, "/api/me").await;
    assert_eq!(s, 401);
}

async fn password_guessing_is_throttled(db: Db) {
    let app = TestApp::spawn(db).await;
    app.add_user("vanthu", Role::Clerk, None);
    for i in 0..5 {
        let (s, _) = sign_in(&app, "vanthu", &format!("đoán {i}")).await;
        assert_eq!(s, 401);
    }
    // Now even the right password is refused for a while.
    let (s, cookie) = sign_in(&app, "vanthu", PASSWORD).await;
    assert_eq!((s, cookie), (429, None));
    // Other users are not locked out by it.
    app.add_user("lanhdao", Role::Leader, None);
    let (s, cookie) = sign_in(&app, "lanhdao", PASSWORD).await;
    assert_eq!(s, 303);
    assert!(cookie.is_some());
}

async fn disabled_users_lose_access_at_once(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.add_user("vanthu", Role::Clerk, None);
    let (_, cookie) = sign_in(&app, "vanthu", PASSWORD).await;
    let cookie = cookie.unwrap();
    assert_eq!(app.get_as(&token, "/api/me").await.0, 200);
    let (s, b) = app
        .post_json("/api/users/vanthu/disable", &json!(null))
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(app.get_as(&token, "/api/me").await.0, 401);
    assert_eq!(page(&app, &cookie, "/api/me").await.0, 401);
    assert_eq!(sign_in(&app, "vanthu", PASSWORD).await.0, 401);
}

async fn markup_in_directives_and_reports_is_escaped(db: Db) {
    let app = TestApp::spawn(db).await;
    let evil = DIRECTIVE.replace(
        "V/v triển khai dịch vụ công trực tuyến",
        "V/v <script>alert('xss')</script> triển khai",
    );
    let (s, d) = app
        .post_json("/api/directives", &json!({"text": evil}))
        .await;
    assert_eq!(s, 201, "{d}");
    let id = d["id"].as_i64().unwrap();
    let (_, tasks) = app.get(&format!("/api/tasks?directive_id={id}")).await;
    let task_id = tasks[0]["id"].as_i64().unwrap();
    let (s, _) = app
        .post_json(
            &format!("/api/tasks/{task_id}/reports"),
            &json!({"text": "<img src=x onerror=alert(1)> đã xong"}),
        )
        .await;
    assert_eq!(s, 201);
    app.add_user("vanthu", Role::Clerk, None);
    let (_, cookie) = sign_in(&app, "vanthu", PASSWORD).await;
    let cookie = cookie.unwrap();
    for path in [
        format!("/directives/{id}"),
        format!("/tasks/{task_id}"),
        "/".to_string(),
        "/search?q=trien+khai".to_string(),
    ] {
        let (s, html) = page(&app, &cookie, &path).await;
        assert_eq!(s, 200, "{path}");
        assert!(!html.contains("<script>alert"), "{path}");
        assert!(!html.contains("<img src=x"), "{path}");
    }
    let (_, html) = page(&app, &cookie, &format!("/tasks/{task_id}")).await;
    // Shown as text (escaped), not dropped.
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;")
            || html.contains("&#60;img src=x onerror=alert(1)&#62;"),
        "{html}"
    );
}

async fn injection_attempts_in_search_and_filters_change_nothing(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, _, tasks) = two_directives(&app).await;
    let agency = lead_starting(&tasks, "Sở Y tế");
    let staff = app.add_user("soyte", Role::Agency, Some(&agency));
    let mine = tasks.iter().filter(|t| involves(t, &agency)).count();
    let before = app.counts();
    for attack in [
        "' OR 1=1 --",
        "%' OR '1'='1",
        "1; DROP TABLE tasks; --",
        "\") OR (\"a\"=\"a",
        "*:*",
        "issuer:* OR status:*",
    ] {
        let q: String = attack.bytes().map(|b| format!("%{b:02X}")).collect();
        for path in [
            format!("/api/search?q={q}"),
            format!("/api/search?q=a&issuer={q}&agency={q}"),
            format!("/api/directives?issuer={q}"),
            format!("/api/tasks?agency={q}"),
        ] {
            let (s, body) = app.get_as(&staff, &path).await;
            assert!(s == 200 || s == 400, "{path}: {s} {body}");
            if let Some(list) = body.as_array() {
                if path.starts_with("/api/tasks") {
                    assert!(list.len() <= mine, "{path}: {body}");
                }
                assert!(
                    list.iter()
                        .all(|t| t.get("lead").is_none() || involves(t, &agency))
                );
            }
            if let Some(total) = body.get("total").and_then(Value::as_u64) {
                assert!(total <= 1, "{path}: {body}");
            }
        }
    }
    assert_eq!(app.counts(), before);
}

fn dondoc(app: &TestApp, args: &[&str], stdin: &str) -> (bool, String, String) {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_dondoc"))
        .args(args)
        .arg("--data-dir")
        .arg(&app.config.data_dir)
        .arg("--database-url")
        .arg(&app.config.database_url)
        .env_remove("DONDOC_CONFIG")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run dondoc");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn the_command_line_adds_lists_and_disables_users(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, _, tasks) = two_directives(&app).await;
    let agency = lead_starting(&tasks, "Sở Y tế");
    let (ok, out, err) = dondoc(
        &app,
        &[
            "user",
            "add",
            "soyte",
            "--role",
            "agency",
            "--agency",
            &agency,
            "--password-stdin",
            "--token",
        ],
        "mật khẩu dài đủ\n",
    );
    assert!(ok, "{err}");
    let token = out
        .lines()
        .find_map(|l| l.strip_prefix("token: "))
        .unwrap_or_else(|| panic!("no token printed: {out}"))
        .to_string();
    assert!(
        !out.contains("password:"),
        "a typed password is not echoed: {out}"
    );
    let (s, me) = app.get_as(&token, "/api/me").await;
    assert_eq!(s, 200, "{me}");
    assert_eq!(me["role"], "agency");
    assert_eq!(me["agency"], agency.as_str());
    let (s, cookie) = sign_in(&app, "soyte", "mật khẩu dài đủ").await;
    assert_eq!(s, 303);
    assert!(cookie.is_some());

    // Without --password-stdin a password is made and printed once.
    let (ok, out, err) = dondoc(&app, &["user", "add", "vanthu", "--role", "clerk"], "");
    assert!(ok, "{err}");
    let password = out
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .unwrap();
    assert_eq!(sign_in(&app, "vanthu", password).await.0, 303);

    // Mistakes are refused with a message and create nothing.
    for args in [
        &["user", "add", "x1", "--role", "chief"][..],
        &[
            "user",
            "add",
            "khong-co",
            "--role",
            "agency",
            "--agency",
            "Bộ Không Tồn Tại",
        ][..],
        &["user", "add", "vanthu", "--role", "clerk"][..],
    ] {
        let (ok, _, err) = dondoc(&app, args, "");
        assert!(!ok, "{args:?} should fail");
        assert!(!err.trim().is_empty());
    }
    let (ok, list, _) = dondoc(&app, &["user", "list"], "");
    assert!(ok);
    assert_eq!(list.lines().count(), 3, "admin, soyte, vanthu: {list}");
    assert!(list.contains("soyte\tagency"), "{list}");

    let (ok, _, err) = dondoc(&app, &["user", "disable", "soyte"], "");
    assert!(ok, "{err}");
    assert_eq!(app.get_as(&token, "/api/me").await.0, 401);
    let audit: Vec<String> = app
        .store
        .read(|c| {
            use diesel::prelude::*;
            use dondoc::store::schema::audit_log;
            Ok(audit_log::table
                .filter(audit_log::entity.eq("user"))
                .select(audit_log::action)
                .load::<String>(c)?)
        })
        .unwrap();
    assert!(audit.contains(&"user.disable".to_string()), "{audit:?}");
}

async fn admins_set_agency_addresses_on_the_settings_page(db: Db) {
    let app = TestApp::spawn(db).await;
    two_directives(&app).await;
    app.add_user("quantri", Role::Admin, None);
    app.add_user("vanthu", Role::Clerk, None);
    let (_, clerk) = sign_in(&app, "vanthu", PASSWORD).await;
    assert_eq!(page(&app, &clerk.unwrap(), "/admin/settings").await.0, 403);
    let (_, cookie) = sign_in(&app, "quantri", PASSWORD).await;
    let cookie = cookie.unwrap();
    let (s, html) = page(&app, &cookie, "/admin/settings").await;
    assert_eq!(s, 200);
    assert!(
        html.contains("Giỗ Tổ Hùng Vương") || html.contains("Hùng"),
        "holidays listed"
    );
    let (_, agencies) = app.get("/api/agencies").await;
    let id = agencies[0]["id"].as_i64().unwrap();
    let post = |email: &str| {
        app.server
            .post(format!("/admin/agencies/{id}/email"))
            .insert_header(("Cookie", format!("dondoc_session={cookie}")))
            .send_form(&[("csrf", csrf_of(&html)), ("email", email.to_string())])
    };
    assert_eq!(
        post("khong-phai-dia-chi").await.unwrap().status().as_u16(),
        400
    );
    assert_eq!(
        post("vanphong@kiengiang.gov.vn")
            .await
            .unwrap()
            .status()
            .as_u16(),
        303
    );
    let (_, agencies) = app.get("/api/agencies").await;
    let saved = agencies
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .unwrap();
    assert_eq!(saved["email"], "vanphong@kiengiang.gov.vn");

    // The reminder policy and the office's days are edited on the same page.
    let form = |path: &str, fields: Vec<(&str, &str)>| {
        let mut fields: Vec<(String, String)> = fields
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        fields.push(("csrf".into(), csrf_of(&html)));
        app.server
            .post(path)
            .insert_header(("Cookie", format!("dondoc_session={cookie}")))
            .send_form(&fields)
    };
    let policy = |days: &'static str| {
        vec![
            ("days_before", days),
            ("overdue_every_days", "2"),
            ("escalate_after", "4"),
            ("leader_email", ""),
            ("fallback_email", "vanthu@kiengiang.gov.vn"),
        ]
    };
    let refused = form("/admin/settings/reminders", policy("bảy"))
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 400);
    let saved = form("/admin/settings/reminders", policy("1, 10, 5"))
        .await
        .unwrap();
    assert_eq!(saved.status().as_u16(), 303);
    let (_, policy) = app.get("/api/settings/reminders").await;
    assert_eq!(policy["days_before"], json!([10, 5, 1]));
    assert_eq!(policy["on_the_day"], false, "the box was not ticked");
    assert_eq!(policy["escalate_after"], 4);
    let added = form(
        "/admin/calendar/days",
        vec![
            ("day", "2026-09-04"),
            ("kind", "off"),
            ("name", "Nghỉ bù <Quốc khánh>"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(added.status().as_u16(), 303);
    let (_, html) = page(&app, &cookie, "/admin/settings").await;
    assert!(html.contains("04/09/2026"), "the day is listed");
    assert!(html.contains("Quốc khánh"), "the reason is listed");
    assert!(!html.contains("<Quốc khánh>"), "and escaped");
    assert!(
        html.contains("value=\"10, 5, 1\""),
        "the saved policy is shown"
    );
    let removed = form("/admin/calendar/days/2026-09-04/delete", vec![])
        .await
        .unwrap();
    assert_eq!(removed.status().as_u16(), 303);
    let (_, days) = app.get("/api/calendar/days").await;
    assert_eq!(days, json!([]));
}

async fn decisions_on_reports_and_extensions_belong_to_their_roles(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, _, tasks) = two_directives(&app).await;
    let agency = lead_starting(&tasks, "Sở Y tế");
    let staff = app.add_user("soyte", Role::Agency, Some(&agency));
    let other = app.add_user(
        "sotttt",
        Role::Agency,
        Some(&lead_starting(&tasks, "Sở Thông tin")),
    );
    let clerk = app.add_user("vanthu", Role::Clerk, None);
    let leader = app.add_user("lanhdao", Role::Leader, None);
    let task_id = tasks.iter().find(|t| involves(t, &agency)).unwrap()["id"]
        .as_i64()
        .unwrap();

    let (s, report) = app
        .post_json_as(
            &staff,
            &format!("/api/tasks/{task_id}/reports"),
            &json!({"text": "Xong"}),
        )
        .await;
    assert_eq!(s, 201, "{report}");
    let report_id = report["id"].as_i64().unwrap();
    assert!(report["author_id"].is_i64(), "{report}");
    // Another agency cannot even read it; the agency cannot accept its own report.
    assert_eq!(
        app.get_as(&other, &format!("/api/reports/{report_id}"))
            .await
            .0,
        404
    );
    assert_eq!(
        app.get_as(&other, &format!("/api/tasks/{task_id}/history"))
            .await
            .0,
        404
    );
    let accept = format!("/api/reports/{report_id}/accept");
    assert_eq!(app.post_json_as(&staff, &accept, &json!({})).await.0, 403);
    assert_eq!(app.post_json_as(&leader, &accept, &json!({})).await.0, 403);
    let (s, b) = app
        .post_json_as(
            &clerk,
            &format!("/api/reports/{report_id}/return"),
            &json!({"reason": "Thiếu số liệu"}),
        )
        .await;
    assert_eq!(s, 200, "{b}");

    // Extensions: asked by the agency, decided by a leader only.
    let (s, ext) = app
        .post_json_as(
            &staff,
            &format!("/api/tasks/{task_id}/extensions"),
            &json!({"new_deadline": "2024-06-30", "reason": "Chờ hóa chất"}),
        )
        .await;
    assert_eq!(s, 201, "{ext}");
    let approve = format!("/api/extensions/{}/approve", ext["id"]);
    assert_eq!(app.post_json_as(&clerk, &approve, &json!({})).await.0, 403);
    assert_eq!(app.post_json_as(&staff, &approve, &json!({})).await.0, 403);
    let (s, b) = app.post_json_as(&leader, &approve, &json!({})).await;
    assert_eq!(s, 200, "{b}");
    let (_, task) = app.get(&format!("/api/tasks/{task_id}")).await;
    assert_eq!(task["deadline"], "2024-06-30");
    let (_, history) = app.get(&format!("/api/tasks/{task_id}/history")).await;
    let actors: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["actor"].as_str().unwrap())
        .collect();
    for who in ["soyte", "vanthu", "lanhdao"] {
        assert!(actors.contains(&who), "{who} in {actors:?}");
    }
}
