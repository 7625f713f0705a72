//! Reading incoming files into text: detects the format (plain text in UTF-8, UTF-16, Windows-1258,
//! TCVN3 or VNI; .docx; .odt; PDF with a text layer; scans as PNG, JPEG, TIFF or image-only PDF pages,
//! read by OCR) and refuses what is not a directive's text with a clear reason. Size, page count and
//! time are bounded by [`ReadLimits`]; external programs run in a temporary directory that is
//! always removed.

pub mod docx;
pub mod encoding;
pub mod ocr;
pub mod odt;
pub mod pdf;
pub mod process;
pub mod quality;

#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use unicode_normalization::UnicodeNormalization;

use encoding::TextEncoding;

/// The character an XML reference stands for: a character reference (`&#233;`) or one of the five
/// predefined entities; `None` for anything else. Shared by the .docx and .odt readers.
fn xml_reference(r: &quick_xml::events::BytesRef<'_>) -> Option<char> {
    match r.resolve_char_ref() {
        Ok(Some(ch)) => Some(ch),
        _ => match r.as_ref() {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => None,
        },
    }
}

/// The format a directive's text was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceFormat {
    /// Plain text (UTF-8, UTF-16 or an 8-bit code page).
    Text,
    /// A Word (.docx) document.
    Docx,
    /// An OpenDocument text (.odt).
    Odt,
    /// A PDF read from its text layer (some pages may have been read by OCR; see the note).
    Pdf,
    /// A scan read by OCR: an image file or a PDF made of page images only.
    Scan,
}

impl SourceFormat {
    /// The identifier stored with the directive.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceFormat::Text => "text",
            SourceFormat::Docx => "docx",
            SourceFormat::Odt => "odt",
            SourceFormat::Pdf => "pdf",
            SourceFormat::Scan => "scan",
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
    /// The file is a known format that this version cannot read.
    #[error("unsupported file format: {0}")]
    Unsupported(&'static str),
    /// The file is larger than the limit.
    #[error("the file has {bytes} bytes; at most {limit} are accepted")]
    TooLarge {
        /// Size of the file.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// The file claims a format but its content is damaged.
    #[error("the file is damaged: {0}")]
    Corrupt(String),
    /// The file is protected by a password.
    #[error("the file is encrypted")]
    Encrypted,
    /// The file has more pages (or pages to OCR) than the limit.
    #[error("the file has {pages} pages; at most {limit} are accepted")]
    TooManyPages {
        /// Pages in the file (or pages that need OCR).
        pages: usize,
        /// The limit.
        limit: usize,
    },
    /// Reading took longer than the limit.
    #[error("reading the file took longer than {seconds} s")]
    Timeout {
        /// The limit in seconds.
        seconds: u64,
    },
    /// A program needed to read this format (or its OCR language data) is not installed.
    #[error("{0} is not available on this server")]
    ToolUnavailable(&'static str),
    /// A temporary file could not be written or read.
    #[error("temporary file error: {0}")]
    Io(String),
}

/// Bounds on reading one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadLimits {
    /// Largest file accepted, in bytes.
    pub max_bytes: usize,
    /// Largest part of a .docx package once unpacked, in bytes (guards against zip bombs).
    pub max_unpacked_bytes: u64,
    /// Most pages a PDF may have.
    pub max_pages: usize,
    /// Most PDF pages that may need OCR.
    pub max_ocr_pages: usize,
    /// Longest time for reading one file, external programs included.
    pub max_duration: Duration,
    /// Tesseract language(s), such as "vie" or "vie+eng".
    pub ocr_language: String,
    /// Resolution at which PDF pages are rendered for OCR, and assumed for images without one.
    pub ocr_dpi: u32,
}

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits {
            max_bytes: 50 * 1024 * 1024,
            max_unpacked_bytes: 200 * 1024 * 1024,
            max_pages: 200,
            max_ocr_pages: 50,
            max_duration: Duration::from_secs(300),
            ocr_language: "vie".to_string(),
            ocr_dpi: 300,
        }
    }
}

/// Text read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedText {
    /// The text, NFC, with line ends as `\n`.
    pub text: String,
    /// The format it was read from.
    pub format: SourceFormat,
    /// Pages read (PDF pages, image frames); 0 for formats without pages (text, docx).
    pub pages: usize,
    /// What was done, such as "decoded as TCVN3" or "OCR of 3 of 3 pages with tesseract -l vie".
    pub note: String,
}

/// How far the reading of a file has come: pages read by OCR so far, of those that need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadProgress {
    /// Pages read by OCR so far.
    pub pages_done: usize,
    /// Pages that need OCR (0 while not yet known).
    pub pages_total: usize,
}

/// One reading: its temporary directory (removed when dropped), deadline, limits, and where its
/// progress is told.
pub struct Job<'a> {
    dir: tempfile::TempDir,
    deadline: Instant,
    limits: &'a ReadLimits,
    progress: &'a dyn Fn(ReadProgress),
}

impl<'a> Job<'a> {
    fn new(
        limits: &'a ReadLimits,
        progress: &'a dyn Fn(ReadProgress),
    ) -> Result<Job<'a>, ParseError> {
        let dir = tempfile::Builder::new()
            .prefix("dondoc-parse-")
            .tempdir()
            .map_err(|e| ParseError::Io(e.to_string()))?;
        let now = Instant::now();
        let deadline = now
            .checked_add(limits.max_duration)
            .unwrap_or(now + Duration::from_secs(365 * 24 * 3600));
        Ok(Job {
            dir,
            deadline,
            limits,
            progress,
        })
    }

    /// Tells how many of `total` pages have been read by OCR.
    fn pages_read(&self, done: usize, total: usize) {
        (self.progress)(ReadProgress {
            pages_done: done,
            pages_total: total,
        });
    }

    /// A path inside the temporary directory.
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs an external program in the temporary directory, killed at the deadline.
    fn run(&self, program: &'static str, args: &[&str]) -> Result<process::Finished, ParseError> {
        process::run(
            program,
            args,
            self.dir.path(),
            self.deadline,
            self.limits.max_duration,
        )
    }
}

/// The formats recognised by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sniffed {
    Pdf,
    Zip,
    Image(&'static str),
    Refused(&'static str),
    Encrypted,
    Text,
}

/// Recognises a format by its magic bytes.
fn sniff(bytes: &[u8]) -> Sniffed {
    let head = bytes.get(..1024).unwrap_or(bytes);
    if head.windows(5).any(|w| w == b"%PDF-") {
        return Sniffed::Pdf;
    }
    const SIGNATURES: [(&[u8], Sniffed); 12] = [
        (b"PK\x03\x04", Sniffed::Zip),
        (b"PK\x05\x06", Sniffed::Zip),
        (b"\x89PNG", Sniffed::Image("png")),
        (b"\xFF\xD8\xFF", Sniffed::Image("jpg")),
        (b"II*\x00", Sniffed::Image("tif")),
        (b"MM\x00*", Sniffed::Image("tif")),
        (b"BM", Sniffed::Refused("bmp")),
        (b"GIF8", Sniffed::Refused("gif")),
        (b"{\\rtf", Sniffed::Refused("rtf")),
        (b"\xD0\xCF\x11\xE0", Sniffed::Refused("doc")),
        (b"RIFF", Sniffed::Refused("riff")),
        (b"\x1F\x8B", Sniffed::Refused("gzip")),
    ];
    for (magic, kind) in SIGNATURES {
        if bytes.starts_with(magic) {
            if kind == Sniffed::Refused("doc") && is_encrypted_office(bytes) {
                return Sniffed::Encrypted;
            }
            return kind;
        }
    }
    Sniffed::Text
}

/// An Office document protected by a password is an OLE container with an "EncryptedPackage"
/// stream (the name is stored in UTF-16).
fn is_encrypted_office(bytes: &[u8]) -> bool {
    let name: Vec<u8> = "EncryptedPackage"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    bytes.windows(name.len()).any(|w| w == name.as_slice())
}

/// The lower-case extension of a file name.
fn extension(file_name: Option<&str>) -> Option<String> {
    let name = file_name?;
    let (_, ext) = name.rsplit_once('.')?;
    Some(ext.to_ascii_lowercase())
}

/// Reads the text of an incoming file with the default [`ReadLimits`]; see [`read_file`].
pub fn read_text(bytes: &[u8]) -> Result<ParsedText, ParseError> {
    read_file(None, bytes, &ReadLimits::default())
}

/// Whether reading these bytes may need OCR (a PDF, which may have scanned pages, or an image),
/// and so may take long enough to be better done in the background.
pub fn may_need_ocr(bytes: &[u8]) -> bool {
    matches!(sniff(bytes), Sniffed::Pdf | Sniffed::Image(_))
}

/// Reads the text of an incoming file. The format is recognised by content; the file name only
/// helps to name the error when the content does not match its extension. Blocks while external
/// programs run (up to `limits.max_duration`): call from a blocking thread.
pub fn read_file(
    file_name: Option<&str>,
    bytes: &[u8],
    limits: &ReadLimits,
) -> Result<ParsedText, ParseError> {
    read_file_reporting(file_name, bytes, limits, &|_| {})
}

/// [`read_file`], telling `progress` each time a page has been read by OCR (first with 0 pages
/// done, once the number of pages to read is known).
pub fn read_file_reporting(
    file_name: Option<&str>,
    bytes: &[u8],
    limits: &ReadLimits,
    progress: &dyn Fn(ReadProgress),
) -> Result<ParsedText, ParseError> {
    if bytes.len() > limits.max_bytes {
        return Err(ParseError::TooLarge {
            bytes: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    let parsed = match sniff(bytes) {
        Sniffed::Pdf => read_pdf(bytes, limits, progress)?,
        Sniffed::Zip => {
            if odt::is_odt(bytes)? {
                ParsedText {
                    text: odt::read_odt(bytes, limits.max_unpacked_bytes)?,
                    format: SourceFormat::Odt,
                    pages: 0,
                    note: String::new(),
                }
            } else if docx::is_docx(bytes)? {
                ParsedText {
                    text: docx::read_docx(bytes, limits.max_unpacked_bytes)?,
                    format: SourceFormat::Docx,
                    pages: 0,
                    note: String::new(),
                }
            } else {
                return Err(ParseError::Unsupported(
                    match extension(file_name).as_deref() {
                        Some("xlsx") => "xlsx",
                        Some("pptx") => "pptx",
                        Some("ods") => "ods",
                        _ => "zip",
                    },
                ));
            }
        }
        Sniffed::Image(ext) => read_image(bytes, ext, limits, progress)?,
        Sniffed::Refused(kind) => return Err(ParseError::Unsupported(kind)),
        Sniffed::Encrypted => return Err(ParseError::Encrypted),
        Sniffed::Text => {
            if let Some(ext) = extension(file_name)
                && matches!(
                    ext.as_str(),
                    "pdf" | "docx" | "odt" | "png" | "jpg" | "jpeg" | "tif" | "tiff"
                )
                && !bytes.iter().all(|b| b.is_ascii_whitespace())
            {
                return Err(ParseError::Corrupt(format!(
                    "the file is named .{ext} but its content is not {ext}"
                )));
            }
            read_plain_text(bytes)?
        }
    };
    finish(parsed)
}

/// Normalises the text read (NFC, `\n` line ends, no NUL) and refuses empty results.
fn finish(mut parsed: ParsedText) -> Result<ParsedText, ParseError> {
    let text: String = parsed
        .text
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .nfc()
        .filter(|&c| c != '\0' && c != '\u{FEFF}')
        .collect();
    if text.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    parsed.text = text;
    Ok(parsed)
}

/// Reads a plain-text file in whatever encoding it uses.
fn read_plain_text(bytes: &[u8]) -> Result<ParsedText, ParseError> {
    let (text, encoding) = encoding::detect_and_decode(bytes);
    if text.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    if !looks_like_text(&text) {
        return Err(ParseError::NotText);
    }
    let note = match encoding {
        TextEncoding::Utf8 => String::new(),
        other => format!("decoded as {}", other.name()),
    };
    Ok(ParsedText {
        text,
        format: SourceFormat::Text,
        pages: 0,
        note,
    })
}

/// Reads a PDF: text layer, with OCR for pages that need it.
fn read_pdf(
    bytes: &[u8],
    limits: &ReadLimits,
    progress: &dyn Fn(ReadProgress),
) -> Result<ParsedText, ParseError> {
    let job = Job::new(limits, progress)?;
    let reading = pdf::read_pdf(&job, bytes)?;
    let format = if reading.ocr_pages > 0 && reading.ocr_pages == reading.pages {
        SourceFormat::Scan
    } else {
        SourceFormat::Pdf
    };
    let mut note = if reading.ocr_pages > 0 {
        format!(
            "OCR of {} of {} pages with tesseract -l {} at {} dpi",
            reading.ocr_pages, reading.pages, limits.ocr_language, limits.ocr_dpi
        )
    } else {
        format!("text layer of {} pages", reading.pages)
    };
    if reading.legacy_pages > 0 {
        note.push_str(&format!(
            "; {} pages converted from a legacy font encoding (TCVN3/VNI)",
            reading.legacy_pages
        ));
    }
    if reading.cleaned_pages > 0 {
        note.push_str(&format!(
            "; {} pages deskewed or contrast-stretched before OCR",
            reading.cleaned_pages
        ));
    }
    Ok(ParsedText {
        text: reading.text,
        format,
        pages: reading.pages,
        note,
    })
}

/// The number of images (IFDs) in a TIFF file, following the chain of offsets; `None` when the
/// chain is damaged.
fn tiff_frames(bytes: &[u8]) -> Option<usize> {
    let little = bytes.starts_with(b"II");
    let u16_at = |at: usize| {
        let b: [u8; 2] = bytes.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(if little {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    };
    let u32_at = |at: usize| {
        let b: [u8; 4] = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    };
    let mut offset = usize::try_from(u32_at(4)?).ok()?;
    let mut frames = 0usize;
    let mut seen = std::collections::HashSet::new();
    while offset != 0 {
        if !seen.insert(offset) || frames > 100_000 {
            return None;
        }
        frames += 1;
        let entries = usize::from(u16_at(offset)?);
        let next_at = offset
            .checked_add(2)?
            .checked_add(entries.checked_mul(12)?)?;
        offset = usize::try_from(u32_at(next_at)?).ok()?;
    }
    Some(frames)
}

/// Reads an image file by OCR; a TIFF of several pages page by page, so that progress can be told.
fn read_image(
    bytes: &[u8],
    ext: &str,
    limits: &ReadLimits,
    progress: &dyn Fn(ReadProgress),
) -> Result<ParsedText, ParseError> {
    let frames = if ext == "tif" {
        let frames = tiff_frames(bytes)
            .ok_or_else(|| ParseError::Corrupt("tiff: damaged image directory".into()))?;
        if frames > limits.max_ocr_pages {
            return Err(ParseError::TooManyPages {
                pages: frames,
                limit: limits.max_ocr_pages,
            });
        }
        frames
    } else {
        1
    };
    let job = Job::new(limits, progress)?;
    let name = format!("scan.{ext}");
    std::fs::write(job.path(&name), bytes).map_err(|e| ParseError::Io(e.to_string()))?;
    job.pages_read(0, frames);
    let reading = match split_frames(&job, &name, frames)? {
        Some(pages) => {
            let mut texts = Vec::with_capacity(pages.len());
            let mut cleaned = false;
            for (index, page) in pages.iter().enumerate() {
                let reading = ocr::read_image(&job, page)?;
                cleaned |= reading.cleaned;
                texts.push(reading.text);
                job.pages_read(index + 1, frames);
            }
            ocr::OcrReading {
                text: texts.join("\u{0C}"),
                cleaned,
            }
        }
        None => {
            let reading = ocr::read_image(&job, &name)?;
            job.pages_read(frames, frames);
            reading
        }
    };
    let pages: Vec<&str> = reading
        .text
        .split('\u{0C}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    let page_count = pages.len().max(1);
    let mut note = format!("OCR with tesseract -l {}", limits.ocr_language);
    if reading.cleaned {
        note.push_str(" after deskewing or contrast stretching");
    }
    Ok(ParsedText {
        text: pages
            .iter()
            .map(|p| p.trim_matches('\n'))
            .collect::<Vec<_>>()
            .join("\n\n"),
        format: SourceFormat::Scan,
        pages: page_count,
        note,
    })
}

/// The pages of a TIFF of several pages as one PNG each (`frame-0000.png`, ...), or `None` for a
/// single image, or when ImageMagick is missing or cannot split it (the file is then read whole).
fn split_frames(
    job: &Job<'_>,
    image: &str,
    frames: usize,
) -> Result<Option<Vec<String>>, ParseError> {
    if frames < 2 {
        return Ok(None);
    }
    let split = match job.run("convert", &[image, "+adjoin", "frame-%04d.png"]) {
        Ok(finished) => finished,
        Err(ParseError::ToolUnavailable(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let pages: Vec<String> = (0..frames).map(|i| format!("frame-{i:04}.png")).collect();
    if !split.success || !pages.iter().all(|p| job.path(p).is_file()) {
        return Ok(None);
    }
    Ok(Some(pages))
}

/// Text has no NUL and almost no other control characters.
fn looks_like_text(text: &str) -> bool {
    let mut total = 0usize;
    let mut control = 0usize;
    for c in text.chars() {
        total += 1;
        if c == '\0' || c == '\u{FFFD}' {
            control += 4;
        } else if c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{0C}') {
            control += 1;
        }
    }
    control * 100 <= total
}
