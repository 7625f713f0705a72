//! Browser tests: a real headless Chromium, driven through ChromeDriver (the W3C WebDriver protocol),
//! walks each role's main path on the running server. Screenshots of the main pages are kept in
//! `target/tmp/screenshots/` as test artefacts.

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine;
use serde_json::{Value, json};

use crate::helpers::{Db, PASSWORD, TestApp};
use crate::tasks::DIRECTIVE;
use dondoc::store::users::Role;

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A ChromeDriver process with one headless Chromium session.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    client: awc::Client,
}

impl Browser {
    /// Starts ChromeDriver on a free port and opens a headless Chromium session with a desktop
    /// window.
    pub async fn start() -> Browser {
        Browser::start_sized(1280, 1100).await
    }

    /// Starts ChromeDriver and a headless Chromium session with a window of this size.
    pub async fn start_sized(width: u32, height: u32) -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into()),
        )
        .arg(format!("--port={port}"))
        // A process group of its own: Chromium and its helpers are ended with ChromeDriver.
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver (Debian package chromium-driver) is needed for the browser tests");
        let client = awc::Client::builder()
            .timeout(Duration::from_secs(60))
            .finish();
        let base = format!("http://127.0.0.1:{port}");
        let mut ready = false;
        for _ in 0..100 {
            if let Ok(mut r) = client.get(format!("{base}/status")).send().await
                && let Ok(v) = r.json::<Value>().await
                && v["value"]["ready"] == true
            {
                ready = true;
                break;
            }
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(ready, "chromedriver did not start");
        let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let mut browser = Browser {
            driver,
            base,
            session: String::new(),
            client,
        };
        let created = browser
            .call(
                "POST",
                "/session",
                json!({"capabilities": {"alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": {
                        "binary": binary,
                        "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                                 "--disable-dev-shm-usage",
                                 format!("--window-size={width},{height}"),
                                 "--lang=vi-VN"]
                    }
                }}}),
            )
            .await;
        browser.session = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_string();
        browser
    }

    async fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let url = format!("{}{path}", self.base);
        let request = match method {
            "GET" => self.client.get(url),
            "DELETE" => self.client.delete(url),
            _ => self.client.post(url),
        };
        let mut response = if method == "POST" {
            request.send_json(&body).await
        } else {
            request.send().await
        }
        .unwrap_or_else(|e| panic!("webdriver {method} {path}: {e}"));
        let value: Value = response
            .json()
            .limit(64 << 20)
            .await
            .unwrap_or_else(|e| panic!("webdriver {method} {path}: {e}"));
        assert!(
            response.status().is_success(),
            "webdriver {method} {path}: {value}"
        );
        value
    }

    async fn session_call(&self, method: &str, path: &str, body: Value) -> Value {
        let path = format!("/session/{}{path}", self.session);
        self.call(method, &path, body).await["value"].take()
    }

    /// Opens a URL.
    pub async fn go(&self, url: &str) {
        self.session_call("POST", "/url", json!({"url": url})).await;
    }

    /// The current URL.
    pub async fn url(&self) -> String {
        self.session_call("GET", "/url", json!(null))
            .await
            .as_str()
            .unwrap()
            .to_string()
    }

    /// The element a CSS selector finds first, waiting up to ten seconds for it (a page may still
    /// be loading after a click).
    pub async fn find(&self, css: &str) -> String {
        self.find_by("css selector", css).await
    }

    async fn find_by(&self, using: &str, value: &str) -> String {
        let path = format!("{}/session/{}/element", self.base, self.session);
        for _ in 0..100 {
            let mut response = self
                .client
                .post(&path)
                .send_json(&json!({"using": using, "value": value}))
                .await
                .unwrap_or_else(|e| panic!("webdriver find {value}: {e}"));
            let found: Value = response.json().await.unwrap();
            if let Some(id) = found["value"][ELEMENT].as_str() {
                return id.to_string();
            }
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no element {using} {value} on {}", self.url().await)
    }

    /// Waits up to ten seconds for the page's text to contain `needle`; answers the text.
    pub async fn wait_text(&self, needle: &str) -> String {
        let mut text = String::new();
        for _ in 0..100 {
            let body = self.find("body").await;
            let path = format!("{}/session/{}/element/{body}/text", self.base, self.session);
            if let Ok(mut r) = self.client.get(&path).send().await
                && let Ok(v) = r.json::<Value>().limit(16 << 20).await
                && let Some(t) = v["value"].as_str()
            {
                text = t.to_string();
                if text.contains(needle) {
                    return text;
                }
            }
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "page {} never showed {needle:?}; it shows:\n{text}",
            self.url().await
        )
    }

    /// Types into the element a selector finds (after clearing it).
    pub async fn fill(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        self.session_call("POST", &format!("/element/{element}/clear"), json!({}))
            .await;
        self.session_call(
            "POST",
            &format!("/element/{element}/value"),
            json!({ "text": text }),
        )
        .await;
    }

    /// Clicks the element a selector finds.
    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.session_call("POST", &format!("/element/{element}/click"), json!({}))
            .await;
    }

    /// Clicks the link with exactly this text.
    pub async fn click_link(&self, text: &str) {
        let element = self.find_by("link text", text).await;
        self.session_call("POST", &format!("/element/{element}/click"), json!({}))
            .await;
    }

    /// The visible text of the element a selector finds.
    pub async fn text_of(&self, css: &str) -> String {
        let element = self.find(css).await;
        self.session_call("GET", &format!("/element/{element}/text"), json!(null))
            .await
            .as_str()
            .unwrap()
            .to_string()
    }

    /// The page's HTML as the browser holds it.
    pub async fn source(&self) -> String {
        self.session_call("GET", "/source", json!(null))
            .await
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Runs a script in the page and answers what it returns.
    pub async fn script(&self, js: &str) -> Value {
        self.session_call("POST", "/execute/sync", json!({"script": js, "args": []}))
            .await
    }

    /// Saves a screenshot as `target/tmp/screenshots/NAME.png`.
    pub async fn screenshot(&self, name: &str) {
        let png = self.session_call("GET", "/screenshot", json!(null)).await;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap())
            .unwrap();
        assert!(bytes.starts_with(b"\x89PNG"), "a PNG screenshot");
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), bytes).unwrap();
    }

    /// Signs in through the form.
    pub async fn sign_in(&self, base: &str, username: &str) {
        self.go(&format!("{base}/login")).await;
        self.fill("#username", username).await;
        self.fill("#password", PASSWORD).await;
        self.click("button[type=submit]").await;
    }

    /// Signs out with the header's button.
    pub async fn sign_out(&self) {
        self.click("header form button").await;
    }
}

impl Drop for Browser {
    /// Ends ChromeDriver and the browser it started, also when a test failed: killing
    /// ChromeDriver alone would leave Chromium running, so the whole process group is killed.
    fn drop(&mut self) {
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

#[actix_web::test]
async fn each_role_walks_its_main_path_in_chromium() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let base = app.server.url("").trim_end_matches('/').to_string();
    app.add_user("vanthu", Role::Clerk, None);
    app.add_user("lanhdao", Role::Leader, None);
    let browser = Browser::start().await;

    // The clerk registers a directive by pasting it, reviews what was read, corrects a task.
    browser.sign_in(&base, "vanthu").await;
    browser.wait_text("Văn bản chỉ đạo").await;
    browser.click_link("Đăng ký văn bản").await;
    browser.fill("#text", DIRECTIVE).await;
    browser.screenshot("clerk-register").await;
    browser.click("main button[type=submit]").await;
    let review = browser.wait_text("Đã đăng ký văn bản").await;
    assert!(review.contains("15/UBND-KGVX"), "{review}");
    assert!(review.contains("Chờ xác nhận"), "{review}");
    let url = browser.url().await;
    let directive_id: i64 = url
        .split("/directives/")
        .nth(1)
        .and_then(|r| r.split('?').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("review page url {url}"));
    let (_, tasks) = app
        .get(&format!("/api/tasks?directive_id={directive_id}"))
        .await;
    let tasks = tasks.as_array().unwrap().clone();
    assert_eq!(tasks.len(), 2, "{tasks:?}");
    let first = tasks
        .iter()
        .find(|t| t["lead"][0].as_str().unwrap().starts_with("Sở Thông tin"))
        .unwrap();
    let first_id = first["id"].as_i64().unwrap();
    assert_eq!(first["status"], "draft");
    // Each task and header field is marked in the text beside the form, where it was read.
    let passage = browser.text_of(&format!("#src-task-{first_id}")).await;
    let original = first["text"].as_str().unwrap();
    assert!(
        passage.contains(&original[..original.len().min(40)]),
        "{passage:?} holds {original:?}"
    );
    assert!(
        browser
            .text_of("mark.field[title='Số, ký hiệu']")
            .await
            .contains("15/UBND-KGVX")
    );
    let corrected = "Rà soát, nâng cấp hệ thống dịch vụ công trực tuyến toàn trình";
    browser.fill(&format!("#text-{first_id}"), corrected).await;
    browser.screenshot("clerk-review").await;
    browser
        .click(&format!("#task-{first_id} button[type=submit]"))
        .await;
    browser.wait_text("Đã lưu thay đổi").await;
    let (_, task) = app.get(&format!("/api/tasks/{first_id}")).await;
    assert_eq!(task["text"], corrected);
    // Then confirms: the tasks are given to their agencies.
    browser.click("#confirm button[type=submit]").await;
    browser.wait_text("Đã xác nhận").await;
    let banner = browser
        .script("return document.getElementById('confirm') === null;")
        .await;
    assert_eq!(banner, json!(true), "the draft banner is gone");
    let (_, task) = app.get(&format!("/api/tasks/{first_id}")).await;
    assert_eq!(task["status"], "assigned");
    // It is in the incoming register with the first number of the year.
    browser.click_link("Sổ văn bản đến").await;
    browser.wait_text("Sổ đăng ký văn bản đến").await;
    let book = browser.text_of("#register").await;
    assert!(book.contains("15/UBND-KGVX"), "{book}");
    assert!(book.contains("1/20"), "{book}");
    browser.screenshot("clerk-register-book").await;
    browser.sign_out().await;
    browser.wait_text("Mật khẩu").await;
    assert!(browser.url().await.ends_with("/login"));

    // The leader's dashboard: both tasks are open and past their 2024 deadlines.
    browser.sign_in(&base, "lanhdao").await;
    browser.wait_text("Tình hình thực hiện nhiệm vụ").await;
    assert!(browser.url().await.ends_with("/dashboard"));
    assert_eq!(browser.text_of("#total-tasks").await, "2");
    assert_eq!(browser.text_of("#total-overdue").await, "2");
    browser.screenshot("leader-dashboard-before").await;
    browser.sign_out().await;
    browser.wait_text("Mật khẩu").await;

    // The agency's staff find the task among theirs and file a report.
    let agency = first["lead"][0].as_str().unwrap();
    app.add_user("sotttt", Role::Agency, Some(agency));
    browser.sign_in(&base, "sotttt").await;
    let mine = browser.wait_text(corrected).await;
    assert!(browser.url().await.ends_with("/tasks"));
    assert!(
        !mine.contains("thu thập dữ liệu dân cư"),
        "another agency's task is not listed: {mine}"
    );
    browser.screenshot("agency-tasks").await;
    browser.click_link(corrected).await;
    browser
        .fill(
            "#report-text",
            "Đã nâng cấp 40 dịch vụ công lên mức toàn trình.",
        )
        .await;
    browser.click("main form button[type=submit]").await;
    let detail = browser.wait_text("Đã gửi báo cáo tiến độ").await;
    assert!(detail.contains("Đã nâng cấp 40 dịch vụ công"), "{detail}");
    assert!(detail.contains("Đã báo cáo"), "{detail}");
    browser.screenshot("agency-report").await;
    // They ask for more time, too.
    browser.fill("#new-deadline", "31/12/2026").await;
    browser
        .fill("#extension-reason", "Chờ kinh phí nâng cấp")
        .await;
    browser.click("form[action$='/extension'] button").await;
    browser.wait_text("Đã gửi đề nghị gia hạn").await;
    browser.sign_out().await;
    browser.wait_text("Mật khẩu").await;

    // The clerk accepts the report.
    browser.sign_in(&base, "vanthu").await;
    browser.wait_text("Văn bản chỉ đạo").await;
    browser.go(&format!("{base}/tasks/{first_id}")).await;
    browser.click("button[value=accept]").await;
    browser.wait_text("Đã tiếp nhận báo cáo").await;
    browser.sign_out().await;
    browser.wait_text("Mật khẩu").await;

    // The leader sees the dashboard change, then finds the directive by searching without accents.
    browser.sign_in(&base, "lanhdao").await;
    browser.wait_text("Tình hình thực hiện nhiệm vụ").await;
    assert_eq!(browser.text_of("#total-overdue").await, "1");
    let dashboard = browser.text_of("#dashboard").await;
    assert!(dashboard.contains(agency), "{dashboard}");
    browser.screenshot("leader-dashboard-after").await;
    browser.click_link("Tra cứu").await;
    browser.wait_text("Tra cứu văn bản").await;
    browser.fill("#q", "dich vu cong truc tuyen").await;
    browser.click("main button[type=submit]").await;
    browser.wait_text("15/UBND-KGVX").await;
    assert!(
        browser.source().await.contains("<b>"),
        "matches are highlighted"
    );
    browser.screenshot("leader-search").await;
}

#[actix_web::test]
async fn main_pages_fit_a_phone_screen() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let base = app.server.url("").trim_end_matches('/').to_string();
    let (status, directive) = app
        .post_json("/api/directives", &json!({ "text": DIRECTIVE }))
        .await;
    assert_eq!(status, 201, "{directive}");
    let directive_id = directive["id"].as_i64().unwrap();
    let task = &directive["documents"][0]["tasks"][0];
    let task_id = task["id"].as_i64().unwrap();
    let agency = task["lead"][0].as_str().unwrap();
    app.add_user("vanthu", Role::Clerk, None);
    app.add_user("lanhdao", Role::Leader, None);
    app.add_user("donvi", Role::Agency, Some(agency));
    let browser = Browser::start_sized(390, 844).await;
    let pages: [(&str, &[&str]); 3] = [
        (
            "vanthu",
            &[
                "/",
                "/directives/new",
                "/directives/{d}",
                "/register",
                "/tasks/{t}",
            ],
        ),
        (
            "lanhdao",
            &["/dashboard", "/search?q=dich+vu+cong", "/tasks"],
        ),
        ("donvi", &["/tasks", "/tasks/{t}"]),
    ];
    for (user, paths) in pages {
        browser.sign_in(&base, user).await;
        browser.wait_text("Đăng xuất").await;
        for path in paths {
            let path = path
                .replace("{d}", &directive_id.to_string())
                .replace("{t}", &task_id.to_string());
            browser.go(&format!("{base}{path}")).await;
            browser.find("main").await;
            let widths = browser
                .script(
                    "return [document.documentElement.scrollWidth, window.innerWidth, \
                     document.title];",
                )
                .await;
            let (page, viewport) = (widths[0].as_i64().unwrap(), widths[1].as_i64().unwrap());
            assert!(
                page <= viewport,
                "{user} {path} ({}) is {page} px wide on a {viewport} px screen",
                widths[2]
            );
            let name = format!("phone-{user}{}", path.replace(['/', '?', '=', '+'], "-"));
            browser.screenshot(name.trim_end_matches('-')).await;
        }
        browser.sign_out().await;
        browser.wait_text("Mật khẩu").await;
    }
}
