//! The incoming register: numbers without gaps or repeats, duplicates refused until confirmed,
//! cancellation keeping the number, and the same under concurrent registration.

use chrono::Datelike;
use diesel::prelude::*;
use dondoc::intake::{self, IncomingFile, Registration};
use dondoc::store::Store;
use dondoc::store::register::{self, RegisterFilter};
use serde_json::{Value, json};

use crate::helpers::{Db, TestApp};
use crate::on_both_backends;
use crate::tasks::DIRECTIVE;

on_both_backends!(
    numbers_follow_each_other_and_duplicates_wait_for_confirmation,
    two_clerks_registering_500_each_get_1000_consecutive_numbers,
);

/// Another directive: different number, issuer and text.
const OTHER: &str = "BỘ TƯ PHÁP\nSố: 210/BTP-VP\nHà Nội, ngày 12 tháng 3 năm 2024\nV/v rà soát văn bản quy phạm pháp luật\n\nKính gửi: Sở Tư pháp các tỉnh.\n\n1. Giao Sở Tư pháp chủ trì rà soát văn bản quy phạm pháp luật của địa phương, hoàn thành trước ngày 31/5/2024.\n\nNơi nhận:\n- Như trên;\n- Lưu: VT.\n\nBỘ TRƯỞNG\n\nTrần Văn Bình\n";

fn this_year() -> i32 {
    dondoc::tracker::local_day(dondoc::store::now()).year()
}

fn entry_of(directive: &Value) -> &Value {
    &directive["register_entry"]
}

fn numbers(app: &TestApp) -> Vec<i64> {
    app.store
        .read(|c| register::list(c, &RegisterFilter::default()))
        .unwrap()
        .into_iter()
        .map(|e| e.number)
        .collect()
}

fn dondoc(app: &TestApp, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_dondoc"))
        .args(args)
        .arg("--data-dir")
        .arg(&app.config.data_dir)
        .arg("--database-url")
        .arg(&app.config.database_url)
        .env_remove("DONDOC_CONFIG")
        .output()
        .expect("run dondoc")
}

async fn numbers_follow_each_other_and_duplicates_wait_for_confirmation(db: Db) {
    let app = TestApp::spawn(db).await;
    let year = this_year();
    let (status, first) = app
        .post_json("/api/directives", &json!({"text": DIRECTIVE}))
        .await;
    assert_eq!(status, 201, "{first}");
    let entry = entry_of(&first);
    assert_eq!(entry["number"], 1);
    assert_eq!(entry["year"], year);
    assert_eq!(entry["office"], app.config.office.name.as_str());
    assert_eq!(entry["doc_number"], "15/UBND-KGVX");
    assert_eq!(entry["doc_date"], "2024-03-05");
    assert_eq!(entry["directive_id"], first["id"]);
    assert!(entry["summary"].as_str().unwrap().contains("dịch vụ công"));
    let recipient = entry["recipient"].as_str().unwrap();
    assert!(recipient.contains("Công an tỉnh"), "{recipient}");
    assert_eq!(
        entry["received_on"],
        dondoc::tracker::local_day(dondoc::store::now()).to_string()
    );

    let (status, second) = app
        .post_json("/api/directives", &json!({"text": OTHER}))
        .await;
    assert_eq!(status, 201, "{second}");
    assert_eq!(entry_of(&second)["number"], 2);

    // The same text again, laid out differently: refused, nothing stored, no number used.
    let before = app.counts();
    let relaid = DIRECTIVE.replace('\n', "\r\n").replace(", ", ",  ");
    let (status, refused) = app
        .post_json("/api/directives", &json!({"text": relaid}))
        .await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["error"]["code"], "duplicate_directive");
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(message.contains(&format!("số đến 1/{year}")), "{message}");
    assert_eq!(app.counts(), before);

    // The same document (number, issuer, date) with another text, e.g. a scanned copy.
    let copy = DIRECTIVE.replace("rà soát, nâng cấp", "rà soát và nâng cấp");
    let (status, refused) = app
        .post_json("/api/directives", &json!({"text": copy}))
        .await;
    assert_eq!(status, 409, "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("1/{year}"))
    );
    assert_eq!(app.counts(), before);

    // A multipart upload of the same text is refused too, unless the form confirms it.
    let (status, refused) = app.upload("copy.txt", DIRECTIVE.as_bytes()).await;
    assert_eq!(status, 409, "{refused}");
    let confirmed = upload_confirmed(&app, "copy.txt", DIRECTIVE.as_bytes()).await;
    assert_eq!(confirmed.0, 201, "{}", confirmed.1);
    assert_eq!(entry_of(&confirmed.1)["number"], 3);
    let remarks = entry_of(&confirmed.1)["remarks"].as_str().unwrap();
    assert!(remarks.contains(&format!("1/{year}")), "{remarks}");

    // Confirmed in JSON.
    let (status, again) = app
        .post_json(
            "/api/directives",
            &json!({"text": copy, "confirm_duplicate": true}),
        )
        .await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(entry_of(&again)["number"], 4);
    assert_eq!(numbers(&app), vec![1, 2, 3, 4]);

    // Cancelling keeps the number and says why, in the entry and the audit log.
    let other_entry = entry_of(&second)["id"].as_i64().unwrap();
    let (status, missing) = app
        .post_json(
            &format!("/api/register/{other_entry}/cancel"),
            &json!({"reason": "  "}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(missing["error"]["code"], "missing_reason");
    let (status, cancelled) = app
        .post_json(
            &format!("/api/register/{other_entry}/cancel"),
            &json!({"reason": "Vào sổ nhầm văn bản"}),
        )
        .await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["number"], 2);
    assert!(cancelled["cancelled_at"].is_string());
    assert_eq!(cancelled["cancel_reason"], "Vào sổ nhầm văn bản");
    assert!(
        cancelled["remarks"]
            .as_str()
            .unwrap()
            .contains("Đã hủy: Vào sổ nhầm văn bản")
    );
    let audit = app
        .store
        .read(|c| dondoc::store::audit::for_entity(c, "register_entry", other_entry))
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(actions, ["register.enter", "register.cancel"]);
    assert!(audit[1].detail.contains("Vào sổ nhầm văn bản"));
    let (status, twice) = app
        .post_json(
            &format!("/api/register/{other_entry}/cancel"),
            &json!({"reason": "lần nữa"}),
        )
        .await;
    assert_eq!(status, 409, "{twice}");
    let (status, _) = app
        .post_json("/api/register/999999/cancel", &json!({"reason": "x"}))
        .await;
    assert_eq!(status, 404);

    // A cancelled entry does not make its document a duplicate: it can be registered again, with
    // the next number.
    let (status, renewed) = app
        .post_json("/api/directives", &json!({"text": OTHER}))
        .await;
    assert_eq!(status, 201, "{renewed}");
    assert_eq!(entry_of(&renewed)["number"], 5);

    // The register lists every number once, the cancelled one included.
    let (status, listed) = app.get("/api/register").await;
    assert_eq!(status, 200);
    let listed = listed.as_array().unwrap();
    let listed_numbers: Vec<i64> = listed
        .iter()
        .map(|e| e["number"].as_i64().unwrap())
        .collect();
    assert_eq!(listed_numbers, vec![1, 2, 3, 4, 5]);
    let (_, live) = app.get("/api/register?live_only=true").await;
    assert_eq!(live.as_array().unwrap().len(), 4);
    let (_, read) = app.get(&format!("/api/directives/{}", second["id"])).await;
    assert_eq!(
        read["register_entry"]["cancel_reason"],
        "Vào sổ nhầm văn bản"
    );
    let (_, other_year) = app.get(&format!("/api/register?year={}", year - 1)).await;
    assert_eq!(other_year, json!([]));

    // The command line sees the same register and cancels by number.
    let list = dondoc(&app, &["register", "list"]);
    assert!(
        list.status.success(),
        "{}",
        String::from_utf8_lossy(&list.stderr)
    );
    let text = String::from_utf8_lossy(&list.stdout);
    assert_eq!(text.lines().count(), 5, "{text}");
    assert!(
        text.contains(&format!("2/{year}")) && text.contains("ĐÃ HỦY"),
        "{text}"
    );
    let cancel = dondoc(
        &app,
        &["register", "cancel", "4", "--reason", "Bản sao trùng"],
    );
    assert!(
        cancel.status.success(),
        "{}",
        String::from_utf8_lossy(&cancel.stderr)
    );
    let unknown = dondoc(&app, &["register", "cancel", "40", "--reason", "x"]);
    assert!(!unknown.status.success());
    let entries = app
        .store
        .read(|c| register::list(c, &RegisterFilter::default()))
        .unwrap();
    assert_eq!(entries[3].cancel_reason.as_deref(), Some("Bản sao trùng"));
    assert_eq!(entries[3].registered_by, "admin");
    let audit = app
        .store
        .read(|c| dondoc::store::audit::for_entity(c, "register_entry", entries[3].id))
        .unwrap();
    assert_eq!(audit.last().unwrap().actor, "cli");

    // `dondoc ingest` numbers too, and refuses the duplicate unless confirmed.
    let path = app.config.data_dir.join("khac.txt");
    std::fs::write(&path, OTHER).unwrap();
    let refused = dondoc(&app, &["ingest", path.to_str().unwrap()]);
    assert!(!refused.status.success());
    let confirmed = dondoc(
        &app,
        &["ingest", "--confirm-duplicate", path.to_str().unwrap()],
    );
    assert!(
        confirmed.status.success(),
        "{}",
        String::from_utf8_lossy(&confirmed.stderr)
    );
    assert!(String::from_utf8_lossy(&confirmed.stderr).contains(&format!("số đến 6/{year}")));
    assert_eq!(numbers(&app), vec![1, 2, 3, 4, 5, 6]);
}

/// POSTs a multipart form with a `file` part and a `confirm_duplicate` field after it.
async fn upload_confirmed(app: &TestApp, file_name: &str, content: &[u8]) -> (u16, Value) {
    let boundary = "dondoc-test-boundary-confirm";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/plain\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(
        format!(
            "\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"confirm_duplicate\"\r\n\r\ntrue\r\n--{boundary}--\r\n"
        )
        .as_bytes(),
    );
    app.post_raw(
        "/api/directives",
        &format!("multipart/form-data; boundary={boundary}"),
        body,
    )
    .await
}

/// A small directive, different for every `n`.
fn small_directive(n: usize) -> String {
    format!(
        "ỦY BAN NHÂN DÂN\nTỈNH KIÊN GIANG\nSố: {n}/UBND-VP\nKiên Giang, ngày 05 tháng 3 năm 2026\nV/v công việc số {n}\n\n1. Giao Sở Tư pháp chủ trì thực hiện công việc số {n}, hoàn thành trước ngày 30/6/2026.\n"
    )
}

async fn two_clerks_registering_500_each_get_1000_consecutive_numbers(db: Db) {
    const EACH: usize = 500;
    let app = TestApp::spawn(db).await;
    let office = app.config.office.name.clone();
    let limits = app.config.limits.clone();
    let barrier = std::sync::Barrier::new(2);
    let results: Vec<Vec<i64>> = std::thread::scope(|scope| {
        let clerks: Vec<_> = (0..2)
            .map(|clerk| {
                // Each clerk has a connection pool of its own, as two server processes would.
                let store = Store::open(&app.config.database_url).unwrap();
                let (office, limits, barrier) = (&office, &limits, &barrier);
                scope.spawn(move || {
                    let registration = Registration::in_office(office);
                    barrier.wait();
                    (0..EACH)
                        .map(|i| {
                            let file = IncomingFile {
                                file_name: None,
                                content: small_directive(clerk * 10_000 + i).into_bytes(),
                            };
                            let view = intake::register(
                                &store,
                                &file,
                                limits,
                                &registration,
                                &format!("clerk{clerk}"),
                                None,
                            )
                            .unwrap();
                            view.register_entry.unwrap().number
                        })
                        .collect::<Vec<i64>>()
                })
            })
            .collect();
        clerks.into_iter().map(|c| c.join().unwrap()).collect()
    });
    for numbers in &results {
        assert_eq!(numbers.len(), EACH);
        // Each clerk sees its own numbers rise.
        assert!(numbers.windows(2).all(|w| w[0] < w[1]));
    }
    // The two clerks really interleaved.
    assert!(
        results[0].iter().any(|n| *n > results[1][0])
            && results[1].iter().any(|n| *n > results[0][0])
    );
    let mut all: Vec<i64> = results.concat();
    all.sort_unstable();
    assert_eq!(all, (1..=(2 * EACH) as i64).collect::<Vec<_>>());
    // And the database agrees: one entry per directive, numbers 1..=1000 exactly once.
    let stored = numbers(&app);
    assert_eq!(stored, (1..=(2 * EACH) as i64).collect::<Vec<_>>());
    let (directives, counter): (i64, i64) = app
        .store
        .read(|c| {
            use dondoc::store::schema::{directives, register_counters};
            Ok((
                directives::table.count().get_result(c)?,
                register_counters::table
                    .select(register_counters::last_number)
                    .first(c)?,
            ))
        })
        .unwrap();
    assert_eq!(directives, (2 * EACH) as i64);
    assert_eq!(counter, (2 * EACH) as i64);
}
