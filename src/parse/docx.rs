//! Word (.docx) files: the text of the page headers and the body, paragraphs one per line, table
//! rows one per line with cells separated by tabs (a row whose cells hold several paragraphs, such as
//! the two-column heading of a directive, is read cell by cell). Runs in legacy Vietnamese fonts
//! (".VnTime" = TCVN3, "VNI-Times" = VNI) are converted to Unicode.

use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};

use super::ParseError;
use super::encoding::{TextEncoding, convert_legacy_font_text};

/// The legacy encoding a font name implies, and whether the font shows only capitals.
fn legacy_font(name: &str) -> Option<(TextEncoding, bool)> {
    let lower = name.trim().to_ascii_lowercase();
    if lower.starts_with(".vn") {
        // ".VnTimeH", ".VnArialH": upper-case fonts drawing the lower-case codes as capitals.
        Some((TextEncoding::Tcvn3, lower.ends_with('h')))
    } else if lower.starts_with("vni-") || lower.starts_with("vni ") {
        Some((TextEncoding::Vni, false))
    } else {
        None
    }
}

/// Reads one part of the package, refusing parts that unpack beyond `max_unpacked`.
pub(super) fn read_part(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    max_unpacked: u64,
) -> Result<Option<String>, ParseError> {
    let mut file = match archive.by_name(name) {
        Ok(file) => file,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(zip::result::ZipError::UnsupportedArchive(msg)) if msg.contains("ncrypt") => {
            return Err(ParseError::Encrypted);
        }
        Err(e) => return Err(ParseError::Corrupt(format!("docx: {e}"))),
    };
    if file.encrypted() {
        return Err(ParseError::Encrypted);
    }
    if file.size() > max_unpacked {
        return Err(ParseError::Corrupt(format!(
            "docx: {name} unpacks to {} bytes, more than the limit of {max_unpacked}",
            file.size()
        )));
    }
    let mut bytes = Vec::new();
    (&mut file)
        .take(max_unpacked.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| ParseError::Corrupt(format!("docx: {name}: {e}")))?;
    if bytes.len() as u64 > max_unpacked {
        return Err(ParseError::Corrupt(format!(
            "docx: {name} unpacks to more than {max_unpacked} bytes"
        )));
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| ParseError::Corrupt(format!("docx: {name} is not UTF-8 XML")))
}

/// Whether a zip archive is a Word document.
pub fn is_docx(bytes: &[u8]) -> Result<bool, ParseError> {
    let archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ParseError::Corrupt(format!("zip: {e}")))?;
    Ok(archive.index_for_name("word/document.xml").is_some())
}

/// Reads the text of a .docx file.
pub fn read_docx(bytes: &[u8], max_unpacked: u64) -> Result<String, ParseError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ParseError::Corrupt(format!("zip: {e}")))?;
    let default_font = match read_part(&mut archive, "word/styles.xml", max_unpacked)? {
        Some(styles) => default_font(&styles),
        None => None,
    };
    let mut header_names: Vec<String> = archive
        .file_names()
        .flatten()
        .filter(|n| n.starts_with("word/header") && n.ends_with(".xml"))
        .map(|n| n.into_owned())
        .collect();
    header_names.sort();
    let mut text = String::new();
    for name in header_names {
        if let Some(xml) = read_part(&mut archive, &name, max_unpacked)? {
            text.push_str(&part_text(&xml, default_font.as_deref())?);
        }
    }
    let body = read_part(&mut archive, "word/document.xml", max_unpacked)?
        .ok_or_else(|| ParseError::Corrupt("docx: no word/document.xml".into()))?;
    text.push_str(&part_text(&body, default_font.as_deref())?);
    Ok(text)
}

/// The value of attribute `local` (any prefix) of an element.
pub(super) fn attribute(element: &BytesStart<'_>, local: &str) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

/// The document's default font: the first `w:rFonts w:ascii` of the default paragraph style, else
/// of the document defaults.
fn default_font(styles: &str) -> Option<String> {
    let mut reader = quick_xml::Reader::from_str(styles);
    let mut in_defaults = false;
    let mut in_default_style = false;
    let mut from_defaults = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                "docDefaults" => in_defaults = true,
                "style" => {
                    in_default_style = attribute(&e, "default").as_deref() == Some("1")
                        && attribute(&e, "type").as_deref() == Some("paragraph");
                }
                _ => {}
            },
            Ok(Event::Empty(e)) if e.local_name().as_ref() == "rFonts" => {
                let font = attribute(&e, "ascii").or_else(|| attribute(&e, "hAnsi"));
                if in_default_style && font.is_some() {
                    return font;
                }
                if in_defaults && from_defaults.is_none() {
                    from_defaults = font;
                }
            }
            Ok(Event::End(e)) => match e.local_name().as_ref() {
                "docDefaults" => in_defaults = false,
                "style" => in_default_style = false,
                _ => {}
            },
            Ok(Event::Eof) | Err(_) => return from_defaults,
            Ok(_) => {}
        }
    }
}

/// One open table: the cells of its current row, each a list of paragraphs.
#[derive(Default)]
pub(super) struct Table {
    pub(super) row: Vec<Vec<String>>,
}

/// Collects the lines of one XML part.
#[derive(Default)]
pub(super) struct Collector {
    pub(super) out: String,
    pub(super) tables: Vec<Table>,
    /// Open paragraphs (text boxes put paragraphs inside paragraphs).
    pub(super) paragraphs: Vec<String>,
    run: String,
    run_font: Option<String>,
    in_text: bool,
    in_run: bool,
    /// Depth inside content to skip (deleted text, field codes, fallback copies).
    skip: usize,
}

impl Collector {
    /// Appends a finished line where it belongs: the current table cell or the output.
    pub(super) fn emit_line(&mut self, line: String) {
        if let Some(cell) = self.tables.last_mut().and_then(|t| t.row.last_mut()) {
            cell.push(line);
        } else {
            self.out.push_str(line.trim_end());
            self.out.push('\n');
        }
    }

    fn push_text(&mut self, text: &str) {
        if self.skip > 0 {
            return;
        }
        let separator = text.chars().all(|c| c == '\t' || c == '\n');
        if self.in_text || (self.in_run && separator) {
            self.run.push_str(text);
        } else if separator && let Some(p) = self.paragraphs.last_mut() {
            p.push_str(text);
        }
    }

    fn end_run(&mut self, default_font: Option<&str>) {
        let run = std::mem::take(&mut self.run);
        let font = self.run_font.take();
        let converted = match font.as_deref().or(default_font).and_then(legacy_font) {
            Some((encoding, capitals)) => {
                let text = convert_legacy_font_text(&run, encoding);
                if capitals { text.to_uppercase() } else { text }
            }
            None => run,
        };
        if let Some(p) = self.paragraphs.last_mut() {
            p.push_str(&converted);
        } else {
            self.out.push_str(&converted);
        }
    }

    /// Emits the finished table row.
    pub(super) fn end_row(&mut self) {
        let Some(table) = self.tables.last_mut() else {
            return;
        };
        let cells = std::mem::take(&mut table.row);
        let single_lines = cells.iter().all(|c| c.len() <= 1);
        if single_lines {
            let line = cells
                .iter()
                .map(|c| c.first().map(|s| s.trim()).unwrap_or_default())
                .collect::<Vec<_>>()
                .join("\t");
            self.emit_line(line);
        } else {
            for line in cells.into_iter().flatten() {
                self.emit_line(line);
            }
        }
    }
}

/// The text of one WordprocessingML part.
fn part_text(xml: &str, default_font: Option<&str>) -> Result<String, ParseError> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut c = Collector::default();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| ParseError::Corrupt(format!("docx XML: {e}")))?;
        match event {
            Event::Start(e) => match e.local_name().as_ref() {
                "delText" | "instrText" | "Fallback" => c.skip += 1,
                _ if c.skip > 0 => {}
                "p" => c.paragraphs.push(String::new()),
                "r" => {
                    c.in_run = true;
                    c.run.clear();
                    c.run_font = None;
                }
                "t" => c.in_text = true,
                "tbl" => c.tables.push(Table::default()),
                "tc" => {
                    if let Some(t) = c.tables.last_mut() {
                        t.row.push(Vec::new());
                    }
                }
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                _ if c.skip > 0 => {}
                "rFonts" => {
                    c.run_font = attribute(&e, "ascii").or_else(|| attribute(&e, "hAnsi"));
                }
                "tab" => c.push_text("\t"),
                "br" | "cr" => c.push_text("\n"),
                "noBreakHyphen" => {
                    if let Some(p) = c.paragraphs.last_mut() {
                        p.push('-');
                    }
                }
                "p" => c.emit_line(String::new()),
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "delText" | "instrText" | "Fallback" => c.skip = c.skip.saturating_sub(1),
                _ if c.skip > 0 => {}
                "t" => c.in_text = false,
                "r" => {
                    c.in_run = false;
                    c.end_run(default_font);
                }
                "p" => {
                    if let Some(p) = c.paragraphs.pop() {
                        c.emit_line(p);
                    }
                }
                "tr" => c.end_row(),
                "tbl" => {
                    c.tables.pop();
                }
                _ => {}
            },
            Event::Text(t) if c.in_text => {
                let text = t.xml10_content();
                c.push_text(&text);
            }
            Event::CData(t) if c.in_text => {
                let text = t.xml10_content();
                c.push_text(&text);
            }
            Event::GeneralRef(r) if c.in_text => {
                if let Some(ch) = super::xml_reference(&r) {
                    c.push_text(ch.encode_utf8(&mut [0u8; 4]));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(c.out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;

    /// Builds a .docx package from a document body (the inside of `w:body`) and optional styles.
    pub(crate) fn build_docx(body: &str, header: Option<&str>) -> Vec<u8> {
        let mut buf = Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut buf);
            let options = zip::write::SimpleFileOptions::default();
            let ns = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;
            let mut parts = vec![
                (
                    "[Content_Types].xml".to_string(),
                    r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#.to_string(),
                ),
                (
                    "word/document.xml".to_string(),
                    format!(r#"<?xml version="1.0" encoding="UTF-8"?><w:document {ns}><w:body>{body}</w:body></w:document>"#),
                ),
            ];
            if let Some(h) = header {
                parts.push((
                    "word/header1.xml".to_string(),
                    format!(r#"<?xml version="1.0"?><w:hdr {ns}>{h}</w:hdr>"#),
                ));
            }
            for (name, content) in parts {
                if zip.start_file(name, options).is_err()
                    || zip.write_all(content.as_bytes()).is_err()
                {
                    return Vec::new();
                }
            }
            let _ = zip.finish();
        }
        buf.into_inner()
    }

    /// A paragraph of one run.
    pub(crate) fn para(text: &str) -> String {
        format!("<w:p><w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>")
    }

    #[test]
    fn reads_paragraphs_tables_headers_and_legacy_fonts() -> Result<(), ParseError> {
        let heading = format!(
            "<w:tbl><w:tr><w:tc>{}{}</w:tc><w:tc>{}{}</w:tc></w:tr></w:tbl>",
            para("BỘ Y TẾ"),
            para("Số: 12/BYT-KH"),
            para("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
            para("Độc lập - Tự do - Hạnh phúc"),
        );
        let tasks = format!(
            "<w:tbl><w:tr><w:tc>{}</w:tc><w:tc>{}</w:tc></w:tr></w:tbl>",
            para("1"),
            para("Sở Y tế &amp; Sở Tài chính"),
        );
        let legacy = r#"<w:p><w:r><w:rPr><w:rFonts w:ascii=".VnTime" w:hAnsi=".VnTime"/></w:rPr><w:t>Th«ng b¸o kÕt luËn</w:t></w:r><w:r><w:t xml:space="preserve"> và </w:t></w:r><w:r><w:rPr><w:rFonts w:ascii="VNI-Times"/></w:rPr><w:t>Keá hoaïch</w:t></w:r><w:r><w:rPr><w:rFonts w:ascii=".VnTimeH"/></w:rPr><w:t xml:space="preserve"> ñy ban</w:t></w:r></w:p>"#;
        let deleted = "<w:p><w:r><w:delText>xóa</w:delText></w:r><w:r><w:t>giữ</w:t><w:tab/><w:t>lại</w:t></w:r></w:p>";
        let body = format!("{heading}{tasks}{legacy}{deleted}");
        let bytes = build_docx(&body, Some(&para("Văn phòng Chính phủ")));
        let text = read_docx(&bytes, 1 << 20)?;
        assert_eq!(
            text,
            "Văn phòng Chính phủ\nBỘ Y TẾ\nSố: 12/BYT-KH\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\
             Độc lập - Tự do - Hạnh phúc\n1\tSở Y tế & Sở Tài chính\n\
             Thông báo kết luận và Kế hoạch ỦY BAN\ngiữ\tlại\n"
        );
        Ok(())
    }

    #[test]
    fn refuses_broken_packages() {
        let bytes = build_docx(&para("Kính gửi"), None);
        for cut in [10, bytes.len() / 2, bytes.len() - 5] {
            let truncated = bytes.get(..cut).unwrap_or_default();
            assert!(matches!(
                read_docx(truncated, 1 << 20),
                Err(ParseError::Corrupt(_))
            ));
        }
        let unclosed = build_docx("<w:p><w:r><w:t>Kính gửi</w:t></w:r></w:x>", None);
        assert!(matches!(
            read_docx(&unclosed, 1 << 20),
            Err(ParseError::Corrupt(_))
        ));
        assert!(matches!(read_docx(&bytes, 10), Err(ParseError::Corrupt(_))));
    }
}
