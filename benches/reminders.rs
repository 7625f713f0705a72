//! Reminder scheduling benchmark: one pass over many open tasks on SQLite.
//! `cargo bench --bench reminders` (REMINDER_BENCH_TASKS, default 100000); under
//! `cargo test --all-targets` a small run only checks that it works.

use std::time::Instant;

use chrono::{Duration, NaiveDate};
use dondoc::config::Config;
use dondoc::extract::{Document, Extraction, Task};
use dondoc::store::Store;
use dondoc::store::directives::{self, NewDirective};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let measuring = std::env::args().any(|a| a == "--bench");
    let tasks: usize = std::env::var("REMINDER_BENCH_TASKS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if measuring { 100_000 } else { 1_000 });
    let dir = tempfile::tempdir()?;
    let config = Config::for_data_dir(dir.path());
    let store = Store::open(&config.database_url)?;

    let today = NaiveDate::from_ymd_opt(2024, 5, 15).ok_or("date")?;
    let extraction = Extraction {
        documents: vec![Document {
            tasks: (0..tasks)
                .map(|i| Task {
                    lead: vec![format!("Sở số {} tỉnh Thử Nghiệm", i % 300)],
                    text: format!("Nhiệm vụ thử nghiệm số {i}"),
                    deadline: Some(today + Duration::days((i % 121) as i64 - 60)),
                    ..Task::default()
                })
                .collect(),
            ..Document::default()
        }],
    };
    let started = Instant::now();
    store.write(|c| {
        directives::insert(
            c,
            &NewDirective {
                file_name: None,
                content: b"bench",
                checksum: "bench",
                source_format: "text",
                original_text: "",
                repaired_text: "",
                extraction: &extraction,
                actor: "bench",
                registered_by: None,
                draft: false,
            },
        )
    })?;
    println!(
        "stored {tasks} open tasks in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let now = today.and_hms_opt(2, 0, 0).ok_or("time")?;
    for pass in [
        "first pass (writes the digests)",
        "second pass (nothing new)",
    ] {
        let started = Instant::now();
        let outcome = dondoc::tracker::schedule(&store, &config, now)?;
        println!(
            "{pass}: {:.3} s, {} mails covering {} task reminders",
            started.elapsed().as_secs_f64(),
            outcome.mails,
            outcome.items
        );
    }
    Ok(())
}
