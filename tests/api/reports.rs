//! Performance reports and exports: the figures of the JSON, XLSX and CSV answers checked against the
//! database, and the printable pages rendered by headless Chromium to PDF.

use std::collections::BTreeMap;
use std::path::Path;

use calamine::{Data, DataType, Reader, Xlsx};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use dondoc::extract::{Document, Extraction, Task};
use dondoc::store::directives::NewDirective;
use dondoc::store::register::{self, EntryOptions, RegisterEntry, RegisterFilter};
use dondoc::store::schema::{agencies, task_agencies, tasks};
use serde_json::Value;

use crate::helpers::{Db, TestApp};
use crate::on_both_backends;

on_both_backends!(report_figures_agree_with_the_database_in_every_format);

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn noon(day: NaiveDate) -> NaiveDateTime {
    day.and_hms_opt(5, 0, 0).unwrap()
}

/// A task to seed: leads, deadline, status, day done, day registered.
struct Seed {
    text: &'static str,
    lead: &'static [&'static str],
    deadline: Option<NaiveDate>,
    status: &'static str,
    done_on: Option<NaiveDate>,
    created: NaiveDate,
}

fn seeds() -> Vec<Vec<Seed>> {
    let jan5 = d(2026, 1, 5);
    let task = |text, lead, deadline, status, done_on| Seed {
        text,
        lead,
        deadline,
        status,
        done_on,
        created: jan5,
    };
    vec![
        vec![
            task(
                "Ban hành kế hoạch cải cách hành chính năm 2026.",
                &["Sở Tư pháp"],
                Some(d(2026, 2, 15)),
                "completed",
                Some(d(2026, 2, 10)),
            ),
            task(
                "Rà soát thủ tục hành chính liên thông.",
                &["Sở Tư pháp", "Sở Tài chính"],
                Some(d(2026, 2, 28)),
                "completed",
                Some(d(2026, 3, 10)),
            ),
            task(
                "Bố trí kinh phí chuyển đổi số.",
                &["Sở Tài chính"],
                Some(d(2026, 6, 30)),
                "in_progress",
                None,
            ),
            task(
                "Hoàn thành làm sạch dữ liệu dân cư.",
                &["Công an tỉnh"],
                Some(d(2026, 3, 1)),
                "assigned",
                None,
            ),
            task(
                "Cấp căn cước cho người dân vùng sâu.",
                &["Công an tỉnh"],
                Some(d(2026, 3, 20)),
                "completed",
                Some(d(2026, 4, 15)),
            ),
        ],
        vec![
            task(
                "Tổng hợp báo cáo quý I gửi Văn phòng Chính phủ.",
                &[],
                Some(d(2026, 3, 25)),
                "reported",
                None,
            ),
            task(
                "Tổng kết năm 2025.",
                &["Sở Tư pháp"],
                Some(d(2026, 1, 10)),
                "completed",
                Some(d(2025, 12, 20)),
            ),
            task(
                "Xây dựng đề án đã được thay thế.",
                &["Sở Tài chính"],
                Some(d(2026, 2, 1)),
                "cancelled",
                None,
            ),
            Seed {
                created: d(2026, 4, 10),
                ..task(
                    "Nhiệm vụ giao sau kỳ báo cáo.",
                    &["Sở Tư pháp"],
                    Some(d(2026, 5, 1)),
                    "assigned",
                    None,
                )
            },
        ],
    ]
}

/// Registers the seeded directives through the register (so they get incoming numbers), then sets
/// each task's status, day done and day registered. Answers the directive ids.
fn seed(app: &TestApp) -> Vec<i64> {
    let office = app.config.office.name.clone();
    let mut ids = Vec::new();
    for (n, group) in seeds().into_iter().enumerate() {
        let text = format!("Văn bản kiểm thử số {n}");
        let extraction = Extraction {
            documents: vec![Document {
                kind: Some("Kế hoạch".into()),
                number: Some(format!("{}/KH-UBND", n + 1)),
                issuer: Some("Ủy ban nhân dân tỉnh Kiên Giang".into()),
                issued_on: Some(d(2026, 1, 5)),
                subject: Some(format!("Triển khai nhiệm vụ trọng tâm, đợt {}", n + 1)),
                tasks: group
                    .iter()
                    .map(|s| Task {
                        lead: s.lead.iter().map(|l| l.to_string()).collect(),
                        text: s.text.into(),
                        deadline: s.deadline,
                        ..Task::default()
                    })
                    .collect(),
                text: text.clone(),
                ..Document::default()
            }],
        };
        let checksum = dondoc::intake::checksum(text.as_bytes());
        let new = NewDirective {
            file_name: None,
            content: text.as_bytes(),
            checksum: &checksum,
            source_format: "text",
            original_text: &text,
            repaired_text: &text,
            extraction: &extraction,
            actor: "test",
            registered_by: None,
            draft: false,
        };
        let options = EntryOptions {
            office: &office,
            ..EntryOptions::default()
        };
        let (id, _) = app
            .store
            .write(|c| register::register_directive(c, &new, &options))
            .unwrap();
        ids.push(id);
        app.store
            .write(|c| {
                for s in &group {
                    diesel::update(tasks::table.filter(tasks::text.eq(s.text)))
                        .set((
                            tasks::status.eq(s.status),
                            tasks::done_on.eq(s.done_on),
                            tasks::created_at.eq(noon(s.created)),
                        ))
                        .execute(c)?;
                }
                Ok(())
            })
            .unwrap();
    }
    ids
}

/// The four-way split of the first quarter of 2026, judged on 31/3/2026, worked out here from the
/// stored rows: per lead agency ("" for none) and in total, and the overdue tasks with days overdue.
struct Expected {
    per_agency: BTreeMap<String, [u32; 5]>,
    total: [u32; 5],
    overdue: Vec<(String, i64)>,
}

fn expected(app: &TestApp) -> Expected {
    let (from, to) = (d(2026, 1, 1), d(2026, 3, 31));
    type Row = (
        i64,
        String,
        Option<NaiveDate>,
        String,
        Option<NaiveDate>,
        NaiveDateTime,
    );
    let (rows, leads): (Vec<Row>, Vec<(i64, String)>) = app
        .store
        .read(|c| {
            Ok((
                tasks::table
                    .select((
                        tasks::id,
                        tasks::text,
                        tasks::deadline,
                        tasks::status,
                        tasks::done_on,
                        tasks::created_at,
                    ))
                    .load(c)?,
                task_agencies::table
                    .inner_join(agencies::table)
                    .filter(task_agencies::role.eq("lead"))
                    .select((task_agencies::task_id, agencies::name))
                    .load(c)?,
            ))
        })
        .unwrap();
    let mut out = Expected {
        per_agency: BTreeMap::new(),
        total: [0; 5],
        overdue: Vec::new(),
    };
    for (id, text, deadline, status, done_on, created_at) in rows {
        let created = dondoc::tracker::local_day(created_at);
        let finished_before = status == "completed" && done_on.is_some_and(|x| x < from);
        if status == "cancelled" || created > to || finished_before {
            continue;
        }
        let done = (status == "completed")
            .then_some(done_on)
            .flatten()
            .filter(|x| *x <= to);
        let column = match (done, deadline) {
            (Some(x), Some(limit)) if x > limit => 2,
            (Some(_), _) => 1,
            (None, Some(limit)) if limit < to => {
                out.overdue.push((text.clone(), (to - limit).num_days()));
                4
            }
            (None, _) => 3,
        };
        let mut names: Vec<String> = leads
            .iter()
            .filter(|(task, _)| *task == id)
            .map(|(_, name)| name.clone())
            .collect();
        if names.is_empty() {
            names.push(String::new());
        }
        for name in names {
            let line = out.per_agency.entry(name).or_default();
            line[0] += 1;
            line[column] += 1;
        }
        out.total[0] += 1;
        out.total[column] += 1;
    }
    out.overdue.sort_by_key(|t| std::cmp::Reverse(t.1));
    out
}

fn counts_of(v: &Value) -> [u32; 5] {
    [
        "tasks",
        "done_on_time",
        "done_late",
        "open_within_deadline",
        "open_overdue",
    ]
    .map(|k| v[k].as_u64().unwrap() as u32)
}

async fn get_bytes(app: &TestApp, path: &str) -> (u16, String, Vec<u8>) {
    let mut response = app
        .server
        .get(path)
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = response.body().limit(64 << 20).await.unwrap();
    (status, content_type, body.to_vec())
}

/// The rows of a worksheet below its heading row (the row whose first cell is `first_heading`).
fn sheet_rows(bytes: &[u8], sheet: &str, first_heading: &str) -> (Vec<String>, Vec<Vec<Data>>) {
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range(sheet).unwrap();
    let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
    let at = rows
        .iter()
        .position(|r| r.first().and_then(|c| c.get_string()) == Some(first_heading))
        .unwrap_or_else(|| panic!("no heading row in {sheet}: {rows:?}"));
    let headings = rows[at].iter().map(|c| c.to_string()).collect();
    let body = rows[at + 1..]
        .iter()
        .filter(|r| r.iter().any(|c| !matches!(c, Data::Empty)))
        .take_while(|r| r.len() > 1 && !matches!(r[1], Data::Empty))
        .cloned()
        .collect();
    (headings, body)
}

fn int(c: &Data) -> u32 {
    c.as_f64().unwrap() as u32
}

async fn report_figures_agree_with_the_database_in_every_format(db: Db) {
    let app = TestApp::spawn(db).await;
    let ids = seed(&app);
    let want = expected(&app);
    // The seed was built to fill every column: the checks below cannot pass on empty data.
    assert_eq!(want.total, [6, 1, 1, 1, 3], "seed changed?");
    assert_eq!(want.per_agency.len(), 4);

    // JSON.
    let base = "/api/reports/performance?from=2026-01-01&to=2026-03-31";
    let (status, report) = app.get(base).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["judged_on"], "2026-03-31");
    assert_eq!(counts_of(&report["total"]), want.total);
    let lines = report["agencies"].as_array().unwrap();
    assert_eq!(lines.len(), want.per_agency.len());
    for line in lines {
        let name = line["agency"].as_str().unwrap();
        let key = if name.starts_with('(') { "" } else { name };
        assert_eq!(
            Some(&counts_of(&line["counts"])),
            want.per_agency.get(key),
            "{name}"
        );
    }
    let overdue: Vec<(String, i64)> = report["overdue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["text"].as_str().unwrap().to_string(),
                t["days_overdue"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(overdue, want.overdue);

    // XLSX: the same figures in the cells.
    let (status, content_type, xlsx) = get_bytes(&app, &format!("{base}&format=xlsx")).await;
    assert_eq!(status, 200);
    assert!(content_type.contains("spreadsheetml"), "{content_type}");
    let (headings, rows) = sheet_rows(&xlsx, "Tổng hợp", "STT");
    assert_eq!(headings[3], "Hoàn thành đúng hạn");
    assert_eq!(headings[6], "Chưa hoàn thành, quá hạn");
    assert_eq!(rows.len(), want.per_agency.len() + 1, "{rows:?}");
    for row in &rows[..rows.len() - 1] {
        let name = row[1].to_string();
        let key = if name.starts_with('(') {
            String::new()
        } else {
            name.clone()
        };
        let cells: [u32; 5] = [
            int(&row[2]),
            int(&row[3]),
            int(&row[4]),
            int(&row[5]),
            int(&row[6]),
        ];
        assert_eq!(Some(&cells), want.per_agency.get(&key), "{name}");
        let done = f64::from(cells[1] + cells[2]) * 100.0 / f64::from(cells[0]);
        assert!((row[7].as_f64().unwrap() - done).abs() < 0.06);
    }
    let total = rows.last().unwrap();
    assert_eq!(total[1].to_string(), "Tổng cộng");
    assert_eq!(
        [
            int(&total[2]),
            int(&total[3]),
            int(&total[4]),
            int(&total[5]),
            int(&total[6])
        ],
        want.total
    );
    let (_, overdue_rows) = sheet_rows(&xlsx, "Nhiệm vụ quá hạn", "STT");
    let from_sheet: Vec<(String, i64)> = overdue_rows
        .iter()
        .map(|r| (r[1].to_string(), r[5].as_f64().unwrap() as i64))
        .collect();
    assert_eq!(from_sheet, want.overdue);

    // CSV: the per-agency table, then the overdue tasks.
    let (status, content_type, csv) = get_bytes(&app, &format!("{base}&format=csv")).await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/csv"));
    let csv = String::from_utf8(csv).unwrap();
    let csv = csv.strip_prefix('\u{feff}').expect("byte-order mark");
    let total_line = csv.lines().find(|l| l.starts_with(",Tổng cộng,")).unwrap();
    let figures: Vec<u32> = total_line
        .split(',')
        .skip(2)
        .take(5)
        .map(|x| x.parse().unwrap())
        .collect();
    assert_eq!(figures, want.total.to_vec());

    // One agency's report: its line only, the same figures.
    let (status, police) = app
        .get(&format!("{base}&agency=C%C3%B4ng%20an%20t%E1%BB%89nh"))
        .await;
    assert_eq!(status, 200, "{police}");
    assert_eq!(police["agencies"].as_array().unwrap().len(), 1);
    assert_eq!(
        Some(&counts_of(&police["total"])),
        want.per_agency.get("Công an tỉnh")
    );
    let (status, unknown) = app
        .get(&format!("{base}&agency=Kh%C3%B4ng%20c%C3%B3"))
        .await;
    assert_eq!(status, 404, "{unknown}");
    let (status, bad) = app
        .get("/api/reports/performance?from=2026-03-31&to=2026-01-01")
        .await;
    assert_eq!(status, 400);
    assert_eq!(bad["error"]["code"], "invalid_period");
    let (status, _) = app.get(&format!("{base}&format=pdf")).await;
    assert_eq!(status, 400);

    // One directive's tasks, as they stood on 31/3/2026, in every format.
    let first = ids[0];
    let (status, state) = app
        .get(&format!("/api/reports/directives/{first}?on=2026-03-31"))
        .await;
    assert_eq!(status, 200, "{state}");
    let stored: Vec<(String, Option<NaiveDate>)> = app
        .store
        .read(|c| {
            Ok(tasks::table
                .filter(tasks::directive_id.eq(first))
                .order(tasks::position.asc())
                .select((tasks::text, tasks::deadline))
                .load(c)?)
        })
        .unwrap();
    let listed: Vec<&str> = state["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed,
        stored.iter().map(|s| s.0.as_str()).collect::<Vec<_>>()
    );
    assert_eq!(state["directive"]["incoming"], format!("1/{}", this_year()));
    let standings: Vec<&str> = state["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["standing"].as_str().unwrap())
        .collect();
    assert_eq!(
        standings,
        [
            "done_on_time",
            "done_late",
            "open_within_deadline",
            "open_overdue",
            "open_overdue"
        ]
    );
    let (_, _, xlsx) = get_bytes(
        &app,
        &format!("/api/reports/directives/{first}?on=2026-03-31&format=xlsx"),
    )
    .await;
    let (_, rows) = sheet_rows(&xlsx, "Tình hình thực hiện", "STT");
    assert_eq!(rows.len(), stored.len());
    for (row, (text, deadline)) in rows.iter().zip(&stored) {
        assert_eq!(&row[1].to_string(), text);
        assert_eq!(row[4].as_date(), *deadline);
    }
    assert_eq!(rows[0][5].to_string(), "Hoàn thành đúng hạn");
    let (status, _) = app.get("/api/reports/directives/999999").await;
    assert_eq!(status, 404);

    // The register in XLSX: one row per entry, as stored.
    let entries: Vec<RegisterEntry> = app
        .store
        .read(|c| register::list(c, &RegisterFilter::default()))
        .unwrap();
    assert_eq!(entries.len(), 2);
    let (status, _, xlsx) = get_bytes(&app, "/api/register?format=xlsx").await;
    assert_eq!(status, 200);
    let (headings, rows) = sheet_rows(&xlsx, "Sổ đăng ký văn bản đến", "Ngày đến");
    assert_eq!(headings.len(), 9);
    assert_eq!(headings[5], "Tên loại và trích yếu nội dung");
    assert_eq!(rows.len(), entries.len());
    for (row, entry) in rows.iter().zip(&entries) {
        assert_eq!(row[0].as_date(), Some(entry.received_on));
        assert_eq!(row[1].as_f64(), Some(entry.number as f64));
        assert_eq!(Some(row[2].to_string()), entry.issuer);
        assert_eq!(Some(row[3].to_string()), entry.doc_number);
        assert_eq!(row[4].as_date(), entry.doc_date);
    }
    let (_, _, csv) = get_bytes(&app, "/api/register?format=csv").await;
    let csv = String::from_utf8(csv).unwrap();
    assert_eq!(csv.lines().count(), 1 + entries.len());
    assert!(csv.lines().nth(1).unwrap().contains("1/KH-UBND"));

    // The command line writes the same workbook.
    let out = app.config.data_dir.join("q1.xlsx");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_dondoc"))
        .args([
            "report",
            "performance",
            "--from",
            "2026-01-01",
            "--to",
            "2026-03-31",
        ])
        .args(["--format", "xlsx", "--output"])
        .arg(&out)
        .arg("--data-dir")
        .arg(&app.config.data_dir)
        .arg("--database-url")
        .arg(&app.config.database_url)
        .env_remove("DONDOC_CONFIG")
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let (_, rows) = sheet_rows(&std::fs::read(&out).unwrap(), "Tổng hợp", "STT");
    let total = rows.last().unwrap();
    assert_eq!(int(&total[2]), want.total[0]);
    assert_eq!(int(&total[6]), want.total[4]);
}

fn this_year() -> i32 {
    use chrono::Datelike;
    dondoc::tracker::local_day(dondoc::store::now()).year()
}

/// Prints an HTML file to PDF with headless Chromium.
fn print_to_pdf(html: &Path, pdf: &Path) {
    let profile = tempfile::tempdir().unwrap();
    let output = std::process::Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("chromium is needed for this test (scripts/test installs it)");
    assert!(
        pdf.is_file(),
        "no PDF: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn pdf_text(pdf: &Path, page: Option<usize>) -> String {
    let mut command = std::process::Command::new("pdftotext");
    if let Some(page) = page {
        command.args(["-f", &page.to_string(), "-l", &page.to_string()]);
    }
    let out = command.arg(pdf).arg("-").output().expect("pdftotext");
    assert!(out.status.success());
    // Table cells wrap: compare with white space collapsed.
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn pdf_info(pdf: &Path) -> (usize, f64, f64) {
    let out = std::process::Command::new("pdfinfo")
        .arg(pdf)
        .output()
        .expect("pdfinfo");
    let text = String::from_utf8(out.stdout).unwrap();
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(str::trim)
            .unwrap_or_else(|| panic!("{name} in {text}"))
            .to_string()
    };
    let pages = field("Pages:").parse().unwrap();
    let size = field("Page size:");
    let mut numbers = size
        .split_whitespace()
        .filter_map(|w| w.parse::<f64>().ok());
    (pages, numbers.next().unwrap(), numbers.next().unwrap())
}

#[actix_web::test]
async fn printable_pages_print_on_a4_with_the_national_heading_on_every_page() {
    let app = TestApp::spawn(Db::Sqlite).await;
    seed(&app);
    // Enough entries for several pages.
    let office = app.config.office.name.clone();
    app.store
        .write(|c| {
            for n in 0..60 {
                let text = format!("Công văn kiểm thử in số {n}");
                let extraction = Extraction {
                    documents: vec![Document {
                        kind: Some("Công văn".into()),
                        number: Some(format!("{}/STP-VP", 100 + n)),
                        issuer: Some("Sở Tư pháp tỉnh Kiên Giang".into()),
                        issued_on: Some(d(2026, 2, 1)),
                        subject: Some(format!("V/v báo cáo chuyên đề số {n} về công tác pháp chế, theo dõi thi hành pháp luật")),
                        text: text.clone(),
                        ..Document::default()
                    }],
                };
                let checksum = dondoc::intake::checksum(text.as_bytes());
                let new = NewDirective {
                    file_name: None,
                    content: text.as_bytes(),
                    checksum: &checksum,
                    source_format: "text",
                    original_text: &text,
                    repaired_text: &text,
                    extraction: &extraction,
                    actor: "test",
                    registered_by: None,
                    draft: false,
                };
                let options = EntryOptions {
                    office: &office,
                    recipient: Some("Phòng Tổng hợp"),
                    ..EntryOptions::default()
                };
                register::register_directive(c, &new, &options)?;
            }
            Ok(())
        })
        .unwrap();
    let dir = tempfile::tempdir().unwrap();

    let (status, content_type, html) = get_bytes(&app, "/api/register?format=html").await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/html"));
    let page = dir.path().join("so-den.html");
    std::fs::write(&page, &html).unwrap();
    let pdf = dir.path().join("so-den.pdf");
    print_to_pdf(&page, &pdf);
    let (pages, width, height) = pdf_info(&pdf);
    assert!(pages >= 2, "{pages} pages");
    // A4 across: 842 x 595 points.
    assert!(
        (width - 841.9).abs() < 2.0 && (height - 595.3).abs() < 2.0,
        "{width} x {height}"
    );
    let first = pdf_text(&pdf, Some(1));
    for heading in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN",
        "VĂN PHÒNG",
        ", ngày ",
    ] {
        assert!(
            first.contains(heading),
            "{heading} missing from page 1:\n{first}"
        );
    }
    // The column headings are repeated on every page.
    for n in 1..=pages {
        let text = pdf_text(&pdf, Some(n));
        for heading in ["Ngày đến", "Số đến", "Tác giả", "Ghi chú"] {
            assert!(
                text.contains(heading),
                "{heading} missing from page {n}:\n{text}"
            );
        }
    }
    // Every entry is printed.
    let all = pdf_text(&pdf, None);
    for n in 0..60 {
        assert!(
            all.contains(&format!("{}/STP-VP", 100 + n)),
            "entry {n} missing"
        );
    }

    // The performance report prints with its table headings, figures and overdue tasks.
    let (status, _, html) = get_bytes(
        &app,
        "/api/reports/performance?from=2026-01-01&to=2026-03-31&format=html",
    )
    .await;
    assert_eq!(status, 200);
    let page = dir.path().join("bao-cao.html");
    std::fs::write(&page, &html).unwrap();
    let pdf = dir.path().join("bao-cao.pdf");
    print_to_pdf(&page, &pdf);
    let (pages, width, height) = pdf_info(&pdf);
    assert!(pages >= 1);
    assert!(width > height);
    let text = pdf_text(&pdf, None);
    for needle in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "BÁO CÁO TÌNH HÌNH THỰC HIỆN NHIỆM VỤ",
        "Đơn vị chủ trì",
        "Tổng cộng",
        "Công an tỉnh",
        "Hoàn thành làm sạch dữ liệu dân cư.",
    ] {
        assert!(text.contains(needle), "{needle} missing:\n{text}");
    }
}
