//! The official four-way split that performance reports use: done on time, done late, open within
//! its deadline, open overdue. Pure: it depends only on the task and the day it is judged on.

use chrono::NaiveDate;
use serde::Serialize;

use crate::store::tasks::TaskStatus;

/// Where a task stands on a given day, as the reports count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Completed on or before its deadline (or it had none).
    DoneOnTime,
    /// Completed after its deadline.
    DoneLate,
    /// Not completed, and its deadline has not passed (or it has none).
    OpenWithinDeadline,
    /// Not completed, and its deadline has passed.
    OpenOverdue,
}

impl Standing {
    /// Every standing, in report column order.
    pub const ALL: [Standing; 4] = [
        Standing::DoneOnTime,
        Standing::DoneLate,
        Standing::OpenWithinDeadline,
        Standing::OpenOverdue,
    ];

    /// The Vietnamese column heading used in reports.
    pub fn label(self) -> &'static str {
        match self {
            Standing::DoneOnTime => "Hoàn thành đúng hạn",
            Standing::DoneLate => "Hoàn thành quá hạn",
            Standing::OpenWithinDeadline => "Đang thực hiện trong hạn",
            Standing::OpenOverdue => "Chưa hoàn thành, quá hạn",
        }
    }

    /// Whether the task counts as done.
    pub fn is_done(self) -> bool {
        matches!(self, Standing::DoneOnTime | Standing::DoneLate)
    }
}

/// Where a task stands on day `on`. Cancelled tasks and tasks not yet confirmed are not counted
/// (`None`). A task completed
/// after `on` counts as still open on `on`, so a report for a past period reads as it stood then.
/// The deadline day itself is within the deadline.
pub fn standing(
    status: TaskStatus,
    deadline: Option<NaiveDate>,
    done_on: Option<NaiveDate>,
    on: NaiveDate,
) -> Option<Standing> {
    if !status.is_counted() {
        return None;
    }
    let done = match (status, done_on) {
        (TaskStatus::Completed, Some(day)) if day <= on => Some(day),
        // Completed before the column existed: count it as done, on time unless known otherwise.
        (TaskStatus::Completed, None) => deadline.or(Some(on)),
        _ => None,
    };
    Some(match (done, deadline) {
        (Some(day), Some(limit)) if day > limit => Standing::DoneLate,
        (Some(_), _) => Standing::DoneOnTime,
        (None, Some(limit)) if on > limit => Standing::OpenOverdue,
        (None, _) => Standing::OpenWithinDeadline,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn splits_four_ways() {
        let deadline = Some(d(2026, 3, 31));
        let on = d(2026, 4, 15);
        let completed = TaskStatus::Completed;
        assert_eq!(
            standing(completed, deadline, Some(d(2026, 3, 31)), on),
            Some(Standing::DoneOnTime)
        );
        assert_eq!(
            standing(completed, deadline, Some(d(2026, 4, 1)), on),
            Some(Standing::DoneLate)
        );
        assert_eq!(
            standing(TaskStatus::Reported, deadline, None, d(2026, 3, 31)),
            Some(Standing::OpenWithinDeadline)
        );
        assert_eq!(
            standing(TaskStatus::Assigned, deadline, None, on),
            Some(Standing::OpenOverdue)
        );
        assert_eq!(standing(TaskStatus::Cancelled, deadline, None, on), None);
        assert_eq!(standing(TaskStatus::Draft, deadline, None, on), None);
        assert_eq!(
            standing(TaskStatus::InProgress, None, None, on),
            Some(Standing::OpenWithinDeadline)
        );
    }

    #[test]
    fn a_task_done_after_the_day_judged_was_open_on_it() {
        let deadline = Some(d(2026, 3, 31));
        assert_eq!(
            standing(
                TaskStatus::Completed,
                deadline,
                Some(d(2026, 4, 10)),
                d(2026, 4, 5)
            ),
            Some(Standing::OpenOverdue)
        );
    }
}
