//! Tests of the whole reader.

use super::*;
use unicode_normalization::UnicodeNormalization;

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
fn refuses_empty_binary_and_unknown_formats() {
    assert_eq!(read_text(b" \n\t "), Err(ParseError::Empty));
    assert_eq!(
        read_text(&[0u8, 1, 2, 3, 200, 0, 7, 8]),
        Err(ParseError::NotText)
    );
    assert_eq!(
        read_text(b"{\\rtf1 ..."),
        Err(ParseError::Unsupported("rtf"))
    );
    assert!(matches!(
        read_text(b"%PDF-1.7 ..."),
        Err(ParseError::Corrupt(_))
    ));
}

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::encoding::{decode_tcvn3, decode_vni};

/// A fixture file under tests/data/parse/.
fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/parse")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

fn fixture_text(name: &str) -> String {
    String::from_utf8_lossy(&fixture(name)).into_owned()
}

/// The syllables of a text: whitespace-separated tokens without surrounding punctuation.
fn syllables(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric()).to_string())
        .filter(|t| !t.is_empty())
        .collect()
}

/// Token edit distance (insertions, deletions, substitutions) divided by the expected length.
fn syllable_error_rate(expected: &str, actual: &str) -> f64 {
    let want = syllables(expected);
    let got = syllables(actual);
    let mut previous: Vec<usize> = (0..=got.len()).collect();
    for (i, w) in want.iter().enumerate() {
        let mut current = vec![i + 1; got.len() + 1];
        for (j, g) in got.iter().enumerate() {
            let substitution = previous[j] + usize::from(w != g);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[got.len()] as f64 / want.len().max(1) as f64
}

#[test]
fn syllable_error_rate_counts_token_edits() {
    assert_eq!(syllable_error_rate("a b c d", "a b c d"), 0.0);
    assert_eq!(syllable_error_rate("a b c d", "a x c"), 0.5);
    assert_eq!(
        syllable_error_rate("Thông báo, số 1.", "Thông báo số 1"),
        0.0
    );
}

/// An encoder that inverts a legacy decoder: for every character, the shortest byte sequence
/// (one byte, or a base byte and a mark byte) that decodes to it.
fn legacy_encoder(decode: fn(&[u8]) -> String) -> HashMap<char, Vec<u8>> {
    let mut table: HashMap<char, Vec<u8>> = HashMap::new();
    for a in 0..=255u8 {
        let one = decode(&[a]);
        if let (Some(c), 1) = (one.chars().next(), one.chars().count()) {
            table.entry(c).or_insert_with(|| vec![a]);
        }
    }
    for a in 0..=255u8 {
        for b in 0x80..=255u8 {
            let two = decode(&[a, b]);
            if let (Some(c), 1) = (two.chars().next(), two.chars().count()) {
                table.entry(c).or_insert_with(|| vec![a, b]);
            }
        }
    }
    table
}

fn encode_legacy(text: &str, table: &HashMap<char, Vec<u8>>) -> Vec<u8> {
    text.chars()
        .flat_map(|c| table.get(&c).cloned().unwrap_or_else(|| vec![b'?']))
        .collect()
}

/// Windows-1258: letters with their tone as a separate combining mark.
fn encode_windows_1258(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for c in text.chars() {
        let parts: Vec<char> = std::iter::once(c).nfd().collect();
        let (tones, base): (Vec<char>, Vec<char>) = parts
            .into_iter()
            .partition(|m| ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'].contains(m));
        let composed: String = base.into_iter().collect::<String>().nfc().collect();
        let with_tones: String = composed.chars().chain(tones).collect();
        let (bytes, _, _) = encoding_rs::WINDOWS_1258.encode(&with_tones);
        out.extend_from_slice(&bytes);
    }
    out
}

#[test]
fn reads_plain_text_in_every_encoding() {
    let directive = fixture_text("directive.txt");
    let lower = directive.to_lowercase();
    let mut utf16le = vec![0xFF, 0xFE];
    let mut utf16be = Vec::new();
    for unit in directive.encode_utf16() {
        utf16le.extend_from_slice(&unit.to_le_bytes());
        utf16be.extend_from_slice(&unit.to_be_bytes());
    }
    let tcvn3 = encode_legacy(&lower, &legacy_encoder(decode_tcvn3));
    let vni = encode_legacy(&directive, &legacy_encoder(decode_vni));
    let cases: [(&str, Vec<u8>, &str, &str); 6] = [
        (
            "UTF-8",
            directive.as_bytes().to_vec(),
            directive.as_str(),
            "",
        ),
        (
            "UTF-16LE",
            utf16le,
            directive.as_str(),
            "decoded as UTF-16LE",
        ),
        (
            "UTF-16BE",
            utf16be,
            directive.as_str(),
            "decoded as UTF-16BE",
        ),
        (
            "Windows-1258",
            encode_windows_1258(&directive),
            directive.as_str(),
            "decoded as Windows-1258",
        ),
        ("TCVN3", tcvn3, lower.as_str(), "decoded as TCVN3"),
        ("VNI", vni, directive.as_str(), "decoded as VNI"),
    ];
    for (name, bytes, expected, note) in cases {
        let parsed = read_file(Some("cong-van.txt"), &bytes, &ReadLimits::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let rate = syllable_error_rate(expected, &parsed.text);
        assert!(rate <= 0.01, "{name}: syllable error rate {rate}");
        assert_eq!(parsed.note, note, "{name}");
        assert_eq!(parsed.format, SourceFormat::Text);
    }
}

/// A .docx with the directive's heading as a two-column table and the rest as paragraphs; with a
/// legacy font, the text is written in that font's encoding.
fn directive_docx(font: Option<&str>) -> Vec<u8> {
    let directive = fixture_text("directive.txt");
    let lines: Vec<&str> = directive.lines().collect();
    let tcvn3 = legacy_encoder(decode_tcvn3);
    let para = |text: &str| match font {
        Some(font) => {
            let bytes = encode_legacy(&text.to_lowercase(), &tcvn3);
            let (chars, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&bytes);
            let escaped = chars.replace('&', "&amp;").replace('<', "&lt;");
            format!(
                r#"<w:p><w:r><w:rPr><w:rFonts w:ascii="{font}" w:hAnsi="{font}"/></w:rPr><w:t>{escaped}</w:t></w:r></w:p>"#
            )
        }
        None => super::docx::tests::para(text),
    };
    let cell = |range: &[&str]| range.iter().map(|l| para(l)).collect::<String>();
    let body = format!(
        "<w:tbl><w:tr><w:tc>{}</w:tc><w:tc>{}</w:tc></w:tr></w:tbl>{}",
        cell(&lines[0..2]),
        cell(&lines[2..5]),
        cell(&lines[5..])
    );
    super::docx::tests::build_docx(&body, None)
}

#[test]
fn reads_docx_with_unicode_and_legacy_fonts() -> Result<(), ParseError> {
    let directive = fixture_text("directive.txt");
    let parsed = read_file(
        Some("cv.docx"),
        &directive_docx(None),
        &ReadLimits::default(),
    )?;
    assert_eq!(parsed.format, SourceFormat::Docx);
    assert_eq!(parsed.text, directive);
    let legacy = read_file(
        None,
        &directive_docx(Some(".VnTime")),
        &ReadLimits::default(),
    )?;
    let rate = syllable_error_rate(&directive.to_lowercase(), &legacy.text);
    assert!(rate <= 0.01, "syllable error rate {rate}");
    Ok(())
}

#[test]
fn reads_odt() -> Result<(), ParseError> {
    let odt = super::odt::tests::build_odt("<text:p>Kính gửi các đơn vị</text:p>");
    let parsed = read_file(Some("cv.odt"), &odt, &ReadLimits::default())?;
    assert_eq!(parsed.format, SourceFormat::Odt);
    assert_eq!(parsed.text, "Kính gửi các đơn vị\n");
    Ok(())
}

#[test]
fn reads_text_pdf_in_reading_order() -> Result<(), ParseError> {
    let told = std::cell::RefCell::new(Vec::new());
    let parsed = read_file_reporting(
        Some("cv.pdf"),
        &fixture("text.pdf"),
        &ReadLimits::default(),
        &|p| told.borrow_mut().push(p),
    )?;
    assert!(told.into_inner().is_empty(), "no page needed OCR");
    assert_eq!(parsed.format, SourceFormat::Pdf);
    assert_eq!(parsed.pages, 3);
    let rate = syllable_error_rate(&fixture_text("directive.txt"), &parsed.text);
    assert!(rate <= 0.01, "syllable error rate {rate}\n{}", parsed.text);
    Ok(())
}

#[test]
fn converts_legacy_font_text_layers() -> Result<(), ParseError> {
    let parsed = read_file(None, &fixture("legacy.pdf"), &ReadLimits::default())?;
    assert_eq!(parsed.format, SourceFormat::Pdf);
    assert!(parsed.note.contains("legacy font"), "{}", parsed.note);
    let rate = syllable_error_rate(&fixture_text("legacy.txt"), &parsed.text);
    assert!(rate <= 0.01, "syllable error rate {rate}\n{}", parsed.text);
    Ok(())
}

#[test]
fn reads_scans_by_ocr() -> Result<(), ParseError> {
    let expected = fixture_text("scan.txt");
    for name in ["scan.png", "scan.pdf", "bad-ocr.pdf", "skewed.jpg"] {
        let parsed = read_file(Some(name), &fixture(name), &ReadLimits::default())?;
        assert_eq!(parsed.format, SourceFormat::Scan, "{name}");
        assert!(
            parsed.note.contains("tesseract -l vie"),
            "{name}: {}",
            parsed.note
        );
        assert_eq!(parsed.pages, 1, "{name}");
        let rate = syllable_error_rate(&expected, &parsed.text);
        assert!(
            rate <= 0.02,
            "{name}: syllable error rate {rate}\n{}",
            parsed.text
        );
    }
    let skewed = read_file(None, &fixture("skewed.jpg"), &ReadLimits::default())?;
    assert!(skewed.note.contains("deskewing"), "{}", skewed.note);
    // A TIFF of two pages is read page by page, and each page read is told.
    let told = std::cell::RefCell::new(Vec::new());
    let tiff = read_file_reporting(None, &fixture("pages.tif"), &ReadLimits::default(), &|p| {
        told.borrow_mut().push((p.pages_done, p.pages_total))
    })?;
    assert_eq!(told.into_inner(), vec![(0, 2), (1, 2), (2, 2)]);
    assert_eq!(tiff.pages, 2);
    let rate = syllable_error_rate(&format!("{expected}\n{expected}"), &tiff.text);
    assert!(
        rate <= 0.02,
        "pages.tif: syllable error rate {rate}\n{}",
        tiff.text
    );
    Ok(())
}

#[test]
fn enforces_limits_and_refuses_protected_files() {
    let pdf = fixture("text.pdf");
    let small = ReadLimits {
        max_bytes: 1000,
        ..ReadLimits::default()
    };
    assert_eq!(
        read_file(None, &pdf, &small),
        Err(ParseError::TooLarge {
            bytes: pdf.len(),
            limit: 1000
        })
    );
    let few_pages = ReadLimits {
        max_pages: 2,
        ..ReadLimits::default()
    };
    assert_eq!(
        read_file(None, &pdf, &few_pages),
        Err(ParseError::TooManyPages { pages: 3, limit: 2 })
    );
    let no_ocr = ReadLimits {
        max_ocr_pages: 0,
        ..ReadLimits::default()
    };
    assert_eq!(
        read_file(None, &fixture("scan.pdf"), &no_ocr),
        Err(ParseError::TooManyPages { pages: 1, limit: 0 })
    );
    assert_eq!(super::tiff_frames(&fixture("pages.tif")), Some(2));
    let one_page = ReadLimits {
        max_ocr_pages: 1,
        ..ReadLimits::default()
    };
    assert_eq!(
        read_file(None, &fixture("pages.tif"), &one_page),
        Err(ParseError::TooManyPages { pages: 2, limit: 1 })
    );
    let hurried = ReadLimits {
        max_duration: Duration::from_millis(300),
        ..ReadLimits::default()
    };
    let started = Instant::now();
    assert_eq!(
        read_file(None, &fixture("scan.png"), &hurried),
        Err(ParseError::Timeout { seconds: 0 })
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(
        read_file(None, &fixture("encrypted.pdf"), &ReadLimits::default()),
        Err(ParseError::Encrypted)
    );
    assert!(matches!(
        read_file(Some("cv.docx"), b"not a word file", &ReadLimits::default()),
        Err(ParseError::Corrupt(_))
    ));
}

/// A xorshift generator, so the fuzz inputs are the same on every run.
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Truncates, overwrites or duplicates parts of `bytes`.
fn mutate(bytes: &[u8], rng: &mut Xorshift) -> Vec<u8> {
    let mut out = bytes.to_vec();
    match rng.below(4) {
        0 => out.truncate(rng.below(bytes.len())),
        1 => {
            for _ in 0..=rng.below(20) {
                let at = rng.below(out.len());
                if let Some(b) = out.get_mut(at) {
                    *b = rng.next() as u8;
                }
            }
        }
        2 => {
            let start = rng.below(out.len());
            let len = rng.below(out.len() - start);
            out.drain(start..start + len);
        }
        _ => {
            let start = rng.below(out.len());
            let end = (start + rng.below(4096)).min(out.len());
            let copy = out.get(start..end).map(<[u8]>::to_vec).unwrap_or_default();
            let at = rng.below(out.len());
            out.splice(at..at, copy);
        }
    }
    out
}

#[test]
fn random_and_mutated_files_never_panic_or_hang() {
    let limits = ReadLimits {
        max_duration: Duration::from_secs(20),
        max_ocr_pages: 1,
        ..ReadLimits::default()
    };
    let mut rng = Xorshift(0x2545_F491_4F6C_DD1D);
    let check = |bytes: &[u8]| {
        let started = Instant::now();
        let _ = read_file(None, bytes, &limits);
        assert!(
            started.elapsed() < Duration::from_secs(25),
            "reading took too long"
        );
    };
    for len in 0..300 {
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        check(&bytes);
    }
    let docx = directive_docx(None);
    for _ in 0..300 {
        check(&mutate(&docx, &mut rng));
    }
    let odt = super::odt::tests::build_odt("<text:p>Kính gửi các đơn vị</text:p>");
    for _ in 0..100 {
        check(&mutate(&odt, &mut rng));
    }
    let encodings = [
        fixture("directive.txt"),
        encode_windows_1258(&fixture_text("directive.txt")),
    ];
    for bytes in &encodings {
        for _ in 0..100 {
            check(&mutate(bytes, &mut rng));
        }
    }
    for (name, rounds) in [
        ("text.pdf", 30),
        ("encrypted.pdf", 10),
        ("pages.tif", 10),
        ("scan.pdf", 4),
        ("scan.png", 3),
    ] {
        let bytes = fixture(name);
        for _ in 0..rounds {
            check(&mutate(&bytes, &mut rng));
        }
    }
}

/// Prints reading speed and accuracy on the fixtures:
/// `cargo test --release measure_reading -- --ignored --nocapture`.
#[test]
#[ignore]
fn measure_reading() -> Result<(), ParseError> {
    use super::quality::TextQuality;
    let limits = ReadLimits::default();
    let directive = fixture_text("directive.txt");
    let scan = fixture_text("scan.txt");
    println!(
        "quality of clean text: score {:.3}, syllable validity {:.3}",
        TextQuality::of(&directive).score(),
        TextQuality::of(&directive).syllable_validity()
    );
    for (name, expected, rounds) in [
        ("text.pdf", &directive, 10),
        ("scan.png", &scan, 3),
        ("scan.pdf", &scan, 3),
        ("bad-ocr.pdf", &scan, 3),
        ("skewed.jpg", &scan, 3),
    ] {
        let bytes = fixture(name);
        let started = Instant::now();
        let mut pages = 0;
        let mut last = None;
        for _ in 0..rounds {
            let parsed = read_file(Some(name), &bytes, &limits)?;
            pages += parsed.pages;
            last = Some(parsed);
        }
        let seconds = started.elapsed().as_secs_f64();
        if let Some(parsed) = last {
            println!(
                "{name}: {:.2} pages/s ({pages} pages in {seconds:.1} s), syllable error rate {:.4}, note: {}",
                pages as f64 / seconds,
                syllable_error_rate(expected, &parsed.text),
                parsed.note
            );
        }
    }
    Ok(())
}
