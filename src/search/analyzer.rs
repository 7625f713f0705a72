//! Vietnamese text analysis: syllable tokens in two forms at the same position.
//!
//! Text is brought to NFC before it reaches the analyzer (on decomposed text the
//! tokenizer would split a syllable at its combining marks). Tokens are split on every
//! character that is not alphanumeric, so Vietnamese syllables and the parts of a
//! document number ("299", "tb", "vpcp") become separate, consecutive tokens.
//!
//! Every token is lower-cased and emitted in its folded form (diacritics removed, đ
//! becomes d); when the accented form differs, it is emitted as well, at the same
//! position. One field thus answers both folded queries ("duong" finds "đường" and
//! "dương") and accent-exact queries ("đường" only), phrases included, and a phrase
//! may mix accented and unaccented syllables.

use std::collections::HashSet;
use std::ops::Range;

use tantivy::Index;
use tantivy::tokenizer::{
    LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, Token, TokenFilter, TokenStream,
    Tokenizer, WhitespaceTokenizer,
};
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

use crate::text;

/// Name of the analyzer registered on the index.
pub const VIETNAMESE: &str = "dondoc_vi";
/// Name of the analyzer of folded syllable pairs and triples ("chuyen doi", "doi so",
/// "#chuyen doi so").
pub const SHINGLES: &str = "dondoc_vi_shingles";
/// Name of the analyzer of the word beginnings computed by [`beginnings`]: it only
/// splits them at white space.
pub const BEGINNINGS: &str = "dondoc_vi_beginnings";
/// Shortest word beginning indexed, in characters.
pub const MIN_PREFIX_CHARS: usize = 2;
/// Longest word beginning indexed, in characters (at most four: a beginning is packed
/// into a `u32` by [`beginnings`]); longer prefixes begin few words.
pub const MAX_PREFIX_CHARS: usize = 4;
/// First character of a triple term, which sets triples apart from pairs: a prefix of
/// pairs ("kien gi*") never expands to triples.
pub const TRIPLE_MARK: char = '#';

/// Longest token kept, in bytes; longer tokens are noise (base64, long digit runs).
const MAX_TOKEN_BYTES: usize = 60;
/// Longest filter or number key, in characters.
const MAX_KEY_CHARS: usize = 200;

/// Builds the analyzer.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(DualForm { accented: true })
        .build()
}

/// Builds the analyzer of folded syllable shingles: one token per three consecutive
/// syllables of a value, then one per two, at the position of their first syllable.
/// A pair or triple term finds a phrase of two or three syllables without reading
/// positions; a longer phrase is a phrase of triples.
pub fn shingles_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(DualForm { accented: false })
        .filter(Shingles)
        .build()
}

/// The distinct beginnings of the words of `values`, space-separated and sorted: the
/// first [`MIN_PREFIX_CHARS`] to [`MAX_PREFIX_CHARS`] characters of every word (the
/// whole word when it is that short), lower-cased and folded ("Chuyển" gives "ch",
/// "chu" and "chuy"). Beginnings that do not fold to ASCII letters and digits are left
/// out (see [`is_indexed_prefix`]).
///
/// A document has each beginning once: a prefix matches documents, not how many words
/// of a document begin with it. Indexing each distinct beginning once, instead of every
/// beginning of every word, keeps the index small and fast to write; each beginning is
/// packed into one integer while the distinct ones are sorted out.
pub fn beginnings<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    let mut packed: Vec<u32> = Vec::new();
    let mut folded = String::new();
    for value in values {
        for piece in value.split(|c: char| !c.is_alphanumeric()) {
            if piece.len() > MAX_TOKEN_BYTES {
                continue;
            }
            folded.clear();
            for c in piece.chars().take(MAX_PREFIX_CHARS) {
                for lower in c.to_lowercase() {
                    fold_char(lower, &mut folded);
                }
            }
            let bytes = folded.as_bytes();
            let ascii = bytes
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric())
                .count()
                .min(MAX_PREFIX_CHARS);
            // A beginning of up to four ASCII bytes is one integer, its bytes from the
            // most significant end: integer order is then alphabetical order.
            let mut key = 0u32;
            for (n, byte) in bytes.iter().take(ascii).enumerate() {
                key |= u32::from(*byte) << (24 - 8 * n);
                if n + 1 >= MIN_PREFIX_CHARS {
                    packed.push(key);
                }
            }
        }
    }
    packed.sort_unstable();
    packed.dedup();
    let mut out = String::with_capacity(packed.len() * 4);
    for key in packed {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(
            key.to_be_bytes()
                .into_iter()
                .take_while(|b| *b != 0)
                .map(char::from),
        );
    }
    out
}

/// Whether a one-syllable prefix (lower case, folded) is one of the [`beginnings`]
/// indexed: [`MIN_PREFIX_CHARS`] to [`MAX_PREFIX_CHARS`] ASCII letters and digits.
pub fn is_indexed_prefix(prefix: &str) -> bool {
    (MIN_PREFIX_CHARS..=MAX_PREFIX_CHARS).contains(&prefix.len())
        && prefix.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The pair terms of consecutive folded tokens.
pub fn pair_terms(folded: &[String]) -> Vec<String> {
    folded
        .windows(2)
        .filter_map(|w| match w {
            [a, b] => Some(format!("{a} {b}")),
            _ => None,
        })
        .collect()
}

/// The triple terms of consecutive folded tokens (see [`TRIPLE_MARK`]).
pub fn triple_terms(folded: &[String]) -> Vec<String> {
    folded
        .windows(3)
        .filter_map(|w| match w {
            [a, b, c] => Some(format!("{TRIPLE_MARK}{a} {b} {c}")),
            _ => None,
        })
        .collect()
}

/// Registers the analyzer on `index`; custom analyzers are not persisted with an
/// index, so this must run every time an index is opened.
pub fn register(index: &Index) {
    index.tokenizers().register(VIETNAMESE, analyzer());
    index.tokenizers().register(SHINGLES, shingles_analyzer());
    index.tokenizers().register(
        BEGINNINGS,
        TextAnalyzer::builder(WhitespaceTokenizer::default()).build(),
    );
}

/// Folds one lower-case token: diacritics removed, đ becomes d.
pub fn fold_token(token: &str, out: &mut String) {
    out.clear();
    for c in token.chars() {
        fold_char(c, out);
    }
}

/// First and last character of the Latin blocks that hold the Vietnamese letters.
const LATIN_FIRST: u32 = 0xC0;
const LATIN_LAST: u32 = 0x1EF9;

/// Appends `c` folded to `out`: ASCII as is, Vietnamese letters from a table.
fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c);
        return;
    }
    let folded = (u32::from(c))
        .checked_sub(LATIN_FIRST)
        .and_then(|i| latin_folds().get(i as usize))
        .copied()
        .unwrap_or(0);
    if folded == 0 {
        fold_char_slowly(c, out);
    } else {
        out.push(char::from(folded));
    }
}

/// The ASCII character each character of `LATIN_FIRST..=LATIN_LAST` folds to, or 0
/// when it does not fold to one ASCII character; computed once.
fn latin_folds() -> &'static [u8] {
    static TABLE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        (LATIN_FIRST..=LATIN_LAST)
            .map(|code| {
                let mut folded = String::new();
                if let Some(c) = char::from_u32(code) {
                    fold_char_slowly(c, &mut folded);
                }
                match folded.as_bytes() {
                    [b] if b.is_ascii() => *b,
                    _ => 0,
                }
            })
            .collect()
    })
}

fn fold_char_slowly(c: char, out: &mut String) {
    match c {
        'đ' | 'Đ' => out.push('d'),
        c => decompose_canonical(c, |d| {
            if !is_combining_mark(d) {
                out.push(d);
            }
        }),
    }
}

/// The folded and the accented form of a query token (equal when it has no marks).
pub fn forms(token: &str) -> (String, String) {
    let mut folded = String::new();
    fold_token(token, &mut folded);
    (folded, token.to_string())
}

/// Token texts of `s` (NFC) as (folded, accented) pairs, in order.
pub fn query_tokens(s: &str) -> Vec<(String, String)> {
    let mut tokenizer = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .build();
    let mut stream = tokenizer.token_stream(s);
    let mut out = Vec::new();
    while let Some(token) = stream.next() {
        out.push(forms(&token.text));
    }
    out
}

/// The folded words of `original` that no value in `known` contains, space-separated
/// in order of first occurrence: what an OCR-damaged text as received adds to its
/// repaired version ("bdo", "cla", "Vin" for "báo", "của", "Văn").
pub fn novel_words(original: &str, known: &[String]) -> String {
    let mut seen: HashSet<String> = HashSet::new();
    for value in known {
        for_each_word(value, |_, _, folded| {
            if folded.len() <= MAX_TOKEN_BYTES && !seen.contains(folded) {
                seen.insert(folded.to_string());
            }
        });
    }
    let mut out = String::new();
    for_each_word(original, |_, _, folded| {
        if folded.len() <= MAX_TOKEN_BYTES && !seen.contains(folded) {
            seen.insert(folded.to_string());
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(folded);
        }
    });
    out
}

/// Calls `f` with the byte range, the lower-case form and the folded form of every word
/// of `text` (a run of letters and digits, as the analyzer splits words), in order.
pub fn for_each_word(text: &str, mut f: impl FnMut(Range<usize>, &str, &str)) {
    let mut lower = String::new();
    let mut folded = String::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            if start.is_none() {
                start = Some(i);
                lower.clear();
                folded.clear();
            }
            if c.is_ascii() {
                let l = c.to_ascii_lowercase();
                lower.push(l);
                folded.push(l);
            } else {
                for l in c.to_lowercase() {
                    lower.push(l);
                    fold_char(l, &mut folded);
                }
            }
        } else if let Some(s) = start.take() {
            f(s..i, &lower, &folded);
        }
    }
    if let Some(s) = start {
        f(s..text.len(), &lower, &folded);
    }
}

/// Emits the folded form of each token, then (when `accented`) the accented form at
/// the same position when it differs.
#[derive(Clone, Copy, Debug)]
struct DualForm {
    accented: bool,
}

impl TokenFilter for DualForm {
    type Tokenizer<T: Tokenizer> = DualFormTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> DualFormTokenizer<T> {
        DualFormTokenizer {
            inner: tokenizer,
            accented: self.accented,
        }
    }
}

#[derive(Clone)]
struct DualFormTokenizer<T> {
    inner: T,
    accented: bool,
}

impl<T: Tokenizer> Tokenizer for DualFormTokenizer<T> {
    type TokenStream<'a> = DualFormStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        DualFormStream {
            inner: self.inner.token_stream(text),
            token: Token::default(),
            keep_accented: self.accented,
            accented: None,
        }
    }
}

struct DualFormStream<S> {
    inner: S,
    token: Token,
    keep_accented: bool,
    accented: Option<Token>,
}

impl<S: TokenStream> TokenStream for DualFormStream<S> {
    fn advance(&mut self) -> bool {
        if let Some(accented) = self.accented.take() {
            self.token = accented;
            return true;
        }
        if !self.inner.advance() {
            return false;
        }
        let source = self.inner.token();
        if source.text.is_ascii() {
            self.token.clone_from(source);
            return true;
        }
        let mut folded = String::with_capacity(source.text.len());
        fold_token(&source.text, &mut folded);
        if self.keep_accented && folded != source.text {
            self.accented = Some(source.clone());
        }
        self.token.clone_from(source);
        self.token.text = folded;
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// Joins each token with the two before it into a triple and with the one before it
/// into a pair ("chuyen", "doi", "so" give "chuyen doi", "#chuyen doi so", "doi so");
/// a value of one token gives nothing.
#[derive(Clone, Copy, Debug)]
struct Shingles;

impl TokenFilter for Shingles {
    type Tokenizer<T: Tokenizer> = ShinglesTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> ShinglesTokenizer<T> {
        ShinglesTokenizer { inner: tokenizer }
    }
}

#[derive(Clone)]
struct ShinglesTokenizer<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for ShinglesTokenizer<T> {
    type TokenStream<'a> = ShinglesStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        ShinglesStream {
            inner: self.inner.token_stream(text),
            token: Token::default(),
            window: [Token::default(), Token::default()],
            seen: 0,
            pair: Token::default(),
            pair_pending: false,
        }
    }
}

struct ShinglesStream<S> {
    inner: S,
    token: Token,
    /// The two tokens before the current one, oldest first; `seen` of them are real.
    window: [Token; 2],
    seen: usize,
    /// A pair to emit after the triple just emitted.
    pair: Token,
    pair_pending: bool,
}

/// Writes the shingle of `parts` into `out`, at the position of the first part.
fn join(out: &mut Token, mark: Option<char>, parts: &[&Token]) {
    out.text.clear();
    out.text.extend(mark);
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.text.push(' ');
        }
        out.text.push_str(&part.text);
    }
    if let (Some(first), Some(last)) = (parts.first(), parts.last()) {
        out.offset_from = first.offset_from;
        out.offset_to = last.offset_to;
        out.position = first.position;
    }
    out.position_length = 1;
}

impl<S: TokenStream> TokenStream for ShinglesStream<S> {
    fn advance(&mut self) -> bool {
        if self.pair_pending {
            self.pair_pending = false;
            std::mem::swap(&mut self.token, &mut self.pair);
            return true;
        }
        while self.inner.advance() {
            let current = self.inner.token();
            let [before, previous] = &self.window;
            let emitted = match self.seen {
                0 => false,
                1 => {
                    join(&mut self.token, None, &[previous, current]);
                    true
                }
                _ => {
                    join(
                        &mut self.token,
                        Some(TRIPLE_MARK),
                        &[before, previous, current],
                    );
                    join(&mut self.pair, None, &[previous, current]);
                    self.pair_pending = true;
                    true
                }
            };
            self.window.swap(0, 1);
            let [_, last] = &mut self.window;
            last.clone_from(current);
            self.seen = (self.seen + 1).min(2);
            if emitted {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// Normalizes a value used as an exact filter key (kind, issuer, agency, status):
/// NFC, diacritics removed, lower case, runs of white space collapsed to one space.
pub fn filter_key(s: &str) -> String {
    let folded = text::fold(&text::nfc(s)).to_lowercase();
    let key = folded.split_whitespace().collect::<Vec<_>>().join(" ");
    key.chars().take(MAX_KEY_CHARS).collect()
}

/// Normalizes a document number for exact lookup: like [`filter_key`] but with all
/// white space removed, so "2044 /VP-KGVX" and "2044/vp-kgvx" share one key.
pub fn number_key(s: &str) -> String {
    let folded = text::fold(&text::nfc(s)).to_lowercase();
    folded
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(MAX_KEY_CHARS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(s: &str) -> Vec<(String, usize)> {
        let mut analyzer = analyzer();
        let mut stream = analyzer.token_stream(s);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            out.push((token.text.clone(), token.position));
        }
        out
    }

    #[test]
    fn accented_tokens_come_in_both_forms_at_one_position() {
        let got = tokens(&text::nfc("Đường SỐ 5"));
        let want = [("duong", 0), ("đường", 0), ("so", 1), ("số", 1), ("5", 2)];
        let want: Vec<(String, usize)> = want.iter().map(|(t, p)| (t.to_string(), *p)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn folding_by_table_agrees_with_decomposition() {
        for code in LATIN_FIRST..=LATIN_LAST {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            let (mut fast, mut slow) = (String::new(), String::new());
            fold_char(c, &mut fast);
            fold_char_slowly(c, &mut slow);
            assert_eq!(fast, slow, "{c}");
        }
    }

    #[test]
    fn all_vietnamese_vowels_fold_to_ascii() {
        let vowels = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ";
        let mut out = String::new();
        fold_token(vowels, &mut out);
        assert!(out.is_ascii(), "{out}");
        assert_eq!(out.chars().count(), vowels.chars().count());
    }

    #[test]
    fn decomposed_input_is_one_syllable_after_nfc() {
        let decomposed = "vie\u{0323}\u{0302}c";
        let got = tokens(&text::nfc(decomposed));
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].0, "việc");
    }

    #[test]
    fn document_number_splits_into_consecutive_parts() {
        let got: Vec<String> = query_tokens("299/TB-VPCP")
            .into_iter()
            .map(|t| t.0)
            .collect();
        assert_eq!(got, vec!["299", "tb", "vpcp"]);
    }

    #[test]
    fn shingles_join_consecutive_folded_syllables() {
        let mut analyzer = shingles_analyzer();
        let mut stream = analyzer.token_stream("Chuyển đổi số hóa");
        let mut got = Vec::new();
        while let Some(token) = stream.next() {
            got.push((token.text.clone(), token.position));
        }
        let want = [
            ("chuyen doi", 0),
            ("#chuyen doi so", 0),
            ("doi so", 1),
            ("#doi so hoa", 1),
            ("so hoa", 2),
        ];
        let want: Vec<(String, usize)> = want.iter().map(|(t, p)| (t.to_string(), *p)).collect();
        assert_eq!(got, want);
        let folded: Vec<String> = ["chuyen", "doi", "so", "hoa"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(pair_terms(&folded), vec!["chuyen doi", "doi so", "so hoa"]);
        assert_eq!(triple_terms(&folded), vec!["#chuyen doi so", "#doi so hoa"]);
    }

    #[test]
    fn word_beginnings_folded_once_each() {
        let got = beginnings(["Chuyển đổi số Tư A 5", "chuyển 2024 ĐỒNG"]);
        let want = [
            "20", "202", "2024", "ch", "chu", "chuy", "do", "doi", "don", "dong", "so", "tu",
        ];
        assert_eq!(got.split(' ').collect::<Vec<_>>(), want);
        // A word in another script has no beginning indexed, and is never asked for one.
        assert_eq!(beginnings(["Мир"]), "");
        assert!(!is_indexed_prefix("ми"));
        assert_eq!(beginnings(["a b", ""]), "");
        assert!(is_indexed_prefix("tu"));
        assert!(is_indexed_prefix("chuy"));
        assert!(!is_indexed_prefix("t"));
        assert!(!is_indexed_prefix("chuye"));
    }

    #[test]
    fn novel_words_are_the_ocr_spellings() {
        let known = vec!["Thông báo số 339 của Văn phòng".to_string()];
        assert_eq!(
            novel_words("Thong bdo sb 339 cla Van phong bdo", &known),
            "bdo sb cla"
        );
    }

    #[test]
    fn keys_ignore_case_marks_and_spacing() {
        assert_eq!(
            filter_key("  Văn phòng   Chính phủ "),
            "van phong chinh phu"
        );
        assert_eq!(number_key("2044 /VP-KGVX"), number_key("2044/vp-kgvx"));
        assert_eq!(number_key("60/2021/NĐ-CP"), "60/2021/nd-cp");
        assert_eq!(
            filter_key(&"ả ".repeat(1000)).chars().count(),
            MAX_KEY_CHARS
        );
    }
}
