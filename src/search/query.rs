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

use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, Occur, PhrasePrefixQuery, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use super::analyzer;
use super::schema::Fields;
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
        })
    }

    fn has_accents(&self) -> bool {
        self.folded != self.exact
    }
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

/// A query for `tokens` in order in `field`; `None` when there are no tokens.
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

/// The query for one clause: its folded form must occur; accent-exact matches and
/// title matches add to the score.
pub fn clause_query(fields: &Fields, clause: &Clause) -> Box<dyn Query> {
    let mut parts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if !clause.prefix {
        // Pair terms narrow a phrase to few candidates before positions are read.
        for pair in analyzer::pair_terms(&clause.folded) {
            let term = Term::from_field_text(fields.pairs, &pair);
            parts.push((
                Occur::Must,
                Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
            ));
        }
    }
    let two_syllables = clause.folded.len() == 2 && !clause.prefix;
    if !two_syllables && let Some(q) = sequence(fields.body, &clause.folded, clause.prefix) {
        parts.push((Occur::Must, q));
    }
    if let Some(q) = sequence(fields.title, &clause.folded, clause.prefix) {
        parts.push((Occur::Should, boosted(q, TITLE_BOOST)));
    }
    if clause.has_accents() {
        if clause.prefix {
            if let Some(q) = sequence(fields.body, &clause.exact, true) {
                parts.push((Occur::Should, boosted(q, EXACT_BOOST)));
            }
        } else {
            // Accent-exact syllables score as terms: the folded phrase has already
            // checked the order, and a second positional check would double the cost.
            for (exact, folded) in clause.exact.iter().zip(&clause.folded) {
                if exact != folded {
                    let term = Term::from_field_text(fields.body, exact);
                    let query = Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
                    parts.push((Occur::Should, boosted(query, EXACT_BOOST)));
                }
            }
        }
    }
    if let Some(key) = &clause.number_key {
        let term = Term::from_field_text(fields.number_key, key);
        let query = Box::new(TermQuery::new(term, IndexRecordOption::Basic));
        parts.push((Occur::Should, boosted(query, NUMBER_BOOST)));
    }
    Box::new(BooleanQuery::new(parts))
}

/// The query for all clauses: every clause must match (or, when `relaxed`, any clause),
/// and documents where the plain words stand next to each other in order score higher.
pub fn text_query(fields: &Fields, clauses: &[Clause], relaxed: bool) -> Box<dyn Query> {
    let occur = if relaxed { Occur::Should } else { Occur::Must };
    let mut parts: Vec<(Occur, Box<dyn Query>)> = clauses
        .iter()
        .map(|c| (occur, clause_query(fields, c)))
        .collect();
    let plain = clauses.len() >= 2 && clauses.iter().all(|c| !c.quoted && !c.prefix);
    if plain {
        // Consecutive query words found next to each other: one pair term per junction.
        let folded: Vec<String> = clauses.iter().flat_map(|c| c.folded.clone()).collect();
        for pair in analyzer::pair_terms(&folded) {
            let term = Term::from_field_text(fields.pairs, &pair);
            let query = Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
            parts.push((Occur::Should, boosted(query, PROXIMITY_BOOST)));
        }
    }
    Box::new(BooleanQuery::new(parts))
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
