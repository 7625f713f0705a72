//! Legacy encodings: VIQR (ASCII mnemonic) text is detected and converted to Unicode.

use super::unicode::with_tone;

/// Converts `s` from VIQR to Unicode when it looks like VIQR (several vowels followed by
/// VIQR modifiers inside words and no precomposed Vietnamese letters); otherwise returns it
/// unchanged.
pub fn convert_legacy(s: &str) -> String {
    if looks_like_viqr(s) {
        viqr_to_unicode(s)
    } else {
        s.to_string()
    }
}

fn is_vowel(c: char) -> bool {
    matches!(c.to_ascii_lowercase(), 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

fn looks_like_viqr(s: &str) -> bool {
    if s.chars().any(|c| {
        super::unicode::split_tone(c.to_lowercase().next().unwrap_or(c)).is_some() && !c.is_ascii()
    }) {
        return false;
    }
    let chars: Vec<char> = s.chars().collect();
    let mut hits = 0usize;
    for w in chars.windows(3) {
        if is_vowel(w[0])
            && matches!(w[1], '^' | '(' | '+' | '`' | '?' | '~')
            && (w[2].is_ascii_alphabetic() || matches!(w[2], '`' | '\'' | '?' | '~' | '.'))
        {
            hits += 1;
        }
    }
    hits >= 3
}

fn viqr_to_unicode(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if (c == 'd' || c == 'D') && chars.get(i + 1).is_some_and(|n| *n == 'd' || *n == 'D') {
            out.push(if c == 'D' { 'Đ' } else { 'đ' });
            i += 2;
            continue;
        }
        if is_vowel(c) {
            let upper = c.is_ascii_uppercase();
            let mut base = c.to_ascii_lowercase();
            let mut j = i + 1;
            if let Some(&m) = chars.get(j) {
                let modified = match (base, m) {
                    ('a', '(') => Some('ă'),
                    ('a', '^') => Some('â'),
                    ('e', '^') => Some('ê'),
                    ('o', '^') => Some('ô'),
                    ('o', '+') => Some('ơ'),
                    ('u', '+') => Some('ư'),
                    _ => None,
                };
                if let Some(b) = modified {
                    base = b;
                    j += 1;
                }
            }
            let mut tone = 0;
            if let Some(&t) = chars.get(j) {
                // A '.' or '\'' counts as a tone only inside a word.
                let inside = chars
                    .get(j + 1)
                    .is_some_and(|n| n.is_alphabetic() || *n == '.')
                    || j == i + 1 && matches!(t, '`' | '?' | '~');
                tone = match t {
                    '`' => 1,
                    '\'' if inside || j > i + 1 => 2,
                    '?' if inside => 3,
                    '~' => 4,
                    '.' if inside => 5,
                    _ => 0,
                };
                if tone > 0 {
                    j += 1;
                }
            }
            let v = with_tone(base, tone);
            if upper {
                out.extend(v.to_uppercase());
            } else {
                out.push(v);
            }
            i = j;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viqr_is_detected_and_converted() {
        assert_eq!(
            convert_legacy("Vie^.t Nam, ddu+o+.c giao nhie^.m vu.."),
            "Việt Nam, được giao nhiệm vụ."
        );
    }

    #[test]
    fn ordinary_text_is_left_alone() {
        let s = "What? Is it (really) ok. Yes";
        assert_eq!(convert_legacy(s), s);
        assert_eq!(convert_legacy("Việt Nam"), "Việt Nam");
    }
}
