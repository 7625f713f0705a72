//! Progress reports: filed by an agency with optional attachments (bytes content-addressed in
//! `files`), then accepted or returned by the clerk with a reason. Each step moves the task through
//! the lifecycle table and is recorded in the audit log, in the caller's transaction.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::schema::{files, report_attachments, reports};
use super::tasks::{TaskStatus, get as get_task, move_status, queue_reindex};
use super::{DbConnection, StoreError, audit, now};
use crate::tracker::lifecycle::Action;

/// What the clerk decided about a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Accepted: the task is completed.
    Accepted,
    /// Returned to the agency, with a reason: the task is open again and chased.
    Returned,
}

impl Decision {
    /// The identifier stored in the database and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Accepted => "accepted",
            Decision::Returned => "returned",
        }
    }

    fn parse(s: &str) -> Option<Decision> {
        [Decision::Accepted, Decision::Returned]
            .into_iter()
            .find(|d| d.as_str() == s)
    }

    /// The lifecycle action the decision takes.
    pub fn action(self) -> Action {
        match self {
            Decision::Accepted => Action::Accept,
            Decision::Returned => Action::Return,
        }
    }
}

/// A file attached to a report, without its bytes.
#[derive(
    Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, utoipa::ToSchema,
)]
#[diesel(table_name = report_attachments)]
pub struct AttachmentView {
    /// Attachment id.
    pub id: i64,
    /// The report it belongs to.
    pub report_id: i64,
    /// The file name as sent.
    pub file_name: String,
    /// The media type as sent.
    pub content_type: String,
    /// SHA-256 of the bytes, hex.
    pub checksum: String,
    /// Size in bytes.
    pub size: i64,
}

/// A filed progress report, with the clerk's decision once made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReportView {
    /// Report id.
    pub id: i64,
    /// The task reported on.
    pub task_id: i64,
    /// The user who filed it, if known.
    pub author_id: Option<i64>,
    /// What was done.
    pub text: String,
    /// When it was filed (UTC).
    pub created_at: NaiveDateTime,
    /// The clerk's decision; `null` while it awaits one.
    pub decision: Option<Decision>,
    /// Why it was returned (or a remark on accepting it).
    pub reason: Option<String>,
    /// The user who decided, if known.
    pub decided_by: Option<i64>,
    /// When it was decided (UTC).
    pub decided_at: Option<NaiveDateTime>,
    /// The files attached to it, in the order sent.
    pub attachments: Vec<AttachmentView>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = reports)]
struct ReportRow {
    id: i64,
    task_id: i64,
    author_id: Option<i64>,
    text: String,
    created_at: NaiveDateTime,
    decision: Option<String>,
    reason: Option<String>,
    decided_by: Option<i64>,
    decided_at: Option<NaiveDateTime>,
}

/// A file to attach to a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttachment {
    /// The file name as sent.
    pub file_name: String,
    /// The media type as sent (`application/octet-stream` when unknown).
    pub content_type: String,
    /// The bytes.
    pub content: Vec<u8>,
}

fn views(conn: &mut DbConnection, rows: Vec<ReportRow>) -> Result<Vec<ReportView>, StoreError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut attachments: Vec<AttachmentView> = report_attachments::table
        .filter(report_attachments::report_id.eq_any(&ids))
        .order((
            report_attachments::report_id.asc(),
            report_attachments::position.asc(),
        ))
        .select(AttachmentView::as_select())
        .load(conn)?;
    rows.into_iter()
        .map(|r| {
            let decision = match &r.decision {
                Some(text) => Some(Decision::parse(text).ok_or_else(|| {
                    StoreError::Corrupt(format!("report {}: decision {text}", r.id))
                })?),
                None => None,
            };
            let (mine, rest) = attachments.drain(..).partition(|a| a.report_id == r.id);
            attachments = rest;
            Ok(ReportView {
                id: r.id,
                task_id: r.task_id,
                author_id: r.author_id,
                text: r.text,
                created_at: r.created_at,
                decision,
                reason: r.reason,
                decided_by: r.decided_by,
                decided_at: r.decided_at,
                attachments: mine,
            })
        })
        .collect()
}

/// One report.
pub fn get(conn: &mut DbConnection, id: i64) -> Result<ReportView, StoreError> {
    let row = reports::table
        .find(id)
        .select(ReportRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound {
            entity: "report",
            id,
        })?;
    views(conn, vec![row])?.pop().ok_or(StoreError::NotFound {
        entity: "report",
        id,
    })
}

/// The reports filed on a task, oldest first.
pub fn of_task(conn: &mut DbConnection, task_id: i64) -> Result<Vec<ReportView>, StoreError> {
    get_task(conn, task_id)?;
    let rows = reports::table
        .filter(reports::task_id.eq(task_id))
        .order(reports::id.asc())
        .select(ReportRow::as_select())
        .load(conn)?;
    views(conn, rows)
}

/// Files a progress report with its attachments; the task becomes `reported` (the lifecycle's
/// `report` action: refused on a closed task, or while another report awaits a decision).
pub fn file(
    conn: &mut DbConnection,
    task_id: i64,
    text: &str,
    attachments: &[NewAttachment],
    author_id: Option<i64>,
    actor: &str,
) -> Result<ReportView, StoreError> {
    let task = get_task(conn, task_id)?;
    let stamp = now();
    let to = move_status(conn, &task, Action::Report, None, stamp)?;
    let report_id: i64 = diesel::insert_into(reports::table)
        .values((
            reports::task_id.eq(task_id),
            reports::author_id.eq(author_id),
            reports::text.eq(text),
            reports::created_at.eq(stamp),
        ))
        .returning(reports::id)
        .get_result(conn)?;
    let mut stored = Vec::with_capacity(attachments.len());
    for (position, attachment) in attachments.iter().enumerate() {
        let checksum = crate::intake::checksum(&attachment.content);
        let size = i64::try_from(attachment.content.len()).unwrap_or(i64::MAX);
        super::store_file(conn, &checksum, &attachment.content, stamp)?;
        diesel::insert_into(report_attachments::table)
            .values((
                report_attachments::report_id.eq(report_id),
                report_attachments::position.eq(i32::try_from(position).unwrap_or(i32::MAX)),
                report_attachments::file_name.eq(&attachment.file_name),
                report_attachments::content_type.eq(&attachment.content_type),
                report_attachments::checksum.eq(&checksum),
                report_attachments::size.eq(size),
            ))
            .execute(conn)?;
        stored.push(serde_json::json!({
            "file_name": attachment.file_name,
            "checksum": checksum,
            "size": size,
        }));
    }
    audit::record(
        conn,
        actor,
        "report.file",
        "task",
        Some(task_id),
        serde_json::json!({
            "report_id": report_id,
            "from": task.status,
            "to": to,
            "chars": text.chars().count(),
            "attachments": stored,
        }),
    )?;
    queue_reindex(conn, task.directive_id)?;
    get(conn, report_id)
}

/// Accepts or returns report `report_id` with a reason (required to return it). Only the latest
/// report of a task awaiting a decision can be decided, once. Accepting completes the task, done on
/// the local day the report was filed, and creates the next occurrence of a recurring duty;
/// returning makes it `returned`, and reminders resume.
pub fn decide(
    conn: &mut DbConnection,
    report_id: i64,
    decision: Decision,
    reason: Option<&str>,
    decided_by: Option<i64>,
    actor: &str,
) -> Result<ReportView, StoreError> {
    let report = get(conn, report_id)?;
    if let Some(made) = report.decision {
        return Err(StoreError::Conflict(format!(
            "báo cáo {report_id} đã được xử lý ({})",
            match made {
                Decision::Accepted => "đã chấp nhận",
                Decision::Returned => "đã trả lại",
            }
        )));
    }
    let latest: Option<i64> = reports::table
        .filter(reports::task_id.eq(report.task_id))
        .select(diesel::dsl::max(reports::id))
        .first(conn)?;
    if latest != Some(report_id) {
        return Err(StoreError::Conflict(format!(
            "báo cáo {report_id} không phải báo cáo mới nhất của nhiệm vụ"
        )));
    }
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if decision == Decision::Returned && reason.is_none() {
        return Err(StoreError::Conflict(
            "trả lại báo cáo cần nêu lý do".to_string(),
        ));
    }
    let task = get_task(conn, report.task_id)?;
    let stamp = now();
    let done_on: NaiveDate = crate::tracker::local_day(report.created_at);
    let to = move_status(conn, &task, decision.action(), Some(done_on), stamp)?;
    diesel::update(
        reports::table
            .find(report_id)
            .filter(reports::decision.is_null()),
    )
    .set((
        reports::decision.eq(decision.as_str()),
        reports::reason.eq(reason),
        reports::decided_by.eq(decided_by),
        reports::decided_at.eq(stamp),
    ))
    .execute(conn)?;
    audit::record(
        conn,
        actor,
        &format!("report.{}", decision.action()),
        "task",
        Some(task.id),
        serde_json::json!({
            "report_id": report_id,
            "from": task.status,
            "to": to,
            "reason": reason,
            "decided_by": decided_by,
        }),
    )?;
    queue_reindex(conn, task.directive_id)?;
    if to == TaskStatus::Completed {
        let calendar = super::settings::calendar(conn)?;
        super::occurrences::create_next(conn, task.id, &calendar, actor)?;
    }
    get(conn, report_id)
}

/// An attachment with its bytes, and the task its report belongs to.
#[derive(Debug, Clone)]
pub struct AttachmentFile {
    /// The attachment.
    pub attachment: AttachmentView,
    /// The task of its report.
    pub task_id: i64,
    /// The bytes.
    pub content: Vec<u8>,
}

/// Attachment `attachment_id` of report `report_id`, with its bytes.
pub fn attachment(
    conn: &mut DbConnection,
    report_id: i64,
    attachment_id: i64,
) -> Result<AttachmentFile, StoreError> {
    let not_found = StoreError::NotFound {
        entity: "attachment",
        id: attachment_id,
    };
    let found: Option<(AttachmentView, i64)> = report_attachments::table
        .inner_join(reports::table)
        .filter(report_attachments::id.eq(attachment_id))
        .filter(report_attachments::report_id.eq(report_id))
        .select((AttachmentView::as_select(), reports::task_id))
        .first(conn)
        .optional()?;
    let Some((attachment, task_id)) = found else {
        return Err(not_found);
    };
    let content: Vec<u8> = files::table
        .find(&attachment.checksum)
        .select(files::content)
        .first(conn)?;
    Ok(AttachmentFile {
        attachment,
        task_id,
        content,
    })
}
