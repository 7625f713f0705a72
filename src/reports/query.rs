//! What the reports read from the database: the facts of the tasks in a scope, and the header of a
//! directive.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::{
    DirectiveHeader, DirectiveReport, PerformanceReport, Period, ReportBrief, ReportError, Scope,
    TaskFacts,
};
use crate::store::schema::{
    agencies, directives, documents, register_entries, reports, task_agencies, tasks,
};
use crate::store::tasks::TaskStatus;
use crate::store::{DbBackend, DbConnection, Store, StoreError, register};
use crate::tracker::local_day;

/// Ids per `IN (...)` list, well under either backend's limit on bound parameters.
const CHUNK: usize = 5_000;

type TaskRow = (
    i64,
    i64,
    i64,
    String,
    Option<NaiveDate>,
    String,
    Option<NaiveDate>,
    NaiveDateTime,
);

/// The tasks in `scope`, in directive and document order, with their agencies, the number of the
/// document that gave each and its directive's incoming number. With `with_reports`, the latest
/// progress report of each task too.
pub fn tasks_in_scope(
    conn: &mut DbConnection,
    scope: &Scope,
    with_reports: bool,
) -> Result<Vec<TaskFacts>, ReportError> {
    let mut query = tasks::table
        .inner_join(documents::table)
        .select((
            tasks::id,
            tasks::directive_id,
            tasks::document_id,
            tasks::text,
            tasks::deadline,
            tasks::status,
            tasks::done_on,
            tasks::created_at,
        ))
        .order((
            tasks::directive_id.asc(),
            documents::position.asc(),
            tasks::position.asc(),
        ))
        .into_boxed::<DbBackend>();
    match scope {
        Scope::Office => {}
        Scope::Agency { name } => {
            let agency = crate::store::agencies::find_by_name(conn, name)?
                .ok_or_else(|| ReportError::UnknownAgency(name.trim().to_string()))?;
            let led = task_agencies::table
                .filter(task_agencies::agency_id.eq(agency.id))
                .filter(task_agencies::role.eq("lead"))
                .select(task_agencies::task_id);
            query = query.filter(tasks::id.eq_any(led));
        }
        Scope::Directive { id } => {
            directive_exists(conn, *id)?;
            query = query.filter(tasks::directive_id.eq(*id));
        }
    }
    let rows: Vec<TaskRow> = query.load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let mut agencies_of: HashMap<i64, (Vec<String>, Vec<String>)> = HashMap::new();
    let mut latest: HashMap<i64, ReportBrief> = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let links: Vec<(i64, String, String)> = task_agencies::table
            .inner_join(agencies::table)
            .filter(task_agencies::task_id.eq_any(chunk))
            .order((task_agencies::task_id, task_agencies::position))
            .select((task_agencies::task_id, task_agencies::role, agencies::name))
            .load(conn)?;
        for (task_id, role, name) in links {
            let entry = agencies_of.entry(task_id).or_default();
            if role == "lead" {
                entry.0.push(name);
            } else {
                entry.1.push(name);
            }
        }
        if with_reports {
            let filed: Vec<(i64, String, NaiveDateTime)> = reports::table
                .filter(reports::task_id.eq_any(chunk))
                .order(reports::id.asc())
                .select((reports::task_id, reports::text, reports::created_at))
                .load(conn)?;
            for (task_id, text, at) in filed {
                latest.insert(
                    task_id,
                    ReportBrief {
                        filed_on: local_day(at),
                        text,
                    },
                );
            }
        }
    }
    let mut document_ids: Vec<i64> = rows.iter().map(|r| r.2).collect();
    document_ids.sort_unstable();
    document_ids.dedup();
    let mut numbers: HashMap<i64, Option<String>> = HashMap::new();
    for chunk in document_ids.chunks(CHUNK) {
        let found: Vec<(i64, Option<String>)> = documents::table
            .filter(documents::id.eq_any(chunk))
            .select((documents::id, documents::number))
            .load(conn)?;
        numbers.extend(found);
    }
    let mut directive_ids: Vec<i64> = rows.iter().map(|r| r.1).collect();
    directive_ids.sort_unstable();
    directive_ids.dedup();
    let mut incoming: HashMap<i64, String> = HashMap::new();
    for chunk in directive_ids.chunks(CHUNK) {
        let found: Vec<(i64, i64, i32)> = register_entries::table
            .filter(register_entries::directive_id.eq_any(chunk))
            .select((
                register_entries::directive_id,
                register_entries::number,
                register_entries::year,
            ))
            .load(conn)?;
        incoming.extend(
            found
                .into_iter()
                .map(|(directive, number, year)| (directive, format!("{number}/{year}"))),
        );
    }
    rows.into_iter()
        .map(
            |(id, directive_id, document_id, text, deadline, status, done_on, created_at)| {
                let status = TaskStatus::parse(&status)
                    .ok_or_else(|| StoreError::Corrupt(format!("task {id}: status {status}")))?;
                let (lead, support) = agencies_of.remove(&id).unwrap_or_default();
                Ok(TaskFacts {
                    id,
                    directive_id,
                    document: numbers.get(&document_id).cloned().flatten(),
                    incoming: incoming.get(&directive_id).cloned(),
                    text,
                    lead,
                    support,
                    deadline,
                    status,
                    done_on,
                    created_on: local_day(created_at),
                    last_report: latest.remove(&id),
                })
            },
        )
        .collect()
}

fn directive_exists(conn: &mut DbConnection, id: i64) -> Result<(), StoreError> {
    let found: Option<i64> = directives::table
        .find(id)
        .select(directives::id)
        .first(conn)
        .optional()?;
    found.map(|_| ()).ok_or(StoreError::NotFound {
        entity: "directive",
        id,
    })
}

/// The header of directive `id`: its first document and its incoming number.
pub fn directive_header(conn: &mut DbConnection, id: i64) -> Result<DirectiveHeader, ReportError> {
    directive_exists(conn, id)?;
    type Header = (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<NaiveDate>,
        Option<String>,
    );
    let first: Option<Header> = documents::table
        .filter(documents::directive_id.eq(id))
        .order(documents::position.asc())
        .select((
            documents::kind,
            documents::number,
            documents::issuer,
            documents::issued_on,
            documents::subject,
        ))
        .first(conn)
        .optional()?;
    let (kind, number, issuer, issued_on, subject) = first.unwrap_or_default();
    Ok(DirectiveHeader {
        id,
        incoming: register::for_directive(conn, id)?.map(|e| e.label()),
        kind,
        number,
        issuer,
        issued_on,
        subject,
    })
}

/// Runs `f` on one consistent snapshot of the database.
fn snapshot<T>(
    store: &Store,
    f: impl FnOnce(&mut DbConnection) -> Result<T, ReportError>,
) -> Result<T, ReportError> {
    let mut conn = store.conn()?;
    let conn: &mut DbConnection = &mut conn;
    conn.transaction(f)
}

/// The performance report of `period` for `scope`, judged on the period's last day or `today`.
pub fn performance_report(
    store: &Store,
    office: &str,
    scope: Scope,
    period: Period,
    today: NaiveDate,
) -> Result<PerformanceReport, ReportError> {
    let tasks = snapshot(store, |c| tasks_in_scope(c, &scope, false))?;
    Ok(super::performance(office, scope, period, &tasks, today))
}

/// The state of every task of directive `id` on day `on`.
pub fn directive_report(
    store: &Store,
    office: &str,
    id: i64,
    on: NaiveDate,
) -> Result<DirectiveReport, ReportError> {
    let (header, tasks) = snapshot(store, |c| {
        let header = directive_header(c, id)?;
        let tasks = tasks_in_scope(c, &Scope::Directive { id }, true)?;
        Ok((header, tasks))
    })?;
    Ok(super::directive_report(office, header, &tasks, on))
}
