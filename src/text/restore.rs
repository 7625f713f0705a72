//! Restoration of damaged text: candidate syllables per token (missing marks, OCR debris such
//! as digits and symbols inside words, letters misread) scored by a channel cost and the
//! syllable language model, best sequence by beam search.

use std::collections::HashMap;
use std::sync::Arc;

use super::lm::{BOS, EOS, LanguageModel, UNK};
use super::token::{Kind, Token, tokenize};
use super::unicode::{fold, split_tone};

/// How much the document looks like damaged text decides how freely marks are changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Mostly correct Vietnamese: only unknown or broken words are repaired.
    Clean,
    /// Marks missing (typed without marks or stripped): every word is re-decoded, but only
    /// words that are not a known syllable are read as misspelt.
    Stripped,
    /// OCR damage: every word is re-decoded and letters may have been misread.
    Damaged,
}

/// Channel-cost weights (log10 units).
#[derive(Debug, Clone)]
pub struct Weights {
    /// Changing the marks of a marked, known word in clean text.
    pub clean_mark_change: f32,
    /// Adding marks to an unmarked known word in clean text.
    pub clean_add_marks: f32,
    /// Changing the marks of a marked word in damaged text.
    pub damaged_mark_change: f32,
    /// Keeping an unknown word unchanged.
    pub unknown: f32,
    /// Keeping unchanged an unmarked word whose spelling is known with marks.
    pub unknown_known_fold: f32,
    /// Largest edit cost of a fuzzy candidate.
    pub max_edit: f32,
    /// Extra cost of a misread-letter candidate when the word's own spelling is known.
    pub exact_fold_bonus: f32,
    /// Weight of the learned OCR confusion table (times -log10 P(intended | observed)).
    pub channel: f32,
    /// Reading a run of digits and symbols as a syllable in OCR text.
    pub number_as_word: f32,
    /// Extra cost of a misread-letter candidate when the word is itself a valid syllable.
    pub exact_valid_bonus: f32,
    /// Words with an id below this (the most frequent ones) are trusted as read in OCR text.
    pub common_words: u32,
    /// Multiplier of letter edit costs.
    pub edit_scale: f32,
    /// Reading an OCR ":" as ";".
    pub semicolon_as_colon: f32,
    /// Reading an OCR ":" against what the letter after it suggests: ";" before a capital or
    /// a digit, ":" before a small letter.
    pub colon_by_next: f32,
    /// Reading an OCR ":" that ends a paragraph against what the layout suggests (":" after a
    /// plain paragraph opening a list, ";" between dashed items).
    pub colon_by_layout: f32,
    /// Reading one token as two glued syllables.
    pub split: f32,
    /// Largest edit cost of either part of a glued token.
    pub split_edit: f32,
    /// Most two-syllable readings per token.
    pub max_splits: usize,
    /// Beam width.
    pub beam: usize,
    /// Most candidates per token.
    pub max_candidates: usize,
    /// Most candidates per token of OCR text (misread letters give more readings).
    pub max_candidates_ocr: usize,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            clean_mark_change: 4.0,
            clean_add_marks: 3.0,
            damaged_mark_change: 1.0,
            unknown: 3.0,
            unknown_known_fold: 6.0,
            max_edit: 2.6,
            exact_fold_bonus: 1.0,
            channel: 0.5,
            edit_scale: 1.0,
            common_words: 1500,
            exact_valid_bonus: 2.0,
            number_as_word: 0.7,
            semicolon_as_colon: 0.2,
            colon_by_next: 2.0,
            colon_by_layout: 3.0,
            split: 1.5,
            split_edit: 1.6,
            max_splits: 6,
            beam: 8,
            max_candidates: 12,
            max_candidates_ocr: 20,
        }
    }
}

/// A language model with the indexes needed to propose candidates.
#[derive(Debug)]
pub struct Restorer {
    lm: LanguageModel,
    /// Folded (mark-free) form → word ids, most frequent first.
    by_fold: HashMap<String, Vec<u32>>,
    /// Folded forms grouped by length in characters.
    folds_by_len: Vec<Vec<FoldForm>>,
    /// Hashes of the folded forms with zero, one or two letters deleted → forms, as (length,
    /// position in `folds_by_len`): the index of the fuzzy search.
    deletions: HashMap<u64, Vec<(u16, u32)>>,
    /// Candidate lists of the words seen so far, shared by every text restored.
    cache: CandidateCache,
    /// Results of the fuzzy search by folded spelling and largest cost (see
    /// [`Restorer::near_forms`]).
    fuzzy_cache: FuzzyCache,
    weights: Weights,
}

/// A folded (mark-free) spelling of the vocabulary, with what the fuzzy search needs.
#[derive(Debug)]
struct FoldForm {
    chars: Vec<char>,
    /// The letters as [`letter_index`] values.
    index: Vec<u8>,
    bag: [u8; 32],
    /// Word ids with this folded spelling, most frequent first.
    ids: Vec<u32>,
}

/// Candidate lists by (word as read, mode).
type CandidateCache = std::sync::Mutex<HashMap<(String, Mode), Arc<Vec<Candidate>>>>;

/// Folded forms near a folded spelling: (length, position, cost) by (spelling, cost bound bits).
type FuzzyCache = std::sync::Mutex<HashMap<(String, u32), Arc<Vec<(usize, usize, f32)>>>>;

/// Most candidate lists kept in the shared cache before it is emptied.
const CACHE_LIMIT: usize = 200_000;

#[derive(Debug, Clone)]
struct Candidate {
    id: u32,
    /// Replacement text (lowercase) or `None` to keep the token as it is.
    text: Option<String>,
    cost: f32,
    /// A second syllable when the token is two words glued together by OCR ("xtrly" → "xử
    /// lý"; `text` then holds both).
    then: Option<u32>,
}

/// Lowercase debris characters that OCR puts for letters, with the letters they stand for
/// (folded) and a cost.
fn debris(c: char) -> &'static [(&'static str, f32)] {
    match c {
        '0' | '6' | '§' | 'ø' | 'ó' => &[("o", 0.2)],
        '4' => &[("a", 0.2), ("o", 0.8)],
        '@' => &[("a", 0.3), ("d", 0.4), ("o", 0.6)],
        '¥' => &[("y", 0.2)],
        '1' | '!' | '|' => &[("l", 0.4), ("i", 0.4)],
        '¢' => &[("c", 0.2), ("o", 0.3)],
        '&' => &[("o", 0.2), ("e", 0.4)],
        '$' | '5' => &[("s", 0.3)],
        '’' | '‘' | '\'' | '`' | '´' | '”' | '“' => &[("", 0.1)],
        _ => &[],
    }
}

/// Cheap letter confusions of English OCR on Vietnamese (observed letter, true folded letter).
fn sub_cost(a: char, b: char) -> f32 {
    if a == b {
        return 0.0;
    }
    const CHEAP: [(char, char); 23] = [
        ('b', 'd'),
        ('d', 'a'),
        ('d', 'o'),
        ('d', 'e'),
        ('i', 'a'),
        ('i', 'u'),
        ('t', 'u'),
        ('l', 'u'),
        ('e', 'o'),
        ('e', 'a'),
        ('y', 'u'),
        ('b', 'o'),
        ('g', 'o'),
        ('w', 'u'),
        ('q', 'o'),
        ('p', 'd'),
        ('e', 'c'),
        ('c', 'o'),
        ('a', 'o'),
        ('o', 'a'),
        ('n', 'u'),
        ('u', 'n'),
        ('r', 'u'),
    ];
    if CHEAP.contains(&(a, b)) { 0.7 } else { 1.4 }
}

fn del_cost(a: char) -> f32 {
    if matches!(a, 'r' | 'i' | 't' | 'l' | 'h') {
        0.8
    } else {
        1.3
    }
}

const INS_COST: f32 = 1.2;

/// Index of a folded letter in the cost tables: a–z → 0..=25, anything else 26.
fn letter_index(c: char) -> u8 {
    if c.is_ascii_lowercase() {
        c as u8 - b'a'
    } else {
        26
    }
}

/// Substitution and deletion costs by letter index, computed once.
struct CostTable {
    sub: [[f32; 27]; 27],
    del: [f32; 27],
}

fn cost_table() -> &'static CostTable {
    static TABLE: std::sync::OnceLock<CostTable> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let letter = |i: usize| {
            if i < 26 {
                char::from(b'a' + i as u8)
            } else {
                '?'
            }
        };
        let mut t = CostTable {
            sub: [[0.0; 27]; 27],
            del: [0.0; 27],
        };
        for a in 0..27 {
            t.del[a] = del_cost(letter(a));
            for b in 0..27 {
                t.sub[a][b] = if a == 26 || b == 26 {
                    if a == b { 0.0 } else { 1.4 }
                } else {
                    sub_cost(letter(a), letter(b))
                };
            }
        }
        t
    })
}

/// Weighted edit distance from an observed folded string to a vocabulary folded form, or
/// `None` when above `max`.
#[cfg(test)]
fn edit_cost(obs: &[char], target: &[char], max: f32) -> Option<f32> {
    let o: Vec<u8> = obs.iter().map(|c| letter_index(*c)).collect();
    let t: Vec<u8> = target.iter().map(|c| letter_index(*c)).collect();
    edit_cost_indexed(&o, &t, max)
}

/// [`edit_cost`] over letter indexes (see [`letter_index`]).
fn edit_cost_indexed(obs: &[u8], target: &[u8], max: f32) -> Option<f32> {
    const MAX_LEN: usize = 24;
    let n = target.len();
    if n >= MAX_LEN {
        return None;
    }
    let table = cost_table();
    let mut prev = [0f32; MAX_LEN];
    let mut cur = [0f32; MAX_LEN];
    for (j, p) in prev.iter_mut().enumerate().take(n + 1) {
        *p = j as f32 * INS_COST;
    }
    for &a in obs {
        let sub = &table.sub[usize::from(a).min(26)];
        let del = table.del[usize::from(a).min(26)];
        cur[0] = prev[0] + del;
        let mut row_min = cur[0];
        for j in 1..=n {
            let v = (prev[j - 1] + sub[usize::from(target[j - 1]).min(26)])
                .min(prev[j] + del)
                .min(cur[j - 1] + INS_COST);
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[n];
    (d <= max).then_some(d)
}

/// Calls `f` with a hash of `word` and of every string made by deleting one or two of its
/// letters (words longer than 23 letters only with their own hash).
fn for_each_deletion(word: &[u8], mut f: impl FnMut(u64)) {
    let hash = |skip1: usize, skip2: usize| {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for (i, &c) in word.iter().enumerate() {
            if i != skip1 && i != skip2 {
                h = (h ^ u64::from(c)).wrapping_mul(0x0100_0000_01b3);
            }
        }
        h ^ (h >> 29)
    };
    let n = word.len();
    f(hash(usize::MAX, usize::MAX));
    if n > 23 {
        return;
    }
    for i in 0..n {
        f(hash(i, usize::MAX));
        for j in i + 1..n {
            f(hash(i, j));
        }
    }
}

/// Letter counts of a folded word (a–z; other characters counted together), padded to 32
/// for vector instructions.
fn letter_bag(chars: &[char]) -> [u8; 32] {
    let mut bag = [0u8; 32];
    for &c in chars {
        let i = usize::from(letter_index(c));
        bag[i] = bag[i].saturating_add(1);
    }
    bag
}

/// Lower bound of [`edit_cost`]: every edit fixes at most one surplus letter on each side
/// and costs at least 0.7.
fn bag_bound(obs: &[u8; 32], t: &[u8; 32]) -> f32 {
    let mut extra = [0u8; 32];
    let mut missing = [0u8; 32];
    for i in 0..32 {
        extra[i] = obs[i].saturating_sub(t[i]);
        missing[i] = t[i].saturating_sub(obs[i]);
    }
    let e: u32 = extra.iter().map(|x| u32::from(*x)).sum();
    let m: u32 = missing.iter().map(|x| u32::from(*x)).sum();
    e.max(m) as f32 * 0.7
}

fn is_marked(s: &str) -> bool {
    s.chars()
        .any(|c| c == 'đ' || split_tone(c).is_some_and(|(b, t)| t > 0 || !b.is_ascii()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    Lower,
    Title,
    Upper,
}

fn case_of(s: &str) -> Case {
    let letters: Vec<char> = s.chars().filter(|c| c.is_alphabetic()).collect();
    let upper = letters.iter().filter(|c| c.is_uppercase()).count();
    if letters.len() >= 2 && upper == letters.len() {
        Case::Upper
    } else if s.chars().next().is_some_and(char::is_uppercase)
        || (upper > 0 && letters.first().is_some_and(|c| c.is_uppercase()))
    {
        Case::Title
    } else {
        Case::Lower
    }
}

fn apply_case(word: &str, case: Case) -> String {
    match case {
        Case::Lower => word.to_string(),
        Case::Upper => word.to_uppercase(),
        Case::Title => {
            let mut cs = word.chars();
            match cs.next() {
                Some(f) => f.to_uppercase().chain(cs).collect(),
                None => String::new(),
            }
        }
    }
}

/// True for a short token of digits and OCR symbols that may be a misread syllable ("46",
/// "$6", "&", "¥"), or letters after a 1 that stands for l ("1am", "1a").
fn looks_like_misread_word(s: &str) -> bool {
    let n = s.chars().count();
    let letters = s.chars().any(char::is_alphabetic);
    (1..=4).contains(&n)
        && s.chars()
            .all(|c| c.is_ascii_digit() || c.is_alphabetic() || "$&§¢@¥".contains(c))
        && (s.chars().any(|c| "046$&§¢@¥".contains(c)) || (letters && s.starts_with('1')))
        && (n <= 3 || letters)
}

/// Vietnamese list-item letters in order: a) b) c) d) đ) e) g) …
const LIST_LETTERS: [char; 23] = [
    'a', 'b', 'c', 'd', 'đ', 'e', 'g', 'h', 'i', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't',
    'u', 'v', 'x', 'y',
];

/// Letters an English OCR engine (`ocr`) or the loss of marks shows for an intended list
/// letter: without OCR only the stroke of đ is lost.
fn list_letter_confusable(observed: char, intended: char, ocr: bool) -> bool {
    observed == intended
        || (observed, intended) == ('d', 'đ')
        || (ocr
            && matches!(
                (observed, intended),
                ('a', 'd') | ('a', 'đ') | ('i', 'đ') | ('¢', 'c') | ('1', 'l') | ('|', 'l')
            ))
}

/// List-item markers ("a)", "đ)") opening the lines of a damaged or stripped text, decided in
/// sequence: a marker that may be a misreading of the letter after the previous one is read
/// as that letter (so "d)" after "d)" is "đ)", "a}" after "c)" is "d)"); a numbered line
/// ("2. …") starts a new list. In text that is not OCR-damaged (`ocr` false) a letter is only
/// read as another when it is d after d. Answers (byte offset of the marker's letter, letter).
fn list_markers(text: &str, ocr: bool) -> Vec<(usize, char)> {
    let mut out = Vec::new();
    let mut prev: Option<usize> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_start();
        let at = start + (line.len() - body.len());
        let mut chars = body.chars();
        let (Some(first), Some(second)) = (chars.next(), chars.next()) else {
            continue;
        };
        if first.is_ascii_digit() {
            prev = None;
            continue;
        }
        let opens_item = matches!(second, ')' | '}')
            && chars.next().is_none_or(char::is_whitespace)
            && (first.is_lowercase() || matches!(first, '¢' | '1' | '|'));
        if !opens_item {
            continue;
        }
        let expected = prev.map_or(0, |p| p + 1);
        let chosen = match LIST_LETTERS.get(expected) {
            Some(&e) if list_letter_confusable(first, e, ocr) => Some(expected),
            _ => LIST_LETTERS.iter().position(|&l| l == first),
        };
        if let Some(i) = chosen {
            out.push((at, LIST_LETTERS[i]));
        }
        prev = chosen;
    }
    out
}

/// Known acronyms: those of `dictionaries/acronyms.txt` plus every
/// capitalised abbreviation of `dictionaries/agencies.tsv`.
fn acronyms() -> &'static [String] {
    static LIST: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    LIST.get_or_init(|| {
        let mut out: Vec<String> = include_str!("../../dictionaries/acronyms.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect();
        for word in include_str!("../../dictionaries/agencies.tsv")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .flat_map(|l| l.split(['\t', '|', ' ', ',', '(', ')']))
        {
            if word.chars().count() >= 2
                && word.chars().all(|c| c.is_uppercase())
                && !out.iter().any(|o| o == word)
            {
                out.push(word.to_string());
            }
        }
        out
    })
}

/// Acronyms whose Đ plain ASCII typing (D) or English OCR (D, and in `damaged` text also P
/// or B; O for Q) loses: "HDND", "HPND" → "HĐND", "OD" → "QĐ". A token that is itself a known
/// acronym ("CP") is kept.
fn fix_acronym(s: &str, damaged: bool) -> Option<&'static str> {
    let list = acronyms();
    if list.iter().any(|a| a == s) {
        return None;
    }
    let mut found = None;
    for a in list.iter().filter(|a| a.contains('Đ')) {
        if a.chars().count() != s.chars().count() {
            continue;
        }
        let fits = a.chars().zip(s.chars()).all(|(x, y)| {
            x == y
                || (x == 'Đ' && (y == 'D' || (damaged && matches!(y, 'P' | 'B'))))
                || (damaged && x == 'Q' && y == 'O')
        });
        if fits {
            if found.is_some() {
                return None;
            }
            found = Some(a.as_str());
        }
    }
    // English OCR may also split Đ into two capitals ("HDPND" for "HĐND").
    if found.is_none() && damaged && s.contains("DP") {
        return fix_acronym(&s.replacen("DP", "D", 1), damaged);
    }
    found
}

/// A date ("27/61/2021", "4/2623") whose day, month or year cannot be, repaired as English
/// OCR misreads the digit 0 (as 6, 8 or 9): "27/01/2021", "4/2023". `None` when the code is
/// no such date or needs no repair.
fn fix_date(code: &str) -> Option<String> {
    let parts: Vec<&str> = code.split('/').collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let year = parts.last()?;
    if year.len() != 4 || parts[..parts.len() - 1].iter().any(|p| p.len() > 2) {
        return None;
    }
    // A digit (the first that fits, from `from` on) read as 0 when the value is outside
    // `range` and becomes inside it: "36" → "30" as a day, "62" → "02" as a month.
    let zero_at = |p: &str, from: usize, range: std::ops::RangeInclusive<u32>| -> String {
        let value = |s: &str| s.parse::<u32>().ok();
        if value(p).is_some_and(|v| range.contains(&v)) {
            return p.to_string();
        }
        for (at, c) in p.bytes().enumerate().skip(from) {
            if matches!(c, b'6' | b'8' | b'9') {
                let fixed = format!("{}0{}", &p[..at], &p[at + 1..]);
                if value(&fixed).is_some_and(|v| range.contains(&v)) {
                    return fixed;
                }
            }
        }
        p.to_string()
    };
    let mut fixed: Vec<String> = Vec::with_capacity(3);
    if parts.len() == 3 {
        fixed.push(zero_at(parts[0], 0, 1..=31));
    }
    fixed.push(zero_at(parts[parts.len() - 2], 0, 1..=12));
    fixed.push(zero_at(year, 1, 1945..=2099));
    let out = fixed.join("/");
    (out != code).then_some(out)
}

/// A year of this century standing alone ("năm 2622", "2621 - 2030") whose 0 English OCR read
/// as 6, 8 or 9: "2022", "2021". No year a directive names is 2600 or later.
fn fix_year(number: &str) -> Option<String> {
    let b = number.as_bytes();
    (b.len() == 4
        && b.iter().all(u8::is_ascii_digit)
        && b[0] == b'2'
        && matches!(b[1], b'6' | b'8' | b'9'))
    .then(|| format!("20{}", &number[2..]))
}

/// Repairs the parts of a document code ("15/2020/ND-CP" → "15/2020/NĐ-CP"); in `damaged`
/// text also dates with impossible numbers (see [`fix_date`]).
fn fix_code(code: &str, damaged: bool) -> Option<String> {
    if damaged && let Some(date) = fix_date(code) {
        return Some(date);
    }
    let mut out = String::with_capacity(code.len() + 4);
    let mut changed = false;
    for part in code.split_inclusive(['/', '-', '.']) {
        let (core, sep) = match part.strip_suffix(['/', '-', '.']) {
            Some(c) => (c, &part[c.len()..]),
            None => (part, ""),
        };
        match fix_acronym(core, damaged) {
            Some(f) => {
                out.push_str(f);
                changed = true;
            }
            None => out.push_str(core),
        }
        out.push_str(sep);
    }
    changed.then_some(out)
}

/// How a line opens: with a dash ("- Sở Y tế;"), a number ("2.", "1.3.", "II." and their
/// English-OCR forms "4,", "I]."), a letter ("b)", OCR "b}") or as plain text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineOpening {
    Dash,
    Numbered,
    Lettered,
    Plain,
}

fn line_opening(line: &str) -> LineOpening {
    let body = line.trim_start();
    let first = body.split_whitespace().next().unwrap_or("");
    if matches!(first, "-" | "+" | "–" | "•" | "*") {
        return LineOpening::Dash;
    }
    let Some(core) = first.strip_suffix(['.', ',', ')', '}']) else {
        return LineOpening::Plain;
    };
    let numbered = (!core.is_empty()
        && core.len() <= 5
        && core.chars().all(|c| c.is_ascii_digit() || c == '.'))
        || (!core.is_empty()
            && core.len() <= 5
            && core
                .chars()
                .all(|c| matches!(c, 'I' | 'V' | 'X' | 'l' | ']' | '|')));
    if numbered {
        LineOpening::Numbered
    } else if first.ends_with([')', '}'])
        && core.chars().count() == 1
        && core.chars().all(char::is_lowercase)
    {
        LineOpening::Lettered
    } else {
        LineOpening::Plain
    }
}

/// Which of ":" and ";" the place of an English-OCR ":" suggests (`Some(true)` for ":"), from
/// how the administrative texts are laid out: at the end of a paragraph, a plain paragraph
/// introduces the list that follows (":"), as does a numbered item ("2. Sở Y tế:"), and a
/// dashed or lettered item ends with ";"; inside a line, ":" comes before a capital or a
/// number ("Sở Y tế: Chủ trì"), ";" before a small letter. `next_opening` is how the paragraph after `para` opens. Answers whether
/// ":" is suggested, and whether by the layout (a surer sign than the next letter).
fn colon_by_place(
    para: &str,
    tokens: &[Token],
    i: usize,
    next_opening: Option<LineOpening>,
) -> Option<(bool, bool)> {
    let t = tokens.get(i)?;
    let next = tokens.get(i + 1);
    let gap = next.map_or(&para[t.end..], |n| &para[t.end..n.start]);
    if next.is_none() || gap.contains('\n') {
        // The line ends here: how does the next line open, and the item this line is in?
        let following = match next {
            Some(n) => {
                let line_end = para[n.start..]
                    .find('\n')
                    .map_or(para.len(), |e| n.start + e);
                Some(line_opening(&para[n.start..line_end]))
            }
            None => next_opening,
        };
        let item = para[..t.start]
            .split('\n')
            .rev()
            .map(line_opening)
            .find(|o| *o != LineOpening::Plain)
            .unwrap_or(LineOpening::Plain);
        if following == Some(LineOpening::Plain) && next.is_some() {
            // A wrapped line: the text goes on.
            return colon_before(&para[next.map_or(0, |n| n.start)..]).map(|c| (c, false));
        }
        return match (item, following) {
            (LineOpening::Dash | LineOpening::Lettered, _) => Some((false, true)),
            (LineOpening::Numbered, _) => Some((true, true)),
            (LineOpening::Plain, Some(o)) if o != LineOpening::Plain => Some((true, true)),
            _ => None,
        };
    }
    colon_before(&para[next.map_or(0, |n| n.start)..]).map(|c| (c, false))
}

/// "tháng" or "quý" for a word that folds to "thang" or "quy" and stands before the number
/// of a month ("7/2024", "8 - 9/2022", "10") or a quarter ("3/2024", "IV", "II/2022").
fn period_word(para: &str, tokens: &[Token], i: usize) -> Option<&'static str> {
    let written = &para[tokens[i].start..tokens[i].end];
    // Every spelling that folds to "thang" or "quy" takes at most 7 bytes: longer words are
    // not folded (this runs for every word of damaged text).
    if written.len() > 8 {
        return None;
    }
    let word = fold(&written.to_lowercase());
    let next = tokens.get(i + 1)?;
    let n = &para[next.start..next.end];
    let lead: String = n.chars().take_while(char::is_ascii_digit).collect();
    let lead = lead.parse::<u32>().ok();
    let after_lead = n.trim_start_matches(|c: char| c.is_ascii_digit());
    let month_like = matches!(next.kind, Kind::Number | Kind::Code)
        && (after_lead.is_empty() || after_lead.starts_with('/'));
    match word.as_str() {
        "thang" if month_like && lead.is_some_and(|m| (1..=12).contains(&m)) => Some("tháng"),
        "quy"
            if (month_like && lead.is_some_and(|q| (1..=4).contains(&q)))
                || (n
                    .split('/')
                    .next()
                    .is_some_and(|r| matches!(r, "I" | "II" | "III" | "IV"))) =>
        {
            Some("quý")
        }
        _ => None,
    }
}

/// Whether byte `at` of `para` is on a line of file marks ("- Lưu: VT, KGVX."), after its label.
fn among_file_marks(para: &str, at: usize) -> bool {
    let line = &para[para[..at].rfind('\n').map_or(0, |n| n + 1)..at];
    let line = line.trim_start();
    let line = line.strip_prefix("- ").unwrap_or(line);
    line.split_whitespace()
        .next()
        .is_some_and(super::layout::is_file_marks_label)
}

/// Whether byte `at` of `para` is the first non-blank of its line.
fn opens_line(para: &str, at: usize) -> bool {
    let before = para[..at].trim_end_matches([' ', '\t']);
    before.is_empty() || before.ends_with('\n')
}

/// ":" before a capital or a digit, ";" before a small letter.
fn colon_before(rest: &str) -> Option<bool> {
    let c = rest.chars().next()?;
    if c.is_uppercase() || c.is_ascii_digit() {
        Some(true)
    } else if c.is_lowercase() {
        Some(false)
    } else {
        None
    }
}

impl Restorer {
    /// Builds the candidate indexes over a language model.
    pub fn new(lm: LanguageModel) -> Restorer {
        let mut by_fold: HashMap<String, Vec<u32>> = HashMap::new();
        for id in 6..lm.vocab_len() as u32 {
            let w = lm.word(id);
            // Syllables (and single letters) only: abbreviations are words of the model but
            // never a reading of something else.
            if w.chars().all(char::is_alphabetic)
                && (w.chars().count() == 1 || super::syllable::is_valid(w))
            {
                by_fold.entry(fold(w)).or_default().push(id);
            }
        }
        let mut folds_by_len: Vec<Vec<FoldForm>> = Vec::new();
        let mut keys: Vec<&String> = by_fold.keys().collect();
        keys.sort();
        for f in keys {
            let chars: Vec<char> = f.chars().collect();
            while folds_by_len.len() <= chars.len() {
                folds_by_len.push(Vec::new());
            }
            let len = chars.len();
            folds_by_len[len].push(FoldForm {
                bag: letter_bag(&chars),
                index: chars.iter().map(|c| letter_index(*c)).collect(),
                chars,
                ids: by_fold.get(f).cloned().unwrap_or_default(),
            });
        }
        let mut deletions: HashMap<u64, Vec<(u16, u32)>> = HashMap::new();
        for (len, bucket) in folds_by_len.iter().enumerate() {
            for (k, form) in bucket.iter().enumerate() {
                let mut seen = Vec::new();
                for_each_deletion(&form.index, |h| {
                    if !seen.contains(&h) {
                        seen.push(h);
                        deletions.entry(h).or_default().push((len as u16, k as u32));
                    }
                });
            }
        }
        Restorer {
            lm,
            by_fold,
            folds_by_len,
            deletions,
            cache: std::sync::Mutex::new(HashMap::new()),
            fuzzy_cache: std::sync::Mutex::new(HashMap::new()),
            weights: Weights::default(),
        }
    }

    /// The underlying language model.
    pub fn language_model(&self) -> &LanguageModel {
        &self.lm
    }

    /// Replaces the weights.
    pub fn with_weights(mut self, weights: Weights) -> Restorer {
        self.weights = weights;
        self
    }

    /// Folded spellings the observed lowercase word may stand for, with their debris cost.
    fn variants(&self, lower: &str) -> Vec<(String, f32)> {
        let mut out: Vec<(String, f32)> = vec![(String::new(), 0.0)];
        for c in fold(lower).chars() {
            let opts: Vec<(String, f32)> = if c.is_alphabetic() {
                vec![(c.to_string(), 0.0)]
            } else {
                let d = debris(c);
                if d.is_empty() {
                    vec![(String::new(), 1.5)]
                } else {
                    d.iter().map(|(s, k)| (s.to_string(), *k)).collect()
                }
            };
            let mut next = Vec::with_capacity(out.len() * opts.len());
            for (prefix, cost) in &out {
                for (s, k) in &opts {
                    next.push((format!("{prefix}{s}"), cost + k));
                }
            }
            next.truncate(16);
            out = next;
        }
        // English OCR reads ư as "ir" ("chirc" for chức, "hirdéng" for hướng); no Vietnamese
        // spelling has "ir".
        let ir: Vec<(String, f32)> = out
            .iter()
            .filter(|(v, _)| v.get(1..).is_some_and(|rest| rest.contains("ir")))
            .map(|(v, k)| {
                (
                    format!("{}{}", &v[..1], v[1..].replacen("ir", "u", 1)),
                    k + 0.3,
                )
            })
            .collect();
        out.extend(ir);
        out
    }

    fn candidates(&self, word: &str, mode: Mode, fixed_case: bool) -> Vec<Candidate> {
        let w = &self.weights;
        let lower = word.to_lowercase();
        let key = super::lm::word_key(&lower);
        let known = self.lm.id(&key);
        let marked = is_marked(&lower);
        let clean_word = lower.chars().all(char::is_alphabetic);
        let mut cands: Vec<Candidate> = Vec::new();
        if let Some(id) = known.filter(|_| clean_word) {
            cands.push(Candidate {
                id,
                text: Some(key.clone()),
                cost: 0.0,
                then: None,
            });
            if mode == Mode::Clean && marked {
                return cands;
            }
        }
        let other_cost = match (mode, marked) {
            (Mode::Clean, true) => w.clean_mark_change,
            (Mode::Clean, false) => w.clean_add_marks,
            (Mode::Damaged | Mode::Stripped, true) => w.damaged_mark_change,
            (Mode::Damaged | Mode::Stripped, false) => 0.0,
        };
        let mut exact = false;
        for (v, vcost) in self.variants(&lower) {
            if let Some(ids) = self.by_fold.get(&v) {
                exact = true;
                for &id in ids {
                    if Some(id) != known || !clean_word {
                        cands.push(Candidate {
                            id,
                            text: Some(self.lm.word(id).to_string()),
                            cost: other_cost + vcost,
                            then: None,
                        });
                    }
                }
            }
        }
        if mode == Mode::Damaged {
            for (intended, logp) in super::channel::confusions(&lower) {
                if let Some(id) = self.lm.id(intended) {
                    cands.push(Candidate {
                        id,
                        text: Some(intended.clone()),
                        cost: -logp * w.channel,
                        then: None,
                    });
                }
            }
        }
        // A valid syllable read by OCR is rarely a misreading of another spelling (the
        // learned confusion table covers the common ones), so only broken words are searched.
        let fuzzy = (mode == Mode::Damaged
            && !(exact
                && known.is_some_and(|id| id < w.common_words)
                && super::syllable::is_valid(&lower)))
            || (!exact && (known.is_none() || !clean_word));
        let exact_penalty = if !exact {
            0.0
        } else if super::syllable::is_valid(&lower) {
            w.exact_valid_bonus
        } else {
            w.exact_fold_bonus
        };
        if fuzzy && !fixed_case {
            for (v, vcost) in self.variants(&lower).into_iter().take(4) {
                let obs: Vec<char> = v.chars().collect();
                if obs.is_empty() {
                    continue;
                }
                let max = ((w.max_edit - vcost).min(0.9 + 0.6 * obs.len() as f32))
                    / w.edit_scale.max(0.01);
                for &(len, k, d) in self.near_forms(&v, &obs, max).iter() {
                    let Some(target) = self.folds_by_len.get(len).and_then(|b| b.get(k)) else {
                        continue;
                    };
                    for &id in &target.ids {
                        cands.push(Candidate {
                            id,
                            text: Some(self.lm.word(id).to_string()),
                            cost: d * w.edit_scale + vcost + exact_penalty,
                            then: None,
                        });
                    }
                }
            }
        }
        if known.is_none() || !clean_word {
            let unk_cost = if clean_word && super::syllable::is_valid(&lower) {
                w.unknown * 0.5
            } else {
                w.unknown
            };
            let unk_cost = if mode == Mode::Clean || fixed_case {
                0.0
            } else if exact {
                w.unknown_known_fold
            } else {
                unk_cost
            };
            cands.push(Candidate {
                id: UNK,
                text: None,
                cost: unk_cost,
                then: None,
            });
        }
        // Keep the cheapest, then the most frequent.
        cands.sort_by(|a, b| a.cost.total_cmp(&b.cost).then(a.id.cmp(&b.id)));
        let mut seen = std::collections::HashSet::new();
        cands.retain(|c| seen.insert(c.id));
        cands.truncate(if mode == Mode::Damaged {
            w.max_candidates_ocr
        } else {
            w.max_candidates
        });
        if mode == Mode::Damaged && !fixed_case && (known.is_none() || !clean_word) {
            cands.extend(self.split_candidates(&lower));
        }
        cands
    }

    /// Folded forms of the vocabulary within weighted edit cost `max` of the folded string
    /// `v` (other than `v` itself), as (length, position in [`Restorer::folds_by_len`], cost);
    /// cached, since many surface words share a folded form.
    fn near_forms(&self, v: &str, obs: &[char], max: f32) -> Arc<Vec<(usize, usize, f32)>> {
        let key = (v.to_string(), max.to_bits());
        if let Some(c) = self
            .fuzzy_cache
            .lock()
            .ok()
            .and_then(|m| m.get(&key).cloned())
        {
            return c;
        }
        let obs_bag = letter_bag(obs);
        let obs_index: Vec<u8> = obs.iter().map(|c| letter_index(*c)).collect();
        // Forms sharing a spelling with up to two letters deleted on each side: every form
        // within two edits, checked by the weighted distance.
        let mut near: Vec<(u16, u32)> = Vec::new();
        for_each_deletion(&obs_index, |h| {
            if let Some(v) = self.deletions.get(&h) {
                near.extend_from_slice(v);
            }
        });
        near.sort_unstable();
        near.dedup();
        let mut out = Vec::new();
        for (len, k) in near {
            let (len, k) = (usize::from(len), k as usize);
            let Some(target) = self.folds_by_len.get(len).and_then(|b| b.get(k)) else {
                continue;
            };
            if bag_bound(&obs_bag, &target.bag) > max || target.chars == obs {
                continue;
            }
            if let Some(d) = edit_cost_indexed(&obs_index, &target.index, max) {
                out.push((len, k, d));
            }
        }
        let out = Arc::new(out);
        if let Ok(mut m) = self.fuzzy_cache.lock() {
            if m.len() >= CACHE_LIMIT {
                m.clear();
            }
            m.insert(key, out.clone());
        }
        out
    }

    /// Readings of a word as two syllables glued together by OCR ("tudo" → "tự do", "xtrly" →
    /// "xử lý", "co'sé" → "cơ sở"): every cut into two parts that each read as a syllable
    /// (same letters, debris read as letters, or at most one cheap misread letter), the
    /// cheapest few, each at the cost of the cut plus its parts.
    fn split_candidates(&self, lower: &str) -> Vec<Candidate> {
        let w = &self.weights;
        let chars: Vec<char> = lower.chars().collect();
        if chars.len() < 4 || chars.len() > 14 {
            return Vec::new();
        }
        // Readings of one part: (id, cost), cheapest and most frequent first.
        let part = |p: &str| -> Vec<(u32, f32)> {
            let mut out: Vec<(u32, f32)> = Vec::new();
            for (v, vcost) in self.variants(p).into_iter().take(4) {
                if let Some(ids) = self.by_fold.get(&v) {
                    out.extend(ids.iter().take(6).map(|&id| (id, vcost)));
                }
                let obs: Vec<char> = v.chars().collect();
                if obs.len() >= 2 && vcost < w.split_edit {
                    for &(len, k, d) in self.near_forms(&v, &obs, w.split_edit - vcost).iter() {
                        if let Some(form) = self.folds_by_len.get(len).and_then(|b| b.get(k)) {
                            out.extend(form.ids.iter().take(4).map(|&id| (id, vcost + d)));
                        }
                    }
                }
            }
            out.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
            out.truncate(6);
            out
        };
        let mut out: Vec<Candidate> = Vec::new();
        for cut in 2..chars.len() - 1 {
            let left: String = chars[..cut].iter().collect();
            // An apostrophe at the cut is the gap itself ("co'sé").
            let right: String = chars[cut..]
                .iter()
                .skip_while(|c| matches!(c, '\'' | '’'))
                .collect();
            if right.chars().count() < 2 || !left.chars().any(char::is_alphabetic) {
                continue;
            }
            let (l, r) = (part(&left), part(&right));
            for &(a, ca) in &l {
                for &(b, cb) in &r {
                    out.push(Candidate {
                        id: a,
                        text: Some(format!("{} {}", self.lm.word(a), self.lm.word(b))),
                        cost: w.split + ca + cb,
                        then: Some(b),
                    });
                }
            }
        }
        // The likeliest pairs: channel cost against how often the second word follows the
        // first (a bigram estimate: no sentence ends before a word).
        let rank = |c: &Candidate| c.cost - self.lm.score(EOS, c.id, c.then.unwrap_or(UNK));
        out.sort_by(|a, b| rank(a).total_cmp(&rank(b)));
        out.truncate(w.max_splits);
        out
    }

    /// An abbreviation kept as written, or with the Đ that typing or OCR lost ([`fix_acronym`]).
    fn acronym_candidate(&self, s: &str, mode: Mode) -> Vec<Candidate> {
        let fixed = fix_acronym(s, mode == Mode::Damaged);
        vec![Candidate {
            id: self.lm.token_id(Kind::Word, fixed.unwrap_or(s)),
            text: fixed.map(str::to_string),
            cost: 0.0,
            then: None,
        }]
    }

    /// [`Restorer::candidates`] of a word, from the shared cache when it was seen before.
    fn cached_candidates(&self, word: &str, mode: Mode) -> Arc<Vec<Candidate>> {
        let key = (word.to_string(), mode);
        if let Some(c) = self.cache.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return c;
        }
        let c = Arc::new(self.candidates(word, mode, false));
        if let Ok(mut m) = self.cache.lock() {
            if m.len() >= CACHE_LIMIT {
                m.clear();
            }
            m.insert(key, c.clone());
        }
        c
    }

    /// Syllables a short run of digits and symbols may be a misreading of ("46" → độ,
    /// "$6" → số, "14" → là, "&" → ở).
    fn misread_number_candidates(&self, s: &str) -> Vec<Candidate> {
        let mut out = Vec::new();
        for (v, vcost) in self.variants(&s.to_lowercase()) {
            let mut keys = vec![v.clone()];
            // A leading 4 or 6 is often "đ" + vowel ("46" → độ) or a lost first letter.
            if let Some(rest) = v.strip_prefix('a').or_else(|| v.strip_prefix('o')) {
                keys.push(format!("d{rest}"));
            }
            for k in keys {
                for &id in self.by_fold.get(&k).map(Vec::as_slice).unwrap_or(&[]) {
                    out.push(Candidate {
                        id,
                        text: Some(self.lm.word(id).to_string()),
                        cost: self.weights.number_as_word + vcost,
                        then: None,
                    });
                }
            }
        }
        // Pairs of the learned confusion table ("10" → lũ).
        for (intended, logp) in super::channel::confusions(s) {
            if let Some(id) = self.lm.id(intended) {
                out.push(Candidate {
                    id,
                    text: Some(intended.clone()),
                    cost: self.weights.number_as_word - logp * self.weights.channel,
                    then: None,
                });
            }
        }
        out.sort_by(|a, b| a.cost.total_cmp(&b.cost));
        out.truncate(self.weights.max_candidates);
        out
    }

    /// What English OCR's "}", "{" and ":" may stand for: ")" and "(" always; ":" is often a
    /// misread ";" (about half the time on rendered administrative text), left to the
    /// language model, with `colon` telling which one its place suggests (see
    /// [`colon_by_place`]).
    fn punctuation_candidates(&self, s: &str, colon: Option<(bool, bool)>) -> Vec<Candidate> {
        let one = |p: &str, cost: f32| Candidate {
            id: self.lm.token_id(Kind::Punct, p),
            text: Some(p.to_string()),
            cost,
            then: None,
        };
        match s {
            "}" => vec![one(")", 0.0)],
            "{" => vec![one("(", 0.0)],
            _ => {
                let against = |layout: bool| {
                    if layout {
                        self.weights.colon_by_layout
                    } else {
                        self.weights.colon_by_next
                    }
                };
                match colon {
                    Some((true, layout)) => vec![one(":", 0.0), one(";", against(layout))],
                    Some((false, layout)) => vec![one(";", 0.0), one(":", against(layout))],
                    None => vec![one(":", 0.0), one(";", self.weights.semicolon_as_colon)],
                }
            }
        }
    }

    /// Candidate readings of a word in a given mode, as (text, cost) for inspection.
    pub fn explain(&self, word: &str, mode: Mode) -> Vec<(String, f32)> {
        self.candidates(word, mode, false)
            .into_iter()
            .map(|c| (c.text.unwrap_or_else(|| format!("<keep {word}>")), c.cost))
            .collect()
    }

    /// Decides whether `text` reads as clean Vietnamese or as damaged text.
    pub fn mode_of(&self, text: &str) -> Mode {
        let mut words = 0usize;
        let mut marked = 0usize;
        let mut unknown = 0usize;
        for t in tokenize(text) {
            if t.kind == Kind::Word {
                let s = &text[t.start..t.end];
                if s.chars().count() >= 2 {
                    words += 1;
                    let lower = s.to_lowercase();
                    if is_marked(&lower) && super::syllable::is_valid(s) {
                        marked += 1;
                    }
                    if !self.by_fold.contains_key(&fold(&lower)) {
                        unknown += 1;
                    }
                }
            } else {
                // Debris that stands for a word ("$6", "1a") is a sign of OCR damage.
                let s = &text[t.start..t.end];
                if looks_like_misread_word(s) && !s.chars().all(|c| c.is_ascii_digit()) {
                    words += 1;
                    unknown += 1;
                }
            }
        }
        if words == 0 || marked * 100 >= words * 45 {
            Mode::Clean
        } else if unknown * 100 >= words * 8 {
            Mode::Damaged
        } else {
            Mode::Stripped
        }
    }

    /// Restores a whole text; line breaks and everything but repaired words are kept.
    pub fn restore(&self, text: &str) -> String {
        let mode = self.mode_of(text);
        let laid_out;
        let text = if mode == Mode::Damaged {
            laid_out = super::layout::repair_ocr_layout(text);
            laid_out.as_str()
        } else {
            text
        };
        let markers = if mode == Mode::Clean {
            Vec::new()
        } else {
            list_markers(text, mode == Mode::Damaged)
        };
        // Paragraphs (separated by blank lines) as (start, end, end of the blank lines after).
        let mut paragraphs: Vec<(usize, usize, usize)> = Vec::new();
        let mut para_start = 0;
        let mut pos = 0;
        for line in text.split_inclusive('\n') {
            pos += line.len();
            if line.trim().is_empty() {
                match paragraphs.last_mut() {
                    Some(last) if last.2 == pos - line.len() && para_start == last.2 => {
                        last.2 = pos;
                    }
                    _ => paragraphs.push((para_start, pos - line.len(), pos)),
                }
                para_start = pos;
            }
        }
        paragraphs.push((para_start, text.len(), text.len()));
        let mut out = String::with_capacity(text.len() + text.len() / 8);
        for (k, &(start, end, after)) in paragraphs.iter().enumerate() {
            let next_opening = paragraphs
                .get(k + 1)
                .map(|&(s, e, _)| line_opening(text[s..e].lines().next().unwrap_or("")));
            out.push_str(&self.restore_paragraph(
                &text[start..end],
                start,
                &markers,
                mode,
                next_opening,
            ));
            out.push_str(&text[end..after]);
        }
        out
    }

    fn restore_paragraph(
        &self,
        para: &str,
        offset: usize,
        markers: &[(usize, char)],
        mode: Mode,
        next_opening: Option<LineOpening>,
    ) -> String {
        let tokens = tokenize(para);
        if tokens.is_empty() {
            return para.to_string();
        }
        // Lines mostly in capitals keep capitals; elsewhere a short all-caps word is a name.
        let mut caps_line = vec![false; tokens.len()];
        {
            let mut line_start = 0;
            let mut ti = 0;
            for line in para.split_inclusive('\n') {
                let end = line_start + line.len();
                let letters: Vec<char> = line.chars().filter(|c| c.is_alphabetic()).collect();
                let up = letters.iter().filter(|c| c.is_uppercase()).count();
                let is_caps = letters.len() >= 4 && up * 10 >= letters.len() * 7;
                while let Some(t) = tokens.get(ti) {
                    if t.start >= end {
                        break;
                    }
                    if let Some(c) = caps_line.get_mut(ti) {
                        *c = is_caps;
                    }
                    ti += 1;
                }
                line_start = end;
            }
        }
        let mut lists: Vec<Arc<Vec<Candidate>>> = Vec::with_capacity(tokens.len());
        for (i, t) in tokens.iter().enumerate() {
            let s = &para[t.start..t.end];
            let marker = markers
                .binary_search_by_key(&(offset + t.start), |m| m.0)
                .ok()
                .and_then(|k| markers.get(k));
            let list = match t.kind {
                _ if marker.is_some() => {
                    let letter = marker.map_or(String::new(), |m| m.1.to_string());
                    vec![Candidate {
                        id: self.lm.id(&letter).unwrap_or(UNK),
                        text: Some(letter),
                        cost: 0.0,
                        then: None,
                    }]
                }
                Kind::Punct
                    if mode == Mode::Damaged
                        && i > 0
                        && tokens[i - 1].end == t.start
                        && ocr_doubled(&para[tokens[i - 1].start..tokens[i - 1].end], s) =>
                {
                    vec![Candidate {
                        id: self.lm.token_id(t.kind, s),
                        text: Some(String::new()),
                        cost: 0.0,
                        then: None,
                    }]
                }
                Kind::Punct if mode == Mode::Damaged && matches!(s, "}" | "{" | ":") => {
                    let colon = (s == ":")
                        .then(|| colon_by_place(para, &tokens, i, next_opening))
                        .flatten();
                    self.punctuation_candidates(s, colon)
                }
                // Table cells ("| Sở Xây dựng |") are read as sentences of their own.
                Kind::Punct if s == "|" => vec![Candidate {
                    id: BOS,
                    text: None,
                    cost: 0.0,
                    then: None,
                }],
                // A section number ("II. NHIỆM VỤ") is kept, and so are the file marks of a
                // "Nơi nhận" block ("Lưu: VT, KGVX."), as abbreviations.
                Kind::Word
                    if mode != Mode::Clean
                        && ((s.chars().all(|c| matches!(c, 'I' | 'V' | 'X'))
                            && opens_line(para, t.start)
                            && para[t.end..].starts_with(". "))
                            || (case_of(s) == Case::Upper && among_file_marks(para, t.start))) =>
                {
                    self.acronym_candidate(s, mode)
                }
                // "tháng" and "quý" before their number ("Thang 7/2024", "Quy 3/2024", "Quy
                // IV") whatever the language model makes of a table cell.
                Kind::Word
                    if mode != Mode::Clean
                        && let Some(word) = period_word(para, &tokens, i) =>
                {
                    vec![Candidate {
                        id: self.lm.token_id(Kind::Word, word),
                        text: Some(word.to_string()),
                        cost: 0.0,
                        then: None,
                    }]
                }
                Kind::Word => {
                    let case = case_of(s);
                    let lower = s.to_lowercase();
                    // Capitals that spell no syllable are an abbreviation, except on a line of
                    // capitals read by OCR (where they may be a damaged word); listed
                    // abbreviations always are.
                    // In OCR text, capitals the confusion table knows as a misread word
                    // ("BG" for "Bộ") are that word unless listed, a Roman numeral or among
                    // other capitals ("CB, HG, LC").
                    let misread_capitals = mode == Mode::Damaged
                        && case == Case::Upper
                        && super::channel::confusions(&lower)
                            .iter()
                            .any(|(_, logp)| *logp > -0.3)
                        && !acronyms().iter().any(|a| a == s)
                        && !s.chars().all(|c| matches!(c, 'I' | 'V' | 'X'))
                        && !neighbour_upper(para, &tokens, i);
                    let acronym = !misread_capitals
                        && case == Case::Upper
                        && ((mode == Mode::Clean
                            && self.lm.id(&super::lm::word_key(&lower)).is_none())
                            || ((!caps_line[i] || mode == Mode::Stripped)
                                && !self.by_fold.contains_key(&fold(&lower)))
                            || acronyms().iter().any(|a| a == s)
                            || fix_acronym(s, mode == Mode::Damaged).is_some());
                    // In clean text, capitalised unknown-looking words are names or acronyms.
                    let keep = mode == Mode::Clean
                        && case != Case::Lower
                        && !is_marked(&lower)
                        && (case == Case::Upper
                            || s.chars().count() == 1
                            || self.lm.id(&super::lm::word_key(&lower)).is_some());
                    if keep {
                        vec![Candidate {
                            id: self.lm.token_id(Kind::Word, s),
                            text: None,
                            cost: 0.0,
                            then: None,
                        }]
                    } else if acronym {
                        self.acronym_candidate(s, mode)
                    } else {
                        lists.push(self.cached_candidates(s, mode));
                        continue;
                    }
                }
                // Letters or symbols with digits ("$6", "1a", "NG@i") are never numbers: they
                // are read as words, kept only at the cost of an unknown word.
                Kind::Code | Kind::Punct
                    if mode == Mode::Damaged
                        && looks_like_misread_word(s)
                        && !s.chars().all(|c| c.is_ascii_digit()) =>
                {
                    lists.push(self.cached_candidates(s, mode));
                    continue;
                }
                Kind::Code | Kind::Number | Kind::Punct
                    if mode == Mode::Damaged && looks_like_misread_word(s) =>
                {
                    let mut c = vec![Candidate {
                        id: self.lm.token_id(t.kind, s),
                        text: None,
                        cost: 0.0,
                        then: None,
                    }];
                    c.extend(self.misread_number_candidates(s));
                    c
                }
                Kind::Number if mode == Mode::Damaged && fix_year(s).is_some() => {
                    vec![Candidate {
                        id: self.lm.token_id(t.kind, s),
                        text: fix_year(s),
                        cost: 0.0,
                        then: None,
                    }]
                }
                Kind::Code => vec![Candidate {
                    id: super::lm::CODE,
                    text: fix_code(s, mode == Mode::Damaged),
                    cost: 0.0,
                    then: None,
                }],
                _ => vec![Candidate {
                    id: self.lm.token_id(t.kind, s),
                    text: None,
                    cost: 0.0,
                    then: None,
                }],
            };
            lists.push(Arc::new(list));
        }
        // A line ending with ".", ":" or ";" ends a sentence, as the lines of the training
        // text do (a wrapped line does not); so does a line in capitals (a heading, a
        // signature block).
        let ends: Vec<bool> = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| {
                (caps_line[i]
                    || (t.kind == Kind::Punct && matches!(&para[t.start..t.end], "." | ":" | ";")))
                    && tokens
                        .get(i + 1)
                        .is_none_or(|n| para[t.end..n.start].contains('\n'))
            })
            .collect();
        let best = self.beam(&lists, &ends);
        let mut out = String::with_capacity(para.len() + 16);
        let mut last = 0;
        for (i, ((t, list), &choice)) in tokens.iter().zip(&lists).zip(&best).enumerate() {
            out.push_str(&para[last..t.start]);
            let s = &para[t.start..t.end];
            match list.get(choice).and_then(|c| c.text.as_deref()) {
                Some(rep) if t.kind == Kind::Word => {
                    let case = case_of(s);
                    let case = if case == Case::Upper
                        && !caps_line.get(i).copied().unwrap_or(false)
                        && s.chars().count() <= 2
                        && !neighbour_upper(para, &tokens, i)
                    {
                        Case::Title
                    } else if s.starts_with('$') {
                        dollar_case(para, &tokens, i)
                    } else if mode == Mode::Damaged && ocr_capital(para, &tokens, i) {
                        Case::Lower
                    } else {
                        case
                    };
                    let fixed = if s.chars().all(|c| c.is_alphabetic())
                        && super::lm::word_key(&s.to_lowercase()) == rep
                    {
                        s.to_string()
                    } else if list.get(choice).is_some_and(|c| c.id == UNK)
                        || rep.chars().any(char::is_uppercase)
                    {
                        rep.to_string()
                    } else {
                        apply_case(rep, case)
                    };
                    out.push_str(&fixed);
                }
                Some(rep) if rep.chars().all(char::is_alphabetic) => {
                    // A run of digits and symbols read as a syllable ("$6" → "Số").
                    let case = if s.starts_with('$') {
                        dollar_case(para, &tokens, i)
                    } else {
                        match case_of(s) {
                            Case::Upper if s.chars().filter(|c| c.is_alphabetic()).count() < 2 => {
                                Case::Title
                            }
                            c => c,
                        }
                    };
                    out.push_str(&apply_case(rep, case));
                }
                Some(rep) => out.push_str(rep),
                None => out.push_str(s),
            }
            last = t.end;
        }
        out.push_str(&para[last..]);
        out
    }

    /// Beam search over candidate lists, a sentence ending after each position `i` where
    /// `ends[i]`; returns the chosen index per position.
    fn beam(&self, lists: &[Arc<Vec<Candidate>>], ends: &[bool]) -> Vec<usize> {
        #[derive(Clone, Copy)]
        struct Hyp {
            a: u32,
            b: u32,
            score: f32,
            node: usize,
        }
        // Back-pointer arena: (parent node, candidate index).
        let mut arena: Vec<(usize, usize)> = vec![(usize::MAX, 0)];
        let mut beam = vec![Hyp {
            a: BOS,
            b: BOS,
            score: 0.0,
            node: 0,
        }];
        let width = self.weights.beam.max(1);
        let mut next: Vec<Hyp> = Vec::new();
        for (i, list) in lists.iter().enumerate() {
            next.clear();
            if list.len() == 1 && list[0].id == BOS {
                // A cell boundary: a new sentence starts. The cell's end is not scored as the
                // end of a sentence: cells rarely end as the sentences of the training text do.
                for h in &beam {
                    let s = h.score;
                    arena.push((h.node, 0));
                    next.push(Hyp {
                        a: BOS,
                        b: BOS,
                        score: s,
                        node: arena.len() - 1,
                    });
                }
            } else {
                for h in &beam {
                    for (ci, c) in list.iter().enumerate() {
                        let mut s = h.score + self.lm.score(h.a, h.b, c.id) - c.cost;
                        let (a, b) = match c.then {
                            Some(second) => {
                                s += self.lm.score(h.b, c.id, second);
                                (c.id, second)
                            }
                            None => (h.b, c.id),
                        };
                        arena.push((h.node, ci));
                        next.push(Hyp {
                            a,
                            b,
                            score: s,
                            node: arena.len() - 1,
                        });
                    }
                }
            }
            next.sort_by(|x, y| y.score.total_cmp(&x.score));
            // Recombine states with the same last two words.
            let mut kept: Vec<Hyp> = Vec::with_capacity(width);
            for h in &next {
                if kept.len() >= width {
                    break;
                }
                if !kept.iter().any(|k| k.a == h.a && k.b == h.b) {
                    kept.push(*h);
                }
            }
            std::mem::swap(&mut beam, &mut kept);
            if ends.get(i).copied().unwrap_or(false) && i + 1 < lists.len() {
                // Every hypothesis now has the same state: the best one stays.
                let best = beam
                    .iter()
                    .map(|h| Hyp {
                        a: BOS,
                        b: BOS,
                        score: h.score + self.lm.score(h.a, h.b, EOS),
                        node: h.node,
                    })
                    .max_by(|x, y| x.score.total_cmp(&y.score));
                beam.clear();
                beam.extend(best);
            }
        }
        let best = beam
            .iter()
            .map(|h| (h.score + self.lm.score(h.a, h.b, EOS), h.node))
            .max_by(|x, y| x.0.total_cmp(&y.0))
            .map_or(0, |x| x.1);
        let mut out = vec![0; lists.len()];
        let mut node = best;
        let mut i = lists.len();
        while node != 0 && node < arena.len() && i > 0 {
            i -= 1;
            out[i] = arena[node].1;
            node = arena[node].0;
        }
        out
    }
}

/// Case of a syllable read from a token opening with "$" (an S to English OCR): capital at the
/// start of a sentence or line and before a capitalised word ("$6:" → "Số:", "$& Tài chính" →
/// "Sở Tài chính"), small otherwise ("kiến trúc $6 của" → "số").
fn dollar_case(para: &str, tokens: &[Token], i: usize) -> Case {
    let starts = match i.checked_sub(1).and_then(|j| tokens.get(j)) {
        None => true,
        Some(p) => {
            para[p.end..tokens.get(i).map_or(p.end, |t| t.start)].contains('\n')
                || (p.kind == Kind::Punct
                    && matches!(&para[p.start..p.end], "." | ":" | ";" | "!" | "?"))
        }
    };
    let next_capital = tokens.get(i + 1).is_some_and(|n| {
        n.kind == Kind::Word
            && para[n.start..n.end]
                .chars()
                .next()
                .is_some_and(char::is_uppercase)
    });
    if starts || next_capital {
        Case::Title
    } else {
        Case::Lower
    }
}

/// True when word token `i` opens with a capital that English OCR puts for a small letter with
/// a mark ("phản Anh", "phương An" for ánh, án; "lực Iượng" for lượng): an A or I between a
/// small word and a small word or punctuation.
fn ocr_capital(para: &str, tokens: &[Token], i: usize) -> bool {
    let text = |t: &Token| &para[t.start..t.end];
    let starts_small = |t: &Token| t.kind == Kind::Word && text(t).starts_with(char::is_lowercase);
    let Some(t) = tokens.get(i) else {
        return false;
    };
    let word = text(t);
    let mut chars = word.chars();
    // A lone capital ("mục I", "nhóm A") is a numeral or a label.
    matches!(chars.next(), Some('A' | 'I'))
        && word.chars().count() >= 2
        && chars.all(char::is_lowercase)
        && i.checked_sub(1)
            .and_then(|j| tokens.get(j))
            .is_some_and(starts_small)
        && tokens
            .get(i + 1)
            .is_none_or(|n| starts_small(n) || matches!(text(n), "," | ";" | "." | ":" | ")"))
}

/// True when punctuation `cur`, right after `prev`, is English OCR's second reading of the same
/// mark: "b})" for "b)", "dinh;:" for "định;".
fn ocr_doubled(prev: &str, cur: &str) -> bool {
    matches!(
        (prev, cur),
        ("}", ")") | (";", ":") | (":", ";") | (")", "}")
    )
}

/// True when the word before or after token `i` is written in capitals.
fn neighbour_upper(para: &str, tokens: &[Token], i: usize) -> bool {
    let is_up = |j: usize| {
        tokens
            .get(j)
            .is_some_and(|x| x.kind == Kind::Word && case_of(&para[x.start..x.end]) == Case::Upper)
    };
    (i > 0 && is_up(i - 1)) || is_up(i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_cost_prefers_ocr_confusions() {
        let c = |a: &str, b: &str| {
            edit_cost(
                &a.chars().collect::<Vec<_>>(),
                &b.chars().collect::<Vec<_>>(),
                9.0,
            )
            .unwrap_or(99.0)
        };
        assert!(c("cla", "cua") < c("cla", "cha") + 0.5);
        assert!(c("bdo", "bao") < 1.0);
        assert!(c("pht", "phu") < 1.0);
        assert!(c("mirc", "muc") < 2.0);
        assert_eq!(c("abc", "abc"), 0.0);
        assert!(edit_cost(&['x'; 3], &['a'; 9], 2.0).is_none());
    }

    #[test]
    fn codes_get_their_d_back() {
        assert_eq!(
            fix_code("15/2020/ND-CP", false).as_deref(),
            Some("15/2020/NĐ-CP")
        );
        assert_eq!(fix_code("339/TB-VPCP", true), None);
        assert_eq!(fix_acronym("HDND", false), Some("HĐND"));
        // English OCR reads Đ as P or B; plain typing only loses the stroke.
        assert_eq!(fix_acronym("HPND", true), Some("HĐND"));
        assert_eq!(fix_acronym("HBND", true), Some("HĐND"));
        assert_eq!(fix_acronym("HPND", false), None);
        // Known acronyms without Đ stay.
        assert_eq!(fix_acronym("UBND", true), None);
        assert_eq!(fix_acronym("DT", true), None);
        // Listed in dictionaries/acronyms.txt: telegrams, local government, joined with "&".
        assert_eq!(fix_code("825/CD-TTg", false).as_deref(), Some("825/CĐ-TTg"));
        assert_eq!(
            fix_code("1520/BNV-CQDP", true).as_deref(),
            Some("1520/BNV-CQĐP")
        );
        assert_eq!(fix_acronym("KH&DT", false), Some("KH&ĐT"));
        assert_eq!(fix_acronym("LDTB&XH", false), Some("LĐTB&XH"));
        // A government code keeps its P even in OCR text.
        assert_eq!(fix_code("97/NQ-CP", true), None);
        assert_eq!(
            fix_code("1034/OD-TTg", true).as_deref(),
            Some("1034/QĐ-TTg")
        );
        assert_eq!(fix_code("93/QB-TTg", true).as_deref(), Some("93/QĐ-TTg"));
        assert_eq!(fix_code("93/QB-TTg", false), None);
    }

    #[test]
    fn list_letters_follow_their_sequence() {
        let text =
            "1. Giao:\na) mot;\nb) hai;\nc} ba;\nd) bon;\nd) nam;\na} sau;\n2. Tiep:\na) bay.";
        let letters: Vec<char> = list_markers(text, true).into_iter().map(|m| m.1).collect();
        // "d)" after "d)" is "đ)", "a}" after "đ)" is "e)"? no: a is not a misreading of e,
        // so it opens a new list; a numbered line restarts the list too.
        assert_eq!(letters, vec!['a', 'b', 'c', 'd', 'đ', 'a', 'a']);
        let ocr = "a) mot;\nb) hai;\n¢) ba;\na} bon;";
        let letters: Vec<char> = list_markers(ocr, true).into_iter().map(|m| m.1).collect();
        assert_eq!(letters, vec!['a', 'b', 'c', 'd']);
        // Text that only lost its marks: a new list after "c)" keeps its "a)", and "d)"
        // after "d)" is still "đ)".
        let stripped =
            "a) mot;\nb) hai;\nc) ba.\nTiep theo:\na) bon;\nb) nam;\nc) sau;\nd) bay;\nd) tam.";
        let letters = |ocr: bool| -> Vec<char> {
            list_markers(stripped, ocr)
                .into_iter()
                .map(|m| m.1)
                .collect()
        };
        assert_eq!(letters(false), vec!['a', 'b', 'c', 'a', 'b', 'c', 'd', 'đ']);
        assert_eq!(letters(true), vec!['a', 'b', 'c', 'd', 'b', 'c', 'd', 'đ']);
    }

    #[test]
    fn misread_word_tokens_are_recognised() {
        for s in ["46", "$6", "&", "¥", "1am", "1a", "c6"] {
            assert!(looks_like_misread_word(s), "{s}");
        }
        for s in ["1", "2020", "15", "abc", "12345"] {
            assert!(!looks_like_misread_word(s), "{s}");
        }
    }

    #[test]
    fn lines_open_with_dashes_numbers_letters_or_text() {
        assert_eq!(line_opening("- Sở Y tế;"), LineOpening::Dash);
        assert_eq!(
            line_opening("  2. Giám đốc Công an tỉnh:"),
            LineOpening::Numbered
        );
        assert_eq!(line_opening("4, Tổng kết"), LineOpening::Numbered);
        assert_eq!(line_opening("I]. NHIỆM VỤ"), LineOpening::Numbered);
        assert_eq!(line_opening("b} Tuyên truyền"), LineOpening::Lettered);
        assert_eq!(line_opening("Bộ Văn hóa giao:"), LineOpening::Plain);
        assert_eq!(line_opening("Số: 12/UBND"), LineOpening::Plain);
    }

    #[test]
    fn the_place_of_an_ocr_colon_tells_colon_from_semicolon() {
        let at = |para: &str, next: Option<LineOpening>| {
            let tokens = tokenize(para);
            let i = tokens
                .iter()
                .rposition(|t| &para[t.start..t.end] == ":")
                .expect("a colon");
            colon_by_place(para, &tokens, i, next)
        };
        // A plain paragraph before a list introduces it; a dashed item ends with ";".
        assert_eq!(
            at("Bo Van hoa giao:", Some(LineOpening::Dash)),
            Some((true, true))
        );
        assert_eq!(
            at("- So Y te:", Some(LineOpening::Dash)),
            Some((false, true))
        );
        assert_eq!(
            at("- Uy ban nhan dan cac\nhuyen:", None),
            Some((false, true))
        );
        assert_eq!(
            at("2. Giam doc Cong an tinh:", Some(LineOpening::Lettered)),
            Some((true, true))
        );
        // Plain text before plain text is left to the language model.
        assert_eq!(at("Noi dung:", Some(LineOpening::Plain)), None);
        // Inside a line, or where a line wraps, the next letter tells.
        assert_eq!(at("- So Y te: Chu tri", None), Some((true, false)));
        assert_eq!(at("xay dung: giao chi tieu", None), Some((false, false)));
        assert_eq!(at("xay dung:\ngiao chi tieu", None), Some((false, false)));
    }

    #[test]
    fn months_and_quarters_before_their_number() {
        let at = |para: &str| {
            let tokens = tokenize(para);
            period_word(para, &tokens, 0)
        };
        assert_eq!(at("Thang 7/2024"), Some("tháng"));
        assert_eq!(at("thang 10 nam 2020"), Some("tháng"));
        assert_eq!(at("Quy 3/2024"), Some("quý"));
        assert_eq!(at("Quy IV nam 2023"), Some("quý"));
        assert_eq!(at("Quy II/2022"), Some("quý"));
        assert_eq!(at("thang 13/2024"), None);
        assert_eq!(at("Quy 5"), None);
        assert_eq!(at("quy dinh 12"), None);
        assert_eq!(at("thang luong"), None);
    }

    #[test]
    fn doubled_ocr_punctuation_is_read_once() {
        assert!(ocr_doubled("}", ")"));
        assert!(ocr_doubled(";", ":"));
        assert!(!ocr_doubled(")", ")"));
        assert!(!ocr_doubled(".", "/"));
    }

    #[test]
    fn impossible_dates_get_their_zeros_back() {
        assert_eq!(fix_date("27/61/2021").as_deref(), Some("27/01/2021"));
        assert_eq!(fix_date("61/4/2025").as_deref(), Some("01/4/2025"));
        assert_eq!(fix_date("36/6/2024").as_deref(), Some("30/6/2024"));
        assert_eq!(fix_acronym("HDPND", true), Some("HĐND"));
        assert_eq!(fix_acronym("HDPND", false), None);
        assert_eq!(fix_year("2621").as_deref(), Some("2021"));
        assert_eq!(fix_year("2645").as_deref(), Some("2045"));
        assert_eq!(fix_year("2050"), None);
        assert_eq!(fix_year("26"), None);
        assert_eq!(fix_date("4/2623").as_deref(), Some("4/2023"));
        assert_eq!(fix_date("15/8/2925").as_deref(), Some("15/8/2025"));
        assert_eq!(fix_date("22/9/2020"), None);
        assert_eq!(fix_date("339/TB-VPCP"), None);
        assert_eq!(fix_date("15/2020"), None);
        // Only OCR text: typed text keeps what it says.
        assert_eq!(fix_code("10/61/2023", true).as_deref(), Some("10/01/2023"));
        assert_eq!(fix_code("10/61/2023", false), None);
    }

    #[test]
    fn ocr_capitals_inside_a_sentence_are_small() {
        let at = |para: &str, word: &str| {
            let tokens = tokenize(para);
            let i = tokens
                .iter()
                .position(|t| &para[t.start..t.end] == word)
                .unwrap_or(usize::MAX);
            ocr_capital(para, &tokens, i)
        };
        assert!(at("kip thoi phan Anh ve Bo", "Anh"));
        assert!(at("xay dung phuong An va", "An"));
        assert!(at("luc Iuong, dao tao", "Iuong"));
        // Names keep their capital.
        assert!(!at("tinh Long An va", "An"));
        assert!(!at("ong Nguyen Tuan Anh da", "Anh"));
        assert!(!at("tinh An Giang", "An"));
        assert!(!at("tai muc I va", "I"));
    }

    #[test]
    fn a_dollar_word_is_capital_at_a_start_or_before_a_name() {
        let case = |para: &str, i: usize| dollar_case(para, &tokenize(para), i);
        assert_eq!(case("$6: 12/UBND", 0), Case::Title);
        assert_eq!(case("voi $& Tai chinh", 1), Case::Title);
        assert_eq!(case("kien truc $6 cua", 2), Case::Lower);
    }

    #[test]
    fn case_is_detected_and_applied() {
        assert_eq!(case_of("Vin"), Case::Title);
        assert_eq!(case_of("VAN"), Case::Upper);
        assert_eq!(case_of("dlmg"), Case::Lower);
        assert_eq!(apply_case("văn", Case::Title), "Văn");
        assert_eq!(apply_case("đảng", Case::Upper), "ĐẢNG");
    }
}
