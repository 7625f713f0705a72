//! Snippets: the passage of a directive's text where the query's words are densest,
//! with every word of the query in `<b>…</b>`.
//!
//! The text is scanned once, word by word, each word lower-cased and folded into a
//! reused buffer (see [`analyzer::for_each_word`]); only the chosen passage is copied
//! and escaped. A directive may run to tens of pages, and a page of results shows ten
//! of them, so the scan must cost little more than reading the text.

use std::collections::HashMap;
use std::ops::Range;

use super::analyzer;
use crate::html::escape_html;

/// Weight of a word of the query found in a passage.
const WORD_WEIGHT: f32 = 1.0;
/// Extra weight of a word found with the query's accents.
const EXACT_WEIGHT: f32 = 0.5;
/// How far before the first word of the chosen passage the snippet may begin, in bytes,
/// to start at the beginning of a sentence or line.
const LEAD_BYTES: usize = 60;

/// The words a snippet looks for: whole words and word beginnings of the query.
#[derive(Debug, Default)]
pub struct SnippetTerms {
    /// Folded words, each with its number (to count distinct words in a passage).
    folded: HashMap<String, usize>,
    /// Accented words (lower case), with the number of their folded form.
    exact: HashMap<String, usize>,
    /// Folded word beginnings (prefixes), numbered after the words.
    prefixes: Vec<String>,
}

impl SnippetTerms {
    /// Adds a word of the query, in its folded and accented forms (lower case).
    pub fn add_word(&mut self, folded: &str, exact: &str) {
        let next = self.folded.len() + self.prefixes.len();
        let id = *self.folded.entry(folded.to_string()).or_insert(next);
        if exact != folded {
            self.exact.insert(exact.to_string(), id);
        }
    }

    /// Adds a folded word beginning: every word that begins with it matches.
    pub fn add_prefix(&mut self, folded: &str) {
        if !self.prefixes.iter().any(|p| p == folded) {
            self.prefixes.push(folded.to_string());
        }
    }

    fn is_empty(&self) -> bool {
        self.folded.is_empty() && self.prefixes.is_empty()
    }

    /// The number of the query word `lower` (folded: `folded`) is, and whether its
    /// accents are the query's.
    fn find(&self, lower: &str, folded: &str) -> Option<(usize, bool)> {
        if let Some(id) = self.exact.get(lower) {
            return Some((*id, true));
        }
        if let Some(id) = self.folded.get(folded) {
            return Some((*id, false));
        }
        let words = self.folded.len();
        self.prefixes
            .iter()
            .position(|p| folded.starts_with(p.as_str()))
            .map(|i| (words + i, false))
    }
}

/// A word of the text that the query has.
#[derive(Clone, Debug)]
struct Match {
    range: Range<usize>,
    id: usize,
    weight: f32,
}

/// The snippet of `text` for `terms`: at most `max_chars` characters around the passage
/// of at most `max_chars` bytes with the most distinct query words (the first such
/// passage), escaped for HTML, with the query words in `<b>…</b>`; `None` when the
/// text has none of them.
pub fn snippet(text: &str, terms: &SnippetTerms, max_chars: usize) -> Option<String> {
    if terms.is_empty() {
        return None;
    }
    let mut matches = Vec::new();
    analyzer::for_each_word(text, |range, lower, folded| {
        if let Some((id, exact)) = terms.find(lower, folded) {
            let weight = WORD_WEIGHT + if exact { EXACT_WEIGHT } else { 0.0 };
            matches.push(Match { range, id, weight });
        }
    });
    let best = best_passage(&matches, max_chars)?;
    let first = matches.get(best)?;
    let start = passage_start(text, first.range.start);
    let end = passage_end(text, start, max_chars);
    let mut out = String::with_capacity(end - start + 32);
    if start > 0 {
        out.push('…');
    }
    let mut at = start;
    let mut space = false;
    for m in matches
        .iter()
        .filter(|m| m.range.start >= start && m.range.end <= end)
    {
        push_text(&mut out, text.get(at..m.range.start)?, &mut space);
        out.push_str("<b>");
        out.push_str(&escape_html(text.get(m.range.clone())?));
        out.push_str("</b>");
        space = false;
        at = m.range.end;
    }
    push_text(&mut out, text.get(at..end)?, &mut space);
    if end < text.len() {
        out.push('…');
    }
    Some(out.trim().to_string())
}

/// Index of the match that begins the passage of at most `max_bytes` bytes whose
/// distinct query words weigh most.
fn best_passage(matches: &[Match], max_bytes: usize) -> Option<usize> {
    let mut best: Option<(usize, f32)> = None;
    let mut seen: Vec<(usize, f32)> = Vec::new();
    for (i, first) in matches.iter().enumerate() {
        seen.clear();
        for m in &matches[i..] {
            if m.range.end - first.range.start > max_bytes {
                break;
            }
            match seen.iter_mut().find(|(id, _)| *id == m.id) {
                Some((_, weight)) => *weight = weight.max(m.weight),
                None => seen.push((m.id, m.weight)),
            }
        }
        let score: f32 = seen.iter().map(|(_, w)| w).sum();
        if best.is_none_or(|(_, s)| score > s) {
            best = Some((i, score));
        }
    }
    best.map(|(i, _)| i)
}

/// Where a snippet whose first match begins at `at` starts: the beginning of its
/// sentence or line when that is near, else the match itself.
fn passage_start(text: &str, at: usize) -> usize {
    let mut from = at.saturating_sub(LEAD_BYTES);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let before = text.get(from..at).unwrap_or_default();
    match before.rfind(['.', ';', ':', '\n']) {
        Some(i) => {
            let after = from + i + 1;
            after
                + text
                    .get(after..at)
                    .map_or(0, |s| s.len() - s.trim_start().len())
        }
        None if from == 0 => 0,
        None => at,
    }
}

/// Where a snippet starting at `start` ends: after at most `max_chars` characters, at
/// the end of a word.
fn passage_end(text: &str, start: usize, max_chars: usize) -> usize {
    let rest = text.get(start..).unwrap_or_default();
    match rest.char_indices().nth(max_chars) {
        None => text.len(),
        Some((cut, _)) => {
            let within = rest.get(..cut).unwrap_or_default();
            start + within.rfind(char::is_whitespace).unwrap_or(cut)
        }
    }
}

/// Appends `s` escaped, with runs of white space (line breaks included) as one space.
fn push_text(out: &mut String, s: &str, space: &mut bool) {
    for piece in s.split_inclusive(char::is_whitespace) {
        let word = piece.trim_end();
        if !word.is_empty() {
            out.push_str(&escape_html(word));
            *space = false;
        }
        if word.len() < piece.len() && !*space {
            out.push(' ');
            *space = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(words: &[(&str, &str)], prefixes: &[&str]) -> SnippetTerms {
        let mut terms = SnippetTerms::default();
        for (folded, exact) in words {
            terms.add_word(folded, exact);
        }
        for prefix in prefixes {
            terms.add_prefix(prefix);
        }
        terms
    }

    #[test]
    fn highlights_folded_and_accented_words_and_escapes() {
        let t = terms(&[("chuyen", "chuyển"), ("doi", "đổi")], &[]);
        let got = snippet("Về <chuyển>\n\nĐỔI số & dương", &t, 200).expect("snippet");
        assert_eq!(got, "Về &lt;<b>chuyển</b>&gt; <b>ĐỔI</b> số &amp; dương");
    }

    #[test]
    fn picks_the_passage_with_most_distinct_words() {
        let t = terms(&[("ngan", "ngân"), ("sach", "sách"), ("dat", "đất")], &[]);
        let filler = "văn bản khác. ".repeat(40);
        let text = format!("Ngân hàng. {filler}Về ngân sách đất đai. {filler}");
        let got = snippet(&text, &t, 80).expect("snippet");
        assert!(
            got.starts_with("…Về <b>ngân</b> <b>sách</b> <b>đất</b>"),
            "{got}"
        );
        assert!(got.ends_with('…'), "{got}");
        let shown = got.replace("<b>", "").replace("</b>", "");
        assert!(shown.chars().count() <= 82, "{got}");
    }

    #[test]
    fn prefixes_match_word_beginnings() {
        let t = terms(&[], &["nguy"]);
        let got = snippet("Ông Nguyễn Văn A, nguy cơ", &t, 100).expect("snippet");
        assert_eq!(got, "Ông <b>Nguyễn</b> Văn A, <b>nguy</b> cơ");
    }

    #[test]
    fn no_match_gives_none() {
        let t = terms(&[("zzz", "zzz")], &[]);
        assert!(snippet("Không có gì", &t, 100).is_none());
        assert!(snippet("Không có gì", &SnippetTerms::default(), 100).is_none());
        assert!(snippet("", &t, 100).is_none());
    }
}
