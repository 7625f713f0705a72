//! OpenDocument text (.odt) files: the text of content.xml, paragraphs and headings one per line,
//! tables as in [`super::docx`] (a row of one-paragraph cells on one line, cells separated by tabs;
//! otherwise cell by cell).

use std::io::Cursor;

use quick_xml::events::Event;

use super::ParseError;
use super::docx::{Collector, Table, attribute, read_part};

/// Whether a zip archive is an OpenDocument text.
pub fn is_odt(bytes: &[u8]) -> Result<bool, ParseError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ParseError::Corrupt(format!("zip: {e}")))?;
    let mimetype = read_part(&mut archive, "mimetype", 1024)?;
    Ok(mimetype.as_deref().map(str::trim) == Some("application/vnd.oasis.opendocument.text"))
}

/// Reads the text of an .odt file.
pub fn read_odt(bytes: &[u8], max_unpacked: u64) -> Result<String, ParseError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ParseError::Corrupt(format!("zip: {e}")))?;
    if archive.index_for_name("META-INF/manifest.xml").is_some() {
        let manifest = read_part(&mut archive, "META-INF/manifest.xml", max_unpacked)?;
        if manifest.is_some_and(|m| m.contains("encryption-data")) {
            return Err(ParseError::Encrypted);
        }
    }
    let content = read_part(&mut archive, "content.xml", max_unpacked)?
        .ok_or_else(|| ParseError::Corrupt("odt: no content.xml".into()))?;
    content_text(&content)
}

/// The text of content.xml.
fn content_text(xml: &str) -> Result<String, ParseError> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut c = Collector::default();
    // Depth inside elements whose text is not part of the body (notes, annotations).
    let mut skip = 0usize;
    let push = |c: &mut Collector, text: &str| {
        if let Some(p) = c.paragraphs.last_mut() {
            p.push_str(text);
        }
    };
    loop {
        let event = reader
            .read_event()
            .map_err(|e| ParseError::Corrupt(format!("odt XML: {e}")))?;
        match event {
            Event::Start(e) => match e.name().as_ref() {
                "office:annotation" | "text:note" | "text:tracked-changes" => skip += 1,
                _ if skip > 0 => {}
                "text:p" | "text:h" => c.paragraphs.push(String::new()),
                "table:table" => c.tables.push(Table::default()),
                "table:table-cell" | "table:covered-table-cell" => {
                    if let Some(t) = c.tables.last_mut() {
                        t.row.push(Vec::new());
                    }
                }
                _ => {}
            },
            Event::Empty(e) => match e.name().as_ref() {
                _ if skip > 0 => {}
                "text:s" => {
                    let count = attribute(&e, "c")
                        .and_then(|n| n.parse::<usize>().ok())
                        .unwrap_or(1)
                        .min(100);
                    push(&mut c, &" ".repeat(count));
                }
                "text:tab" => push(&mut c, "\t"),
                "text:line-break" => push(&mut c, "\n"),
                "text:p" | "text:h" => c.emit_line(String::new()),
                "table:table-cell" | "table:covered-table-cell" => {
                    if let Some(t) = c.tables.last_mut() {
                        t.row.push(Vec::new());
                    }
                }
                _ => {}
            },
            Event::End(e) => match e.name().as_ref() {
                "office:annotation" | "text:note" | "text:tracked-changes" => {
                    skip = skip.saturating_sub(1);
                }
                _ if skip > 0 => {}
                "text:p" | "text:h" => {
                    if let Some(p) = c.paragraphs.pop() {
                        c.emit_line(p);
                    }
                }
                "table:table-row" => c.end_row(),
                "table:table" => {
                    c.tables.pop();
                }
                _ => {}
            },
            Event::Text(t) if skip == 0 => push(&mut c, &t.xml10_content()),
            Event::CData(t) if skip == 0 => push(&mut c, &t.xml10_content()),
            Event::GeneralRef(r) if skip == 0 => {
                if let Some(ch) = super::xml_reference(&r) {
                    push(&mut c, ch.encode_utf8(&mut [0u8; 4]));
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

    /// Builds an .odt package around an `office:text` body.
    pub(crate) fn build_odt(body: &str) -> Vec<u8> {
        let mut buf = Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut buf);
            let stored = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored);
            let content = format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body><office:text>{body}</office:text></office:body></office:document-content>"#
            );
            for (name, text) in [
                ("mimetype", "application/vnd.oasis.opendocument.text"),
                ("content.xml", content.as_str()),
            ] {
                if zip.start_file(name, stored).is_err() || zip.write_all(text.as_bytes()).is_err()
                {
                    return Vec::new();
                }
            }
            let _ = zip.finish();
        }
        buf.into_inner()
    }

    #[test]
    fn reads_paragraphs_tables_and_spaces() -> Result<(), ParseError> {
        let body = "<text:h>THÔNG BÁO</text:h>\
            <table:table><table:table-row>\
            <table:table-cell><text:p>BỘ Y TẾ</text:p><text:p>Số: 12/BYT</text:p></table:table-cell>\
            <table:table-cell><text:p>CỘNG HÒA</text:p></table:table-cell>\
            </table:table-row><table:table-row>\
            <table:table-cell><text:p>1</text:p></table:table-cell>\
            <table:table-cell><text:p>Sở Y tế &amp; Sở Tài chính</text:p></table:table-cell>\
            </table:table-row></table:table>\
            <text:p>Kính<text:s text:c=\"2\"/>gửi<text:tab/>các<text:note><text:p>chú thích</text:p></text:note> <text:span>đơn vị</text:span></text:p>";
        let odt = build_odt(body);
        assert!(is_odt(&odt)?);
        assert_eq!(
            read_odt(&odt, 1 << 20)?,
            "THÔNG BÁO\nBỘ Y TẾ\nSố: 12/BYT\nCỘNG HÒA\n1\tSở Y tế & Sở Tài chính\nKính  gửi\tcác đơn vị\n"
        );
        Ok(())
    }
}
