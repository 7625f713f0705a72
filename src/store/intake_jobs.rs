//! Files waiting for the background reader (`intake_jobs`): scans and PDFs whose OCR can take
//! minutes are stored first and read afterwards, with their progress kept where the clerk's page
//! and the API can see it.
//!
//! A reader *claims* a job with a token of its own and a lease; it renews the lease each time it
//! tells progress. A job whose reader stopped (a crash, a restart) is claimed again once its lease
//! has run out; every change a reader makes checks its token, so a reader that lost its claim
//! changes nothing. The directive is registered in the same transaction that marks the job done.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::schema::{files, intake_jobs};
use super::{DbConnection, StoreError, audit, now};

/// A job waits for a reader.
pub const QUEUED: &str = "queued";
/// A reader is reading the file.
pub const RUNNING: &str = "running";
/// The directive is registered.
pub const DONE: &str = "done";
/// Reading or registering failed; the error says why.
pub const FAILED: &str = "failed";

/// A file handed to the background reader, with how to register it.
#[derive(Debug, Clone)]
pub struct NewIntakeJob<'a> {
    /// The file name as received.
    pub file_name: Option<&'a str>,
    /// The bytes as received.
    pub content: &'a [u8],
    /// SHA-256 of `content`, hex.
    pub checksum: &'a str,
    /// The office whose register numbers it.
    pub office: &'a str,
    /// Keep its tasks as drafts until the clerk confirms.
    pub draft: bool,
    /// Register it even if it duplicates a registered document.
    pub confirm_duplicate: bool,
    /// Who sent it (for the audit log).
    pub actor: &'a str,
    /// The user who sent it.
    pub submitted_by: Option<i64>,
}

/// Why a job failed, as shown to people and API clients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct JobFailure {
    /// Stable identifier of the failure (the same codes as the API's errors).
    pub code: String,
    /// What went wrong, in Vietnamese.
    pub message: String,
}

/// A job as the clerk and the API see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct IntakeJobView {
    /// Job id.
    pub id: i64,
    /// The file name as received.
    pub file_name: Option<String>,
    /// `queued`, `running`, `done` or `failed`.
    pub status: String,
    /// What the reader is doing: `queued`, `reading`, `repairing`, `extracting`, `storing`,
    /// `done`, `failed`.
    pub stage: String,
    /// Pages read by OCR so far.
    pub pages_done: i32,
    /// Pages that need OCR (0 while not known, or when none do).
    pub pages_total: i32,
    /// Times a reader has taken the job up (more than 1 after an interrupted reading).
    pub attempts: i32,
    /// The directive registered, once done.
    pub directive_id: Option<i64>,
    /// Why it failed.
    pub error: Option<JobFailure>,
    /// Whether it is a draft registration (the clerk confirms its tasks afterwards).
    pub draft: bool,
    /// The user who sent it.
    #[serde(skip)]
    pub submitted_by: Option<i64>,
    /// When it was sent (UTC).
    pub created_at: NaiveDateTime,
    /// When it last changed (UTC).
    pub updated_at: NaiveDateTime,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = intake_jobs)]
struct JobRow {
    id: i64,
    file_name: Option<String>,
    status: String,
    stage: String,
    pages_done: i32,
    pages_total: i32,
    attempts: i32,
    directive_id: Option<i64>,
    error_code: Option<String>,
    error_message: Option<String>,
    draft: bool,
    submitted_by: Option<i64>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl From<JobRow> for IntakeJobView {
    fn from(row: JobRow) -> Self {
        let error = match (row.error_code, row.error_message) {
            (Some(code), Some(message)) => Some(JobFailure { code, message }),
            _ => None,
        };
        IntakeJobView {
            id: row.id,
            file_name: row.file_name,
            status: row.status,
            stage: row.stage,
            pages_done: row.pages_done,
            pages_total: row.pages_total,
            attempts: row.attempts,
            directive_id: row.directive_id,
            error,
            draft: row.draft,
            submitted_by: row.submitted_by,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// A job taken up by a reader: everything needed to read and register its file.
#[derive(Debug, Clone)]
pub struct ClaimedJob {
    /// Job id.
    pub id: i64,
    /// The file name as received.
    pub file_name: Option<String>,
    /// The bytes as received.
    pub content: Vec<u8>,
    /// The office whose register numbers it.
    pub office: String,
    /// Keep its tasks as drafts.
    pub draft: bool,
    /// Register it even if it duplicates a registered document.
    pub confirm_duplicate: bool,
    /// Who sent it.
    pub actor: String,
    /// The user who sent it.
    pub submitted_by: Option<i64>,
    /// Times a reader has taken it up, this time included.
    pub attempts: i32,
}

/// Stores the file (once, by checksum) and a job to read it; returns the job's id.
pub fn submit(conn: &mut DbConnection, new: &NewIntakeJob<'_>) -> Result<i64, StoreError> {
    let stamp = now();
    super::store_file(conn, new.checksum, new.content, stamp)?;
    let id: i64 = diesel::insert_into(intake_jobs::table)
        .values((
            intake_jobs::checksum.eq(new.checksum),
            intake_jobs::file_name.eq(new.file_name),
            intake_jobs::office.eq(new.office),
            intake_jobs::draft.eq(new.draft),
            intake_jobs::confirm_duplicate.eq(new.confirm_duplicate),
            intake_jobs::actor.eq(new.actor),
            intake_jobs::submitted_by.eq(new.submitted_by),
            intake_jobs::status.eq(QUEUED),
            intake_jobs::stage.eq(QUEUED),
            intake_jobs::pages_done.eq(0),
            intake_jobs::pages_total.eq(0),
            intake_jobs::attempts.eq(0),
            intake_jobs::created_at.eq(stamp),
            intake_jobs::updated_at.eq(stamp),
        ))
        .returning(intake_jobs::id)
        .get_result(conn)?;
    audit::record(
        conn,
        new.actor,
        "intake.submit",
        "intake_job",
        Some(id),
        serde_json::json!({ "file_name": new.file_name, "checksum": new.checksum }),
    )?;
    Ok(id)
}

/// A job as stored.
pub fn get(conn: &mut DbConnection, id: i64) -> Result<IntakeJobView, StoreError> {
    intake_jobs::table
        .find(id)
        .select(JobRow::as_select())
        .first(conn)
        .optional()?
        .map(IntakeJobView::from)
        .ok_or(StoreError::NotFound {
            entity: "intake_job",
            id,
        })
}

/// Jobs not yet done (waiting, being read, or failed in the last week), newest first: what the
/// clerk's register page lists.
pub fn unfinished(conn: &mut DbConnection, limit: i64) -> Result<Vec<IntakeJobView>, StoreError> {
    let week_ago = now() - chrono::Duration::days(7);
    Ok(intake_jobs::table
        .filter(intake_jobs::status.ne(DONE))
        .filter(
            intake_jobs::status
                .ne(FAILED)
                .or(intake_jobs::updated_at.gt(week_ago)),
        )
        .order(intake_jobs::id.desc())
        .limit(limit)
        .select(JobRow::as_select())
        .load(conn)?
        .into_iter()
        .map(IntakeJobView::from)
        .collect())
}

/// Takes up the oldest job that waits, or whose reader's lease has run out, for the reader
/// `claim` until `lease` from now; `None` when there is none.
pub fn claim(
    conn: &mut DbConnection,
    claim: &str,
    lease: chrono::Duration,
) -> Result<Option<ClaimedJob>, StoreError> {
    let stamp = now();
    let candidate: Option<i64> = intake_jobs::table
        .filter(
            intake_jobs::status.eq(QUEUED).or(intake_jobs::status
                .eq(RUNNING)
                .and(intake_jobs::lease_until.lt(stamp))),
        )
        .order(intake_jobs::id.asc())
        .select(intake_jobs::id)
        .first(conn)
        .optional()?;
    let Some(id) = candidate else {
        return Ok(None);
    };
    // Only if no other reader took it in the meantime (PostgreSQL readers in other processes).
    let taken = diesel::update(
        intake_jobs::table.find(id).filter(
            intake_jobs::status.eq(QUEUED).or(intake_jobs::status
                .eq(RUNNING)
                .and(intake_jobs::lease_until.lt(stamp))),
        ),
    )
    .set((
        intake_jobs::status.eq(RUNNING),
        intake_jobs::stage.eq("reading"),
        intake_jobs::claim.eq(claim),
        intake_jobs::lease_until.eq(stamp + lease),
        intake_jobs::attempts.eq(intake_jobs::attempts + 1),
        intake_jobs::updated_at.eq(stamp),
    ))
    .execute(conn)?;
    if taken == 0 {
        return Ok(None);
    }
    let (job, content): (ClaimedRow, Vec<u8>) = intake_jobs::table
        .inner_join(files::table.on(files::checksum.eq(intake_jobs::checksum)))
        .filter(intake_jobs::id.eq(id))
        .select((ClaimedRow::as_select(), files::content))
        .first(conn)?;
    Ok(Some(ClaimedJob {
        id: job.id,
        file_name: job.file_name,
        content,
        office: job.office,
        draft: job.draft,
        confirm_duplicate: job.confirm_duplicate,
        actor: job.actor,
        submitted_by: job.submitted_by,
        attempts: job.attempts,
    }))
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = intake_jobs)]
struct ClaimedRow {
    id: i64,
    file_name: Option<String>,
    office: String,
    draft: bool,
    confirm_duplicate: bool,
    actor: String,
    submitted_by: Option<i64>,
    attempts: i32,
}

/// Job `id` while the reader holding `claim` runs it: the rows a reader's updates may touch.
#[diesel::dsl::auto_type]
fn held_by<'a>(id: i64, claim: &'a str) -> _ {
    let running: &'static str = RUNNING;
    intake_jobs::table
        .find(id)
        .filter(intake_jobs::status.eq(running))
        .filter(intake_jobs::claim.eq(claim))
}

/// Records the reader's progress (the pages read by OCR so far and the pages that need it, when
/// `pages` tells them; otherwise those already recorded stay) and renews its lease; `false` when
/// the job is no longer this reader's.
pub fn progress(
    conn: &mut DbConnection,
    id: i64,
    claim: &str,
    stage: &str,
    pages: Option<(usize, usize)>,
    lease: chrono::Duration,
) -> Result<bool, StoreError> {
    let stamp = now();
    let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
    let mine = held_by(id, claim);
    let renewed = (
        intake_jobs::stage.eq(stage),
        intake_jobs::lease_until.eq(stamp + lease),
        intake_jobs::updated_at.eq(stamp),
    );
    let changed = match pages {
        Some((done, total)) => diesel::update(mine)
            .set((
                renewed,
                intake_jobs::pages_done.eq(count(done)),
                intake_jobs::pages_total.eq(count(total)),
            ))
            .execute(conn)?,
        None => diesel::update(mine).set(renewed).execute(conn)?,
    };
    Ok(changed == 1)
}

/// Marks the job done with the directive registered from it, in the registration's transaction;
/// a reader that lost its claim gets [`StoreError::Conflict`], which undoes the registration.
pub fn finish(
    conn: &mut DbConnection,
    id: i64,
    claim: &str,
    directive_id: i64,
) -> Result<(), StoreError> {
    let changed = diesel::update(held_by(id, claim))
        .set((
            intake_jobs::status.eq(DONE),
            intake_jobs::stage.eq(DONE),
            intake_jobs::directive_id.eq(directive_id),
            intake_jobs::lease_until.eq(None::<NaiveDateTime>),
            intake_jobs::updated_at.eq(now()),
        ))
        .execute(conn)?;
    if changed == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict(
            "Tệp đang được một tiến trình khác đọc.".into(),
        ))
    }
}

/// Marks the job failed with `failure`, if it is still this reader's.
pub fn fail(
    conn: &mut DbConnection,
    id: i64,
    claim: &str,
    failure: &JobFailure,
) -> Result<(), StoreError> {
    let changed = diesel::update(held_by(id, claim))
        .set((
            intake_jobs::status.eq(FAILED),
            intake_jobs::stage.eq(FAILED),
            intake_jobs::error_code.eq(&failure.code),
            intake_jobs::error_message.eq(&failure.message),
            intake_jobs::lease_until.eq(None::<NaiveDateTime>),
            intake_jobs::updated_at.eq(now()),
        ))
        .execute(conn)?;
    if changed == 1 {
        audit::record(
            conn,
            "system",
            "intake.fail",
            "intake_job",
            Some(id),
            serde_json::json!({ "code": failure.code }),
        )?;
    }
    Ok(())
}

/// Puts a failed job back in the queue, registering it this time even if it duplicates a
/// registered document when `confirm_duplicate` (the clerk has confirmed).
pub fn retry(
    conn: &mut DbConnection,
    id: i64,
    confirm_duplicate: bool,
    actor: &str,
) -> Result<IntakeJobView, StoreError> {
    let job = get(conn, id)?;
    if job.status != FAILED {
        return Err(StoreError::Conflict(
            "Chỉ gửi đọc lại được tệp đã đọc không thành công.".into(),
        ));
    }
    diesel::update(intake_jobs::table.find(id))
        .set((
            intake_jobs::status.eq(QUEUED),
            intake_jobs::stage.eq(QUEUED),
            intake_jobs::confirm_duplicate.eq(confirm_duplicate),
            intake_jobs::pages_done.eq(0),
            intake_jobs::pages_total.eq(0),
            intake_jobs::attempts.eq(0),
            intake_jobs::claim.eq(None::<String>),
            intake_jobs::error_code.eq(None::<String>),
            intake_jobs::error_message.eq(None::<String>),
            intake_jobs::updated_at.eq(now()),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        "intake.retry",
        "intake_job",
        Some(id),
        serde_json::json!({ "confirm_duplicate": confirm_duplicate }),
    )?;
    get(conn, id)
}
