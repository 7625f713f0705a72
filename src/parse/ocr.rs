//! Optical character recognition with the `tesseract` program (`-l vie` by default). A skewed image
//! (measured by ImageMagick) is straightened before reading; when a reading scores poorly
//! ([`TextQuality::score`]), the other copy is read too and the better reading kept.
//!
//! The text is rebuilt from tesseract's word boxes (TSV output) so that reading order follows the
//! page: a line split by one wide gap belongs to a two-column block (the heading of a directive, the
//! signature block), whose left column is read before its right column; a line split by several
//! wide gaps is a table row, its cells separated by tabs.

use super::quality::TextQuality;
use super::{Job, ParseError};

/// Below this score a reading is retried on a cleaned image.
const RETRY_BELOW: f64 = 0.8;

/// Reads the image file `image` (a name inside the job's directory) with tesseract. Pages of a
/// multi-page image are separated by form feeds.
pub fn tesseract(job: &Job<'_>, image: &str) -> Result<String, ParseError> {
    let base = format!("{image}.ocr");
    let dpi = job.limits.ocr_dpi.to_string();
    let language = job.limits.ocr_language.as_str();
    if language.is_empty()
        || !language
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '+')
    {
        return Err(ParseError::ToolUnavailable("tesseract language data"));
    }
    let finished = job.run(
        "tesseract",
        &[
            image, &base, "-l", language, "--dpi", &dpi, "--psm", "3", "tsv",
        ],
    )?;
    if !finished.success {
        let stderr = finished.stderr;
        if stderr.contains("Failed loading language") || stderr.contains("Error opening data file")
        {
            return Err(ParseError::ToolUnavailable("tesseract language data"));
        }
        let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        return Err(ParseError::Corrupt(format!("image: {first}")));
    }
    std::fs::read(job.path(&format!("{base}.tsv")))
        .map(|bytes| text_from_tsv(&String::from_utf8_lossy(&bytes)))
        .map_err(|e| ParseError::Io(format!("tesseract output: {e}")))
}

/// One recognised word and its box.
#[derive(Debug, Clone)]
struct Word {
    page: u32,
    block: u32,
    paragraph: u32,
    line: u32,
    left: i64,
    width: i64,
    height: i64,
    text: String,
}

/// Parses the word rows (level 5) of tesseract's TSV output.
fn words(tsv: &str) -> Vec<Word> {
    tsv.lines()
        .skip(1)
        .filter_map(|row| {
            let f: Vec<&str> = row.split('\t').collect();
            if f.len() < 12 || f.first() != Some(&"5") {
                return None;
            }
            let n = |i: usize| f.get(i).and_then(|v| v.trim().parse::<i64>().ok());
            let text = f.get(11)?.trim();
            if text.is_empty() {
                return None;
            }
            Some(Word {
                page: u32::try_from(n(1)?).ok()?,
                block: u32::try_from(n(2)?).ok()?,
                paragraph: u32::try_from(n(3)?).ok()?,
                line: u32::try_from(n(4)?).ok()?,
                left: n(6)?,
                width: n(8)?,
                height: n(9)?,
                text: text.to_string(),
            })
        })
        .collect()
}

/// A line of words, left to right, cut at wide gaps.
#[derive(Debug, Clone)]
struct Line {
    block: (u32, u32),
    left: i64,
    right: i64,
    /// Segments between wide gaps, and the middle of each gap.
    segments: Vec<String>,
    gaps: Vec<i64>,
}

fn make_line(mut words: Vec<Word>) -> Option<Line> {
    words.sort_by_key(|w| w.left);
    let first = words.first()?;
    let mut heights: Vec<i64> = words.iter().map(|w| w.height).collect();
    heights.sort_unstable();
    let height = heights.get(heights.len() / 2).copied().unwrap_or(0).max(1);
    let mut line = Line {
        block: (first.block, first.paragraph),
        left: first.left,
        right: first.left,
        segments: vec![String::new()],
        gaps: Vec::new(),
    };
    for word in &words {
        let gap = word.left.saturating_sub(line.right);
        if line.right > line.left && gap > height.saturating_mul(3) {
            line.gaps.push(line.right.saturating_add(gap / 2));
            line.segments.push(String::new());
        }
        if let Some(segment) = line.segments.last_mut() {
            if !segment.is_empty() {
                segment.push(' ');
            }
            segment.push_str(&word.text);
        }
        line.right = line.right.max(word.left.saturating_add(word.width));
    }
    Some(line)
}

/// Rebuilds the text of the pages from word boxes, pages separated by form feeds.
fn text_from_tsv(tsv: &str) -> String {
    let words = words(tsv);
    let mut pages: Vec<Vec<Line>> = Vec::new();
    let mut current: Vec<Word> = Vec::new();
    let mut key = None;
    let mut page_of_lines: Vec<Line> = Vec::new();
    let mut last_page = None;
    for word in words.into_iter().chain(std::iter::once(Word {
        page: u32::MAX,
        block: 0,
        paragraph: 0,
        line: 0,
        left: 0,
        width: 0,
        height: 0,
        text: String::new(),
    })) {
        let this_key = (word.page, word.block, word.paragraph, word.line);
        if key != Some(this_key) {
            if let Some(line) = make_line(std::mem::take(&mut current)) {
                page_of_lines.push(line);
            }
            if last_page.is_some() && last_page != Some(word.page) {
                pages.push(std::mem::take(&mut page_of_lines));
            }
            key = Some(this_key);
            last_page = Some(word.page);
        }
        current.push(word);
    }
    pages
        .into_iter()
        .map(|lines| page_text(&lines))
        .collect::<Vec<_>>()
        .join("\u{0C}")
}

/// The text of one page's lines in reading order.
fn page_text(lines: &[Line]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut columns: Option<(i64, Vec<String>, Vec<String>)> = None;
    let mut previous_block = None;
    let flush = |columns: &mut Option<(i64, Vec<String>, Vec<String>)>, out: &mut Vec<String>| {
        if let Some((_, left, right)) = columns.take() {
            out.extend(left);
            out.extend(right);
        }
    };
    for line in lines {
        if previous_block.is_some_and(|b| b != line.block) {
            flush(&mut columns, &mut out);
            out.push(String::new());
        }
        previous_block = Some(line.block);
        match (line.gaps.as_slice(), columns.as_mut()) {
            ([gap], _) => {
                let (_, left, right) =
                    columns.get_or_insert_with(|| (*gap, Vec::new(), Vec::new()));
                left.extend(line.segments.first().cloned());
                right.extend(line.segments.get(1).cloned());
            }
            ([], Some((split, _, right))) if line.left > *split => {
                right.push(line.segments.concat());
            }
            ([], Some((split, left, _))) if line.right < *split => {
                left.push(line.segments.concat());
            }
            _ => {
                flush(&mut columns, &mut out);
                out.push(line.segments.join("\t"));
            }
        }
    }
    flush(&mut columns, &mut out);
    let mut text = out.join("\n");
    text.push('\n');
    text
}

/// A reading of an image and how it was made.
#[derive(Debug, Clone)]
pub struct OcrReading {
    /// The text read.
    pub text: String,
    /// Whether the text came from a deskewed or contrast-stretched copy of the image.
    pub cleaned: bool,
}

/// Skew below this many degrees is left alone.
const MIN_SKEW_DEGREES: f64 = 0.5;

/// The skew of the first frame in degrees, measured by ImageMagick on a quarter-size copy; `None`
/// when ImageMagick is not installed or cannot read the image.
fn skew_angle(job: &Job<'_>, image: &str) -> Result<Option<f64>, ParseError> {
    let first_frame = format!("{image}[0]");
    let measured = job.run(
        "convert",
        &[
            &first_frame,
            "-colorspace",
            "Gray",
            "-resize",
            "25%",
            "-deskew",
            "40%",
            "-format",
            "%[deskew:angle]",
            "info:",
        ],
    );
    match measured {
        Ok(finished) if finished.success => Ok(finished
            .stdout
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|a| a.is_finite())),
        Ok(_) | Err(ParseError::ToolUnavailable(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Writes a grey copy of the image, rotated by `angle` degrees and contrast-stretched; `None` when
/// ImageMagick is not installed or fails.
fn cleaned_copy(job: &Job<'_>, image: &str, angle: f64) -> Result<Option<String>, ParseError> {
    let multi_frame = image.ends_with(".tif") || image.ends_with(".tiff");
    let name = format!("{image}.clean.{}", if multi_frame { "tif" } else { "pgm" });
    let angle = format!("{angle:.3}");
    let converted = job.run(
        "convert",
        &[
            image,
            "-colorspace",
            "Gray",
            "-background",
            "white",
            "-rotate",
            &angle,
            "+repage",
            "-normalize",
            &name,
        ],
    );
    match converted {
        Ok(finished) if finished.success => Ok(Some(name)),
        Ok(_) | Err(ParseError::ToolUnavailable(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Reads an image: a skewed image is first straightened; when the reading is still poor, the
/// other copy (original or cleaned) is read too and the reading with the higher
/// [`TextQuality::value`] kept.
pub fn read_image(job: &Job<'_>, image: &str) -> Result<OcrReading, ParseError> {
    let angle = skew_angle(job, image)?;
    let straightened = match angle {
        Some(a) if a.abs() >= MIN_SKEW_DEGREES => cleaned_copy(job, image, a)?,
        _ => None,
    };
    let first_name = straightened.as_deref().unwrap_or(image);
    let first = OcrReading {
        text: tesseract(job, first_name)?,
        cleaned: straightened.is_some(),
    };
    let first_quality = TextQuality::of(&first.text);
    if first_quality.score() >= RETRY_BELOW {
        return Ok(first);
    }
    let second = if straightened.is_some() {
        Some(OcrReading {
            text: tesseract(job, image)?,
            cleaned: false,
        })
    } else {
        match cleaned_copy(job, image, 0.0)? {
            Some(name) => Some(OcrReading {
                text: tesseract(job, &name)?,
                cleaned: true,
            }),
            None => None,
        }
    };
    Ok(match second {
        Some(second) if TextQuality::of(&second.text).value() > first_quality.value() => second,
        _ => first,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(page: u32, block: u32, line: u32, left: i64, text: &str) -> String {
        let width = 30 * text.chars().count() as i64;
        format!("5\t{page}\t{block}\t1\t{line}\t1\t{left}\t100\t{width}\t40\t95\t{text}")
    }

    #[test]
    fn reads_two_column_headings_column_by_column() {
        let mut tsv = vec!["level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext".to_string()];
        tsv.push(row(1, 1, 1, 100, "BỘ"));
        tsv.push(row(1, 1, 1, 200, "Y"));
        tsv.push(row(1, 1, 1, 1200, "CỘNG"));
        tsv.push(row(1, 1, 1, 1400, "HÒA"));
        tsv.push(row(1, 1, 2, 100, "Số:"));
        tsv.push(row(1, 1, 2, 1200, "Độc"));
        tsv.push(row(1, 1, 3, 1300, "Hà"));
        tsv.push(row(1, 2, 1, 100, "THÔNG"));
        tsv.push(row(1, 2, 1, 300, "BÁO"));
        tsv.push(row(1, 3, 1, 100, "1"));
        tsv.push(row(1, 3, 1, 600, "Sở"));
        tsv.push(row(1, 3, 1, 1500, "30/6"));
        tsv.push(row(2, 1, 1, 100, "Trang"));
        tsv.push("5\t2\t1\t1\tx\t1".to_string());
        let text = text_from_tsv(&tsv.join("\n"));
        assert_eq!(
            text,
            "BỘ Y\nSố:\nCỘNG HÒA\nĐộc\nHà\n\nTHÔNG BÁO\n\n1\tSở\t30/6\n\u{0C}Trang\n"
        );
    }
}
