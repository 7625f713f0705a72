//! `dondoc register ...` (the incoming register) and `dondoc report ...` (performance reports).

use std::io::Write;
use std::path::PathBuf;

use chrono::{Datelike, NaiveDate};
use clap::{Subcommand, ValueEnum};

use super::CliError;
use crate::config::Config;
use crate::reports::export::{self, ExportFile, ExportFormat, Letterhead};
use crate::reports::{Period, Scope, query};
use crate::store::Store;
use crate::store::register::{self, RegisterFilter};
use crate::tracker::local_day;

/// File formats of the exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum FileFormat {
    Json,
    Csv,
    Xlsx,
    Html,
}

impl From<FileFormat> for ExportFormat {
    fn from(f: FileFormat) -> Self {
        match f {
            FileFormat::Json => ExportFormat::Json,
            FileFormat::Csv => ExportFormat::Csv,
            FileFormat::Xlsx => ExportFormat::Xlsx,
            FileFormat::Html => ExportFormat::Html,
        }
    }
}

/// Which entries of the register.
#[derive(Debug, Clone, clap::Args)]
pub(super) struct Entries {
    /// Year of the sequence. [default: this year, unless --from or --to is given]
    #[arg(long)]
    year: Option<i32>,
    /// Received on or after this day (2026-01-01).
    #[arg(long)]
    from: Option<NaiveDate>,
    /// Received on or before this day.
    #[arg(long)]
    to: Option<NaiveDate>,
    /// Office whose register it is. [default: the configured office name]
    #[arg(long)]
    office: Option<String>,
    /// Leave out cancelled entries.
    #[arg(long)]
    live_only: bool,
}

impl Entries {
    fn filter(&self, config: &Config, today: NaiveDate) -> RegisterFilter {
        let year = match (self.year, self.from, self.to) {
            (None, None, None) => Some(today.year()),
            (year, _, _) => year,
        };
        RegisterFilter {
            office: Some(
                self.office
                    .clone()
                    .unwrap_or_else(|| config.office.name.clone()),
            ),
            year,
            from: self.from,
            to: self.to,
            live_only: self.live_only,
            limit: None,
            offset: None,
        }
    }
}

/// Where an export goes.
#[derive(Debug, Clone, clap::Args)]
pub(super) struct Output {
    /// File format.
    #[arg(long, value_enum, default_value_t = FileFormat::Json)]
    format: FileFormat,
    /// File to write (standard output when absent, except for xlsx).
    #[arg(long)]
    output: Option<PathBuf>,
}

impl Output {
    fn write(&self, file: &ExportFile) -> Result<(), CliError> {
        match &self.output {
            Some(path) => {
                std::fs::write(path, &file.bytes).map_err(|source| CliError::Read {
                    path: path.clone(),
                    source,
                })?;
                eprintln!("{} written ({} bytes)", path.display(), file.bytes.len());
            }
            None if self.format == FileFormat::Xlsx => {
                return Err(CliError::Invalid(
                    "--format xlsx needs --output FILE".to_string(),
                ));
            }
            None => {
                let mut out = std::io::stdout().lock();
                out.write_all(&file.bytes)?;
                out.flush()?;
            }
        }
        Ok(())
    }
}

/// `dondoc register ...`.
#[derive(Debug, Subcommand)]
pub(super) enum RegisterCommand {
    /// List the incoming register ("sổ đăng ký văn bản đến") in number order.
    List {
        #[command(flatten)]
        entries: Entries,
        /// Print JSON instead of lines.
        #[arg(long)]
        json: bool,
    },
    /// Export the register as XLSX, CSV, JSON or a printable page.
    Export {
        #[command(flatten)]
        entries: Entries,
        #[command(flatten)]
        output: Output,
    },
    /// Cancel an entry: it keeps its number, its remarks say why.
    Cancel {
        /// The incoming number ("số đến").
        number: i64,
        /// Year of the sequence. [default: this year]
        #[arg(long)]
        year: Option<i32>,
        /// Office whose register it is. [default: the configured office name]
        #[arg(long)]
        office: Option<String>,
        /// Why it is cancelled.
        #[arg(long)]
        reason: String,
    },
}

/// `dondoc report ...`.
#[derive(Debug, Subcommand)]
pub(super) enum ReportCommand {
    /// Tasks of a period per lead agency and in total: done on time, done late, open within the
    /// deadline, open overdue; and the overdue tasks.
    Performance {
        /// First day of the period (2026-01-01).
        #[arg(long)]
        from: NaiveDate,
        /// Last day of the period (2026-03-31).
        #[arg(long)]
        to: NaiveDate,
        /// Only the tasks this agency leads (full name).
        #[arg(long, conflicts_with = "directive")]
        agency: Option<String>,
        /// Only the tasks of this directive (id).
        #[arg(long)]
        directive: Option<i64>,
        #[command(flatten)]
        output: Output,
    },
    /// The state of every task of one directive ("tình hình thực hiện").
    Directive {
        /// The directive's id.
        id: i64,
        /// As things stood on this day. [default: today]
        #[arg(long)]
        on: Option<NaiveDate>,
        #[command(flatten)]
        output: Output,
    },
}

fn today() -> NaiveDate {
    local_day(crate::store::now())
}

/// Runs a register command.
pub(super) fn register(
    store: &Store,
    config: &Config,
    what: RegisterCommand,
) -> Result<(), CliError> {
    let today = today();
    match what {
        RegisterCommand::List { entries, json } => {
            let filter = entries.filter(config, today);
            let list = store.read(|c| register::list(c, &filter))?;
            let mut out = std::io::stdout().lock();
            if json {
                serde_json::to_writer_pretty(&mut out, &list)?;
                writeln!(out)?;
                return Ok(());
            }
            let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
            for e in &list {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}{}",
                    e.label(),
                    e.received_on.format("%d/%m/%Y"),
                    show(&e.doc_number),
                    show(&e.issuer),
                    e.kind_and_summary(),
                    match &e.cancel_reason {
                        Some(reason) => format!("\t[ĐÃ HỦY: {reason}]"),
                        None => String::new(),
                    }
                )?;
            }
            Ok(())
        }
        RegisterCommand::Export { entries, output } => {
            let filter = entries.filter(config, today);
            let list = store.read(|c| register::list(c, &filter))?;
            let (span, stem) = export::register_span(&filter);
            let doc = export::register_document(&list, &span, &stem);
            let head = Letterhead::new(&config.office, today);
            output.write(&export::render(output.format.into(), &list, &doc, &head)?)
        }
        RegisterCommand::Cancel {
            number,
            year,
            office,
            reason,
        } => {
            if reason.trim().is_empty() {
                return Err(CliError::Invalid("--reason must not be empty".into()));
            }
            let office = office.unwrap_or_else(|| config.office.name.clone());
            let year = year.unwrap_or_else(|| today.year());
            let entry = store.write(|c| {
                let found = register::find(c, &office, year, number)?.ok_or_else(|| {
                    crate::store::StoreError::Conflict(format!(
                        "no entry {number}/{year} in the register of {office}"
                    ))
                })?;
                register::cancel(c, found.id, &reason, "cli")
            })?;
            println!(
                "{}: {}",
                entry.label(),
                entry.remarks.as_deref().unwrap_or_default()
            );
            Ok(())
        }
    }
}

/// Runs a report command.
pub(super) fn report(store: &Store, config: &Config, what: ReportCommand) -> Result<(), CliError> {
    let today = today();
    let head = Letterhead::new(&config.office, today);
    match what {
        ReportCommand::Performance {
            from,
            to,
            agency,
            directive,
            output,
        } => {
            let scope = match (agency, directive) {
                (Some(name), _) => Scope::Agency { name },
                (None, Some(id)) => Scope::Directive { id },
                (None, None) => Scope::Office,
            };
            let period = Period::new(from, to)?;
            let report =
                query::performance_report(store, &config.office.name, scope, period, today)?;
            let doc = export::performance_document(&report);
            output.write(&export::render(output.format.into(), &report, &doc, &head)?)
        }
        ReportCommand::Directive { id, on, output } => {
            let report =
                query::directive_report(store, &config.office.name, id, on.unwrap_or(today))?;
            let doc = export::directive_document(&report);
            output.write(&export::render(output.format.into(), &report, &doc, &head)?)
        }
    }
}
