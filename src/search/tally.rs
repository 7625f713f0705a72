//! Counting the matches of a query, with facet counts (kind, issuer, year) read from
//! fast fields in one pass over the matching documents, without scoring them.

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::Weight;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use super::schema;

/// Widest span of years counted in an array; a wider span (dates far off) is counted
/// in a map.
const YEAR_SPAN: i64 = 4096;

/// Counts matches; with `facets`, also matches per kind, issuer and year.
pub struct Tally {
    /// Count matches per kind, issuer and year as well.
    pub facets: bool,
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

impl Collector for Tally {
    type Fruit = Totals;
    type Child = SegmentTally;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentTally> {
        let facets = if self.facets {
            let fast = reader.fast_fields();
            Some(SegmentFacets {
                kind: Labels::new(fast.str(schema::KIND_LABEL)?),
                issuer: Labels::new(fast.str(schema::ISSUER_LABEL)?),
                years: Years::new(fast.i64(schema::ISSUED_YEAR)?),
            })
        } else {
            None
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
        if !self.facets {
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

/// Per-segment state of a [`Tally`].
pub struct SegmentTally {
    total: usize,
    facets: Option<SegmentFacets>,
}

struct SegmentFacets {
    kind: Labels,
    issuer: Labels,
    years: Years,
}

impl SegmentCollector for SegmentTally {
    type Fruit = Totals;

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.total += 1;
        if let Some(facets) = &mut self.facets {
            facets.kind.add_one(doc);
            facets.issuer.add_one(doc);
            facets.years.add_one(doc);
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        self.total += docs.len();
        if let Some(facets) = &mut self.facets {
            facets.kind.add(docs);
            facets.issuer.add(docs);
            facets.years.add(docs);
        }
    }

    fn harvest(self) -> Totals {
        let mut totals = Totals {
            total: self.total,
            ..Totals::default()
        };
        if let Some(facets) = self.facets {
            totals.kinds = facets.kind.harvest();
            totals.issuers = facets.issuer.harvest();
            totals.years = facets.years.harvest();
        }
        totals
    }
}

/// Counts per term ordinal of a string fast field.
struct Labels {
    column: Option<StrColumn>,
    counts: Vec<u64>,
    buffer: Vec<Option<u64>>,
}

impl Labels {
    fn new(column: Option<StrColumn>) -> Self {
        let terms = column.as_ref().map_or(0, |c| c.num_terms());
        Self {
            column,
            counts: vec![0; terms],
            buffer: Vec::new(),
        }
    }

    fn add(&mut self, docs: &[DocId]) {
        let Some(column) = &self.column else { return };
        self.buffer.clear();
        self.buffer.resize(docs.len(), None);
        column.ords().first_vals(docs, &mut self.buffer);
        for ord in self.buffer.iter().flatten() {
            if let Some(count) = self.counts.get_mut(*ord as usize) {
                *count += 1;
            }
        }
    }

    fn add_one(&mut self, doc: DocId) {
        let ord = self.column.as_ref().and_then(|c| c.ords().first(doc));
        if let Some(count) = ord.and_then(|ord| self.counts.get_mut(ord as usize)) {
            *count += 1;
        }
    }

    fn harvest(self) -> HashMap<String, u64> {
        let mut out = HashMap::new();
        let Some(column) = &self.column else {
            return out;
        };
        for (ord, n) in self.counts.iter().enumerate() {
            let mut label = String::new();
            if *n > 0 && column.ord_to_str(ord as u64, &mut label).unwrap_or(false) {
                out.insert(label, *n);
            }
        }
        out
    }
}

/// Counts per year, in an array over the segment's span of years when it is narrow.
struct Years {
    column: Column<i64>,
    first: i64,
    counts: Vec<u64>,
    wide: HashMap<i64, u64>,
    buffer: Vec<Option<i64>>,
}

impl Years {
    fn new(column: Column<i64>) -> Self {
        let (first, last) = (column.min_value(), column.max_value());
        let span = last.saturating_sub(first).saturating_add(1);
        let counts = if (1..=YEAR_SPAN).contains(&span) {
            vec![0; span as usize]
        } else {
            Vec::new()
        };
        Self {
            column,
            first,
            counts,
            wide: HashMap::new(),
            buffer: Vec::new(),
        }
    }

    fn add(&mut self, docs: &[DocId]) {
        self.buffer.clear();
        self.buffer.resize(docs.len(), None);
        self.column.first_vals(docs, &mut self.buffer);
        let buffer = std::mem::take(&mut self.buffer);
        for year in buffer.iter().flatten() {
            self.count(*year);
        }
        self.buffer = buffer;
    }

    fn add_one(&mut self, doc: DocId) {
        if let Some(year) = self.column.first(doc) {
            self.count(year);
        }
    }

    fn count(&mut self, year: i64) {
        let slot = year
            .checked_sub(self.first)
            .and_then(|i| usize::try_from(i).ok());
        match slot.and_then(|i| self.counts.get_mut(i)) {
            Some(count) => *count += 1,
            None => *self.wide.entry(year).or_default() += 1,
        }
    }

    fn harvest(self) -> HashMap<i64, u64> {
        let mut out = self.wide;
        for (i, n) in self.counts.iter().enumerate() {
            if *n > 0 {
                *out.entry(self.first + i as i64).or_default() += *n;
            }
        }
        out
    }
}
