//! Folded (diacritic-free, lowercase) view of a text that keeps a map back to the original bytes,
//! so that patterns can be matched tolerantly and the matched spans cut from the original.

use std::sync::LazyLock;

/// First code point of the folding table (Latin-1 Supplement).
const TABLE_START: u32 = 0xC0;
/// One past the last code point of the table (end of Latin Extended Additional, which holds
/// the Vietnamese letters with two marks).
const TABLE_END: u32 = 0x1F00;

/// Folded form of each code point of the table, computed once with `crate::text::fold`;
/// `None` where the fold is not a single character.
static FOLD_TABLE: LazyLock<Vec<Option<char>>> = LazyLock::new(|| {
    (TABLE_START..TABLE_END)
        .map(|cp| {
            let c = char::from_u32(cp)?;
            let f = crate::text::fold(c.encode_utf8(&mut [0u8; 4]));
            let mut it = f.chars();
            match (it.next(), it.next()) {
                (Some(x), None) => Some(x),
                _ => None,
            }
        })
        .collect()
});

/// Folds one character when the fold is a single character (fast path for `crate::text::fold`).
fn fold_char(c: char) -> Option<char> {
    if c.is_ascii() {
        return Some(c);
    }
    let cp = c as u32;
    if (TABLE_START..TABLE_END).contains(&cp) {
        FOLD_TABLE
            .get((cp - TABLE_START) as usize)
            .copied()
            .flatten()
    } else {
        None
    }
}

/// A lowercase, diacritic-free copy of a text with a byte map back to the original.
#[derive(Debug, Clone)]
pub struct Folded {
    /// The folded, lowercased text.
    pub text: String,
    /// The folded text with its original case, byte-aligned with `text`.
    pub cased: String,
    /// For each byte of `text` (plus one final entry), the byte offset in the original text.
    map: Vec<usize>,
}

impl Folded {
    /// Folds `original` character by character.
    pub fn new(original: &str) -> Self {
        let mut text = String::with_capacity(original.len());
        let mut cased = String::with_capacity(original.len());
        let mut map = Vec::with_capacity(original.len() + 1);
        let mut buf = [0u8; 4];
        for (i, c) in original.char_indices() {
            if c.is_ascii() {
                text.push(c.to_ascii_lowercase());
                cased.push(c);
                map.push(i);
                continue;
            }
            let single;
            let folded_owned;
            let folded: &str = match fold_char(c) {
                Some(f) => {
                    single = f.encode_utf8(&mut buf);
                    single
                }
                None => {
                    folded_owned = crate::text::fold(c.encode_utf8(&mut buf));
                    &folded_owned
                }
            };
            for f in folded.chars() {
                let mut lower = f.to_lowercase();
                let l = match (lower.next(), lower.next()) {
                    (Some(l), None) if l.len_utf8() == f.len_utf8() => l,
                    _ => f,
                };
                text.push(l);
                cased.push(f);
                for _ in 0..f.len_utf8() {
                    map.push(i);
                }
            }
        }
        map.push(original.len());
        Folded { text, cased, map }
    }

    /// Maps a byte offset in the folded text to the byte offset in the original text.
    pub fn orig(&self, folded_offset: usize) -> usize {
        self.map
            .get(folded_offset)
            .copied()
            .unwrap_or_else(|| self.map.last().copied().unwrap_or(0))
    }

    /// Maps a folded byte range to the original byte range.
    pub fn orig_range(&self, start: usize, end: usize) -> (usize, usize) {
        (self.orig(start), self.orig(end))
    }
}

/// Folds and lowercases a string (no offset map).
pub fn fold_lower(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match fold_char(c) {
            Some(f) => out.extend(f.to_lowercase()),
            None => out.push_str(&crate::text::fold(c.encode_utf8(&mut [0u8; 4])).to_lowercase()),
        }
    }
    out
}

/// Collapses runs of whitespace to one space and trims.
pub fn squash(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_back_to_original() {
        let s = "Bộ Thông tin và Truyền thông";
        let f = Folded::new(s);
        assert_eq!(f.text, "bo thong tin va truyen thong");
        let start = f.text.find("thong tin").unwrap_or(0);
        let (a, b) = f.orig_range(start, start + "thong tin".len());
        assert_eq!(&s[a..b], "Thông tin");
        assert_eq!(f.orig(f.text.len()), s.len());
    }

    #[test]
    fn fast_fold_agrees_with_text_fold() {
        let s = "Ủy ban nhân dân tỉnh Kiên Giang; Đắk Lắk; Quảng Trị; ưỡ ỵ Ờ";
        assert_eq!(fold_lower(s), crate::text::fold(s).to_lowercase());
        assert_eq!(Folded::new(s).text, crate::text::fold(s).to_lowercase());
    }

    #[test]
    fn d_with_stroke_folds() {
        assert_eq!(Folded::new("Đà Nẵng").text, "da nang");
    }
}
