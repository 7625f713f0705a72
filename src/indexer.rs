//! Keeps the search index in step with the database, which is the one source of truth.
//!
//! Every change to a directive writes a row to `search_queue` in the same transaction. Each server
//! process has its own index folder and its own cursor (the last queue id it applied, kept in the
//! folder), and [`Indexer::catch_up`] applies the queue rows after the cursor: it reads each changed
//! directive back from the database and replaces its index document. The cursor is written only after
//! the index commit, so a crash between the two replays the rows at the next catch-up (replacing a
//! document is idempotent). Because concurrent PostgreSQL transactions may commit queue ids out of
//! order, rows queued in the last [`RECENT_WINDOW`] are re-read on every pass as well.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use diesel::prelude::*;

use crate::search::{SearchDocument, SearchError, SearchIndex, SearchQuery, SearchResults};
use crate::store::directives::{self, DirectiveView};
use crate::store::schema::search_queue;
use crate::store::{Store, StoreError};

/// Queue rows younger than this are re-read on every pass, to catch transactions that committed a
/// smaller id after a larger one.
pub const RECENT_WINDOW: chrono::Duration = chrono::Duration::seconds(120);

/// Why the index could not be brought in step.
#[derive(Debug, thiserror::Error)]
pub enum IndexerError {
    /// The index failed.
    #[error(transparent)]
    Search(#[from] SearchError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The cursor file could not be written.
    #[error("search cursor: {0}")]
    Io(#[from] std::io::Error),
}

/// The search index of one process, with its cursor into the database's change queue.
pub struct Indexer {
    index: SearchIndex,
    cursor_path: PathBuf,
    /// Serialises catch-up passes of this process, and holds the queue ids of the recent window
    /// already applied, so a pass with nothing new does no work.
    pass: Mutex<BTreeSet<i64>>,
}

impl Indexer {
    /// Opens (or creates) the index in `dir`. An index of an older schema is deleted and rebuilt
    /// from the database at the next catch-up.
    pub fn open(dir: &Path) -> Result<Indexer, IndexerError> {
        std::fs::create_dir_all(dir)?;
        let index = match SearchIndex::open(&dir.join("tantivy")) {
            Ok(index) => index,
            Err(SearchError::SchemaMismatch(path)) => {
                tracing::warn!("search index at {} is outdated: rebuilding", path.display());
                std::fs::remove_dir_all(&path)?;
                let _ = std::fs::remove_file(dir.join("cursor"));
                SearchIndex::open(&path)?
            }
            Err(e) => return Err(e.into()),
        };
        Ok(Indexer {
            index,
            cursor_path: dir.join("cursor"),
            pass: Mutex::new(BTreeSet::new()),
        })
    }

    fn cursor(&self) -> i64 {
        std::fs::read_to_string(&self.cursor_path)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0)
    }

    fn set_cursor(&self, id: i64) -> Result<(), IndexerError> {
        let tmp = self.cursor_path.with_extension("tmp");
        std::fs::write(&tmp, id.to_string())?;
        std::fs::rename(&tmp, &self.cursor_path)?;
        Ok(())
    }

    /// Applies the changes queued since the last pass; returns how many directives were reindexed.
    pub fn catch_up(&self, store: &Store) -> Result<usize, IndexerError> {
        let mut applied = self.pass.lock().unwrap_or_else(|p| p.into_inner());
        let cursor = self.cursor();
        let recent = crate::store::now() - RECENT_WINDOW;
        let rows: Vec<(i64, i64)> = store.read(|c| {
            Ok(search_queue::table
                .filter(
                    search_queue::id
                        .gt(cursor)
                        .or(search_queue::queued_at.gt(recent)),
                )
                .select((search_queue::id, search_queue::directive_id))
                .load(c)?)
        })?;
        // Forget applied ids that have left the window; skip those still in it.
        let in_window: BTreeSet<i64> = rows.iter().map(|(id, _)| *id).collect();
        applied.retain(|id| in_window.contains(id));
        let fresh: Vec<(i64, i64)> = rows
            .into_iter()
            .filter(|(id, _)| !applied.contains(id))
            .collect();
        let Some(last) = fresh.iter().map(|(id, _)| *id).max() else {
            return Ok(0);
        };
        let changed: BTreeSet<i64> = fresh.iter().map(|(_, directive)| *directive).collect();
        for directive_id in &changed {
            match store.read(|c| directives::get(c, *directive_id)) {
                Ok(view) => self.index.upsert(&search_document(&view))?,
                Err(StoreError::NotFound { .. }) => self.index.delete(*directive_id)?,
                Err(e) => return Err(e.into()),
            }
        }
        self.index.commit()?;
        self.set_cursor(last.max(cursor))?;
        applied.extend(fresh.iter().map(|(id, _)| *id));
        Ok(changed.len())
    }

    /// Rebuilds the whole index from the database; returns how many directives were indexed.
    pub fn rebuild(&self, store: &Store) -> Result<usize, IndexerError> {
        let mut applied = self.pass.lock().unwrap_or_else(|p| p.into_inner());
        applied.clear();
        let last: Option<i64> = store.read(|c| {
            Ok(search_queue::table
                .select(diesel::dsl::max(search_queue::id))
                .first(c)?)
        })?;
        self.index.clear()?;
        let mut count = 0usize;
        let mut after = 0i64;
        loop {
            let ids: Vec<i64> = store.read(|c| {
                use crate::store::schema::directives::dsl as d;
                Ok(d::directives
                    .filter(d::id.gt(after))
                    .order(d::id.asc())
                    .limit(500)
                    .select(d::id)
                    .load(c)?)
            })?;
            let Some(&max) = ids.last() else { break };
            for id in ids {
                let view = store.read(|c| directives::get(c, id))?;
                self.index.add_new(&search_document(&view))?;
                count += 1;
            }
            after = max;
        }
        self.index.commit()?;
        self.set_cursor(last.unwrap_or(0))?;
        Ok(count)
    }

    /// Searches the index.
    pub fn search(&self, query: &SearchQuery) -> Result<SearchResults, IndexerError> {
        Ok(self.index.search(query)?)
    }

    /// Directives in the index.
    pub fn count(&self) -> u64 {
        self.index.count()
    }
}

/// What the index knows of a directive: the header of its first document, all its text, its tasks.
/// The agencies of tasks awaiting confirmation are left out: those tasks are not theirs yet, and
/// agency staff search within their agency's name.
pub fn search_document(view: &DirectiveView) -> SearchDocument {
    let first = view.documents.first();
    let field = |f: Option<&Option<String>>| f.and_then(|v| v.clone()).unwrap_or_default();
    let tasks = view.documents.iter().flat_map(|d| d.tasks.iter());
    let assigned = tasks
        .clone()
        .filter(|t| t.status != crate::store::tasks::TaskStatus::Draft);
    SearchDocument {
        directive_id: view.id,
        kind: field(first.map(|d| &d.kind)),
        number: field(first.map(|d| &d.number)),
        issuer: field(first.map(|d| &d.issuer)),
        issued_on: first.and_then(|d| d.issued_on),
        subject: field(first.map(|d| &d.subject)),
        text: view.repaired_text.clone(),
        original_text: view.original_text.clone(),
        lead_agencies: assigned.clone().flat_map(|t| t.lead.clone()).collect(),
        agencies: assigned.flat_map(|t| t.support.clone()).collect(),
        tasks: tasks.clone().map(|t| t.text.clone()).collect(),
        task_statuses: tasks.map(|t| t.status.as_str().to_string()).collect(),
    }
}
