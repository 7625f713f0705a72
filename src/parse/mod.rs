//! Reading incoming files into text: detects the format and the character encoding, and refuses what
//! is not a directive's text with a clear reason.

/// The format a directive's text was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceFormat {
    /// Plain text (UTF-8, UTF-16 or an 8-bit code page).
    Text,
}

impl SourceFormat {
    /// The identifier stored with the directive.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceFormat::Text => "text",
        }
    }
}

/// Why a file could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ParseError {
    /// The file holds no text at all.
    #[error("the file is empty")]
    Empty,
    /// The file is binary data, not text.
    #[error("the file is not text")]
    NotText,
    /// The file is a known format that this version cannot read yet.
    #[error("unsupported file format: {0}")]
    Unsupported(&'static str),
}

/// Text read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedText {
    /// The text, with line ends as `\n`.
    pub text: String,
    /// The format it was read from.
    pub format: SourceFormat,
}

/// Reads the text of an incoming file.
pub fn read_text(bytes: &[u8]) -> Result<ParsedText, ParseError> {
    if let Some(kind) = binary_format(bytes) {
        return Err(ParseError::Unsupported(kind));
    }
    let text = decode(bytes);
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    if text.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    if !looks_like_text(&text) {
        return Err(ParseError::NotText);
    }
    Ok(ParsedText {
        text,
        format: SourceFormat::Text,
    })
}

/// Known binary formats, by their magic bytes.
fn binary_format(bytes: &[u8]) -> Option<&'static str> {
    const SIGNATURES: [(&[u8], &str); 7] = [
        (b"%PDF", "pdf"),
        (b"PK\x03\x04", "zip/docx"),
        (b"\x89PNG", "png"),
        (b"\xFF\xD8\xFF", "jpeg"),
        (b"II*\x00", "tiff"),
        (b"MM\x00*", "tiff"),
        (b"\xD0\xCF\x11\xE0", "doc"),
    ];
    SIGNATURES
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
        .map(|(_, kind)| *kind)
}

/// Decodes UTF-8 (with or without BOM) and UTF-16 with a BOM; anything else is read byte for byte as
/// Windows-1252, which keeps legacy Vietnamese 8-bit text (TCVN3, VNI) recognisable for the text layer.
fn decode(bytes: &[u8]) -> String {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return text.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            text.into_owned()
        }
    }
}

/// Text has no NUL and almost no other control characters.
fn looks_like_text(text: &str) -> bool {
    let mut total = 0usize;
    let mut control = 0usize;
    for c in text.chars() {
        total += 1;
        if c == '\0' || c == '\u{FFFD}' {
            control += 4;
        } else if c.is_control() && !matches!(c, '\n' | '\t' | '\u{0C}') {
            control += 1;
        }
    }
    control * 100 <= total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_utf8_and_normalises_line_ends() {
        let parsed = read_text("Thông báo\r\nsố 1\r".as_bytes());
        assert_eq!(parsed.map(|p| p.text), Ok("Thông báo\nsố 1\n".to_string()));
    }

    #[test]
    fn reads_utf16_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "Kính gửi".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(read_text(&bytes).map(|p| p.text), Ok("Kính gửi".into()));
    }

    #[test]
    fn refuses_empty_binary_and_known_formats() {
        assert_eq!(read_text(b" \n\t "), Err(ParseError::Empty));
        assert_eq!(
            read_text(&[0u8, 1, 2, 3, 200, 0, 7, 8]),
            Err(ParseError::NotText)
        );
        assert_eq!(
            read_text(b"%PDF-1.7 ..."),
            Err(ParseError::Unsupported("pdf"))
        );
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for len in 0..300 {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state >> 24) as u8
                })
                .collect();
            let _ = read_text(&bytes);
        }
    }
}
