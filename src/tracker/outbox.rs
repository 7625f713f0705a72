//! The reminder outbox: deciding the day's reminders and writing them, in one transaction, as mail rows
//! that a sender delivers later; claiming due rows with a lease; recording the outcome of each attempt.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use super::calendar::Calendar;
use super::mail::{self, Digest, Recipient, TaskSummary};
use super::policy::{self, Audience, DueReminder, Occasion, TaskDeadline};
use crate::config::ReminderPolicy;
use crate::store::schema::{agencies, documents, reminder_items, reminders, task_agencies, tasks};
use crate::store::tasks::TaskStatus;
use crate::store::{DbConnection, StoreError};

/// Statuses whose tasks are still chased.
const CHASED: [&str; 3] = ["assigned", "in_progress", "returned"];

/// What one scheduling pass wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ScheduleOutcome {
    /// Digest mails written to the outbox.
    pub mails: usize,
    /// Task reminders they cover.
    pub items: usize,
    /// Audiences whose digest for the day was already written; their new items wait for the next
    /// working day.
    pub deferred: usize,
    /// Occurrences of recurring duties created because their previous period was over.
    pub occurrences: usize,
}

/// The dedupe key of the digest for `audience` on `day`.
pub fn digest_key(audience: Audience, day: NaiveDate) -> String {
    format!("digest:{audience}:{}", day.format("%Y-%m-%d"))
}

/// The Message-ID of the mail with `dedupe_key`: the same key always gives the same id, so a mail sent
/// twice (after a crash between the SMTP server's acceptance and our record of it) is recognisable.
pub fn message_id(dedupe_key: &str, public_url: &str) -> String {
    let hash = Sha256::digest(dedupe_key.as_bytes());
    let host = public_url
        .split_once("://")
        .map_or(public_url, |(_, rest)| rest)
        .split(['/', ':', '@'])
        .next()
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        })
        .unwrap_or("dondoc.localhost");
    format!("<reminder.{}@{host}>", hex::encode(&hash[..16]))
}

/// Reads the stored form of an audience.
pub fn parse_audience(s: &str) -> Option<Audience> {
    match s {
        "leader" => Some(Audience::Leader),
        "unassigned" => Some(Audience::Unassigned),
        _ => s
            .strip_prefix("agency:")?
            .parse()
            .ok()
            .map(Audience::Agency),
    }
}

#[derive(Queryable)]
struct OpenTaskRow {
    id: i64,
    directive_id: i64,
    document_id: i64,
    text: String,
    deadline: Option<NaiveDate>,
    status: String,
}

/// Decides the reminders due on the local day of `now` and writes them to the outbox: one digest per
/// audience and day. Run it inside [`crate::store::Store::write`], so that deciding and recording are
/// one transaction; running it again writes nothing new.
pub fn schedule(
    conn: &mut DbConnection,
    policy: &ReminderPolicy,
    public_url: &str,
    calendar: &Calendar,
    now: NaiveDateTime,
) -> Result<ScheduleOutcome, StoreError> {
    let today = super::local_day(now);
    let open_ids = || {
        tasks::table
            .filter(tasks::status.eq_any(CHASED))
            .filter(tasks::deadline.is_not_null())
            .select(tasks::id)
    };
    let rows: Vec<OpenTaskRow> = tasks::table
        .filter(tasks::status.eq_any(CHASED))
        .filter(tasks::deadline.is_not_null())
        .select((
            tasks::id,
            tasks::directive_id,
            tasks::document_id,
            tasks::text,
            tasks::deadline,
            tasks::status,
        ))
        .order(tasks::id.asc())
        .load(conn)?;
    if rows.is_empty() {
        return Ok(ScheduleOutcome::default());
    }
    let leads: Vec<(i64, i64, String)> = task_agencies::table
        .inner_join(agencies::table)
        .filter(task_agencies::role.eq("lead"))
        .filter(task_agencies::task_id.eq_any(open_ids()))
        .order((task_agencies::task_id, task_agencies::position))
        .select((task_agencies::task_id, agencies::id, agencies::name))
        .load(conn)?;
    let mut leads_of: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    for (task_id, agency_id, name) in leads {
        leads_of.entry(task_id).or_default().push((agency_id, name));
    }
    let sent_rows: Vec<(i64, String, String)> = reminder_items::table
        .filter(reminder_items::task_id.eq_any(open_ids()))
        .select((
            reminder_items::task_id,
            reminder_items::audience,
            reminder_items::occasion,
        ))
        .load(conn)?;
    let already_sent: HashSet<DueReminder> = sent_rows
        .into_iter()
        .filter_map(|(task_id, audience, occasion)| {
            Some(DueReminder {
                audience: parse_audience(&audience)?,
                task_id,
                occasion: Occasion::parse(&occasion)?,
            })
        })
        .collect();

    let mut deadlines = Vec::with_capacity(rows.len());
    let mut by_id: HashMap<i64, &OpenTaskRow> = HashMap::new();
    for row in &rows {
        let (Some(deadline), Some(status)) = (row.deadline, TaskStatus::parse(&row.status)) else {
            continue;
        };
        deadlines.push(TaskDeadline {
            task_id: row.id,
            status,
            deadline,
            lead_agencies: leads_of
                .get(&row.id)
                .map(|l| l.iter().map(|(id, _)| *id).collect())
                .unwrap_or_default(),
        });
        by_id.insert(row.id, row);
    }
    let due = policy::due_reminders(&deadlines, &already_sent, policy, calendar, today);
    let mut by_audience: BTreeMap<Audience, Vec<DueReminder>> = BTreeMap::new();
    for reminder in due {
        by_audience
            .entry(reminder.audience)
            .or_default()
            .push(reminder);
    }

    let mut outcome = ScheduleOutcome::default();
    let stamp = super::db_now(now);
    for (audience, mut items) in by_audience {
        let key = digest_key(audience, today);
        let exists = reminders::table
            .filter(reminders::dedupe_key.eq(&key))
            .select(reminders::id)
            .first::<i64>(conn)
            .optional()?
            .is_some();
        if exists {
            outcome.deferred += 1;
            continue;
        }
        // Most urgent first: the longest overdue, then the nearest deadline.
        items.sort_by_key(|r| (urgency(r.occasion), r.occasion.deadline(), r.task_id));
        let recipient = recipient_for(conn, audience, policy)?;
        let mut summaries = Vec::with_capacity(items.len());
        for item in &items {
            let Some(row) = by_id.get(&item.task_id) else {
                continue;
            };
            summaries.push((
                TaskSummary {
                    id: row.id,
                    directive_id: row.directive_id,
                    text: row.text.clone(),
                    document: document_label(conn, row.document_id)?,
                    lead: leads_of
                        .get(&row.id)
                        .map(|l| l.iter().map(|(_, n)| n.clone()).collect())
                        .unwrap_or_default(),
                },
                item.occasion,
            ));
        }
        let agency_id = match audience {
            Audience::Agency(id) => Some(id),
            _ => None,
        };
        let digest = Digest {
            audience,
            recipient,
            day: today,
            items: summaries,
        };
        let rendered = mail::render(&digest, public_url, calendar);
        let reminder_id: i64 = diesel::insert_into(reminders::table)
            .values((
                reminders::dedupe_key.eq(&key),
                reminders::agency_id.eq(agency_id),
                reminders::recipient.eq(&digest.recipient.address),
                reminders::subject.eq(&rendered.subject),
                reminders::body_text.eq(&rendered.text),
                reminders::body_html.eq(&rendered.html),
                reminders::message_id.eq(message_id(&key, public_url)),
                reminders::status.eq("pending"),
                reminders::attempts.eq(0),
                reminders::next_attempt_at.eq(stamp),
                reminders::created_at.eq(stamp),
            ))
            .returning(reminders::id)
            .get_result(conn)?;
        for item in &items {
            diesel::insert_into(reminder_items::table)
                .values((
                    reminder_items::reminder_id.eq(reminder_id),
                    reminder_items::task_id.eq(item.task_id),
                    reminder_items::audience.eq(audience.to_string()),
                    reminder_items::occasion.eq(item.occasion.to_string()),
                ))
                .execute(conn)?;
        }
        outcome.mails += 1;
        outcome.items += items.len();
    }
    Ok(outcome)
}

/// Sort rank: escalations and overdue reminders first, most reminded first.
fn urgency(occasion: Occasion) -> (u8, i64) {
    match occasion {
        Occasion::Escalation { n, .. } | Occasion::Overdue { n, .. } => (0, -i64::from(n)),
        Occasion::OnTheDay { .. } => (1, 0),
        Occasion::Before { days, .. } => (2, i64::from(days)),
    }
}

/// Where mail for `audience` goes; never nowhere.
fn recipient_for(
    conn: &mut DbConnection,
    audience: Audience,
    policy: &ReminderPolicy,
) -> Result<Recipient, StoreError> {
    let fallback = |name: String, reason: String| Recipient {
        address: policy.fallback_email.clone(),
        name,
        fallback_reason: Some(reason),
    };
    Ok(match audience {
        Audience::Agency(id) => {
            let (name, email): (String, Option<String>) = agencies::table
                .find(id)
                .select((agencies::name, agencies::email))
                .first(conn)?;
            match email
                .map(|e| e.trim().to_string())
                .filter(|e| !e.is_empty())
            {
                Some(email) if email.parse::<lettre::message::Mailbox>().is_ok() => Recipient {
                    address: email,
                    name,
                    fallback_reason: None,
                },
                Some(email) => {
                    let reason = format!("địa chỉ e-mail của {name} không hợp lệ ({email})");
                    fallback(name, reason)
                }
                None => {
                    let reason = format!("{name} chưa có địa chỉ e-mail");
                    fallback(name, reason)
                }
            }
        }
        Audience::Unassigned => fallback(
            "Văn thư".to_string(),
            "nhiệm vụ chưa có cơ quan chủ trì".to_string(),
        ),
        Audience::Leader => match &policy.leader_email {
            Some(address) => Recipient {
                address: address.clone(),
                name: "Lãnh đạo phụ trách".to_string(),
                fallback_reason: None,
            },
            None => fallback(
                "Lãnh đạo phụ trách".to_string(),
                "chưa cấu hình địa chỉ e-mail của lãnh đạo".to_string(),
            ),
        },
    })
}

/// `Thông báo 339/TB-VPCP`-style label of a document, if it has a kind or number.
fn document_label(conn: &mut DbConnection, document_id: i64) -> Result<Option<String>, StoreError> {
    let found: Option<(Option<String>, Option<String>)> = documents::table
        .find(document_id)
        .select((documents::kind, documents::number))
        .first(conn)
        .optional()?;
    Ok(found.and_then(|(kind, number)| {
        let label = [kind, number.map(|n| format!("số {n}"))]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        (!label.is_empty()).then_some(label)
    }))
}

/// A mail taken from the outbox for sending.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize)]
#[diesel(table_name = reminders)]
pub struct OutboxMail {
    /// Row id.
    pub id: i64,
    /// Unique key of what the mail is about.
    pub dedupe_key: String,
    /// Address.
    pub recipient: String,
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub body_text: String,
    /// HTML body.
    pub body_html: String,
    /// Message-ID header, derived from the dedupe key.
    pub message_id: String,
    /// Attempts made before this one.
    pub attempts: i32,
}

/// An outbox row as the API and tests see it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize)]
#[diesel(table_name = reminders)]
pub struct OutboxEntry {
    /// Row id.
    pub id: i64,
    /// Unique key of what the mail is about.
    pub dedupe_key: String,
    /// The agency it is for, if any.
    pub agency_id: Option<i64>,
    /// Address.
    pub recipient: String,
    /// Subject.
    pub subject: String,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    /// Attempts made.
    pub attempts: i32,
    /// When the next attempt is due (UTC).
    pub next_attempt_at: NaiveDateTime,
    /// Until when a sender holds the row.
    pub lease_until: Option<NaiveDateTime>,
    /// The last failure.
    pub last_error: Option<String>,
    /// When it was written (UTC).
    pub created_at: NaiveDateTime,
    /// When it was handed to the mail server (UTC).
    pub sent_at: Option<NaiveDateTime>,
}

/// Every outbox row, oldest first.
pub fn list(conn: &mut DbConnection) -> Result<Vec<OutboxEntry>, StoreError> {
    Ok(reminders::table
        .order(reminders::id.asc())
        .select(OutboxEntry::as_select())
        .load(conn)?)
}

/// The (task id, audience, occasion) triples a reminder mail covers.
pub fn items_of(
    conn: &mut DbConnection,
    reminder_id: i64,
) -> Result<Vec<(i64, String, String)>, StoreError> {
    Ok(reminder_items::table
        .filter(reminder_items::reminder_id.eq(reminder_id))
        .order(reminder_items::task_id.asc())
        .select((
            reminder_items::task_id,
            reminder_items::audience,
            reminder_items::occasion,
        ))
        .load(conn)?)
}

/// Takes up to `limit` pending mails that are due at `now` and not held by another sender, and holds
/// them until `now + lease`.
pub fn claim_due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    lease: TimeDelta,
    limit: i64,
) -> Result<Vec<OutboxMail>, StoreError> {
    let now = super::db_now(now);
    let free = || {
        reminders::lease_until
            .is_null()
            .or(reminders::lease_until.le(now))
    };
    let candidates: Vec<OutboxMail> = reminders::table
        .filter(reminders::status.eq("pending"))
        .filter(reminders::next_attempt_at.le(now))
        .filter(free())
        .order(reminders::next_attempt_at.asc())
        .limit(limit.max(1))
        .select(OutboxMail::as_select())
        .load(conn)?;
    let until = now.checked_add_signed(lease).unwrap_or(now);
    let mut claimed = Vec::with_capacity(candidates.len());
    for mail in candidates {
        // The same conditions again: on PostgreSQL another sender may have taken it meanwhile.
        let taken = diesel::update(
            reminders::table
                .find(mail.id)
                .filter(reminders::status.eq("pending"))
                .filter(free()),
        )
        .set(reminders::lease_until.eq(Some(until)))
        .execute(conn)?;
        if taken == 1 {
            claimed.push(mail);
        }
    }
    Ok(claimed)
}

/// Records that the mail server accepted mail `id`.
pub fn mark_sent(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> Result<(), StoreError> {
    diesel::update(reminders::table.find(id))
        .set((
            reminders::status.eq("sent"),
            reminders::sent_at.eq(Some(super::db_now(now))),
            reminders::lease_until.eq(None::<NaiveDateTime>),
            reminders::attempts.eq(reminders::attempts + 1),
            reminders::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records a failed attempt on mail `id`: it stays pending and is tried again after a back-off, or,
/// when `permanent`, is marked failed (the mail itself can never be sent as it is).
pub fn mark_failed(
    conn: &mut DbConnection,
    id: i64,
    attempts_before: i32,
    error: &str,
    permanent: bool,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    let attempts = attempts_before.saturating_add(1);
    let now = super::db_now(now);
    let next = now.checked_add_signed(retry_delay(attempts)).unwrap_or(now);
    let error: String = error.chars().take(2000).collect();
    diesel::update(reminders::table.find(id))
        .set((
            reminders::status.eq(if permanent { "failed" } else { "pending" }),
            reminders::attempts.eq(attempts),
            reminders::next_attempt_at.eq(next),
            reminders::lease_until.eq(None::<NaiveDateTime>),
            reminders::last_error.eq(Some(error)),
        ))
        .execute(conn)?;
    Ok(())
}

/// How long to wait after the `attempts`-th failure: one minute, doubling, at most one hour.
pub fn retry_delay(attempts: i32) -> TimeDelta {
    let exponent = u32::try_from(attempts.saturating_sub(1).clamp(0, 6)).unwrap_or(6);
    TimeDelta::minutes(2i64.pow(exponent).min(60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_are_stable_per_key_and_distinct_across_keys() {
        let a = message_id("digest:agency:1:2024-05-10", "https://dondoc.gov.vn/app");
        assert_eq!(
            a,
            message_id("digest:agency:1:2024-05-10", "https://dondoc.gov.vn/app")
        );
        assert_ne!(
            a,
            message_id("digest:agency:2:2024-05-10", "https://dondoc.gov.vn/app")
        );
        assert!(
            a.starts_with("<reminder.") && a.ends_with("@dondoc.gov.vn>"),
            "{a}"
        );
        assert!(message_id("k", "not a url").ends_with("@dondoc.localhost>"));
        assert!(message_id("k", "http://127.0.0.1:8080").ends_with("@127.0.0.1>"));
    }

    #[test]
    fn audiences_round_trip() {
        for audience in [Audience::Agency(42), Audience::Leader, Audience::Unassigned] {
            assert_eq!(parse_audience(&audience.to_string()), Some(audience));
        }
        assert_eq!(parse_audience("agency:x"), None);
    }

    #[test]
    fn retries_back_off_exponentially_up_to_an_hour() {
        assert_eq!(retry_delay(1), TimeDelta::minutes(1));
        assert_eq!(retry_delay(2), TimeDelta::minutes(2));
        assert_eq!(retry_delay(4), TimeDelta::minutes(8));
        assert_eq!(retry_delay(7), TimeDelta::minutes(60));
        assert_eq!(retry_delay(i32::MAX), TimeDelta::minutes(60));
        assert_eq!(retry_delay(0), TimeDelta::minutes(1));
    }
}
