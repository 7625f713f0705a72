//! Bad input gets a clear JSON error with a stable code and changes nothing.

use serde_json::{Value, json};

use crate::helpers::{Db, TestApp};
use crate::on_both_backends;

on_both_backends!(bad_input_is_refused_without_side_effects);

fn assert_error(status: u16, body: &Value, expected_status: u16, code: &str) {
    assert_eq!(status, expected_status, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    let message = body["error"]["message"].as_str().unwrap_or("");
    assert!(!message.is_empty(), "no message: {body}");
}

async fn bad_input_is_refused_without_side_effects(db: Db) {
    let app = TestApp::spawn(db).await;
    let (status, _) = app
        .post_json(
            "/api/directives",
            &json!({"text": "Số: 1/UBND\nGiao Sở Y tế chủ trì thực hiện."}),
        )
        .await;
    assert_eq!(status, 201);
    let before = app.counts();

    let (s, b) = app.post_json("/api/directives", &json!({"text": ""})).await;
    assert_error(s, &b, 400, "empty_text");
    let (s, b) = app
        .post_json("/api/directives", &json!({"text": "  \n\t"}))
        .await;
    assert_error(s, &b, 400, "empty_text");
    let (s, b) = app
        .post_raw(
            "/api/directives",
            "application/json",
            b"{\"text\": ".to_vec(),
        )
        .await;
    assert_error(s, &b, 400, "invalid_json");
    let (s, b) = app
        .post_raw("/api/directives", "application/json", b"[1,2]".to_vec())
        .await;
    assert_error(s, &b, 400, "invalid_json");
    let (s, b) = app.post_json("/api/directives", &json!({"txt": "x"})).await;
    assert_error(s, &b, 400, "invalid_json");
    let (s, b) = app
        .post_raw("/api/directives", "text/plain", b"hello".to_vec())
        .await;
    assert_error(s, &b, 400, "unsupported_content_type");

    let mut garbage = Vec::with_capacity(4096);
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..4096 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        garbage.push((state >> 32) as u8);
    }
    let (s, b) = app.upload("garbage.bin", &garbage).await;
    assert_error(s, &b, 415, "not_text");
    let (s, b) = app.upload("empty.txt", b"").await;
    assert_error(s, &b, 400, "empty_text");
    let (s, b) = app
        .post_raw(
            "/api/directives",
            "multipart/form-data; boundary=x",
            b"--x\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nabc\r\n--x--\r\n"
                .to_vec(),
        )
        .await;
    assert_error(s, &b, 400, "missing_file");

    // 200 MB declared: refused by its length before the body is read.
    let huge = 200 * 1024 * 1024;
    let auth = app.bearer();
    let head = format!(
        "POST /api/directives HTTP/1.1\r\nHost: localhost\r\nAuthorization: {auth}\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: {huge}\r\n\r\n"
    );
    let (s, b) = tokio::task::spawn_blocking({
        let app_head = head.clone();
        let addr = app.server.addr();
        move || crate::helpers::raw_upload(addr, &app_head, huge, false)
    })
    .await
    .unwrap();
    assert_error(s, &b, 413, "too_large");
    // 200 MB streamed without a declared length: refused once the limit is passed.
    let head = format!(
        "POST /api/directives HTTP/1.1\r\nHost: localhost\r\nAuthorization: {auth}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    let (s, b) = tokio::task::spawn_blocking({
        let addr = app.server.addr();
        move || crate::helpers::raw_upload(addr, &head, huge, true)
    })
    .await
    .unwrap();
    assert_error(s, &b, 413, "too_large");

    let (s, b) = app.get("/api/directives/999999").await;
    assert_error(s, &b, 404, "not_found");
    let (s, b) = app.get("/api/directives/abc").await;
    assert_error(s, &b, 404, "not_found");
    let (s, b) = app.get("/api/tasks/999999").await;
    assert_error(s, &b, 404, "not_found");
    let (s, b) = app.get("/api/nothing-here").await;
    assert_error(s, &b, 404, "not_found");
    let (s, b) = app
        .post_json("/api/tasks/999999/reports", &json!({"text": "xong"}))
        .await;
    assert_error(s, &b, 404, "not_found");
    let (s, b) = app
        .patch_json("/api/tasks/999999", &json!({"status": "completed"}))
        .await;
    assert_error(s, &b, 404, "not_found");
    let (s, b) = app
        .patch_json("/api/tasks/1", &json!({"status": "finished"}))
        .await;
    assert_error(s, &b, 400, "invalid_json");
    let (s, b) = app
        .post_json("/api/tasks/1/reports", &json!({"text": "   "}))
        .await;
    assert_error(s, &b, 400, "empty_text");
    let (s, b) = app.get("/api/tasks?deadline_from=yesterday").await;
    assert_error(s, &b, 400, "invalid_query");
    let (s, b) = app.get("/api/tasks?status=unknown").await;
    assert_error(s, &b, 400, "invalid_query");

    assert_eq!(
        app.counts(),
        before,
        "a refused request changed the database"
    );
}
