//! The Vietnamese syllable: onset, rhyme and tone, with the standard spelling rules.

use super::unicode::{split_tone, with_tone};

const ONSETS: [&str; 27] = [
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr", "b", "c", "d", "đ", "g",
    "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x",
];

/// Toneless rhymes of standard Vietnamese spelling.
const RHYMES: &[&str] = &[
    "a", "ac", "ach", "ai", "am", "an", "ang", "anh", "ao", "ap", "at", "au", "ay", "ăc", "ăm",
    "ăn", "ăng", "ăp", "ăt", "âc", "âm", "ân", "âng", "âp", "ât", "âu", "ây", "e", "ec", "em",
    "en", "eng", "eo", "ep", "et", "ê", "êch", "êm", "ên", "ênh", "êp", "êt", "êu", "i", "ia",
    "ich", "im", "in", "inh", "ip", "it", "iu", "iêc", "iêm", "iên", "iêng", "iêp", "iêt", "iêu",
    "o", "oa", "oac", "oach", "oai", "oam", "oan", "oang", "oanh", "oao", "oap", "oat", "oay",
    "oăc", "oăm", "oăn", "oăng", "oăt", "oc", "oe", "oen", "oeo", "oet", "oi", "om", "on", "ong",
    "ooc", "oong", "op", "ot", "ô", "ôc", "ôi", "ôm", "ôn", "ông", "ôp", "ôt", "ơ", "ơi", "ơm",
    "ơn", "ơp", "ơt", "u", "ua", "uân", "uâng", "uât", "uây", "uc", "uê", "uêch", "uênh", "ui",
    "um", "un", "ung", "uơ", "uôc", "uôi", "uôm", "uôn", "uông", "uôt", "up", "ut", "uy", "uya",
    "uych", "uyên", "uyêt", "uyn", "uynh", "uyp", "uyt", "uyu", "ư", "ưa", "ưc", "ưi", "ưm", "ưn",
    "ưng", "ươc", "ươi", "ươm", "ươn", "ương", "ươp", "ươt", "ươu", "ưt", "ưu", "y", "yêm", "yên",
    "yêng", "yêt", "yêu",
];

/// A lowercase syllable split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Syllable {
    /// Initial consonant(s), possibly empty ("ngh", "qu", "gi", …).
    pub onset: String,
    /// Toneless rhyme: vowel cluster plus final consonant ("uyên", "ang").
    pub rhyme: String,
    /// Tone: 0 ngang, 1 huyền, 2 sắc, 3 hỏi, 4 ngã, 5 nặng.
    pub tone: u8,
}

fn is_vowel_base(c: char) -> bool {
    matches!(
        c,
        'a' | 'ă' | 'â' | 'e' | 'ê' | 'i' | 'o' | 'ô' | 'ơ' | 'u' | 'ư' | 'y'
    )
}

/// Splits a word (any case) into onset, toneless rhyme and tone; `None` when the word has
/// several tone marks, no vowel, or characters foreign to Vietnamese spelling.
pub fn parse(word: &str) -> Option<Syllable> {
    let lower = word.to_lowercase();
    let mut toneless = String::with_capacity(lower.len());
    let mut tone = 0u8;
    for c in lower.chars() {
        match split_tone(c) {
            Some((b, t)) => {
                if t > 0 {
                    if tone > 0 {
                        return None;
                    }
                    tone = t;
                }
                toneless.push(b);
            }
            None if c.is_ascii_lowercase() || c == 'đ' => toneless.push(c),
            None => return None,
        }
    }
    let mut onset = "";
    for o in ONSETS {
        if toneless.starts_with(o) {
            onset = o;
            break;
        }
    }
    let mut rest = &toneless[onset.len()..];
    // "gi" before a consonant or alone is g + vowel i (gìn, gì).
    if onset == "gi" && !rest.chars().next().is_some_and(is_vowel_base) {
        onset = "g";
        rest = &toneless[1..];
    }
    if !rest.chars().next().is_some_and(is_vowel_base) {
        return None;
    }
    Some(Syllable {
        onset: onset.to_string(),
        rhyme: rest.to_string(),
        tone,
    })
}

/// True when `word` (any case) is a well-formed Vietnamese syllable: known onset and rhyme,
/// spelling rules for c/k, g/gh, ng/ngh, and stop finals taking only sắc or nặng.
pub fn is_valid(word: &str) -> bool {
    let Some(s) = parse(word) else { return false };
    if !RHYMES.contains(&s.rhyme.as_str()) {
        return false;
    }
    let first = s.rhyme.chars().next().unwrap_or('a');
    let front = matches!(first, 'i' | 'e' | 'ê' | 'y');
    match s.onset.as_str() {
        "k" | "gh" | "ngh" if !front => return false,
        "c" | "ng" if front => return false,
        "g" if front && first != 'i' => return false,
        "qu" if first == 'u' => return false,
        _ => {}
    }
    let stop = ["p", "t", "c", "ch"].iter().any(|f| s.rhyme.ends_with(f));
    !stop || matches!(s.tone, 2 | 5)
}

/// Index in `cluster` (toneless vowels) of the vowel that carries the tone, following the
/// convention hòa, thủy, khỏe, hoàn, người, quyết.
fn tone_position(cluster: &[char], has_final: bool) -> usize {
    if let Some(p) = cluster
        .iter()
        .rposition(|c| matches!(c, 'ă' | 'â' | 'ê' | 'ô' | 'ơ' | 'ư'))
    {
        // "ưu", "ưa", "ưi": the horn vowel leads; "ươ" takes it on ơ (rposition).
        return p;
    }
    if has_final {
        return cluster.len().saturating_sub(1);
    }
    match cluster.len() {
        0..=2 => 0,
        _ => 1,
    }
}

/// Re-places the tone mark of a syllable by one convention (hòa, thủy, hoàn, người), keeping the
/// case of every letter; anything that is not a Vietnamese syllable is returned unchanged.
pub fn place_tone(word: &str) -> String {
    // Only a toned word with two vowels or more can have its mark elsewhere.
    let vowels = word
        .chars()
        .filter(|c| split_tone(c.to_lowercase().next().unwrap_or(*c)).is_some())
        .count();
    if word.is_ascii() || vowels < 2 {
        return word.to_string();
    }
    let Some(s) = parse(word) else {
        return word.to_string();
    };
    if s.tone == 0 || !RHYMES.contains(&s.rhyme.as_str()) {
        return word.to_string();
    }
    let rhyme: Vec<char> = s.rhyme.chars().collect();
    let n_vowels = rhyme.iter().take_while(|c| is_vowel_base(**c)).count();
    let pos = tone_position(&rhyme[..n_vowels], n_vowels < rhyme.len());
    let onset_len = s.onset.chars().count();
    let mut out = String::with_capacity(word.len());
    for (i, orig) in word.chars().enumerate() {
        let lower = orig.to_lowercase().next().unwrap_or(orig);
        let base = split_tone(lower).map_or(lower, |(b, _)| b);
        let c = if i == onset_len + pos {
            with_tone(base, s.tone)
        } else {
            base
        };
        if orig.is_uppercase() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_syllables_are_recognised() {
        for w in [
            "người", "nghiêng", "quyết", "giữ", "gìn", "Ủy", "khuỷu", "thông", "báo", "của", "CỘNG",
        ] {
            assert!(is_valid(w), "{w}");
        }
    }

    #[test]
    fn ocr_damage_is_not_a_syllable() {
        for w in [
            "bdo", "cla", "pht", "thdng", "wndm", "ctia", "kinh1", "ngà ", "cát̀", "tàc", "ka",
            "ghan", "quu",
        ] {
            assert!(!is_valid(w), "{w}");
        }
    }

    #[test]
    fn parse_splits_onset_rhyme_tone() {
        let s = parse("Nghiệp").unwrap_or(Syllable {
            onset: String::new(),
            rhyme: String::new(),
            tone: 9,
        });
        assert_eq!(
            (s.onset.as_str(), s.rhyme.as_str(), s.tone),
            ("ngh", "iêp", 5)
        );
        let g = parse("gìn").unwrap_or(Syllable {
            onset: String::new(),
            rhyme: String::new(),
            tone: 9,
        });
        assert_eq!((g.onset.as_str(), g.rhyme.as_str(), g.tone), ("g", "in", 1));
    }

    #[test]
    fn tone_goes_on_the_right_vowel() {
        assert_eq!(place_tone("hoà"), "hòa");
        assert_eq!(place_tone("thuỷ"), "thủy");
        assert_eq!(place_tone("Uỷ"), "Ủy");
        assert_eq!(place_tone("hòan"), "hoàn");
        assert_eq!(place_tone("nguời"), "nguời");
        assert_eq!(place_tone("ngừơi"), "người");
        assert_eq!(place_tone("cuả"), "của");
        assert_eq!(place_tone("THUỶ"), "THỦY");
        assert_eq!(place_tone("giá"), "giá");
        assert_eq!(place_tone("quý"), "quý");
    }
}
