//! Tasks, their agencies, and the progress reports filed against them.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::schema::{agencies, reports, search_queue, task_agencies, tasks};
use super::{DbBackend, DbConnection, StoreError, agencies as agency_store, audit, now};

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
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
    pub const ALL: [TaskStatus; 6] = [
        TaskStatus::Assigned,
        TaskStatus::InProgress,
        TaskStatus::Reported,
        TaskStatus::Completed,
        TaskStatus::Returned,
        TaskStatus::Cancelled,
    ];

    /// The identifier stored in the database and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
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

/// Tasks matching `filter`, by deadline (tasks without one last).
pub fn list(conn: &mut DbConnection, filter: &TaskFilter) -> Result<Vec<TaskView>, StoreError> {
    let mut query = tasks::table.into_boxed::<DbBackend>();
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
        .order((tasks::document_id.asc(), tasks::position.asc()))
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
            let (lead, support) = by_task.remove(&r.id).unwrap_or_default();
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
    if let Some(status) = patch.status {
        let done_on = match status {
            TaskStatus::Completed if before.status == TaskStatus::Completed => before.done_on,
            TaskStatus::Completed => Some(completion_day(conn, id, stamp)?),
            _ => None,
        };
        diesel::update(tasks::table.find(id))
            .set((
                tasks::status.eq(status.as_str()),
                tasks::done_on.eq(done_on),
            ))
            .execute(conn)?;
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

/// The day a task counts as done when it is completed now: the local day its latest report was
/// filed, or today when it was closed without a report.
fn completion_day(
    conn: &mut DbConnection,
    task_id: i64,
    now_utc: NaiveDateTime,
) -> Result<NaiveDate, StoreError> {
    let last_report: Option<NaiveDateTime> = reports::table
        .filter(reports::task_id.eq(task_id))
        .select(diesel::dsl::max(reports::created_at))
        .first(conn)?;
    Ok(crate::tracker::local_day(last_report.unwrap_or(now_utc)))
}

/// A filed progress report.
#[derive(
    Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, utoipa::ToSchema,
)]
#[diesel(table_name = reports)]
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
}

/// Files a progress report; the task becomes `reported`. Closed tasks take no reports.
pub fn add_report(
    conn: &mut DbConnection,
    task_id: i64,
    text: &str,
    author_id: Option<i64>,
    actor: &str,
) -> Result<ReportView, StoreError> {
    let task = get(conn, task_id)?;
    if task.status.is_closed() {
        return Err(StoreError::Conflict(format!(
            "task {task_id} is {}",
            task.status.as_str()
        )));
    }
    let stamp = now();
    let report_id: i64 = diesel::insert_into(reports::table)
        .values((
            reports::task_id.eq(task_id),
            reports::author_id.eq(author_id),
            reports::text.eq(text),
            reports::created_at.eq(stamp),
        ))
        .returning(reports::id)
        .get_result(conn)?;
    let report: ReportView = reports::table
        .find(report_id)
        .select(ReportView::as_select())
        .first(conn)?;
    diesel::update(tasks::table.find(task_id))
        .set((
            tasks::status.eq(TaskStatus::Reported.as_str()),
            tasks::updated_at.eq(stamp),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        "report.file",
        "task",
        Some(task_id),
        serde_json::json!({ "report_id": report.id, "chars": text.chars().count() }),
    )?;
    queue_reindex(conn, task.directive_id)?;
    Ok(report)
}

/// The reports filed on a task, oldest first.
pub fn reports_of(conn: &mut DbConnection, task_id: i64) -> Result<Vec<ReportView>, StoreError> {
    get(conn, task_id)?;
    Ok(reports::table
        .filter(reports::task_id.eq(task_id))
        .order(reports::id.asc())
        .select(ReportView::as_select())
        .load(conn)?)
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
