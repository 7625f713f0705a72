//! The directive index: opening, writing and searching.

use crate::html::escape_html;
use std::ops::Bound;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use chrono::{Datelike, NaiveDate};
use tantivy::collector::TopDocs;
use tantivy::directory::MmapDirectory;
use tantivy::indexer::IndexWriterOptions;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, EnableScoring, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{
    DocAddress, DocSet, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Searcher,
    TantivyDocument, Term,
};

use super::query;
use super::schema::{self, Fields};
use super::snippet::{self, SnippetTerms};
use super::tally::{self, FacetCache, Tally, Totals};
use super::{
    FacetCounts, MAX_LIMIT, MAX_OFFSET, SearchDocument, SearchError, SearchHit, SearchQuery,
    SearchResults, SortOrder, analyzer,
};
use crate::text;

/// Indexing memory budget of each indexing thread: larger segments are flushed, and
/// fewer merges are needed.
const WRITER_MEMORY_BYTES: usize = 200_000_000;
/// Indexing threads: documents are analysed on two cores.
const WRITER_THREADS: usize = 2;
/// Segment merges run on one thread: the machine has few cores.
const MERGE_THREADS: usize = 1;
/// Length of a snippet, in characters.
const SNIPPET_CHARS: usize = 220;
/// Most values listed per facet.
const FACET_VALUES: usize = 50;
/// Deepest hit (offset + limit) ranked among candidates (see [`SearchIndex::top_pruned`]);
/// deeper pages score every match.
const RESCORE_MAX_HITS: usize = 200;
/// Candidates re-scored per hit asked for.
const CANDIDATES_PER_HIT: usize = 3;
/// Fewest candidates re-scored.
const MIN_CANDIDATES: usize = 60;

/// Most threads one search runs on: its segments are searched in parallel, so a
/// query waits for the largest segment rather than for all of them in turn.
const MAX_SEARCH_THREADS: usize = 4;

/// Threads of one search: the cores of the machine, at most [`MAX_SEARCH_THREADS`].
pub fn search_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(MAX_SEARCH_THREADS)
}

/// A hit's score and address.
type ScoredHit = (f32, DocAddress);

/// A full-text index of directives.
///
/// There is one writer per index; writes become visible to searches after
/// [`SearchIndex::commit`], which also reloads the reader (read-your-writes).
pub struct SearchIndex {
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    facets: FacetCache,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating the directory and an empty index if missing.
    ///
    /// Fails with [`SearchError::SchemaMismatch`] when the index on disk has another
    /// schema (the directory may then be deleted and the index rebuilt).
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        Self::open_with_threads(dir, search_threads())
    }

    /// Like [`SearchIndex::open`], searching each query on at most `threads` threads
    /// (one segment per thread at a time; `open` uses one per core, up to four).
    pub fn open_with_threads(dir: &Path, threads: usize) -> Result<Self, SearchError> {
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
        Self::from_index(index, fields, threads)
    }

    /// Creates an empty index in memory (tests, benchmarks).
    pub fn open_in_ram() -> Result<Self, SearchError> {
        let (schema, fields) = schema::build();
        Self::from_index(Index::create_in_ram(schema), fields, search_threads())
    }

    fn from_index(mut index: Index, fields: Fields, threads: usize) -> Result<Self, SearchError> {
        analyzer::register(&index);
        if threads > 1 {
            index.set_multithread_executor(threads)?;
        }
        let options = IndexWriterOptions::builder()
            .memory_budget_per_thread(WRITER_MEMORY_BYTES)
            .num_worker_threads(WRITER_THREADS)
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
            facets: FacetCache::default(),
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
        self.facets.retain(&self.reader.searcher());
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
            d.add_i64(f.issued_year, i64::from(day.year()));
        }

        for value in [&number, &kind, &issuer, &subject] {
            d.add_text(f.title, value);
            d.add_text(f.body, value);
            d.add_text(f.shingles, value);
        }
        let title_values = [number.as_str(), &kind, &issuer, &subject];
        d.add_text(f.title_prefixes, analyzer::beginnings(title_values));
        let mut body_values = vec![body.clone()];
        body_values.extend(doc.tasks.iter().map(|t| to_nfc(t)));
        body_values.extend(doc.lead_agencies.iter().map(|a| to_nfc(a)));
        body_values.extend(doc.agencies.iter().map(|a| to_nfc(a)));
        for value in &body_values {
            d.add_text(f.body, value);
            d.add_text(f.shingles, value);
        }
        let original = to_nfc(&doc.original_text);
        let ocr_words = if !original.trim().is_empty() && original != body {
            analyzer::novel_words(&original, &body_values)
        } else {
            String::new()
        };
        if !ocr_words.is_empty() {
            d.add_text(f.body, &ocr_words);
        }
        let searchable = title_values
            .into_iter()
            .chain(body_values.iter().map(String::as_str))
            .chain([ocr_words.as_str()]);
        d.add_text(f.prefixes, analyzer::beginnings(searchable));

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
            d.add_text(f.kind_label, label);
        }
        if let Some(label) = facet_label(&issuer) {
            d.add_text(f.issuer_label, label);
        }
        d
    }

    /// Runs `query`. Any query text is accepted: malformed syntax is read as plain words.
    pub fn search(&self, query: &SearchQuery) -> Result<SearchResults, SearchError> {
        let searcher = self.reader.searcher();
        let mut clauses = query::parse(&query.text);
        query::expand(&mut clauses, &searcher, &self.fields)?;
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
        filter: &Filters,
        relaxed: bool,
    ) -> Result<SearchResults, SearchError> {
        let f = &self.fields;
        let filters = &filter.queries();
        let text_query = (!clauses.is_empty()).then(|| query::text_query(f, clauses, relaxed));
        // What matches, without the clauses that only add to the score: counted, and
        // ordered by date, without scoring.
        let matching = conjunction(
            (!clauses.is_empty()).then(|| query::match_query(f, clauses, relaxed)),
            filters,
        );

        let top = Page {
            limit: request.limit.clamp(1, MAX_LIMIT),
            offset: request.offset.min(MAX_OFFSET),
        };
        let tally = Tally {
            facets: request.facets.then_some(&self.facets),
        };
        let by_score = match (request.sort, &text_query) {
            (SortOrder::Relevance, Some(q)) => Some(q),
            _ => None,
        };
        let (ranked, totals): (Vec<(Option<f32>, DocAddress)>, Totals) = match by_score {
            Some(text_query) => {
                // The count runs beside the top hits only when these may be found
                // without scoring every match; otherwise the scoring pass counts.
                let pruned = if !relaxed && filters.is_empty() && self.may_prune(clauses, top) {
                    self.top_and_count(searcher, text_query.as_ref(), clauses, top, || match self
                        .required_terms(clauses, filter, relaxed)
                    {
                        Some(terms) => tally::tally_terms(searcher, &terms, tally.facets),
                        None => searcher.search(&matching, &tally),
                    })?
                } else {
                    None
                };
                match pruned {
                    // The top hits were found without scoring every match, and the
                    // matches counted in a pass without scores.
                    Some((hits, totals)) => (scored_hits(hits), totals),
                    // Every match is scored: it is counted in the same pass.
                    None => {
                        let scored = conjunction(Some(text_query.box_clone()), filters);
                        let by_score = TopDocs::with_limit(top.limit)
                            .and_offset(top.offset)
                            .order_by_score();
                        let (hits, totals) = searcher.search(&scored, &(by_score, tally))?;
                        (scored_hits(hits), totals)
                    }
                }
            }
            None => {
                let order = match request.sort {
                    SortOrder::Oldest => Order::Asc,
                    SortOrder::Relevance | SortOrder::Newest => Order::Desc,
                };
                let by_day = TopDocs::with_limit(top.limit)
                    .and_offset(top.offset)
                    .order_by_fast_field::<i64>(schema::ISSUED_DAY, order);
                let (hits, totals) = searcher.search(&matching, &(by_day, tally))?;
                (unscored(hits), totals)
            }
        };

        let snippets = query::snippet_terms(clauses);
        let mut hits = Vec::with_capacity(ranked.len());
        for (score, address) in ranked {
            let doc: TantivyDocument = searcher.doc(address)?;
            hits.push(self.hit(&doc, score, &snippets));
        }
        Ok(SearchResults {
            total: totals.total,
            facets: if request.facets {
                facets(totals)
            } else {
                FacetCounts::default()
            },
            hits,
            relaxed,
        })
    }

    /// What a match must have, when it is only terms: for each group, one of its terms
    /// (a word, or a word a prefix begins). The matches are then counted by
    /// intersecting posting lists (see [`tally::tally_terms`]). `None` for a single term
    /// (its posting list is read directly) and for other queries.
    fn required_terms(
        &self,
        clauses: &[query::Clause],
        filter: &Filters,
        relaxed: bool,
    ) -> Option<Vec<Vec<Term>>> {
        if relaxed || filter.days.is_some() {
            return None;
        }
        let mut groups: Vec<Vec<Term>> = clauses
            .iter()
            .map(|c| match query::required_term(&self.fields, c) {
                Some(term) => Some(vec![term]),
                None if c.is_word_prefix() => Some(
                    c.words
                        .iter()
                        .map(|w| Term::from_field_text(self.fields.body, w))
                        .collect(),
                ),
                None => None,
            })
            .collect::<Option<_>>()?;
        groups.extend(filter.terms.iter().map(|t| vec![t.clone()]));
        (groups.len() >= 2 || groups.iter().any(|g| g.len() > 1)).then_some(groups)
    }

    /// The best hits of `text_query` (see [`SearchIndex::top_pruned`]) and the totals
    /// that `count` computes, side by side on two threads (each spreading its segments
    /// over the search pool): neither waits for the other's slowest segment. Called
    /// when [`SearchIndex::may_prune`]; `None` when too few candidates had every
    /// required term after all (the count is then dropped: the pass scoring every
    /// match counts too).
    fn top_and_count(
        &self,
        searcher: &Searcher,
        text_query: &dyn Query,
        clauses: &[query::Clause],
        page: Page,
        count: impl FnOnce() -> tantivy::Result<Totals> + Send,
    ) -> Result<Option<(Vec<ScoredHit>, Totals)>, SearchError> {
        let (hits, totals) = std::thread::scope(|scope| {
            let counting = scope.spawn(count);
            let hits = self.top_pruned(searcher, text_query, clauses, page);
            let totals = counting
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (hits, totals)
        });
        match hits? {
            Some(hits) => Ok(Some((hits, totals?))),
            None => Ok(None),
        }
    }

    /// Whether [`SearchIndex::top_pruned`] can find the best hits of `clauses` on `page`
    /// without scoring every match: one plain word or one-syllable prefix, or clauses that
    /// each require one term (see [`query::candidate_query`]) on a page no deeper than
    /// [`RESCORE_MAX_HITS`].
    fn may_prune(&self, clauses: &[query::Clause], page: Page) -> bool {
        let single = matches!(clauses, [c] if c.is_plain_word() || c.is_word_prefix());
        single
            || (page.offset + page.limit <= RESCORE_MAX_HITS
                && clauses
                    .iter()
                    .all(|c| query::required_term(&self.fields, c).is_some()))
    }

    /// The best hits of `text_query` (all of whose clauses must match), best first,
    /// when they can be found without scoring every match; `None` otherwise (prefixes,
    /// phrases of more than three syllables, deep pages).
    ///
    /// One plain word or one-syllable prefix is a union of terms, ranked skipping blocks
    /// of documents that cannot enter the top (block-max WAND). Other queries whose
    /// clauses each require one term (words, phrases of two or three syllables) are
    /// not scored on every match either: the best documents of the union of all their
    /// scoring terms (see [`query::candidate_query`]), found the same way, are the
    /// candidates; those with every required term are scored by the whole query. A
    /// document could only be missed if documents lacking a required term outscore it
    /// in the union and crowd it out of the candidates; when too few candidates are left to
    /// fill the page, every match is scored instead.
    fn top_pruned(
        &self,
        searcher: &Searcher,
        text_query: &dyn Query,
        clauses: &[query::Clause],
        page: Page,
    ) -> Result<Option<Vec<(f32, DocAddress)>>, SearchError> {
        if !self.may_prune(clauses, page) {
            return Ok(None);
        }
        let wanted = page.offset + page.limit;
        if let [clause] = clauses
            && (clause.is_plain_word() || clause.is_word_prefix())
        {
            let top = TopDocs::with_limit(page.limit).and_offset(page.offset);
            return Ok(Some(searcher.search(text_query, &top.order_by_score())?));
        }
        let Some((required, union)) = query::candidate_query(&self.fields, clauses) else {
            return Ok(None);
        };
        let best = searcher.search(
            union.as_ref(),
            &TopDocs::with_limit((wanted * CANDIDATES_PER_HIT).max(MIN_CANDIDATES))
                .order_by_score(),
        )?;
        let mut candidates: Vec<DocAddress> = best.into_iter().map(|(_, a)| a).collect();
        candidates.sort_unstable();
        let leaves = query::score_parts(&self.fields, clauses);
        let mut scored = rescore(searcher, &required, &leaves, &candidates)?;
        if scored.len() < wanted {
            // Too few candidates have every required term to fill the page: the matches are
            // scored one by one instead, so a page is never short while matches remain.
            return Ok(None);
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        Ok(Some(
            scored
                .into_iter()
                .skip(page.offset)
                .take(page.limit)
                .collect(),
        ))
    }

    fn hit(&self, doc: &TantivyDocument, score: Option<f32>, snippets: &SnippetTerms) -> SearchHit {
        let f = &self.fields;
        let text_of = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let body = text_of(f.text);
        let snippet = snippet::snippet(&body, snippets, SNIPPET_CHARS)
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

    fn filters(&self, q: &SearchQuery) -> Filters {
        let f = &self.fields;
        let mut filters = Filters::default();
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
                filters.terms.push(term);
            }
        }

        if let (Some(year), None, None) = (q.year, q.issued_from, q.issued_to) {
            // A year alone is one term, which intersects faster than a range of days.
            let term = Term::from_field_i64(f.issued_year, i64::from(year));
            filters.terms.push(term);
            return filters;
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
            filters.days = Some(RangeQuery::new(bound(lower), bound(upper)));
        }
        filters
    }
}

/// The filters of a search: terms every hit has, and a range of issue days.
#[derive(Default)]
struct Filters {
    terms: Vec<Term>,
    days: Option<RangeQuery>,
}

impl Filters {
    fn queries(&self) -> Vec<Box<dyn Query>> {
        let mut queries: Vec<Box<dyn Query>> = self
            .terms
            .iter()
            .map(|t| Box::new(TermQuery::new(t.clone(), IndexRecordOption::Basic)) as _)
            .collect();
        queries.extend(
            self.days
                .iter()
                .map(|q| Box::new(q.clone()) as Box<dyn Query>),
        );
        queries
    }
}

/// A page of hits.
#[derive(Clone, Copy, Debug)]
struct Page {
    limit: usize,
    offset: usize,
}

/// The `candidates` (sorted) that have every `required` term, with the sums of the
/// scores of the `leaves` of their query, each read by seeking its own scorer.
fn rescore(
    searcher: &Searcher,
    required: &[Term],
    leaves: &[Box<dyn Query>],
    candidates: &[DocAddress],
) -> Result<Vec<(f32, DocAddress)>, SearchError> {
    let weights = leaves
        .iter()
        .map(|q| q.weight(EnableScoring::enabled_from_searcher(searcher)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut segments: Vec<&[DocAddress]> = candidates
        .chunk_by(|a, b| a.segment_ord == b.segment_ord)
        .collect();
    segments.sort_by_key(|segment| std::cmp::Reverse(segment.len()));
    let scored = searcher.index().search_executor().map(
        |segment| rescore_segment(searcher, required, &weights, segment),
        segments.into_iter(),
    )?;
    Ok(scored.into_iter().flatten().collect())
}

/// The [`rescore`] of the candidates of one segment (`segment`, in document order).
fn rescore_segment(
    searcher: &Searcher,
    required: &[Term],
    weights: &[Box<dyn tantivy::query::Weight>],
    segment: &[DocAddress],
) -> tantivy::Result<Vec<(f32, DocAddress)>> {
    let Some(first) = segment.first() else {
        return Ok(Vec::new());
    };
    let reader = searcher.segment_reader(first.segment_ord);
    let mut matching = vec![true; segment.len()];
    for term in required {
        let index = reader.inverted_index(term.field())?;
        let Some(mut postings) = index.read_postings(term, IndexRecordOption::Basic)? else {
            return Ok(Vec::new());
        };
        for (address, matches) in segment.iter().zip(matching.iter_mut()) {
            let doc = address.doc_id;
            *matches &= postings.doc() <= doc && postings.seek(doc) == doc;
        }
    }
    let mut scores = vec![0f32; segment.len()];
    for weight in weights {
        let mut scorer = weight.scorer(reader, 1.0)?;
        for (address, score) in segment.iter().zip(scores.iter_mut()) {
            let doc = address.doc_id;
            if scorer.doc() <= doc && scorer.seek(doc) == doc {
                *score += scorer.score();
            }
        }
    }
    Ok(scores
        .into_iter()
        .zip(segment.iter().copied())
        .zip(&matching)
        .filter(|(_, matches)| **matches)
        .map(|(hit, _)| hit)
        .collect())
}

/// `text` (if any) and every filter; all documents when there is neither.
fn conjunction(text: Option<Box<dyn Query>>, filters: &[Box<dyn Query>]) -> Box<dyn Query> {
    if filters.is_empty() {
        return text.unwrap_or_else(|| Box::new(AllQuery));
    }
    let mut parts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    parts.extend(text.map(|q| (Occur::Must, q)));
    for filter in filters {
        parts.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(filter.box_clone(), 0.0)),
        ));
    }
    Box::new(BooleanQuery::new(parts))
}

fn scored_hits(hits: Vec<(f32, DocAddress)>) -> Vec<(Option<f32>, DocAddress)> {
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

/// A facet label: NFC text without control characters, white space collapsed, at most
/// 200 characters.
fn facet_label(value: &str) -> Option<String> {
    let label: String = value
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let label = label.split_whitespace().collect::<Vec<_>>().join(" ");
    (!label.is_empty()).then_some(label)
}

/// The facet counts shown: the most frequent kinds and issuers (ties by name), and
/// every year, newest first.
fn facets(totals: Totals) -> FacetCounts {
    let top = |counts: std::collections::HashMap<String, u64>| -> Vec<(String, u64)> {
        let mut counts: Vec<(String, u64)> = counts.into_iter().collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        counts.truncate(FACET_VALUES);
        counts
    };
    let mut years: Vec<(i32, u64)> = totals
        .years
        .into_iter()
        .filter_map(|(year, n)| i32::try_from(year).ok().map(|y| (y, n)))
        .collect();
    years.sort_by_key(|y| std::cmp::Reverse(y.0));
    FacetCounts {
        kinds: top(totals.kinds),
        issuers: top(totals.issuers),
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
