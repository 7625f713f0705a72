//! A measurable text-quality score for choosing between readings of the same file: the share of
//! tokens that are valid Vietnamese syllables, with syllables that carry Vietnamese marks counting
//! fully and unmarked ones half (damaged English OCR of Vietnamese loses the marks).

use unicode_normalization::UnicodeNormalization;

/// Initial consonants, longest first so that the longest matching onset is tried first.
const ONSETS: [&str; 28] = [
    "ngh", "ch", "gh", "gi", "kh", "ng", "nh", "ph", "qu", "th", "tr", "b", "c", "d", "đ", "g",
    "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
];

/// Rhymes (vowel nucleus plus final consonant or semivowel) without tone marks.
const RHYMES: &[&str] = &[
    "a", "ac", "ach", "ai", "am", "an", "ang", "anh", "ao", "ap", "at", "au", "ay", "ă", "ăc",
    "ăm", "ăn", "ăng", "ăp", "ăt", "â", "âc", "âm", "ân", "âng", "âp", "ât", "âu", "ây", "e", "ec",
    "em", "en", "eng", "eo", "ep", "et", "ê", "êch", "êm", "ên", "ênh", "êp", "êt", "êu", "i",
    "ia", "ich", "im", "in", "inh", "ip", "it", "iu", "iêc", "iêm", "iên", "iêng", "iêp", "iêt",
    "iêu", "o", "oa", "oac", "oach", "oai", "oam", "oan", "oang", "oanh", "oao", "oap", "oat",
    "oay", "oăc", "oăm", "oăn", "oăng", "oăt", "oe", "oen", "oeo", "oet", "oc", "oi", "om", "on",
    "ong", "oong", "ooc", "op", "ot", "ô", "ôc", "ôi", "ôm", "ôn", "ông", "ôp", "ôt", "ơ", "ơi",
    "ơm", "ơn", "ơp", "ơt", "u", "ua", "uân", "uâng", "uât", "uây", "uc", "ui", "um", "un", "ung",
    "up", "ut", "uê", "uêch", "uênh", "uy", "uya", "uych", "uyên", "uyêt", "uynh", "uyp", "uyt",
    "uyu", "uôc", "uôi", "uôm", "uôn", "uông", "uôt", "uơ", "ư", "ưa", "ưc", "ưi", "ưm", "ưn",
    "ưng", "ưt", "ưu", "ươc", "ươi", "ươm", "ươn", "ương", "ươp", "ươt", "ươu", "y", "yêm", "yên",
    "yêt", "yêu",
];

/// The five tone marks (combining characters) besides the level tone.
const TONE_MARKS: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];

/// Splits a lower-case word into its untoned letters and its tone mark, if it has exactly one
/// or none; `None` when it carries two tone marks.
fn strip_tone(word: &str) -> Option<(String, Option<char>)> {
    let mut tone = None;
    let mut base = String::with_capacity(word.len());
    for c in word.nfd() {
        if TONE_MARKS.contains(&c) {
            if tone.is_some() {
                return None;
            }
            tone = Some(c);
        } else {
            base.push(c);
        }
    }
    Some((base.nfc().collect(), tone))
}

/// Whether `word` (any case) is a well-formed Vietnamese syllable: onset, rhyme and tone following
/// the standard spelling rules (k/gh/ngh only before i, e, ê, y; c/g/ng/q not before them; the
/// stop finals -c, -ch, -p, -t only with the sắc or nặng tone).
pub fn is_vietnamese_syllable(word: &str) -> bool {
    if word.is_empty() || word.chars().count() > 8 {
        return false;
    }
    let lower = word.to_lowercase();
    let Some((base, tone)) = strip_tone(&lower) else {
        return false;
    };
    for onset in ONSETS {
        let Some(rhyme) = base.strip_prefix(onset) else {
            continue;
        };
        let rhyme_ok = RHYMES.contains(&rhyme)
            || (onset == "gi"
                && (rhyme.is_empty() || RHYMES.contains(&format!("i{rhyme}").as_str())));
        if !rhyme_ok || !spelling_ok(onset, rhyme) {
            continue;
        }
        let stop_final = ["c", "ch", "p", "t"].iter().any(|f| rhyme.ends_with(f));
        if stop_final && !matches!(tone, Some('\u{301}') | Some('\u{323}')) {
            continue;
        }
        return true;
    }
    false
}

/// The consonant-before-vowel spelling rules.
fn spelling_ok(onset: &str, rhyme: &str) -> bool {
    let front = rhyme.starts_with(['i', 'e', 'ê', 'y']);
    match onset {
        "k" | "gh" | "ngh" => front,
        "c" | "ng" => !front,
        "g" => !front || rhyme == "i" || rhyme.starts_with("in") || rhyme.starts_with("ic"),
        "qu" => !rhyme.starts_with(['u', 'o']),
        _ => true,
    }
}

/// Whether the word carries a Vietnamese vowel or tone mark or the letter đ.
fn has_vietnamese_mark(word: &str) -> bool {
    word.nfd().any(|c| {
        TONE_MARKS.contains(&c) || matches!(c, '\u{302}' | '\u{306}' | '\u{31B}' | 'đ' | 'Đ')
    })
}

/// The words of a text that are made of letters only, with surrounding punctuation removed.
fn letter_tokens(text: &str) -> impl Iterator<Item = &str> {
    text.split_whitespace()
        .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|t| !t.is_empty() && !t.chars().any(|c| c.is_ascii_digit()))
}

/// Measures of how Vietnamese a text reads.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TextQuality {
    /// Word tokens considered (letters only).
    pub tokens: usize,
    /// Tokens that are valid Vietnamese syllables.
    pub valid_syllables: usize,
    /// Valid syllables that carry a Vietnamese mark.
    pub marked_syllables: usize,
}

impl TextQuality {
    /// Measures a text.
    pub fn of(text: &str) -> TextQuality {
        let mut quality = TextQuality::default();
        for token in letter_tokens(text) {
            quality.tokens += 1;
            if is_vietnamese_syllable(token) {
                quality.valid_syllables += 1;
                if has_vietnamese_mark(token) {
                    quality.marked_syllables += 1;
                }
            }
        }
        quality
    }

    /// The share of tokens that are valid Vietnamese syllables (0 for no tokens).
    pub fn syllable_validity(&self) -> f64 {
        if self.tokens == 0 {
            return 0.0;
        }
        self.valid_syllables as f64 / self.tokens as f64
    }

    /// The score used to choose between readings, 0..=1: valid syllables with marks count 1,
    /// valid syllables without marks count 1/2, anything else 0.
    pub fn score(&self) -> f64 {
        if self.tokens == 0 {
            return 0.0;
        }
        let unmarked = self.valid_syllables.saturating_sub(self.marked_syllables);
        (self.marked_syllables as f64 + 0.5 * unmarked as f64) / self.tokens as f64
    }

    /// The worth of a whole reading, for choosing between readings of the same page: marked valid
    /// syllables count 1, unmarked ones 1/2, invalid tokens -1/2 (so a reading that finds more of
    /// the page's words wins over a shorter one of the same share).
    pub fn value(&self) -> f64 {
        let unmarked = self.valid_syllables.saturating_sub(self.marked_syllables);
        let invalid = self.tokens.saturating_sub(self.valid_syllables);
        self.marked_syllables as f64 + 0.5 * unmarked as f64 - 0.5 * invalid as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_real_syllables() {
        for word in [
            "Thông", "báo", "số", "ngày", "của", "Văn", "phòng", "Chính", "phủ", "nghiêng",
            "quyết", "giải", "gì", "khuya", "người", "ĐỒNG", "thuở", "xoong", "kế", "hoạch",
            "giêng", "ghế",
        ] {
            assert!(is_vietnamese_syllable(word), "{word}");
        }
    }

    #[test]
    fn refuses_damaged_words() {
        for word in [
            "bdo",
            "sb",
            "cla",
            "pht",
            "Th«ng",
            "b¸o",
            "ngi",
            "cát̀",
            "tac",
            "xyz",
            "",
            "aaaaaaaaaaaaaa",
        ] {
            assert!(!is_vietnamese_syllable(word), "{word}");
        }
    }

    #[test]
    fn scores_clean_text_above_english_ocr() {
        let clean =
            TextQuality::of("Thông báo số 339/TB-VPCP ngày 22/9/2020 của Văn phòng Chính phủ");
        let damaged =
            TextQuality::of("Thong bdo sb 339/TB-VPCP ngay 22/9/2020 cla Vin phong Chinh pht");
        assert!(clean.syllable_validity() > 0.99, "{clean:?}");
        assert!(
            clean.score() > damaged.score() + 0.3,
            "{clean:?} {damaged:?}"
        );
        assert_eq!(TextQuality::of("  12 / 3 ").score(), 0.0);
        let longer = TextQuality::of("Thông báo số 1 của Văn phòng Chính phủ");
        assert!(longer.value() > TextQuality::of("Thông báo").value());
        assert!(clean.value() > damaged.value());
    }
}
