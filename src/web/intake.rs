//! Registration through the background reader: the API to hand over a file and follow its reading
//! (`/api/intake`), and the loop that reads the files ([`read_files_forever`]).

use std::sync::Arc;
use std::time::Duration;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use tokio::sync::Notify;

use super::AppState;
use super::auth::{Permission, Principal};
use super::error::{ApiError, job_failure};
use crate::config::Config;
use crate::intake::{self, IncomingFile};
use crate::store::Store;
use crate::store::intake_jobs::{self, IntakeJobView};

/// How often an idle reader looks for jobs handed to other processes (or left by a stopped one).
const POLL: Duration = Duration::from_secs(2);

/// Hands `file` to the background reader for `principal`, registering in the office's register;
/// wakes the reader. Returns the job as stored.
pub async fn submit_file(
    state: &AppState,
    principal: &Principal,
    file: IncomingFile,
    confirm_duplicate: bool,
    draft: bool,
) -> Result<IntakeJobView, ApiError> {
    let store = state.store.clone();
    let registration = intake::Registration {
        confirm_duplicate,
        draft,
        ..intake::Registration::in_office(&state.config.office.name)
    };
    let actor = principal.actor().to_string();
    let user_id = principal.user.id;
    let job = web::block(move || {
        let id = intake::jobs::submit(&store, &file, &registration, &actor, Some(user_id))?;
        Ok::<_, ApiError>(store.read(|c| intake_jobs::get(c, id))?)
    })
    .await??;
    state.file_reader.notify_one();
    Ok(job)
}

/// A job, for whoever may register directives.
pub async fn job_of(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<IntakeJobView, ApiError> {
    principal.require(Permission::RegisterDirective)?;
    let store = state.store.clone();
    Ok(web::block(move || store.read(|c| intake_jobs::get(c, id))).await??)
}

/// Hands a file to the background reader (the body as for `POST /api/directives`); answers at
/// once with the job, whose progress `GET /api/intake/{id}` tells. Meant for scans and PDFs, whose
/// OCR can take minutes.
#[utoipa::path(post, path = "/api/intake",
    request_body(content = super::api::NewDirectiveText, description = "JSON text, or multipart/form-data with a `file` part"),
    responses((status = 202, body = IntakeJobView), (status = 400, body = ApiError),
              (status = 413, body = ApiError)))]
pub async fn submit(
    state: web::Data<AppState>,
    principal: Principal,
    request: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    principal.require(Permission::RegisterDirective)?;
    let (file, submission) =
        super::api::read_submission(&request, payload, state.config.limits.max_upload_bytes)
            .await?;
    let job = submit_file(
        &state,
        &principal,
        file,
        submission.confirm_duplicate,
        submission.draft,
    )
    .await?;
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, format!("/api/intake/{}", job.id)))
        .json(job))
}

/// Where the reading of a handed-over file stands: stage, pages read by OCR, and the directive
/// once registered (or the reason it failed, with the same codes as `POST /api/directives`).
#[utoipa::path(get, path = "/api/intake/{id}",
    responses((status = 200, body = IntakeJobView), (status = 404, body = ApiError)))]
pub async fn get(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(job_of(&state, &principal, id.into_inner()).await?))
}

/// What to change when a failed reading is tried again.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct Retry {
    /// Register it even if it duplicates a registered document (after a `duplicate_directive`
    /// failure).
    #[serde(default)]
    pub confirm_duplicate: bool,
}

/// Tries a failed reading again.
#[utoipa::path(post, path = "/api/intake/{id}/retry", request_body = Retry,
    responses((status = 202, body = IntakeJobView), (status = 404, body = ApiError),
              (status = 409, body = ApiError)))]
pub async fn retry(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    body: web::Json<Retry>,
) -> Result<HttpResponse, ApiError> {
    let job = retry_job(&state, &principal, id.into_inner(), body.confirm_duplicate).await?;
    Ok(HttpResponse::Accepted().json(job))
}

/// Puts a failed job back in the queue (for the API and the page) and wakes the reader.
pub async fn retry_job(
    state: &AppState,
    principal: &Principal,
    id: i64,
    confirm_duplicate: bool,
) -> Result<IntakeJobView, ApiError> {
    principal.require(Permission::RegisterDirective)?;
    let store = state.store.clone();
    let actor = principal.actor().to_string();
    let job =
        web::block(move || store.write(|c| intake_jobs::retry(c, id, confirm_duplicate, &actor)))
            .await??;
    state.file_reader.notify_one();
    Ok(job)
}

/// The API routes of this module.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/intake", web::post().to(submit))
        .route("/intake/{id}", web::get().to(get))
        .route("/intake/{id}/retry", web::post().to(retry));
}

/// Reads handed-over files one at a time, for as long as the server runs: at once when `wake` is
/// told of a new job, and every few seconds for jobs of other processes or of a reader that
/// stopped.
pub async fn read_files_forever(store: Store, config: Arc<Config>, wake: Arc<Notify>) {
    loop {
        let (store, config) = (store.clone(), config.clone());
        let ran =
            web::block(move || intake::jobs::run_next(&store, &config.limits, &job_failure)).await;
        match ran {
            Ok(Ok(Some(job))) => {
                tracing::info!(job, "read a handed-over file");
                continue;
            }
            Ok(Ok(None)) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "the background reader failed"),
            Err(e) => tracing::error!(error = %e, "the background reader stopped"),
        }
        tokio::select! {
            _ = wake.notified() => {}
            _ = actix_web::rt::time::sleep(POLL) => {}
        }
    }
}
