//! Recurring duties: when an occurrence is completed, or its deadline has passed, the next occurrence
//! is created as a new task of the same series, with the next deadline of the rule
//! ([`crate::tracker::recurrence`]). The unique (series, occurrence) index makes creation happen
//! once, whichever path or process gets there first.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::schema::tasks;
use super::tasks::{TaskStatus, TaskView, get as get_task, queue_reindex, set_agencies};
use super::{DbConnection, StoreError, audit, now};
use crate::tracker::calendar::Calendar;
use crate::tracker::recurrence::{self, Rule};

/// Most occurrences created for one series in one pass (a pass that did not run for years).
const MAX_CATCH_UP: usize = 400;

/// Creates the occurrence after task `task_id` if the task recurs, has a deadline to count from, and
/// its successor does not exist yet. Answers the new task, if one was created.
pub fn create_next(
    conn: &mut DbConnection,
    task_id: i64,
    calendar: &Calendar,
    actor: &str,
) -> Result<Option<TaskView>, StoreError> {
    let task = get_task(conn, task_id)?;
    let Some(every) = task.recurrence else {
        return Ok(None);
    };
    let anchor: Option<NaiveDate> = tasks::table
        .find(task_id)
        .select(tasks::recurrence_anchor)
        .first(conn)?;
    let Some(anchor) = anchor else {
        return Ok(None);
    };
    let series = task.series_id.unwrap_or(task.id);
    let occurrence = task.occurrence.saturating_add(1);
    let exists = tasks::table
        .filter(tasks::series_id.eq(series))
        .filter(tasks::occurrence.eq(occurrence))
        .select(tasks::id)
        .first::<i64>(conn)
        .optional()?
        .is_some();
    if exists {
        return Ok(None);
    }
    let rule = Rule {
        every,
        working_days: task.recurrence_working_days,
    };
    let k = u32::try_from(occurrence).unwrap_or(u32::MAX);
    let Some(deadline) = recurrence::deadline_of(rule, anchor, k, calendar) else {
        return Ok(None);
    };
    let (position, deadline_text, source_start, source_end): (
        i32,
        Option<String>,
        Option<i32>,
        Option<i32>,
    ) = tasks::table
        .find(task_id)
        .select((
            tasks::position,
            tasks::deadline_text,
            tasks::source_start,
            tasks::source_end,
        ))
        .first(conn)?;
    let stamp = now();
    let new_id: i64 = diesel::insert_into(tasks::table)
        .values((
            tasks::directive_id.eq(task.directive_id),
            tasks::document_id.eq(task.document_id),
            tasks::position.eq(position),
            tasks::text.eq(&task.text),
            tasks::deadline.eq(Some(deadline)),
            tasks::deadline_text.eq(deadline_text),
            tasks::status.eq(TaskStatus::Assigned.as_str()),
            tasks::created_at.eq(stamp),
            tasks::updated_at.eq(stamp),
            tasks::recurrence.eq(Some(recurrence::as_str(every))),
            tasks::recurrence_working_days.eq(rule.working_days),
            tasks::recurrence_anchor.eq(Some(anchor)),
            tasks::series_id.eq(Some(series)),
            tasks::occurrence.eq(occurrence),
            tasks::source_start.eq(source_start),
            tasks::source_end.eq(source_end),
        ))
        .returning(tasks::id)
        .get_result(conn)?;
    set_agencies(conn, new_id, "lead", &task.lead)?;
    set_agencies(conn, new_id, "support", &task.support)?;
    audit::record(
        conn,
        actor,
        "task.recur",
        "task",
        Some(new_id),
        serde_json::json!({
            "series_id": series,
            "occurrence": occurrence,
            "previous_task_id": task.id,
            "previous_status": task.status,
            "deadline": deadline,
        }),
    )?;
    queue_reindex(conn, task.directive_id)?;
    get_task(conn, new_id).map(Some)
}

/// Creates the next occurrence of every recurring task whose deadline has passed by `today` (its
/// period is over) and that has no successor yet, repeating for series left behind by more than one
/// period. Cancelled occurrences end their series. Answers how many tasks were created.
pub fn roll_over(
    conn: &mut DbConnection,
    calendar: &Calendar,
    today: NaiveDate,
    actor: &str,
) -> Result<usize, StoreError> {
    let mut created = 0;
    for _ in 0..MAX_CATCH_UP {
        let next = diesel::alias!(tasks as next_task);
        let due: Vec<i64> = tasks::table
            .filter(tasks::recurrence.is_not_null())
            .filter(tasks::recurrence_anchor.is_not_null())
            .filter(tasks::deadline.lt(today))
            .filter(tasks::status.ne(TaskStatus::Cancelled.as_str()))
            .filter(diesel::dsl::not(diesel::dsl::exists(
                next.filter(next.field(tasks::series_id).eq(tasks::series_id))
                    .filter(next.field(tasks::occurrence).eq(tasks::occurrence + 1))
                    .select(next.field(tasks::id)),
            )))
            .order(tasks::id.asc())
            .select(tasks::id)
            .load(conn)?;
        let mut made = 0;
        for task_id in due {
            if create_next(conn, task_id, calendar, actor)?.is_some() {
                made += 1;
            }
        }
        if made == 0 {
            break;
        }
        created += made;
    }
    Ok(created)
}
