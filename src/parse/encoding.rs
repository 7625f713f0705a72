//! Character encodings of plain-text files: UTF-8, UTF-16, Windows-1258 and the 8-bit legacy
//! Vietnamese font encodings TCVN3 (ABC) and VNI Windows. The code page of an 8-bit file is decided
//! by which decoding yields the most valid Vietnamese ([`super::quality::TextQuality`]).

use unicode_normalization::UnicodeNormalization;

use super::quality::TextQuality;

/// A character encoding a text file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// UTF-16 little-endian.
    Utf16Le,
    /// UTF-16 big-endian.
    Utf16Be,
    /// Windows-1258 (Vietnamese Windows code page, tone marks as combining characters).
    Windows1258,
    /// TCVN3 / ABC (fonts named ".VnTime", ".VnArial", ...).
    Tcvn3,
    /// VNI Windows (fonts named "VNI-Times", ...): a vowel followed by mark bytes.
    Vni,
    /// Windows-1252, when no Vietnamese decoding reads better.
    Windows1252,
}

impl TextEncoding {
    /// The name used in notes.
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
            TextEncoding::Windows1258 => "Windows-1258",
            TextEncoding::Tcvn3 => "TCVN3",
            TextEncoding::Vni => "VNI",
            TextEncoding::Windows1252 => "Windows-1252",
        }
    }
}

/// TCVN3 bytes 0xA1..=0xFE and the letters they stand for (unlisted bytes read as Windows-1252).
const TCVN3_HIGH: [(u8, char); 80] = [
    (0xA1, 'Ă'),
    (0xA2, 'Â'),
    (0xA3, 'Ê'),
    (0xA4, 'Ô'),
    (0xA5, 'Ơ'),
    (0xA6, 'Ư'),
    (0xA7, 'Đ'),
    (0xA8, 'ă'),
    (0xA9, 'â'),
    (0xAA, 'ê'),
    (0xAB, 'ô'),
    (0xAC, 'ơ'),
    (0xAD, 'ư'),
    (0xAE, 'đ'),
    (0xB5, 'à'),
    (0xB6, 'ả'),
    (0xB7, 'ã'),
    (0xB8, 'á'),
    (0xB9, 'ạ'),
    (0xBB, 'ằ'),
    (0xBC, 'ẳ'),
    (0xBD, 'ẵ'),
    (0xBE, 'ắ'),
    (0xC6, 'ặ'),
    (0xC7, 'ầ'),
    (0xC8, 'ẩ'),
    (0xC9, 'ẫ'),
    (0xCA, 'ấ'),
    (0xCB, 'ậ'),
    (0xCC, 'è'),
    (0xCE, 'ẻ'),
    (0xCF, 'ẽ'),
    (0xD0, 'é'),
    (0xD1, 'ẹ'),
    (0xD2, 'ề'),
    (0xD3, 'ể'),
    (0xD4, 'ễ'),
    (0xD5, 'ế'),
    (0xD6, 'ệ'),
    (0xD7, 'ì'),
    (0xD8, 'ỉ'),
    (0xDC, 'ĩ'),
    (0xDD, 'í'),
    (0xDE, 'ị'),
    (0xDF, 'ò'),
    (0xE1, 'ỏ'),
    (0xE2, 'õ'),
    (0xE3, 'ó'),
    (0xE4, 'ọ'),
    (0xE5, 'ồ'),
    (0xE6, 'ổ'),
    (0xE7, 'ỗ'),
    (0xE8, 'ố'),
    (0xE9, 'ộ'),
    (0xEA, 'ờ'),
    (0xEB, 'ở'),
    (0xEC, 'ỡ'),
    (0xED, 'ớ'),
    (0xEE, 'ợ'),
    (0xEF, 'ù'),
    (0xF1, 'ủ'),
    (0xF2, 'ũ'),
    (0xF3, 'ú'),
    (0xF4, 'ụ'),
    (0xF5, 'ừ'),
    (0xF6, 'ử'),
    (0xF7, 'ữ'),
    (0xF8, 'ứ'),
    (0xF9, 'ự'),
    (0xFA, 'ỳ'),
    (0xFB, 'ỷ'),
    (0xFC, 'ỹ'),
    (0xFD, 'ý'),
    (0xFE, 'ỵ'),
    (0xA0, '\u{A0}'),
    (0xB0, '°'),
    (0xB1, '±'),
    (0xB2, '²'),
    (0xB3, '³'),
    (0xB4, '´'),
];

/// One byte read as Windows-1252.
fn windows_1252_char(byte: u8) -> char {
    let bytes = [byte];
    let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&bytes);
    text.chars().next().unwrap_or('\u{FFFD}')
}

/// Decodes TCVN3 bytes.
pub fn decode_tcvn3(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| {
            if b < 0x80 {
                char::from(b)
            } else {
                TCVN3_HIGH
                    .iter()
                    .find(|(code, _)| *code == b)
                    .map(|(_, c)| *c)
                    .unwrap_or_else(|| windows_1252_char(b))
            }
        })
        .collect()
}

/// What a VNI mark byte adds to the vowel before it: a vowel-quality mark (combining circumflex
/// or breve) and a tone (combining), each optional. Lower- and upper-case forms are the same.
fn vni_mark(byte: u8) -> Option<(Option<char>, Option<char>)> {
    const CIRC: char = '\u{302}';
    const BREVE: char = '\u{306}';
    const GRAVE: char = '\u{300}';
    const ACUTE: char = '\u{301}';
    const HOOK: char = '\u{309}';
    const TILDE: char = '\u{303}';
    const DOT: char = '\u{323}';
    let mark = match byte | 0x20 {
        0xF8 => (None, Some(GRAVE)),
        0xF9 => (None, Some(ACUTE)),
        0xFB => (None, Some(HOOK)),
        0xF5 => (None, Some(TILDE)),
        0xEF => (None, Some(DOT)),
        0xE2 => (Some(CIRC), None),
        0xEA => (Some(BREVE), None),
        0xE0 => (Some(CIRC), Some(GRAVE)),
        0xE1 => (Some(CIRC), Some(ACUTE)),
        0xE5 => (Some(CIRC), Some(HOOK)),
        0xE3 => (Some(CIRC), Some(TILDE)),
        0xE4 => (Some(CIRC), Some(DOT)),
        0xE8 => (Some(BREVE), Some(GRAVE)),
        0xE9 => (Some(BREVE), Some(ACUTE)),
        0xFA => (Some(BREVE), Some(HOOK)),
        0xFC => (Some(BREVE), Some(TILDE)),
        0xEB => (Some(BREVE), Some(DOT)),
        _ => return None,
    };
    if byte < 0xC0 {
        return None;
    }
    Some(mark)
}

/// VNI bytes that stand alone for a letter.
fn vni_letter(byte: u8) -> Option<char> {
    Some(match byte {
        0xF4 => 'ơ',
        0xD4 => 'Ơ',
        0xF6 => 'ư',
        0xD6 => 'Ư',
        0xF1 => 'đ',
        0xD1 => 'Đ',
        0xEC => 'ì',
        0xCC => 'Ì',
        0xED => 'í',
        0xCD => 'Í',
        0xE6 => 'ỉ',
        0xC6 => 'Ỉ',
        0xF3 => 'ĩ',
        0xD3 => 'Ĩ',
        0xF2 => 'ị',
        0xD2 => 'Ị',
        0xEE => 'ỵ',
        0xCE => 'Ỵ',
        _ => return None,
    })
}

/// Decodes VNI Windows bytes: a base vowel (a e o u y, or the single-byte ơ ư) followed by a mark
/// byte becomes one letter; the quality mark applies only where Vietnamese has it (â ă ê ô).
pub fn decode_vni(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        i += 1;
        let base = if b < 0x80 {
            char::from(b)
        } else if let Some(letter) = vni_letter(b) {
            letter
        } else {
            out.push(windows_1252_char(b));
            continue;
        };
        let takes_marks = matches!(
            base.to_ascii_lowercase(),
            'a' | 'e' | 'o' | 'u' | 'y' | 'ơ' | 'ư' | 'Ơ' | 'Ư'
        );
        let mark = if takes_marks {
            bytes.get(i).and_then(|&next| vni_mark(next))
        } else {
            None
        };
        let Some((quality, tone)) = mark else {
            out.push(base);
            continue;
        };
        let lower = base.to_lowercase().next().unwrap_or(base);
        let quality_fits = match quality {
            Some('\u{302}') => matches!(lower, 'a' | 'e' | 'o'),
            Some(_) => lower == 'a',
            None => true,
        };
        if !quality_fits {
            out.push(base);
            continue;
        }
        i += 1;
        let mut composed = String::new();
        composed.push(base);
        composed.extend(quality);
        composed.extend(tone);
        out.extend(composed.nfc());
    }
    out
}

/// Decodes Windows-1258 and composes its combining tone marks.
pub fn decode_windows_1258(bytes: &[u8]) -> String {
    let (text, _) = encoding_rs::WINDOWS_1258.decode_without_bom_handling(bytes);
    text.nfc().collect()
}

/// UTF-16 without a byte-order mark, recognised by NUL bytes in every other position.
fn utf16_without_bom(bytes: &[u8]) -> Option<TextEncoding> {
    if bytes.len() < 4 || !bytes.len().is_multiple_of(2) {
        return None;
    }
    let pairs = bytes.len() / 2;
    let even_nul = bytes.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd_nul = bytes.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    if odd_nul * 10 >= pairs * 6 && even_nul * 10 <= pairs {
        Some(TextEncoding::Utf16Le)
    } else if even_nul * 10 >= pairs * 6 && odd_nul * 10 <= pairs {
        Some(TextEncoding::Utf16Be)
    } else {
        None
    }
}

/// Decodes with a known encoding.
pub fn decode_with(encoding: TextEncoding, bytes: &[u8]) -> String {
    match encoding {
        TextEncoding::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
        TextEncoding::Utf16Le => encoding_rs::UTF_16LE
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
        TextEncoding::Utf16Be => encoding_rs::UTF_16BE
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
        TextEncoding::Windows1258 => decode_windows_1258(bytes),
        TextEncoding::Tcvn3 => decode_tcvn3(bytes),
        TextEncoding::Vni => decode_vni(bytes),
        TextEncoding::Windows1252 => encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

/// Detects the encoding of a text file and decodes it: a byte-order mark wins; then UTF-16 by its
/// NUL pattern; then valid UTF-8; otherwise the 8-bit code page whose decoding has the best
/// [`TextQuality::score`] (ties go to Windows-1258, then TCVN3, then VNI).
pub fn detect_and_decode(bytes: &[u8]) -> (String, TextEncoding) {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let rest = bytes.get(bom_len..).unwrap_or_default();
        let kind = if encoding == encoding_rs::UTF_8 {
            TextEncoding::Utf8
        } else if encoding == encoding_rs::UTF_16LE {
            TextEncoding::Utf16Le
        } else {
            TextEncoding::Utf16Be
        };
        return (decode_with(kind, rest), kind);
    }
    if let Some(kind) = utf16_without_bom(bytes) {
        return (decode_with(kind, bytes), kind);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return (text.to_string(), TextEncoding::Utf8);
    }
    best_8bit_decoding(bytes)
}

/// The 8-bit Vietnamese code page that reads best.
pub fn best_8bit_decoding(bytes: &[u8]) -> (String, TextEncoding) {
    let mut best: Option<(String, TextEncoding, f64)> = None;
    for kind in [
        TextEncoding::Windows1258,
        TextEncoding::Tcvn3,
        TextEncoding::Vni,
    ] {
        let text = decode_with(kind, bytes);
        let score = TextQuality::of(&text).score();
        if best.as_ref().is_none_or(|(_, _, s)| score > *s) {
            best = Some((text, kind, score));
        }
    }
    match best {
        Some((text, kind, score)) if score > 0.0 => (text, kind),
        _ => (
            decode_with(TextEncoding::Windows1252, bytes),
            TextEncoding::Windows1252,
        ),
    }
}

/// Converts text that a legacy-font document stores as Windows-1252 characters (one character per
/// byte of the font's code page) to Unicode; characters outside that code page are kept.
pub fn convert_legacy_font_text(text: &str, encoding: TextEncoding) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending: Vec<u8> = Vec::new();
    for c in text.chars() {
        let mut buf = [0u8; 4];
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(c.encode_utf8(&mut buf));
        if !unmappable && bytes.len() == 1 {
            pending.extend_from_slice(&bytes);
        } else {
            out.push_str(&decode_with(encoding, &pending));
            pending.clear();
            out.push(c);
        }
    }
    out.push_str(&decode_with(encoding, &pending));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // Byte strings made with the PyPI package `vietnamese` (Converter().convert(text, "TCVN3" /
    // "VNI_WIN", "UNICODE")), an independent reference implementation.
    const SENTENCE: &str = "Thông báo kết luận của Phó Thủ tướng: giao Bộ Y tế chủ trì, phối hợp với ủy ban nhân dân các tỉnh khẩn trương hoàn thành trước ngày 30/9; đường, quyết định, nghiên cứu, ưu tiên, mười, hưởng ứng, Đà Nẵng, sẵn sàng, lặng lẽ, ngoằn ngoèo, khuỷu tay, ỷ lại, ỵ.";

    #[test]
    fn tcvn3_matches_reference() {
        let bytes = include_bytes!("testdata/sentence.tcvn3");
        assert_eq!(decode_tcvn3(bytes), SENTENCE);
    }

    #[test]
    fn vni_matches_reference() {
        let bytes = include_bytes!("testdata/sentence.vni");
        assert_eq!(decode_vni(bytes), SENTENCE);
    }

    #[test]
    fn detects_each_8bit_code_page() {
        let tcvn3 = include_bytes!("testdata/sentence.tcvn3");
        let vni = include_bytes!("testdata/sentence.vni");
        let cp1258 = include_bytes!("testdata/sentence.cp1258");
        assert_eq!(detect_and_decode(tcvn3).1, TextEncoding::Tcvn3);
        assert_eq!(detect_and_decode(vni).1, TextEncoding::Vni);
        let (text, kind) = detect_and_decode(cp1258);
        assert_eq!(kind, TextEncoding::Windows1258);
        assert_eq!(text, SENTENCE);
    }

    #[test]
    fn detects_utf16_without_bom() {
        let mut le = Vec::new();
        let mut be = Vec::new();
        for unit in SENTENCE.encode_utf16() {
            le.extend_from_slice(&unit.to_le_bytes());
            be.extend_from_slice(&unit.to_be_bytes());
        }
        assert_eq!(
            detect_and_decode(&le),
            (SENTENCE.to_string(), TextEncoding::Utf16Le)
        );
        assert_eq!(
            detect_and_decode(&be),
            (SENTENCE.to_string(), TextEncoding::Utf16Be)
        );
    }

    #[test]
    fn converts_legacy_font_runs() {
        assert_eq!(
            convert_legacy_font_text("Th«ng b¸o – 1", TextEncoding::Tcvn3),
            "Thông báo – 1"
        );
    }
}
