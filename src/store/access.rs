//! Who may see which records: the one place where the data a reader sees is narrowed. Agency staff
//! see only the tasks their agency leads or supports, and only the directives holding such tasks;
//! everyone else sees everything. A record outside the reader's scope answers "not found", exactly
//! as one that does not exist, so its existence leaks nothing.

use std::collections::HashSet;

use diesel::prelude::*;

use super::directives::{self, DirectiveView};
use super::schema::{task_agencies, tasks};
use super::tasks::{self as task_store, TaskStatus, TaskView};
use super::{DbConnection, StoreError};

/// The records a reader may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Everything (clerks, leaders, admins, the CLI).
    All,
    /// The tasks one agency leads or supports, and their directives.
    Agency(i64),
}

/// The ids of the tasks agency `agency_id` leads or supports, as a subquery.
#[diesel::dsl::auto_type]
fn agency_task_ids(agency_id: i64) -> _ {
    task_agencies::table
        .filter(task_agencies::agency_id.eq(agency_id))
        .select(task_agencies::task_id)
}

/// The status of tasks awaiting the clerk's confirmation: not yet the agency's, so outside its
/// scope even when it leads or supports them.
const NOT_YET_THEIRS: &str = TaskStatus::Draft.as_str();

/// The filter on `tasks` keeping what agency `agency_id` may see: the tasks it leads or supports,
/// except those not yet confirmed.
#[diesel::dsl::auto_type]
pub(super) fn agency_tasks(agency_id: i64) -> _ {
    let theirs: agency_task_ids = agency_task_ids(agency_id);
    let not_yet: &'static str = NOT_YET_THEIRS;
    tasks::id.eq_any(theirs).and(tasks::status.ne(not_yet))
}

/// Task `id`, if the reader may see it.
pub fn task(conn: &mut DbConnection, scope: Scope, id: i64) -> Result<TaskView, StoreError> {
    if let Scope::Agency(agency_id) = scope {
        let involved: i64 = tasks::table
            .filter(tasks::id.eq(id))
            .filter(agency_tasks(agency_id))
            .count()
            .get_result(conn)?;
        if involved == 0 {
            return Err(StoreError::NotFound { entity: "task", id });
        }
    }
    task_store::get(conn, id)
}

/// Directive `id` as the reader may see it: for agency staff, only their own tasks are listed.
pub fn directive(
    conn: &mut DbConnection,
    scope: Scope,
    id: i64,
) -> Result<DirectiveView, StoreError> {
    let mine = visible_tasks_of_directive(conn, scope, id)?;
    let mut view = directives::get(conn, id)?;
    if let Some(mine) = mine {
        for document in &mut view.documents {
            document.tasks.retain(|t| mine.contains(&t.id));
        }
    }
    Ok(view)
}

/// Fails with "not found" unless the reader may see directive `id`.
pub fn check_directive(conn: &mut DbConnection, scope: Scope, id: i64) -> Result<(), StoreError> {
    visible_tasks_of_directive(conn, scope, id).map(|_| ())
}

/// For agency staff, the ids of their tasks in directive `id` (not found when there are none);
/// `None` when the reader sees everything.
fn visible_tasks_of_directive(
    conn: &mut DbConnection,
    scope: Scope,
    id: i64,
) -> Result<Option<HashSet<i64>>, StoreError> {
    let Scope::Agency(agency_id) = scope else {
        return Ok(None);
    };
    let mine: HashSet<i64> = tasks::table
        .filter(tasks::directive_id.eq(id))
        .filter(agency_tasks(agency_id))
        .select(tasks::id)
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    if mine.is_empty() {
        return Err(StoreError::NotFound {
            entity: "directive",
            id,
        });
    }
    Ok(Some(mine))
}
