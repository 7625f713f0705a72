//! The best hits of a query of required terms with optional scoring terms, found
//! exactly without scoring every match.
//!
//! Queries of several common words match most directives of a large index, and so do
//! their unions; scoring every match, or ranking the union of all scoring terms by
//! block-max WAND, reads most of every posting list. Here the required terms are
//! intersected block by block, and a window of documents is skipped whole when the
//! sum of the best scores its blocks can give (the block maxima that tantivy keeps for
//! every block of 128 documents) cannot enter the top hits; inside a window, a match is
//! scored only when its required terms' scores, plus the block maxima of the optional
//! terms, can still enter. This is block-max pruning of a conjunction ("block-max AND")
//! with optional terms, which tantivy applies to pure conjunctions of terms only.
//!
//! The scores are those of the whole query: the sum of the required terms' scores, of
//! the optional terms a document has, and of the title phrases it has, each scored by
//! its own query and bounded by the sum of its words' scores (a phrase occurs no more
//! often than any of its words, and scores with the sum of their idf).
//!
//! As for tantivy's own block-max WAND, a block maximum is computed with the average
//! field length of its segment; with several segments it can, in rare cases, be a
//! little lower than the true maximum with the index-wide average.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::BlockSegmentPostings;
use tantivy::query::{Bm25Weight, EnableScoring, Query, Scorer};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED, Term};

/// A query whose matches have every one of some terms, in the terms that score it.
pub struct TermPlan {
    /// The terms every match has: each scores with weight 1.
    pub required: Vec<Term>,
    /// Terms that add their score, times their weight, to a match that has them.
    pub optional: Vec<(Term, f32)>,
    /// Queries (title phrases) that add their score to a match they find, each with the
    /// terms and weights whose scores bound its score.
    pub phrases: Vec<(Box<dyn Query>, Vec<(Term, f32)>)>,
}

/// Relative margin on bounds, for sums of the same scores taken in another order.
const BOUND_MARGIN: f32 = 1.0 + 1e-5;

/// The `limit` best matches of `plan`, best first (ties by address), with their scores.
pub fn top_hits(
    searcher: &Searcher,
    plan: &TermPlan,
    limit: usize,
) -> tantivy::Result<Vec<(Score, DocAddress)>> {
    let weight = |term: &Term, boost: f32| -> tantivy::Result<Bm25Weight> {
        Ok(Bm25Weight::for_terms(searcher, std::slice::from_ref(term))?.boost_by(boost))
    };
    let required = plan
        .required
        .iter()
        .map(|t| Ok((t.clone(), weight(t, 1.0)?)))
        .collect::<tantivy::Result<Vec<_>>>()?;
    // Optional terms, then the terms that only bound a phrase.
    let mut optional = Vec::new();
    for (term, boost) in &plan.optional {
        optional.push((term.clone(), weight(term, *boost)?, Role::Scores));
    }
    for (_, bounds) in &plan.phrases {
        for (term, boost) in bounds {
            optional.push((term.clone(), weight(term, *boost)?, Role::Bounds));
        }
    }
    let phrases = plan
        .phrases
        .iter()
        .map(|(query, _)| query.weight(EnableScoring::enabled_from_searcher(searcher)))
        .collect::<tantivy::Result<Vec<_>>>()?;

    let mut top = TopHits::new(limit);
    if limit == 0 || required.is_empty() {
        return Ok(Vec::new());
    }
    'segments: for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let mut cursors = Vec::with_capacity(required.len());
        for (term, weight) in &required {
            match Cursor::open(reader, term, weight.clone(), Role::Scores)? {
                Some(cursor) => cursors.push(cursor),
                None => continue 'segments,
            }
        }
        cursors.sort_by_key(Cursor::doc_freq);
        let mut others = Vec::with_capacity(optional.len());
        for (term, weight, role) in &optional {
            others.extend(Cursor::open(reader, term, weight.clone(), *role)?);
        }
        others.sort_by(|a, b| a.max_score().total_cmp(&b.max_score()));
        let mut phrase_scorers = phrases
            .iter()
            .map(|w| w.scorer(reader, 1.0))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let segment = Segment {
            ord: u32::try_from(ord).unwrap_or(u32::MAX),
            reader,
        };
        segment.collect(&mut cursors, &mut others, &mut phrase_scorers, &mut top);
    }
    Ok(top.into_sorted())
}

/// What an optional cursor's score is for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Part of the score.
    Scores,
    /// Only part of the bound of a phrase's score.
    Bounds,
}

struct Segment<'a> {
    ord: u32,
    reader: &'a SegmentReader,
}

impl Segment<'_> {
    /// Offers every match of the segment that may enter `top`. `optional` is sorted by
    /// the best score each term can give, lowest first.
    fn collect(
        &self,
        required: &mut [Cursor],
        optional: &mut [Cursor],
        phrases: &mut [Box<dyn Scorer>],
        top: &mut TopHits,
    ) {
        let Some((lead, others)) = required.split_first_mut() else {
            return;
        };
        let required_max = lead.max_score() + others.iter().map(Cursor::max_score).sum::<Score>();
        // The best that the first i optional terms can add together.
        let mut optional_max = vec![0.0; optional.len() + 1];
        for (i, cursor) in optional.iter().enumerate() {
            optional_max[i + 1] = optional_max[i] + cursor.max_score();
        }
        let mut doc = lead.doc();
        while doc != TERMINATED {
            // A match with none of the optional terms past the first `minor` cannot
            // enter: only the documents of those terms need to be looked at (MaxScore).
            let minor = optional_max
                .iter()
                .rposition(|m| !top.may_enter((required_max + m) * BOUND_MARGIN))
                .unwrap_or(0);
            doc = if minor == 0 {
                self.window(doc, lead, others, optional, phrases, top)
            } else {
                let all = optional_max.last().copied().unwrap_or(0.0);
                self.major(doc, minor, all, lead, others, optional, phrases, top)
            };
        }
    }

    /// Offers the matches from `doc` on up to the end of the first of the current
    /// blocks of all terms, unless the sum of the blocks' best scores cannot enter
    /// `top`; returns the next document to look at.
    fn window(
        &self,
        doc: DocId,
        lead: &mut Cursor,
        others: &mut [Cursor],
        optional: &mut [Cursor],
        phrases: &mut [Box<dyn Scorer>],
        top: &mut TopHits,
    ) -> DocId {
        let first = lead.seek(doc);
        let mut doc = align(lead, others, first);
        if doc == TERMINATED {
            return TERMINATED;
        }
        // `doc` has every required term. Each block maximum holds up to `end`.
        let mut end = lead.last_in_block();
        let mut required_bound = lead.block_max();
        for cursor in others.iter_mut() {
            end = end.min(cursor.last_in_block());
            required_bound += cursor.block_max();
        }
        let mut optional_bound = 0.0;
        for cursor in optional.iter_mut() {
            if cursor.seek(doc) != TERMINATED {
                end = end.min(cursor.last_in_block());
                optional_bound += cursor.block_max();
            }
        }
        let next = end.saturating_add(1);
        if !top.may_enter((required_bound + optional_bound) * BOUND_MARGIN) {
            return next;
        }
        let alive = self.reader.alive_bitset();
        while doc <= end {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                self.offer(doc, lead, others, optional, optional_bound, phrases, top);
            }
            doc = lead.advance();
            if doc > end {
                return doc;
            }
            doc = align(lead, others, doc);
        }
        doc.max(next)
    }

    /// Offers the next match from `doc` on that has one of the optional terms past the
    /// first `minor`, when it has every required term; returns the next document to
    /// look at. `all` is the best that all optional terms can add together.
    #[allow(clippy::too_many_arguments)]
    fn major(
        &self,
        doc: DocId,
        minor: usize,
        all: Score,
        lead: &mut Cursor,
        others: &mut [Cursor],
        optional: &mut [Cursor],
        phrases: &mut [Box<dyn Scorer>],
        top: &mut TopHits,
    ) -> DocId {
        let candidate = optional
            .iter_mut()
            .skip(minor)
            .map(|cursor| cursor.seek(doc))
            .min()
            .unwrap_or(TERMINATED);
        if candidate == TERMINATED {
            return TERMINATED;
        }
        let mut next = lead.seek(candidate);
        for cursor in others.iter_mut() {
            next = next.max(cursor.seek(candidate));
        }
        if next != candidate {
            // No document before `next` has every required term.
            return next;
        }
        if self
            .reader
            .alive_bitset()
            .is_none_or(|a| a.is_alive(candidate))
        {
            self.offer(candidate, lead, others, optional, all, phrases, top);
        }
        candidate.saturating_add(1)
    }

    /// Scores `doc`, which has every required term, when it may enter `top`, and offers it.
    #[allow(clippy::too_many_arguments)]
    fn offer(
        &self,
        doc: DocId,
        lead: &mut Cursor,
        others: &mut [Cursor],
        optional: &mut [Cursor],
        optional_bound: Score,
        phrases: &mut [Box<dyn Scorer>],
        top: &mut TopHits,
    ) {
        let mut score = lead.score() + others.iter().map(Cursor::score).sum::<Score>();
        if !top.may_enter((score + optional_bound) * BOUND_MARGIN) {
            return;
        }
        let mut phrase_bound = 0.0;
        for cursor in optional.iter_mut() {
            if cursor.seek(doc) == doc {
                match cursor.role {
                    Role::Scores => score += cursor.score(),
                    Role::Bounds => phrase_bound += cursor.score(),
                }
            }
        }
        if !top.may_enter((score + phrase_bound) * BOUND_MARGIN) {
            return;
        }
        for scorer in phrases.iter_mut() {
            if scorer.doc() <= doc && scorer.seek(doc) == doc {
                score += scorer.score();
            }
        }
        top.offer(score, DocAddress::new(self.ord, doc));
    }
}

/// The first document from `doc` on that the lead and all `others` have.
fn align(lead: &mut Cursor, others: &mut [Cursor], mut doc: DocId) -> DocId {
    'candidates: while doc != TERMINATED {
        for cursor in others.iter_mut() {
            let found = cursor.seek(doc);
            if found != doc {
                doc = lead.seek(found);
                continue 'candidates;
            }
        }
        return doc;
    }
    TERMINATED
}

/// A term's posting list read block by block, with its scores.
struct Cursor {
    postings: BlockSegmentPostings,
    /// Position in the current block.
    at: usize,
    fieldnorms: FieldNormReader,
    weight: Bm25Weight,
    role: Role,
}

impl Cursor {
    fn open(
        reader: &SegmentReader,
        term: &Term,
        weight: Bm25Weight,
        role: Role,
    ) -> tantivy::Result<Option<Cursor>> {
        let index = reader.inverted_index(term.field())?;
        let Some(postings) = index.read_block_postings(term, IndexRecordOption::WithFreqs)? else {
            return Ok(None);
        };
        let fieldnorms = reader.get_fieldnorms_reader(term.field())?;
        Ok(Some(Cursor {
            postings,
            at: 0,
            fieldnorms,
            weight,
            role,
        }))
    }

    /// The best score the term can give any document.
    fn max_score(&self) -> Score {
        self.weight.max_score()
    }

    fn doc_freq(&self) -> u32 {
        self.postings.doc_freq()
    }

    /// The current document, or [`TERMINATED`].
    fn doc(&self) -> DocId {
        if self.at < self.postings.block_len() {
            self.postings.doc(self.at)
        } else {
            TERMINATED
        }
    }

    /// The last document of the current block, or [`TERMINATED`].
    fn last_in_block(&self) -> DocId {
        match self.postings.block_len() {
            0 => TERMINATED,
            len => self.postings.doc(len - 1),
        }
    }

    /// The best score of a document of the current block.
    fn block_max(&mut self) -> Score {
        self.postings
            .block_max_score(&self.fieldnorms, &self.weight)
    }

    /// The score of the current document.
    fn score(&self) -> Score {
        let doc = self.doc();
        self.weight.score(
            self.fieldnorms.fieldnorm_id(doc),
            self.postings.freq(self.at),
        )
    }

    /// Moves to the next document.
    fn advance(&mut self) -> DocId {
        self.at += 1;
        if self.at >= self.postings.block_len() && self.postings.block_len() > 0 {
            self.postings.advance();
            self.at = 0;
        }
        self.doc()
    }

    /// Moves to the first document at or after `target` (never backwards).
    fn seek(&mut self, target: DocId) -> DocId {
        let current = self.doc();
        if current >= target {
            return current;
        }
        let len = self.postings.block_len();
        if self.last_in_block() >= target {
            let rest = &self.postings.docs()[self.at..len];
            self.at += rest.partition_point(|&d| d < target);
        } else {
            self.at = self.postings.seek(target);
        }
        self.doc()
    }
}

/// The best hits so far: a heap whose top is the worst of them.
struct TopHits {
    limit: usize,
    heap: BinaryHeap<Ranked>,
}

impl TopHits {
    fn new(limit: usize) -> TopHits {
        TopHits {
            limit,
            heap: BinaryHeap::with_capacity(limit + 1),
        }
    }

    /// Whether a document offered later, scoring at most `bound`, may enter: documents
    /// are offered in address order, and an equal score ranks the earlier one first.
    fn may_enter(&self, bound: Score) -> bool {
        match self.heap.peek() {
            Some(worst) if self.heap.len() >= self.limit => bound > worst.score,
            _ => true,
        }
    }

    fn offer(&mut self, score: Score, address: DocAddress) {
        if self.may_enter(score) {
            self.heap.push(Ranked { score, address });
            if self.heap.len() > self.limit {
                self.heap.pop();
            }
        }
    }

    fn into_sorted(self) -> Vec<(Score, DocAddress)> {
        // `into_sorted_vec` is ascending in `Ranked`'s order: best first.
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|r| (r.score, r.address))
            .collect()
    }
}

/// A hit in the heap of [`TopHits`]: ordered best first (higher score, then earlier
/// address), so that the heap's greatest element is the worst hit.
struct Ranked {
    score: Score,
    address: DocAddress,
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then_with(|| self.address.cmp(&other.address))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Ranked {}
