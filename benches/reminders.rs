//! Reminder scheduling benchmark: one pass over many open tasks, on SQLite (default) or PostgreSQL.
//!
//! `cargo bench --bench reminders` (REMINDER_BENCH_TASKS, default 100000). Two set-ups of the same
//! size are measured, each with the first pass of the day and a repeat pass:
//! - `spread`: deadlines spread over 60 days either side of the day of the pass;
//! - `overdue`: every task overdue, so every task has a reminder due in the first pass.
//!
//! With REMINDER_BENCH_POSTGRES=postgres://user@host:port the passes run on a PostgreSQL database
//! created for the run and dropped after it. Wall time and the CPU time of this process (the
//! scheduling pass runs on one thread) are reported; on PostgreSQL the server's own CPU time is not
//! included. Under `cargo test --all-targets` a small run only checks that it works.

use std::time::Instant;

use chrono::{Duration, NaiveDate};
use diesel::{AggregateExpressionMethods, Connection, QueryDsl, RunQueryDsl};
use dondoc::config::Config;
use dondoc::extract::{Document, Extraction, Task};
use dondoc::store::Store;
use dondoc::store::directives::{self, NewDirective};
use dondoc::store::schema::reminder_items;

/// CPU time used so far by all threads of this process, in seconds (Linux; `None` elsewhere).
fn cpu_seconds() -> Option<f64> {
    let mut nanos: u128 = 0;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let stat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        nanos += stat.split_whitespace().next()?.parse::<u128>().ok()?;
    }
    Some(nanos as f64 / 1e9)
}

/// A PostgreSQL database made for the run, dropped at the end.
struct PgDatabase {
    server: String,
    name: String,
}

impl PgDatabase {
    fn create(server: &str) -> Result<(PgDatabase, String), Box<dyn std::error::Error>> {
        let name = format!("dondoc_bench_{}", std::process::id());
        let mut admin = diesel::PgConnection::establish(&format!("{server}/postgres"))?;
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name}")).execute(&mut admin)?;
        diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin)?;
        let url = format!("{server}/{name}");
        Ok((
            PgDatabase {
                server: server.to_string(),
                name,
            },
            url,
        ))
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = diesel::PgConnection::establish(&format!("{}/postgres", self.server))
        {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut admin);
        }
    }
}

/// Stores `tasks` open tasks led by 300 agencies, with deadlines from `deadline(i)`, and runs the
/// first and a repeat pass of the day.
fn run(
    setup: &str,
    tasks: usize,
    postgres: Option<&str>,
    today: NaiveDate,
    deadline: impl Fn(usize) -> NaiveDate,
) -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let mut config = Config::for_data_dir(dir.path());
    let _pg = match postgres {
        Some(server) => {
            let (db, url) = PgDatabase::create(server)?;
            config.database_url = url;
            Some(db)
        }
        None => None,
    };
    let store = Store::open(&config.database_url)?;
    let extraction = Extraction {
        documents: vec![Document {
            tasks: (0..tasks)
                .map(|i| Task {
                    lead: vec![format!("Sở số {} tỉnh Thử Nghiệm", i % 300)],
                    text: format!("Nhiệm vụ thử nghiệm số {i}"),
                    deadline: Some(deadline(i)),
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
        "[{setup}] stored {tasks} open tasks in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let now = today.and_hms_opt(2, 0, 0).ok_or("time")?;
    for pass in [
        "first pass (writes the digests)",
        "second pass (nothing new)",
    ] {
        let cpu = cpu_seconds();
        let started = Instant::now();
        let outcome = dondoc::tracker::schedule(&store, &config, now)?;
        let wall = started.elapsed().as_secs_f64();
        let cpu = match (cpu, cpu_seconds()) {
            (Some(before), Some(after)) => format!("{:.3} s", after - before),
            _ => "n/a".to_string(),
        };
        println!(
            "[{setup}] {pass}: wall {wall:.3} s, CPU {cpu}, {} mails covering {} task reminders",
            outcome.mails, outcome.items
        );
    }
    let reminded: i64 = store.read(|c| {
        Ok(reminder_items::table
            .select(diesel::dsl::count(reminder_items::task_id).aggregate_distinct())
            .get_result(c)?)
    })?;
    println!("[{setup}] tasks with a reminder written: {reminded} of {tasks}");
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let measuring = std::env::args().any(|a| a == "--bench");
    let tasks: usize = std::env::var("REMINDER_BENCH_TASKS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if measuring { 100_000 } else { 1_000 });
    let postgres = std::env::var("REMINDER_BENCH_POSTGRES").ok();
    let postgres = postgres.as_deref().filter(|url| !url.is_empty());
    println!(
        "backend: {}",
        if postgres.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    // Wednesday 15/5/2024.
    let today = NaiveDate::from_ymd_opt(2024, 5, 15).ok_or("date")?;
    run("spread", tasks, postgres, today, |i| {
        today + Duration::days((i % 121) as i64 - 60)
    })?;
    // 7 to 60 days past: at least three working days overdue, so every task is reminded.
    run("overdue", tasks, postgres, today, |i| {
        today - Duration::days(7 + (i % 54) as i64)
    })?;
    Ok(())
}
