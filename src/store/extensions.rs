//! Deadline extensions: an agency asks for a later deadline with a reason, a leader approves or
//! refuses with a note. Approval moves the task's deadline (reminders follow the current deadline);
//! a request awaiting a decision changes nothing. Every request is kept as the deadline's history.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::schema::{extensions, tasks};
use super::tasks::{get as get_task, queue_reindex};
use super::{DbConnection, StoreError, audit, now};
use crate::tracker::lifecycle;

/// Where an extension request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExtensionStatus {
    /// Awaits a leader's decision.
    Pending,
    /// Approved: the task's deadline was moved.
    Approved,
    /// Refused: the deadline stays.
    Refused,
}

impl ExtensionStatus {
    /// The identifier stored in the database and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            ExtensionStatus::Pending => "pending",
            ExtensionStatus::Approved => "approved",
            ExtensionStatus::Refused => "refused",
        }
    }

    fn parse(s: &str) -> Option<ExtensionStatus> {
        [
            ExtensionStatus::Pending,
            ExtensionStatus::Approved,
            ExtensionStatus::Refused,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// An extension request and its outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ExtensionView {
    /// Request id.
    pub id: i64,
    /// The task.
    pub task_id: i64,
    /// The task's deadline when the request was made.
    pub old_deadline: Option<NaiveDate>,
    /// The deadline asked for.
    pub new_deadline: NaiveDate,
    /// Why the agency needs it.
    pub reason: String,
    /// The user who asked, if known.
    pub requested_by: Option<i64>,
    /// When it was asked (UTC).
    pub requested_at: NaiveDateTime,
    /// Where it stands.
    pub status: ExtensionStatus,
    /// The leader's note.
    pub note: Option<String>,
    /// The user who decided, if known.
    pub decided_by: Option<i64>,
    /// When it was decided (UTC).
    pub decided_at: Option<NaiveDateTime>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = extensions)]
struct ExtensionRow {
    id: i64,
    task_id: i64,
    old_deadline: Option<NaiveDate>,
    new_deadline: NaiveDate,
    reason: String,
    requested_by: Option<i64>,
    requested_at: NaiveDateTime,
    status: String,
    note: Option<String>,
    decided_by: Option<i64>,
    decided_at: Option<NaiveDateTime>,
}

impl TryFrom<ExtensionRow> for ExtensionView {
    type Error = StoreError;

    fn try_from(r: ExtensionRow) -> Result<Self, StoreError> {
        let status = ExtensionStatus::parse(&r.status).ok_or_else(|| {
            StoreError::Corrupt(format!("extension {}: status {}", r.id, r.status))
        })?;
        Ok(ExtensionView {
            id: r.id,
            task_id: r.task_id,
            old_deadline: r.old_deadline,
            new_deadline: r.new_deadline,
            reason: r.reason,
            requested_by: r.requested_by,
            requested_at: r.requested_at,
            status,
            note: r.note,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
        })
    }
}

/// One extension request.
pub fn get(conn: &mut DbConnection, id: i64) -> Result<ExtensionView, StoreError> {
    extensions::table
        .find(id)
        .select(ExtensionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound {
            entity: "extension",
            id,
        })?
        .try_into()
}

/// The extension requests of a task, oldest first: the history of its deadline.
pub fn of_task(conn: &mut DbConnection, task_id: i64) -> Result<Vec<ExtensionView>, StoreError> {
    get_task(conn, task_id)?;
    extensions::table
        .filter(extensions::task_id.eq(task_id))
        .order(extensions::id.asc())
        .select(ExtensionRow::as_select())
        .load(conn)?
        .into_iter()
        .map(ExtensionView::try_from)
        .collect()
}

/// Asks for task `task_id`'s deadline to move to `new_deadline`, for `reason`. Refused on a closed
/// task, for a day not after the current deadline, or while another request awaits a decision.
pub fn request(
    conn: &mut DbConnection,
    task_id: i64,
    new_deadline: NaiveDate,
    reason: &str,
    requested_by: Option<i64>,
    actor: &str,
) -> Result<ExtensionView, StoreError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::Conflict(
            "đề nghị gia hạn cần nêu lý do".to_string(),
        ));
    }
    let task = get_task(conn, task_id)?;
    lifecycle::check_extension(task.status, task.deadline, new_deadline)?;
    let pending = extensions::table
        .filter(extensions::task_id.eq(task_id))
        .filter(extensions::status.eq(ExtensionStatus::Pending.as_str()))
        .select(extensions::id)
        .first::<i64>(conn)
        .optional()?;
    if let Some(pending) = pending {
        return Err(StoreError::Conflict(format!(
            "đề nghị gia hạn {pending} đang chờ quyết định"
        )));
    }
    let id: i64 = diesel::insert_into(extensions::table)
        .values((
            extensions::task_id.eq(task_id),
            extensions::old_deadline.eq(task.deadline),
            extensions::new_deadline.eq(new_deadline),
            extensions::reason.eq(reason),
            extensions::requested_by.eq(requested_by),
            extensions::requested_at.eq(now()),
            extensions::status.eq(ExtensionStatus::Pending.as_str()),
        ))
        .returning(extensions::id)
        .get_result(conn)?;
    audit::record(
        conn,
        actor,
        "extension.request",
        "task",
        Some(task_id),
        serde_json::json!({
            "extension_id": id,
            "deadline": task.deadline,
            "new_deadline": new_deadline,
            "reason": reason,
            "requested_by": requested_by,
        }),
    )?;
    get(conn, id)
}

/// Approves (moving the task's deadline) or refuses extension request `id`, with a note (required
/// to refuse). Only a pending request on a task still open can be decided.
pub fn decide(
    conn: &mut DbConnection,
    id: i64,
    approve: bool,
    note: Option<&str>,
    decided_by: Option<i64>,
    actor: &str,
) -> Result<ExtensionView, StoreError> {
    let extension = get(conn, id)?;
    if extension.status != ExtensionStatus::Pending {
        return Err(StoreError::Conflict(format!(
            "đề nghị gia hạn {id} đã được quyết định"
        )));
    }
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    if !approve && note.is_none() {
        return Err(StoreError::Conflict(
            "từ chối gia hạn cần nêu lý do".to_string(),
        ));
    }
    let task = get_task(conn, extension.task_id)?;
    let stamp = now();
    let status = if approve {
        // The task must still be open; the deadline may have moved since the request, but the
        // leader approves the day asked for.
        if task.status.is_closed() {
            return Err(lifecycle::Refusal::Closed {
                status: task.status,
            }
            .into());
        }
        diesel::update(tasks::table.find(task.id))
            .set((
                tasks::deadline.eq(Some(extension.new_deadline)),
                tasks::updated_at.eq(stamp),
            ))
            .execute(conn)?;
        ExtensionStatus::Approved
    } else {
        ExtensionStatus::Refused
    };
    let decided = diesel::update(
        extensions::table
            .find(id)
            .filter(extensions::status.eq(ExtensionStatus::Pending.as_str())),
    )
    .set((
        extensions::status.eq(status.as_str()),
        extensions::note.eq(note),
        extensions::decided_by.eq(decided_by),
        extensions::decided_at.eq(stamp),
    ))
    .execute(conn)?;
    if decided != 1 {
        return Err(StoreError::Conflict(format!(
            "đề nghị gia hạn {id} vừa được quyết định"
        )));
    }
    audit::record(
        conn,
        actor,
        if approve {
            "extension.approve"
        } else {
            "extension.refuse"
        },
        "task",
        Some(task.id),
        serde_json::json!({
            "extension_id": id,
            "deadline_before": task.deadline,
            "deadline_after": if approve { Some(extension.new_deadline) } else { task.deadline },
            "note": note,
            "decided_by": decided_by,
        }),
    )?;
    if approve {
        queue_reindex(conn, task.directive_id)?;
    }
    get(conn, id)
}
