//! Counting the matches of a query, with facet counts (kind, issuer, year), in one pass
//! over the matching documents without scoring them.
//!
//! The facet values of a segment's documents are read from fast fields once and kept
//! as one small code per document ([`FacetCache`]): counting a match is then one array
//! read and one increment.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::index::SegmentId;
use tantivy::postings::SegmentPostings;
use tantivy::query::Weight;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, Searcher, SegmentOrdinal, SegmentReader};

use super::schema;

/// Counts matches; with facets, also matches per kind, issuer and year.
pub struct Tally<'a> {
    /// The facet codes, when facets are counted.
    pub facets: Option<&'a FacetCache>,
}

/// The result of a [`Tally`].
#[derive(Debug, Default)]
pub struct Totals {
    /// Number of matching documents.
    pub total: usize,
    /// Matches per kind label (empty without facets).
    pub kinds: HashMap<String, u64>,
    /// Matches per issuer label.
    pub issuers: HashMap<String, u64>,
    /// Matches per year of issue.
    pub years: HashMap<i64, u64>,
}

impl Totals {
    fn absorb(&mut self, other: Totals) {
        self.total += other.total;
        for (label, n) in other.kinds {
            *self.kinds.entry(label).or_default() += n;
        }
        for (label, n) in other.issuers {
            *self.issuers.entry(label).or_default() += n;
        }
        for (year, n) in other.years {
            *self.years.entry(year).or_default() += n;
        }
    }
}

/// Facet values (kind label, issuer label, year) shared by some documents.
type Values = (Option<String>, Option<String>, Option<i64>);
/// The same, with the labels as term ordinals of the segment.
type Ordinals = (Option<u64>, Option<u64>, Option<i64>);

/// The facet values of the documents of one segment.
pub struct SegmentCodes {
    /// Code of each document: its index into `values`.
    codes: Vec<u32>,
    /// The distinct facet values of the segment.
    values: Vec<Values>,
}

impl SegmentCodes {
    fn build(reader: &SegmentReader) -> tantivy::Result<SegmentCodes> {
        let fast = reader.fast_fields();
        let kind = fast.str(schema::KIND_LABEL)?;
        let issuer = fast.str(schema::ISSUER_LABEL)?;
        let year = fast.i64(schema::ISSUED_YEAR)?;
        let ord =
            |column: &Option<StrColumn>, doc| column.as_ref().and_then(|c| c.ords().first(doc));
        let mut known: HashMap<Ordinals, u32> = HashMap::new();
        let mut keys = Vec::new();
        let mut codes = Vec::with_capacity(reader.max_doc() as usize);
        for doc in 0..reader.max_doc() {
            let key = (ord(&kind, doc), ord(&issuer, doc), year.first(doc));
            let next = u32::try_from(keys.len()).unwrap_or(u32::MAX);
            let code = *known.entry(key).or_insert_with(|| {
                keys.push(key);
                next
            });
            codes.push(code);
        }
        let label = |column: &Option<StrColumn>, ord: Option<u64>| {
            let mut label = String::new();
            let found = column
                .as_ref()
                .zip(ord)
                .map(|(c, o)| c.ord_to_str(o, &mut label));
            matches!(found, Some(Ok(true))).then_some(label)
        };
        let values = keys
            .into_iter()
            .map(|(k, i, y)| (label(&kind, k), label(&issuer, i), y))
            .collect();
        Ok(SegmentCodes { codes, values })
    }
}

/// The [`SegmentCodes`] of the segments searched, computed on first use.
#[derive(Default)]
pub struct FacetCache {
    segments: Mutex<HashMap<SegmentId, Arc<SegmentCodes>>>,
}

impl FacetCache {
    fn lock(&self) -> MutexGuard<'_, HashMap<SegmentId, Arc<SegmentCodes>>> {
        // The map is only inserted into and pruned: it stays valid after a panic.
        self.segments.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn codes(&self, reader: &SegmentReader) -> tantivy::Result<Arc<SegmentCodes>> {
        let id = reader.segment_id();
        if let Some(codes) = self.lock().get(&id) {
            return Ok(Arc::clone(codes));
        }
        let codes = Arc::new(SegmentCodes::build(reader)?);
        self.lock().insert(id, Arc::clone(&codes));
        Ok(codes)
    }

    /// Forgets the segments that `searcher` no longer has (merged or deleted).
    pub fn retain(&self, searcher: &Searcher) {
        let live: HashSet<SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(SegmentReader::segment_id)
            .collect();
        self.lock().retain(|id, _| live.contains(id));
    }
}

impl Collector for Tally<'_> {
    type Fruit = Totals;
    type Child = SegmentTally;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentTally> {
        let facets = match self.facets {
            Some(cache) => {
                let codes = cache.codes(reader)?;
                let counts = vec![0; codes.values.len()];
                Some((codes, counts))
            }
            None => None,
        };
        Ok(SegmentTally { total: 0, facets })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Totals>) -> tantivy::Result<Totals> {
        let mut all = Totals::default();
        for fruit in fruits {
            all.absorb(fruit);
        }
        Ok(all)
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Totals> {
        if self.facets.is_none() {
            // A single term without deletions is counted from its document frequency.
            let total = weight.count(reader)? as usize;
            return Ok(Totals {
                total,
                ..Totals::default()
            });
        }
        let mut tally = self.for_segment(segment, reader)?;
        match reader.alive_bitset() {
            None => weight.for_each_no_score(reader, &mut |docs| tally.collect_block(docs))?,
            Some(alive) => {
                let mut buffer = Vec::new();
                weight.for_each_no_score(reader, &mut |docs| {
                    buffer.clear();
                    buffer.extend(docs.iter().copied().filter(|d| alive.is_alive(*d)));
                    tally.collect_block(&buffer);
                })?;
            }
        }
        Ok(tally.harvest())
    }
}

/// Per-segment state of a [`Tally`]: matches, and matches per facet code.
pub struct SegmentTally {
    total: usize,
    facets: Option<(Arc<SegmentCodes>, Vec<u64>)>,
}

impl SegmentCollector for SegmentTally {
    type Fruit = Totals;

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.collect_block(&[doc]);
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        self.total += docs.len();
        if let Some((codes, counts)) = &mut self.facets {
            for doc in docs {
                let code = codes.codes.get(*doc as usize).copied().unwrap_or(u32::MAX);
                if let Some(count) = counts.get_mut(code as usize) {
                    *count += 1;
                }
            }
        }
    }

    fn harvest(self) -> Totals {
        let mut totals = Totals {
            total: self.total,
            ..Totals::default()
        };
        let Some((codes, counts)) = self.facets else {
            return totals;
        };
        for ((kind, issuer, year), n) in codes.values.iter().zip(counts) {
            if n == 0 {
                continue;
            }
            if let Some(kind) = kind {
                *totals.kinds.entry(kind.clone()).or_default() += n;
            }
            if let Some(issuer) = issuer {
                *totals.issuers.entry(issuer.clone()).or_default() += n;
            }
            if let Some(year) = year {
                *totals.years.entry(*year).or_default() += n;
            }
        }
        totals
    }
}

/// A term rarer than this fraction of a segment's documents leads an intersection by
/// skipping; when every term is more frequent, each is read into a bit set.
const DENSE_FRACTION: u32 = 32;

/// Counts, like [`Tally`], the documents that have, for every group of `groups`, one
/// of its terms.
///
/// Frequent terms (a query of common words matches most of a million directives) are
/// read into bit sets, intersected word by word: reading a posting list is cheaper
/// than seeking in it for every candidate. A rare single term leads an intersection
/// by seeking instead.
pub fn tally_terms(
    searcher: &Searcher,
    groups: &[Vec<tantivy::Term>],
    facets: Option<&FacetCache>,
) -> tantivy::Result<Totals> {
    let tally = Tally { facets };
    let segments = by_size(searcher);
    let counted = searcher.index().search_executor().map(
        |(ord, reader)| tally_segment(&tally, ord, reader, groups),
        segments.into_iter(),
    )?;
    let mut all = Totals::default();
    for totals in counted.into_iter().flatten() {
        all.absorb(totals);
    }
    Ok(all)
}

/// The segments of `searcher` with their ordinals, largest first: run in parallel, the
/// long tasks start first and the short ones fill the gaps.
fn by_size(searcher: &Searcher) -> Vec<(SegmentOrdinal, &SegmentReader)> {
    let mut segments: Vec<(SegmentOrdinal, &SegmentReader)> = searcher
        .segment_readers()
        .iter()
        .enumerate()
        .map(|(ord, reader)| (u32::try_from(ord).unwrap_or(u32::MAX), reader))
        .collect();
    segments.sort_by_key(|(_, reader)| std::cmp::Reverse(reader.max_doc()));
    segments
}

/// The [`tally_terms`] of one segment; `None` when a group has no term in it.
fn tally_segment(
    tally: &Tally<'_>,
    ord: SegmentOrdinal,
    reader: &SegmentReader,
    groups: &[Vec<tantivy::Term>],
) -> tantivy::Result<Option<Totals>> {
    let mut postings: Vec<Vec<SegmentPostings>> = Vec::with_capacity(groups.len());
    for group in groups {
        let mut any = Vec::with_capacity(group.len());
        for term in group {
            let index = reader.inverted_index(term.field())?;
            any.extend(index.read_postings(term, IndexRecordOption::Basic)?);
        }
        if any.is_empty() {
            return Ok(None);
        }
        postings.push(any);
    }
    let frequency = |any: &Vec<SegmentPostings>| -> u32 {
        any.iter()
            .map(|p| p.doc_freq())
            .fold(0, u32::saturating_add)
    };
    postings.sort_by_key(frequency);
    let mut segment = tally.for_segment(ord, reader)?;
    let alive = reader.alive_bitset();
    let mut block = Vec::with_capacity(tantivy::COLLECT_BLOCK_BUFFER_LEN);
    let mut emit = |doc: DocId, segment: &mut SegmentTally| {
        if alive.is_none_or(|a| a.is_alive(doc)) {
            block.push(doc);
            if block.len() == block.capacity() {
                segment.collect_block(&block);
                block.clear();
            }
        }
    };
    let singles = postings.iter().all(|any| any.len() == 1);
    let rare = postings
        .first()
        .is_some_and(|lead| frequency(lead).saturating_mul(DENSE_FRACTION) < reader.max_doc());
    if singles && rare {
        let mut singles: Vec<SegmentPostings> = postings.into_iter().flatten().collect();
        let Some((lead, others)) = singles.split_first_mut() else {
            return Ok(None);
        };
        let mut doc = lead.doc();
        'docs: while doc != tantivy::TERMINATED {
            for other in others.iter_mut() {
                let found = if other.doc() < doc {
                    other.seek(doc)
                } else {
                    other.doc()
                };
                if found != doc {
                    if found == tantivy::TERMINATED {
                        break 'docs;
                    }
                    doc = lead.seek(found);
                    continue 'docs;
                }
            }
            emit(doc, &mut segment);
            doc = lead.advance();
        }
    } else {
        let words = reader.max_doc().div_ceil(64) as usize;
        let mut bits: Option<Vec<u64>> = None;
        for any in &mut postings {
            let mut group = vec![0u64; words];
            for p in any.iter_mut() {
                add_docs(p, &mut group);
            }
            match &mut bits {
                None => bits = Some(group),
                Some(bits) => {
                    for (word, other) in bits.iter_mut().zip(&group) {
                        *word &= other;
                    }
                }
            }
        }
        for (i, word) in bits.unwrap_or_default().into_iter().enumerate() {
            let mut word = word;
            while word != 0 {
                let doc = (i as u32) * 64 + word.trailing_zeros();
                emit(doc, &mut segment);
                word &= word - 1;
            }
        }
    }
    segment.collect_block(&block);
    Ok(Some(segment.harvest()))
}

/// Sets the bits of the documents of `postings` in `bits`.
fn add_docs(postings: &mut SegmentPostings, bits: &mut [u64]) {
    let mut buffer = [0; tantivy::COLLECT_BLOCK_BUFFER_LEN];
    loop {
        let n = postings.fill_buffer(&mut buffer);
        for doc in buffer.iter().take(n) {
            if let Some(word) = bits.get_mut((doc / 64) as usize) {
                *word |= 1 << (doc % 64);
            }
        }
        if n < buffer.len() {
            return;
        }
    }
}
