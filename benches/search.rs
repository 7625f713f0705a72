//! Search benchmark: `cargo bench --bench search`.
//! Environment: SEARCH_BENCH_DIRECTIVES (default 100000), SEARCH_BENCH_QUERIES (2000),
//! SEARCH_BENCH_SEED (42), SEARCH_BENCH_COMMIT_EVERY (100000), SEARCH_BENCH_FACETS (true),
//! SEARCH_BENCH_THREADS (threads per query; default one per core, at most 4),
//! SEARCH_BENCH_REUSE (false: keep an index of the same size from an earlier run),
//! SEARCH_BENCH_DIR (default: target/search-bench), SEARCH_BENCH_SLOW_MS (print the queries
//! slower than this), SEARCH_BENCH_ONLY (run one query class only: word, words, folded, phrase,
//! number, prefix, filtered or listing; for profiling).

use std::path::PathBuf;

use dondoc::search::bench::{BenchConfig, run};

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs this binary without it, and then
    // a small run only checks that the benchmark works.
    let measuring = std::env::args().any(|a| a == "--bench");
    let defaults = if measuring {
        BenchConfig::default()
    } else {
        BenchConfig {
            directives: 300,
            queries: 40,
            ..BenchConfig::default()
        }
    };
    let config = BenchConfig {
        directives: env_or("SEARCH_BENCH_DIRECTIVES", defaults.directives),
        queries: env_or("SEARCH_BENCH_QUERIES", defaults.queries),
        seed: env_or("SEARCH_BENCH_SEED", defaults.seed),
        commit_every: env_or("SEARCH_BENCH_COMMIT_EVERY", defaults.commit_every),
        facets: env_or("SEARCH_BENCH_FACETS", defaults.facets),
        reuse: env_or("SEARCH_BENCH_REUSE", defaults.reuse),
        search_threads: env_or("SEARCH_BENCH_THREADS", defaults.search_threads),
        show_slower_than: std::env::var("SEARCH_BENCH_SLOW_MS")
            .ok()
            .and_then(|v| v.parse::<f64>().ok())
            .map(|ms| std::time::Duration::from_secs_f64(ms / 1e3)),
        only: std::env::var("SEARCH_BENCH_ONLY")
            .ok()
            .map(|name| name.parse())
            .transpose()?,
    };
    let dir = std::env::var_os("SEARCH_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(if measuring {
                "target/search-bench"
            } else {
                "target/search-bench-check"
            })
        });
    let report = run(&dir, &config)?;
    println!("{config:?}");
    print!("{report}");
    Ok(())
}
