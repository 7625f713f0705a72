//! Demo data: the sample directives written for the project (corpus/directives), loaded into an empty
//! database so a new user sees something useful at once.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::intake::{self, IncomingFile};
use crate::store::{Store, StoreError, directives};

/// Where the sample directives are: `corpus/directives` under the current folder, else in the source
/// tree the binary was built from.
fn demo_dir() -> Option<PathBuf> {
    [
        PathBuf::from("corpus/directives"),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/directives"),
    ]
    .into_iter()
    .find(|p| p.is_dir())
}

/// Registers the clean sample directives if the database holds no directive; returns how many.
pub fn load_if_empty(store: &Store, config: &Config) -> Result<usize, StoreError> {
    if store.read(directives::count)? > 0 {
        return Ok(0);
    }
    let Some(dir) = demo_dir() else {
        tracing::warn!("no demo directives found (corpus/directives)");
        return Ok(0);
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            name.ends_with(".txt") && !name.ends_with(".ocr.txt")
        })
        .collect();
    files.sort();
    let mut loaded = 0;
    for path in files {
        let content = std::fs::read(&path)?;
        let file = IncomingFile {
            file_name: path.file_name().map(|n| n.to_string_lossy().into_owned()),
            content,
        };
        let registration = intake::Registration::in_office(&config.office.name);
        match intake::register(store, &file, &config.limits, &registration, "demo", None) {
            Ok(_) => loaded += 1,
            Err(e) => tracing::warn!("demo file {}: {e}", path.display()),
        }
    }
    Ok(loaded)
}
