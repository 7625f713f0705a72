//! Registering directives and reading them back.

use serde_json::{Value, json};

use crate::helpers::{Db, TestApp, samples, task_count};
use crate::on_both_backends;

on_both_backends!(
    samples_register_as_json_and_read_back_identical_after_restart,
    upload_keeps_the_original_file,
    pdf_uploads_are_read_and_encrypted_ones_refused,
    cli_ingest_stores_what_the_api_reads,
    directives_are_listed_and_filtered,
    concurrent_registrations_all_succeed,
    health_and_openapi_answer,
);

async fn samples_register_as_json_and_read_back_identical_after_restart(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut stored = Vec::new();
    for path in samples() {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let (status, body) = app
            .post_json(
                "/api/directives",
                &json!({"text": text, "file_name": name, "confirm_duplicate": true}),
            )
            .await;
        assert_eq!(status, 201, "{name}: {body}");
        let id = body["id"].as_i64().expect("id");
        assert!(
            !body["documents"].as_array().unwrap().is_empty(),
            "{name}: no documents"
        );
        assert_eq!(body["original_text"].as_str(), Some(text.as_str()));
        let (status, read) = app.get(&format!("/api/directives/{id}")).await;
        assert_eq!(status, 200);
        assert_eq!(
            read, body,
            "{name}: read-back differs from the registration answer"
        );
        stored.push((id, body));
    }
    // The clean forwarding letter and its notice: two documents, with tasks.
    let clean = &stored[1].1;
    assert_eq!(
        clean["documents"].as_array().unwrap().len(),
        2,
        "the clean sample holds two documents"
    );
    assert!(task_count(clean) > 0, "no tasks read from the clean sample");

    let app = app.restart().await;
    for (id, body) in &stored {
        let (status, read) = app.get(&format!("/api/directives/{id}")).await;
        assert_eq!(status, 200);
        assert!(&read == body, "directive {id} changed across a restart");
    }
    let (_, tasks) = app.get("/api/tasks?limit=1000").await;
    let total: usize = stored.iter().map(|(_, b)| task_count(b)).sum();
    assert_eq!(tasks.as_array().unwrap().len(), total);
}

async fn upload_keeps_the_original_file(db: Db) {
    let app = TestApp::spawn(db).await;
    let path = &samples()[1];
    let bytes = std::fs::read(path).unwrap();
    let (status, body) = app.upload("2044-VP-KGVX.txt", &bytes).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["file_name"], "2044-VP-KGVX.txt");
    let id = body["id"].as_i64().unwrap();
    let mut response = app
        .server
        .get(format!("/api/directives/{id}/file"))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let downloaded = response.body().limit(64 << 20).await.unwrap();
    assert_eq!(downloaded.as_ref(), bytes.as_slice());
    // The same file again is a duplicate in the register: refused until the clerk confirms it, then
    // a second directive sharing one stored copy of the file.
    let (status, refused) = app.upload("copy.txt", &bytes).await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["error"]["code"], "duplicate_directive");
    let text = String::from_utf8(bytes.clone()).unwrap();
    let (status, again) = app
        .post_json(
            "/api/directives",
            &json!({"text": text, "file_name": "copy.txt", "confirm_duplicate": true}),
        )
        .await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again["checksum"], body["checksum"]);
    let counts = app.counts();
    assert!(counts.contains(&("files".to_string(), 1)), "{counts:?}");
    assert!(
        counts.contains(&("directives".to_string(), 2)),
        "{counts:?}"
    );
}

async fn cli_ingest_stores_what_the_api_reads(db: Db) {
    let app = TestApp::spawn(db).await;
    let files = samples();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_dondoc"))
        .arg("ingest")
        .args(&files)
        .arg("--data-dir")
        .arg(&app.config.data_dir)
        .arg("--database-url")
        .arg(&app.config.database_url)
        .env_remove("DONDOC_CONFIG")
        .output()
        .expect("run dondoc ingest");
    assert!(
        output.status.success(),
        "ingest failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let (status, list) = app.get("/api/directives").await;
    assert_eq!(status, 200);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), files.len());
    for summary in list {
        let id = summary["id"].as_i64().unwrap();
        let (status, directive) = app.get(&format!("/api/directives/{id}")).await;
        assert_eq!(status, 200);
        let name = directive["file_name"].as_str().unwrap();
        let path = files
            .iter()
            .find(|p| p.ends_with(name))
            .expect("file name kept");
        let text = std::fs::read_to_string(path).unwrap();
        assert_eq!(directive["original_text"].as_str(), Some(text.as_str()));
        // What the API reads is what the same text registers as through the API.
        let (_, again) = app
            .post_json(
                "/api/directives",
                &json!({"text": text, "file_name": name, "confirm_duplicate": true}),
            )
            .await;
        assert_eq!(
            strip_ids(&again["documents"]),
            strip_ids(&directive["documents"])
        );
    }
}

/// A document list without ids and timestamps, to compare two registrations of one text.
fn strip_ids(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| {
                    !matches!(
                        k.as_str(),
                        "id" | "directive_id"
                            | "document_id"
                            | "series_id"
                            | "created_at"
                            | "updated_at"
                    )
                })
                .map(|(k, v)| (k.clone(), strip_ids(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(strip_ids).collect()),
        other => other.clone(),
    }
}

async fn directives_are_listed_and_filtered(db: Db) {
    let app = TestApp::spawn(db).await;
    for path in samples() {
        let text = std::fs::read_to_string(&path).unwrap();
        let (status, _) = app
            .post_json("/api/directives", &json!({"text": text}))
            .await;
        assert_eq!(status, 201);
    }
    let (status, all) = app.get("/api/directives").await;
    assert_eq!(status, 200);
    assert_eq!(all.as_array().unwrap().len(), 3);
    let (_, limited) = app.get("/api/directives?limit=1&offset=1").await;
    assert_eq!(limited.as_array().unwrap().len(), 1);
    assert_eq!(limited[0]["id"], all[1]["id"]);
    let (_, by_number) = app.get("/api/directives?number=60/TB-VPCP").await;
    let by_number = by_number.as_array().unwrap();
    assert_eq!(by_number.len(), 1, "{by_number:?}");
    let (_, none) = app.get("/api/directives?issued_from=2099-01-01").await;
    assert_eq!(none.as_array().unwrap().len(), 0);
    let (_, percent) = app.get("/api/directives?issuer=%25").await;
    assert_eq!(
        percent.as_array().unwrap().len(),
        0,
        "LIKE wildcards are matched literally"
    );
}

async fn concurrent_registrations_all_succeed(db: Db) {
    let app = TestApp::spawn(db).await;
    let text = std::fs::read_to_string(&samples()[1]).unwrap();
    let app = &app;
    let text = &text;
    let requests = |confirm: bool| {
        (0..16).map(move |i| {
            let body = json!({
                "text": text,
                "file_name": format!("copy-{i}.txt"),
                "confirm_duplicate": confirm,
            });
            async move { app.post_json("/api/directives", &body).await }
        })
    };
    // Sixteen clerks register the same directive at once: one entry is made, the others are told
    // it is a duplicate.
    let answers = futures_util::future::join_all(requests(false)).await;
    let created: Vec<&serde_json::Value> = answers
        .iter()
        .filter(|(status, _)| *status == 201)
        .map(|(_, body)| body)
        .collect();
    assert_eq!(created.len(), 1, "{answers:?}");
    for (status, body) in answers.iter().filter(|(status, _)| *status != 201) {
        assert_eq!(*status, 409, "{body}");
        assert_eq!(body["error"]["code"], "duplicate_directive");
    }
    // Confirmed, all sixteen are registered, with the next sixteen numbers.
    let answers = futures_util::future::join_all(requests(true)).await;
    let mut numbers = Vec::new();
    for (status, body) in &answers {
        assert_eq!(*status, 201, "{body}");
        numbers.push(body["register_entry"]["number"].as_i64().unwrap());
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (2..=17).collect::<Vec<i64>>());
    let (_, list) = app.get("/api/directives?limit=100").await;
    assert_eq!(list.as_array().unwrap().len(), 17);
}

async fn health_and_openapi_answer(db: Db) {
    let app = TestApp::spawn(db).await;
    let (status, health) = app.get("/api/health").await;
    assert_eq!(status, 200);
    assert_eq!(health["status"], "ok");
    let expected = match db {
        Db::Sqlite => "sqlite",
        Db::Postgres => "postgres",
    };
    assert_eq!(health["backend"], expected);
    let (status, spec) = app.get("/api/openapi.json").await;
    assert_eq!(status, 200);
    for path in ["/api/directives", "/api/tasks/{id}/reports", "/api/tasks"] {
        assert!(
            spec["paths"][path].is_object(),
            "{path} missing from OpenAPI"
        );
    }
}

async fn pdf_uploads_are_read_and_encrypted_ones_refused(db: Db) {
    let app = TestApp::spawn(db).await;
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/parse");
    let pdf = std::fs::read(fixtures.join("text.pdf")).unwrap();
    let (status, body) = app.upload("directive.pdf", &pdf).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["source_format"], "pdf");
    assert!(
        body["repaired_text"]
            .as_str()
            .unwrap()
            .contains("Hạnh phúc"),
        "the text layer was not read"
    );
    let before = app.counts();
    let encrypted = std::fs::read(fixtures.join("encrypted.pdf")).unwrap();
    let (status, body) = app.upload("secret.pdf", &encrypted).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "encrypted_file");
    assert_eq!(app.counts(), before);
}
