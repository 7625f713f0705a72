//! Vietnamese text repair.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Unicode NFC.
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// Removes every diacritic and maps đ→d, Đ→D; case and other characters are kept.
pub fn fold(s: &str) -> String {
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            other => other,
        })
        .collect()
}

/// Repairs a directive's text, keeping one output line per input line.
pub fn normalize(input: &str) -> String {
    input
        .split('\n')
        .map(|l| nfc(l.trim_end_matches('\r')))
        .collect::<Vec<_>>()
        .join("\n")
}
