//! The `dondoc` command line: the server, intake of files, and the text tools.

mod demo;
mod reports;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::config::{Config, ConfigArgs, Limits, ServerArgs};
use crate::indexer::Indexer;
use crate::intake::{self, IncomingFile};
use crate::store::Store;

/// Theo dõi, đôn đốc nhiệm vụ: register directives, track their tasks, chase them until done.
#[derive(Debug, Parser)]
#[command(name = "dondoc", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    config: ConfigArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web server (UI and JSON API) on the configured database.
    Serve {
        #[command(flatten)]
        server: ServerArgs,
        /// Load the sample directives shipped in corpus/ when the database holds none yet.
        #[arg(long)]
        demo: bool,
    },
    /// Run the reminders once: decide what is due, write it to the outbox, send the outbox.
    Remind {
        #[command(flatten)]
        server: ServerArgs,
        /// Act as of this Vietnamese local time (`2024-05-10`, `2024-05-10T09:30` or
        /// `2024-05-10 09:30:00`; a bare date means 08:00). [default: now]
        #[arg(long)]
        at: Option<String>,
    },
    /// Agencies and their reminder addresses.
    Agency {
        #[command(subcommand)]
        what: AgencyCommand,
    },
    /// User accounts: add, list, disable.
    User {
        #[command(subcommand)]
        what: UserCommand,
    },
    /// The incoming register ("sổ đăng ký văn bản đến"): list, export, cancel an entry.
    Register {
        #[command(subcommand)]
        what: reports::RegisterCommand,
    },
    /// Performance reports: a period per lead agency, or the state of one directive's tasks.
    Report {
        #[command(subcommand)]
        what: reports::ReportCommand,
    },
    /// Register files as directives directly in the database, each with its incoming number.
    Ingest {
        /// Files to register.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Register files even when the same document is in the incoming register already.
        #[arg(long)]
        confirm_duplicate: bool,
    },
    /// Print the documents and tasks read from a file (nothing is stored).
    Extract {
        /// The file to read (`-` for standard input).
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
    },
    /// Print the repaired text of a file, one output line per input line.
    Normalize {
        /// The file to read (`-` for standard input).
        file: PathBuf,
    },
    /// Search registered directives (accents optional).
    Search {
        /// Words, "phrases", prefix*, or a document number.
        query: String,
        /// Only directives of this kind.
        #[arg(long)]
        kind: Option<String>,
        /// Only directives with a task for this agency.
        #[arg(long)]
        agency: Option<String>,
        /// Only directives issued in this year.
        #[arg(long)]
        year: Option<i32>,
        /// Hits to show.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Rebuild the search index from the database.
    Reindex,
    /// Build the text-repair models in dictionaries/ from a corpus.
    Train {
        #[command(subcommand)]
        what: TrainCommand,
    },
    /// Measure accuracy against the held-out annotated directives.
    Eval {
        #[command(subcommand)]
        what: EvalCommand,
    },
    /// Print the effective settings (passwords hidden).
    Config {
        #[command(flatten)]
        server: ServerArgs,
    },
}

#[derive(Debug, Subcommand)]
enum TrainCommand {
    /// Train the syllable language model from Markdown text on standard input
    /// (`xz -dc phap-dien.md.xz | dondoc train lm`).
    Lm {
        /// Where to write the model.
        #[arg(long, default_value = "dictionaries/vi-syllable-lm.bin")]
        out: PathBuf,
        /// Also write the held-out evaluation lines here.
        #[arg(long)]
        held_out: Option<PathBuf>,
        /// In-domain training text: plain text files (every line), or `.tsv` files (the
        /// second column of lines not starting with '#', as in dictionaries/agencies.tsv);
        /// OCR readings (NAME.ocr.txt) are skipped.
        #[arg(long, num_args = 1..)]
        extra: Vec<PathBuf>,
        /// Text never to train on: files, or folders whose .txt files are read; training
        /// lines sharing an 8-word sequence with it are dropped.
        #[arg(long, num_args = 1..)]
        exclude: Vec<PathBuf>,
        /// How many times each extra line counts against one corpus line.
        #[arg(long, default_value_t = crate::text::lm::TrainOptions::default().extra_weight)]
        extra_weight: u32,
    },
    /// Print clean training lines from the corpus on standard input, to be rendered and read back by
    /// OCR (`corpus/tools/ocr_damage.py`) for the channel model.
    ChannelLines {
        /// Take every this many lines.
        #[arg(long, default_value_t = 50)]
        every: usize,
        /// At most this many lines.
        #[arg(long, default_value_t = 8000)]
        max: usize,
    },
    /// Learn the OCR confusion table from clean text and its OCR reading.
    Channel {
        /// Pairs of files: clean text, then its OCR reading (repeatable).
        #[arg(required = true, num_args = 2)]
        pairs: Vec<PathBuf>,
        /// Keep confusions seen at least this often.
        #[arg(long, default_value_t = 1)]
        min_count: u32,
        /// Where to write the table.
        #[arg(long, default_value = "dictionaries/ocr-confusions.tsv")]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum EvalCommand {
    /// Syllable error rate of text repair on held-out directives: mark-stripped and OCR-damaged
    /// versions against the clean text, and the lines that repair changes in clean text.
    Restore {
        /// Folder of NAME.txt (clean) and NAME.ocr.txt (OCR-damaged) files.
        #[arg(long, default_value = "corpus/directives")]
        dir: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Also write every difference between the repaired and the clean text here (for
        /// development sets only: reading the held-out set's errors would tune on it).
        #[arg(long)]
        differences: Option<PathBuf>,
    },
    /// Header fields, tasks and deadlines read from clean and OCR-damaged text, against annotations.
    Extract {
        /// Folder of NAME.txt, NAME.ocr.txt and NAME.gold.json files.
        #[arg(long, default_value = "corpus/directives")]
        dir: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Also print, file by file, every difference from the annotations (for development
        /// sets only: reading the held-out set's errors would tune on it).
        #[arg(long)]
        details: bool,
    },
}

#[derive(Debug, Subcommand)]
enum AgencyCommand {
    /// List agencies with their reminder addresses.
    List,
    /// Set the address reminder mail for an agency goes to (`-` removes it).
    SetEmail {
        /// The agency's full name, as stored.
        name: String,
        /// The address.
        email: String,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a user. Without --password-stdin a random password is made and printed once.
    Add {
        /// Sign-in name (3 to 64 of a-z, 0-9, '.', '_', '-').
        name: String,
        /// admin, clerk, agency or leader.
        #[arg(long)]
        role: String,
        /// The agency of agency staff (its full name).
        #[arg(long)]
        agency: Option<String>,
        /// Name shown on pages.
        #[arg(long, default_value = "")]
        display_name: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        /// Also make an API token and print it (it cannot be shown again).
        #[arg(long)]
        token: bool,
    },
    /// List users.
    List,
    /// Disable a user: sessions end and API tokens stop working at once.
    Disable {
        /// Sign-in name.
        name: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Json,
    Text,
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Intake {
        path: PathBuf,
        source: intake::IntakeError,
    },
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Eval(#[from] crate::eval::EvalError),
    #[error(transparent)]
    Text(#[from] crate::text::TextError),
    #[error(transparent)]
    Index(#[from] crate::indexer::IndexerError),
    #[error(transparent)]
    Tracker(#[from] crate::tracker::TrackerError),
    #[error(transparent)]
    Report(#[from] crate::reports::ReportError),
    #[error("{0}")]
    Invalid(String),
    #[error("{failed} of {total} files could not be registered")]
    Partial { failed: usize, total: usize },
}

/// Parses the command line and runs the command; errors are printed to standard error.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dondoc: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Serve { server, demo } => {
            let config = Config::load(&cli.config, &server)?;
            std::fs::create_dir_all(&config.data_dir)?;
            let store = Store::open(&config.database_url)?;
            if demo {
                let loaded = demo::load_if_empty(&store, &config)?;
                if loaded > 0 {
                    tracing::info!("loaded {loaded} demo directives");
                }
                for (name, role, agency) in demo::ensure_users(&store)? {
                    tracing::info!(
                        "demo account {name} ({}{}), password {}",
                        role.as_str(),
                        agency.map(|a| format!(", {a}")).unwrap_or_default(),
                        demo::DEMO_PASSWORD
                    );
                }
            }
            let indexer = open_index(&store, &config)?;
            actix_web::rt::System::new().block_on(crate::web::serve(
                store,
                std::sync::Arc::new(indexer),
                config,
            ))?;
            Ok(())
        }
        Command::Remind { server, at } => {
            let config = Config::load(&cli.config, &server)?;
            std::fs::create_dir_all(&config.data_dir)?;
            let now = match at {
                Some(at) => parse_local_time(&at).ok_or_else(|| {
                    CliError::Invalid(format!(
                        "--at {at}: expected 2024-05-10, 2024-05-10T09:30 or 2024-05-10 09:30:00"
                    ))
                })?,
                None => crate::store::now(),
            };
            let store = Store::open(&config.database_url)?;
            let mailer = crate::tracker::mailer_for(&config)?;
            let outcome = crate::tracker::run_once(&store, &config, &mailer, now)?;
            println!("{}", serde_json::to_string_pretty(&outcome)?);
            Ok(())
        }
        Command::Agency { what } => {
            let config = Config::load(&cli.config, &ServerArgs::default())?;
            let store = Store::open(&config.database_url)?;
            agency(&store, what)
        }
        Command::User { what } => {
            let config = Config::load(&cli.config, &ServerArgs::default())?;
            std::fs::create_dir_all(&config.data_dir)?;
            let store = Store::open(&config.database_url)?;
            user(&store, what)
        }
        Command::Register { what } => {
            let config = Config::load(&cli.config, &ServerArgs::default())?;
            let store = Store::open(&config.database_url)?;
            reports::register(&store, &config, what)
        }
        Command::Report { what } => {
            let config = Config::load(&cli.config, &ServerArgs::default())?;
            let store = Store::open(&config.database_url)?;
            reports::report(&store, &config, what)
        }
        Command::Ingest {
            files,
            confirm_duplicate,
        } => {
            let config = Config::load(&cli.config, &ServerArgs::default())?;
            std::fs::create_dir_all(&config.data_dir)?;
            let store = Store::open(&config.database_url)?;
            let registration = intake::Registration {
                confirm_duplicate,
                ..intake::Registration::in_office(&config.office.name)
            };
            ingest(&store, &config, &registration, &files)
        }
        Command::Extract { file, format } => {
            let read = read_directive(&file)?;
            let mut out = std::io::stdout().lock();
            match format {
                Format::Json => {
                    serde_json::to_writer_pretty(&mut out, &read.extraction)?;
                    writeln!(out)?;
                }
                Format::Text => write_extraction_text(&mut out, &read.extraction)?,
            }
            Ok(())
        }
        Command::Normalize { file } => {
            let content = read_input(&file)?;
            let name = file.file_name().and_then(|n| n.to_str());
            let parsed = crate::parse::read_file(name, &content, &Limits::default().read_limits())
                .map_err(|e| CliError::Intake {
                    path: file.clone(),
                    source: e.into(),
                })?;
            let mut out = std::io::stdout().lock();
            out.write_all(crate::text::normalize(&parsed.text).as_bytes())?;
            Ok(())
        }
        Command::Search {
            query,
            kind,
            agency,
            year,
            limit,
            format,
        } => {
            let config = Config::load(&cli.config, &ServerArgs::default())?;
            let store = Store::open(&config.database_url)?;
            let indexer = open_index(&store, &config)?;
            let results = indexer.search(&crate::search::SearchQuery {
                kind,
                agency,
                year,
                limit,
                ..crate::search::SearchQuery::text(query)
            })?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&results)?),
                Format::Text => {
                    println!("{} kết quả", results.total);
                    for hit in &results.hits {
                        println!(
                            "#{} {} {} — {} ({})\n    {}",
                            hit.directive_id,
                            hit.kind,
                            hit.number,
                            hit.issuer,
                            hit.issued_on
                                .map(|d| d.format("%d/%m/%Y").to_string())
                                .unwrap_or_default(),
                            hit.snippet.replace("<b>", "[").replace("</b>", "]")
                        );
                    }
                }
            }
            Ok(())
        }
        Command::Reindex => {
            let config = Config::load(&cli.config, &ServerArgs::default())?;
            let store = Store::open(&config.database_url)?;
            let indexer = Indexer::open(&config.data_dir.join("index"))?;
            let count = indexer.rebuild(&store)?;
            println!("reindexed {count} directives");
            Ok(())
        }
        Command::Eval {
            what:
                EvalCommand::Extract {
                    dir,
                    format,
                    details,
                },
        } => eval_extract(&dir, format, details),
        Command::Eval {
            what:
                EvalCommand::Restore {
                    dir,
                    format,
                    differences,
                },
        } => eval_restore(&dir, format, differences.as_deref()),
        Command::Train { what } => train(what),
        Command::Config { server } => {
            let config = Config::load(&cli.config, &server)?;
            println!("{}", serde_json::to_string_pretty(&config)?);
            Ok(())
        }
    }
}

fn train(what: TrainCommand) -> Result<(), CliError> {
    match what {
        TrainCommand::Lm {
            out,
            held_out,
            extra,
            exclude,
            extra_weight,
        } => {
            let read = |p: &Path| {
                std::fs::read_to_string(p).map_err(|source| CliError::Read {
                    path: p.to_path_buf(),
                    source,
                })
            };
            let mut text = crate::text::lm::ExtraText::default();
            for p in extra
                .iter()
                .filter(|p| !p.to_string_lossy().ends_with(".ocr.txt"))
            {
                let content = read(p)?;
                if p.extension().is_some_and(|e| e == "tsv") {
                    text.lines.extend(
                        content
                            .lines()
                            .filter(|l| !l.starts_with('#'))
                            .filter_map(|l| l.split('\t').nth(1))
                            .map(str::to_string),
                    );
                } else {
                    text.lines.extend(content.lines().map(str::to_string));
                }
            }
            for p in &exclude {
                if p.is_dir() {
                    let mut files: Vec<PathBuf> = std::fs::read_dir(p)
                        .map_err(|source| CliError::Read {
                            path: p.clone(),
                            source,
                        })?
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|f| f.extension().is_some_and(|e| e == "txt"))
                        .collect();
                    files.sort();
                    for f in files {
                        text.exclude.push(read(&f)?);
                    }
                } else {
                    text.exclude.push(read(p)?);
                }
            }
            let options = crate::text::lm::TrainOptions {
                extra_weight,
                ..crate::text::lm::TrainOptions::default()
            };
            let summary = crate::text::train_language_model_with(
                std::io::stdin().lock(),
                &text,
                &out,
                held_out.as_deref(),
                &options,
            )?;
            eprintln!("{summary:?}");
        }
        TrainCommand::ChannelLines { every, max } => {
            print!(
                "{}",
                crate::text::sample_channel_lines(std::io::stdin().lock(), every, max)?
            );
        }
        TrainCommand::Channel {
            pairs,
            min_count,
            out,
        } => {
            let mut texts = Vec::new();
            for pair in pairs.chunks(2) {
                if let [clean, ocr] = pair {
                    let read = |p: &Path| {
                        std::fs::read_to_string(p).map_err(|source| CliError::Read {
                            path: p.to_path_buf(),
                            source,
                        })
                    };
                    texts.push((read(clean)?, read(ocr)?));
                }
            }
            let kept = crate::text::learn_ocr_channel(&texts, min_count, &out)?;
            eprintln!("{kept} confusions written to {}", out.display());
        }
    }
    Ok(())
}

/// Syllable errors and syllables, summed over files.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
struct ErrorCount {
    errors: usize,
    syllables: usize,
}

impl ErrorCount {
    fn add(&mut self, (errors, syllables): (usize, usize)) {
        self.errors += errors;
        self.syllables += syllables;
    }

    fn rate(self) -> f64 {
        if self.syllables == 0 {
            0.0
        } else {
            self.errors as f64 / self.syllables as f64
        }
    }
}

/// The NAME.txt files of a folder (not NAME.ocr.txt), sorted, each with its NAME.ocr.txt if any.
fn restore_set(dir: &Path) -> Result<Vec<(PathBuf, Option<PathBuf>)>, CliError> {
    let read_err = |source| CliError::Read {
        path: dir.to_path_buf(),
        source,
    };
    let mut clean: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(read_err)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.to_string_lossy();
            name.ends_with(".txt") && !name.ends_with(".ocr.txt")
        })
        .collect();
    clean.sort();
    Ok(clean
        .into_iter()
        .map(|p| {
            let damaged = p.with_extension("ocr.txt");
            let damaged = damaged.is_file().then_some(damaged);
            (p, damaged)
        })
        .collect())
}

fn eval_restore(dir: &Path, format: Format, differences: Option<&Path>) -> Result<(), CliError> {
    use crate::text::eval::syllable_errors;
    use crate::text::{fold, normalize};
    let set = restore_set(dir)?;
    // (input before repair, output after repair) x (case-sensitive, case-insensitive)
    let mut stripped = [[ErrorCount::default(); 2]; 2];
    let mut damaged = [[ErrorCount::default(); 2]; 2];
    let (mut clean_lines, mut clean_changed) = (0usize, 0usize);
    let mut syllables = 0usize;
    let mut diffs = String::new();
    let mut note = |name: &str, what: &str, clean: &str, repaired: &str| {
        if differences.is_some() {
            for d in crate::text::eval::differences(clean, repaired, true) {
                diffs.push_str(&format!(
                    "{name}\t{what}\t{}\t{}\t{}\n",
                    d.before, d.expected, d.got
                ));
            }
        }
    };
    let started = std::time::Instant::now();
    // Time spent in repair alone (the scoring below is not part of it): this thread's CPU
    // time where Linux tells it, so that other work on the machine does not count.
    let mut repair = std::time::Duration::ZERO;
    let mut timed = |text: &str| {
        let (cpu, wall) = (
            crate::search::bench::thread_cpu_time(),
            std::time::Instant::now(),
        );
        let out = normalize(text);
        repair += match (cpu, crate::search::bench::thread_cpu_time()) {
            (Some(a), Some(b)) => b.saturating_sub(a),
            _ => wall.elapsed(),
        };
        out
    };
    for (clean_path, damaged_path) in &set {
        let name = clean_path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let clean = crate::parse::read_text(&read_input(clean_path)?)
            .map_err(|e| CliError::Intake {
                path: clean_path.clone(),
                source: e.into(),
            })?
            .text;
        let repaired_clean = timed(&clean);
        clean_lines += clean.lines().count();
        clean_changed += clean
            .lines()
            .zip(repaired_clean.lines())
            .filter(|(a, b)| a != b)
            .count();
        note(&name, "clean", &clean, &repaired_clean);
        let bare = fold(&clean);
        let restored = timed(&bare);
        note(&name, "stripped", &clean, &restored);
        syllables += 2 * clean.split_whitespace().count();
        for (case, sensitive) in [(0, true), (1, false)] {
            stripped[0][case].add(syllable_errors(&clean, &bare, sensitive));
            stripped[1][case].add(syllable_errors(&clean, &restored, sensitive));
        }
        if let Some(path) = damaged_path {
            let ocr = std::fs::read_to_string(path).map_err(|source| CliError::Read {
                path: path.clone(),
                source,
            })?;
            let repaired = timed(&ocr);
            note(&name, "ocr", &clean, &repaired);
            syllables += ocr.split_whitespace().count();
            for (case, sensitive) in [(0, true), (1, false)] {
                damaged[0][case].add(syllable_errors(&clean, &ocr, sensitive));
                damaged[1][case].add(syllable_errors(&clean, &repaired, sensitive));
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let repair_seconds = repair.as_secs_f64();
    if let Some(path) = differences {
        std::fs::write(path, diffs).map_err(|source| CliError::Read {
            path: path.to_path_buf(),
            source,
        })?;
    }
    let report = serde_json::json!({
        "directives": set.len(),
        "stripped": {
            "syllables": stripped[0][0].syllables,
            "input_error_rate": stripped[0][0].rate(),
            "error_rate": stripped[1][0].rate(),
            "error_rate_ignoring_case": stripped[1][1].rate(),
        },
        "ocr": {
            "syllables": damaged[0][0].syllables,
            "input_error_rate": damaged[0][0].rate(),
            "error_rate": damaged[1][0].rate(),
            "error_rate_ignoring_case": damaged[1][1].rate(),
        },
        "clean_lines": clean_lines,
        "clean_lines_changed": clean_changed,
        "syllables_per_second": syllables as f64 / repair_seconds.max(1e-9),
        "syllables_per_second_with_scoring": syllables as f64 / seconds.max(1e-9),
    });
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        Format::Text => {
            println!("{} texts in {}", set.len(), dir.display());
            println!("input     syllables  before   after   after (ignoring case)");
            for (name, counts) in [("stripped", &stripped), ("ocr", &damaged)] {
                println!(
                    "{name:<9} {:>9}  {:>6.2}%  {:>5.2}%  {:>5.2}%",
                    counts[0][0].syllables,
                    100.0 * counts[0][0].rate(),
                    100.0 * counts[1][0].rate(),
                    100.0 * counts[1][1].rate()
                );
            }
            println!("clean text: {clean_changed} of {clean_lines} lines changed by repair");
            println!(
                "speed: {:.0} syllables per CPU second of repair (one core; model loaded on first use), {:.0} per second of the whole run",
                syllables as f64 / repair_seconds.max(1e-9),
                syllables as f64 / seconds.max(1e-9)
            );
        }
    }
    Ok(())
}

/// Reads a Vietnamese local date or time and answers the UTC moment.
fn parse_local_time(text: &str) -> Option<chrono::NaiveDateTime> {
    let text = text.trim();
    let local = [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|f| chrono::NaiveDateTime::parse_from_str(text, f).ok())
    .or_else(|| {
        chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(8, 0, 0))
    })?;
    local.checked_sub_signed(crate::tracker::LOCAL_OFFSET)
}

fn agency(store: &Store, what: AgencyCommand) -> Result<(), CliError> {
    match what {
        AgencyCommand::List => {
            let all = store.read(crate::store::agencies::list)?;
            let mut out = std::io::stdout().lock();
            for a in all {
                writeln!(
                    out,
                    "{}\t{}\t{}",
                    a.id,
                    a.name,
                    a.email.as_deref().unwrap_or("—")
                )?;
            }
            Ok(())
        }
        AgencyCommand::SetEmail { name, email } => {
            let email = if email.trim() == "-" {
                None
            } else {
                crate::tracker::check_address(Some(&email)).map_err(CliError::Invalid)?
            };
            let agency = store.write(|c| {
                let found = crate::store::agencies::find_by_name(c, &name)?.ok_or_else(|| {
                    crate::store::StoreError::Conflict(format!(
                        "no agency is called \"{}\" (see `dondoc agency list`)",
                        name.trim()
                    ))
                })?;
                crate::store::agencies::set_email(c, found.id, email.as_deref(), "cli")
            })?;
            println!(
                "{}: {}",
                agency.name,
                agency
                    .email
                    .as_deref()
                    .unwrap_or("(no address: mail goes to the fallback address)")
            );
            Ok(())
        }
    }
}

fn user(store: &Store, what: UserCommand) -> Result<(), CliError> {
    use crate::store::users::{self, NewUser, Role};
    use crate::web::auth;
    let auth_failed = |e: auth::AuthError| CliError::Invalid(e.to_string());
    match what {
        UserCommand::Add {
            name,
            role,
            agency,
            display_name,
            password_stdin,
            token,
        } => {
            let role = Role::parse(&role).ok_or_else(|| {
                CliError::Invalid(format!(
                    "--role {role}: expected admin, clerk, agency or leader"
                ))
            })?;
            let (password, generated) = if password_stdin {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                let password = line.trim_end_matches(['\r', '\n']).to_string();
                crate::web::accounts::check_password(&password)
                    .map_err(|e| CliError::Invalid(e.message))?;
                (password, false)
            } else {
                (
                    auth::new_secret().map_err(auth_failed)?[..16].to_string(),
                    true,
                )
            };
            let hash = auth::hash_password(&password).map_err(auth_failed)?;
            let secret = if token {
                Some(auth::new_secret().map_err(auth_failed)?)
            } else {
                None
            };
            let new = NewUser {
                username: name.trim(),
                display_name: &display_name,
                role,
                agency: agency.as_deref(),
                password_hash: Some(hash),
            };
            let user = store.write(|c| {
                let user = users::add(c, &new, "cli")?;
                if let Some(secret) = &secret {
                    users::add_token(c, &user.username, &auth::secret_hash(secret), "cli", "cli")?;
                }
                Ok(user)
            })?;
            eprintln!(
                "created {} ({}{})",
                user.username,
                user.role.as_str(),
                user.agency
                    .as_deref()
                    .map(|a| format!(", {a}"))
                    .unwrap_or_default()
            );
            if generated {
                println!("password: {password}");
            }
            if let Some(secret) = secret {
                println!("token: {secret}");
            }
            Ok(())
        }
        UserCommand::List => {
            let mut out = std::io::stdout().lock();
            for u in store.read(users::list)? {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}",
                    u.username,
                    u.role.as_str(),
                    u.agency.as_deref().unwrap_or("—"),
                    if u.disabled { "disabled" } else { "active" }
                )?;
            }
            Ok(())
        }
        UserCommand::Disable { name } => {
            let user = store.write(|c| users::set_disabled(c, name.trim(), true, "cli"))?;
            println!("{} disabled", user.username);
            Ok(())
        }
    }
}

fn eval_extract(dir: &Path, format: Format, details: bool) -> Result<(), CliError> {
    use crate::eval::{ExtractionScore, annotated_set, explain_extraction, score_extraction};
    let set = annotated_set(dir)?;
    let mut clean = ExtractionScore::default();
    let mut damaged = ExtractionScore::default();
    let mut timings = Vec::new();
    for item in &set {
        let read = read_directive(&item.clean)?;
        let started = std::time::Instant::now();
        let extraction = crate::extract::read_directive(&read.repaired_text);
        timings.push(started.elapsed().as_secs_f64() * 1000.0);
        clean.add(&score_extraction(&item.gold, &extraction));
        if details {
            eprintln!("== {} (clean)", item.clean.display());
            for line in explain_extraction(&item.gold, &extraction) {
                eprintln!("{line}");
            }
        }
        if let Some(path) = &item.damaged {
            let read = read_directive(path)?;
            damaged.add(&score_extraction(&item.gold, &read.extraction));
            if details {
                eprintln!("== {} (damaged)", path.display());
                for line in explain_extraction(&item.gold, &read.extraction) {
                    eprintln!("{line}");
                }
            }
        }
    }
    timings.sort_by(f64::total_cmp);
    let median_ms = timings.get(timings.len() / 2).copied().unwrap_or(0.0);
    let row = |name: &str, s: &ExtractionScore| {
        serde_json::json!({
            "input": name, "documents": s.documents, "gold_tasks": s.gold_tasks,
            "predicted_tasks": s.predicted_tasks, "header_accuracy": s.header_accuracy(),
            "task_precision": s.precision(), "task_recall": s.recall(), "task_f1": s.f1(),
            "deadline_accuracy": s.deadline_accuracy(),
        })
    };
    let report = serde_json::json!({
        "directives": set.len(),
        "clean": row("clean", &clean),
        "damaged": row("damaged", &damaged),
        "median_extract_ms": median_ms,
    });
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        Format::Text => {
            println!("{} annotated directives in {}", set.len(), dir.display());
            println!("input    docs  tasks(gold/read)  header  precision  recall  F1     deadline");
            for (name, s) in [("clean", &clean), ("damaged", &damaged)] {
                println!(
                    "{name:<8} {:>4}  {:>5}/{:<5}       {:.3}   {:.3}      {:.3}   {:.3}  {:.3}",
                    s.documents,
                    s.gold_tasks,
                    s.predicted_tasks,
                    s.header_accuracy(),
                    s.precision(),
                    s.recall(),
                    s.f1(),
                    s.deadline_accuracy()
                );
            }
            println!("median extraction time after repair: {median_ms:.2} ms");
        }
    }
    Ok(())
}

/// Opens this process's search index and brings it in step with the database (repairing whatever a
/// crash left behind).
fn open_index(store: &Store, config: &Config) -> Result<Indexer, CliError> {
    let indexer = Indexer::open(&config.data_dir.join("index"))?;
    let applied = indexer.catch_up(store)?;
    if applied > 0 {
        tracing::info!("search index: {applied} directives brought up to date");
    }
    Ok(indexer)
}

/// Reads, repairs and extracts a file with the default limits, storing nothing.
fn read_directive(path: &Path) -> Result<intake::ReadDirective, CliError> {
    let file = IncomingFile {
        file_name: path.file_name().map(|n| n.to_string_lossy().into_owned()),
        content: read_input(path)?,
    };
    intake::read(&file, &Limits::default()).map_err(|source| CliError::Intake {
        path: path.to_path_buf(),
        source,
    })
}

fn read_input(path: &Path) -> Result<Vec<u8>, CliError> {
    let mut content = Vec::new();
    let result = if path == Path::new("-") {
        std::io::stdin().read_to_end(&mut content).map(|_| ())
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut content).map(|_| ()))
    };
    result.map_err(|source| CliError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(content)
}

fn ingest(
    store: &Store,
    config: &Config,
    registration: &intake::Registration,
    files: &[PathBuf],
) -> Result<(), CliError> {
    // On a terminal the bar shows the file being read and, for scans, the pages read by OCR.
    let progress = indicatif::ProgressBar::new(files.len() as u64).with_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    // A hidden bar (no terminal) prints nothing, so outcomes then go straight to standard error.
    let say = |line: String| {
        if progress.is_hidden() {
            eprintln!("{line}");
        } else {
            progress.println(line);
        }
    };
    let mut failed = 0usize;
    for path in files {
        progress.set_message(path.display().to_string());
        let outcome = read_input(path).and_then(|content| {
            let file = IncomingFile {
                file_name: path.file_name().map(|n| n.to_string_lossy().into_owned()),
                content,
            };
            let name = path.display().to_string();
            let tell = |stage: intake::Stage| match stage.pages() {
                Some((done, total)) if total > 0 => {
                    progress.set_message(format!("{name}: OCR {done}/{total} trang"))
                }
                _ => progress.set_message(format!("{name}: {}", stage.as_str())),
            };
            intake::register_reporting(
                store,
                &file,
                &config.limits,
                registration,
                "cli",
                None,
                &tell,
            )
            .map_err(|source| CliError::Intake {
                path: path.clone(),
                source,
            })
        });
        match outcome {
            Ok(view) => {
                let tasks: usize = view.documents.iter().map(|d| d.tasks.len()).sum();
                let number = view
                    .register_entry
                    .as_ref()
                    .map(|e| format!(", số đến {}", e.label()))
                    .unwrap_or_default();
                say(format!(
                    "{}: directive {} ({} documents, {} tasks{number})",
                    path.display(),
                    view.id,
                    view.documents.len(),
                    tasks
                ));
            }
            Err(e) => {
                failed += 1;
                say(format!("error: {e}"));
            }
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    if failed > 0 {
        return Err(CliError::Partial {
            failed,
            total: files.len(),
        });
    }
    Ok(())
}

fn write_extraction_text(
    out: &mut impl Write,
    extraction: &crate::extract::Extraction,
) -> std::io::Result<()> {
    let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    for (i, doc) in extraction.documents.iter().enumerate() {
        writeln!(
            out,
            "Văn bản {}: {} {}",
            i + 1,
            show(&doc.kind),
            show(&doc.number)
        )?;
        writeln!(out, "  Cơ quan ban hành: {}", show(&doc.issuer))?;
        writeln!(
            out,
            "  Ngày: {}",
            doc.issued_on
                .map(|d| d.to_string())
                .unwrap_or_else(|| "—".into())
        )?;
        writeln!(out, "  Trích yếu: {}", show(&doc.subject))?;
        for task in &doc.tasks {
            writeln!(
                out,
                "  - [{}] {} (hạn: {})",
                task.lead.join("; "),
                task.text,
                task.deadline
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "—".into())
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reminder_times_are_read_as_vietnamese_local_time() {
        let utc = |y, m, d, h, min| {
            chrono::NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(h, min, 0))
        };
        assert_eq!(parse_local_time("2024-05-10"), utc(2024, 5, 10, 1, 0));
        assert_eq!(
            parse_local_time("2024-05-10T09:30"),
            utc(2024, 5, 10, 2, 30)
        );
        assert_eq!(
            parse_local_time(" 2024-05-10 06:15:00 "),
            utc(2024, 5, 9, 23, 15)
        );
        assert_eq!(parse_local_time("10/05/2024"), None);
        assert_eq!(parse_local_time("2024-05-10Tx"), None);
    }
}
