//! Performance reports: how the tasks given to agencies are being carried out, as leaders report it
//! upward, and the state of every task of one directive ("tình hình thực hiện").
//!
//! The computation is pure ([`performance`], [`directive_report`]): it takes the facts of the tasks
//! ([`TaskFacts`], loaded by [`query`]) and the day they are judged on, and counts them with the
//! official four-way split of [`crate::tracker::standing`]. [`export`] turns reports and the incoming
//! register into XLSX, CSV and the printable page.
//!
//! **Which tasks a period's report counts.** A task counts for the period `from..=to` when it was
//! registered on or before `to` and was not already done before `from`: the tasks the office had in
//! hand at some time during the period, whatever their deadline. Cancelled tasks never count. Tasks
//! are judged on the period's last day (or today, while the period has not ended): done by then on or
//! before the deadline, done late, open within the deadline, or open overdue. A task done after the
//! judging day counts as open, so a report on a past period reads as things stood then.
//!
//! **Per agency** means per lead agency ("đơn vị chủ trì"). A task with several lead agencies counts in
//! each one's line, once in the total; tasks without a lead agency have a line of their own.

pub mod export;
pub mod query;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::store::StoreError;
use crate::store::tasks::TaskStatus;
use crate::tracker::standing::{Standing, standing};

/// The line for tasks without a lead agency.
pub const NO_LEAD: &str = "(Chưa xác định đơn vị chủ trì)";

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The database failed, or the directive does not exist.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The period ends before it starts.
    #[error("the period ends ({to}) before it starts ({from})")]
    InvalidPeriod {
        /// First day.
        from: NaiveDate,
        /// Last day.
        to: NaiveDate,
    },
    /// No agency has this name.
    #[error("no agency is called \"{0}\"")]
    UnknownAgency(String),
    /// The spreadsheet or page could not be written.
    #[error("export failed: {0}")]
    Export(String),
}

impl From<diesel::result::Error> for ReportError {
    fn from(e: diesel::result::Error) -> Self {
        ReportError::Store(StoreError::Query(e))
    }
}

/// The days a report covers, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Period {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

impl Period {
    /// The period `from..=to`, refused when it ends before it starts.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Period, ReportError> {
        if to < from {
            return Err(ReportError::InvalidPeriod { from, to });
        }
        Ok(Period { from, to })
    }

    /// The day tasks are judged on: the last day, or `today` while the period has not ended.
    pub fn judged_on(&self, today: NaiveDate) -> NaiveDate {
        self.to.min(today).max(self.from)
    }
}

/// What a report covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scope {
    /// Every task of the office.
    Office,
    /// The tasks one agency leads.
    Agency {
        /// The agency's full name, as stored.
        name: String,
    },
    /// The tasks of one directive.
    Directive {
        /// The directive's id.
        id: i64,
    },
}

/// The latest progress report of a task.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReportBrief {
    /// Local day it was filed.
    pub filed_on: NaiveDate,
    /// What it says.
    pub text: String,
}

/// What a report needs to know of a task.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskFacts {
    /// Task id.
    pub id: i64,
    /// Its directive.
    pub directive_id: i64,
    /// Number of the document that gave it ("339/TB-VPCP"), if read.
    pub document: Option<String>,
    /// Incoming number of its directive ("12/2026"), if registered.
    pub incoming: Option<String>,
    /// What is to be done.
    pub text: String,
    /// Lead agencies.
    pub lead: Vec<String>,
    /// Cooperating agencies.
    pub support: Vec<String>,
    /// Deadline.
    pub deadline: Option<NaiveDate>,
    /// Status now.
    pub status: TaskStatus,
    /// Day it was done.
    pub done_on: Option<NaiveDate>,
    /// Local day it was registered.
    pub created_on: NaiveDate,
    /// Its latest progress report (loaded for directive reports only).
    pub last_report: Option<ReportBrief>,
}

impl TaskFacts {
    /// Where the task stands on `on` (`None`: cancelled, not counted).
    pub fn standing_on(&self, on: NaiveDate) -> Option<Standing> {
        standing(self.status, self.deadline, self.done_on, on)
    }

    /// Calendar days past the deadline on `on`, for a task open overdue on that day.
    pub fn days_overdue(&self, on: NaiveDate) -> Option<i64> {
        match (self.standing_on(on), self.deadline) {
            (Some(Standing::OpenOverdue), Some(deadline)) => Some((on - deadline).num_days()),
            _ => None,
        }
    }

    /// Whether the task counts for `period` (see the module notes).
    pub fn counts_in(&self, period: &Period) -> bool {
        if !self.status.is_counted() || self.created_on > period.to {
            return false;
        }
        let done_day = match self.status {
            // Done before the day column existed: its deadline stands in, as in `standing`.
            TaskStatus::Completed => self.done_on.or(self.deadline),
            _ => None,
        };
        done_day.is_none_or(|day| day >= period.from)
    }
}

/// Tasks counted by standing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Counts {
    /// Tasks counted.
    pub tasks: u32,
    /// Done on or before the deadline.
    pub done_on_time: u32,
    /// Done after the deadline.
    pub done_late: u32,
    /// Open, deadline not passed.
    pub open_within_deadline: u32,
    /// Open, deadline passed.
    pub open_overdue: u32,
}

impl Counts {
    /// Counts one task.
    pub fn add(&mut self, standing: Standing) {
        self.tasks += 1;
        match standing {
            Standing::DoneOnTime => self.done_on_time += 1,
            Standing::DoneLate => self.done_late += 1,
            Standing::OpenWithinDeadline => self.open_within_deadline += 1,
            Standing::OpenOverdue => self.open_overdue += 1,
        }
    }

    /// The count of one standing.
    pub fn of(&self, standing: Standing) -> u32 {
        match standing {
            Standing::DoneOnTime => self.done_on_time,
            Standing::DoneLate => self.done_late,
            Standing::OpenWithinDeadline => self.open_within_deadline,
            Standing::OpenOverdue => self.open_overdue,
        }
    }

    /// Share of tasks done (on time or late), in percent; `None` when there are none.
    pub fn done_percent(&self) -> Option<f64> {
        (self.tasks > 0).then(|| {
            let done = f64::from(self.done_on_time + self.done_late);
            (1000.0 * done / f64::from(self.tasks)).round() / 10.0
        })
    }
}

/// One lead agency's line.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AgencyCounts {
    /// The lead agency ([`NO_LEAD`] for tasks without one).
    pub agency: String,
    /// Its tasks by standing.
    pub counts: Counts,
}

/// A task open past its deadline on the judging day.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OverdueTask {
    /// Task id.
    pub task_id: i64,
    /// Its directive.
    pub directive_id: i64,
    /// Number of the document that gave it.
    pub document: Option<String>,
    /// Incoming number of its directive.
    pub incoming: Option<String>,
    /// Lead agencies.
    pub lead: Vec<String>,
    /// What is to be done.
    pub text: String,
    /// Deadline.
    pub deadline: NaiveDate,
    /// Calendar days past the deadline on the judging day.
    pub days_overdue: i64,
    /// Status now.
    pub status: TaskStatus,
}

/// The performance report of a period and scope.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PerformanceReport {
    /// The office reporting.
    pub office: String,
    /// The period.
    pub period: Period,
    /// What it covers.
    pub scope: Scope,
    /// The day tasks are judged on.
    pub judged_on: NaiveDate,
    /// One line per lead agency, by name.
    pub agencies: Vec<AgencyCounts>,
    /// Every task counted once.
    pub total: Counts,
    /// Tasks open overdue, most overdue first.
    pub overdue: Vec<OverdueTask>,
}

/// Counts `tasks` (already limited to the scope) for `period`, judged on the period's last day or
/// `today` if earlier.
pub fn performance(
    office: &str,
    scope: Scope,
    period: Period,
    tasks: &[TaskFacts],
    today: NaiveDate,
) -> PerformanceReport {
    let on = period.judged_on(today);
    let mut total = Counts::default();
    let mut by_agency: BTreeMap<String, Counts> = BTreeMap::new();
    let mut overdue = Vec::new();
    for task in tasks.iter().filter(|t| t.counts_in(&period)) {
        let Some(standing) = task.standing_on(on) else {
            continue;
        };
        total.add(standing);
        let leads: Vec<&str> = match &scope {
            // An agency's report has that agency's line only.
            Scope::Agency { name } => vec![name.as_str()],
            _ if task.lead.is_empty() => vec![NO_LEAD],
            _ => task.lead.iter().map(String::as_str).collect(),
        };
        for lead in leads {
            by_agency.entry(lead.to_string()).or_default().add(standing);
        }
        if let (Some(days), Some(deadline)) = (task.days_overdue(on), task.deadline) {
            overdue.push(OverdueTask {
                task_id: task.id,
                directive_id: task.directive_id,
                document: task.document.clone(),
                incoming: task.incoming.clone(),
                lead: task.lead.clone(),
                text: task.text.clone(),
                deadline,
                days_overdue: days,
                status: task.status,
            });
        }
    }
    overdue.sort_by(|a, b| {
        b.days_overdue
            .cmp(&a.days_overdue)
            .then(a.task_id.cmp(&b.task_id))
    });
    let mut agencies: Vec<AgencyCounts> = by_agency
        .into_iter()
        .map(|(agency, counts)| AgencyCounts { agency, counts })
        .collect();
    // The line without a lead agency goes last.
    agencies.sort_by_key(|a| a.agency == NO_LEAD);
    PerformanceReport {
        office: office.to_string(),
        period,
        scope,
        judged_on: on,
        agencies,
        total,
        overdue,
    }
}

/// The header of the directive a report is about.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DirectiveHeader {
    /// Directive id.
    pub id: i64,
    /// Incoming number ("12/2026"), if registered.
    pub incoming: Option<String>,
    /// Kind of its first document.
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

/// One task of a directive, as it stands.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TaskState {
    /// Task id.
    pub task_id: i64,
    /// What is to be done.
    pub text: String,
    /// Lead agencies.
    pub lead: Vec<String>,
    /// Cooperating agencies.
    pub support: Vec<String>,
    /// Deadline.
    pub deadline: Option<NaiveDate>,
    /// Status now.
    pub status: TaskStatus,
    /// Standing on the judging day (`None`: cancelled).
    pub standing: Option<Standing>,
    /// Day it was done.
    pub done_on: Option<NaiveDate>,
    /// Calendar days past the deadline, if open overdue.
    pub days_overdue: Option<i64>,
    /// Latest progress report.
    pub last_report: Option<ReportBrief>,
}

/// The state of every task of one directive ("tình hình thực hiện").
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DirectiveReport {
    /// The office reporting.
    pub office: String,
    /// The directive.
    pub directive: DirectiveHeader,
    /// The day tasks are judged on.
    pub judged_on: NaiveDate,
    /// Its tasks by standing (cancelled tasks not counted).
    pub total: Counts,
    /// Every task, in the order of the directive, cancelled ones included.
    pub tasks: Vec<TaskState>,
}

/// The state of `tasks` (all of one directive, in order) on day `on`.
pub fn directive_report(
    office: &str,
    directive: DirectiveHeader,
    tasks: &[TaskFacts],
    on: NaiveDate,
) -> DirectiveReport {
    let mut total = Counts::default();
    let tasks = tasks
        .iter()
        .map(|t| {
            let standing = t.standing_on(on);
            if let Some(s) = standing {
                total.add(s);
            }
            TaskState {
                task_id: t.id,
                text: t.text.clone(),
                lead: t.lead.clone(),
                support: t.support.clone(),
                deadline: t.deadline,
                status: t.status,
                standing,
                done_on: t.done_on.filter(|d| *d <= on),
                days_overdue: t.days_overdue(on),
                last_report: t.last_report.clone(),
            }
        })
        .collect();
    DirectiveReport {
        office: office.to_string(),
        directive,
        judged_on: on,
        total,
        tasks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn task(id: i64, lead: &[&str], deadline: Option<NaiveDate>, status: TaskStatus) -> TaskFacts {
        TaskFacts {
            id,
            directive_id: 1,
            document: Some("1/KH-UBND".into()),
            incoming: Some("1/2026".into()),
            text: format!("Nhiệm vụ {id}"),
            lead: lead.iter().map(|s| s.to_string()).collect(),
            support: vec![],
            deadline,
            status,
            done_on: None,
            created_on: d(1, 2),
            last_report: None,
        }
    }

    #[test]
    fn a_quarter_is_split_four_ways_per_lead_agency() {
        let q1 = Period::new(d(1, 1), d(3, 31)).unwrap();
        let mut on_time = task(1, &["Sở A"], Some(d(2, 10)), TaskStatus::Completed);
        on_time.done_on = Some(d(2, 9));
        let mut late = task(2, &["Sở A", "Sở B"], Some(d(2, 10)), TaskStatus::Completed);
        late.done_on = Some(d(3, 1));
        let open = task(3, &["Sở B"], Some(d(6, 30)), TaskStatus::InProgress);
        let overdue = task(4, &[], Some(d(3, 20)), TaskStatus::Assigned);
        let mut done_before = task(5, &["Sở A"], Some(d(1, 20)), TaskStatus::Completed);
        done_before.created_on = d(1, 1);
        done_before.done_on = NaiveDate::from_ymd_opt(2025, 12, 20);
        let cancelled = task(6, &["Sở A"], Some(d(2, 1)), TaskStatus::Cancelled);
        let mut later = task(7, &["Sở A"], Some(d(5, 1)), TaskStatus::Assigned);
        later.created_on = d(4, 2);
        let tasks = [on_time, late, open, overdue, done_before, cancelled, later];
        let report = performance("VP", Scope::Office, q1, &tasks, d(11, 30));
        assert_eq!(report.judged_on, d(3, 31));
        assert_eq!(
            report.total,
            Counts {
                tasks: 4,
                done_on_time: 1,
                done_late: 1,
                open_within_deadline: 1,
                open_overdue: 1
            }
        );
        let names: Vec<&str> = report.agencies.iter().map(|a| a.agency.as_str()).collect();
        assert_eq!(names, ["Sở A", "Sở B", NO_LEAD]);
        assert_eq!(report.agencies[0].counts.tasks, 2);
        assert_eq!(report.agencies[1].counts.done_late, 1);
        assert_eq!(report.agencies[1].counts.open_within_deadline, 1);
        assert_eq!(report.overdue.len(), 1);
        assert_eq!(report.overdue[0].task_id, 4);
        assert_eq!(report.overdue[0].days_overdue, 11);
        assert_eq!(report.total.done_percent(), Some(50.0));
    }

    #[test]
    fn a_period_not_yet_ended_is_judged_today() {
        let period = Period::new(d(1, 1), d(12, 31)).unwrap();
        let open = task(1, &["Sở A"], Some(d(6, 30)), TaskStatus::Assigned);
        let report = performance("VP", Scope::Office, period, &[open], d(6, 1));
        assert_eq!(report.judged_on, d(6, 1));
        assert_eq!(report.total.open_within_deadline, 1);
        assert!(Period::new(d(2, 1), d(1, 1)).is_err());
    }

    #[test]
    fn an_agency_report_has_that_agency_only() {
        let period = Period::new(d(1, 1), d(3, 31)).unwrap();
        let shared = task(1, &["Sở A", "Sở B"], Some(d(3, 1)), TaskStatus::Assigned);
        let scope = Scope::Agency {
            name: "Sở B".into(),
        };
        let report = performance("VP", scope, period, &[shared], d(3, 31));
        assert_eq!(report.agencies.len(), 1);
        assert_eq!(report.agencies[0].agency, "Sở B");
        assert_eq!(report.agencies[0].counts.open_overdue, 1);
        assert_eq!(report.overdue[0].days_overdue, 30);
    }

    #[test]
    fn a_directive_report_lists_every_task_as_it_stood() {
        let mut done = task(1, &["Sở A"], Some(d(3, 1)), TaskStatus::Completed);
        done.done_on = Some(d(3, 5));
        let cancelled = task(2, &["Sở B"], None, TaskStatus::Cancelled);
        let report = directive_report(
            "VP",
            DirectiveHeader::default(),
            &[done.clone(), cancelled],
            d(3, 4),
        );
        assert_eq!(report.tasks.len(), 2);
        assert_eq!(report.tasks[0].standing, Some(Standing::OpenOverdue));
        assert_eq!(report.tasks[0].done_on, None);
        assert_eq!(report.tasks[0].days_overdue, Some(3));
        assert_eq!(report.tasks[1].standing, None);
        assert_eq!(report.total.tasks, 1);
        let later = directive_report("VP", DirectiveHeader::default(), &[done], d(3, 10));
        assert_eq!(later.tasks[0].standing, Some(Standing::DoneLate));
    }
}
