//! The task lifecycle as a pure transition table: which action moves a task from which status to
//! which. Every status change in the store goes through [`apply`]; who may take an action is decided
//! elsewhere (by role), which is why transitions are named by action rather than by target status.
//!
//! | action | from | to |
//! |---|---|---|
//! | `confirm` | draft | assigned |
//! | `start` | assigned, returned | in_progress |
//! | `report` | assigned, in_progress, returned | reported |
//! | `accept` | reported | completed |
//! | `return` | reported | returned |
//! | `cancel` | draft, assigned, in_progress, reported, returned | cancelled |
//! | `reopen` | completed / cancelled | in_progress / assigned |
//!
//! Deadline extensions have their own rule ([`check_extension`]): only open tasks, and only to a
//! later day.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::store::tasks::TaskStatus;

/// Something done to a task that may change its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The clerk confirms a task read from a newly registered directive: it is given to its agencies.
    Confirm,
    /// The agency starts work.
    Start,
    /// The agency files a progress report.
    Report,
    /// The clerk accepts the report awaiting a decision: the task is done.
    Accept,
    /// The clerk returns the report awaiting a decision, with a reason: work goes on.
    Return,
    /// The task is no longer required.
    Cancel,
    /// A completed or cancelled task is opened again.
    Reopen,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 7] = [
        Action::Confirm,
        Action::Start,
        Action::Report,
        Action::Accept,
        Action::Return,
        Action::Cancel,
        Action::Reopen,
    ];

    /// The identifier used in the API and the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Confirm => "confirm",
            Action::Start => "start",
            Action::Report => "report",
            Action::Accept => "accept",
            Action::Return => "return",
            Action::Cancel => "cancel",
            Action::Reopen => "reopen",
        }
    }

    /// Reads an identifier.
    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// What the action is called in Vietnamese (for messages).
    pub fn label(self) -> &'static str {
        match self {
            Action::Confirm => "xác nhận giao nhiệm vụ",
            Action::Start => "bắt đầu thực hiện",
            Action::Report => "gửi báo cáo",
            Action::Accept => "chấp nhận báo cáo",
            Action::Return => "trả lại báo cáo",
            Action::Cancel => "hủy nhiệm vụ",
            Action::Reopen => "mở lại nhiệm vụ",
        }
    }

    /// Whether the action needs a record beside the status change (a report, or the decision on
    /// one), so that it cannot be taken by merely setting a status.
    pub fn needs_record(self) -> bool {
        matches!(self, Action::Report | Action::Accept | Action::Return)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The status `action` leads to from `from`, or `None` when the action is not allowed there.
pub fn transition(from: TaskStatus, action: Action) -> Option<TaskStatus> {
    use TaskStatus::{Assigned, Cancelled, Completed, Draft, InProgress, Reported, Returned};
    match (action, from) {
        (Action::Confirm, Draft) => Some(Assigned),
        (Action::Start, Assigned | Returned) => Some(InProgress),
        (Action::Report, Assigned | InProgress | Returned) => Some(Reported),
        (Action::Accept, Reported) => Some(Completed),
        (Action::Return, Reported) => Some(Returned),
        (Action::Cancel, Draft | Assigned | InProgress | Reported | Returned) => Some(Cancelled),
        (Action::Reopen, Completed) => Some(InProgress),
        (Action::Reopen, Cancelled) => Some(Assigned),
        _ => None,
    }
}

/// The actions allowed from `from`, in [`Action::ALL`] order.
pub fn allowed(from: TaskStatus) -> Vec<Action> {
    Action::ALL
        .into_iter()
        .filter(|a| transition(from, *a).is_some())
        .collect()
}

/// The action that moves a task from `from` to `to`, if there is exactly one.
pub fn action_between(from: TaskStatus, to: TaskStatus) -> Option<Action> {
    let mut found = Action::ALL
        .into_iter()
        .filter(|a| transition(from, *a) == Some(to));
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

/// A refused change, with a Vietnamese explanation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The action is not allowed in the task's status.
    #[error("nhiệm vụ đang ở trạng thái «{}», không thể {}", status_label(*.from), .action.label())]
    Transition {
        /// The task's status.
        from: TaskStatus,
        /// The action tried.
        action: Action,
    },
    /// The task is closed: its deadline no longer matters.
    #[error("nhiệm vụ đang ở trạng thái «{}», không thể gia hạn", status_label(*.status))]
    Closed {
        /// The task's status.
        status: TaskStatus,
    },
    /// The requested deadline is not later than the current one.
    #[error("hạn đề nghị ({}) phải sau hạn hiện tại ({})", vn(*.requested), vn(*.current))]
    NotLater {
        /// The current deadline.
        current: NaiveDate,
        /// The deadline asked for.
        requested: NaiveDate,
    },
}

fn vn(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// The Vietnamese name of a status, as messages use it.
pub fn status_label(status: TaskStatus) -> &'static str {
    match status {
        TaskStatus::Draft => "Chờ xác nhận",
        TaskStatus::Assigned => "Đã giao",
        TaskStatus::InProgress => "Đang thực hiện",
        TaskStatus::Reported => "Đã báo cáo",
        TaskStatus::Completed => "Hoàn thành",
        TaskStatus::Returned => "Trả lại",
        TaskStatus::Cancelled => "Đã hủy",
    }
}

/// The status after `action`, or the refusal.
pub fn apply(from: TaskStatus, action: Action) -> Result<TaskStatus, Refusal> {
    transition(from, action).ok_or(Refusal::Transition { from, action })
}

/// Whether an extension to `requested` may be asked for on a task in `status` whose deadline is
/// `current`: the task must be open and the new deadline later than the current one.
pub fn check_extension(
    status: TaskStatus,
    current: Option<NaiveDate>,
    requested: NaiveDate,
) -> Result<(), Refusal> {
    if status.is_closed() {
        return Err(Refusal::Closed { status });
    }
    match current {
        Some(current) if requested <= current => Err(Refusal::NotLater { current, requested }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TaskStatus::{Assigned, Cancelled, Completed, Draft, InProgress, Reported, Returned};

    #[test]
    fn the_table_allows_exactly_the_lifecycle() {
        let allowed_pairs: Vec<(TaskStatus, Action, TaskStatus)> = TaskStatus::ALL
            .into_iter()
            .flat_map(|from| {
                Action::ALL
                    .into_iter()
                    .filter_map(move |a| transition(from, a).map(|to| (from, a, to)))
            })
            .collect();
        let expected = vec![
            (Draft, Action::Confirm, Assigned),
            (Draft, Action::Cancel, Cancelled),
            (Assigned, Action::Start, InProgress),
            (Assigned, Action::Report, Reported),
            (Assigned, Action::Cancel, Cancelled),
            (InProgress, Action::Report, Reported),
            (InProgress, Action::Cancel, Cancelled),
            (Reported, Action::Accept, Completed),
            (Reported, Action::Return, Returned),
            (Reported, Action::Cancel, Cancelled),
            (Completed, Action::Reopen, InProgress),
            (Returned, Action::Start, InProgress),
            (Returned, Action::Report, Reported),
            (Returned, Action::Cancel, Cancelled),
            (Cancelled, Action::Reopen, Assigned),
        ];
        assert_eq!(allowed_pairs, expected);
    }

    #[test]
    fn a_report_awaits_one_decision() {
        // A second report cannot be filed while one awaits the clerk, and a decision needs a report.
        assert!(apply(Reported, Action::Report).is_err());
        for from in [Draft, Assigned, InProgress, Returned, Completed, Cancelled] {
            assert!(apply(from, Action::Accept).is_err(), "{from:?}");
            assert!(apply(from, Action::Return).is_err(), "{from:?}");
        }
        // Closed tasks take nothing but a reopening.
        for from in [Completed, Cancelled] {
            assert_eq!(allowed(from), vec![Action::Reopen]);
        }
    }

    #[test]
    fn refusals_explain_in_vietnamese() {
        let refusal = apply(Completed, Action::Return).unwrap_err();
        assert_eq!(
            refusal.to_string(),
            "nhiệm vụ đang ở trạng thái «Hoàn thành», không thể trả lại báo cáo"
        );
    }

    #[test]
    fn a_status_change_names_its_action() {
        assert_eq!(action_between(Assigned, InProgress), Some(Action::Start));
        assert_eq!(action_between(Reported, Cancelled), Some(Action::Cancel));
        assert_eq!(action_between(Cancelled, Assigned), Some(Action::Reopen));
        assert_eq!(action_between(Assigned, Completed), None);
        assert_eq!(action_between(Assigned, Assigned), None);
        for action in Action::ALL {
            assert_eq!(Action::parse(action.as_str()), Some(action));
        }
    }

    #[test]
    fn extensions_only_move_an_open_deadline_later() {
        let day = |d| NaiveDate::from_ymd_opt(2024, 4, d).unwrap();
        assert!(check_extension(InProgress, Some(day(15)), day(30)).is_ok());
        assert!(check_extension(Returned, None, day(30)).is_ok());
        assert_eq!(
            check_extension(Assigned, Some(day(15)), day(15)),
            Err(Refusal::NotLater {
                current: day(15),
                requested: day(15)
            })
        );
        assert!(check_extension(Completed, Some(day(15)), day(30)).is_err());
        assert!(check_extension(Cancelled, Some(day(15)), day(30)).is_err());
    }
}
