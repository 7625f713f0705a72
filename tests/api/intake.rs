//! The background reader: scans and PDFs handed over through `/api/intake` or the register page are
//! read off the request, with their progress visible, survive an interrupted reader, and fail with
//! a reason that stores nothing.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use dondoc::store::intake_jobs;
use dondoc::store::users::Role;
use serde_json::{Value, json};

use crate::helpers::{Db, TestApp};
use crate::on_both_backends;

on_both_backends!(
    a_scan_is_read_in_the_background_with_its_progress_shown,
    a_failed_reading_stores_nothing_and_a_duplicate_can_be_confirmed,
    an_interrupted_reading_is_taken_up_again_and_registered_once,
);

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/parse")
        .join(name)
}

/// A multipart body with one `file` part.
fn multipart(file_name: &str, content: &[u8]) -> (String, Vec<u8>) {
    let boundary = "dondoc-intake-boundary-0xk3P";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Runs one step of the background reader, as the server's loop does.
fn read_next(app: &TestApp) -> Option<i64> {
    dondoc::intake::jobs::run_next(
        &app.store,
        &app.config.limits,
        &dondoc::web::error::job_failure,
    )
    .expect("reader step")
}

/// A page with the admin's token: status, `Location`, body.
async fn page(app: &TestApp, path: &str) -> (u16, String, String) {
    let mut response = app
        .server
        .get(path)
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = response.body().await.unwrap();
    (
        response.status().as_u16(),
        location,
        String::from_utf8_lossy(&body).into_owned(),
    )
}

async fn a_scan_is_read_in_the_background_with_its_progress_shown(db: Db) {
    let app = TestApp::spawn(db).await;
    let tiff = std::fs::read(fixture("pages.tif")).unwrap();
    let (content_type, body) = multipart("cong-van-scan.tif", &tiff);
    let (status, job) = app.post_raw("/api/intake", &content_type, body).await;
    assert_eq!(status, 202, "{job}");
    assert_eq!(job["status"], "queued");
    let id = job["id"].as_i64().unwrap();
    assert_eq!(app.counts()[0], ("directives".to_string(), 0));

    // Until a reader takes it up, the clerk's page says it waits, and refreshes itself.
    let (status, _, html) = page(&app, &format!("/intake/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Đang chờ đọc"), "{html}");
    assert!(html.contains("http-equiv=\"refresh\""), "{html}");
    let (_, _, form) = page(&app, "/directives/new").await;
    assert!(form.contains("cong-van-scan.tif"), "listed as being read");

    // Agency staff may not follow the intake of files.
    let staff = app.add_user("donvi", Role::Agency, Some("Sở Y tế"));
    let (status, _) = app.get_as(&staff, &format!("/api/intake/{id}")).await;
    assert_eq!(status, 403);

    // The server's loop reads it; the job's progress is polled as a client would.
    let reader = actix_web::rt::spawn(dondoc::web::intake::read_files_forever(
        app.store.clone(),
        Arc::new(app.config.clone()),
        Arc::new(tokio::sync::Notify::new()),
    ));
    let started = Instant::now();
    let mut seen = Vec::new();
    let job = loop {
        let (status, job) = app.get(&format!("/api/intake/{id}")).await;
        assert_eq!(status, 200, "{job}");
        let stage = (
            job["stage"].as_str().unwrap_or_default().to_string(),
            job["pages_done"].as_i64().unwrap_or_default(),
        );
        if seen.last() != Some(&stage) {
            seen.push(stage);
        }
        if job["status"] == "done" || job["status"] == "failed" {
            break job;
        }
        assert!(
            started.elapsed() < Duration::from_secs(240),
            "reading took too long: {seen:?}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    };
    reader.abort();
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!(
        (job["pages_done"].clone(), job["pages_total"].clone()),
        (json!(2), json!(2))
    );
    assert_eq!(job["attempts"], 1);
    assert!(job["error"].is_null());
    assert!(
        seen.iter().any(|(stage, _)| stage == "reading"),
        "the reading stage was visible: {seen:?}"
    );
    let directive_id = job["directive_id"].as_i64().unwrap();
    let (status, directive) = app.get(&format!("/api/directives/{directive_id}")).await;
    assert_eq!(status, 200);
    assert_eq!(directive["source_format"], "scan");
    assert_eq!(directive["file_name"], "cong-van-scan.tif");
    let expected = std::fs::read_to_string(fixture("scan.txt")).unwrap();
    let first_line = expected.lines().find(|l| !l.trim().is_empty()).unwrap();
    assert!(
        directive["original_text"]
            .as_str()
            .unwrap()
            .contains(first_line.trim()),
        "{}",
        directive["original_text"]
    );

    // Done: the page opens the directive, and the register page no longer lists the file.
    let (status, location, _) = page(&app, &format!("/intake/{id}")).await;
    assert_eq!(status, 303);
    assert_eq!(
        location,
        format!("/directives/{directive_id}?done=registered")
    );
    let (_, _, form) = page(&app, "/directives/new").await;
    assert!(!form.contains("cong-van-scan.tif"));
}

async fn a_failed_reading_stores_nothing_and_a_duplicate_can_be_confirmed(db: Db) {
    let app = TestApp::spawn(db).await;
    // A damaged PDF uploaded on the register page goes to the reader, which fails it with the
    // API's reason; nothing is registered.
    let (content_type, body) = multipart("hong.pdf", b"%PDF-1.4\nnot really a pdf\n");
    let response = app
        .server
        .post("/directives/new")
        .bearer_auth(&app.token)
        .insert_header(("content-type", content_type))
        .send_body(body)
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let id: i64 = location.trim_start_matches("/intake/").parse().unwrap();
    assert_eq!(read_next(&app), Some(id));
    assert_eq!(read_next(&app), None, "nothing else waits");
    let (_, job) = app.get(&format!("/api/intake/{id}")).await;
    assert_eq!(job["status"], "failed");
    assert_eq!(job["error"]["code"], "corrupt_file");
    assert!(
        job["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Tệp bị hỏng"),
        "{job}"
    );
    assert_eq!(app.counts()[0], ("directives".to_string(), 0));
    // An empty upload is refused at once, with no job.
    let (content_type, body) = multipart("trong.pdf", b"");
    let (status, error) = app.post_raw("/api/intake", &content_type, body).await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(error["error"]["code"], "empty_text");
    assert_eq!(read_next(&app), None, "no job for an empty file");
    let (status, _, html) = page(&app, &location).await;
    assert_eq!(status, 200);
    assert!(html.contains("Tệp bị hỏng"), "{html}");
    assert!(!html.contains("http-equiv=\"refresh\""));

    // A copy of a registered directive fails as a duplicate, until the clerk confirms it.
    let sample = std::fs::read_to_string(&crate::helpers::samples()[2]).unwrap();
    let (status, _) = app
        .post_json("/api/directives", &json!({ "text": sample }))
        .await;
    assert_eq!(status, 201);
    let (status, job) = app
        .post_json(
            "/api/intake",
            &json!({ "text": sample, "file_name": "ban-sao.txt" }),
        )
        .await;
    assert_eq!(status, 202, "{job}");
    let id = job["id"].as_i64().unwrap();
    read_next(&app);
    let (_, job) = app.get(&format!("/api/intake/{id}")).await;
    assert_eq!(job["error"]["code"], "duplicate_directive", "{job}");
    let (_, _, html) = page(&app, &format!("/intake/{id}")).await;
    assert!(html.contains("Vẫn vào sổ"), "{html}");
    let (status, job) = app
        .post_json(
            &format!("/api/intake/{id}/retry"),
            &json!({ "confirm_duplicate": true }),
        )
        .await;
    assert_eq!(status, 202, "{job}");
    assert_eq!(job["status"], "queued");
    read_next(&app);
    let (_, job) = app.get(&format!("/api/intake/{id}")).await;
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!(app.counts()[0], ("directives".to_string(), 2));
    // Only failed readings can be tried again.
    let (status, body) = app
        .post_json(&format!("/api/intake/{id}/retry"), &json!({}))
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (409, json!("conflict"))
    );
    let (status, _) = app.get("/api/intake/999999").await;
    assert_eq!(status, 404);
}

async fn an_interrupted_reading_is_taken_up_again_and_registered_once(db: Db) {
    let app = TestApp::spawn(db).await;
    let sample = std::fs::read_to_string(&crate::helpers::samples()[2]).unwrap();
    let (_, job) = app
        .post_json("/api/intake", &json!({ "text": sample }))
        .await;
    let id = job["id"].as_i64().unwrap();
    // A reader takes the job up and stops (a crash): its lease runs out at once here.
    let claimed = app
        .store
        .write(|c| intake_jobs::claim(c, "stopped-reader", chrono::Duration::zero()))
        .unwrap()
        .expect("claimed");
    assert_eq!(claimed.id, id);
    std::thread::sleep(Duration::from_millis(20));
    // Another reader takes it up again and registers it.
    assert_eq!(read_next(&app), Some(id));
    let (_, job) = app.get(&format!("/api/intake/{id}")).await;
    assert_eq!(
        (job["status"].clone(), job["attempts"].clone()),
        (json!("done"), json!(2))
    );
    // The stopped reader, coming back, can change nothing: its claim is gone.
    let directive_id = job["directive_id"].as_i64().unwrap();
    let late = app
        .store
        .write(|c| intake_jobs::finish(c, id, "stopped-reader", directive_id));
    assert!(late.is_err());
    assert_eq!(app.counts()[0], ("directives".to_string(), 1));

    // A file whose reader keeps stopping is not taken up for ever.
    let (_, job) = app
        .post_json(
            "/api/intake",
            &json!({ "text": format!("{sample}\n(bản 2)"), "confirm_duplicate": true }),
        )
        .await;
    let id = job["id"].as_i64().unwrap();
    for attempt in 0..dondoc::intake::jobs::MAX_ATTEMPTS {
        let reader = format!("stopped-{attempt}");
        app.store
            .write(|c| intake_jobs::claim(c, &reader, chrono::Duration::zero()))
            .unwrap()
            .expect("claimed");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(read_next(&app), Some(id));
    let (_, job): (u16, Value) = app.get(&format!("/api/intake/{id}")).await;
    assert_eq!(job["status"], "failed");
    assert_eq!(job["error"]["code"], "read_interrupted", "{job}");
    assert_eq!(app.counts()[0], ("directives".to_string(), 1));
}
