//! The background reader: files that may need OCR are stored with a job ([`submit`]) and read
//! afterwards ([`run_next`]), so that no request waits minutes for OCR, and the clerk sees how many
//! pages have been read. The job, its file and its progress live in the database
//! ([`crate::store::intake_jobs`]), so a crash or restart loses nothing: an interrupted job is taken
//! up again when its lease runs out, and registered at most once.

use std::time::Duration;

use super::{IncomingFile, IntakeError, Registration, Stage, checksum, read_reporting, store_read};
use crate::config::Limits;
use crate::store::intake_jobs::{self, JobFailure, NewIntakeJob};
use crate::store::{Store, StoreError};

/// A job taken up this many times without finishing is failed rather than taken up again.
pub const MAX_ATTEMPTS: i32 = 3;

/// Time a reader may go without telling progress, beyond the reading time limit, before its job
/// is taken up by another.
const LEASE_MARGIN: Duration = Duration::from_secs(60);

/// Stores `file` and a job to read and register it; returns the job's id. An empty file is refused
/// at once; bounds on the file's size are checked by the reader, which fails the job with the reason.
pub fn submit(
    store: &Store,
    file: &IncomingFile,
    registration: &Registration,
    actor: &str,
    submitted_by: Option<i64>,
) -> Result<i64, IntakeError> {
    if file.content.is_empty() {
        return Err(crate::parse::ParseError::Empty.into());
    }
    let checksum = checksum(&file.content);
    let new = NewIntakeJob {
        file_name: file.file_name.as_deref(),
        content: &file.content,
        checksum: &checksum,
        office: &registration.office,
        draft: registration.draft,
        confirm_duplicate: registration.confirm_duplicate,
        actor,
        submitted_by,
    };
    Ok(store.write(|conn| intake_jobs::submit(conn, &new))?)
}

/// A token naming one reader, for its claims on jobs.
fn reader_token() -> String {
    let mut bytes = [0u8; 12];
    // Without randomness the process id and clock still tell readers apart.
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        return format!("{}-{nanos}", std::process::id());
    }
    hex::encode(bytes)
}

/// Takes up the oldest waiting job (or one whose reader stopped), reads its file, and registers the
/// directive in the transaction that marks the job done; a failure is recorded on the job with
/// `describe`'s code and message. Returns the job's id, or `None` when no job waits. An error is
/// returned only when the database itself fails; the job is then taken up again once its lease
/// has run out.
pub fn run_next(
    store: &Store,
    limits: &Limits,
    describe: &dyn Fn(IntakeError) -> JobFailure,
) -> Result<Option<i64>, StoreError> {
    let lease = chrono::Duration::from_std(
        Duration::from_secs(limits.max_read_seconds).saturating_add(LEASE_MARGIN),
    )
    .unwrap_or(chrono::Duration::MAX);
    let token = reader_token();
    let Some(job) = store.write(|conn| intake_jobs::claim(conn, &token, lease))? else {
        return Ok(None);
    };
    let outcome = if job.attempts > MAX_ATTEMPTS {
        Err(IntakeError::Interrupted {
            attempts: job.attempts - 1,
        })
    } else {
        let file = IncomingFile {
            file_name: job.file_name.clone(),
            content: job.content.clone(),
        };
        let registration = Registration {
            office: job.office.clone(),
            confirm_duplicate: job.confirm_duplicate,
            recipient: None,
            draft: job.draft,
        };
        let progress = |stage: Stage| {
            let told = store.write(|conn| {
                intake_jobs::progress(conn, job.id, &token, stage.as_str(), stage.pages(), lease)
            });
            if let Err(e) = told {
                tracing::warn!(job = job.id, error = %e, "could not record reading progress");
            }
        };
        read_reporting(&file, limits, &progress).and_then(|read| {
            progress(Stage::Storing);
            store
                .write(|conn| {
                    let id = store_read(
                        conn,
                        &file,
                        &read,
                        &registration,
                        &job.actor,
                        job.submitted_by,
                    )?;
                    intake_jobs::finish(conn, job.id, &token, id)
                })
                .map_err(IntakeError::from)
        })
    };
    match outcome {
        Ok(()) => {}
        // The database failed, not the file: the job stays claimed, and is taken up again when
        // the lease runs out.
        Err(IntakeError::Store(e @ (StoreError::Query(_) | StoreError::Connection(_)))) => {
            return Err(e);
        }
        Err(e) => {
            let failure = describe(e);
            store.write(|conn| intake_jobs::fail(conn, job.id, &token, &failure))?;
        }
    }
    Ok(Some(job.id))
}
