//! The reminder outbox: deciding the day's reminders and writing them, in one transaction, as mail rows
//! that a sender delivers later; claiming due rows with a lease; recording the outcome of each attempt.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use super::calendar::Calendar;
use super::mail::{self, CountedTask, Digest, Recipient, TaskSummary};
use super::policy::{self, Audience, DueReminder, Occasion, TaskDeadline};
use crate::config::ReminderPolicy;
use crate::store::schema::{agencies, documents, reminder_items, reminders, task_agencies, tasks};
use crate::store::tasks::TaskStatus;
use crate::store::{DbConnection, StoreError, per_backend};

/// Statuses whose tasks are still chased.
const CHASED: [&str; 3] = ["assigned", "in_progress", "returned"];

/// The tasks still chased: open, with a deadline.
#[diesel::dsl::auto_type]
fn chased_tasks() -> _ {
    let statuses: [&'static str; 3] = CHASED;
    tasks::table
        .filter(tasks::status.eq_any(statuses))
        .filter(tasks::deadline.is_not_null())
}

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

/// Most bind parameters one statement carries: below SQLite's limit (32,766 since SQLite 3.32; the
/// bundled SQLite is newer) and PostgreSQL's (65,535), so long lists are sent in chunks.
const MAX_BINDS: usize = 30_000;

/// Most digests written by one statement: their bodies are large.
const DIGESTS_PER_INSERT: usize = 64;

/// Rows per statement when each row binds `columns` parameters.
fn rows_per_statement(columns: usize) -> usize {
    (MAX_BINDS / columns.max(1)).max(1)
}

/// An open task as the pass reads it: without its text, which only the tasks a digest lists need.
#[derive(Queryable)]
struct OpenTaskRow {
    id: i64,
    directive_id: i64,
    document_id: i64,
    deadline: Option<NaiveDate>,
    status: String,
}

/// A digest decided and rendered in memory, waiting to be written.
struct PendingDigest {
    key: String,
    agency_id: Option<i64>,
    recipient: String,
    mail: mail::RenderedMail,
    items: Vec<DueReminder>,
}

/// Decides the reminders due on the local day of `now` and writes them to the outbox: one digest per
/// audience and day. Run it inside [`crate::store::Store::write`], so that deciding and recording are
/// one transaction; running it again writes nothing new.
///
/// The pass reads everything it needs with a handful of queries, decides in memory
/// ([`policy::due_reminders`]), and writes the digests and their items with multi-row inserts, so
/// its cost does not grow with one round trip per task.
pub fn schedule(
    conn: &mut DbConnection,
    policy: &ReminderPolicy,
    public_url: &str,
    calendar: &Calendar,
    now: NaiveDateTime,
) -> Result<ScheduleOutcome, StoreError> {
    let today = super::local_day(now);
    // The bulk reads run on the concrete connection: rows of the multi-backend one are loaded
    // field by field through boxed values, which costs more than the query itself here.
    let rows: Vec<OpenTaskRow> = per_backend!(conn, c => chased_tasks()
        .select((
            tasks::id,
            tasks::directive_id,
            tasks::document_id,
            tasks::deadline,
            tasks::status,
        ))
        .order(tasks::id.asc())
        .load(c)?);
    if rows.is_empty() {
        return Ok(ScheduleOutcome::default());
    }
    // Lead agencies of the tasks from the oldest open one on: one range scan in key order, which
    // SQLite reads much faster than one index search per open task; closed tasks among them are
    // dropped here.
    let oldest_open = rows.first().map_or(0, |r| r.id);
    let leads: Vec<(i64, i64)> = per_backend!(conn, c => task_agencies::table
        .filter(task_agencies::task_id.ge(oldest_open))
        .filter(task_agencies::role.eq("lead"))
        .order((task_agencies::task_id, task_agencies::position))
        .select((task_agencies::task_id, task_agencies::agency_id))
        .load(c)?);
    let open: HashSet<i64> = rows.iter().map(|r| r.id).collect();
    let mut leads_of: HashMap<i64, Vec<i64>> = HashMap::with_capacity(rows.len());
    for (task_id, agency_id) in leads {
        if open.contains(&task_id) {
            leads_of.entry(task_id).or_default().push(agency_id);
        }
    }
    let sent_rows: Vec<(i64, String, String)> = per_backend!(conn, c => reminder_items::table
        .filter(reminder_items::task_id.eq_any(chased_tasks().select(tasks::id)))
        .select((
            reminder_items::task_id,
            reminder_items::audience,
            reminder_items::occasion,
        ))
        .load(c)?);
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
    let mut by_id: HashMap<i64, &OpenTaskRow> = HashMap::with_capacity(rows.len());
    for row in &rows {
        let (Some(deadline), Some(status)) = (row.deadline, TaskStatus::parse(&row.status)) else {
            continue;
        };
        deadlines.push(TaskDeadline {
            task_id: row.id,
            status,
            deadline,
            lead_agencies: leads_of.get(&row.id).cloned().unwrap_or_default(),
        });
        by_id.insert(row.id, row);
    }
    let due = policy::due_reminders(&deadlines, &already_sent, policy, calendar, today);
    if due.is_empty() {
        return Ok(ScheduleOutcome::default());
    }
    let mut by_audience: BTreeMap<Audience, Vec<DueReminder>> = BTreeMap::new();
    for reminder in due {
        by_audience
            .entry(reminder.audience)
            .or_default()
            .push(reminder);
    }

    // One digest per audience and day: audiences whose digest of the day is written already wait.
    let mut outcome = ScheduleOutcome::default();
    let keys: Vec<String> = by_audience
        .keys()
        .map(|audience| digest_key(*audience, today))
        .collect();
    let written = existing_keys(conn, &keys)?;
    by_audience.retain(|audience, _| {
        let keep = !written.contains(&digest_key(*audience, today));
        if !keep {
            outcome.deferred += 1;
        }
        keep
    });
    if by_audience.is_empty() {
        return Ok(outcome);
    }
    // Most urgent first: the longest overdue, then the nearest deadline. The first
    // [`mail::MAX_LISTED_TASKS`] of each digest are listed with their text and document.
    for items in by_audience.values_mut() {
        items.sort_by_key(|r| (urgency(r.occasion), r.occasion.deadline(), r.task_id));
    }
    let listed: Vec<&OpenTaskRow> = by_audience
        .values()
        .flat_map(|items| items.iter().take(mail::MAX_LISTED_TASKS))
        .filter_map(|item| by_id.get(&item.task_id).copied())
        .collect();
    let contacts = agency_contacts(conn)?;
    let labels = document_labels(conn, &listed)?;
    let texts = task_texts(conn, &listed)?;
    let lead_names = |task_id: i64| -> Vec<String> {
        leads_of
            .get(&task_id)
            .map(|l| {
                l.iter()
                    .filter_map(|id| Some(contacts.get(id)?.0.clone()))
                    .collect()
            })
            .unwrap_or_default()
    };

    let mut digests = Vec::with_capacity(by_audience.len());
    for (audience, items) in by_audience {
        let recipient = recipient_for(audience, policy, &contacts)?;
        let (first, rest) = items.split_at(mail::MAX_LISTED_TASKS.min(items.len()));
        let summaries = first
            .iter()
            .filter_map(|item| {
                let row = by_id.get(&item.task_id)?;
                Some((
                    TaskSummary {
                        id: row.id,
                        directive_id: row.directive_id,
                        text: texts.get(&row.id).cloned().unwrap_or_default(),
                        document: labels.get(&row.document_id).cloned(),
                        lead: lead_names(row.id),
                    },
                    item.occasion,
                ))
            })
            .collect();
        // Only the leader's digest counts the rest by lead agency.
        let counted = rest
            .iter()
            .map(|item| CountedTask {
                lead: match audience {
                    Audience::Leader => lead_names(item.task_id),
                    _ => Vec::new(),
                },
                occasion: item.occasion,
            })
            .collect();
        let digest = Digest {
            audience,
            recipient,
            day: today,
            items: summaries,
            counted,
        };
        digests.push(PendingDigest {
            key: digest_key(audience, today),
            agency_id: match audience {
                Audience::Agency(id) => Some(id),
                _ => None,
            },
            mail: mail::render(&digest, public_url, calendar),
            recipient: digest.recipient.address,
            items,
        });
    }
    write_digests(conn, &digests, public_url, super::db_now(now))?;
    outcome.mails = digests.len();
    outcome.items = digests.iter().map(|d| d.items.len()).sum();
    Ok(outcome)
}

/// Which of `keys` are the dedupe keys of mails in the outbox already.
fn existing_keys(conn: &mut DbConnection, keys: &[String]) -> Result<HashSet<String>, StoreError> {
    let mut found = HashSet::new();
    for chunk in keys.chunks(rows_per_statement(1)) {
        let rows: Vec<String> = reminders::table
            .filter(reminders::dedupe_key.eq_any(chunk))
            .select(reminders::dedupe_key)
            .load(conn)?;
        found.extend(rows);
    }
    Ok(found)
}

/// Name and mail address of every agency, by id (an office has hundreds, not many thousands).
fn agency_contacts(
    conn: &mut DbConnection,
) -> Result<HashMap<i64, (String, Option<String>)>, StoreError> {
    let rows: Vec<(i64, String, Option<String>)> = agencies::table
        .select((agencies::id, agencies::name, agencies::email))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, email)| (id, (name, email)))
        .collect())
}

/// The texts of `rows`' tasks, by task id (a task listed in two digests is read once).
fn task_texts(
    conn: &mut DbConnection,
    rows: &[&OpenTaskRow],
) -> Result<HashMap<i64, String>, StoreError> {
    let ids: Vec<i64> = rows
        .iter()
        .map(|r| r.id)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut texts = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(rows_per_statement(1)) {
        let found: Vec<(i64, String)> = tasks::table
            .filter(tasks::id.eq_any(chunk))
            .select((tasks::id, tasks::text))
            .load(conn)?;
        texts.extend(found);
    }
    Ok(texts)
}

/// `Thông báo 339/TB-VPCP`-style labels of the documents `rows`' tasks come from, by document id;
/// documents with neither kind nor number have none.
fn document_labels(
    conn: &mut DbConnection,
    rows: &[&OpenTaskRow],
) -> Result<HashMap<i64, String>, StoreError> {
    let ids: Vec<i64> = rows
        .iter()
        .map(|r| r.document_id)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut labels = HashMap::new();
    for chunk in ids.chunks(rows_per_statement(1)) {
        let found: Vec<(i64, Option<String>, Option<String>)> = documents::table
            .filter(documents::id.eq_any(chunk))
            .select((documents::id, documents::kind, documents::number))
            .load(conn)?;
        for (id, kind, number) in found {
            if let Some(label) = document_label(kind, number) {
                labels.insert(id, label);
            }
        }
    }
    Ok(labels)
}

/// Writes the digests and one `reminder_items` row per task reminder, with multi-row inserts.
/// The unique dedupe key and the items' primary key make a concurrent pass that decided the same
/// reminders fail here, so its transaction writes nothing.
fn write_digests(
    conn: &mut DbConnection,
    digests: &[PendingDigest],
    public_url: &str,
    stamp: NaiveDateTime,
) -> Result<(), StoreError> {
    let mut ids: HashMap<&str, i64> = HashMap::with_capacity(digests.len());
    for chunk in digests.chunks(DIGESTS_PER_INSERT.min(rows_per_statement(11))) {
        let values: Vec<_> = chunk
            .iter()
            .map(|d| {
                (
                    reminders::dedupe_key.eq(&d.key),
                    reminders::agency_id.eq(d.agency_id),
                    reminders::recipient.eq(&d.recipient),
                    reminders::subject.eq(&d.mail.subject),
                    reminders::body_text.eq(&d.mail.text),
                    reminders::body_html.eq(&d.mail.html),
                    reminders::message_id.eq(message_id(&d.key, public_url)),
                    reminders::status.eq("pending"),
                    reminders::attempts.eq(0),
                    reminders::next_attempt_at.eq(stamp),
                    reminders::created_at.eq(stamp),
                )
            })
            .collect();
        // Multi-row inserts run on the concrete connection: the multi-backend one cannot batch them.
        let written: Vec<(i64, String)> = per_backend!(conn, c => diesel::insert_into(reminders::table)
            .values(values)
            .returning((reminders::id, reminders::dedupe_key))
            .get_results(c)?);
        for (id, key) in written {
            if let Some(d) = chunk.iter().find(|d| d.key == key) {
                ids.insert(d.key.as_str(), id);
            }
        }
    }
    let mut items = Vec::with_capacity(digests.iter().map(|d| d.items.len()).sum());
    for digest in digests {
        let reminder_id = *ids.get(digest.key.as_str()).ok_or_else(|| {
            StoreError::Corrupt(format!("reminder {} was not written", digest.key))
        })?;
        for item in &digest.items {
            items.push((
                reminder_id,
                item.task_id,
                item.audience.to_string(),
                item.occasion.to_string(),
            ));
        }
    }
    // In primary-key order, so that the index grows at its end rather than all over.
    items.sort_unstable_by(|a, b| (a.1, &a.2, &a.3).cmp(&(b.1, &b.2, &b.3)));
    for chunk in items.chunks(rows_per_statement(4)) {
        let values: Vec<_> = chunk
            .iter()
            .map(|(reminder_id, task_id, audience, occasion)| {
                (
                    reminder_items::reminder_id.eq(*reminder_id),
                    reminder_items::task_id.eq(*task_id),
                    reminder_items::audience.eq(audience),
                    reminder_items::occasion.eq(occasion),
                )
            })
            .collect();
        per_backend!(conn, c => diesel::insert_into(reminder_items::table)
            .values(values)
            .execute(c)?);
    }
    Ok(())
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
    audience: Audience,
    policy: &ReminderPolicy,
    contacts: &HashMap<i64, (String, Option<String>)>,
) -> Result<Recipient, StoreError> {
    let fallback = |name: String, reason: String| Recipient {
        address: policy.fallback_email.clone(),
        name,
        fallback_reason: Some(reason),
    };
    Ok(match audience {
        Audience::Agency(id) => {
            let (name, email) = contacts.get(&id).cloned().ok_or(StoreError::NotFound {
                entity: "agency",
                id,
            })?;
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
fn document_label(kind: Option<String>, number: Option<String>) -> Option<String> {
    let label = [kind, number.map(|n| format!("số {n}"))]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    (!label.is_empty()).then_some(label)
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

    /// A pass whose items need more bind parameters than one SQLite statement takes writes them in
    /// several statements, each reminder exactly once, and a second pass writes nothing.
    #[test]
    fn a_pass_larger_than_one_statement_writes_every_item_once()
    -> Result<(), Box<dyn std::error::Error>> {
        use crate::extract::{Document, Extraction, Task};
        use crate::store::Store;
        use crate::store::directives::{self, NewDirective};

        // Every task overdue by at least two overdue intervals: an agency reminder and an escalation
        // each, 2 × 4,200 = 8,400 items, more than one statement's 7,500 rows of four parameters.
        const TASKS: usize = 4_200;
        // SQLite's limit on bind parameters in one statement.
        const { assert!(2 * TASKS * 4 > 32_766) };
        let dir = tempfile::tempdir()?;
        let store = Store::open(&dir.path().join("db.sqlite3").display().to_string())?;
        let today = NaiveDate::from_ymd_opt(2024, 5, 15).ok_or("date")?;
        let extraction = Extraction {
            documents: vec![Document {
                tasks: (0..TASKS)
                    .map(|i| Task {
                        lead: vec![format!("Sở số {}", i % 3)],
                        text: format!("Nhiệm vụ số {i}"),
                        deadline: Some(today - TimeDelta::days(14 + (i % 20) as i64)),
                        ..Task::default()
                    })
                    .collect(),
                ..Document::default()
            }],
        };
        store.write(|c| {
            directives::insert(
                c,
                &NewDirective {
                    file_name: None,
                    content: b"test",
                    checksum: "test",
                    source_format: "text",
                    original_text: "",
                    repaired_text: "",
                    extraction: &extraction,
                    actor: "test",
                    registered_by: None,
                    draft: false,
                },
            )
        })?;
        let policy = ReminderPolicy::default();
        let calendar = Calendar::vietnam();
        let now = today.and_hms_opt(2, 0, 0).ok_or("time")?;
        let pass = || store.write(|c| schedule(c, &policy, "http://localhost", calendar, now));

        let first = pass()?;
        assert_eq!(first.items, 2 * TASKS);
        // Three agencies and the leader: one digest each.
        assert_eq!(first.mails, 4);
        let (mails, items): (Vec<OutboxEntry>, i64) =
            store.read(|c| Ok((list(c)?, reminder_items::table.count().get_result(c)?)))?;
        assert_eq!(items, i64::try_from(2 * TASKS)?);
        let mut per_mail = 0;
        for mail in &mails {
            let covered = store.read(|c| items_of(c, mail.id))?;
            assert!(!covered.is_empty(), "{}", mail.dedupe_key);
            per_mail += covered.len();
            assert_eq!(mail.status, "pending");
            assert!(
                mail.dedupe_key.ends_with(":2024-05-15"),
                "{}",
                mail.dedupe_key
            );
        }
        assert_eq!(per_mail, 2 * TASKS);
        let leader = mails
            .iter()
            .find(|m| m.dedupe_key == digest_key(Audience::Leader, today))
            .ok_or("no leader digest")?;
        assert_eq!(store.read(|c| items_of(c, leader.id))?.len(), TASKS);

        assert_eq!(pass()?, ScheduleOutcome::default());
        Ok(())
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
