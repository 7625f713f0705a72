//! The working-day calendar: weekends and Vietnamese public holidays (solar and lunar), the latter
//! kept as explicit dates in `dictionaries/holidays.tsv`.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// The holiday list shipped with the program (see the file header for its sources).
const HOLIDAYS_TSV: &str = include_str!("../../dictionaries/holidays.tsv");

/// Longest run of consecutive days off searched before giving up (guards against a calendar in
/// which no day is a working day).
const MAX_DAYS_OFF_IN_A_ROW: u32 = 366;

/// Which days are working days: Monday to Friday, except public holidays, plus the make-up
/// working days an office declares (a Saturday worked in exchange for a bridge holiday).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    holidays: BTreeSet<NaiveDate>,
    /// Days worked whatever they would otherwise be (weekend or holiday).
    working: BTreeSet<NaiveDate>,
}

impl Calendar {
    /// A calendar with the given public holidays.
    pub fn new(holidays: impl IntoIterator<Item = NaiveDate>) -> Calendar {
        Calendar {
            holidays: holidays.into_iter().collect(),
            working: BTreeSet::new(),
        }
    }

    /// This calendar with an office's own days: `(day, false)` adds a day off, `(day, true)` makes
    /// the day a working day.
    pub fn with_office_days(&self, days: impl IntoIterator<Item = (NaiveDate, bool)>) -> Calendar {
        let mut calendar = self.clone();
        for (day, working) in days {
            if working {
                calendar.holidays.remove(&day);
                calendar.working.insert(day);
            } else {
                calendar.working.remove(&day);
                calendar.holidays.insert(day);
            }
        }
        calendar
    }

    /// The Vietnamese calendar from `dictionaries/holidays.tsv` (read once).
    pub fn vietnam() -> &'static Calendar {
        static CALENDAR: OnceLock<Calendar> = OnceLock::new();
        CALENDAR
            .get_or_init(|| Calendar::new(parse_holidays(HOLIDAYS_TSV).into_iter().map(|h| h.0)))
    }

    /// Whether `date` is a public holiday (whatever day of the week it is).
    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.holidays.contains(&date)
    }

    /// Whether offices work on `date`.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.working.contains(&date) || (!is_weekend(date) && !self.is_holiday(date))
    }

    /// The date `n` working days after `date` (before it when `n` is negative); `date` itself need not
    /// be a working day. `None` when the result leaves chrono's date range.
    pub fn add_working_days(&self, date: NaiveDate, n: i64) -> Option<NaiveDate> {
        let mut current = date;
        for _ in 0..n.unsigned_abs() {
            current = self.step(current, n > 0)?;
        }
        Some(current)
    }

    /// The nearest working day on or before `date`.
    pub fn working_day_on_or_before(&self, date: NaiveDate) -> Option<NaiveDate> {
        if self.is_working_day(date) {
            Some(date)
        } else {
            self.step(date, false)
        }
    }

    /// The next working day after `date` in the given direction.
    fn step(&self, date: NaiveDate, forward: bool) -> Option<NaiveDate> {
        let mut current = date;
        for _ in 0..MAX_DAYS_OFF_IN_A_ROW {
            current = if forward {
                current.checked_add_days(Days::new(1))?
            } else {
                current.checked_sub_days(Days::new(1))?
            };
            if self.is_working_day(current) {
                return Some(current);
            }
        }
        None
    }

    /// Working days after `from` up to and including `to`; negative when `to` is before `from`
    /// (then it counts the working days after `to` up to and including `from`).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to < from {
            return -self.working_days_between(to, from);
        }
        let range = (
            std::ops::Bound::Excluded(from),
            std::ops::Bound::Included(to),
        );
        let weekdays = weekdays_up_to(to) - weekdays_up_to(from);
        let holidays = self
            .holidays
            .range(range)
            .filter(|d| !is_weekend(**d) && !self.working.contains(*d))
            .count();
        let make_up = self
            .working
            .range(range)
            .filter(|d| is_weekend(**d))
            .count();
        weekdays - i64::try_from(holidays).unwrap_or(i64::MAX)
            + i64::try_from(make_up).unwrap_or(i64::MAX)
    }
}

/// The Vietnamese public holidays of `dictionaries/holidays.tsv`, with their names, by date.
pub fn vietnamese_holidays() -> Vec<(NaiveDate, String)> {
    parse_holidays(HOLIDAYS_TSV)
}

/// Saturday or Sunday.
pub fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Monday-to-Friday days from an epoch Monday up to and including `date` (may be negative).
fn weekdays_up_to(date: NaiveDate) -> i64 {
    // Day 1 of the proleptic Gregorian calendar (0001-01-01) is a Monday.
    let days = i64::from(date.num_days_from_ce()) - 1;
    let weeks = days.div_euclid(7);
    let rest = days.rem_euclid(7);
    weeks * 5 + rest.min(4) + 1
}

/// Reads `date<TAB>name` lines (`#` comments and blank lines skipped); unreadable lines are left out
/// (see [`parse_holidays_checked`]).
pub fn parse_holidays(text: &str) -> Vec<(NaiveDate, String)> {
    parse_holidays_checked(text).0
}

/// Like [`parse_holidays`], also answering the numbers of the lines that could not be read.
pub fn parse_holidays_checked(text: &str) -> (Vec<(NaiveDate, String)>, Vec<usize>) {
    let mut days = Vec::new();
    let mut bad = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (date, name) = line.split_once('\t').unwrap_or((line, ""));
        match NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d") {
            Ok(date) => days.push((date, name.trim().to_string())),
            Err(_) => bad.push(number + 1),
        }
    }
    (days, bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn the_shipped_list_reads_cleanly_and_covers_every_year() {
        let (days, bad) = parse_holidays_checked(HOLIDAYS_TSV);
        assert!(bad.is_empty(), "unreadable lines {bad:?}");
        for year in 2019..=2035 {
            let count = days.iter().filter(|(d, _)| d.year() == year).count();
            assert!(count >= 9, "{year}: only {count} holidays");
            for (m, day) in [(1, 1), (4, 30), (5, 1), (9, 2)] {
                assert!(
                    Calendar::vietnam().is_holiday(d(year, m, day)),
                    "{year}-{m}-{day}"
                );
            }
        }
    }

    #[test]
    fn lunar_holidays_fall_on_their_known_solar_dates() {
        let cal = Calendar::vietnam();
        // Mùng 1 Tết and Giỗ Tổ Hùng Vương (10/3 âm lịch) as printed on Vietnamese calendars.
        for (tet, gio_to) in [
            (d(2020, 1, 25), d(2020, 4, 2)),
            (d(2024, 2, 10), d(2024, 4, 18)),
            (d(2025, 1, 29), d(2025, 4, 7)),
            (d(2026, 2, 17), d(2026, 4, 26)),
            (d(2030, 2, 2), d(2030, 4, 12)),
        ] {
            assert!(cal.is_holiday(tet), "{tet}");
            assert!(cal.is_holiday(gio_to), "{gio_to}");
        }
        // The official Tết 2025 break ran from 25/01 to 02/02.
        assert!(cal.is_holiday(d(2025, 1, 27)));
        assert!(cal.is_holiday(d(2025, 1, 31)));
        assert!(cal.is_working_day(d(2025, 2, 3)));
        assert!(cal.is_working_day(d(2025, 1, 24)));
    }

    #[test]
    fn weekends_and_holidays_are_not_working_days() {
        let cal = Calendar::vietnam();
        assert!(!cal.is_working_day(d(2024, 3, 2))); // Saturday
        assert!(!cal.is_working_day(d(2024, 3, 3))); // Sunday
        assert!(cal.is_working_day(d(2024, 3, 4)));
        assert!(!cal.is_working_day(d(2024, 4, 18))); // Giỗ Tổ, a Thursday
        assert!(!cal.is_working_day(d(2024, 9, 2)));
    }

    #[test]
    fn adding_working_days_skips_weekends_and_holidays() {
        let cal = Calendar::vietnam();
        // Wednesday 17/4/2024 + 1 working day: Thursday 18/4 is Giỗ Tổ, so Friday 19/4.
        assert_eq!(
            cal.add_working_days(d(2024, 4, 17), 1),
            Some(d(2024, 4, 19))
        );
        // Friday 26/4/2024 + 2: Monday 29/4, then 30/4 and 1/5 are holidays: Thursday 2/5.
        assert_eq!(cal.add_working_days(d(2024, 4, 26), 2), Some(d(2024, 5, 2)));
        assert_eq!(
            cal.add_working_days(d(2024, 5, 2), -2),
            Some(d(2024, 4, 26))
        );
        assert_eq!(cal.add_working_days(d(2024, 3, 6), 0), Some(d(2024, 3, 6)));
        // Across the Tết 2024 break (8/2 to 14/2).
        assert_eq!(cal.add_working_days(d(2024, 2, 7), 1), Some(d(2024, 2, 15)));
    }

    #[test]
    fn counting_working_days_agrees_with_stepping() {
        let cal = Calendar::vietnam();
        let start = d(2023, 12, 20);
        let mut day = start;
        for n in 1..=200 {
            day = cal.add_working_days(day, 1).unwrap_or(day);
            assert_eq!(cal.working_days_between(start, day), n, "{day}");
            assert_eq!(cal.working_days_between(day, start), -n, "{day}");
        }
        assert_eq!(cal.working_days_between(start, start), 0);
        // A weekend contributes nothing.
        assert_eq!(cal.working_days_between(d(2024, 3, 1), d(2024, 3, 3)), 0);
    }

    #[test]
    fn extreme_dates_do_not_panic() {
        let cal = Calendar::vietnam();
        assert_eq!(cal.add_working_days(NaiveDate::MAX, 5), None);
        assert_eq!(cal.add_working_days(NaiveDate::MIN, -5), None);
        let n = cal.working_days_between(NaiveDate::MIN, NaiveDate::MAX);
        assert!(n > 0);
        let all_off =
            Calendar::new((0..400).filter_map(|i| d(2024, 1, 1).checked_add_days(Days::new(i))));
        assert_eq!(all_off.add_working_days(d(2024, 1, 1), 1), None);
    }

    #[test]
    fn office_days_add_days_off_and_make_up_working_days() {
        // 2025: a Friday off in exchange for working the Saturday after.
        let base = Calendar::new([d(2025, 9, 2)]);
        let office = base.with_office_days([
            (d(2025, 9, 5), false),
            (d(2025, 9, 6), true),
            (d(2025, 9, 2), true),
        ]);
        assert!(!office.is_working_day(d(2025, 9, 5)));
        assert!(office.is_working_day(d(2025, 9, 6)));
        assert!(office.is_working_day(d(2025, 9, 2)), "a holiday worked");
        assert!(!office.is_working_day(d(2025, 9, 7)));
        assert_eq!(
            office.add_working_days(d(2025, 9, 4), 1),
            Some(d(2025, 9, 6))
        );
        // The fast count agrees with stepping day by day, both ways and across the changed days.
        for (from, to) in [
            (d(2025, 8, 25), d(2025, 9, 20)),
            (d(2025, 9, 5), d(2025, 9, 6)),
            (d(2025, 9, 1), d(2025, 9, 2)),
        ] {
            let mut stepped = 0;
            let mut day = from;
            while day < to {
                day = day.succ_opt().unwrap_or(day);
                if office.is_working_day(day) {
                    stepped += 1;
                }
            }
            assert_eq!(
                office.working_days_between(from, to),
                stepped,
                "{from}..{to}"
            );
            assert_eq!(office.working_days_between(to, from), -stepped);
        }
    }
}
