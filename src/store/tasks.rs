//! Tasks, their agencies, and the progress reports filed against them.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::access::Scope;
use super::schema::{agencies, search_queue, task_agencies, tasks};
use super::{DbBackend, DbConnection, StoreError, agencies as agency_store, audit, now};
use crate::extract::Recurrence;
use crate::tracker::lifecycle::{self, Action, Refusal};
use crate::tracker::recurrence;

pub use super::reports::ReportView;

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Read from a newly registered directive and awaiting the clerk's confirmation: agencies do not
    /// see it yet and no reminder is sent.
    Draft,
    /// Given to its lead agency; nothing reported yet.
    Assigned,
    /// The agency has started.
    InProgress,
    /// A progress report has been filed and awaits the clerk.
    Reported,
    /// Accepted as done.
    Completed,
    /// A report was returned to the agency.
    Returned,
    /// No longer required.
    Cancelled,
}

impl TaskStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [TaskStatus; 7] = [
        TaskStatus::Draft,
        TaskStatus::Assigned,
        TaskStatus::InProgress,
        TaskStatus::Reported,
        TaskStatus::Completed,
        TaskStatus::Returned,
        TaskStatus::Cancelled,
    ];

    /// The identifier stored in the database and used in the API.
    pub const fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Draft => "draft",
            TaskStatus::Assigned => "assigned",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::Reported => "reported",
            TaskStatus::Completed => "completed",
            TaskStatus::Returned => "returned",
            TaskStatus::Cancelled => "cancelled",
        }
    }

    /// Reads a stored identifier.
    pub fn parse(s: &str) -> Option<TaskStatus> {
        TaskStatus::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Whether the task counts in standings and reports: cancelled tasks and tasks not yet
    /// confirmed do not.
    pub fn is_counted(self) -> bool {
        !matches!(self, TaskStatus::Cancelled | TaskStatus::Draft)
    }

    /// Whether the task is closed (no more reports or reminders).
    pub fn is_closed(self) -> bool {
        matches!(self, TaskStatus::Completed | TaskStatus::Cancelled)
    }
}

/// A task as clients see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TaskView {
    /// Task id.
    pub id: i64,
    /// The directive it comes from.
    pub directive_id: i64,
    /// The document of the directive it comes from.
    pub document_id: i64,
    /// Lead agencies ("chủ trì").
    pub lead: Vec<String>,
    /// Cooperating agencies ("phối hợp").
    pub support: Vec<String>,
    /// What is to be done.
    pub text: String,
    /// Deadline, if any.
    pub deadline: Option<NaiveDate>,
    /// The words that state the deadline.
    pub deadline_text: Option<String>,
    /// Where the task stands.
    pub status: TaskStatus,
    /// When it was registered (UTC).
    pub created_at: NaiveDateTime,
    /// When it last changed (UTC).
    pub updated_at: NaiveDateTime,
    /// The day it was done (local day of the accepted report), once completed.
    pub done_on: Option<NaiveDate>,
    /// For a recurring duty, how often it falls due (`monthly`, `quarterly`, `semiannual`, ...).
    #[schema(value_type = Option<String>)]
    pub recurrence: Option<Recurrence>,
    /// For a recurring duty, whether its day is counted in working days.
    pub recurrence_working_days: bool,
    /// For a recurring duty, the id of the series' first task (the first task names itself).
    pub series_id: Option<i64>,
    /// Which occurrence of its series the task is (1 for the first, and for tasks that do not recur).
    pub occurrence: i32,
    /// Byte range (end exclusive) of the passage of its document's text the task was read from.
    pub source: Option<[usize; 2]>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = tasks)]
struct TaskRow {
    id: i64,
    directive_id: i64,
    document_id: i64,
    text: String,
    deadline: Option<NaiveDate>,
    deadline_text: Option<String>,
    status: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    done_on: Option<NaiveDate>,
    recurrence: Option<String>,
    recurrence_working_days: bool,
    series_id: Option<i64>,
    occurrence: i32,
    source_start: Option<i32>,
    source_end: Option<i32>,
}

/// What to list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct TaskFilter {
    /// Only tasks this agency leads or supports (full name).
    pub agency: Option<String>,
    /// Only tasks in this status.
    pub status: Option<TaskStatus>,
    /// Only tasks due on or after this date.
    pub deadline_from: Option<NaiveDate>,
    /// Only tasks due on or before this date.
    pub deadline_to: Option<NaiveDate>,
    /// Only tasks of this directive.
    pub directive_id: Option<i64>,
    /// At most this many (default 100, at most 1000).
    pub limit: Option<i64>,
    /// Skip this many.
    pub offset: Option<i64>,
}

/// Tasks matching `filter` within the reader's scope, by deadline (tasks without one last).
pub fn list(
    conn: &mut DbConnection,
    filter: &TaskFilter,
    scope: Scope,
) -> Result<Vec<TaskView>, StoreError> {
    let mut query = tasks::table.into_boxed::<DbBackend>();
    if let Scope::Agency(agency_id) = scope {
        query = query.filter(super::access::agency_tasks(agency_id));
    }
    if let Some(name) = &filter.agency {
        let ids = task_agencies::table
            .inner_join(agencies::table)
            .filter(agencies::name.eq(name.trim().to_string()))
            .select(task_agencies::task_id);
        query = query.filter(tasks::id.eq_any(ids));
    }
    if let Some(status) = filter.status {
        query = query.filter(tasks::status.eq(status.as_str()));
    }
    if let Some(from) = filter.deadline_from {
        query = query.filter(tasks::deadline.ge(from));
    }
    if let Some(to) = filter.deadline_to {
        query = query.filter(tasks::deadline.le(to));
    }
    if let Some(directive) = filter.directive_id {
        query = query.filter(tasks::directive_id.eq(directive));
    }
    let rows: Vec<TaskRow> = query
        .order((
            tasks::deadline.is_null(),
            tasks::deadline.asc(),
            tasks::id.asc(),
        ))
        .limit(filter.limit.unwrap_or(100).clamp(1, 1000))
        .offset(filter.offset.unwrap_or(0).max(0))
        .select(TaskRow::as_select())
        .load(conn)?;
    with_agencies(conn, rows)
}

/// One task.
pub fn get(conn: &mut DbConnection, id: i64) -> Result<TaskView, StoreError> {
    let row = tasks::table
        .find(id)
        .select(TaskRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound { entity: "task", id })?;
    with_agencies(conn, vec![row])?
        .pop()
        .ok_or(StoreError::NotFound { entity: "task", id })
}

/// Tasks of the given documents, in document order.
pub(super) fn for_directive(
    conn: &mut DbConnection,
    directive_id: i64,
) -> Result<Vec<TaskView>, StoreError> {
    let rows: Vec<TaskRow> = tasks::table
        .filter(tasks::directive_id.eq(directive_id))
        .order((
            tasks::document_id.asc(),
            tasks::position.asc(),
            tasks::id.asc(),
        ))
        .select(TaskRow::as_select())
        .load(conn)?;
    with_agencies(conn, rows)
}

fn with_agencies(conn: &mut DbConnection, rows: Vec<TaskRow>) -> Result<Vec<TaskView>, StoreError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let links: Vec<(i64, String, String)> = task_agencies::table
        .inner_join(agencies::table)
        .filter(task_agencies::task_id.eq_any(&ids))
        .order((task_agencies::task_id, task_agencies::position))
        .select((task_agencies::task_id, task_agencies::role, agencies::name))
        .load(conn)?;
    let mut by_task: HashMap<i64, (Vec<String>, Vec<String>)> = HashMap::new();
    for (task_id, role, name) in links {
        let entry = by_task.entry(task_id).or_default();
        if role == "lead" {
            entry.0.push(name);
        } else {
            entry.1.push(name);
        }
    }
    rows.into_iter()
        .map(|r| {
            let status = TaskStatus::parse(&r.status).ok_or_else(|| {
                StoreError::Corrupt(format!("task {}: status {}", r.id, r.status))
            })?;
            let recurrence = match &r.recurrence {
                Some(text) => Some(recurrence::parse(text).ok_or_else(|| {
                    StoreError::Corrupt(format!("task {}: recurrence {text}", r.id))
                })?),
                None => None,
            };
            let (lead, support) = by_task.remove(&r.id).unwrap_or_default();
            let source = match (r.source_start, r.source_end) {
                (Some(start), Some(end)) => usize::try_from(start)
                    .ok()
                    .zip(usize::try_from(end).ok())
                    .filter(|(start, end)| start <= end)
                    .map(|(start, end)| [start, end]),
                _ => None,
            };
            Ok(TaskView {
                id: r.id,
                directive_id: r.directive_id,
                document_id: r.document_id,
                lead,
                support,
                text: r.text,
                deadline: r.deadline,
                deadline_text: r.deadline_text,
                status,
                created_at: r.created_at,
                updated_at: r.updated_at,
                done_on: r.done_on,
                recurrence,
                recurrence_working_days: r.recurrence_working_days,
                series_id: r.series_id,
                occurrence: r.occurrence,
                source,
            })
        })
        .collect()
}

/// Replaces the lead or support agencies of a task.
pub(super) fn set_agencies(
    conn: &mut DbConnection,
    task_id: i64,
    role: &str,
    names: &[String],
) -> Result<(), StoreError> {
    diesel::delete(
        task_agencies::table
            .filter(task_agencies::task_id.eq(task_id))
            .filter(task_agencies::role.eq(role)),
    )
    .execute(conn)?;
    let mut seen = Vec::new();
    for name in names {
        let agency_id = agency_store::id_for_name(conn, name)?;
        if seen.contains(&agency_id) {
            continue;
        }
        seen.push(agency_id);
        diesel::insert_into(task_agencies::table)
            .values((
                task_agencies::task_id.eq(task_id),
                task_agencies::agency_id.eq(agency_id),
                task_agencies::role.eq(role),
                task_agencies::position.eq(i32::try_from(seen.len()).unwrap_or(i32::MAX)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A change to a task, as a clerk makes it; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskPatch {
    /// New status.
    pub status: Option<TaskStatus>,
    /// New deadline; `null` removes it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub deadline: Option<Option<NaiveDate>>,
    /// New text.
    pub text: Option<String>,
    /// New lead agencies.
    pub lead: Option<Vec<String>>,
    /// New cooperating agencies.
    pub support: Option<Vec<String>>,
}

fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Applies `patch` to task `id` and records it in the audit log.
pub fn update(
    conn: &mut DbConnection,
    id: i64,
    patch: &TaskPatch,
    actor: &str,
) -> Result<TaskView, StoreError> {
    let before = get(conn, id)?;
    let stamp = now();
    if let Some(status) = patch.status
        && status != before.status
    {
        // A status is changed by the action that leads to it; actions that need a report or a
        // decision on one are taken through those, not by setting a status.
        let action = lifecycle::action_between(before.status, status)
            .filter(|a| !a.needs_record())
            .ok_or_else(|| {
                StoreError::Conflict(format!(
                    "không chuyển trực tiếp từ «{}» sang «{}»; hãy dùng báo cáo tiến độ và quyết định về báo cáo",
                    lifecycle::status_label(before.status),
                    lifecycle::status_label(status)
                ))
            })?;
        move_status(conn, &before, action, None, stamp)?;
    }
    if let Some(deadline) = patch.deadline {
        diesel::update(tasks::table.find(id))
            .set(tasks::deadline.eq(deadline))
            .execute(conn)?;
    }
    if let Some(text) = &patch.text {
        diesel::update(tasks::table.find(id))
            .set(tasks::text.eq(text))
            .execute(conn)?;
    }
    if let Some(lead) = &patch.lead {
        set_agencies(conn, id, "lead", lead)?;
    }
    if let Some(support) = &patch.support {
        set_agencies(conn, id, "support", support)?;
    }
    diesel::update(tasks::table.find(id))
        .set(tasks::updated_at.eq(stamp))
        .execute(conn)?;
    let after = get(conn, id)?;
    audit::record(
        conn,
        actor,
        "task.update",
        "task",
        Some(id),
        serde_json::json!({ "before": before, "after": after }),
    )?;
    queue_reindex(conn, after.directive_id)?;
    Ok(after)
}

impl From<Refusal> for StoreError {
    fn from(refusal: Refusal) -> Self {
        StoreError::Conflict(refusal.to_string())
    }
}

/// Moves `task` (as read in this transaction) through `action`, as the lifecycle table allows, and
/// stamps it; `done_on` is set to the given day when the action completes the task and cleared
/// when it reopens it. The update repeats the status read, so a concurrent change makes it fail
/// rather than overwrite. The caller records the audit entry. Answers the new status.
pub(super) fn move_status(
    conn: &mut DbConnection,
    task: &TaskView,
    action: Action,
    done_on: Option<NaiveDate>,
    stamp: NaiveDateTime,
) -> Result<TaskStatus, StoreError> {
    let to = lifecycle::apply(task.status, action)?;
    let done_on = match to {
        TaskStatus::Completed => done_on.or(task.done_on),
        _ => None,
    };
    let changed = diesel::update(
        tasks::table
            .find(task.id)
            .filter(tasks::status.eq(task.status.as_str())),
    )
    .set((
        tasks::status.eq(to.as_str()),
        tasks::done_on.eq(done_on),
        tasks::updated_at.eq(stamp),
    ))
    .execute(conn)?;
    if changed != 1 {
        return Err(StoreError::Conflict(format!(
            "nhiệm vụ {} vừa được thay đổi; hãy tải lại",
            task.id
        )));
    }
    Ok(to)
}

/// Takes an action that needs no other record (`start`, `cancel`, `reopen`) on task `id`, with an
/// optional note, and records it in the audit log as `task.{action}`.
pub fn act(
    conn: &mut DbConnection,
    id: i64,
    action: Action,
    note: Option<&str>,
    actor: &str,
) -> Result<TaskView, StoreError> {
    if action.needs_record() {
        return Err(StoreError::Conflict(format!(
            "không thể {} mà không qua báo cáo tiến độ",
            action.label()
        )));
    }
    let before = get(conn, id)?;
    let to = move_status(conn, &before, action, None, now())?;
    audit::record(
        conn,
        actor,
        &format!("task.{action}"),
        "task",
        Some(id),
        serde_json::json!({
            "from": before.status,
            "to": to,
            "note": note,
        }),
    )?;
    queue_reindex(conn, before.directive_id)?;
    get(conn, id)
}

/// Files a progress report without attachments; see [`super::reports::file`].
pub fn add_report(
    conn: &mut DbConnection,
    task_id: i64,
    text: &str,
    author_id: Option<i64>,
    actor: &str,
) -> Result<ReportView, StoreError> {
    super::reports::file(conn, task_id, text, &[], author_id, actor)
}

/// The reports filed on a task, oldest first; see [`super::reports::of_task`].
pub fn reports_of(conn: &mut DbConnection, task_id: i64) -> Result<Vec<ReportView>, StoreError> {
    super::reports::of_task(conn, task_id)
}

/// Tells the search index that a directive changed (in the caller's transaction).
pub(super) fn queue_reindex(conn: &mut DbConnection, directive_id: i64) -> Result<(), StoreError> {
    diesel::insert_into(search_queue::table)
        .values((
            search_queue::directive_id.eq(directive_id),
            search_queue::queued_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}
