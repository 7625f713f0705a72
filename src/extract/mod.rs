//! Reading directives: from the repaired text of a file to its documents (header, recipients,
//! cited documents, signer) and the tasks they assign (lead and supporting agencies, deadline).
//!
//! Pure functions, no I/O. Entry point: [`read_directive`].
//!
//! Conventions of the output:
//! - Agencies are given by canonical names from `dictionaries/agencies.tsv` (see [`agency`]);
//!   a provincial body carries its province ("Sở Thông tin và Truyền thông tỉnh Kiên Giang"),
//!   taken from the issuer of the document when the text says only "Sở ..." or "... tỉnh".
//!   Names not in the directory are kept as written (abbreviations expanded).
//! - The subject of a letter is its "V/v" text without the "V/v" prefix; otherwise the title
//!   lines under the kind, joined.
//! - Recipients are the "Kính gửi" addressees followed by the "Nơi nhận" ones, without "Như
//!   trên", archives ("Lưu"), the issuer's own units and leaders, and reports to superiors
//!   ("(để b/c)", the Prime Minister and Deputy Prime Ministers).
//! - A deadline naming a period is the period's last day; a recurring duty has `recurrence`
//!   set and, when a day is given ("trước ngày 20 hằng tháng"), its first occurrence after
//!   the document's date as `deadline`.
//! - Matching is done on folded text (no diacritics, lowercase), so unaccented or partly
//!   damaged text is read too; names and dates are then cut from the original text.

pub mod agency;
pub mod deadline;
pub mod folded;
pub mod header;
pub mod split;
pub mod tasks;

use chrono::NaiveDate;
use regex::Regex;
use serde::{Deserialize, Serialize};

pub use deadline::Recurrence;

/// Everything read from one file: the documents it holds, in order.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Extraction {
    /// The documents of the file (a forwarding letter comes before what it forwards).
    pub documents: Vec<Document>,
}

/// One administrative document (công văn, thông báo, quyết định, ...).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Document {
    /// Kind of document ("Thông báo", "Công văn", "Quyết định", ...).
    pub kind: Option<String>,
    /// Number and code, e.g. "299/TB-VPCP".
    pub number: Option<String>,
    /// Issuing body, full canonical name.
    pub issuer: Option<String>,
    /// Place of issue, e.g. "Hà Nội".
    pub place: Option<String>,
    /// Date of issue.
    pub issued_on: Option<NaiveDate>,
    /// Subject ("V/v ..." text without the prefix, or the title under the kind).
    pub subject: Option<String>,
    /// Addressees ("Kính gửi" and "Nơi nhận", internal distribution left out).
    pub recipients: Vec<String>,
    /// Documents cited in the text.
    pub references: Vec<Reference>,
    /// Name of the signer.
    pub signer: Option<String>,
    /// Tasks assigned by the document.
    pub tasks: Vec<Task>,
    /// The text of this document (Markdown emphasis markers removed).
    pub text: String,
    /// The body the issuer belongs to ("Ủy ban nhân dân tỉnh Kiên Giang" for its Văn phòng).
    pub parent_issuer: Option<String>,
    /// Signing capacity, e.g. "KT. CHÁNH VĂN PHÒNG" (the authority line of the signature block).
    pub signer_capacity: Option<String>,
    /// The signer's own position when it differs from the capacity, e.g. "PHÓ CHÁNH VĂN PHÒNG".
    pub signer_title: Option<String>,
}

/// A document cited by another.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Reference {
    /// Number and code, e.g. "60/TB-VPCP".
    pub number: String,
    /// Its date, when the citation gives it.
    pub issued_on: Option<NaiveDate>,
    /// Its kind when named ("Thông báo", "Nghị quyết", ...).
    pub kind: Option<String>,
}

/// A task assigned by a document.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Task {
    /// Agencies in charge ("chủ trì"); canonical names where known.
    pub lead: Vec<String>,
    /// Cooperating agencies ("phối hợp").
    pub support: Vec<String>,
    /// The text of the task.
    pub text: String,
    /// Due date (last day of the period named).
    pub deadline: Option<NaiveDate>,
    /// The words stating the deadline.
    pub deadline_text: Option<String>,
    /// Set for recurring duties ("hằng tháng").
    pub recurrence: Option<Recurrence>,
    /// Byte range of the task's text in the document's `text`.
    pub source: Option<[usize; 2]>,
}

/// Compiles a constant pattern of this module.
///
/// Every pattern passed here is a literal in the source, compiled once behind a `LazyLock`;
/// `every_pattern_compiles` tests force all of them, so a bad literal fails the test suite.
/// Word boundaries are ASCII ones (`(?-u:\b)`), which keeps matching in the fast DFA engines;
/// patterns run on folded text, which is ASCII apart from foreign letters.
pub(crate) fn re(pattern: &str) -> Regex {
    match Regex::new(&ascii_boundaries(pattern)) {
        Ok(r) => r,
        Err(e) => panic!("invalid constant pattern {pattern:?}: {e}"),
    }
}

/// Rewrites `\b` as an ASCII word boundary.
pub(crate) fn ascii_boundaries(pattern: &str) -> String {
    pattern.replace(r"\b", r"(?-u:\b)")
}

/// Reads a directive file: splits it into documents and reads each one.
pub fn read_directive(text: &str) -> Extraction {
    let cleaned = split::clean(text);
    let documents = split::split(&cleaned)
        .into_iter()
        .map(|(s, e)| read_document(cleaned.get(s..e).unwrap_or("")))
        .collect();
    Extraction { documents }
}

/// Reads one document (already split and cleaned).
pub fn read_document(text: &str) -> Document {
    let h = header::parse(text);
    let ctx = agency::Context {
        province: h.province.clone(),
        locality: h.locality.clone(),
    };
    let body = text.get(h.body_start..h.body_end).unwrap_or("");
    // "Quý cơ quan" means the bodies the letter is addressed to, not those sent a copy.
    let addressees = if h.addressees.is_empty() {
        &h.recipients
    } else {
        &h.addressees
    };
    let mut tasks = tasks::find_tasks(body, &ctx, h.issued_on, addressees);
    for t in &mut tasks {
        if let Some([s, e]) = t.source {
            t.source = Some([s + h.body_start, e + h.body_start]);
        }
    }
    if let Some(a) = h.attachment_start {
        let attachment = text.get(a..).unwrap_or("");
        for mut t in tasks::find_tasks(attachment, &ctx, h.issued_on, addressees) {
            if let Some([s, e]) = t.source {
                t.source = Some([s + a, e + a]);
            }
            tasks.push(t);
        }
    }
    Document {
        kind: h.kind,
        number: h.number,
        issuer: h.issuer,
        place: h.place,
        issued_on: h.issued_on,
        subject: h.subject,
        recipients: h.recipients,
        references: h.references,
        signer: h.signer,
        tasks,
        text: text.to_string(),
        parent_issuer: h.parent_issuer,
        signer_capacity: h.signer_capacity,
        signer_title: h.signer_title,
    }
}

#[cfg(test)]
mod tests;
