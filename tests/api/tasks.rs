//! Listing, changing and reporting on tasks.

use serde_json::json;

use crate::helpers::{Db, TestApp, samples};
use crate::on_both_backends;

on_both_backends!(tasks_are_filtered_changed_and_reported);

/// A directive whose tasks are written plainly, so the test does not depend on text repair.
pub const DIRECTIVE: &str = "ỦY BAN NHÂN DÂN\nTỈNH KIÊN GIANG\nSố: 15/UBND-KGVX\nKiên Giang, ngày 05 tháng 3 năm 2024\nV/v triển khai dịch vụ công trực tuyến\n\nKính gửi:\n- Sở Thông tin và Truyền thông;\n- Công an tỉnh.\n\n1. Giao Sở Thông tin và Truyền thông chủ trì, phối hợp với Công an tỉnh rà soát, nâng cấp hệ thống dịch vụ công trực tuyến, hoàn thành trước ngày 30/6/2024.\n2. Giao Công an tỉnh chủ trì triển khai thu thập dữ liệu dân cư, hoàn thành chậm nhất ngày 15/4/2024.\n\nNơi nhận:\n- Như trên;\n- Lưu: VT.\n\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nNguyễn Văn An\n";

async fn tasks_are_filtered_changed_and_reported(db: Db) {
    let app = TestApp::spawn(db).await;
    let (status, directive) = app
        .post_json("/api/directives", &json!({"text": DIRECTIVE}))
        .await;
    assert_eq!(status, 201, "{directive}");
    let sample = std::fs::read_to_string(&samples()[1]).unwrap();
    let (status, _) = app
        .post_json("/api/directives", &json!({"text": sample}))
        .await;
    assert_eq!(status, 201);
    let directive_id = directive["id"].as_i64().unwrap();

    let (status, tasks) = app
        .get(&format!("/api/tasks?directive_id={directive_id}"))
        .await;
    assert_eq!(status, 200);
    let tasks = tasks.as_array().unwrap().clone();
    assert_eq!(tasks.len(), 2, "{tasks:?}");
    // Ordered by deadline: the police task (15/4) comes first.
    assert_eq!(tasks[0]["deadline"], "2024-04-15");
    assert_eq!(tasks[1]["deadline"], "2024-06-30");
    for task in &tasks {
        assert_eq!(task["status"], "assigned");
        assert_eq!(task["directive_id"], directive_id);
        assert!(!task["lead"].as_array().unwrap().is_empty(), "{task}");
    }
    let lead = tasks[1]["lead"][0].as_str().unwrap().to_string();
    assert!(lead.starts_with("Sở Thông tin và Truyền thông"), "{lead}");

    let (_, mine) = app
        .get(&format!("/api/tasks?agency={}", urlencode(&lead)))
        .await;
    assert!(
        mine.as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == tasks[1]["id"])
    );
    let (_, window) = app
        .get(&format!(
            "/api/tasks?directive_id={directive_id}&deadline_from=2024-05-01&deadline_to=2024-12-31"
        ))
        .await;
    let window = window.as_array().unwrap();
    assert_eq!(window.len(), 1);
    assert_eq!(window[0]["id"], tasks[1]["id"]);

    let task_id = tasks[0]["id"].as_i64().unwrap();
    let (status, changed) = app
        .patch_json(
            &format!("/api/tasks/{task_id}"),
            &json!({"status": "in_progress", "deadline": "2024-05-15", "support": ["Sở Tư pháp"]}),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["status"], "in_progress");
    assert_eq!(changed["deadline"], "2024-05-15");
    assert_eq!(changed["support"], json!(["Sở Tư pháp"]));
    let (_, read) = app.get(&format!("/api/tasks/{task_id}")).await;
    assert_eq!(read, changed);

    let (status, report) = app
        .post_json(
            &format!("/api/tasks/{task_id}/reports"),
            &json!({"text": "Đã hoàn thành thu thập 95% dữ liệu."}),
        )
        .await;
    assert_eq!(status, 201, "{report}");
    assert_eq!(report["task_id"], task_id);
    let (_, read) = app.get(&format!("/api/tasks/{task_id}")).await;
    assert_eq!(read["status"], "reported");
    let (_, reports) = app.get(&format!("/api/tasks/{task_id}/reports")).await;
    assert_eq!(reports.as_array().unwrap().len(), 1);
    let (_, reported) = app.get("/api/tasks?status=reported").await;
    assert_eq!(reported.as_array().unwrap().len(), 1);

    // A cancelled task takes no more reports, and nothing is written.
    let (status, _) = app
        .patch_json(
            &format!("/api/tasks/{task_id}"),
            &json!({"status": "cancelled"}),
        )
        .await;
    assert_eq!(status, 200);
    let before = app.counts();
    let (status, error) = app
        .post_json(
            &format!("/api/tasks/{task_id}/reports"),
            &json!({"text": "muộn"}),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(error["error"]["code"], "conflict");
    assert_eq!(app.counts(), before);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
