//! The task tracker: chases every open task with reminder mail until a report is filed.
//!
//! - [`calendar`]: working days (weekends, Vietnamese public holidays including lunar ones).
//! - [`policy`]: which reminders are due on a day (pure).
//! - [`mail`]: the Vietnamese text of the daily digests (pure).
//! - [`outbox`]: deciding and recording reminders in one transaction; claiming and marking mail.
//! - [`delivery`]: sending outbox mail over SMTP or into `.eml` files.
//! - [`standing`]: the four-way split of tasks that performance reports count (pure).
//! - [`lifecycle`]: which action moves a task from which status to which (pure).
//! - [`recurrence`]: the deadlines of recurring duties' occurrences (pure).
//!
//! [`run_once`] does one pass (schedule, then deliver); [`run_forever`] repeats it beside the server.

pub mod calendar;
pub mod delivery;
pub mod lifecycle;
pub mod mail;
pub mod outbox;
pub mod policy;
pub mod recurrence;
pub mod standing;

use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta, Timelike};
use serde::Serialize;

use crate::config::Config;
use crate::store::{Store, StoreError};
use delivery::{DeliveryOutcome, Mailer};
use outbox::ScheduleOutcome;

/// Offices keep Vietnamese time (UTC+7, no daylight saving): reminder days are local days.
pub const LOCAL_OFFSET: TimeDelta = TimeDelta::hours(7);

/// The actor the audit log records for changes the tracker makes on its own.
pub const SYSTEM_ACTOR: &str = "system";

/// How often the server runs a pass.
pub const INTERVAL: Duration = Duration::from_secs(60);

/// Why a tracker pass failed.
#[derive(Debug, thiserror::Error)]
pub enum TrackerError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The mail settings are unusable.
    #[error("mail settings: {0}")]
    Config(String),
}

/// The local (Vietnamese) day of a UTC moment.
pub fn local_day(now_utc: NaiveDateTime) -> NaiveDate {
    now_utc
        .checked_add_signed(LOCAL_OFFSET)
        .unwrap_or(now_utc)
        .date()
}

/// A UTC moment as stored: whole microseconds, which both databases keep exactly.
pub(crate) fn db_now(now: NaiveDateTime) -> NaiveDateTime {
    let micros = now.nanosecond() / 1000 * 1000;
    now.with_nanosecond(micros).unwrap_or(now)
}

/// The mail transport the settings ask for: SMTP, or files in `DATA_DIR/outbox`.
pub fn mailer_for(config: &Config) -> Result<Mailer, TrackerError> {
    Mailer::new(config.smtp_url.as_deref(), config.data_dir.join("outbox"))
}

/// Checks and normalises an agency's reminder address: `None` or blank removes it; otherwise it
/// must be one plain mail address (`so@example.gov.vn`).
pub fn check_address(email: Option<&str>) -> Result<Option<String>, String> {
    let Some(email) = email.map(str::trim).filter(|e| !e.is_empty()) else {
        return Ok(None);
    };
    match email.parse::<lettre::Address>() {
        Ok(address) => Ok(Some(address.to_string())),
        Err(e) => Err(format!("Địa chỉ e-mail không hợp lệ ({email}): {e}")),
    }
}

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunOutcome {
    /// What was decided and written to the outbox.
    pub scheduled: ScheduleOutcome,
    /// What was sent.
    pub delivered: DeliveryOutcome,
}

/// Creates the occurrences of recurring duties whose period is over, then decides the reminders due
/// at `now` (UTC) and writes them to the outbox, in one transaction.
pub fn schedule(
    store: &Store,
    config: &Config,
    now: NaiveDateTime,
) -> Result<ScheduleOutcome, TrackerError> {
    Ok(store.write(|c| {
        // The policy and calendar in force are those an administrator last saved.
        let policy = crate::store::settings::reminder_policy(c, &config.reminders)?;
        let calendar = crate::store::settings::calendar(c)?;
        // Recurring duties whose period is over get their next occurrence first, so that it is
        // chased from this pass on.
        let occurrences =
            crate::store::occurrences::roll_over(c, &calendar, local_day(now), SYSTEM_ACTOR)?;
        let mut outcome = outbox::schedule(c, &policy, &config.public_url, &calendar, now)?;
        outcome.occurrences = occurrences;
        Ok(outcome)
    })?)
}

/// One pass as of `now` (UTC): schedule, then deliver everything due.
pub fn run_once(
    store: &Store,
    config: &Config,
    mailer: &Mailer,
    now: NaiveDateTime,
) -> Result<RunOutcome, TrackerError> {
    let scheduled = schedule(store, config, now)?;
    let delivered = delivery::deliver_due(store, mailer, &config.reminders.mail_from, now)?;
    Ok(RunOutcome {
        scheduled,
        delivered,
    })
}

/// Runs a pass every [`INTERVAL`] until the task is dropped; failures are logged and retried on the
/// next tick (nothing is lost: undelivered mail stays in the outbox).
pub async fn run_forever(store: Store, config: std::sync::Arc<Config>, mailer: Mailer) {
    let mut ticks = tokio::time::interval(INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let (store, config, mailer) = (store.clone(), config.clone(), mailer.clone());
        let pass = tokio::task::spawn_blocking(move || {
            run_once(&store, &config, &mailer, crate::store::now())
        })
        .await;
        match pass {
            Ok(Ok(outcome)) => {
                if outcome != RunOutcome::default() {
                    tracing::info!(?outcome, "reminder pass");
                }
            }
            Ok(Err(e)) => tracing::error!(error = %e, "reminder pass failed"),
            Err(e) => tracing::error!(error = %e, "reminder pass stopped"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked() {
        assert_eq!(
            check_address(Some(" so@example.gov.vn ")),
            Ok(Some("so@example.gov.vn".into()))
        );
        assert_eq!(check_address(Some("  ")), Ok(None));
        assert_eq!(check_address(None), Ok(None));
        assert!(check_address(Some("Sở Tư pháp")).is_err());
        assert!(check_address(Some("a@b@c")).is_err());
    }

    #[test]
    fn the_local_day_is_vietnamese_time() {
        let evening_utc = NaiveDate::from_ymd_opt(2024, 5, 9)
            .and_then(|d| d.and_hms_opt(18, 30, 0))
            .unwrap_or_default();
        assert_eq!(
            local_day(evening_utc),
            NaiveDate::from_ymd_opt(2024, 5, 10).unwrap_or_default()
        );
        let morning_utc = NaiveDate::from_ymd_opt(2024, 5, 9)
            .and_then(|d| d.and_hms_opt(1, 0, 0))
            .unwrap_or_default();
        assert_eq!(
            local_day(morning_utc),
            NaiveDate::from_ymd_opt(2024, 5, 9).unwrap_or_default()
        );
    }
}
