//! Splitting text into words, numbers, codes and punctuation, keeping byte spans.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Letters, possibly with OCR debris (digits, ¢ & § $) inside: a candidate syllable.
    Word,
    /// Digits only (with . or , separators).
    Number,
    /// Document codes, dates, e-mail addresses, hyphenated or slashed compounds.
    Code,
    /// One punctuation character.
    Punct,
}

/// A token: its kind and byte range in the text it was cut from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Kind of token.
    pub kind: Kind,
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset after the last character.
    pub end: usize,
}

const LEADING: &str = "([{\"'“‘«*•–—-`´";
const TRAILING: &str = ".,;:!?)]}\"'”’»*…`´";

fn classify(chunk: &str) -> Kind {
    let has_letter = chunk.chars().any(char::is_alphabetic);
    if !has_letter {
        if chunk
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
            && chunk.chars().any(|c| c.is_ascii_digit())
        {
            return Kind::Number;
        }
        if chunk.chars().count() == 1 {
            return Kind::Punct;
        }
        // Digits with OCR symbols ("46", "6&") stay codes unless they look like a word.
        return Kind::Code;
    }
    if chunk.contains(['/', '@', '-', '–', '.', ':', '_', '\\', '=', '+', '%', '#']) {
        return Kind::Code;
    }
    // "60T", "2b", "5O": a leading digit makes a number-like code, not a word.
    if chunk.starts_with(|c: char| c.is_ascii_digit()) {
        return Kind::Code;
    }
    Kind::Word
}

/// Cuts `text` into tokens; whitespace is not a token.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut pos = 0;
    for chunk in text.split(|c: char| c.is_whitespace()) {
        let start = pos;
        pos += chunk.len();
        // The separator: find its length at `pos`.
        if let Some(c) = text[pos..].chars().next() {
            pos += c.len_utf8();
        }
        if chunk.is_empty() {
            continue;
        }
        let mut lead = Vec::new();
        let mut s = 0;
        let mut e = chunk.len();
        while let Some(c) = chunk[s..e].chars().next() {
            if LEADING.contains(c) && s + c.len_utf8() < e {
                lead.push(Token {
                    kind: Kind::Punct,
                    start: start + s,
                    end: start + s + c.len_utf8(),
                });
                s += c.len_utf8();
            } else {
                break;
            }
        }
        let mut trail = Vec::new();
        // The closing mark "./." of a Vietnamese document, glued to the last word.
        if chunk[s..e].ends_with("./.") && e - s > 3 {
            for k in 0..3 {
                trail.push(Token {
                    kind: Kind::Punct,
                    start: start + e - k - 1,
                    end: start + e - k,
                });
            }
            e -= 3;
        }
        while let Some(c) = chunk[s..e].chars().next_back() {
            if TRAILING.contains(c) && e - c.len_utf8() > s {
                e -= c.len_utf8();
                trail.push(Token {
                    kind: Kind::Punct,
                    start: start + e,
                    end: start + e + c.len_utf8(),
                });
            } else {
                break;
            }
        }
        out.extend(lead);
        let core = &chunk[s..e];
        let word_list = core.contains('/')
            && core.split('/').all(|p| {
                !p.is_empty()
                    && p.chars().all(char::is_alphabetic)
                    && p.chars().any(char::is_lowercase)
            });
        if word_list {
            // "giới thiệu/ủy quyền", "Bộ Công an/Công an cấp tỉnh": words joined by slashes.
            let mut at = start + s;
            for (i, p) in core.split('/').enumerate() {
                if i > 0 {
                    out.push(Token {
                        kind: Kind::Punct,
                        start: at,
                        end: at + 1,
                    });
                    at += 1;
                }
                out.push(Token {
                    kind: Kind::Word,
                    start: at,
                    end: at + p.len(),
                });
                at += p.len();
            }
        } else {
            out.push(Token {
                kind: classify(core),
                start: start + s,
                end: start + e,
            });
        }
        out.extend(trail.into_iter().rev());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, &str)> {
        tokenize(text)
            .into_iter()
            .map(|t| (t.kind, &text[t.start..t.end]))
            .collect()
    }

    #[test]
    fn splits_words_codes_and_punctuation() {
        let k = kinds("Thông báo số 339/TB-VPCP ngày 22/9/2020 của (Văn phòng), t6i S¢& 30%.");
        assert_eq!(
            k,
            vec![
                (Kind::Word, "Thông"),
                (Kind::Word, "báo"),
                (Kind::Word, "số"),
                (Kind::Code, "339/TB-VPCP"),
                (Kind::Word, "ngày"),
                (Kind::Code, "22/9/2020"),
                (Kind::Word, "của"),
                (Kind::Punct, "("),
                (Kind::Word, "Văn"),
                (Kind::Word, "phòng"),
                (Kind::Punct, ")"),
                (Kind::Punct, ","),
                (Kind::Word, "t6i"),
                (Kind::Word, "S¢&"),
                (Kind::Code, "30%"),
                (Kind::Punct, "."),
            ]
        );
    }

    #[test]
    fn the_closing_mark_is_cut_off() {
        assert_eq!(
            kinds("hién./."),
            vec![
                (Kind::Word, "hién"),
                (Kind::Punct, "."),
                (Kind::Punct, "/"),
                (Kind::Punct, ".")
            ]
        );
    }

    #[test]
    fn words_joined_by_slashes_are_words() {
        let k = kinds("thiệu/ủy V/v 339/TB");
        assert_eq!(
            k,
            vec![
                (Kind::Word, "thiệu"),
                (Kind::Punct, "/"),
                (Kind::Word, "ủy"),
                (Kind::Code, "V/v"),
                (Kind::Code, "339/TB")
            ]
        );
    }

    #[test]
    fn spans_survive_multibyte_whitespace() {
        let text = "a\u{3000}b  “c”";
        let k = kinds(text);
        assert_eq!(
            k,
            vec![
                (Kind::Word, "a"),
                (Kind::Word, "b"),
                (Kind::Punct, "“"),
                (Kind::Word, "c"),
                (Kind::Punct, "”")
            ]
        );
    }
}
