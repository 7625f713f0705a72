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
