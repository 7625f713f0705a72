//! The directive index: opening, writing and searching.

use crate::html::escape_html;
use std::ops::Bound;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use chrono::{Datelike, NaiveDate};
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::indexer::IndexWriterOptions;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Facet, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Searcher, TantivyDocument,
    Term,
};

use super::query;
use super::schema::{self, Fields};
use super::{
    FacetCounts, MAX_LIMIT, MAX_OFFSET, SearchDocument, SearchError, SearchHit, SearchQuery,
    SearchResults, SortOrder, analyzer,
};
use crate::text;

/// Indexing memory budget (one indexing thread).
const WRITER_MEMORY_BYTES: usize = 64_000_000;
/// Segment merges run on one thread: the machine has few cores.
const MERGE_THREADS: usize = 1;
/// Length of a snippet, in characters.
const SNIPPET_CHARS: usize = 220;
/// Most values listed per facet.
const FACET_VALUES: usize = 50;

/// A full-text index of directives.
///
/// There is one writer per index; writes become visible to searches after
/// [`SearchIndex::commit`], which also reloads the reader (read-your-writes).
pub struct SearchIndex {
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating the directory and an empty index if missing.
    ///
    /// Fails with [`SearchError::SchemaMismatch`] when the index on disk has another
    /// schema (the directory may then be deleted and the index rebuilt).
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = schema::build();
        let directory = MmapDirectory::open(dir)?;
        let index = if Index::exists(&directory).map_err(tantivy::TantivyError::from)? {
            let index = Index::open(directory)?;
            if index.schema() != schema {
                return Err(SearchError::SchemaMismatch(dir.to_path_buf()));
            }
            index
        } else {
            Index::create(directory, schema, tantivy::IndexSettings::default())?
        };
        Self::from_index(index, fields)
    }

    /// Creates an empty index in memory (tests, benchmarks).
    pub fn open_in_ram() -> Result<Self, SearchError> {
        let (schema, fields) = schema::build();
        Self::from_index(Index::create_in_ram(schema), fields)
    }

    fn from_index(index: Index, fields: Fields) -> Result<Self, SearchError> {
        analyzer::register(&index);
        let options = IndexWriterOptions::builder()
            .memory_budget_per_thread(WRITER_MEMORY_BYTES)
            .num_worker_threads(1)
            .num_merge_threads(MERGE_THREADS)
            .build();
        let writer = index.writer_with_options(options)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            reader,
            writer: Mutex::new(writer),
            fields,
        })
    }

    fn writer(&self) -> Result<MutexGuard<'_, IndexWriter>, SearchError> {
        self.writer.lock().map_err(|_| SearchError::WriterPoisoned)
    }

    /// Adds `doc`, replacing any earlier version of the same directive (after commit).
    pub fn upsert(&self, doc: &SearchDocument) -> Result<(), SearchError> {
        let tantivy_doc = self.to_tantivy(doc);
        let writer = self.writer()?;
        writer.delete_term(self.id_term(doc.directive_id));
        writer.add_document(tantivy_doc)?;
        Ok(())
    }

    /// Adds `doc` without first removing an earlier version: only for directives known
    /// not to be in the index, as in a full rebuild after [`SearchIndex::clear`]. It
    /// spares the deletion lookups that make [`SearchIndex::upsert`] slower in bulk.
    pub fn add_new(&self, doc: &SearchDocument) -> Result<(), SearchError> {
        let tantivy_doc = self.to_tantivy(doc);
        self.writer()?.add_document(tantivy_doc)?;
        Ok(())
    }

    /// Removes a directive (after commit).
    pub fn delete(&self, directive_id: i64) -> Result<(), SearchError> {
        self.writer()?.delete_term(self.id_term(directive_id));
        Ok(())
    }

    /// Removes every directive (after commit), for a full reindex.
    pub fn clear(&self) -> Result<(), SearchError> {
        self.writer()?.delete_all_documents()?;
        Ok(())
    }

    /// Makes all earlier writes durable and visible to the following searches.
    pub fn commit(&self) -> Result<(), SearchError> {
        self.writer()?.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Number of directives visible to searches.
    pub fn count(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Size of the index files in bytes.
    pub fn size_bytes(&self) -> Result<u64, SearchError> {
        let usage = self.reader.searcher().space_usage()?;
        Ok(usage.total().get_bytes())
    }

    fn id_term(&self, directive_id: i64) -> Term {
        Term::from_field_i64(self.fields.directive_id, directive_id)
    }

    fn to_tantivy(&self, doc: &SearchDocument) -> TantivyDocument {
        let f = &self.fields;
        let mut d = TantivyDocument::default();
        let number = to_nfc(doc.number.trim());
        let kind = to_nfc(doc.kind.trim());
        let issuer = to_nfc(doc.issuer.trim());
        let subject = to_nfc(doc.subject.trim());
        let body = to_nfc(&doc.text);

        d.add_i64(f.directive_id, doc.directive_id);
        d.add_text(f.number, &number);
        d.add_text(f.kind, &kind);
        d.add_text(f.issuer, &issuer);
        d.add_text(f.subject, &subject);
        d.add_text(f.text, &body);
        if let Some(day) = doc.issued_on {
            d.add_i64(f.issued_day, day_number(day));
            d.add_facet(
                f.facets,
                Facet::from_path(["year", &day.year().to_string()]),
            );
        }

        for value in [&number, &kind, &issuer, &subject] {
            d.add_text(f.title, value);
            d.add_text(f.body, value);
            d.add_text(f.pairs, value);
        }
        let mut body_values = vec![body.clone()];
        body_values.extend(doc.tasks.iter().map(|t| to_nfc(t)));
        body_values.extend(doc.lead_agencies.iter().map(|a| to_nfc(a)));
        body_values.extend(doc.agencies.iter().map(|a| to_nfc(a)));
        for value in &body_values {
            d.add_text(f.body, value);
            d.add_text(f.pairs, value);
        }
        let original = to_nfc(&doc.original_text);
        if !original.trim().is_empty() && original != body {
            let ocr_words = analyzer::novel_words(&original, &body_values);
            if !ocr_words.is_empty() {
                d.add_text(f.body, ocr_words);
            }
        }

        if !number.is_empty() {
            d.add_text(f.number_key, analyzer::number_key(&number));
        }
        add_key(&mut d, f.kind_key, &kind);
        add_key(&mut d, f.issuer_key, &issuer);
        for agency in doc.lead_agencies.iter() {
            add_key(&mut d, f.lead_agency_key, agency);
        }
        for agency in doc.lead_agencies.iter().chain(&doc.agencies) {
            add_key(&mut d, f.agency_key, agency);
        }
        for status in &doc.task_statuses {
            add_key(&mut d, f.status_key, status);
        }
        if let Some(label) = facet_label(&kind) {
            d.add_facet(f.facets, Facet::from_path(["kind", &label]));
        }
        if let Some(label) = facet_label(&issuer) {
            d.add_facet(f.facets, Facet::from_path(["issuer", &label]));
        }
        d
    }

    /// Runs `query`. Any query text is accepted: malformed syntax is read as plain words.
    pub fn search(&self, query: &SearchQuery) -> Result<SearchResults, SearchError> {
        let searcher = self.reader.searcher();
        let clauses = query::parse(&query.text);
        let filters = self.filters(query);

        let mut results = self.run(&searcher, query, &clauses, &filters, false)?;
        if results.total == 0 && clauses.len() >= 2 {
            results = self.run(&searcher, query, &clauses, &filters, true)?;
            results.relaxed = true;
        }
        Ok(results)
    }

    fn run(
        &self,
        searcher: &Searcher,
        request: &SearchQuery,
        clauses: &[query::Clause],
        filters: &[Box<dyn Query>],
        relaxed: bool,
    ) -> Result<SearchResults, SearchError> {
        let f = &self.fields;
        let text_query = (!clauses.is_empty()).then(|| query::text_query(f, clauses, relaxed));
        let mut parts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(q) = &text_query {
            parts.push((Occur::Must, q.box_clone()));
        }
        for filter in filters {
            parts.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(filter.box_clone(), 0.0)),
            ));
        }
        let full: Box<dyn Query> = if parts.is_empty() {
            Box::new(AllQuery)
        } else {
            Box::new(BooleanQuery::new(parts))
        };

        let limit = request.limit.clamp(1, MAX_LIMIT);
        let offset = request.offset.min(MAX_OFFSET);
        let top = TopDocs::with_limit(limit).and_offset(offset);
        let order = match (request.sort, text_query.is_some()) {
            (SortOrder::Relevance, true) => None,
            (SortOrder::Oldest, _) => Some(Order::Asc),
            _ => Some(Order::Desc),
        };
        let mut facet_collector = FacetCollector::for_field("facets");
        for facet in ["/kind", "/issuer", "/year"] {
            facet_collector.add_facet(facet);
        }

        let (ranked, total, facet_counts): (Vec<(Option<f32>, DocAddress)>, usize, _) = match order
        {
            None => {
                let by_score = top.order_by_score();
                if request.facets {
                    let (hits, total, facets) =
                        searcher.search(&full, &(by_score, Count, facet_collector))?;
                    (scored(hits), total, Some(facets))
                } else {
                    let (hits, total) = searcher.search(&full, &(by_score, Count))?;
                    (scored(hits), total, None)
                }
            }
            Some(order) => {
                let by_day = top.order_by_fast_field::<i64>(schema::ISSUED_DAY, order);
                if request.facets {
                    let (hits, total, facets) =
                        searcher.search(&full, &(by_day, Count, facet_collector))?;
                    (unscored(hits), total, Some(facets))
                } else {
                    let (hits, total) = searcher.search(&full, &(by_day, Count))?;
                    (unscored(hits), total, None)
                }
            }
        };

        let snippets = match &text_query {
            Some(q) => {
                let mut generator = SnippetGenerator::create(searcher, q.as_ref(), f.body)?;
                generator.set_max_num_chars(SNIPPET_CHARS);
                Some(generator)
            }
            None => None,
        };
        let mut hits = Vec::with_capacity(ranked.len());
        for (score, address) in ranked {
            let doc: TantivyDocument = searcher.doc(address)?;
            hits.push(self.hit(&doc, score, snippets.as_ref()));
        }
        Ok(SearchResults {
            total,
            hits,
            facets: facet_counts.map(|c| facets(&c)).unwrap_or_default(),
            relaxed,
        })
    }

    fn hit(
        &self,
        doc: &TantivyDocument,
        score: Option<f32>,
        snippets: Option<&SnippetGenerator>,
    ) -> SearchHit {
        let f = &self.fields;
        let text_of = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let body = text_of(f.text);
        let snippet = snippets
            .map(|g| g.snippet(&body))
            .filter(|s| !s.is_empty())
            .map(|s| s.to_html())
            .unwrap_or_else(|| plain_snippet(&body));
        SearchHit {
            directive_id: doc
                .get_first(f.directive_id)
                .and_then(|v| v.as_i64())
                .unwrap_or_default(),
            number: text_of(f.number),
            kind: text_of(f.kind),
            issuer: text_of(f.issuer),
            issued_on: doc
                .get_first(f.issued_day)
                .and_then(|v| v.as_i64())
                .and_then(date_of_day_number),
            subject: text_of(f.subject),
            snippet,
            score,
        }
    }

    fn filters(&self, q: &SearchQuery) -> Vec<Box<dyn Query>> {
        let f = &self.fields;
        let mut filters: Vec<Box<dyn Query>> = Vec::new();
        let keyed = [
            (f.kind_key, &q.kind),
            (f.issuer_key, &q.issuer),
            (f.agency_key, &q.agency),
            (f.lead_agency_key, &q.lead_agency),
            (f.status_key, &q.status),
        ];
        for (field, value) in keyed {
            if let Some(value) = value {
                let term = Term::from_field_text(field, &analyzer::filter_key(value));
                filters.push(Box::new(TermQuery::new(term, IndexRecordOption::Basic)));
            }
        }

        let mut lower = q.issued_from.map(day_number);
        let mut upper = q.issued_to.map(day_number);
        if let Some(year) = q.year {
            let (first, last) = year_bounds(year);
            lower = Some(lower.map_or(first, |l| l.max(first)));
            upper = Some(upper.map_or(last, |u| u.min(last)));
        }
        if lower.is_some() || upper.is_some() {
            let bound = |day: Option<i64>| match day {
                Some(day) => Bound::Included(Term::from_field_i64(f.issued_day, day)),
                None => Bound::Unbounded,
            };
            filters.push(Box::new(RangeQuery::new(bound(lower), bound(upper))));
        }
        filters
    }
}

fn scored(hits: Vec<(f32, DocAddress)>) -> Vec<(Option<f32>, DocAddress)> {
    hits.into_iter().map(|(s, a)| (Some(s), a)).collect()
}

fn unscored(hits: Vec<(Option<i64>, DocAddress)>) -> Vec<(Option<f32>, DocAddress)> {
    hits.into_iter().map(|(_, a)| (None, a)).collect()
}

fn add_key(doc: &mut TantivyDocument, field: tantivy::schema::Field, value: &str) {
    let key = analyzer::filter_key(value);
    if !key.is_empty() {
        doc.add_text(field, key);
    }
}

/// A facet path component: NFC text without control characters (the facet separator
/// is a control character), at most 200 characters.
fn facet_label(value: &str) -> Option<String> {
    let label: String = value
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let label = label.split_whitespace().collect::<Vec<_>>().join(" ");
    (!label.is_empty()).then_some(label)
}

fn facets(counts: &tantivy::collector::FacetCounts) -> FacetCounts {
    let labelled = |root: &str| -> Vec<(String, u64)> {
        counts
            .top_k(root, FACET_VALUES)
            .into_iter()
            .filter_map(|(facet, n)| facet.to_path().last().map(|s| (s.to_string(), n)))
            .collect()
    };
    let mut years: Vec<(i32, u64)> = counts
        .get("/year")
        .filter_map(|(facet, n)| {
            facet
                .to_path()
                .last()
                .and_then(|s| s.parse().ok())
                .map(|y| (y, n))
        })
        .collect();
    years.sort_by_key(|y| std::cmp::Reverse(y.0));
    FacetCounts {
        kinds: labelled("/kind"),
        issuers: labelled("/issuer"),
        years,
    }
}

/// Days since 0001-01-01 (day 1), as stored in the index.
fn day_number(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce())
}

fn date_of_day_number(day: i64) -> Option<NaiveDate> {
    i32::try_from(day)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
}

/// First and last day number of `year`; an empty range when the year is out of range.
fn year_bounds(year: i32) -> (i64, i64) {
    match (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) {
        (Some(first), Some(last)) => (day_number(first), day_number(last)),
        _ => (1, 0),
    }
}

/// `s` in NFC; text that is already NFC (the usual case) is only checked, not rebuilt.
fn to_nfc(s: &str) -> String {
    match unicode_normalization::is_nfc_quick(s.chars()) {
        unicode_normalization::IsNormalized::Yes => s.to_string(),
        _ => text::nfc(s),
    }
}

/// The beginning of `text`, escaped, when no match can be highlighted.
fn plain_snippet(text: &str) -> String {
    let mut fragment: String = text.chars().take(SNIPPET_CHARS).collect();
    if fragment.len() < text.len() {
        fragment.push('…');
    }
    escape_html(
        fragment
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .as_str(),
    )
}
