//! Deadlines of recurring duties ("báo cáo hằng tháng", "định kỳ hằng quý"): the deadline of each
//! occurrence from the rule and the first deadline. Pure: no database, no clock.
//!
//! A series keeps the day its first deadline names within its period. Counted in calendar days
//! (the default), "the 20th" stays the 20th (clamped to shorter months) and a month's last day
//! stays the last day. Counted in working days (the deadline's words say "ngày làm việc"), the
//! `n`-th working day of the period stays the `n`-th working day, and the last working day stays
//! the last, skipping weekends and public holidays through [`Calendar`].

use chrono::{Datelike, Days, Months, NaiveDate};

use super::calendar::Calendar;
use crate::extract::Recurrence;

/// How a recurring task's deadlines follow each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// How often it falls due.
    pub every: Recurrence,
    /// Whether the day within the period is counted in working days.
    pub working_days: bool,
}

/// The identifier stored in `tasks.recurrence`.
pub fn as_str(recurrence: Recurrence) -> &'static str {
    match recurrence {
        Recurrence::Daily => "daily",
        Recurrence::Weekly => "weekly",
        Recurrence::Monthly => "monthly",
        Recurrence::Quarterly => "quarterly",
        Recurrence::Semiannual => "semiannual",
        Recurrence::Yearly => "yearly",
    }
}

/// Reads a stored identifier.
pub fn parse(s: &str) -> Option<Recurrence> {
    [
        Recurrence::Daily,
        Recurrence::Weekly,
        Recurrence::Monthly,
        Recurrence::Quarterly,
        Recurrence::Semiannual,
        Recurrence::Yearly,
    ]
    .into_iter()
    .find(|r| as_str(*r) == s)
}

/// Whether the words stating a deadline count its day in working days ("5 ngày làm việc đầu
/// tháng", "ngày làm việc cuối cùng của quý").
pub fn counts_working_days(deadline_text: &str) -> bool {
    crate::text::unicode::fold(deadline_text)
        .to_lowercase()
        .contains("ngay lam viec")
}

/// Months in a period, for the rules that count in months.
fn months(every: Recurrence) -> Option<u32> {
    match every {
        Recurrence::Monthly => Some(1),
        Recurrence::Quarterly => Some(3),
        Recurrence::Semiannual => Some(6),
        Recurrence::Yearly => Some(12),
        Recurrence::Daily | Recurrence::Weekly => None,
    }
}

/// The first day of the period of `every` that contains `date`.
fn period_start(every: Recurrence, date: NaiveDate) -> Option<NaiveDate> {
    match months(every) {
        Some(m) => {
            let month0 = (date.month0() / m) * m;
            NaiveDate::from_ymd_opt(date.year(), month0 + 1, 1)
        }
        None if every == Recurrence::Weekly => {
            date.checked_sub_days(Days::new(u64::from(date.weekday().num_days_from_monday())))
        }
        None => Some(date),
    }
}

/// The first day of the period `steps` periods after the one starting on `start`.
fn shift(every: Recurrence, start: NaiveDate, steps: u32) -> Option<NaiveDate> {
    match months(every) {
        Some(m) => start.checked_add_months(Months::new(m.checked_mul(steps)?)),
        None if every == Recurrence::Weekly => {
            start.checked_add_days(Days::new(7 * u64::from(steps)))
        }
        None => start.checked_add_days(Days::new(u64::from(steps))),
    }
}

fn last_day_of_month(date: NaiveDate) -> Option<NaiveDate> {
    date.with_day(1)?
        .checked_add_months(Months::new(1))?
        .pred_opt()
}

/// The deadline of occurrence `k` (1 is the first, whose deadline is `first`) of a series.
pub fn deadline_of(rule: Rule, first: NaiveDate, k: u32, calendar: &Calendar) -> Option<NaiveDate> {
    let steps = k.checked_sub(1)?;
    if steps == 0 {
        return Some(first);
    }
    if rule.working_days {
        return working_day_deadline(rule.every, first, steps, calendar);
    }
    match months(rule.every) {
        Some(m) => {
            let moved = first.checked_add_months(Months::new(m.checked_mul(steps)?))?;
            if last_day_of_month(first)? == first {
                last_day_of_month(moved)
            } else {
                Some(moved)
            }
        }
        None => {
            let start = period_start(rule.every, first)?;
            let offset = (first - start).num_days();
            shift(rule.every, start, steps)?.checked_add_days(Days::new(offset.try_into().ok()?))
        }
    }
}

/// The `n`-th working day of the period `steps` periods on, where `first` is the `n`-th working day
/// of its own period (the last working day stays the last).
fn working_day_deadline(
    every: Recurrence,
    first: NaiveDate,
    steps: u32,
    calendar: &Calendar,
) -> Option<NaiveDate> {
    if every == Recurrence::Daily {
        return calendar.add_working_days(first, i64::from(steps));
    }
    let start = period_start(every, first)?;
    let end = shift(every, start, 1)?.pred_opt()?;
    let n = calendar
        .working_days_between(start.pred_opt()?, first)
        .max(1);
    let is_last = calendar
        .working_day_on_or_before(end)
        .is_some_and(|last| first >= last);
    let target_start = shift(every, start, steps)?;
    let target_end = shift(every, target_start, 1)?.pred_opt()?;
    let last = calendar
        .working_day_on_or_before(target_end)
        .filter(|d| *d >= target_start);
    if is_last {
        return last.or(Some(target_end));
    }
    let nth = calendar.add_working_days(target_start.pred_opt()?, n)?;
    if nth > target_end {
        last.or(Some(target_end))
    } else {
        Some(nth)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn rule(every: Recurrence, working_days: bool) -> Rule {
        Rule {
            every,
            working_days,
        }
    }

    #[test]
    fn calendar_days_keep_the_day_of_the_period() {
        let cal = Calendar::vietnam();
        let monthly = rule(Recurrence::Monthly, false);
        assert_eq!(
            deadline_of(monthly, d(2024, 1, 20), 1, cal),
            Some(d(2024, 1, 20))
        );
        assert_eq!(
            deadline_of(monthly, d(2024, 1, 20), 2, cal),
            Some(d(2024, 2, 20))
        );
        assert_eq!(
            deadline_of(monthly, d(2024, 1, 20), 13, cal),
            Some(d(2025, 1, 20))
        );
        // The 30th is clamped in February but comes back in March (counted from the first).
        assert_eq!(
            deadline_of(monthly, d(2024, 1, 30), 2, cal),
            Some(d(2024, 2, 29))
        );
        assert_eq!(
            deadline_of(monthly, d(2024, 1, 30), 3, cal),
            Some(d(2024, 3, 30))
        );
        // The last day of a month stays the last day.
        assert_eq!(
            deadline_of(monthly, d(2024, 2, 29), 2, cal),
            Some(d(2024, 3, 31))
        );
        assert_eq!(
            deadline_of(monthly, d(2024, 4, 30), 2, cal),
            Some(d(2024, 5, 31))
        );
        let quarterly = rule(Recurrence::Quarterly, false);
        assert_eq!(
            deadline_of(quarterly, d(2024, 3, 31), 2, cal),
            Some(d(2024, 6, 30))
        );
        assert_eq!(
            deadline_of(quarterly, d(2024, 4, 15), 4, cal),
            Some(d(2025, 1, 15))
        );
        let half = rule(Recurrence::Semiannual, false);
        assert_eq!(
            deadline_of(half, d(2024, 6, 30), 2, cal),
            Some(d(2024, 12, 31))
        );
        assert_eq!(
            deadline_of(half, d(2024, 6, 30), 3, cal),
            Some(d(2025, 6, 30))
        );
        let yearly = rule(Recurrence::Yearly, false);
        assert_eq!(
            deadline_of(yearly, d(2024, 12, 15), 2, cal),
            Some(d(2025, 12, 15))
        );
        let weekly = rule(Recurrence::Weekly, false);
        assert_eq!(
            deadline_of(weekly, d(2024, 4, 12), 2, cal),
            Some(d(2024, 4, 19))
        );
        assert_eq!(
            deadline_of(rule(Recurrence::Daily, false), d(2024, 4, 12), 3, cal),
            Some(d(2024, 4, 14))
        );
        assert_eq!(deadline_of(monthly, d(2024, 1, 20), 0, cal), None);
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        let cal = Calendar::vietnam();
        let monthly = rule(Recurrence::Monthly, true);
        // 5/1/2024 is the 4th working day of January 2024 (1/1 is a holiday).
        assert_eq!(cal.working_days_between(d(2023, 12, 31), d(2024, 1, 5)), 4);
        // April 2024: 1-5 are working days, so the 4th is Thursday 4/4.
        assert_eq!(
            deadline_of(monthly, d(2024, 1, 5), 4, cal),
            Some(d(2024, 4, 4))
        );
        // May 2024: 1/5 is a holiday, 4-5 a weekend: the 4th working day is Tuesday 7/5.
        assert_eq!(
            deadline_of(monthly, d(2024, 1, 5), 5, cal),
            Some(d(2024, 5, 7))
        );
        // The last working day stays the last: 31/3/2024 is a Sunday, 29/3 the last working day;
        // 30/4 and 1/5 are holidays, so April's last is Monday 29/4.
        assert_eq!(
            deadline_of(monthly, d(2024, 3, 29), 2, cal),
            Some(d(2024, 4, 29))
        );
        // Quarterly, the 10th working day: Q3 2024 starts Monday 1/7, so Friday 12/7.
        let quarterly = rule(Recurrence::Quarterly, true);
        let first = d(2024, 4, 12);
        assert_eq!(cal.working_days_between(d(2024, 3, 31), first), 10);
        assert_eq!(deadline_of(quarterly, first, 2, cal), Some(d(2024, 7, 12)));
        let daily = rule(Recurrence::Daily, true);
        assert_eq!(
            deadline_of(daily, d(2024, 4, 12), 2, cal),
            Some(d(2024, 4, 15))
        );
    }

    #[test]
    fn identifiers_and_words() {
        for r in [
            Recurrence::Monthly,
            Recurrence::Semiannual,
            Recurrence::Daily,
        ] {
            assert_eq!(parse(as_str(r)), Some(r));
        }
        assert_eq!(parse("fortnightly"), None);
        assert!(counts_working_days("trong 05 ngày làm việc đầu tháng"));
        assert!(counts_working_days("trong 05 NGAY LAM VIEC dau thang"));
        assert!(!counts_working_days("trước ngày 20 hằng tháng"));
    }
}
