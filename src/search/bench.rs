//! Benchmark of the directive index: indexing throughput and query latency on
//! synthetic directives (see [`super::synthetic`]).

use std::fmt;
use std::path::Path;
use std::time::{Duration, Instant};

use super::synthetic::DirectiveGenerator;
use super::{SearchError, SearchIndex, SearchQuery};
use crate::text;

/// Benchmark parameters.
#[derive(Clone, Debug)]
pub struct BenchConfig {
    /// Number of directives indexed.
    pub directives: usize,
    /// Number of timed queries.
    pub queries: usize,
    /// Seed of the directive and query generators.
    pub seed: u64,
    /// Directives between commits while indexing.
    pub commit_every: usize,
    /// Ask for facet counts with every query.
    pub facets: bool,
    /// Threads each query is searched on (see [`SearchIndex::open_with_threads`]).
    pub search_threads: usize,
    /// Keep an index from an earlier run with the same number of directives (the
    /// indexing figures are then absent).
    pub reuse: bool,
    /// Print the queries slower than this, with their time and number of hits.
    pub show_slower_than: Option<Duration>,
    /// Run only the queries of this class (for profiling one kind of query).
    pub only: Option<QueryClass>,
}

impl Default for BenchConfig {
    fn default() -> Self {
        Self {
            directives: 100_000,
            queries: 2_000,
            seed: 42,
            commit_every: 100_000,
            facets: true,
            search_threads: super::index::search_threads(),
            reuse: false,
            show_slower_than: None,
            only: None,
        }
    }
}

/// Kinds of query in the benchmark mix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryClass {
    /// One accented word.
    Word,
    /// Two or three accented words.
    Words,
    /// Two or three words without diacritics.
    Folded,
    /// A quoted phrase of three words.
    Phrase,
    /// A document number.
    Number,
    /// A word prefix ("chuyê*").
    Prefix,
    /// Words with kind and year filters.
    Filtered,
    /// No words: an agency filter, newest first.
    Listing,
}

impl std::str::FromStr for QueryClass {
    type Err = String;

    /// The class named as in the report, in any case ("prefix", "Words").
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        CLASSES
            .iter()
            .copied()
            .find(|c| format!("{c:?}").eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| format!("no query class named {name:?}"))
    }
}

const CLASSES: [QueryClass; 8] = [
    QueryClass::Word,
    QueryClass::Words,
    QueryClass::Folded,
    QueryClass::Phrase,
    QueryClass::Number,
    QueryClass::Prefix,
    QueryClass::Filtered,
    QueryClass::Listing,
];

/// Latency figures of one query class, or of all queries.
#[derive(Clone, Debug)]
pub struct LatencyStats {
    /// The class; `None` for the figures over all queries.
    pub class: Option<QueryClass>,
    /// Queries run.
    pub count: usize,
    /// Median latency (wall time from query to results).
    pub p50: Duration,
    /// 99th percentile latency.
    pub p99: Duration,
    /// Slowest query.
    pub max: Duration,
    /// Median CPU time of a query: all the threads of the process while it ran (the
    /// work it cost, whatever the other processes of the machine were doing).
    pub cpu_p50: Duration,
    /// 99th percentile CPU time.
    pub cpu_p99: Duration,
    /// Mean number of matching directives.
    pub mean_total: f64,
}

/// Results of [`run`].
#[derive(Clone, Debug)]
pub struct BenchReport {
    /// Directives indexed.
    pub directives: usize,
    /// The index of an earlier run was reused: no indexing figures.
    pub reused: bool,
    /// Wall time of indexing, commits included.
    pub indexing_time: Duration,
    /// Directives indexed per second of wall time.
    pub directives_per_second: f64,
    /// CPU time of the whole process while indexing (all threads, generator included).
    pub indexing_cpu_time: Duration,
    /// Size of the index directory after indexing, in bytes.
    pub index_bytes: u64,
    /// Figures over all queries.
    pub overall: LatencyStats,
    /// Figures per query class.
    pub per_class: Vec<LatencyStats>,
}

impl fmt::Display for BenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.reused {
            writeln!(f, "reused an index of {} directives", self.directives)?;
        } else {
            self.write_indexing(f)?;
        }
        self.write_latency(f)
    }
}

impl BenchReport {
    fn write_indexing(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "indexed {} directives in {:.1} s: {:.0} directives/s; index {:.1} MB",
            self.directives,
            self.indexing_time.as_secs_f64(),
            self.directives_per_second,
            self.index_bytes as f64 / 1e6
        )?;
        writeln!(
            f,
            "indexing CPU time {:.1} s: {:.0} directives per CPU second",
            self.indexing_cpu_time.as_secs_f64(),
            self.directives as f64 / self.indexing_cpu_time.as_secs_f64().max(1e-9)
        )
    }

    fn write_latency(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<10} {:>6} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10}",
            "class", "count", "p50 ms", "p99 ms", "max ms", "cpu p50", "cpu p99", "mean hits"
        )?;
        for s in self.per_class.iter().chain(std::iter::once(&self.overall)) {
            writeln!(
                f,
                "{:<10} {:>6} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>10.0}",
                s.class.map_or("all".to_string(), |c| format!("{c:?}")),
                s.count,
                ms(s.p50),
                ms(s.p99),
                ms(s.max),
                ms(s.cpu_p50),
                ms(s.cpu_p99),
                s.mean_total
            )?;
        }
        Ok(())
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Indexes `config.directives` synthetic directives into a new index in `dir`, then
/// times `config.queries` queries of a mix of [`QueryClass`]es.
pub fn run(dir: &Path, config: &BenchConfig) -> Result<BenchReport, SearchError> {
    let index = match SearchIndex::open_with_threads(dir, config.search_threads) {
        Err(SearchError::SchemaMismatch(_)) => {
            // A benchmark index from an older schema: start afresh.
            std::fs::remove_dir_all(dir)?;
            SearchIndex::open_with_threads(dir, config.search_threads)?
        }
        other => other?,
    };
    let reuse = config.reuse && index.count() == config.directives as u64;
    if !reuse {
        index.clear()?;
        index.commit()?;
    }

    let mut generator = DirectiveGenerator::new(config.seed);
    let mut numbers = Vec::new();
    let mut kinds = Vec::new();
    let mut agencies = Vec::new();
    let started = Instant::now();
    let cpu_started = process_cpu_time();
    for id in 0..config.directives {
        let doc = generator.directive(i64::try_from(id).unwrap_or(i64::MAX));
        if id % 97 == 0 {
            numbers.push(doc.number.clone());
            kinds.push(doc.kind.clone());
            agencies.extend(doc.lead_agencies.first().cloned());
        }
        if reuse {
            continue;
        }
        // A full rebuild: the index was just cleared.
        index.add_new(&doc)?;
        if config.commit_every > 0 && (id + 1) % config.commit_every == 0 {
            index.commit()?;
        }
    }
    if !reuse {
        index.commit()?;
    }
    let indexing_time = started.elapsed();
    let indexing_cpu_time = process_cpu_time().saturating_sub(cpu_started);

    let mut query_generator = DirectiveGenerator::new(config.seed.wrapping_add(1));
    let mut samples: Vec<Sample> = Vec::with_capacity(config.queries);
    for i in 0..config.queries {
        let class = CLASSES[i % CLASSES.len()];
        let mut query = make_query(class, &mut query_generator, &numbers, &kinds, &agencies);
        if config.only.is_some_and(|only| only != class) {
            continue;
        }
        query.facets = config.facets;
        let t = Instant::now();
        let cpu_before = process_cpu_time();
        let results = index.search(&query)?;
        let wall = t.elapsed();
        let cpu = process_cpu_time().saturating_sub(cpu_before);
        if config.show_slower_than.is_some_and(|limit| wall > limit) {
            println!(
                "slow: {class:?} {:.2} ms ({:.2} ms CPU), {} hits: {query:?}",
                ms(wall),
                ms(cpu),
                results.total
            );
        }
        samples.push(Sample {
            class,
            wall,
            cpu,
            total: results.total,
        });
    }

    let directives_per_second = config.directives as f64 / indexing_time.as_secs_f64().max(1e-9);
    let per_class = CLASSES
        .iter()
        .filter(|c| config.only.is_none_or(|only| only == **c))
        .map(|c| stats(Some(*c), samples.iter().filter(|s| s.class == *c)))
        .collect();
    Ok(BenchReport {
        directives: config.directives,
        reused: reuse,
        indexing_time,
        directives_per_second,
        indexing_cpu_time,
        index_bytes: dir_size(dir)?,
        overall: stats(None, samples.iter()),
        per_class,
    })
}

/// One timed query.
struct Sample {
    class: QueryClass,
    /// Wall time from query to results.
    wall: Duration,
    /// CPU time of the process meanwhile.
    cpu: Duration,
    /// Matching directives.
    total: usize,
}

fn stats<'a>(class: Option<QueryClass>, samples: impl Iterator<Item = &'a Sample>) -> LatencyStats {
    let mut walls = Vec::new();
    let mut cpus = Vec::new();
    let mut totals = 0usize;
    for sample in samples {
        walls.push(sample.wall);
        cpus.push(sample.cpu);
        totals = totals.saturating_add(sample.total);
    }
    walls.sort_unstable();
    cpus.sort_unstable();
    let at = |durations: &[Duration], p: f64| {
        let rank = ((durations.len() as f64) * p).ceil() as usize;
        durations
            .get(rank.saturating_sub(1))
            .copied()
            .unwrap_or_default()
    };
    LatencyStats {
        class,
        count: walls.len(),
        p50: at(&walls, 0.50),
        p99: at(&walls, 0.99),
        max: walls.last().copied().unwrap_or_default(),
        cpu_p50: at(&cpus, 0.50),
        cpu_p99: at(&cpus, 0.99),
        mean_total: totals as f64 / walls.len().max(1) as f64,
    }
}

/// Consecutive words (letters only) of a random sentence.
fn words(generator: &mut DirectiveGenerator, n: usize) -> Vec<String> {
    let sentence: Vec<&str> = generator
        .sentence()
        .split_whitespace()
        .filter(|w| w.chars().all(char::is_alphabetic))
        .collect();
    let start = generator.below(sentence.len().saturating_sub(n) + 1);
    sentence
        .iter()
        .skip(start)
        .take(n)
        .map(|w| w.to_string())
        .collect()
}

fn make_query(
    class: QueryClass,
    generator: &mut DirectiveGenerator,
    numbers: &[String],
    kinds: &[String],
    agencies: &[String],
) -> SearchQuery {
    let pick = |generator: &mut DirectiveGenerator, items: &[String]| {
        items
            .get(generator.below(items.len()))
            .cloned()
            .unwrap_or_default()
    };
    match class {
        QueryClass::Word => SearchQuery::text(words(generator, 1).join(" ")),
        QueryClass::Words => {
            let n = 2 + generator.below(2);
            SearchQuery::text(words(generator, n).join(" "))
        }
        QueryClass::Folded => {
            let n = 2 + generator.below(2);
            SearchQuery::text(text::fold(&words(generator, n).join(" ")))
        }
        QueryClass::Phrase => SearchQuery::text(format!("\"{}\"", words(generator, 3).join(" "))),
        QueryClass::Number => SearchQuery::text(pick(generator, numbers)),
        QueryClass::Prefix => {
            let word = words(generator, 1).join("");
            let prefix: String = word.chars().take(4).collect();
            SearchQuery::text(format!("{prefix}*"))
        }
        QueryClass::Filtered => {
            let mut query = SearchQuery::text(words(generator, 2).join(" "));
            query.kind = Some(pick(generator, kinds));
            query.year = Some(2015 + generator.below(12) as i32);
            query
        }
        QueryClass::Listing => SearchQuery {
            agency: Some(pick(generator, agencies)),
            ..SearchQuery::default()
        },
    }
}

/// CPU time consumed by the current thread so far (`CLOCK_THREAD_CPUTIME_ID`, to the
/// nanosecond; `/proc/thread-self/schedstat` advances by whole scheduler ticks on some
/// kernels, 4 ms here, too coarse for one query).
pub(crate) fn thread_cpu_time() -> Option<Duration> {
    let now = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    let seconds = u64::try_from(now.tv_sec).ok()?;
    let nanos = u32::try_from(now.tv_nsec).ok()?;
    Some(Duration::new(seconds, nanos))
}

/// CPU time consumed by all the threads of the process so far
/// (`CLOCK_PROCESS_CPUTIME_ID`, to the nanosecond).
fn process_cpu_time() -> Duration {
    let now = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    let seconds = u64::try_from(now.tv_sec).unwrap_or_default();
    let nanos = u32::try_from(now.tv_nsec).unwrap_or_default();
    Duration::new(seconds, nanos)
}

fn dir_size(dir: &Path) -> Result<u64, SearchError> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        if meta.is_file() {
            total += meta.len();
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_benchmark_runs_and_finds_things() {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = BenchConfig {
            directives: 300,
            queries: 80,
            seed: 3,
            commit_every: 100,
            facets: true,
            search_threads: 2,
            reuse: false,
            show_slower_than: None,
            only: None,
        };
        let report = run(dir.path(), &config).expect("bench");
        assert_eq!(report.directives, 300);
        assert_eq!(report.overall.count, 80);
        assert!(report.index_bytes > 0);
        let number = report
            .per_class
            .iter()
            .find(|s| s.class == Some(QueryClass::Number))
            .expect("number class");
        assert!(number.mean_total >= 1.0, "{report}");
        let listing = report
            .per_class
            .iter()
            .find(|s| s.class == Some(QueryClass::Listing))
            .expect("listing class");
        assert!(listing.mean_total >= 1.0, "{report}");
    }
}
