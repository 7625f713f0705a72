//! The task lifecycle through the API: actions allowed and refused, progress reports with
//! attachments accepted or returned, deadline extensions, recurring duties.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use dondoc::extract::{Document, Extraction, Recurrence, Task};
use dondoc::store::directives::{self, NewDirective};
use dondoc::store::tasks::TaskStatus;
use dondoc::tracker::{self, lifecycle};
use serde_json::{Value, json};

use crate::helpers::{Db, TestApp};
use crate::on_both_backends;
use crate::tasks::DIRECTIVE;

on_both_backends!(
    every_action_is_allowed_or_refused_as_the_lifecycle_says,
    reports_with_attachments_are_accepted_or_returned_with_reasons,
    extensions_move_the_deadline_and_reminders_follow_it,
    recurring_duties_create_their_next_occurrence,
    recurrence_read_from_a_directive_is_stored,
    a_draft_directive_is_hidden_from_agencies_until_confirmed,
    administrators_set_the_reminder_policy_and_the_office_calendar,
);

const POLICE: &str = "Công an tỉnh";

/// Stores a directive with `tasks` as read (independent of text extraction); answers the task ids in
/// order.
async fn register(app: &TestApp, tasks: Vec<Task>) -> Vec<i64> {
    let count = tasks.len();
    let extraction = Extraction {
        documents: vec![Document {
            kind: Some("Công văn".into()),
            number: Some("15/UBND-KGVX".into()),
            tasks,
            text: DIRECTIVE.into(),
            ..Document::default()
        }],
    };
    let checksum = dondoc::intake::checksum(DIRECTIVE.as_bytes());
    let directive_id = app
        .store
        .write(|c| {
            directives::insert(
                c,
                &NewDirective {
                    file_name: None,
                    content: DIRECTIVE.as_bytes(),
                    checksum: &checksum,
                    source_format: "text",
                    original_text: DIRECTIVE,
                    repaired_text: DIRECTIVE,
                    extraction: &extraction,
                    actor: "test",
                    registered_by: None,
                    draft: false,
                },
            )
        })
        .unwrap();
    let ids: Vec<i64> = app
        .store
        .read(|c| {
            use dondoc::store::schema::tasks;
            Ok(tasks::table
                .filter(tasks::directive_id.eq(directive_id))
                .order(tasks::position.asc())
                .select(tasks::id)
                .load::<i64>(c)?)
        })
        .unwrap();
    assert_eq!(ids.len(), count);
    ids
}

fn task(text: &str, deadline: Option<NaiveDate>) -> Task {
    Task {
        lead: vec![POLICE.into()],
        text: text.into(),
        deadline,
        ..Task::default()
    }
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// 09:00 Vietnamese time (UTC+7) on `day`, in UTC.
fn at9(day: NaiveDate) -> NaiveDateTime {
    day.and_hms_opt(2, 0, 0).unwrap()
}

/// A multipart/form-data body of (field name, file name, bytes) parts, and its content type.
fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "dondoc-lifecycle-boundary-Zk3v9";
    let mut body = Vec::new();
    for (name, file_name, content) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file_name {
            Some(file_name) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/pdf\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn status_of(app: &TestApp, task_id: i64) -> String {
    let (status, task) = app.get(&format!("/api/tasks/{task_id}")).await;
    assert_eq!(status, 200, "{task}");
    task["status"].as_str().unwrap().to_string()
}

async fn file_report(app: &TestApp, task_id: i64, text: &str) -> (u16, Value) {
    app.post_json(
        &format!("/api/tasks/{task_id}/reports"),
        &json!({ "text": text }),
    )
    .await
}

async fn latest_report(app: &TestApp, task_id: i64) -> Option<i64> {
    let (_, reports) = app.get(&format!("/api/tasks/{task_id}/reports")).await;
    reports
        .as_array()
        .unwrap()
        .last()
        .map(|r| r["id"].as_i64().unwrap())
}

/// Takes `action` on a task through the API; answers the HTTP status and body.
async fn take(app: &TestApp, task_id: i64, action: lifecycle::Action) -> (u16, Value) {
    use lifecycle::Action;
    match action {
        Action::Start | Action::Cancel | Action::Reopen => {
            app.post_json(&format!("/api/tasks/{task_id}/{action}"), &json!({}))
                .await
        }
        Action::Report => file_report(app, task_id, "Báo cáo tiến độ.").await,
        Action::Accept | Action::Return => match latest_report(app, task_id).await {
            Some(report) => {
                app.post_json(
                    &format!("/api/reports/{report}/{action}"),
                    &json!({ "reason": "Lý do của văn thư." }),
                )
                .await
            }
            None => (404, Value::Null),
        },
        Action::Confirm => panic!("confirm is taken on a whole directive, not on one task"),
    }
}

async fn every_action_is_allowed_or_refused_as_the_lifecycle_says(db: Db) {
    use lifecycle::Action;
    let app = TestApp::spawn(db).await;
    // How to reach each status through the API. Every path files a report, so that a decision can
    // be tried in every status (on an awaiting report where there is one).
    let paths: [(TaskStatus, &[Action]); 6] = [
        (
            TaskStatus::Assigned,
            &[Action::Report, Action::Cancel, Action::Reopen],
        ),
        (
            TaskStatus::InProgress,
            &[Action::Report, Action::Return, Action::Start],
        ),
        (TaskStatus::Reported, &[Action::Report]),
        (TaskStatus::Completed, &[Action::Report, Action::Accept]),
        (TaskStatus::Returned, &[Action::Report, Action::Return]),
        (TaskStatus::Cancelled, &[Action::Report, Action::Cancel]),
    ];
    let mut allowed = 0;
    let mut refused = 0;
    for (status, path) in paths {
        // Confirming acts on a directive registered as a draft, and none of these tasks is one:
        // `a_draft_directive_is_hidden_from_agencies_until_confirmed` takes it.
        for action in Action::ALL.into_iter().filter(|a| *a != Action::Confirm) {
            let id = register(&app, vec![task("Nhiệm vụ thử.", Some(d(2024, 6, 28)))]).await[0];
            for step in path {
                let (code, body) = take(&app, id, *step).await;
                assert!(code < 300, "{status:?} via {step}: {code} {body}");
            }
            assert_eq!(status_of(&app, id).await, status.as_str());
            let before = app.counts();
            let (code, body) = take(&app, id, action).await;
            match lifecycle::transition(status, action) {
                Some(to) => {
                    assert!(
                        code == 200 || code == 201,
                        "{status:?} {action}: {code} {body}"
                    );
                    assert_eq!(
                        status_of(&app, id).await,
                        to.as_str(),
                        "{status:?} {action}"
                    );
                    allowed += 1;
                }
                None => {
                    assert_eq!(code, 409, "{status:?} {action} must be refused: {body}");
                    assert_eq!(body["error"]["code"], "conflict");
                    assert!(
                        body["error"]["message"]
                            .as_str()
                            .unwrap()
                            .contains("không thể")
                            || body["error"]["message"]
                                .as_str()
                                .unwrap()
                                .contains("đã được xử lý"),
                        "{body}"
                    );
                    assert_eq!(status_of(&app, id).await, status.as_str());
                    // Nothing written: no report, no audit entry.
                    assert_eq!(app.counts(), before, "{status:?} {action}");
                    refused += 1;
                }
            }
        }
    }
    assert_eq!(allowed, 13);
    assert_eq!(refused, 23);

    // A status set directly follows the table too, and only for actions that need no report.
    let id = register(&app, vec![task("Nhiệm vụ sửa trực tiếp.", None)]).await[0];
    for (to, expected) in [
        ("completed", 409),
        ("reported", 409),
        ("in_progress", 200),
        ("assigned", 409),
        ("cancelled", 200),
        ("assigned", 200),
    ] {
        let (code, body) = app
            .patch_json(&format!("/api/tasks/{id}"), &json!({ "status": to }))
            .await;
        assert_eq!(code, expected, "PATCH status {to}: {body}");
    }
    // Each change is in the history, with the action and the statuses.
    let (code, history) = app.get(&format!("/api/tasks/{id}/history")).await;
    assert_eq!(code, 200);
    let actions: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["task.update", "task.update", "task.update"]);
    assert_eq!(history[2]["detail"]["after"]["status"], "assigned");
    let (code, _) = app.get("/api/tasks/999999/history").await;
    assert_eq!(code, 404);
}

async fn reports_with_attachments_are_accepted_or_returned_with_reasons(db: Db) {
    let app = TestApp::spawn_with(db, |config| config.limits.max_upload_bytes = 64 * 1024).await;
    let ids = register(
        &app,
        vec![
            task("Triển khai thu thập dữ liệu dân cư.", Some(d(2024, 4, 15))),
            task("Nhiệm vụ khác.", Some(d(2024, 4, 15))),
        ],
    )
    .await;
    let id = ids[0];
    let (code, started) = app
        .post_json(
            &format!("/api/tasks/{id}/start"),
            &json!({"reason": "Bắt đầu."}),
        )
        .await;
    assert_eq!(code, 200, "{started}");
    assert_eq!(started["status"], "in_progress");

    // A report with two attachments, one of them binary; the same bytes twice are stored once.
    let pdf: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
    let (content_type, body) = multipart(&[
        ("text", None, "  Đã thu thập 95% dữ liệu.  ".as_bytes()),
        ("file", Some("bien-ban.pdf"), &pdf),
        ("file", Some("phu-luc.pdf"), &pdf),
        ("file", Some("danh-sach.txt"), "Danh sách xã".as_bytes()),
    ]);
    let files_before = count_files(&app);
    let (code, report) = app
        .post_raw(&format!("/api/tasks/{id}/reports"), &content_type, body)
        .await;
    assert_eq!(code, 201, "{report}");
    assert_eq!(report["text"], "Đã thu thập 95% dữ liệu.");
    assert_eq!(report["decision"], Value::Null);
    let attachments = report["attachments"].as_array().unwrap();
    let names: Vec<&str> = attachments
        .iter()
        .map(|a| a["file_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["bien-ban.pdf", "phu-luc.pdf", "danh-sach.txt"]);
    assert_eq!(attachments[0]["size"], 5000);
    assert_eq!(attachments[0]["checksum"], attachments[1]["checksum"]);
    assert_eq!(count_files(&app), files_before + 2);
    let report_id = report["id"].as_i64().unwrap();
    let attachment_id = attachments[0]["id"].as_i64().unwrap();
    let response = app
        .server
        .get(format!(
            "/api/reports/{report_id}/attachments/{attachment_id}"
        ))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let disposition = response
        .headers()
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(disposition.contains("bien-ban.pdf"), "{disposition}");
    let mut response = response;
    assert_eq!(response.body().await.unwrap().to_vec(), pdf);
    // An attachment is reached only through its own report.
    let (code, _) = app
        .get(&format!(
            "/api/reports/{}/attachments/{attachment_id}",
            report_id + 1
        ))
        .await;
    assert_eq!(code, 404);
    assert_eq!(status_of(&app, id).await, "reported");

    // Refused without writing anything: a second report while one awaits a decision, a form over
    // the size limit, a form without text, a return without a reason.
    let before = app.counts();
    let (code, _) = file_report(&app, id, "Báo cáo thêm.").await;
    assert_eq!(code, 409);
    let big = vec![b'x'; 70 * 1024];
    let (content_type, body) = multipart(&[
        ("text", None, "Quá lớn".as_bytes()),
        ("file", Some("lon.pdf"), &big),
    ]);
    let (code, error) = app
        .post_raw(
            &format!("/api/tasks/{}/reports", ids[1]),
            &content_type,
            body,
        )
        .await;
    assert_eq!(code, 413, "{error}");
    assert_eq!(error["error"]["code"], "too_large");
    let (content_type, body) = multipart(&[("file", Some("a.pdf"), b"%PDF-1.4")]);
    let (code, error) = app
        .post_raw(
            &format!("/api/tasks/{}/reports", ids[1]),
            &content_type,
            body,
        )
        .await;
    assert_eq!(code, 400, "{error}");
    assert_eq!(error["error"]["code"], "empty_text");
    let (code, error) = app
        .post_json(
            &format!("/api/reports/{report_id}/return"),
            &json!({"reason": "  "}),
        )
        .await;
    assert_eq!(code, 400, "{error}");
    assert_eq!(error["error"]["code"], "missing_reason");
    assert_eq!(app.counts(), before);

    // While reported, no reminder goes out, even on the deadline.
    let config = app.config.clone();
    let mailer = tracker::mailer_for(&config).unwrap();
    let deadline_day = d(2024, 4, 15);
    let outcome = tracker::run_once(&app.store, &config, &mailer, at9(deadline_day)).unwrap();
    assert_eq!(items_for(&app, id), Vec::<String>::new(), "{outcome:?}");

    // Returned with a reason: the task is chased again.
    let (code, returned) = app
        .post_json(
            &format!("/api/reports/{report_id}/return"),
            &json!({"reason": "Thiếu số liệu của 3 xã."}),
        )
        .await;
    assert_eq!(code, 200, "{returned}");
    assert_eq!(returned["decision"], "returned");
    assert_eq!(returned["reason"], "Thiếu số liệu của 3 xã.");
    assert!(returned["decided_at"].is_string());
    assert_eq!(status_of(&app, id).await, "returned");
    let (code, _) = app
        .post_json(&format!("/api/reports/{report_id}/accept"), &json!({}))
        .await;
    assert_eq!(code, 409, "a decided report cannot be decided again");
    tracker::run_once(&app.store, &config, &mailer, at9(d(2024, 4, 16))).unwrap();
    assert_eq!(items_for(&app, id), vec!["due@2024-04-15".to_string()]);

    // A new report, accepted without a body: completed, done on the day the report was filed.
    let (code, second) = file_report(&app, id, "Đã bổ sung số liệu của 3 xã.").await;
    assert_eq!(code, 201, "{second}");
    let second_id = second["id"].as_i64().unwrap();
    let response = app
        .server
        .post(format!("/api/reports/{second_id}/accept"))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let (_, done) = app.get(&format!("/api/tasks/{id}")).await;
    assert_eq!(done["status"], "completed");
    let filed: NaiveDateTime = serde_json::from_value(second["created_at"].clone()).unwrap();
    assert_eq!(
        done["done_on"],
        json!(tracker::local_day(filed).format("%Y-%m-%d").to_string())
    );
    let (_, reports) = app.get(&format!("/api/tasks/{id}/reports")).await;
    let decisions: Vec<&Value> = reports
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["decision"])
        .collect();
    assert_eq!(decisions, vec!["returned", "accepted"]);
    let (code, read) = app.get(&format!("/api/reports/{report_id}")).await;
    assert_eq!(code, 200);
    assert_eq!(read["attachments"].as_array().unwrap().len(), 3);

    // The history tells the whole story, with the reason.
    let (_, history) = app.get(&format!("/api/tasks/{id}/history")).await;
    let history = history.as_array().unwrap();
    let actions: Vec<&str> = history
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec![
            "task.start",
            "report.file",
            "report.return",
            "report.file",
            "report.accept"
        ]
    );
    assert_eq!(history[0]["detail"]["note"], "Bắt đầu.");
    assert_eq!(
        history[1]["detail"]["attachments"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(history[2]["detail"]["reason"], "Thiếu số liệu của 3 xã.");
    assert_eq!(history[2]["detail"]["to"], "returned");
    assert_eq!(history[4]["detail"]["report_id"], second_id);
    assert!(history.iter().all(|e| e["actor"] == "admin"));

    // The API description has both forms of filing a report, and the lifecycle routes.
    let (_, spec) = app.get("/api/openapi.json").await;
    let forms = &spec["paths"]["/api/tasks/{id}/reports"]["post"]["requestBody"]["content"];
    assert!(forms["application/json"].is_object(), "{forms}");
    assert!(forms["multipart/form-data"].is_object(), "{forms}");
    for path in [
        "/api/reports/{id}/accept",
        "/api/reports/{id}/return",
        "/api/tasks/{id}/extensions",
        "/api/extensions/{id}/approve",
        "/api/tasks/{id}/history",
    ] {
        assert!(
            spec["paths"][path].is_object(),
            "{path} missing from OpenAPI"
        );
    }
}

fn count_files(app: &TestApp) -> i64 {
    use dondoc::store::schema::files;
    app.store
        .read(|c| Ok(files::table.count().get_result(c)?))
        .unwrap()
}

/// The reminder occasions recorded for a task, in order.
fn items_for(app: &TestApp, task_id: i64) -> Vec<String> {
    use dondoc::store::schema::reminder_items;
    app.store
        .read(|c| {
            Ok(reminder_items::table
                .filter(reminder_items::task_id.eq(task_id))
                .filter(reminder_items::audience.ne("leader"))
                .order(reminder_items::reminder_id.asc())
                .select(reminder_items::occasion)
                .load::<String>(c)?)
        })
        .unwrap()
}

async fn extensions_move_the_deadline_and_reminders_follow_it(db: Db) {
    let app = TestApp::spawn(db).await;
    let id = register(
        &app,
        vec![task(
            "Triển khai thu thập dữ liệu dân cư.",
            Some(d(2024, 4, 15)),
        )],
    )
    .await[0];
    let config = app.config.clone();
    let mailer = tracker::mailer_for(&config).unwrap();

    // Not a later day, or no reason: refused.
    let (code, error) = app
        .post_json(
            &format!("/api/tasks/{id}/extensions"),
            &json!({"new_deadline": "2024-04-15", "reason": "Cần thêm thời gian."}),
        )
        .await;
    assert_eq!(code, 409, "{error}");
    let (code, error) = app
        .post_json(
            &format!("/api/tasks/{id}/extensions"),
            &json!({"new_deadline": "2024-04-30", "reason": ""}),
        )
        .await;
    assert_eq!(code, 400, "{error}");
    assert_eq!(error["error"]["code"], "missing_reason");

    // A pending request does not stop the reminders of the current deadline.
    let (code, first) = app
        .post_json(
            &format!("/api/tasks/{id}/extensions"),
            &json!({"new_deadline": "2024-04-30", "reason": "Chờ số liệu từ Bộ Công an."}),
        )
        .await;
    assert_eq!(code, 201, "{first}");
    assert_eq!(first["status"], "pending");
    assert_eq!(first["old_deadline"], "2024-04-15");
    let (code, _) = app
        .post_json(
            &format!("/api/tasks/{id}/extensions"),
            &json!({"new_deadline": "2024-05-30", "reason": "Đề nghị thứ hai."}),
        )
        .await;
    assert_eq!(code, 409, "one request at a time");
    tracker::run_once(&app.store, &config, &mailer, at9(d(2024, 4, 15))).unwrap();
    assert_eq!(items_for(&app, id), vec!["due@2024-04-15".to_string()]);

    // Refused with a note: the deadline stays.
    let first_id = first["id"].as_i64().unwrap();
    let (code, error) = app
        .post_json(&format!("/api/extensions/{first_id}/refuse"), &json!({}))
        .await;
    assert_eq!(code, 400, "{error}");
    let (code, refused) = app
        .post_json(
            &format!("/api/extensions/{first_id}/refuse"),
            &json!({"reason": "Đề nghị chưa nêu rõ khó khăn."}),
        )
        .await;
    assert_eq!(code, 200, "{refused}");
    assert_eq!(refused["status"], "refused");
    assert_eq!(refused["note"], "Đề nghị chưa nêu rõ khó khăn.");
    let (_, read) = app.get(&format!("/api/tasks/{id}")).await;
    assert_eq!(read["deadline"], "2024-04-15");
    let (code, _) = app
        .post_json(&format!("/api/extensions/{first_id}/approve"), &json!({}))
        .await;
    assert_eq!(code, 409, "a decided request cannot be decided again");

    // Approved: the deadline moves, and the reminders follow the new one.
    let (code, second) = app
        .post_json(
            &format!("/api/tasks/{id}/extensions"),
            &json!({"new_deadline": "2024-05-10", "reason": "Bộ Công an gửi số liệu ngày 5/5."}),
        )
        .await;
    assert_eq!(code, 201, "{second}");
    let second_id = second["id"].as_i64().unwrap();
    let (code, approved) = app
        .post_json(
            &format!("/api/extensions/{second_id}/approve"),
            &json!({"reason": "Đồng ý."}),
        )
        .await;
    assert_eq!(code, 200, "{approved}");
    assert_eq!(approved["status"], "approved");
    let (_, read) = app.get(&format!("/api/tasks/{id}")).await;
    assert_eq!(read["deadline"], "2024-05-10");
    let mut day = d(2024, 4, 16);
    while day <= d(2024, 5, 10) {
        tracker::run_once(&app.store, &config, &mailer, at9(day)).unwrap();
        day = day.succ_opt().unwrap();
    }
    // No overdue reminder for the old deadline; 7 working days before 10/5 is 29/4 (30/4 and 1/5
    // are holidays), then the day before and the day itself.
    assert_eq!(
        items_for(&app, id),
        vec![
            "due@2024-04-15",
            "before:7@2024-05-10",
            "before:1@2024-05-10",
            "due@2024-05-10"
        ]
    );

    // The history of the deadline: both requests, oldest first, and the audit entries.
    let (_, list) = app.get(&format!("/api/tasks/{id}/extensions")).await;
    let statuses: Vec<&Value> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["status"])
        .collect();
    assert_eq!(statuses, vec!["refused", "approved"]);
    let (_, history) = app.get(&format!("/api/tasks/{id}/history")).await;
    let actions: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec![
            "extension.request",
            "extension.refuse",
            "extension.request",
            "extension.approve"
        ]
    );
    assert_eq!(history[3]["detail"]["deadline_before"], "2024-04-15");
    assert_eq!(history[3]["detail"]["deadline_after"], "2024-05-10");

    // A closed task takes no extension.
    let (code, _) = app
        .post_json(
            &format!("/api/tasks/{id}/cancel"),
            &json!({"reason": "Không còn cần."}),
        )
        .await;
    assert_eq!(code, 200);
    let (code, _) = app
        .post_json(
            &format!("/api/tasks/{id}/extensions"),
            &json!({"new_deadline": "2024-06-30", "reason": "Muộn."}),
        )
        .await;
    assert_eq!(code, 409);
}

/// (occurrence, deadline, status) of the tasks of a series, in order.
fn series(app: &TestApp, first: i64) -> Vec<(i32, NaiveDate, String)> {
    use dondoc::store::schema::tasks;
    app.store
        .read(|c| {
            Ok(tasks::table
                .filter(tasks::series_id.eq(first))
                .order(tasks::occurrence.asc())
                .select((tasks::occurrence, tasks::deadline, tasks::status))
                .load::<(i32, Option<NaiveDate>, String)>(c)?)
        })
        .unwrap()
        .into_iter()
        .map(|(n, deadline, status)| (n, deadline.unwrap(), status))
        .collect()
}

async fn accept_new_report(app: &TestApp, task_id: i64) {
    let (code, report) = file_report(app, task_id, "Đã gửi báo cáo định kỳ.").await;
    assert_eq!(code, 201, "{report}");
    let (code, body) = app
        .post_json(&format!("/api/reports/{}/accept", report["id"]), &json!({}))
        .await;
    assert_eq!(code, 200, "{body}");
}

async fn recurring_duties_create_their_next_occurrence(db: Db) {
    let app = TestApp::spawn(db).await;
    let recurring = |text: &str, every, deadline, deadline_text: &str| Task {
        recurrence: Some(every),
        deadline_text: Some(deadline_text.into()),
        ..task(text, Some(deadline))
    };
    let ids = register(
        &app,
        vec![
            recurring(
                "Báo cáo tình hình giải ngân hằng tháng.",
                Recurrence::Monthly,
                d(2024, 1, 31),
                "hằng tháng, trước ngày cuối tháng",
            ),
            recurring(
                "Báo cáo kết quả cải cách hành chính hằng quý.",
                Recurrence::Quarterly,
                d(2024, 3, 31),
                "định kỳ hằng quý",
            ),
            recurring(
                "Báo cáo nhanh tình hình an ninh.",
                Recurrence::Monthly,
                d(2024, 1, 8),
                "trong 05 ngày làm việc đầu tháng",
            ),
            task("Nhiệm vụ một lần.", Some(d(2024, 1, 31))),
        ],
    )
    .await;
    let (monthly, quarterly, working, once) = (ids[0], ids[1], ids[2], ids[3]);
    let (_, first) = app.get(&format!("/api/tasks/{monthly}")).await;
    assert_eq!(first["recurrence"], "monthly");
    assert_eq!(first["series_id"], monthly);
    assert_eq!(first["occurrence"], 1);
    assert_eq!(first["recurrence_working_days"], false);
    let (_, plain) = app.get(&format!("/api/tasks/{once}")).await;
    assert_eq!(plain["recurrence"], Value::Null);
    assert_eq!(plain["series_id"], Value::Null);

    // Completing an occurrence creates the next, with the next deadline: the last day of the month
    // stays the last day.
    accept_new_report(&app, monthly).await;
    let months = series(&app, monthly);
    assert_eq!(
        months,
        vec![
            (1, d(2024, 1, 31), "completed".to_string()),
            (2, d(2024, 2, 29), "assigned".to_string()),
        ]
    );
    let (_, tasks) = app
        .get("/api/tasks?deadline_from=2024-02-29&deadline_to=2024-02-29")
        .await;
    let second = &tasks.as_array().unwrap()[0];
    assert_eq!(second["lead"], json!([POLICE]));
    assert_eq!(second["text"], "Báo cáo tình hình giải ngân hằng tháng.");
    let second_id = second["id"].as_i64().unwrap();
    let (_, history) = app.get(&format!("/api/tasks/{second_id}/history")).await;
    assert_eq!(history[0]["action"], "task.recur");
    assert_eq!(history[0]["detail"]["previous_task_id"], monthly);
    assert_eq!(history[0]["detail"]["series_id"], monthly);
    // Accepting again after a reopening does not create a second successor.
    let (code, _) = app
        .post_json(&format!("/api/tasks/{monthly}/reopen"), &json!({}))
        .await;
    assert_eq!(code, 200);
    let (_, reopened) = app.get(&format!("/api/tasks/{monthly}")).await;
    assert_eq!(reopened["done_on"], Value::Null);
    accept_new_report(&app, monthly).await;
    assert_eq!(series(&app, monthly).len(), 2);

    // Counted in working days: the 5th working day of January 2024 (1/1 is a holiday) is 8/1; of
    // February, 7/2 (before Tết, 8-14/2); of March, 7/3.
    let (_, w) = app.get(&format!("/api/tasks/{working}")).await;
    assert_eq!(w["recurrence_working_days"], true);
    accept_new_report(&app, working).await;
    assert_eq!(series(&app, working)[1].1, d(2024, 2, 7));
    accept_new_report(&app, occurrence_id(&app, working, 2)).await;
    assert_eq!(series(&app, working)[2].1, d(2024, 3, 7));

    // When a period ends with the occurrence still open, the reminder pass creates the next one, and
    // catches up on periods it missed; once only.
    let config = app.config.clone();
    let mailer = tracker::mailer_for(&config).unwrap();
    let outcome = tracker::run_once(&app.store, &config, &mailer, at9(d(2024, 3, 29))).unwrap();
    // Monthly: the 2nd (29/2) has passed, the 3rd is due 31/3. Working days: the 3rd (7/3) has
    // passed, the 4th is the 5th working day of April, 5/4. The quarter (31/3) has not passed.
    assert_eq!(outcome.scheduled.occurrences, 2, "{outcome:?}");
    assert_eq!(
        series(&app, monthly)[2],
        (3, d(2024, 3, 31), "assigned".to_string())
    );
    assert_eq!(
        series(&app, working)[3],
        (4, d(2024, 4, 5), "assigned".to_string())
    );
    assert_eq!(series(&app, quarterly).len(), 1);
    let outcome = tracker::run_once(&app.store, &config, &mailer, at9(d(2024, 10, 1))).unwrap();
    let quarters: Vec<(i32, NaiveDate)> = series(&app, quarterly)
        .into_iter()
        .map(|(n, deadline, _)| (n, deadline))
        .collect();
    assert_eq!(
        quarters,
        vec![
            (1, d(2024, 3, 31)),
            (2, d(2024, 6, 30)),
            (3, d(2024, 9, 30)),
            (4, d(2024, 12, 31)),
        ]
    );
    // Monthly: 30/4 to 31/10 (7 more); quarterly: 3 more; working days: May to October (6 more).
    assert_eq!(outcome.scheduled.occurrences, 16, "{outcome:?}");
    assert_eq!(series(&app, monthly).last().unwrap().1, d(2024, 10, 31));
    let again = tracker::run_once(&app.store, &config, &mailer, at9(d(2024, 10, 2))).unwrap();
    assert_eq!(again.scheduled.occurrences, 0);
    // An occurrence still open after its period is chased like any task.
    let third = occurrence_id(&app, quarterly, 3);
    assert_eq!(items_for(&app, third), vec!["due@2024-09-30".to_string()]);

    // A cancelled occurrence ends its series.
    let fourth = occurrence_id(&app, quarterly, 4);
    let (_, fourth_task) = app.get(&format!("/api/tasks/{fourth}")).await;
    assert_eq!(fourth_task["occurrence"], 4);
    assert_eq!(fourth_task["series_id"], quarterly);
    let (code, _) = app
        .post_json(&format!("/api/tasks/{fourth}/cancel"), &json!({}))
        .await;
    assert_eq!(code, 200);
    tracker::run_once(&app.store, &config, &mailer, at9(d(2025, 1, 6))).unwrap();
    assert_eq!(series(&app, quarterly).len(), 4);
}

/// The id of occurrence `n` of the series headed by `first`.
fn occurrence_id(app: &TestApp, first: i64, n: i32) -> i64 {
    use dondoc::store::schema::tasks;
    app.store
        .read(|c| {
            Ok(tasks::table
                .filter(tasks::series_id.eq(first))
                .filter(tasks::occurrence.eq(n))
                .select(tasks::id)
                .first::<i64>(c)?)
        })
        .unwrap()
}

async fn recurrence_read_from_a_directive_is_stored(db: Db) {
    let app = TestApp::spawn(db).await;
    let text = DIRECTIVE.replace(
        "2. Giao Công an tỉnh chủ trì triển khai thu thập dữ liệu dân cư, hoàn thành chậm nhất ngày 15/4/2024.",
        "2. Giao Công an tỉnh chủ trì tổng hợp, báo cáo tình hình an ninh trật tự định kỳ hằng tháng, trước ngày 20.",
    );
    let (code, directive) = app
        .post_json("/api/directives", &json!({"text": text}))
        .await;
    assert_eq!(code, 201, "{directive}");
    let tasks = directive["documents"][0]["tasks"].as_array().unwrap();
    let monthly: Vec<&Value> = tasks
        .iter()
        .filter(|t| t["recurrence"] == "monthly")
        .collect();
    assert_eq!(monthly.len(), 1, "{tasks:?}");
    assert_eq!(monthly[0]["series_id"], monthly[0]["id"]);
    assert_eq!(monthly[0]["deadline"], "2024-03-20");
}

async fn a_draft_directive_is_hidden_from_agencies_until_confirmed(db: Db) {
    use dondoc::store::users::Role;
    let app = TestApp::spawn(db).await;
    let (code, directive) = app
        .post_json(
            "/api/directives",
            &json!({"text": DIRECTIVE, "draft": true}),
        )
        .await;
    assert_eq!(code, 201, "{directive}");
    assert_eq!(directive["awaiting_confirmation"], true);
    let directive_id = directive["id"].as_i64().unwrap();
    let tasks: Vec<Value> = directive["documents"][0]["tasks"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(tasks.len(), 2);
    let police = tasks
        .iter()
        .find(|t| t["lead"][0].as_str().is_some_and(|l| l.starts_with(POLICE)))
        .expect("a police task");
    // The province's police, named with the province of the issuer.
    let police_name = police["lead"][0].as_str().unwrap().to_string();
    let police_id = police["id"].as_i64().unwrap();
    assert_eq!(police["status"], "draft");
    // The passage it was read from is recorded, within the document's text.
    let [start, end] = [&police["source"][0], &police["source"][1]].map(|v| v.as_u64().unwrap());
    let text = directive["documents"][0]["text"].as_str().unwrap();
    let passage = &text[start as usize..end as usize];
    assert!(passage.contains("thu thập dữ liệu dân cư"), "{passage}");

    // The police staff see neither the task nor the directive, exactly as if they did not exist.
    let staff = app.add_user("congan", Role::Agency, Some(&police_name));
    let (code, mine) = app.get_as(&staff, "/api/tasks").await;
    assert_eq!((code, mine), (200, json!([])));
    let (code, hidden) = app.get_as(&staff, &format!("/api/tasks/{police_id}")).await;
    let (_, missing) = app.get_as(&staff, "/api/tasks/999999").await;
    assert_eq!(code, 404);
    assert_eq!(
        hidden["error"]["code"], missing["error"]["code"],
        "{hidden} {missing}"
    );
    let (code, _) = app
        .get_as(&staff, &format!("/api/directives/{directive_id}"))
        .await;
    assert_eq!(code, 404);
    let (code, found) = app.get_as(&staff, "/api/search?q=15/UBND-KGVX").await;
    assert_eq!(code, 200, "{found}");
    assert_eq!(found["total"], 0, "search does not reveal it: {found}");
    // Nobody is reminded of it, even long after its deadline, and reports do not count it.
    let config = app.config.clone();
    let mailer = tracker::mailer_for(&config).unwrap();
    tracker::run_once(&app.store, &config, &mailer, at9(d(2024, 5, 20))).unwrap();
    assert_eq!(items_for(&app, police_id), Vec::<String>::new());
    let (code, report) = app
        .get("/api/reports/performance?from=2024-01-01&to=2099-12-31")
        .await;
    assert_eq!(code, 200, "{report}");
    assert_eq!(report["total"]["tasks"], 0, "{report}");
    // Agency staff cannot confirm; the clerk can.
    let (code, _) = app
        .post_json_as(
            &staff,
            &format!("/api/directives/{directive_id}/confirm"),
            &json!({}),
        )
        .await;
    assert_eq!(code, 403);
    let (code, confirmed) = app
        .post_json(
            &format!("/api/directives/{directive_id}/confirm"),
            &json!({}),
        )
        .await;
    assert_eq!(code, 200, "{confirmed}");
    assert_eq!(confirmed["awaiting_confirmation"], false);
    assert_eq!(status_of(&app, police_id).await, "assigned");
    let (code, again) = app
        .post_json(
            &format!("/api/directives/{directive_id}/confirm"),
            &json!({}),
        )
        .await;
    assert_eq!(code, 200, "confirming twice changes nothing: {again}");

    // Now the task is theirs, and it is chased.
    let (_, mine) = app.get_as(&staff, "/api/tasks").await;
    let mut ids: Vec<i64> = mine
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    let mut all: Vec<i64> = tasks.iter().map(|t| t["id"].as_i64().unwrap()).collect();
    all.sort_unstable();
    assert_eq!(ids, all, "the police lead one task and support the other");
    let (_, found) = app.get_as(&staff, "/api/search?q=15/UBND-KGVX").await;
    assert_eq!(found["total"], 1, "{found}");
    tracker::run_once(&app.store, &config, &mailer, at9(d(2024, 5, 20))).unwrap();
    assert!(!items_for(&app, police_id).is_empty());
    let (_, report) = app
        .get("/api/reports/performance?from=2024-01-01&to=2099-12-31")
        .await;
    assert_eq!(report["total"]["tasks"], 2, "{report}");
}

async fn administrators_set_the_reminder_policy_and_the_office_calendar(db: Db) {
    use dondoc::store::users::Role;
    let app = TestApp::spawn(db).await;
    // Due on Monday 15/4/2024.
    let id = register(
        &app,
        vec![task("Báo cáo tình hình an ninh.", Some(d(2024, 4, 15)))],
    )
    .await[0];
    let config = app.config.clone();
    let mailer = tracker::mailer_for(&config).unwrap();
    let policy = json!({
        "days_before": [3], "on_the_day": false, "overdue_every_days": 5,
        "escalate_after": 0, "leader_email": null, "fallback_email": "vanthu@example.gov.vn"
    });

    // Only administrators change it, and only to sensible values.
    let clerk = app.add_user("vanthu", Role::Clerk, None);
    let (code, _) = app
        .post_json_as(
            &clerk,
            "/api/calendar/days",
            &json!({"day": "2024-04-11", "working": false, "name": "Nghỉ"}),
        )
        .await;
    assert_eq!(code, 403);
    let (code, _) = app.get_as(&clerk, "/api/settings/reminders").await;
    assert_eq!(code, 403);
    for (field, bad) in [
        ("days_before", json!([0])),
        ("overdue_every_days", json!(0)),
        ("escalate_after", json!(99)),
        ("fallback_email", json!("không phải địa chỉ")),
    ] {
        let mut body = policy.clone();
        body[field] = bad;
        let response = app
            .server
            .put("/api/settings/reminders")
            .bearer_auth(&app.token)
            .send_json(&body)
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 400, "{field}");
    }
    let (_, before) = app.get("/api/settings/reminders").await;
    assert_eq!(
        before["days_before"],
        json!([7, 1]),
        "the configured default"
    );

    let (code, saved) = app.put_json("/api/settings/reminders", &policy).await;
    assert_eq!(code, 200, "{saved}");
    let (_, now) = app.get("/api/settings/reminders").await;
    assert_eq!(now, policy);

    // Three working days before Monday 15/4 is Wednesday 10/4: nothing is due on Tuesday 9/4.
    tracker::run_once(&app.store, &config, &mailer, at9(d(2024, 4, 9))).unwrap();
    assert_eq!(items_for(&app, id), Vec::<String>::new());
    // With Thursday 11/4 declared a day off, Tuesday is the third working day before.
    let (code, day) = app
        .post_json(
            "/api/calendar/days",
            &json!({"day": "2024-04-11", "working": false, "name": "Nghỉ bù"}),
        )
        .await;
    assert_eq!(code, 201, "{day}");
    let (code, bad) = app
        .post_json(
            "/api/calendar/days",
            &json!({"day": "2024-04-12", "working": false, "name": "  "}),
        )
        .await;
    assert_eq!(
        (code, bad["error"]["code"].clone()),
        (400, json!("invalid"))
    );
    let (_, days) = app.get("/api/calendar/days").await;
    assert_eq!(
        days,
        json!([{"day": "2024-04-11", "working": false, "name": "Nghỉ bù"}])
    );
    tracker::run_once(&app.store, &config, &mailer, at9(d(2024, 4, 9))).unwrap();
    assert_eq!(items_for(&app, id), vec!["before:3@2024-04-15".to_string()]);

    let response = app
        .server
        .delete("/api/calendar/days/2024-04-11")
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    let response = app
        .server
        .delete("/api/calendar/days/2024-04-11")
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400, "already removed");
    let (_, days) = app.get("/api/calendar/days").await;
    assert_eq!(days, json!([]));
}
