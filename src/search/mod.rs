//! Vietnamese-aware full-text search over directives (tantivy).
//!
//! One index document per directive: the directive's documents, tasks and agencies are
//! folded into it, so a hit is a directive and filters on agencies and task statuses
//! apply at directive level. Every syllable is indexed in two forms at one position,
//! without diacritics (folded) and, when it differs, with them (exact); a query must
//! match the folded form and exact matches score higher, so "đường" finds "đường"
//! before "dương" while "duong" finds both. Folded syllable pairs and triples are
//! indexed too, so phrases and adjacent words are found without reading positions of
//! common syllables (the syllables themselves are indexed without positions). The words of the text as received (possibly OCR-damaged) that the
//! repaired text lacks are indexed as well, so an OCR spelling still finds its directive.
//!
//! The module knows nothing of the database: callers feed it [`SearchDocument`]s and
//! call [`SearchIndex::commit`] to make them visible.

mod analyzer;
pub mod bench;
mod index;
mod query;
mod schema;
mod snippet;
pub mod synthetic;
mod tally;
#[cfg(test)]
mod tests;

use chrono::NaiveDate;

pub use index::SearchIndex;

/// Errors of the search index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The index engine failed (I/O, corrupt segment, ...).
    #[error("search index error: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// The index directory cannot be opened.
    #[error("cannot open search index directory: {0}")]
    Directory(#[from] tantivy::directory::error::OpenDirectoryError),
    /// A file system operation on the index directory failed.
    #[error("search index I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The index on disk was built with another schema; delete the directory and reindex.
    #[error("search index at {0} has an outdated schema: delete it and reindex")]
    SchemaMismatch(std::path::PathBuf),
    /// Another thread panicked while holding the index writer.
    #[error("search index writer is unusable after a failure in another thread")]
    WriterPoisoned,
}

/// Everything searchable about one directive.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchDocument {
    /// Directive id (primary key in the store); one index document per directive.
    pub directive_id: i64,
    /// Kind of directive ("Thông báo", "Công văn", "Kế hoạch", "Quyết định", ...).
    pub kind: String,
    /// Document number as written ("299/TB-VPCP").
    pub number: String,
    /// Issuing body ("Văn phòng Chính phủ").
    pub issuer: String,
    /// Date of issue.
    pub issued_on: Option<NaiveDate>,
    /// Subject line ("V/v thực hiện Thông báo số ...").
    pub subject: String,
    /// Repaired full text of the directive's documents (shown in snippets).
    pub text: String,
    /// Text as received, possibly OCR-damaged; its words that `text` lacks are indexed.
    pub original_text: String,
    /// Lead agencies ("chủ trì") of the directive's tasks.
    pub lead_agencies: Vec<String>,
    /// Cooperating agencies ("phối hợp") of the directive's tasks.
    pub agencies: Vec<String>,
    /// Task descriptions.
    pub tasks: Vec<String>,
    /// Statuses of the directive's tasks ("open", "done", ...).
    pub task_statuses: Vec<String>,
}

/// Order of the hits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    /// Best match first; newest first when the query has no words.
    #[default]
    Relevance,
    /// Newest issue date first.
    Newest,
    /// Oldest issue date first.
    Oldest,
}

/// A search request. Filters compare case-, accent- and spacing-insensitively.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchQuery {
    /// User query text (words, "phrases", prefix*, document numbers); may be empty.
    pub text: String,
    /// Only directives of this kind.
    pub kind: Option<String>,
    /// Only directives from this issuer.
    pub issuer: Option<String>,
    /// Only directives with a task for this agency (lead or cooperating).
    pub agency: Option<String>,
    /// Only directives with a task led by this agency.
    pub lead_agency: Option<String>,
    /// Only directives with a task in this status.
    pub status: Option<String>,
    /// Only directives issued in this year.
    pub year: Option<i32>,
    /// Only directives issued on or after this day.
    pub issued_from: Option<NaiveDate>,
    /// Only directives issued on or before this day.
    pub issued_to: Option<NaiveDate>,
    /// Order of the hits.
    pub sort: SortOrder,
    /// Number of hits to return (capped at [`MAX_LIMIT`]).
    pub limit: usize,
    /// Number of hits to skip (capped at [`MAX_OFFSET`]).
    pub offset: usize,
    /// Compute facet counts (kind, issuer, year) over all matches.
    pub facets: bool,
}

/// Most hits returned by one search.
pub const MAX_LIMIT: usize = 200;
/// Deepest page offset served.
pub const MAX_OFFSET: usize = 10_000;

impl Default for SearchQuery {
    fn default() -> Self {
        Self {
            text: String::new(),
            kind: None,
            issuer: None,
            agency: None,
            lead_agency: None,
            status: None,
            year: None,
            issued_from: None,
            issued_to: None,
            sort: SortOrder::Relevance,
            limit: 20,
            offset: 0,
            facets: true,
        }
    }
}

impl SearchQuery {
    /// A query for `text` with default paging and no filters.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }
}

/// One matching directive.
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct SearchHit {
    /// Directive id.
    pub directive_id: i64,
    /// Document number.
    pub number: String,
    /// Kind of directive.
    pub kind: String,
    /// Issuer.
    pub issuer: String,
    /// Date of issue.
    pub issued_on: Option<NaiveDate>,
    /// Subject line.
    pub subject: String,
    /// HTML fragment of the text with matches in `<b>…</b>`; all text is escaped.
    pub snippet: String,
    /// Relevance score (absent when ordered by date).
    pub score: Option<f32>,
}

/// Number of matches per value of a facet.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct FacetCounts {
    /// Matches per kind, most frequent first.
    pub kinds: Vec<(String, u64)>,
    /// Matches per issuer, most frequent first.
    pub issuers: Vec<(String, u64)>,
    /// Matches per year of issue, newest first.
    pub years: Vec<(i32, u64)>,
}

/// The answer to a [`SearchQuery`].
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct SearchResults {
    /// Total number of matching directives.
    pub total: usize,
    /// The requested page of hits.
    pub hits: Vec<SearchHit>,
    /// Facet counts over all matches (empty unless requested).
    pub facets: FacetCounts,
    /// No directive contained every word, so directives with any of them are shown.
    pub relaxed: bool,
}
