//! The incoming register ("Sổ đăng ký văn bản đến", Decree 30/2020/NĐ-CP, Appendix IV): every
//! registered directive gets an incoming number ("số đến") in a sequence per office and per year.
//!
//! Numbers are given by [`register_directive`] in the transaction that stores the directive: it first
//! increments the office's counter row for the year (`register_counters`), which makes concurrent
//! registrations of the same office and year queue behind each other (SQLite already serialises
//! writers with `BEGIN IMMEDIATE`; on PostgreSQL the row lock of the `UPDATE` does it). A registration
//! that fails rolls back its increment with everything else, so the sequence has no gaps, and the
//! `UNIQUE (office, year, number)` constraint guards against repeats. Because the duplicate check
//! runs after the counter row is locked, two clerks registering the same document at once cannot
//! both pass it.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::directives::{self, NewDirective};
use super::schema::{documents, register_counters, register_entries};
use super::{DbBackend, DbConnection, StoreError, audit, now};

/// One line of the incoming register.
#[derive(
    Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, utoipa::ToSchema,
)]
#[diesel(table_name = register_entries)]
pub struct RegisterEntry {
    /// Entry id.
    pub id: i64,
    /// The office whose register it is.
    pub office: String,
    /// The year of the sequence.
    pub year: i32,
    /// Incoming number ("số đến"), from 1 each year.
    pub number: i64,
    /// The registered directive.
    pub directive_id: i64,
    /// Day received ("ngày đến"), Vietnamese local day.
    pub received_on: NaiveDate,
    /// Moment of registration (UTC).
    pub received_at: NaiveDateTime,
    /// Issuing body of the document ("tác giả").
    pub issuer: Option<String>,
    /// The document's own number and code ("số, ký hiệu").
    pub doc_number: Option<String>,
    /// The document's date ("ngày tháng").
    pub doc_date: Option<NaiveDate>,
    /// Kind of document ("tên loại").
    pub kind: Option<String>,
    /// Summary ("trích yếu nội dung").
    pub summary: Option<String>,
    /// The unit or person it was passed to ("đơn vị hoặc người nhận").
    pub recipient: Option<String>,
    /// Remarks ("ghi chú"), including why an entry was cancelled.
    pub remarks: Option<String>,
    /// Who registered it.
    pub registered_by: String,
    /// When the entry was cancelled (UTC); a cancelled entry keeps its number.
    pub cancelled_at: Option<NaiveDateTime>,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
}

impl RegisterEntry {
    /// The number as clerks write it: `12/2026`.
    pub fn label(&self) -> String {
        format!("{}/{}", self.number, self.year)
    }

    /// Kind and summary together ("tên loại và trích yếu nội dung").
    pub fn kind_and_summary(&self) -> String {
        match (&self.kind, &self.summary) {
            (Some(kind), Some(summary)) => format!("{kind}: {summary}"),
            (Some(one), None) | (None, Some(one)) => one.clone(),
            (None, None) => String::new(),
        }
    }
}

/// Why a registration was taken for a second copy of a registered document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateReason {
    /// A document with the same number, issuer and date is already registered (also when one of
    /// the two forwards the other).
    SameDocument,
    /// The same text is already registered (white space aside).
    SameText,
}

/// A registered entry that a new registration duplicates.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Duplicate {
    /// The entry already in the register.
    pub existing: RegisterEntry,
    /// What matched.
    pub reason: DuplicateReason,
}

/// How a directive is entered in the register.
#[derive(Debug, Clone, Default)]
pub struct EntryOptions<'a> {
    /// The office whose register it goes in.
    pub office: &'a str,
    /// Register it even when it duplicates an entry (the clerk has confirmed); the entry's remarks
    /// then name the earlier entry.
    pub confirm_duplicate: bool,
    /// The unit or person it is passed to; by default the lead agencies of its tasks.
    pub recipient: Option<&'a str>,
    /// Remarks to start the entry with.
    pub remarks: Option<&'a str>,
}

/// SHA-256 of a text with white space collapsed: the same text compares equal however it was laid
/// out or which file it came in.
pub fn text_checksum(text: &str) -> String {
    let mut hasher = Sha256::new();
    for (i, word) in text.split_whitespace().enumerate() {
        if i > 0 {
            hasher.update(b" ");
        }
        hasher.update(word.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Gives the next number of `office` in `year`, locking the counter row until the transaction ends.
pub fn next_number(conn: &mut DbConnection, office: &str, year: i32) -> Result<i64, StoreError> {
    let values = (
        register_counters::office.eq(office),
        register_counters::year.eq(year),
        register_counters::last_number.eq(0i64),
    );
    per_backend!(conn, c => diesel::insert_into(register_counters::table)
        .values(values)
        .on_conflict((register_counters::office, register_counters::year))
        .do_nothing()
        .execute(c)?);
    let number: i64 = diesel::update(
        register_counters::table
            .filter(register_counters::office.eq(office))
            .filter(register_counters::year.eq(year)),
    )
    .set(register_counters::last_number.eq(register_counters::last_number + 1))
    .returning(register_counters::last_number)
    .get_result(conn)?;
    Ok(number)
}

/// Folds a name for comparison: marks, case and spacing aside.
fn comparable(name: &str) -> String {
    crate::text::fold(name)
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first live (not cancelled) entry that the directive `new` would duplicate: one of its
/// documents has the number, issuer and date of a document of a registered directive, or its text is
/// a registered text.
pub fn find_duplicate(
    conn: &mut DbConnection,
    new: &NewDirective<'_>,
) -> Result<Option<Duplicate>, StoreError> {
    for doc in &new.extraction.documents {
        let Some(number) = doc
            .number
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        else {
            continue;
        };
        if doc.issuer.is_none() && doc.issued_on.is_none() {
            continue;
        }
        let candidates: Vec<(i64, Option<String>, Option<NaiveDate>)> = register_entries::table
            .inner_join(
                documents::table.on(documents::directive_id.eq(register_entries::directive_id)),
            )
            .filter(register_entries::cancelled_at.is_null())
            .filter(documents::number.eq(number))
            .order(register_entries::id.asc())
            .select((
                register_entries::id,
                documents::issuer,
                documents::issued_on,
            ))
            .load(conn)?;
        let issuer = doc.issuer.as_deref().map(comparable);
        for (entry_id, their_issuer, their_date) in candidates {
            if their_issuer.as_deref().map(comparable) == issuer && their_date == doc.issued_on {
                return Ok(Some(Duplicate {
                    existing: get(conn, entry_id)?,
                    reason: DuplicateReason::SameDocument,
                }));
            }
        }
    }
    let checksum = text_checksum(new.repaired_text);
    let same_text = register_entries::table
        .filter(register_entries::cancelled_at.is_null())
        .filter(register_entries::text_checksum.eq(&checksum))
        .order(register_entries::id.asc())
        .select(RegisterEntry::as_select())
        .first(conn)
        .optional()?;
    Ok(same_text.map(|existing| Duplicate {
        existing,
        reason: DuplicateReason::SameText,
    }))
}

/// Stores a directive and enters it in the register, in the caller's transaction: the number is
/// taken first (see the module notes), then duplicates are looked for, then the directive and its
/// entry are written with their audit records. Returns the directive id and the entry.
///
/// A duplicate is refused with [`StoreError::Duplicate`] unless `options.confirm_duplicate`.
pub fn register_directive(
    conn: &mut DbConnection,
    new: &NewDirective<'_>,
    options: &EntryOptions<'_>,
) -> Result<(i64, RegisterEntry), StoreError> {
    let stamp = now();
    let received_on = crate::tracker::local_day(stamp);
    let year = received_on.year();
    let number = next_number(conn, options.office, year)?;
    let duplicate = find_duplicate(conn, new)?;
    let mut remarks: Vec<String> = options
        .remarks
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .into_iter()
        .collect();
    let duplicate_of = duplicate.as_ref().map(|d| d.existing.id);
    if let Some(duplicate) = duplicate {
        if !options.confirm_duplicate {
            return Err(StoreError::Duplicate(Box::new(duplicate)));
        }
        remarks.push(format!(
            "Trùng với văn bản đã vào sổ số đến {}, vào sổ lại theo xác nhận của văn thư",
            duplicate.existing.label()
        ));
    }
    let directive_id = directives::insert(conn, new)?;
    let first = new.extraction.documents.first();
    let recipient = match options.recipient.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => Some(r.to_string()),
        None => {
            let mut leads: Vec<&str> = Vec::new();
            for task in new.extraction.documents.iter().flat_map(|d| &d.tasks) {
                for lead in &task.lead {
                    if !leads.contains(&lead.as_str()) {
                        leads.push(lead);
                    }
                }
            }
            (!leads.is_empty()).then(|| leads.join("; "))
        }
    };
    let entry_id: i64 = diesel::insert_into(register_entries::table)
        .values((
            register_entries::office.eq(options.office),
            register_entries::year.eq(year),
            register_entries::number.eq(number),
            register_entries::directive_id.eq(directive_id),
            register_entries::received_on.eq(received_on),
            register_entries::received_at.eq(stamp),
            register_entries::issuer.eq(first.and_then(|d| d.issuer.clone())),
            register_entries::doc_number.eq(first.and_then(|d| d.number.clone())),
            register_entries::doc_date.eq(first.and_then(|d| d.issued_on)),
            register_entries::kind.eq(first.and_then(|d| d.kind.clone())),
            register_entries::summary.eq(first.and_then(|d| d.subject.clone())),
            register_entries::recipient.eq(recipient),
            register_entries::remarks.eq((!remarks.is_empty()).then(|| remarks.join("; "))),
            register_entries::text_checksum.eq(text_checksum(new.repaired_text)),
            register_entries::registered_by.eq(new.actor),
        ))
        .returning(register_entries::id)
        .get_result(conn)?;
    let entry = get(conn, entry_id)?;
    audit::record(
        conn,
        new.actor,
        "register.enter",
        "register_entry",
        Some(entry_id),
        serde_json::json!({
            "office": entry.office,
            "year": entry.year,
            "number": entry.number,
            "directive_id": directive_id,
            "duplicate_of": duplicate_of,
        }),
    )?;
    Ok((directive_id, entry))
}

/// One entry.
pub fn get(conn: &mut DbConnection, id: i64) -> Result<RegisterEntry, StoreError> {
    register_entries::table
        .find(id)
        .select(RegisterEntry::as_select())
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound {
            entity: "register entry",
            id,
        })
}

/// The entry of a directive, if it was entered in the register.
pub fn for_directive(
    conn: &mut DbConnection,
    directive_id: i64,
) -> Result<Option<RegisterEntry>, StoreError> {
    Ok(register_entries::table
        .filter(register_entries::directive_id.eq(directive_id))
        .select(RegisterEntry::as_select())
        .first(conn)
        .optional()?)
}

/// The entry numbered `number` in `office`'s register of `year`.
pub fn find(
    conn: &mut DbConnection,
    office: &str,
    year: i32,
    number: i64,
) -> Result<Option<RegisterEntry>, StoreError> {
    Ok(register_entries::table
        .filter(register_entries::office.eq(office))
        .filter(register_entries::year.eq(year))
        .filter(register_entries::number.eq(number))
        .select(RegisterEntry::as_select())
        .first(conn)
        .optional()?)
}

/// Cancels an entry: it keeps its number, and its remarks say why. Audited. An entry cancelled
/// already cannot be cancelled again.
pub fn cancel(
    conn: &mut DbConnection,
    id: i64,
    reason: &str,
    actor: &str,
) -> Result<RegisterEntry, StoreError> {
    let before = get(conn, id)?;
    if before.cancelled_at.is_some() {
        return Err(StoreError::Conflict(format!(
            "register entry {} is already cancelled",
            before.label()
        )));
    }
    let reason = reason.trim();
    let note = format!("Đã hủy: {reason}");
    let remarks = match &before.remarks {
        Some(r) if !r.is_empty() => format!("{r}; {note}"),
        _ => note,
    };
    diesel::update(register_entries::table.find(id))
        .set((
            register_entries::cancelled_at.eq(Some(now())),
            register_entries::cancel_reason.eq(Some(reason)),
            register_entries::remarks.eq(Some(&remarks)),
        ))
        .execute(conn)?;
    let after = get(conn, id)?;
    audit::record(
        conn,
        actor,
        "register.cancel",
        "register_entry",
        Some(id),
        serde_json::json!({
            "office": after.office,
            "year": after.year,
            "number": after.number,
            "reason": reason,
        }),
    )?;
    Ok(after)
}

/// Which entries to list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct RegisterFilter {
    /// Only this office's register (default: every office).
    pub office: Option<String>,
    /// Only this year's sequence.
    pub year: Option<i32>,
    /// Only entries received on or after this day.
    pub from: Option<NaiveDate>,
    /// Only entries received on or before this day.
    pub to: Option<NaiveDate>,
    /// Leave out cancelled entries (they are listed by default, as the register shows them).
    #[serde(default)]
    pub live_only: bool,
    /// At most this many (default: all).
    pub limit: Option<i64>,
    /// Skip this many.
    pub offset: Option<i64>,
}

/// Entries in register order: office, year, number.
pub fn list(
    conn: &mut DbConnection,
    filter: &RegisterFilter,
) -> Result<Vec<RegisterEntry>, StoreError> {
    let mut query = register_entries::table.into_boxed::<DbBackend>();
    if let Some(office) = &filter.office {
        query = query.filter(register_entries::office.eq(office.clone()));
    }
    if let Some(year) = filter.year {
        query = query.filter(register_entries::year.eq(year));
    }
    if let Some(from) = filter.from {
        query = query.filter(register_entries::received_on.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(register_entries::received_on.le(to));
    }
    if filter.live_only {
        query = query.filter(register_entries::cancelled_at.is_null());
    }
    if let Some(limit) = filter.limit {
        query = query.limit(limit.max(0));
    }
    if let Some(offset) = filter.offset {
        query = query.offset(offset.max(0));
    }
    Ok(query
        .order((
            register_entries::office.asc(),
            register_entries::year.asc(),
            register_entries::number.asc(),
        ))
        .select(RegisterEntry::as_select())
        .load(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_checksum_ignores_layout_only() {
        assert_eq!(
            text_checksum("Số: 15/UBND\r\n  Giao Sở   Tư pháp"),
            text_checksum("Số: 15/UBND Giao Sở Tư pháp\n")
        );
        assert_ne!(
            text_checksum("Giao Sở Tư pháp"),
            text_checksum("Giao Sở Tài chính")
        );
    }

    #[test]
    fn issuers_compare_without_marks_case_or_spacing() {
        assert_eq!(
            comparable("ỦY BAN NHÂN DÂN  TỈNH Kiên Giang"),
            comparable("Ủy ban nhân dân tỉnh KIÊN GIANG")
        );
        assert_ne!(comparable("UBND tỉnh A"), comparable("UBND tỉnh B"));
    }
}
