//! Unicode layer: NFC, folding, invisible and look-alike characters, tone-mark placement.

use unicode_normalization::UnicodeNormalization;

/// The six forms (no tone, huyền, sắc, hỏi, ngã, nặng) of each Vietnamese vowel.
pub(crate) const TONED: [(char, &str); 12] = [
    ('a', "aàáảãạ"),
    ('ă', "ăằắẳẵặ"),
    ('â', "âầấẩẫậ"),
    ('e', "eèéẻẽẹ"),
    ('ê', "êềếểễệ"),
    ('i', "iìíỉĩị"),
    ('o', "oòóỏõọ"),
    ('ô', "ôồốổỗộ"),
    ('ơ', "ơờớởỡợ"),
    ('u', "uùúủũụ"),
    ('ư', "ưừứửữự"),
    ('y', "yỳýỷỹỵ"),
];

/// Splits a lowercase Vietnamese vowel into its toneless vowel and tone (0 = none, 1..=5 =
/// huyền, sắc, hỏi, ngã, nặng). Returns `None` for other characters.
pub(crate) fn split_tone(c: char) -> Option<(char, u8)> {
    // Every toned vowel lies below U+0200 or in U+1EA0..U+1F00: a table per range.
    static TABLE: std::sync::OnceLock<Vec<Option<(char, u8)>>> = std::sync::OnceLock::new();
    const HIGH: u32 = 0x1EA0;
    let table = TABLE.get_or_init(|| {
        let mut t = vec![None; 0x200 + 0x60];
        for (base, forms) in TONED {
            for (tone, f) in forms.chars().enumerate() {
                let code = u32::from(f);
                let i = if code < 0x200 {
                    code
                } else {
                    code - HIGH + 0x200
                };
                if let Some(slot) = t.get_mut(i as usize) {
                    *slot = Some((base, tone as u8));
                }
            }
        }
        t
    });
    let code = u32::from(c);
    let i = if code < 0x200 {
        code
    } else if (HIGH..HIGH + 0x60).contains(&code) {
        code - HIGH + 0x200
    } else {
        return None;
    };
    table.get(i as usize).copied().flatten()
}

/// Puts `tone` on a lowercase toneless vowel.
pub(crate) fn with_tone(base: char, tone: u8) -> char {
    for (b, forms) in TONED {
        if b == base {
            return forms.chars().nth(usize::from(tone)).unwrap_or(base);
        }
    }
    base
}

/// Unicode canonical composition (NFC).
pub fn nfc(s: &str) -> String {
    if s.is_ascii() {
        return s.to_string();
    }
    s.nfc().collect()
}

/// Removes every combining mark and maps đ→d, Đ→D; case and other characters are kept.
pub fn fold(s: &str) -> String {
    if s.is_ascii() {
        return s.to_string();
    }
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            other => other,
        })
        .collect()
}

/// True for characters of the Unicode combining diacritical mark blocks.
fn is_combining_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// Removes invisible characters, turns unusual spaces into plain spaces and Cyrillic or Greek
/// look-alike letters inside Latin words into their Latin twins.
pub fn clean_invisible(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => {}
            '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => {
                out.push(' ')
            }
            _ => {
                if let Some(latin) = look_alike(c) {
                    let near_latin = |j: Option<&char>| {
                        j.is_some_and(|x| {
                            x.is_ascii_alphabetic()
                                || split_tone(x.to_lowercase().next().unwrap_or(*x)).is_some()
                        })
                    };
                    let prev = i.checked_sub(1).and_then(|p| chars.get(p));
                    if near_latin(prev) || near_latin(chars.get(i + 1)) {
                        out.push(latin);
                        continue;
                    }
                }
                out.push(c);
            }
        }
    }
    out
}

/// Latin twin of a Cyrillic or Greek letter that looks the same.
fn look_alike(c: char) -> Option<char> {
    Some(match c {
        'а' => 'a',
        'е' => 'e',
        'о' => 'o',
        'р' => 'p',
        'с' => 'c',
        'х' => 'x',
        'у' => 'y',
        'і' => 'i',
        'А' => 'A',
        'В' => 'B',
        'Е' => 'E',
        'К' => 'K',
        'М' => 'M',
        'Н' => 'H',
        'О' => 'O',
        'Р' => 'P',
        'С' => 'C',
        'Т' => 'T',
        'Х' => 'X',
        'Ο' => 'O',
        'ο' => 'o',
        _ => return None,
    })
}

/// Unicode repair of a whole text: NFC, invisible characters, look-alikes, and one tone-mark
/// placement convention (hòa, thủy, Ủy) on every word that is a Vietnamese syllable.
pub fn repair_unicode(s: &str) -> String {
    let s = super::legacy::convert_legacy(&nfc(&clean_invisible(s)));
    let mut out = String::with_capacity(s.len());
    let mut word = String::new();
    for c in s.chars() {
        if c.is_alphabetic() {
            word.push(c);
        } else {
            if !word.is_empty() {
                out.push_str(&super::syllable::place_tone(&word));
                word.clear();
            }
            out.push(c);
        }
    }
    if !word.is_empty() {
        out.push_str(&super::syllable::place_tone(&word));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_toned_vowel_splits_into_base_and_tone() {
        for (base, forms) in TONED {
            for (tone, f) in forms.chars().enumerate() {
                assert_eq!(split_tone(f), Some((base, tone as u8)), "{f}");
                assert_eq!(with_tone(base, tone as u8), f);
            }
        }
        for c in ['b', 'đ', 'A', 'Ố', '6', '€', '\u{1EFA}'] {
            assert_eq!(split_tone(c), None, "{c}");
        }
    }

    #[test]
    fn fold_removes_marks_and_keeps_case() {
        assert_eq!(fold("Đà Nẵng, Ủy ban"), "Da Nang, Uy ban");
        assert_eq!(fold("Thông báo số 339/TB-VPCP"), "Thong bao so 339/TB-VPCP");
        assert_eq!(fold("người ĐƯỢC"), "nguoi DUOC");
    }

    #[test]
    fn nfc_composes_decomposed_text() {
        let decomposed = "vie\u{0302}\u{0323}c";
        assert_eq!(nfc(decomposed), "việc");
        assert_eq!(fold(decomposed), "viec");
    }

    #[test]
    fn invisible_and_look_alike_characters_are_cleaned() {
        assert_eq!(clean_invisible("Chính\u{200B} phủ\u{00A0}"), "Chính phủ ");
        // Cyrillic 'о' and 'с' inside a Latin word.
        assert_eq!(
            clean_invisible("Thông bá\u{043E} s\u{043E}"),
            "Thông báo so"
        );
        // A Cyrillic word stays Cyrillic.
        assert_eq!(
            clean_invisible("\u{0441}\u{043E}\u{043A}"),
            "\u{0441}\u{043E}\u{043A}"
        );
    }

    #[test]
    fn tone_placement_is_made_consistent() {
        assert_eq!(
            repair_unicode("hoà thuỷ Uỷ ban khoẻ"),
            "hòa thủy Ủy ban khỏe"
        );
        assert_eq!(repair_unicode("hoàn thuyết quý giá"), "hoàn thuyết quý giá");
        assert_eq!(repair_unicode("HOÀ"), "HÒA");
    }
}
