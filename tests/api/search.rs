//! Searching registered directives through the API, and the index following the database.

use serde_json::json;

use crate::helpers::{Db, TestApp, samples};
use crate::on_both_backends;

on_both_backends!(
    registered_directives_are_found_with_or_without_accents,
    index_lost_or_behind_is_repaired_from_the_database,
);

async fn registered_directives_are_found_with_or_without_accents(db: Db) {
    let app = TestApp::spawn(db).await;
    let clean = std::fs::read_to_string(&samples()[1]).unwrap();
    let (status, directive) = app
        .post_json("/api/directives", &json!({"text": clean}))
        .await;
    assert_eq!(status, 201);
    let id = directive["id"].clone();
    let other = "Số: 7/UBND-VX\nV/v phòng chống dịch sốt xuất huyết\nGiao Sở Y tế chủ trì tổ chức phun hóa chất diệt muỗi.";
    let (status, _) = app
        .post_json("/api/directives", &json!({"text": other}))
        .await;
    assert_eq!(status, 201);

    for query in [
        "chuyen%20doi%20so",
        "chuy%E1%BB%83n%20%C4%91%E1%BB%95i%20s%E1%BB%91",
    ] {
        let (status, results) = app.get(&format!("/api/search?q={query}")).await;
        assert_eq!(status, 200, "{results}");
        assert_eq!(results["total"], 1, "{query}: {results}");
        assert_eq!(results["hits"][0]["directive_id"], id);
        let snippet = results["hits"][0]["snippet"].as_str().unwrap();
        assert!(snippet.contains("<b>"), "no highlight in {snippet}");
    }
    let (_, by_number) = app.get("/api/search?q=60/TB-VPCP").await;
    assert_eq!(by_number["hits"][0]["directive_id"], id);
    let (_, phrase) = app.get("/api/search?q=%22xuat%20huyet%22").await;
    assert_eq!(phrase["total"], 1);
    assert_ne!(phrase["hits"][0]["directive_id"], id);
    // An empty field, as the search form sends it, is no filter.
    let (status, body) = app.get("/api/search?q=so&year=&kind=&issued_from=").await;
    assert_eq!(status, 200, "{body}");
    let (_, filtered) = app.get("/api/search?q=so&year=1999").await;
    assert_eq!(filtered["total"], 0);
    // The search page shows the same hit, highlighted, and escapes what it shows.
    let mut page = app
        .server
        .get("/search?q=chuyen%20doi%20so")
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = String::from_utf8(page.body().await.unwrap().to_vec()).unwrap();
    assert!(
        html.contains(&format!("/directives/{id}")),
        "no link to the hit"
    );
    assert!(
        html.contains("<b>chuyển</b>") || html.contains("<b>Chuyển</b>"),
        "no highlight"
    );
    let mut page = app
        .server
        .get("/search?q=%3Cscript%3Ealert(1)%3C/script%3E")
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    let html = String::from_utf8(page.body().await.unwrap().to_vec()).unwrap();
    assert!(!html.contains("<script>alert"), "query echoed unescaped");
    // Query syntax never errors.
    for odd in [
        "%22unbalanced",
        "a%3A%3Ab",
        "%2A",
        "'%20OR%201%3D1%20--",
        "AND%20OR%20NOT",
    ] {
        let (status, body) = app.get(&format!("/api/search?q={odd}")).await;
        assert_eq!(status, 200, "{odd}: {body}");
    }
}

async fn index_lost_or_behind_is_repaired_from_the_database(db: Db) {
    let app = TestApp::spawn(db).await;
    // Registered by another process (the command line): the server's index has not seen it.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_dondoc"))
        .arg("ingest")
        .arg(&samples()[1])
        .arg("--data-dir")
        .arg(app.config.data_dir.join("elsewhere"))
        .arg("--database-url")
        .arg(&app.config.database_url)
        .output()
        .expect("run dondoc ingest");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let (_, results) = app.get("/api/search?q=chuyen%20doi%20so").await;
    assert_eq!(results["total"], 1, "{results}");

    // The index folder is lost: it is rebuilt from the database on restart.
    let index = app.config.data_dir.join("index");
    let app = app
        .restart_with(|| {
            std::fs::remove_dir_all(&index).unwrap();
        })
        .await;
    let (_, results) = app.get("/api/search?q=chuyen%20doi%20so").await;
    assert_eq!(results["total"], 1, "{results}");
}

/// A `dondoc serve` process of its own, with its own data folder (and so its own index).
struct ServerProcess {
    child: std::process::Child,
    base: String,
}

impl ServerProcess {
    async fn start(database_url: &str, data_dir: &std::path::Path) -> ServerProcess {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_dondoc"))
            .arg("serve")
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--database-url")
            .arg(database_url)
            .env_remove("DONDOC_CONFIG")
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("run dondoc serve");
        let server = ServerProcess {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let client = awc::Client::default();
        for _ in 0..300 {
            if let Ok(r) = client
                .get(format!("{}/api/health", server.base))
                .send()
                .await
                && r.status().is_success()
            {
                return server;
            }
            actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("dondoc serve did not answer on {}", server.base);
    }

    async fn call(
        &self,
        token: &str,
        method: &str,
        path: &str,
        body: serde_json::Value,
    ) -> serde_json::Value {
        let client = awc::Client::builder()
            .timeout(std::time::Duration::from_secs(60))
            .finish();
        let url = format!("{}{path}", self.base);
        let request = match method {
            "POST" => client.post(url),
            "PATCH" => client.patch(url),
            _ => client.get(url),
        }
        .bearer_auth(token);
        let mut response = if method == "GET" {
            request.send().await
        } else {
            request.send_json(&body).await
        }
        .unwrap();
        let value: serde_json::Value = response.json().limit(16 << 20).await.unwrap();
        assert!(response.status().is_success(), "{method} {path}: {value}");
        value
    }

    async fn total(&self, token: &str, query: &str) -> u64 {
        self.call(token, "GET", &format!("/api/search?q={query}"), json!(null))
            .await["total"]
            .as_u64()
            .unwrap()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The scale-out design: several server processes on one PostgreSQL database, each with its own
/// index, each kept in step through the database's search queue; one that was down catches up.
#[actix_web::test]
async fn two_server_processes_on_one_database_keep_their_indexes_in_step() {
    let app = TestApp::spawn(Db::Postgres).await;
    let url = app.config.database_url.clone();
    let (dir_a, dir_b) = (app.config.data_dir.join("a"), app.config.data_dir.join("b"));
    let a = ServerProcess::start(&url, &dir_a).await;
    let b = ServerProcess::start(&url, &dir_b).await;
    let token = &app.token;

    let clean = std::fs::read_to_string(&samples()[1]).unwrap();
    let directive = a
        .call(token, "POST", "/api/directives", json!({"text": clean}))
        .await;
    assert_eq!(
        b.total(token, "chuyen%20doi%20so").await,
        1,
        "B finds what A registered"
    );
    assert_eq!(a.total(token, "chuyen%20doi%20so").await, 1);

    // A change made through B reaches A's index.
    let id = directive["id"].as_i64().unwrap();
    let tasks = b
        .call(
            token,
            "GET",
            &format!("/api/tasks?directive_id={id}"),
            json!(null),
        )
        .await;
    let task_id = tasks[0]["id"].as_i64().unwrap();
    b.call(
        token,
        "PATCH",
        &format!("/api/tasks/{task_id}"),
        json!({"text": "Xây dựng kho dữ liệu khí tượng thủy văn dùng chung"}),
    )
    .await;
    assert_eq!(a.total(token, "khi%20tuong%20thuy%20van").await, 1);

    // B is killed; what happens meanwhile is in B's index once it is back.
    drop(b);
    let other = "Số: 7/UBND-VX\nV/v phòng chống dịch sốt xuất huyết\nGiao Sở Y tế chủ trì tổ chức phun hóa chất diệt muỗi.";
    a.call(token, "POST", "/api/directives", json!({"text": other}))
        .await;
    let b = ServerProcess::start(&url, &dir_b).await;
    assert_eq!(b.total(token, "phun%20hoa%20chat").await, 1);
    assert_eq!(b.total(token, "khi%20tuong%20thuy%20van").await, 1);
    // Each process kept an index of its own.
    assert!(dir_a.join("index").is_dir() && dir_b.join("index").is_dir());
}
