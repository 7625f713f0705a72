//! The reminder policy as a pure function: from open tasks, the policy, the calendar and a day, to the
//! reminders that are due. No database, no clock.

use std::collections::HashSet;
use std::fmt;

use chrono::NaiveDate;

use super::calendar::Calendar;
use crate::config::ReminderPolicy;
use crate::store::tasks::TaskStatus;

/// Why a reminder goes out. Each occasion names the deadline it belongs to, so that a moved deadline
/// starts its reminders afresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Occasion {
    /// This many working days before the deadline.
    Before {
        /// Working days before the deadline.
        days: u32,
        /// The deadline.
        deadline: NaiveDate,
    },
    /// On the deadline (or the last working day before it).
    OnTheDay {
        /// The deadline.
        deadline: NaiveDate,
    },
    /// The `n`-th reminder while the task is overdue.
    Overdue {
        /// Which overdue reminder (1, 2, ...).
        n: u32,
        /// The deadline.
        deadline: NaiveDate,
    },
    /// The leader is told that the task is still overdue after `n` overdue reminders.
    Escalation {
        /// The overdue reminder this escalation accompanies.
        n: u32,
        /// The deadline.
        deadline: NaiveDate,
    },
}

impl Occasion {
    /// The deadline the occasion belongs to.
    pub fn deadline(self) -> NaiveDate {
        match self {
            Occasion::Before { deadline, .. }
            | Occasion::OnTheDay { deadline }
            | Occasion::Overdue { deadline, .. }
            | Occasion::Escalation { deadline, .. } => deadline,
        }
    }

    /// Reads the stored form written by `Display`.
    pub fn parse(s: &str) -> Option<Occasion> {
        let (kind, deadline) = s.split_once('@')?;
        let deadline = NaiveDate::parse_from_str(deadline, "%Y-%m-%d").ok()?;
        let number = |prefix: &str| kind.strip_prefix(prefix)?.parse::<u32>().ok();
        if kind == "due" {
            Some(Occasion::OnTheDay { deadline })
        } else if let Some(days) = number("before:") {
            Some(Occasion::Before { days, deadline })
        } else if let Some(n) = number("overdue:") {
            Some(Occasion::Overdue { n, deadline })
        } else {
            number("escalate:").map(|n| Occasion::Escalation { n, deadline })
        }
    }
}

impl fmt::Display for Occasion {
    /// The stored form, e.g. `before:7@2024-06-30`, `due@2024-06-30`, `overdue:2@2024-06-30`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let deadline = self.deadline().format("%Y-%m-%d");
        match self {
            Occasion::Before { days, .. } => write!(f, "before:{days}@{deadline}"),
            Occasion::OnTheDay { .. } => write!(f, "due@{deadline}"),
            Occasion::Overdue { n, .. } => write!(f, "overdue:{n}@{deadline}"),
            Occasion::Escalation { n, .. } => write!(f, "escalate:{n}@{deadline}"),
        }
    }
}

/// Who a reminder is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Audience {
    /// A lead agency of the task.
    Agency(i64),
    /// Nobody leads the task: the office clerk is told.
    Unassigned,
    /// The leader in charge (escalations).
    Leader,
}

impl fmt::Display for Audience {
    /// The stored form: `agency:12`, `unassigned`, `leader`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Audience::Agency(id) => write!(f, "agency:{id}"),
            Audience::Unassigned => f.write_str("unassigned"),
            Audience::Leader => f.write_str("leader"),
        }
    }
}

/// What the policy needs to know of a task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskDeadline {
    /// Task id.
    pub task_id: i64,
    /// Where the task stands.
    pub status: TaskStatus,
    /// Its deadline.
    pub deadline: NaiveDate,
    /// Ids of its lead agencies.
    pub lead_agencies: Vec<i64>,
}

/// One reminder that is due: a task, for an audience, on an occasion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DueReminder {
    /// Who is to be told.
    pub audience: Audience,
    /// The task.
    pub task_id: i64,
    /// Why.
    pub occasion: Occasion,
}

/// Whether reminders are still sent for a task in this status: only until a report is filed.
pub fn wants_reminders(status: TaskStatus) -> bool {
    matches!(
        status,
        TaskStatus::Assigned | TaskStatus::InProgress | TaskStatus::Returned
    )
}

/// The occasions of one task that have arrived by `today`: the most recent agency occasion and the
/// most recent escalation (older occasions missed while nothing ran are not sent late). Nothing on a day
/// off, and nothing once a report is filed.
pub fn arrived_occasions(
    task: &TaskDeadline,
    policy: &ReminderPolicy,
    calendar: &Calendar,
    today: NaiveDate,
) -> Vec<Occasion> {
    if !wants_reminders(task.status) || !calendar.is_working_day(today) {
        return Vec::new();
    }
    let deadline = task.deadline;
    let Some(due_day) = calendar.working_day_on_or_before(deadline) else {
        return Vec::new();
    };
    let mut arrived = Vec::new();
    let overdue_days = calendar.working_days_between(due_day, today);
    let every = i64::from(policy.overdue_every_days.max(1));
    let overdue_n = if overdue_days > 0 {
        u32::try_from(overdue_days / every).unwrap_or(u32::MAX)
    } else {
        0
    };
    if overdue_n > 0 {
        arrived.push(Occasion::Overdue {
            n: overdue_n,
            deadline,
        });
        if policy.escalate_after > 0 && overdue_n >= policy.escalate_after {
            arrived.push(Occasion::Escalation {
                n: overdue_n,
                deadline,
            });
        }
        return arrived;
    }
    // Before or on the day (or overdue by less than one overdue interval): the latest occasion whose
    // day has come.
    let mut latest: Option<(NaiveDate, Occasion)> = None;
    let mut consider = |day: Option<NaiveDate>, occasion: Occasion| {
        if let Some(day) = day
            && day <= today
            && latest.is_none_or(|(best, _)| day > best)
        {
            latest = Some((day, occasion));
        }
    };
    if policy.on_the_day {
        consider(Some(due_day), Occasion::OnTheDay { deadline });
    }
    for &days in &policy.days_before {
        if days == 0 {
            continue;
        }
        consider(
            calendar.add_working_days(due_day, -i64::from(days)),
            Occasion::Before { days, deadline },
        );
    }
    arrived.extend(latest.map(|(_, occasion)| occasion));
    arrived
}

/// The reminders due on `today` for `tasks` that are not in `already_sent` (pairs of audience and task
/// with their occasion, as recorded). Agency occasions go to every lead agency (or to `Unassigned` when
/// there is none); escalations go to the leader.
pub fn due_reminders(
    tasks: &[TaskDeadline],
    already_sent: &HashSet<DueReminder>,
    policy: &ReminderPolicy,
    calendar: &Calendar,
    today: NaiveDate,
) -> Vec<DueReminder> {
    let mut due = Vec::new();
    for task in tasks {
        // Reminders of different tasks never coincide: repeats (an agency listed twice as lead) are
        // looked for among this task's own reminders only, which keeps a pass over many tasks linear.
        let first_of_task = due.len();
        for occasion in arrived_occasions(task, policy, calendar, today) {
            let audiences: Vec<Audience> = match occasion {
                Occasion::Escalation { .. } => vec![Audience::Leader],
                _ if task.lead_agencies.is_empty() => vec![Audience::Unassigned],
                _ => task
                    .lead_agencies
                    .iter()
                    .map(|&id| Audience::Agency(id))
                    .collect(),
            };
            for audience in audiences {
                let reminder = DueReminder {
                    audience,
                    task_id: task.task_id,
                    occasion,
                };
                if !already_sent.contains(&reminder) && !due[first_of_task..].contains(&reminder) {
                    due.push(reminder);
                }
            }
        }
    }
    due.sort();
    due
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    fn task(deadline: NaiveDate) -> TaskDeadline {
        TaskDeadline {
            task_id: 1,
            status: TaskStatus::Assigned,
            deadline,
            lead_agencies: vec![10],
        }
    }

    fn policy() -> ReminderPolicy {
        ReminderPolicy {
            days_before: vec![7, 1],
            on_the_day: true,
            overdue_every_days: 3,
            escalate_after: 2,
            ..ReminderPolicy::default()
        }
    }

    /// Runs the policy every day from `from` to `to`, remembering what was sent, as the outbox does.
    fn simulate(
        tasks: &[TaskDeadline],
        policy: &ReminderPolicy,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Vec<(NaiveDate, DueReminder)> {
        let calendar = Calendar::vietnam();
        let mut sent = HashSet::new();
        let mut log = Vec::new();
        let mut day = from;
        while day <= to {
            for reminder in due_reminders(tasks, &sent, policy, calendar, day) {
                sent.insert(reminder);
                log.push((day, reminder));
            }
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
        log
    }

    #[test]
    fn occasions_round_trip_through_their_stored_form() {
        let deadline = d(2024, 6, 28);
        for occasion in [
            Occasion::Before { days: 7, deadline },
            Occasion::OnTheDay { deadline },
            Occasion::Overdue { n: 3, deadline },
            Occasion::Escalation { n: 2, deadline },
        ] {
            assert_eq!(Occasion::parse(&occasion.to_string()), Some(occasion));
        }
        assert_eq!(Occasion::parse("before:x@2024-01-01"), None);
        assert_eq!(Occasion::parse("due@2024-13-01"), None);
        assert_eq!(Occasion::parse("đến hạn"), None);
    }

    #[test]
    fn a_month_of_reminders_before_on_and_after_the_deadline() {
        // Deadline Friday 10/5/2024; 30/4 and 1/5 are holidays.
        let deadline = d(2024, 5, 10);
        let log = simulate(&[task(deadline)], &policy(), d(2024, 4, 20), d(2024, 5, 31));
        let days: Vec<(NaiveDate, String)> = log
            .iter()
            .map(|(day, r)| (*day, format!("{} {}", r.audience, r.occasion)))
            .collect();
        let expected = vec![
            // 7 working days before 10/5, skipping 30/4 and 1/5: Monday 29/4.
            (d(2024, 4, 29), "agency:10 before:7@2024-05-10".to_string()),
            (d(2024, 5, 9), "agency:10 before:1@2024-05-10".to_string()),
            (d(2024, 5, 10), "agency:10 due@2024-05-10".to_string()),
            (d(2024, 5, 15), "agency:10 overdue:1@2024-05-10".to_string()),
            (d(2024, 5, 20), "agency:10 overdue:2@2024-05-10".to_string()),
            (d(2024, 5, 20), "leader escalate:2@2024-05-10".to_string()),
            (d(2024, 5, 23), "agency:10 overdue:3@2024-05-10".to_string()),
            (d(2024, 5, 23), "leader escalate:3@2024-05-10".to_string()),
            (d(2024, 5, 28), "agency:10 overdue:4@2024-05-10".to_string()),
            (d(2024, 5, 28), "leader escalate:4@2024-05-10".to_string()),
            (d(2024, 5, 31), "agency:10 overdue:5@2024-05-10".to_string()),
            (d(2024, 5, 31), "leader escalate:5@2024-05-10".to_string()),
        ];
        assert_eq!(days, expected);
    }

    #[test]
    fn nothing_is_sent_on_days_off_or_after_a_report() {
        let calendar = Calendar::vietnam();
        let none = HashSet::new();
        // Saturday, and the Giỗ Tổ holiday.
        for today in [d(2024, 5, 11), d(2024, 4, 18)] {
            assert!(
                due_reminders(&[task(d(2024, 4, 18))], &none, &policy(), calendar, today)
                    .is_empty()
            );
        }
        for status in [
            TaskStatus::Reported,
            TaskStatus::Completed,
            TaskStatus::Cancelled,
        ] {
            let t = TaskDeadline {
                status,
                ..task(d(2024, 5, 10))
            };
            assert!(due_reminders(&[t], &none, &policy(), calendar, d(2024, 5, 20)).is_empty());
        }
        let returned = TaskDeadline {
            status: TaskStatus::Returned,
            ..task(d(2024, 5, 10))
        };
        assert_eq!(
            due_reminders(&[returned], &none, &policy(), calendar, d(2024, 5, 20)).len(),
            2
        );
    }

    #[test]
    fn a_deadline_on_a_day_off_is_reminded_on_the_working_day_before() {
        // Deadline Saturday 18/5/2024: the on-the-day reminder comes on Friday 17/5.
        let log = simulate(
            &[task(d(2024, 5, 18))],
            &policy(),
            d(2024, 5, 13),
            d(2024, 5, 20),
        );
        assert!(
            log.iter().any(|(day, r)| *day == d(2024, 5, 17)
                && matches!(r.occasion, Occasion::OnTheDay { .. }))
        );
    }

    #[test]
    fn missed_occasions_are_not_sent_late_and_nothing_twice() {
        let calendar = Calendar::vietnam();
        let t = task(d(2024, 5, 10));
        let mut sent = HashSet::new();
        // Nothing ran before 9/5: only the latest arrived occasion (1 day before) goes out.
        let first = due_reminders(
            std::slice::from_ref(&t),
            &sent,
            &policy(),
            calendar,
            d(2024, 5, 9),
        );
        assert_eq!(first.len(), 1);
        assert!(matches!(
            first[0].occasion,
            Occasion::Before { days: 1, .. }
        ));
        sent.extend(first);
        assert!(due_reminders(&[t], &sent, &policy(), calendar, d(2024, 5, 9)).is_empty());
    }

    #[test]
    fn a_moved_deadline_starts_afresh_and_unled_tasks_reach_the_clerk() {
        let calendar = Calendar::vietnam();
        let mut t = task(d(2024, 5, 10));
        t.lead_agencies.clear();
        let sent: HashSet<DueReminder> = due_reminders(
            std::slice::from_ref(&t),
            &HashSet::new(),
            &policy(),
            calendar,
            d(2024, 5, 10),
        )
        .into_iter()
        .collect();
        assert!(sent.iter().all(|r| r.audience == Audience::Unassigned));
        t.deadline = d(2024, 5, 17);
        let later = due_reminders(&[t], &sent, &policy(), calendar, d(2024, 5, 16));
        assert_eq!(later.len(), 1);
        assert_eq!(later[0].occasion.deadline(), d(2024, 5, 17));
    }

    #[test]
    fn an_agency_listed_twice_is_reminded_once_and_tasks_keep_their_own_reminders() {
        let calendar = Calendar::vietnam();
        let twice = TaskDeadline {
            lead_agencies: vec![10, 10],
            ..task(d(2024, 5, 10))
        };
        let other = TaskDeadline {
            task_id: 2,
            ..task(d(2024, 5, 10))
        };
        let due = due_reminders(
            &[twice, other],
            &HashSet::new(),
            &policy(),
            calendar,
            d(2024, 5, 10),
        );
        let seen: Vec<(Audience, i64)> = due.iter().map(|r| (r.audience, r.task_id)).collect();
        assert_eq!(
            seen,
            vec![(Audience::Agency(10), 1), (Audience::Agency(10), 2)]
        );
    }

    #[test]
    fn escalation_can_be_switched_off() {
        let no_escalation = ReminderPolicy {
            escalate_after: 0,
            ..policy()
        };
        let log = simulate(
            &[task(d(2024, 5, 10))],
            &no_escalation,
            d(2024, 5, 1),
            d(2024, 6, 28),
        );
        assert!(log.iter().all(|(_, r)| r.audience != Audience::Leader));
        assert!(log.len() > 5);
    }
}
