//! Directives as registered: the original file, its text before and after repair, the documents read
//! from it and their tasks.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::access::Scope;
use super::schema::{directives, documents, files, tasks};
use super::tasks::{TaskStatus, TaskView, for_directive, queue_reindex, set_agencies};
use super::{DbBackend, DbConnection, StoreError, audit, now};
use crate::extract::{Extraction, Reference};
use crate::tracker::lifecycle::Action;
use crate::tracker::recurrence;

/// A directive to register: what intake has read and repaired.
#[derive(Debug, Clone)]
pub struct NewDirective<'a> {
    /// Name of the file as received, if it came as a file.
    pub file_name: Option<&'a str>,
    /// The bytes as received.
    pub content: &'a [u8],
    /// SHA-256 of `content`, hex.
    pub checksum: &'a str,
    /// The format the text was read from (`text`, `docx`, ...).
    pub source_format: &'a str,
    /// The text as read from the file, before repair.
    pub original_text: &'a str,
    /// The text after repair.
    pub repaired_text: &'a str,
    /// What was read from the repaired text.
    pub extraction: &'a Extraction,
    /// Who registers it.
    pub actor: &'a str,
    /// The registering user, if known.
    pub registered_by: Option<i64>,
    /// Store its tasks as drafts awaiting confirmation rather than assigned.
    pub draft: bool,
}

/// A stored directive with its documents and tasks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DirectiveView {
    /// Directive id.
    pub id: i64,
    /// File name as received.
    pub file_name: Option<String>,
    /// SHA-256 of the file as received.
    pub checksum: String,
    /// The format the text was read from.
    pub source_format: String,
    /// When it was registered (UTC).
    pub received_at: NaiveDateTime,
    /// The documents in file order.
    pub documents: Vec<DocumentView>,
    /// Its line in the incoming register, with the incoming number ("số đến").
    pub register_entry: Option<super::register::RegisterEntry>,
    /// The text as read, before repair.
    pub original_text: String,
    /// The text after repair.
    pub repaired_text: String,
    /// Whether tasks read from it still await the clerk's confirmation ([`confirm`]).
    pub awaiting_confirmation: bool,
}

/// One document of a directive, in the shape of `dondoc extract`, with ids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DocumentView {
    /// Document id.
    pub id: i64,
    /// Kind ("Thông báo", "Công văn", ...).
    pub kind: Option<String>,
    /// Number and code ("339/TB-VPCP").
    pub number: Option<String>,
    /// Issuing body.
    pub issuer: Option<String>,
    /// Place of issue.
    pub place: Option<String>,
    /// Date of issue.
    pub issued_on: Option<NaiveDate>,
    /// Subject ("V/v ..." or title).
    pub subject: Option<String>,
    /// Recipients.
    pub recipients: Vec<String>,
    /// Documents referred to.
    #[schema(value_type = Vec<Object>)]
    pub references: Vec<Reference>,
    /// Signer.
    pub signer: Option<String>,
    /// Tasks assigned by this document.
    pub tasks: Vec<TaskView>,
    /// The repaired text of this document.
    pub text: String,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = directives)]
struct DirectiveRow {
    id: i64,
    file_name: Option<String>,
    checksum: String,
    source_format: String,
    original_text: String,
    repaired_text: String,
    received_at: NaiveDateTime,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = documents)]
struct DocumentRow {
    id: i64,
    kind: Option<String>,
    number: Option<String>,
    issuer: Option<String>,
    place: Option<String>,
    issued_on: Option<NaiveDate>,
    subject: Option<String>,
    signer: Option<String>,
    recipients: String,
    refs: String,
    body: String,
}

fn to_json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn from_json<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn position(index: usize) -> i32 {
    i32::try_from(index).unwrap_or(i32::MAX)
}

/// Stores a directive, its file, documents and tasks, the audit entry and the search-index notice, all
/// in the caller's transaction. Returns the new directive's id.
pub fn insert(conn: &mut DbConnection, new: &NewDirective<'_>) -> Result<i64, StoreError> {
    let stamp = now();
    // The same file may be registered twice at once: the first copy stored wins.
    super::store_file(conn, new.checksum, new.content, stamp)?;
    let directive_id: i64 = diesel::insert_into(directives::table)
        .values((
            directives::file_name.eq(new.file_name),
            directives::checksum.eq(new.checksum),
            directives::source_format.eq(new.source_format),
            directives::original_text.eq(new.original_text),
            directives::repaired_text.eq(new.repaired_text),
            directives::received_at.eq(stamp),
            directives::registered_by.eq(new.registered_by),
        ))
        .returning(directives::id)
        .get_result(conn)?;
    let initial_status = if new.draft {
        TaskStatus::Draft
    } else {
        TaskStatus::Assigned
    };
    let mut task_count = 0usize;
    for (doc_index, doc) in new.extraction.documents.iter().enumerate() {
        let document_id: i64 = diesel::insert_into(documents::table)
            .values((
                documents::directive_id.eq(directive_id),
                documents::position.eq(position(doc_index)),
                documents::kind.eq(&doc.kind),
                documents::number.eq(&doc.number),
                documents::issuer.eq(&doc.issuer),
                documents::place.eq(&doc.place),
                documents::issued_on.eq(doc.issued_on),
                documents::subject.eq(&doc.subject),
                documents::signer.eq(&doc.signer),
                documents::recipients.eq(to_json(&doc.recipients)?),
                documents::refs.eq(to_json(&doc.references)?),
                documents::body.eq(&doc.text),
            ))
            .returning(documents::id)
            .get_result(conn)?;
        for (task_index, task) in doc.tasks.iter().enumerate() {
            let task_id: i64 = diesel::insert_into(tasks::table)
                .values((
                    tasks::directive_id.eq(directive_id),
                    tasks::document_id.eq(document_id),
                    tasks::position.eq(position(task_index)),
                    tasks::text.eq(&task.text),
                    tasks::deadline.eq(task.deadline),
                    tasks::deadline_text.eq(&task.deadline_text),
                    tasks::status.eq(initial_status.as_str()),
                    tasks::created_at.eq(stamp),
                    tasks::updated_at.eq(stamp),
                    tasks::recurrence.eq(task.recurrence.map(recurrence::as_str)),
                    tasks::recurrence_working_days.eq(task
                        .deadline_text
                        .as_deref()
                        .is_some_and(recurrence::counts_working_days)),
                    tasks::recurrence_anchor.eq(task.recurrence.and(task.deadline)),
                    tasks::source_start.eq(task.source.and_then(|[s, _]| i32::try_from(s).ok())),
                    tasks::source_end.eq(task.source.and_then(|[_, e]| i32::try_from(e).ok())),
                ))
                .returning(tasks::id)
                .get_result(conn)?;
            if task.recurrence.is_some() {
                // The first task of a recurring duty heads its series.
                diesel::update(tasks::table.find(task_id))
                    .set(tasks::series_id.eq(Some(task_id)))
                    .execute(conn)?;
            }
            set_agencies(conn, task_id, "lead", &task.lead)?;
            set_agencies(conn, task_id, "support", &task.support)?;
            task_count += 1;
        }
    }
    audit::record(
        conn,
        new.actor,
        "directive.register",
        "directive",
        Some(directive_id),
        serde_json::json!({
            "file_name": new.file_name,
            "checksum": new.checksum,
            "documents": new.extraction.documents.len(),
            "tasks": task_count,
        }),
    )?;
    queue_reindex(conn, directive_id)?;
    Ok(directive_id)
}

/// Reads a directive back with its documents and tasks.
pub fn get(conn: &mut DbConnection, id: i64) -> Result<DirectiveView, StoreError> {
    let row = directives::table
        .find(id)
        .select(DirectiveRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound {
            entity: "directive",
            id,
        })?;
    let docs: Vec<DocumentRow> = documents::table
        .filter(documents::directive_id.eq(id))
        .order(documents::position.asc())
        .select(DocumentRow::as_select())
        .load(conn)?;
    let mut tasks = for_directive(conn, id)?;
    let mut documents = Vec::with_capacity(docs.len());
    for doc in docs {
        let (mine, rest): (Vec<TaskView>, Vec<TaskView>) =
            tasks.into_iter().partition(|t| t.document_id == doc.id);
        tasks = rest;
        documents.push(document_view(doc, mine)?);
    }
    let awaiting_confirmation = documents
        .iter()
        .flat_map(|d| &d.tasks)
        .any(|t| t.status == TaskStatus::Draft);
    Ok(DirectiveView {
        id: row.id,
        file_name: row.file_name,
        checksum: row.checksum,
        source_format: row.source_format,
        received_at: row.received_at,
        documents,
        register_entry: super::register::for_directive(conn, id)?,
        original_text: row.original_text,
        repaired_text: row.repaired_text,
        awaiting_confirmation,
    })
}

/// Confirms directive `id` after the clerk has checked what was read: its draft tasks are given to
/// their agencies (status `assigned`), which from then on see them and are reminded of them.
/// Answers how many tasks were confirmed; none when it was confirmed already.
pub fn confirm(conn: &mut DbConnection, id: i64, actor: &str) -> Result<usize, StoreError> {
    let exists: i64 = directives::table.find(id).count().get_result(conn)?;
    if exists == 0 {
        return Err(StoreError::NotFound {
            entity: "directive",
            id,
        });
    }
    let stamp = now();
    let mut confirmed = Vec::new();
    for task in for_directive(conn, id)? {
        if task.status == TaskStatus::Draft {
            super::tasks::move_status(conn, &task, Action::Confirm, None, stamp)?;
            confirmed.push(task.id);
        }
    }
    if !confirmed.is_empty() {
        audit::record(
            conn,
            actor,
            "directive.confirm",
            "directive",
            Some(id),
            serde_json::json!({ "tasks": confirmed }),
        )?;
        queue_reindex(conn, id)?;
    }
    Ok(confirmed.len())
}

fn document_view(doc: DocumentRow, tasks: Vec<TaskView>) -> Result<DocumentView, StoreError> {
    Ok(DocumentView {
        id: doc.id,
        kind: doc.kind,
        number: doc.number,
        issuer: doc.issuer,
        place: doc.place,
        issued_on: doc.issued_on,
        subject: doc.subject,
        recipients: from_json(&doc.recipients)?,
        references: from_json(&doc.refs)?,
        signer: doc.signer,
        tasks,
        text: doc.body,
    })
}

/// The original file of a directive: its name and bytes.
pub fn original_file(
    conn: &mut DbConnection,
    id: i64,
) -> Result<(Option<String>, Vec<u8>), StoreError> {
    let (name, checksum): (Option<String>, String) = directives::table
        .find(id)
        .select((directives::file_name, directives::checksum))
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound {
            entity: "directive",
            id,
        })?;
    let content: Vec<u8> = files::table
        .find(checksum)
        .select(files::content)
        .first(conn)?;
    Ok((name, content))
}

/// What to list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct DirectiveFilter {
    /// Only directives with a document of this kind ("Thông báo").
    pub kind: Option<String>,
    /// Only directives with a document whose issuer contains this text.
    pub issuer: Option<String>,
    /// Only directives with a document of this number ("339/TB-VPCP").
    pub number: Option<String>,
    /// Only directives with a document issued on or after this date.
    pub issued_from: Option<NaiveDate>,
    /// Only directives with a document issued on or before this date.
    pub issued_to: Option<NaiveDate>,
    /// At most this many (default 50, at most 500).
    pub limit: Option<i64>,
    /// Skip this many.
    pub offset: Option<i64>,
}

/// A directive in a list: its documents' headers, without full text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DirectiveSummary {
    /// Directive id.
    pub id: i64,
    /// File name as received.
    pub file_name: Option<String>,
    /// When it was registered (UTC).
    pub received_at: NaiveDateTime,
    /// Header of each document.
    pub documents: Vec<DocumentHeader>,
    /// Number of tasks.
    pub task_count: i64,
}

/// The header fields of a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, utoipa::ToSchema)]
pub struct DocumentHeader {
    /// Kind.
    pub kind: Option<String>,
    /// Number and code.
    pub number: Option<String>,
    /// Issuing body.
    pub issuer: Option<String>,
    /// Date of issue.
    pub issued_on: Option<NaiveDate>,
    /// Subject.
    pub subject: Option<String>,
}

/// Directives matching `filter` within the reader's scope, newest first. For agency staff the task
/// count is of their own tasks.
pub fn list(
    conn: &mut DbConnection,
    filter: &DirectiveFilter,
    scope: Scope,
) -> Result<Vec<DirectiveSummary>, StoreError> {
    let mut query = directives::table
        .inner_join(documents::table)
        .select(directives::id)
        .distinct()
        .into_boxed::<DbBackend>();
    if let Scope::Agency(agency_id) = scope {
        let theirs = tasks::table
            .filter(super::access::agency_tasks(agency_id))
            .select(tasks::directive_id);
        query = query.filter(directives::id.eq_any(theirs));
    }
    if let Some(kind) = &filter.kind {
        query = query.filter(documents::kind.eq(kind.clone()));
    }
    if let Some(issuer) = &filter.issuer {
        query = query.filter(
            documents::issuer
                .like(format!("%{}%", escape_like(issuer)))
                .escape('\\'),
        );
    }
    if let Some(number) = &filter.number {
        query = query.filter(documents::number.eq(number.clone()));
    }
    if let Some(from) = filter.issued_from {
        query = query.filter(documents::issued_on.ge(from));
    }
    if let Some(to) = filter.issued_to {
        query = query.filter(documents::issued_on.le(to));
    }
    let ids: Vec<i64> = query
        .order(directives::id.desc())
        .limit(filter.limit.unwrap_or(50).clamp(1, 500))
        .offset(filter.offset.unwrap_or(0).max(0))
        .load(conn)?;
    let rows: Vec<(i64, Option<String>, NaiveDateTime)> = directives::table
        .filter(directives::id.eq_any(&ids))
        .order(directives::id.desc())
        .select((
            directives::id,
            directives::file_name,
            directives::received_at,
        ))
        .load(conn)?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, file_name, received_at) in rows {
        let documents: Vec<DocumentHeader> = documents::table
            .filter(documents::directive_id.eq(id))
            .order(documents::position.asc())
            .select((
                documents::kind,
                documents::number,
                documents::issuer,
                documents::issued_on,
                documents::subject,
            ))
            .load(conn)?;
        let mut counted = tasks::table
            .filter(tasks::directive_id.eq(id))
            .into_boxed::<DbBackend>();
        if let Scope::Agency(agency_id) = scope {
            counted = counted.filter(super::access::agency_tasks(agency_id));
        }
        let task_count: i64 = counted.count().get_result(conn)?;
        out.push(DirectiveSummary {
            id,
            file_name,
            received_at,
            documents,
            task_count,
        });
    }
    Ok(out)
}

/// Escapes `%`, `_` and `\` for a LIKE pattern with `\` as escape character.
fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Number of directives stored.
pub fn count(conn: &mut DbConnection) -> Result<i64, StoreError> {
    Ok(directives::table.count().get_result(conn)?)
}
