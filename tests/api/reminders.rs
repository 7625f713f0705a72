//! Reminders over a simulated month, delivered to a real SMTP server started by the test.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use chrono::{NaiveDate, NaiveDateTime};
use dondoc::tracker::{self, outbox};
use mailin_embedded::{Handler, Response, Server, SslConfig, response};
use serde_json::json;

use crate::helpers::{Db, TestApp};
use crate::on_both_backends;
use crate::tasks::DIRECTIVE;

on_both_backends!(
    a_month_of_reminders_reaches_the_smtp_server_once_each,
    reminders_without_smtp_are_written_as_eml_files,
    cli_sets_agency_addresses_and_reminds_as_of_a_given_time,
);

/// A message as the SMTP server accepted it: envelope recipients, raw message.
type Accepted = (Vec<String>, Vec<u8>);

/// Collects every message the SMTP server accepts.
#[derive(Clone, Default)]
struct Sink {
    mails: Arc<Mutex<Vec<Accepted>>>,
    to: Vec<String>,
    current: Vec<u8>,
}

impl Handler for Sink {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.current.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let mail = (
            std::mem::take(&mut self.to),
            std::mem::take(&mut self.current),
        );
        self.mails.lock().unwrap().push(mail);
        response::OK
    }
}

/// Starts an SMTP server on `port` in a thread and waits until it answers.
fn start_smtp(port: u16, sink: Sink) {
    let mut server = Server::new(sink);
    server
        .with_name("localhost")
        .with_ssl(SslConfig::None)
        .unwrap()
        .with_addr(("127.0.0.1", port))
        .unwrap();
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("SMTP test server did not start on port {port}");
}

/// A port nothing listens on (yet).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A received mail, decoded.
#[derive(Debug, Clone)]
struct Mail {
    to: String,
    subject: String,
    text: String,
    html: String,
    message_id: String,
}

fn decode_base64(s: &str) -> Vec<u8> {
    use base64::Engine;
    let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(clean)
        .unwrap()
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?...?=`, `=?utf-8?q?...?=`) in a header value.
fn decode_header(value: &str) -> String {
    let mut bytes = Vec::new();
    let mut previous_encoded = false;
    for (i, token) in value.split_whitespace().enumerate() {
        let encoded = token
            .strip_prefix("=?")
            .and_then(|t| t.strip_suffix("?="))
            .and_then(|t| {
                let mut parts = t.splitn(3, '?');
                let _charset = parts.next()?;
                let encoding = parts.next()?.to_ascii_lowercase();
                let text = parts.next()?;
                Some(if encoding == "b" {
                    decode_base64(text)
                } else {
                    quoted_printable::decode(
                        text.replace('_', " "),
                        quoted_printable::ParseMode::Robust,
                    )
                    .unwrap()
                })
            });
        match encoded {
            Some(decoded) => {
                if i > 0 && !previous_encoded {
                    bytes.push(b' ');
                }
                bytes.extend(decoded);
                previous_encoded = true;
            }
            None => {
                if i > 0 {
                    bytes.push(b' ');
                }
                bytes.extend_from_slice(token.as_bytes());
                previous_encoded = false;
            }
        }
    }
    String::from_utf8(bytes).unwrap()
}

/// Headers (unfolded, names lower-cased) and body of a MIME entity.
fn split_entity(raw: &str) -> (BTreeMap<String, String>, String) {
    let raw = raw.replace("\r\n", "\n");
    let (head, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
    let unfolded = head.replace("\n ", " ").replace("\n\t", " ");
    let headers = unfolded
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (headers, body.to_string())
}

fn decode_part(headers: &BTreeMap<String, String>, body: &str) -> String {
    let encoding = headers
        .get("content-transfer-encoding")
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
    let bytes = match encoding.as_str() {
        "base64" => decode_base64(body),
        "quoted-printable" => {
            quoted_printable::decode(body, quoted_printable::ParseMode::Robust).unwrap()
        }
        _ => body.as_bytes().to_vec(),
    };
    String::from_utf8(bytes).unwrap()
}

fn parse_mail(to: &[String], raw: &[u8]) -> Mail {
    let raw = String::from_utf8(raw.to_vec()).unwrap();
    let (headers, body) = split_entity(&raw);
    let content_type = headers.get("content-type").cloned().unwrap_or_default();
    assert!(
        content_type.starts_with("multipart/alternative"),
        "{content_type}"
    );
    let boundary = content_type
        .split("boundary=")
        .nth(1)
        .unwrap()
        .trim_matches('"')
        .to_string();
    let mut text = String::new();
    let mut html = String::new();
    for part in body.split(&format!("--{boundary}")) {
        let (part_headers, part_body) = split_entity(part.trim_start_matches(['\r', '\n']));
        let kind = part_headers
            .get("content-type")
            .cloned()
            .unwrap_or_default();
        if kind.starts_with("text/plain") {
            text = decode_part(&part_headers, &part_body);
        } else if kind.starts_with("text/html") {
            html = decode_part(&part_headers, &part_body);
        }
    }
    assert_eq!(to.len(), 1, "{to:?}");
    Mail {
        to: to[0].clone(),
        subject: decode_header(&headers["subject"]),
        text,
        html,
        message_id: headers["message-id"].clone(),
    }
}

fn at(day: NaiveDate, hour_local: u32) -> NaiveDateTime {
    // Vietnamese time is UTC+7.
    day.and_hms_opt(hour_local - 7, 0, 0).unwrap()
}

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, m, day).unwrap()
}

/// Registers a directive with two tasks, stored as read (independent of text extraction): the police
/// lead a task due 15/4/2024, the information department one due 30/6/2024. Answers (directive id,
/// task A id, task B id, lead of A).
async fn register(app: &TestApp) -> (i64, i64, i64, String) {
    use dondoc::extract::{Document, Extraction, Task};
    use dondoc::store::directives::{self, NewDirective};
    let police = "Công an tỉnh".to_string();
    let extraction = Extraction {
        documents: vec![Document {
            kind: Some("Công văn".into()),
            number: Some("15/UBND-KGVX".into()),
            tasks: vec![
                Task {
                    lead: vec![police.clone()],
                    text: "Triển khai thu thập dữ liệu dân cư.".into(),
                    deadline: NaiveDate::from_ymd_opt(2024, 4, 15),
                    ..Task::default()
                },
                Task {
                    lead: vec!["Sở Thông tin và Truyền thông".into()],
                    support: vec![police.clone()],
                    text: "Rà soát, nâng cấp hệ thống dịch vụ công trực tuyến.".into(),
                    deadline: NaiveDate::from_ymd_opt(2024, 6, 30),
                    ..Task::default()
                },
            ],
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
    let (_, tasks) = app
        .get(&format!("/api/tasks?directive_id={directive_id}"))
        .await;
    let tasks = tasks.as_array().unwrap();
    assert_eq!(tasks.len(), 2);
    assert_eq!(tasks[0]["deadline"], "2024-04-15");
    assert_eq!(tasks[0]["lead"][0], police.as_str());
    (
        directive_id,
        tasks[0]["id"].as_i64().unwrap(),
        tasks[1]["id"].as_i64().unwrap(),
        police,
    )
}

async fn a_month_of_reminders_reaches_the_smtp_server_once_each(db: Db) {
    let app = TestApp::spawn(db).await;
    let (directive_id, task_a, task_b, police) = register(&app).await;
    // Task B: due Friday 19/4/2024, led by the police and by the Justice department (no address).
    let (status, changed) = app
        .patch_json(
            &format!("/api/tasks/{task_b}"),
            &json!({"deadline": "2024-04-19", "lead": [police, "Sở Tư pháp"]}),
        )
        .await;
    assert_eq!(status, 200, "{changed}");

    // Agency addresses through the API, with validation and an audit entry.
    let (_, agencies) = app.get("/api/agencies").await;
    let police_id = agencies
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == police.as_str())
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (status, error) = app
        .put_json(
            &format!("/api/agencies/{police_id}"),
            &json!({"email": "Công an tỉnh"}),
        )
        .await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(error["error"]["code"], "invalid_email");
    let (status, _) = app
        .put_json("/api/agencies/999999", &json!({"email": "x@example.org"}))
        .await;
    assert_eq!(status, 404);
    let (status, agency) = app
        .put_json(
            &format!("/api/agencies/{police_id}"),
            &json!({"email": " congan@kiengiang.gov.vn "}),
        )
        .await;
    assert_eq!(status, 200, "{agency}");
    assert_eq!(agency["email"], "congan@kiengiang.gov.vn");
    let audit = app
        .store
        .read(|c| dondoc::store::audit::for_entity(c, "agency", police_id))
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "agency.set_email");

    let port = free_port();
    let mut config = app.config.clone();
    config.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
    config.public_url = "https://dondoc.kiengiang.gov.vn/".into();
    config.reminders.leader_email = Some("lanhdao@kiengiang.gov.vn".into());
    let mailer = tracker::mailer_for(&config).unwrap();
    let sink = Sink::default();

    let mut received: Vec<(NaiveDate, Mail)> = Vec::new();
    let mut day = d(4, 1);
    while day <= d(5, 10) {
        if day == d(4, 8) {
            // The SMTP server comes back after an outage of the first week.
            start_smtp(port, sink.clone());
        }
        if day == d(4, 25) {
            let (status, _) = app
                .post_json(
                    &format!("/api/tasks/{task_a}/reports"),
                    &json!({"text": "Đã triển khai thu thập dữ liệu dân cư."}),
                )
                .await;
            assert_eq!(status, 201);
        }
        tracker::run_once(&app.store, &config, &mailer, at(day, 9)).unwrap();
        // The same day again: nothing new is decided or sent.
        let again = tracker::run_once(&app.store, &config, &mailer, at(day, 10)).unwrap();
        assert_eq!(again.scheduled.mails, 0, "{day}");
        let mails = sink.mails.lock().unwrap().clone();
        for (to, raw) in &mails[received.len()..] {
            received.push((day, parse_mail(to, raw)));
        }
        if day == d(4, 5) {
            // During the outage the reminder of 4/4 waits in the outbox with the error recorded.
            let rows = app.store.read(outbox::list).unwrap();
            assert_eq!(rows.len(), 1, "{rows:?}");
            assert_eq!(rows[0].status, "pending");
            assert!(rows[0].attempts >= 2, "{rows:?}");
            assert!(rows[0].last_error.is_some());
            assert!(received.is_empty());
        }
        day = day.succ_opt().unwrap();
    }

    // Who received what, per day: (day, recipient, number of tasks listed).
    let got: Vec<(NaiveDate, String, usize)> = received
        .iter()
        .map(|(day, m)| {
            (
                *day,
                m.to.clone(),
                m.text.matches("Xem và báo cáo:").count(),
            )
        })
        .collect();
    let police_mail = "congan@kiengiang.gov.vn";
    let clerk = "vanthu@localhost";
    let leader = "lanhdao@kiengiang.gov.vn";
    let mut expected = vec![
        (d(4, 8), police_mail, 1), // decided on 4/4 (7 working days before 15/4), sent after the outage
        (d(4, 9), police_mail, 1), // B: 7 working days before 19/4 (Giỗ Tổ 18/4 skipped)
        (d(4, 9), clerk, 1),
        (d(4, 12), police_mail, 1), // A: 1 working day before
        (d(4, 15), police_mail, 1), // A: on the day
        (d(4, 17), police_mail, 1), // B: 1 working day before (18/4 is a holiday)
        (d(4, 17), clerk, 1),
        (d(4, 19), police_mail, 2), // A overdue 1 and B on the day: one digest
        (d(4, 19), clerk, 1),
        (d(4, 24), police_mail, 2), // A overdue 2, B overdue 1
        (d(4, 24), clerk, 1),
        (d(4, 24), leader, 1), // A escalated after 2 overdue reminders
        // A was reported on 25/4: only B from now on. 30/4 and 1/5 are holidays.
        (d(4, 29), police_mail, 1),
        (d(4, 29), clerk, 1),
        (d(4, 29), leader, 1),
        (d(5, 6), police_mail, 1),
        (d(5, 6), clerk, 1),
        (d(5, 6), leader, 1),
        (d(5, 9), police_mail, 1),
        (d(5, 9), clerk, 1),
        (d(5, 9), leader, 1),
    ];
    let mut got_sorted = got.clone();
    got_sorted.sort();
    expected.sort();
    let expected: Vec<(NaiveDate, String, usize)> = expected
        .into_iter()
        .map(|(day, to, n)| (day, to.to_string(), n))
        .collect();
    assert_eq!(got_sorted, expected);

    // Each mail once: distinct Message-IDs, each that of an outbox row now marked sent.
    let rows = app.store.read(outbox::list).unwrap();
    assert_eq!(rows.len(), received.len());
    assert!(
        rows.iter()
            .all(|r| r.status == "sent" && r.sent_at.is_some())
    );
    let mut ids: Vec<&str> = received
        .iter()
        .map(|(_, m)| m.message_id.as_str())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), received.len());
    let stored_ids: Vec<String> = app
        .store
        .read(|c| {
            use diesel::prelude::*;
            use dondoc::store::schema::reminders;
            Ok(reminders::table
                .select(reminders::message_id)
                .load::<String>(c)?)
        })
        .unwrap();
    for id in &ids {
        assert!(stored_ids.iter().any(|s| s == id), "{id}");
    }
    let first = rows
        .iter()
        .find(|r| r.subject.contains("04/04/2024"))
        .unwrap();
    assert!(first.attempts >= 3, "{first:?}");

    // The contents: Vietnamese subject (decoded from RFC 2047), dates dd/mm/yyyy, links to the directive.
    let (_, both) = received
        .iter()
        .find(|(day, m)| *day == d(4, 19) && m.to == police_mail)
        .unwrap();
    assert!(
        both.subject.starts_with("[Nhắc việc] 2 nhiệm vụ"),
        "{}",
        both.subject
    );
    assert!(both.subject.contains("19/04/2024"), "{}", both.subject);
    assert!(
        both.text
            .contains("Hạn: 15/04/2024 — Quá hạn 3 ngày làm việc (nhắc lần 1)"),
        "{}",
        both.text
    );
    assert!(
        both.text.contains("Hạn: 19/04/2024 — Đến hạn hôm nay"),
        "{}",
        both.text
    );
    let link = format!("https://dondoc.kiengiang.gov.vn/directives/{directive_id}");
    assert!(both.text.contains(&link), "{}", both.text);
    assert!(both.html.contains(&format!("href=\"{link}\"")));
    let (_, fallback) = received.iter().find(|(_, m)| m.to == clerk).unwrap();
    assert!(
        fallback
            .subject
            .starts_with("[Chuyển tiếp: Sở Tư pháp chưa có địa chỉ e-mail]"),
        "{}",
        fallback.subject
    );
    assert!(fallback.text.contains("địa chỉ dự phòng"));
    let (_, escalation) = received.iter().find(|(_, m)| m.to == leader).unwrap();
    assert!(
        escalation.subject.starts_with("[Báo cáo lãnh đạo]"),
        "{}",
        escalation.subject
    );
    assert!(
        escalation.text.contains(&format!("Chủ trì: {police}")),
        "{}",
        escalation.text
    );

    // The digest rows record exactly which tasks and occasions they covered.
    let digest_19 = rows
        .iter()
        .find(|r| r.dedupe_key == format!("digest:agency:{police_id}:2024-04-19"))
        .unwrap();
    let items = app
        .store
        .read(|c| outbox::items_of(c, digest_19.id))
        .unwrap();
    let mut expected_items = vec![
        (
            task_a,
            format!("agency:{police_id}"),
            "overdue:1@2024-04-15".to_string(),
        ),
        (
            task_b,
            format!("agency:{police_id}"),
            "due@2024-04-19".to_string(),
        ),
    ];
    expected_items.sort();
    assert_eq!(items, expected_items);
}

async fn reminders_without_smtp_are_written_as_eml_files(db: Db) {
    let app = TestApp::spawn(db).await;
    register(&app).await;
    let config = app.config.clone();
    assert!(config.smtp_url.is_none());
    let mailer = tracker::mailer_for(&config).unwrap();
    // 15/4/2024 is task A's deadline; its lead has no address, so the clerk's fallback gets it.
    let outcome = tracker::run_once(&app.store, &config, &mailer, at(d(4, 15), 9)).unwrap();
    assert_eq!(outcome.scheduled.mails, 1);
    assert_eq!(outcome.delivered.sent, 1);
    let files: Vec<_> = std::fs::read_dir(config.data_dir.join("outbox"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    assert_eq!(files.len(), 1);
    let raw = std::fs::read(&files[0]).unwrap();
    let mail = parse_mail(&["vanthu@localhost".to_string()], &raw);
    assert!(
        mail.subject.contains("chưa có địa chỉ e-mail"),
        "{}",
        mail.subject
    );
    assert!(
        mail.text.contains("Hạn: 15/04/2024 — Đến hạn hôm nay"),
        "{}",
        mail.text
    );
    // A second pass the same day sends nothing more.
    let again = tracker::run_once(&app.store, &config, &mailer, at(d(4, 15), 16)).unwrap();
    assert_eq!(again.scheduled.mails + again.delivered.sent, 0);
}

fn dondoc(app: &TestApp, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_dondoc"))
        .args(args)
        .arg("--data-dir")
        .arg(&app.config.data_dir)
        .arg("--database-url")
        .arg(&app.config.database_url)
        .env_remove("DONDOC_CONFIG")
        .env_remove("DONDOC_SMTP_URL")
        .output()
        .expect("run dondoc")
}

async fn cli_sets_agency_addresses_and_reminds_as_of_a_given_time(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, _, _, police) = register(&app).await;
    let unknown = dondoc(
        &app,
        &["agency", "set-email", "Sở Không Có", "a@example.org"],
    );
    assert!(!unknown.status.success());
    let bad = dondoc(&app, &["agency", "set-email", &police, "không hợp lệ"]);
    assert!(!bad.status.success());
    let set = dondoc(
        &app,
        &["agency", "set-email", &police, "congan@kiengiang.gov.vn"],
    );
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let list = dondoc(&app, &["agency", "list"]);
    assert!(String::from_utf8_lossy(&list.stdout).contains("congan@kiengiang.gov.vn"));

    // Saturday 13/4/2024: a day off, nothing is decided.
    let idle = dondoc(&app, &["remind", "--at", "2024-04-13 09:00"]);
    assert!(
        idle.status.success(),
        "{}",
        String::from_utf8_lossy(&idle.stderr)
    );
    let outcome: serde_json::Value = serde_json::from_slice(&idle.stdout).unwrap();
    assert_eq!(outcome["scheduled"]["mails"], 0);
    // Monday 15/4/2024, the deadline of the police task.
    let run = dondoc(&app, &["remind", "--at", "2024-04-15T09:00"]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let outcome: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(outcome["scheduled"]["mails"], 1, "{outcome}");
    assert_eq!(outcome["delivered"]["sent"], 1, "{outcome}");
    let files: Vec<_> = std::fs::read_dir(app.config.data_dir.join("outbox"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    assert_eq!(files.len(), 1);
    let mail = parse_mail(
        &["congan@kiengiang.gov.vn".to_string()],
        &std::fs::read(&files[0]).unwrap(),
    );
    assert!(mail.subject.contains(&police), "{}", mail.subject);
    let bad_time = dondoc(&app, &["remind", "--at", "15/04/2024"]);
    assert!(!bad_time.status.success());
}
