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

use tantivy::Index;
use tantivy::tokenizer::{
    LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, Token, TokenFilter, TokenStream,
    Tokenizer,
};
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

use crate::text;

/// Name of the analyzer registered on the index.
pub const VIETNAMESE: &str = "dondoc_vi";
/// Name of the analyzer of folded syllable pairs ("chuyen doi", "doi so").
pub const PAIRS: &str = "dondoc_vi_pairs";

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

/// Builds the analyzer of folded syllable pairs: one token per two consecutive
/// syllables of a value. A pair term finds a two-syllable phrase without reading
/// positions, and narrows longer phrases to few candidates before positions are checked.
pub fn pairs_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(DualForm { accented: false })
        .filter(Pairs)
        .build()
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

/// Registers the analyzer on `index`; custom analyzers are not persisted with an
/// index, so this must run every time an index is opened.
pub fn register(index: &Index) {
    index.tokenizers().register(VIETNAMESE, analyzer());
    index.tokenizers().register(PAIRS, pairs_analyzer());
}

/// Folds one lower-case token: diacritics removed, đ becomes d.
pub fn fold_token(token: &str, out: &mut String) {
    out.clear();
    for c in token.chars() {
        match c {
            'đ' | 'Đ' => out.push('d'),
            c if c.is_ascii() => out.push(c),
            c => decompose_canonical(c, |d| {
                if !is_combining_mark(d) {
                    out.push(d);
                }
            }),
        }
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
    let mut seen: std::collections::HashSet<String> = known
        .iter()
        .flat_map(|value| query_tokens(value))
        .map(|(folded, _)| folded)
        .collect();
    let mut out = String::new();
    for (folded, _) in query_tokens(original) {
        if seen.insert(folded.clone()) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&folded);
        }
    }
    out
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

/// Joins each token with the next one ("chuyen", "doi", "so" give "chuyen doi",
/// "doi so"); a value of one token gives nothing.
#[derive(Clone, Copy, Debug)]
struct Pairs;

impl TokenFilter for Pairs {
    type Tokenizer<T: Tokenizer> = PairsTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> PairsTokenizer<T> {
        PairsTokenizer { inner: tokenizer }
    }
}

#[derive(Clone)]
struct PairsTokenizer<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for PairsTokenizer<T> {
    type TokenStream<'a> = PairsStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        PairsStream {
            inner: self.inner.token_stream(text),
            token: Token::default(),
            previous: None,
        }
    }
}

struct PairsStream<S> {
    inner: S,
    token: Token,
    previous: Option<Token>,
}

impl<S: TokenStream> TokenStream for PairsStream<S> {
    fn advance(&mut self) -> bool {
        while self.inner.advance() {
            let current = self.inner.token().clone();
            if let Some(previous) = self.previous.replace(current) {
                if let Some(current) = &self.previous {
                    self.token.text.clear();
                    self.token.text.push_str(&previous.text);
                    self.token.text.push(' ');
                    self.token.text.push_str(&current.text);
                    self.token.offset_from = previous.offset_from;
                    self.token.offset_to = current.offset_to;
                    self.token.position = previous.position;
                    self.token.position_length = 1;
                }
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
    fn pairs_join_consecutive_folded_syllables() {
        let mut analyzer = pairs_analyzer();
        let mut stream = analyzer.token_stream("Chuyển đổi số");
        let mut got = Vec::new();
        while let Some(token) = stream.next() {
            got.push(token.text.clone());
        }
        assert_eq!(got, vec!["chuyen doi", "doi so"]);
        let folded: Vec<String> = ["chuyen", "doi", "so"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(pair_terms(&folded), got);
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
