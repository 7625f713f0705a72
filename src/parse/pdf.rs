//! PDF files, read with poppler's programs in a child process (a damaged file can crash or hang
//! only that process, which the deadline kills): `pdfinfo` for the page count and encryption,
//! `pdftotext` in its reading-order mode for the text layer (the two columns of a directive's
//! heading come out one after the other, as the layout mode would interleave their lines), `pdfimages -list` for the pages that carry images, `pdftoppm` to render a page for
//! OCR. A page without a usable text layer, or whose text layer reads worse than OCR of its image
//! (such as an English-OCR layer over a Vietnamese scan), is read from its image.

use super::encoding::{TextEncoding, convert_legacy_font_text};
use super::quality::TextQuality;
use super::{Job, ParseError, ocr};

/// A page whose text layer scores below this is re-read from its image, if it has one.
const REREAD_BELOW: f64 = 0.6;
/// A page with fewer letters than this has no usable text layer.
const MIN_LETTERS: usize = 20;

/// What reading a PDF gave.
#[derive(Debug, Clone)]
pub struct PdfReading {
    /// The text, pages separated by a blank line.
    pub text: String,
    /// Pages in the file.
    pub pages: usize,
    /// Pages whose text came from OCR.
    pub ocr_pages: usize,
    /// Pages where the cleaned image gave the better OCR.
    pub cleaned_pages: usize,
    /// Pages whose text layer was in a legacy Vietnamese font encoding and was converted.
    pub legacy_pages: usize,
}

/// A text layer written in a legacy font (TCVN3 or VNI glyphs without a Unicode mapping) comes out
/// as Latin-1 look-alikes ("Th«ng b¸o"): converts it when that reads better.
fn convert_legacy_layer(text: &str) -> Option<String> {
    let before = TextQuality::of(text);
    [TextEncoding::Tcvn3, TextEncoding::Vni]
        .into_iter()
        .map(|encoding| convert_legacy_font_text(text, encoding))
        .map(|converted| (TextQuality::of(&converted).value(), converted))
        .filter(|(value, _)| *value > before.value())
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, converted)| converted)
}

/// The page count of `doc.pdf`; refuses encrypted and damaged files.
fn page_count(job: &Job<'_>, file: &str) -> Result<usize, ParseError> {
    let info = job.run("pdfinfo", &[file])?;
    if !info.success {
        if info.stderr.contains("Incorrect password") {
            return Err(ParseError::Encrypted);
        }
        let first = info.stderr.lines().find(|l| !l.trim().is_empty());
        return Err(ParseError::Corrupt(format!(
            "pdf: {}",
            first.unwrap_or("unreadable")
        )));
    }
    info.stdout
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| ParseError::Corrupt("pdf: no page count".into()))
}

/// The pages (1-based) that show at least one image.
fn pages_with_images(job: &Job<'_>, file: &str) -> Result<Vec<usize>, ParseError> {
    let list = job.run("pdfimages", &["-list", file])?;
    let mut pages: Vec<usize> = list
        .stdout
        .lines()
        .skip(2)
        .filter_map(|l| l.split_whitespace().next()?.parse().ok())
        .collect();
    pages.dedup();
    Ok(pages)
}

/// Renders page `page` at the configured resolution and reads it with OCR.
fn ocr_page(job: &Job<'_>, file: &str, page: usize) -> Result<ocr::OcrReading, ParseError> {
    let number = page.to_string();
    let dpi = job.limits.ocr_dpi.to_string();
    let stem = format!("page{page}");
    let rendered = job.run(
        "pdftoppm",
        &[
            "-r",
            &dpi,
            "-f",
            &number,
            "-l",
            &number,
            "-gray",
            "-singlefile",
            file,
            &stem,
        ],
    )?;
    if !rendered.success {
        let first = rendered.stderr.lines().next().unwrap_or("");
        return Err(ParseError::Corrupt(format!("pdf page {page}: {first}")));
    }
    ocr::read_image(job, &format!("{stem}.pgm"))
}

/// Reads the PDF `bytes`.
pub fn read_pdf(job: &Job<'_>, bytes: &[u8]) -> Result<PdfReading, ParseError> {
    let file = "doc.pdf";
    std::fs::write(job.path(file), bytes).map_err(|e| ParseError::Io(format!("pdf: {e}")))?;
    let pages = page_count(job, file)?;
    if pages > job.limits.max_pages {
        return Err(ParseError::TooManyPages {
            pages,
            limit: job.limits.max_pages,
        });
    }
    let extracted = job.run("pdftotext", &["-enc", "UTF-8", file, "doc.txt"])?;
    if !extracted.success {
        if extracted.stderr.contains("Incorrect password") {
            return Err(ParseError::Encrypted);
        }
        let first = extracted.stderr.lines().next().unwrap_or("");
        return Err(ParseError::Corrupt(format!("pdf: {first}")));
    }
    let layer = std::fs::read(job.path("doc.txt"))
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let mut layer_pages: Vec<String> = layer.split('\u{0C}').map(str::to_string).collect();
    layer_pages.resize(pages, String::new());
    let mut legacy_pages = 0;
    for page in &mut layer_pages {
        if TextQuality::of(page).score() < REREAD_BELOW
            && let Some(converted) = convert_legacy_layer(page)
        {
            *page = converted;
            legacy_pages += 1;
        }
    }
    let with_images = pages_with_images(job, file)?;
    let needs_ocr: Vec<(usize, TextQuality)> = layer_pages
        .iter()
        .enumerate()
        .filter_map(|(i, text)| {
            let letters = text.chars().filter(|c| c.is_alphabetic()).count();
            let quality = TextQuality::of(text);
            let unusable = letters < MIN_LETTERS || quality.score() < REREAD_BELOW;
            (unusable && with_images.contains(&(i + 1))).then_some((i, quality))
        })
        .collect();
    if needs_ocr.len() > job.limits.max_ocr_pages {
        return Err(ParseError::TooManyPages {
            pages: needs_ocr.len(),
            limit: job.limits.max_ocr_pages,
        });
    }
    let mut ocr_pages = 0;
    let mut cleaned_pages = 0;
    let to_read = needs_ocr.len();
    if to_read > 0 {
        job.pages_read(0, to_read);
    }
    for (done, (index, layer_quality)) in needs_ocr.into_iter().enumerate() {
        let reading = ocr_page(job, file, index + 1)?;
        job.pages_read(done + 1, to_read);
        let better = TextQuality::of(&reading.text).value() > layer_quality.value();
        if better && let Some(slot) = layer_pages.get_mut(index) {
            *slot = reading.text;
            ocr_pages += 1;
            cleaned_pages += usize::from(reading.cleaned);
        }
    }
    let text = layer_pages
        .iter()
        .map(|page| {
            page.lines()
                .map(str::trim_end)
                .collect::<Vec<_>>()
                .join("\n")
                .trim_matches('\n')
                .to_string()
        })
        .filter(|page| !page.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    Ok(PdfReading {
        text,
        pages,
        ocr_pages,
        cleaned_pages,
        legacy_pages,
    })
}
