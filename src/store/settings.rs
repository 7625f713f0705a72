//! Settings an administrator changes while the service runs: the reminder policy (overriding the
//! configuration file's `[reminders]`) and the office's own calendar days (extra days off, make-up
//! working days) added to the shipped holiday list. Every change is in the audit log.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::schema::{calendar_days, settings};
use super::{DbConnection, StoreError, audit, now};
use crate::config::ReminderPolicy;
use crate::tracker::calendar::Calendar;

const POLICY_KEY: &str = "reminder_policy";

/// The part of the reminder policy an administrator may change (the sender address stays in the
/// configuration file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicySettings {
    /// Working days before the deadline on which a reminder goes out (each 1 to 60, at most 5).
    pub days_before: Vec<u32>,
    /// Whether a reminder goes out on the deadline itself.
    pub on_the_day: bool,
    /// While a task is overdue, a reminder goes out every this many working days (1 to 30).
    pub overdue_every_days: u32,
    /// After this many overdue reminders the leader is told as well (0: never; at most 20).
    pub escalate_after: u32,
    /// Address of the leader who receives escalations; none sends them to `fallback_email`.
    pub leader_email: Option<String>,
    /// Address for mail without a better recipient.
    pub fallback_email: String,
}

impl PolicySettings {
    /// The editable part of `policy`.
    pub fn of(policy: &ReminderPolicy) -> PolicySettings {
        PolicySettings {
            days_before: policy.days_before.clone(),
            on_the_day: policy.on_the_day,
            overdue_every_days: policy.overdue_every_days,
            escalate_after: policy.escalate_after,
            leader_email: policy.leader_email.clone(),
            fallback_email: policy.fallback_email.clone(),
        }
    }

    /// `base` with these settings in place of its editable part.
    pub fn apply_to(&self, base: &ReminderPolicy) -> ReminderPolicy {
        ReminderPolicy {
            days_before: self.days_before.clone(),
            on_the_day: self.on_the_day,
            overdue_every_days: self.overdue_every_days,
            escalate_after: self.escalate_after,
            leader_email: self.leader_email.clone(),
            fallback_email: self.fallback_email.clone(),
            mail_from: base.mail_from.clone(),
        }
    }

    /// Checks the values and normalises them (days sorted, latest first, without repeats; addresses
    /// trimmed); the error says in Vietnamese what is wrong.
    pub fn checked(mut self) -> Result<PolicySettings, String> {
        if self.days_before.len() > 5 {
            return Err("Chỉ đặt tối đa 5 lần nhắc trước hạn.".into());
        }
        if let Some(day) = self.days_before.iter().find(|d| !(1..=60).contains(*d)) {
            return Err(format!(
                "Số ngày nhắc trước hạn phải từ 1 đến 60 (có {day})."
            ));
        }
        self.days_before.sort_unstable_by(|a, b| b.cmp(a));
        self.days_before.dedup();
        if !(1..=30).contains(&self.overdue_every_days) {
            return Err("Chu kỳ nhắc khi quá hạn phải từ 1 đến 30 ngày làm việc.".into());
        }
        if self.escalate_after > 20 {
            return Err("Số lần nhắc quá hạn trước khi báo lãnh đạo phải từ 0 đến 20.".into());
        }
        self.leader_email = crate::tracker::check_address(self.leader_email.as_deref())?;
        self.fallback_email = crate::tracker::check_address(Some(&self.fallback_email))?
            .ok_or("Cần một địa chỉ thư dự phòng.")?;
        Ok(self)
    }
}

/// The reminder policy in force: the administrator's settings if saved, else `base` (the
/// configuration file's).
pub fn reminder_policy(
    conn: &mut DbConnection,
    base: &ReminderPolicy,
) -> Result<ReminderPolicy, StoreError> {
    let saved: Option<String> = settings::table
        .find(POLICY_KEY)
        .select(settings::value)
        .first(conn)
        .optional()?;
    match saved {
        Some(json) => {
            let settings: PolicySettings = serde_json::from_str(&json)
                .map_err(|e| StoreError::Corrupt(format!("setting {POLICY_KEY}: {e}")))?;
            Ok(settings.apply_to(base))
        }
        None => Ok(base.clone()),
    }
}

/// Checks and saves the reminder policy; the next reminder pass uses it.
pub fn set_reminder_policy(
    conn: &mut DbConnection,
    policy: PolicySettings,
    base: &ReminderPolicy,
    actor: &str,
) -> Result<ReminderPolicy, StoreError> {
    let before = PolicySettings::of(&reminder_policy(conn, base)?);
    let policy = policy.checked().map_err(StoreError::Invalid)?;
    let json = serde_json::to_string(&policy)
        .map_err(|e| StoreError::Corrupt(format!("setting {POLICY_KEY}: {e}")))?;
    let stamp = now();
    let updated = diesel::update(settings::table.find(POLICY_KEY))
        .set((
            settings::value.eq(&json),
            settings::updated_at.eq(stamp),
            settings::updated_by.eq(actor),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(settings::table)
            .values((
                settings::key.eq(POLICY_KEY),
                settings::value.eq(&json),
                settings::updated_at.eq(stamp),
                settings::updated_by.eq(actor),
            ))
            .execute(conn)?;
    }
    audit::record(
        conn,
        actor,
        "settings.reminder_policy",
        "settings",
        None,
        serde_json::json!({ "before": before, "after": policy }),
    )?;
    Ok(policy.apply_to(base))
}

/// A day the office declares beside the shipped holidays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OfficeDay {
    /// The day.
    pub day: NaiveDate,
    /// `true`: worked (a make-up working day); `false`: a day off.
    pub working: bool,
    /// Why ("Nghỉ bù Quốc khánh", "Làm bù cho ngày 05/9").
    pub name: String,
}

/// The office's days, in date order.
pub fn office_days(conn: &mut DbConnection) -> Result<Vec<OfficeDay>, StoreError> {
    let rows: Vec<(NaiveDate, bool, String)> = calendar_days::table
        .order(calendar_days::day.asc())
        .select((
            calendar_days::day,
            calendar_days::working,
            calendar_days::name,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(day, working, name)| OfficeDay { day, working, name })
        .collect())
}

/// Adds or replaces the office's entry for a day.
pub fn set_office_day(
    conn: &mut DbConnection,
    day: &OfficeDay,
    actor: &str,
) -> Result<(), StoreError> {
    let name = day.name.trim();
    if name.is_empty() {
        return Err(StoreError::Invalid(
            "Hãy ghi lý do (tên ngày nghỉ hoặc ngày làm bù).".into(),
        ));
    }
    if name.chars().count() > 200 {
        return Err(StoreError::Invalid("Lý do dài quá 200 ký tự.".into()));
    }
    diesel::delete(calendar_days::table.find(day.day)).execute(conn)?;
    diesel::insert_into(calendar_days::table)
        .values((
            calendar_days::day.eq(day.day),
            calendar_days::working.eq(day.working),
            calendar_days::name.eq(name),
            calendar_days::created_at.eq(now()),
            calendar_days::created_by.eq(actor),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        "settings.office_day",
        "settings",
        None,
        serde_json::json!({ "day": day.day, "working": day.working, "name": name }),
    )?;
    Ok(())
}

/// Removes the office's entry for a day (the shipped list applies again).
pub fn remove_office_day(
    conn: &mut DbConnection,
    day: NaiveDate,
    actor: &str,
) -> Result<(), StoreError> {
    let removed = diesel::delete(calendar_days::table.find(day)).execute(conn)?;
    if removed == 0 {
        return Err(StoreError::Invalid(format!(
            "Ngày {} không có trong danh sách của cơ quan.",
            day.format("%d/%m/%Y")
        )));
    }
    audit::record(
        conn,
        actor,
        "settings.office_day_removed",
        "settings",
        None,
        serde_json::json!({ "day": day }),
    )?;
    Ok(())
}

/// The working-day calendar in force: the shipped Vietnamese holidays with the office's days.
pub fn calendar(conn: &mut DbConnection) -> Result<Calendar, StoreError> {
    Ok(Calendar::vietnam()
        .with_office_days(office_days(conn)?.into_iter().map(|d| (d.day, d.working))))
}
