//! User query syntax and its translation into tantivy queries.
//!
//! The syntax is deliberately small and total: every input is accepted.
//! - Words are separated by white space; every word must match (in any field).
//! - Text in double quotes ("…" or “…”) is a phrase; an unbalanced quote is ignored
//!   and its text treated as plain words.
//! - A word or phrase ending in `*` is a prefix ("Nguy*", "299/TB-VP*").
//! - A word that the analyzer splits into several tokens (a document number such as
//!   "299/TB-VPCP", "TB-VPCP" or "299/TB") is searched as a phrase of its parts, and a
//!   complete number also matches the exact number key.
//! - Everything else (`:`, `AND`, `-`, `'`, SQL fragments) is plain text: punctuation
//!   is dropped by the analyzer, words stay words.

use tantivy::query::{
    BooleanQuery, BoostQuery, EmptyQuery, Occur, PhrasePrefixQuery, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use super::analyzer;
use super::schema::Fields;
use super::snippet::SnippetTerms;
use crate::text;

/// Longest user query considered, in characters; the rest is ignored.
pub const MAX_QUERY_CHARS: usize = 500;
/// Most clauses (words and phrases) considered; the rest are ignored.
pub const MAX_CLAUSES: usize = 24;
/// Most index terms a prefix expands to.
const MAX_PREFIX_EXPANSIONS: u32 = 64;

/// Weight of a match in the short title fields (number, kind, issuer, subject).
const TITLE_BOOST: f32 = 2.5;
/// Extra weight of an accent-exact match over a folded match.
const EXACT_BOOST: f32 = 1.5;
/// Weight of an exact document number match.
const NUMBER_BOOST: f32 = 10.0;
/// Weight of each pair of consecutive query words found next to each other.
const PROXIMITY_BOOST: f32 = 1.0;

/// One unit of a user query: a word, a phrase or a document number.
#[derive(Clone, Debug, PartialEq)]
pub struct Clause {
    /// Folded tokens.
    pub folded: Vec<String>,
    /// Accented, lower-cased tokens (same count as `folded`).
    pub exact: Vec<String>,
    /// The last token is a prefix.
    pub prefix: bool,
    /// Written in quotes.
    pub quoted: bool,
    /// Exact document number key, when the word looks like a complete number.
    pub number_key: Option<String>,
    /// For a prefix of one syllable not indexed as one term, the folded words of the
    /// index it begins (see [`expand`]).
    pub words: Vec<String>,
    /// For an accented prefix of one syllable, the accented words it begins.
    pub exact_words: Vec<String>,
}

impl Clause {
    fn new(piece: &str, quoted: bool) -> Option<Clause> {
        let trimmed = piece.trim();
        let prefix = trimmed.ends_with('*');
        let (folded, exact): (Vec<String>, Vec<String>) =
            analyzer::query_tokens(trimmed).into_iter().unzip();
        if folded.is_empty() {
            return None;
        }
        let number_key = (!quoted && !prefix && looks_like_number(trimmed))
            .then(|| analyzer::number_key(trim_punctuation(trimmed)));
        Some(Clause {
            folded,
            exact,
            prefix,
            quoted,
            number_key,
            words: Vec::new(),
            exact_words: Vec::new(),
        })
    }

    fn has_accents(&self) -> bool {
        self.folded != self.exact
    }

    /// One whole syllable, neither a prefix nor a document number.
    pub fn is_plain_word(&self) -> bool {
        self.folded.len() == 1 && !self.prefix && self.number_key.is_none()
    }

    /// The prefix of one syllable ("chuyê*"): the words it begins (see [`expand`]).
    pub fn is_word_prefix(&self) -> bool {
        self.folded.len() == 1 && self.prefix
    }

    /// A prefix of one syllable short enough to be one term of the index's word
    /// beginnings (see [`analyzer::is_indexed_prefix`]); longer prefixes are searched as
    /// the words they begin.
    pub fn is_indexed_prefix(&self) -> bool {
        self.is_word_prefix()
            && self
                .folded
                .first()
                .is_some_and(|p| analyzer::is_indexed_prefix(p))
    }
}

/// Lists the words of the index that each one-syllable prefix too short or too long to be
/// one indexed term begins (see [`Clause::is_indexed_prefix`]), at most
/// [`MAX_PREFIX_EXPANSIONS`], the first in alphabetical order: the prefix is searched and
/// scored as a union of them.
pub fn expand(clauses: &mut [Clause], searcher: &Searcher, fields: &Fields) -> tantivy::Result<()> {
    for clause in clauses.iter_mut().filter(|c| c.is_word_prefix()) {
        let (Some(folded), Some(exact)) = (clause.folded.first(), clause.exact.first()) else {
            continue;
        };
        let indexed = analyzer::is_indexed_prefix(folded);
        if !indexed {
            clause.words = words_beginning(searcher, fields.body, folded)?;
        }
        if exact != folded {
            // The accented words rank the documents that have them first. Those of an
            // indexed prefix all fold to words it begins; the others must fold to one
            // of the words listed, which may stop short of all of them.
            let mut form = String::new();
            clause.exact_words = words_beginning(searcher, fields.body, exact)?
                .into_iter()
                .filter(|word| {
                    analyzer::fold_token(word, &mut form);
                    indexed || clause.words.contains(&form)
                })
                .collect();
        }
    }
    Ok(())
}

/// The first [`MAX_PREFIX_EXPANSIONS`] terms of `field` that begin with `prefix`.
fn words_beginning(
    searcher: &Searcher,
    field: Field,
    prefix: &str,
) -> tantivy::Result<Vec<String>> {
    let limit = MAX_PREFIX_EXPANSIONS as usize;
    let mut words = std::collections::BTreeSet::new();
    for reader in searcher.segment_readers() {
        let index = reader.inverted_index(field)?;
        let mut stream = index.terms().range().ge(prefix.as_bytes()).into_stream()?;
        let mut taken = 0;
        while taken < limit && stream.advance() {
            let Some(word) = std::str::from_utf8(stream.key()).ok() else {
                continue;
            };
            if !word.starts_with(prefix) {
                break;
            }
            words.insert(word.to_string());
            taken += 1;
        }
    }
    Ok(words.into_iter().take(limit).collect())
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '„' | '«' | '»')
}

/// A document number has a digit, a letter and a '/' or '-' ("299/TB-VPCP").
fn looks_like_number(s: &str) -> bool {
    s.chars().any(|c| c.is_ascii_digit())
        && s.chars().any(char::is_alphabetic)
        && s.chars().any(|c| c == '/' || c == '-')
}

fn trim_punctuation(s: &str) -> &str {
    s.trim_matches(|c: char| !c.is_alphanumeric())
}

/// Splits a user query into clauses; never fails.
pub fn parse(input: &str) -> Vec<Clause> {
    let limited: String = input.chars().take(MAX_QUERY_CHARS).collect();
    let normalized = text::nfc(&limited);

    let mut segments: Vec<(bool, String)> = Vec::new();
    let mut current = String::new();
    let mut in_quote = false;
    for c in normalized.chars() {
        if is_quote(c) {
            segments.push((in_quote, std::mem::take(&mut current)));
            in_quote = !in_quote;
        } else {
            current.push(c);
        }
    }
    // An unbalanced quote: its text is read as plain words.
    segments.push((false, current));

    let mut clauses = Vec::new();
    for (quoted, segment) in segments {
        if quoted {
            clauses.extend(Clause::new(&segment, true));
        } else {
            for piece in segment.split_whitespace() {
                clauses.extend(Clause::new(piece, false));
            }
        }
    }
    clauses.truncate(MAX_CLAUSES);
    clauses
}

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if (boost - 1.0).abs() < f32::EPSILON {
        query
    } else {
        Box::new(BoostQuery::new(query, boost))
    }
}

fn term_query(field: Field, text: &str, record: IndexRecordOption) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), record))
}

/// Terms starting with `prefix` in `field` (no positions needed).
fn prefix_query(field: Field, prefix: &str) -> Box<dyn Query> {
    let mut query = PhrasePrefixQuery::new(vec![Term::from_field_text(field, prefix)]);
    query.set_max_expansions(MAX_PREFIX_EXPANSIONS);
    Box::new(query)
}

/// A query for `tokens` in order in `field`, which must have positions; `None` when
/// there are no tokens.
fn sequence(field: Field, tokens: &[String], prefix: bool) -> Option<Box<dyn Query>> {
    let terms: Vec<Term> = tokens
        .iter()
        .map(|t| Term::from_field_text(field, t))
        .collect();
    if prefix {
        if terms.is_empty() {
            return None;
        }
        let mut query = PhrasePrefixQuery::new(terms);
        query.set_max_expansions(MAX_PREFIX_EXPANSIONS);
        return Some(Box::new(query));
    }
    match terms.len() {
        0 => None,
        1 => terms
            .into_iter()
            .next()
            .map(|term| Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)) as _),
        _ => Some(Box::new(PhraseQuery::new(terms))),
    }
}

/// The one term a clause requires, when it is one: a whole word in `body`, the pair
/// or triple of two or three syllables in `shingles`, or a short prefix of one syllable
/// in `prefixes`.
pub fn required_term(fields: &Fields, clause: &Clause) -> Option<Term> {
    if clause.is_indexed_prefix() {
        let prefix = clause.folded.first()?;
        return Some(Term::from_field_text(fields.prefixes, prefix));
    }
    if clause.prefix {
        return None;
    }
    let text = match clause.folded.as_slice() {
        [word] => return Some(Term::from_field_text(fields.body, word)),
        [_, _] => analyzer::pair_terms(&clause.folded).pop(),
        [_, _, _] => analyzer::triple_terms(&clause.folded).pop(),
        _ => None,
    };
    text.map(|t| Term::from_field_text(fields.shingles, &t))
}

/// Any of `words` in `field`, scored (and boosted) as terms; nothing when there are none.
fn any_word(field: Field, words: &[String], boost: f32) -> Vec<(Occur, Box<dyn Query>)> {
    words
        .iter()
        .map(|w| {
            let query = term_query(field, w, IndexRecordOption::WithFreqs);
            (Occur::Should, boosted(query, boost))
        })
        .collect()
}

/// A union of `parts`, or no document when there are none.
fn union(parts: Vec<(Occur, Box<dyn Query>)>) -> Box<dyn Query> {
    if parts.is_empty() {
        Box::new(EmptyQuery)
    } else {
        Box::new(BooleanQuery::new(parts))
    }
}

/// What a clause requires of a document: its folded form. A word, or two or three
/// syllables, is one term (see [`required_term`]); more syllables are a phrase of their
/// triples; a prefix of one syllable is any of the words it begins; a prefix of several
/// syllables is a phrase of pairs ending in a prefix.
/// `scored` asks for term frequencies, which ranking needs and counting does not.
fn required(fields: &Fields, clause: &Clause, scored: bool) -> Option<Box<dyn Query>> {
    let record = if scored {
        IndexRecordOption::WithFreqs
    } else {
        IndexRecordOption::Basic
    };
    if let Some(term) = required_term(fields, clause) {
        return Some(Box::new(TermQuery::new(term, record)));
    }
    match clause.folded.as_slice() {
        [] => None,
        [_] => Some(union(any_word(fields.body, &clause.words, 1.0))),
        folded if clause.prefix => {
            let pairs = analyzer::pair_terms(folded);
            match pairs.as_slice() {
                [pair] => Some(prefix_query(fields.shingles, pair)),
                _ => sequence(fields.shingles, &pairs, true),
            }
        }
        folded => sequence(fields.shingles, &analyzer::triple_terms(folded), false),
    }
}

/// The query for one clause: its folded form must occur; accent-exact matches and
/// title matches add to the score.
pub fn clause_query(fields: &Fields, clause: &Clause) -> Box<dyn Query> {
    if clause.is_word_prefix() {
        // Like a plain word (below), a union of terms: the words the prefix begins, in
        // the body, in the title, and with the prefix's accents.
        return union(word_prefix_parts(fields, clause));
    }
    // Every document with the word in the title or with its exact accents also has its
    // folded form in `body`, so a single word may be a plain union of term queries with
    // the same matches and scores; the engine then skips blocks of documents that
    // cannot enter the top hits (block-max WAND) instead of scoring every match.
    let base = if clause.is_plain_word() {
        Occur::Should
    } else {
        Occur::Must
    };
    let ClauseParts { required, extras } = clause_parts(fields, clause);
    let mut parts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    parts.extend(required.map(|q| (base, q)));
    parts.extend(extras.into_iter().map(|q| (Occur::Should, q)));
    Box::new(BooleanQuery::new(parts))
}

/// The scored parts of a one-syllable prefix: the prefix as a word beginning (or the
/// words it begins), in the body and in the title, and the accented words it begins. Every document with
/// the title or the accented part also has the first, so a plain union of them matches
/// what the prefix requires.
fn word_prefix_parts(fields: &Fields, clause: &Clause) -> Vec<(Occur, Box<dyn Query>)> {
    if clause.is_indexed_prefix()
        && let Some(folded) = clause.folded.first()
    {
        let mut parts = any_word(fields.prefixes, std::slice::from_ref(folded), 1.0);
        parts.extend(any_word(
            fields.title_prefixes,
            std::slice::from_ref(folded),
            TITLE_BOOST,
        ));
        parts.extend(any_word(fields.body, &clause.exact_words, EXACT_BOOST));
        return parts;
    }
    let mut parts = any_word(fields.body, &clause.words, 1.0);
    parts.extend(any_word(fields.title, &clause.words, TITLE_BOOST));
    parts.extend(any_word(fields.body, &clause.exact_words, EXACT_BOOST));
    parts
}

/// The scored parts of a clause (not a one-syllable prefix): what it requires, and
/// what only adds to its score (title, accents, document number), boosted.
fn clause_parts(fields: &Fields, clause: &Clause) -> ClauseParts {
    let mut extras = Vec::new();
    if let Some(q) = sequence(fields.title, &clause.folded, clause.prefix) {
        extras.push(boosted(q, TITLE_BOOST));
    }
    if clause.has_accents() {
        // Accent-exact syllables score as terms: the folded form has already checked
        // the order. An accented prefix scores the terms it begins.
        let last = clause.exact.len().saturating_sub(1);
        for (i, (exact, folded)) in clause.exact.iter().zip(&clause.folded).enumerate() {
            if exact == folded {
                continue;
            }
            let query = if clause.prefix && i == last {
                prefix_query(fields.body, exact)
            } else {
                term_query(fields.body, exact, IndexRecordOption::WithFreqs)
            };
            extras.push(boosted(query, EXACT_BOOST));
        }
    }
    if let Some(key) = &clause.number_key {
        let term = Term::from_field_text(fields.number_key, key);
        let query = Box::new(TermQuery::new(term, IndexRecordOption::Basic));
        extras.push(boosted(query, NUMBER_BOOST));
    }
    ClauseParts {
        required: required(fields, clause, true),
        extras,
    }
}

/// The scored parts of a clause (see [`clause_parts`]).
struct ClauseParts {
    required: Option<Box<dyn Query>>,
    extras: Vec<Box<dyn Query>>,
}

/// Consecutive query words found next to each other, one pair term per junction, when
/// the query is plain words.
fn proximity(fields: &Fields, clauses: &[Clause]) -> Vec<Box<dyn Query>> {
    let plain = clauses.len() >= 2 && clauses.iter().all(|c| !c.quoted && !c.prefix);
    if !plain {
        return Vec::new();
    }
    let folded: Vec<String> = clauses.iter().flat_map(|c| c.folded.clone()).collect();
    analyzer::pair_terms(&folded)
        .iter()
        .map(|pair| {
            let query = term_query(fields.shingles, pair, IndexRecordOption::WithFreqs);
            boosted(query, PROXIMITY_BOOST)
        })
        .collect()
}

/// The query for all clauses: every clause must match (or, when `relaxed`, any clause),
/// and documents where the plain words stand next to each other in order score higher.
pub fn text_query(fields: &Fields, clauses: &[Clause], relaxed: bool) -> Box<dyn Query> {
    if let [clause] = clauses {
        return clause_query(fields, clause);
    }
    let occur = if relaxed { Occur::Should } else { Occur::Must };
    let mut parts: Vec<(Occur, Box<dyn Query>)> = clauses
        .iter()
        .map(|c| (occur, clause_query(fields, c)))
        .collect();
    parts.extend(
        proximity(fields, clauses)
            .into_iter()
            .map(|q| (Occur::Should, q)),
    );
    Box::new(BooleanQuery::new(parts))
}

/// The leaves of [`text_query`], whose scores on a matching document add up to its
/// score: a few documents are re-scored one leaf at a time, as seeking a union of
/// frequent terms reads every document near the target.
pub fn score_parts(fields: &Fields, clauses: &[Clause]) -> Vec<Box<dyn Query>> {
    let mut leaves = Vec::new();
    for clause in clauses {
        if clause.is_word_prefix() {
            leaves.extend(
                word_prefix_parts(fields, clause)
                    .into_iter()
                    .map(|(_, q)| q),
            );
        } else {
            let ClauseParts { required, extras } = clause_parts(fields, clause);
            leaves.extend(required);
            leaves.extend(extras);
        }
    }
    leaves.extend(proximity(fields, clauses));
    leaves
}

/// For a query whose every clause requires one term (see [`required_term`]): those
/// terms, and a union of every term whose score adds to the score of [`text_query`]
/// (the required terms, the accent-exact words, the words in the title, adjacent plain
/// words), with their weights. On a document with all required terms, the union
/// scores what the whole query scores (but for a title phrase, counted here word by
/// word); the engine finds its best documents skipping blocks of documents that cannot
/// enter the top (block-max WAND). `None` for other queries.
pub fn candidate_query(fields: &Fields, clauses: &[Clause]) -> Option<(Vec<Term>, Box<dyn Query>)> {
    let required: Vec<Term> = clauses
        .iter()
        .map(|c| required_term(fields, c))
        .collect::<Option<_>>()?;
    let scored = |term: Term, boost: f32| -> (Occur, Box<dyn Query>) {
        let query = Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
        (Occur::Should, boosted(query, boost))
    };
    let mut parts: Vec<(Occur, Box<dyn Query>)> =
        required.iter().map(|t| scored(t.clone(), 1.0)).collect();
    for clause in clauses {
        if clause.is_indexed_prefix() {
            for f in &clause.folded {
                parts.push(scored(
                    Term::from_field_text(fields.title_prefixes, f),
                    TITLE_BOOST,
                ));
            }
            for e in &clause.exact_words {
                parts.push(scored(Term::from_field_text(fields.body, e), EXACT_BOOST));
            }
            continue;
        }
        for (e, f) in clause.exact.iter().zip(&clause.folded) {
            parts.push(scored(Term::from_field_text(fields.title, f), TITLE_BOOST));
            if e != f {
                parts.push(scored(Term::from_field_text(fields.body, e), EXACT_BOOST));
            }
        }
    }
    let plain = clauses.len() >= 2 && clauses.iter().all(|c| !c.quoted && !c.prefix);
    if plain {
        let folded: Vec<String> = clauses.iter().flat_map(|c| c.folded.clone()).collect();
        for pair in analyzer::pair_terms(&folded) {
            let term = Term::from_field_text(fields.shingles, &pair);
            parts.push(scored(term, PROXIMITY_BOOST));
        }
    }
    Some((required, Box::new(BooleanQuery::new(parts))))
}

/// The documents [`text_query`] matches, without what only adds to the score: for
/// counting matches and ordering them by date.
pub fn match_query(fields: &Fields, clauses: &[Clause], relaxed: bool) -> Box<dyn Query> {
    let occur = if relaxed { Occur::Should } else { Occur::Must };
    let mut parts: Vec<(Occur, Box<dyn Query>)> = clauses
        .iter()
        .filter_map(|c| required(fields, c, false))
        .map(|q| (occur, q))
        .collect();
    match parts.len() {
        1 => parts
            .pop()
            .map_or_else(|| Box::new(EmptyQuery) as _, |(_, q)| q),
        _ => Box::new(BooleanQuery::new(parts)),
    }
}

/// The words to highlight in snippets: every whole syllable of every clause, folded
/// and exact, and the beginning a prefix asks for.
pub fn snippet_terms(clauses: &[Clause]) -> SnippetTerms {
    let mut terms = SnippetTerms::default();
    for clause in clauses {
        let whole = clause.folded.len() - usize::from(clause.prefix);
        for (folded, exact) in clause.folded.iter().zip(&clause.exact).take(whole) {
            terms.add_word(folded, exact);
        }
        if clause.prefix
            && let Some(last) = clause.folded.last()
        {
            terms.add_prefix(last);
        }
    }
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(s: &str) -> Vec<Clause> {
        parse(s)
    }

    #[test]
    fn words_are_separate_clauses_in_both_forms() {
        let clauses = parsed("Chuyển đổi số");
        assert_eq!(clauses.len(), 3);
        assert_eq!(clauses[0].exact, vec!["chuyển"]);
        assert_eq!(clauses[0].folded, vec!["chuyen"]);
    }

    #[test]
    fn quoted_text_is_one_phrase() {
        let clauses = parsed("kế hoạch \"Đề án 06\"");
        assert_eq!(clauses.len(), 3);
        assert!(clauses[2].quoted);
        assert_eq!(clauses[2].folded, vec!["de", "an", "06"]);
    }

    #[test]
    fn unbalanced_quote_gives_plain_words() {
        let clauses = parsed("\"Đề án 06");
        assert_eq!(clauses.len(), 3);
        assert!(clauses.iter().all(|c| !c.quoted));
    }

    #[test]
    fn document_number_is_a_phrase_with_number_key() {
        let clauses = parsed("299/TB-VPCP,");
        assert_eq!(clauses.len(), 1);
        assert_eq!(clauses[0].folded, vec!["299", "tb", "vpcp"]);
        assert_eq!(clauses[0].number_key.as_deref(), Some("299/tb-vpcp"));
    }

    #[test]
    fn trailing_star_is_a_prefix() {
        let clauses = parsed("Nguy*");
        assert_eq!(clauses.len(), 1);
        assert!(clauses[0].prefix);
        assert_eq!(clauses[0].folded, vec!["nguy"]);
    }

    #[test]
    fn punctuation_only_input_has_no_clauses() {
        assert!(parsed(" : * \" ' ; -- ").is_empty());
        assert!(parsed("").is_empty());
    }

    #[test]
    fn long_input_is_bounded() {
        let long = "từ ".repeat(10_000);
        assert_eq!(parsed(&long).len(), MAX_CLAUSES);
    }
}
