//! API handlers for the task lifecycle: actions on a task (start, cancel, reopen), progress reports
//! with attachments and the clerk's decision on them, deadline extensions and a leader's decision,
//! and a task's history from the audit log. Thin, like [`super::api`]: every rule is in
//! [`crate::tracker::lifecycle`] and the store.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, guard, web};
use chrono::NaiveDate;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::AppState;
use super::auth::{Permission, Principal};
use super::error::ApiError;
use crate::store::access::{self, Scope};
use crate::store::extensions::{self, ExtensionView};
use crate::store::reports::{self, Decision, NewAttachment, ReportView};
use crate::store::tasks::{self, TaskView};
use crate::store::{StoreError, audit};
use crate::tracker::lifecycle::Action;

/// Most files attached to one report.
pub const MAX_ATTACHMENTS: usize = 20;

/// Registers the lifecycle routes in the `/api` scope. The multipart report route is guarded by its
/// content type and registered before the JSON one of [`super::api`], which takes the rest.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/tasks/{id}/reports",
        web::post()
            .guard(guard::fn_guard(|ctx| {
                ctx.head()
                    .headers()
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"))
            }))
            .to(file_report_with_attachments),
    )
    .route("/tasks/{id}/start", web::post().to(start_task))
    .route("/tasks/{id}/cancel", web::post().to(cancel_task))
    .route("/tasks/{id}/reopen", web::post().to(reopen_task))
    .route("/tasks/{id}/history", web::get().to(task_history))
    .route("/tasks/{id}/extensions", web::get().to(list_extensions))
    .route("/tasks/{id}/extensions", web::post().to(request_extension))
    .route("/reports/{id}", web::get().to(get_report))
    .route("/reports/{id}/accept", web::post().to(accept_report))
    .route("/reports/{id}/return", web::post().to(return_report))
    .route(
        "/reports/{id}/attachments/{attachment_id}",
        web::get().to(download_attachment),
    )
    .route(
        "/extensions/{id}/approve",
        web::post().to(approve_extension),
    )
    .route("/extensions/{id}/refuse", web::post().to(refuse_extension));
}

/// Files a progress report for `principal` on task `task_id` in their scope, with its attachments
/// (at most [`MAX_ATTACHMENTS`]). Shared by the API and the task page.
pub(super) async fn file_report_as(
    state: &AppState,
    principal: Principal,
    task_id: i64,
    text: String,
    attachments: Vec<NewAttachment>,
) -> Result<ReportView, ApiError> {
    principal.require(Permission::FileReport)?;
    if attachments.len() > MAX_ATTACHMENTS {
        return Err(ApiError::bad_request(
            "too_many_files",
            format!("Mỗi báo cáo đính kèm tối đa {MAX_ATTACHMENTS} tệp."),
        ));
    }
    let text = text.trim().to_string();
    if text.is_empty() {
        return Err(ApiError::bad_request(
            "empty_text",
            "Báo cáo trống: hãy nhập nội dung tiến độ.",
        ));
    }
    let scope = principal.scope();
    write(state, move |c| {
        access::task(c, scope, task_id)?;
        reports::file(
            c,
            task_id,
            &text,
            &attachments,
            Some(principal.user.id),
            principal.actor(),
        )
    })
    .await
}

/// Reads an optional JSON body: empty means the defaults.
fn optional_json<T: DeserializeOwned + Default>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request("invalid_json", format!("Dữ liệu JSON không hợp lệ: {e}"))
    })
}

/// Runs a store write on a blocking thread.
async fn write<T, F>(state: &AppState, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut crate::store::DbConnection) -> Result<T, StoreError> + Send + 'static,
{
    let store = state.store.clone();
    Ok(web::block(move || store.write(f)).await??)
}

/// Runs a store read on a blocking thread.
async fn read<T, F>(state: &AppState, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut crate::store::DbConnection) -> Result<T, StoreError> + Send + 'static,
{
    let store = state.store.clone();
    Ok(web::block(move || store.read(f)).await??)
}

fn missing_reason(message: &str) -> ApiError {
    ApiError::bad_request("missing_reason", message)
}

/// A note given with an action or a decision.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// Why (required to return a report or refuse an extension).
    pub reason: Option<String>,
}

/// Fails with "not found" unless report `id` belongs to a task the reader may see.
fn check_report(
    c: &mut crate::store::DbConnection,
    scope: Scope,
    id: i64,
) -> Result<ReportView, StoreError> {
    let report = reports::get(c, id)?;
    access::task(c, scope, report.task_id)?;
    Ok(report)
}

async fn act(
    state: web::Data<AppState>,
    principal: Principal,
    id: i64,
    body: &[u8],
    action: Action,
) -> Result<web::Json<TaskView>, ApiError> {
    principal.require(match action {
        Action::Start => Permission::FileReport,
        _ => Permission::EditTask,
    })?;
    let note: Note = optional_json(body)?;
    let scope = principal.scope();
    Ok(web::Json(
        write(&state, move |c| {
            access::task(c, scope, id)?;
            tasks::act(c, id, action, note.reason.as_deref(), principal.actor())
        })
        .await?,
    ))
}

/// The agency starts work on a task (`assigned` or `returned` → `in_progress`).
#[utoipa::path(post, path = "/api/tasks/{id}/start", request_body(content = Option<Note>),
    responses((status = 200, body = TaskView), (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub async fn start_task(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    body: web::Bytes,
) -> Result<web::Json<TaskView>, ApiError> {
    act(state, principal, id.into_inner(), &body, Action::Start).await
}

/// Cancels an open task; reminders stop.
#[utoipa::path(post, path = "/api/tasks/{id}/cancel", request_body(content = Option<Note>),
    responses((status = 200, body = TaskView), (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub async fn cancel_task(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    body: web::Bytes,
) -> Result<web::Json<TaskView>, ApiError> {
    act(state, principal, id.into_inner(), &body, Action::Cancel).await
}

/// Reopens a completed (→ `in_progress`) or cancelled (→ `assigned`) task; reminders resume.
#[utoipa::path(post, path = "/api/tasks/{id}/reopen", request_body(content = Option<Note>),
    responses((status = 200, body = TaskView), (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub async fn reopen_task(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    body: web::Bytes,
) -> Result<web::Json<TaskView>, ApiError> {
    act(state, principal, id.into_inner(), &body, Action::Reopen).await
}

/// Files a progress report as `multipart/form-data`: a `text` field and any number of file parts
/// (up to [`MAX_ATTACHMENTS`]), the whole request within the upload limit. Answers 201 with the
/// report (as the JSON form of `POST /api/tasks/{id}/reports` does, which [`MultipartReports`]
/// extends in the API description).
pub async fn file_report_with_attachments(
    state: web::Data<AppState>,
    principal: Principal,
    request: HttpRequest,
    payload: web::Payload,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Permission::FileReport)?;
    let limit = state.config.limits.max_upload_bytes;
    if let Some(length) = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        && length > limit as u64
    {
        return Err(ApiError::too_large(limit));
    }
    let (text, attachments) =
        read_report_form(Multipart::new(request.headers(), payload), limit).await?;
    let report = file_report_as(&state, principal, id.into_inner(), text, attachments).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/reports/{}", report.id)))
        .json(report))
}

/// Adds the multipart form of [`file_report_with_attachments`] to the description of
/// `POST /api/tasks/{id}/reports`, whose JSON form [`super::api::file_report`] describes.
#[derive(Debug, Clone, Copy)]
pub struct MultipartReports;

impl utoipa::Modify for MultipartReports {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, SchemaFormat};
        use utoipa::openapi::{ContentBuilder, ObjectBuilder, RefOr, Type};
        let Some(body) = openapi
            .paths
            .paths
            .get_mut("/api/tasks/{id}/reports")
            .and_then(|item| item.post.as_mut())
            .and_then(|operation| operation.request_body.as_mut())
        else {
            return;
        };
        let RefOr::T(body) = body else {
            return;
        };
        let file = ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)));
        let form = ObjectBuilder::new()
            .property(
                "text",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some("What has been done.")),
            )
            .property(
                "file",
                ArrayBuilder::new().items(file).description(Some(format!(
                    "Attachments (file parts, any field name, at most {MAX_ATTACHMENTS})."
                ))),
            )
            .required("text");
        body.content.insert(
            "multipart/form-data".to_string(),
            RefOr::T(ContentBuilder::new().schema(Some(form)).build()),
        );
    }
}

/// Reads the `text` field and the file parts of a report form, counting every byte against `limit`.
async fn read_report_form(
    mut form: Multipart,
    limit: usize,
) -> Result<(String, Vec<NewAttachment>), ApiError> {
    let malformed = || ApiError::bad_request("bad_multipart", "Biểu mẫu tải tệp không hợp lệ.");
    let mut total = 0usize;
    let mut text = String::new();
    let mut attachments = Vec::new();
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|_| malformed())?;
        let name = field.name().unwrap_or("").to_string();
        let file_name = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_string);
        let content_type = field
            .content_type()
            .map(|m| m.essence_str().to_string())
            .unwrap_or_else(|| "application/octet-stream".to_string());
        let mut content = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| malformed())?;
            total += chunk.len();
            if total > limit {
                return Err(ApiError::too_large(limit));
            }
            content.extend_from_slice(&chunk);
        }
        match file_name {
            Some(file_name) => {
                if attachments.len() == MAX_ATTACHMENTS {
                    return Err(ApiError::bad_request(
                        "too_many_files",
                        format!("Mỗi báo cáo đính kèm tối đa {MAX_ATTACHMENTS} tệp."),
                    ));
                }
                let file_name = file_name.trim().to_string();
                attachments.push(NewAttachment {
                    file_name: if file_name.is_empty() {
                        format!("tep-{}", attachments.len() + 1)
                    } else {
                        file_name
                    },
                    content_type,
                    content,
                });
            }
            None if name == "text" => {
                text = String::from_utf8(content).map_err(|_| {
                    ApiError::bad_request("not_text", "Nội dung báo cáo phải là văn bản UTF-8.")
                })?;
            }
            None => {}
        }
    }
    Ok((text, attachments))
}

/// Reads one report, with its decision and attachments.
#[utoipa::path(get, path = "/api/reports/{id}",
    responses((status = 200, body = ReportView), (status = 404, body = ApiError)))]
pub async fn get_report(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> Result<web::Json<ReportView>, ApiError> {
    let (id, scope) = (id.into_inner(), principal.scope());
    Ok(web::Json(
        read(&state, move |c| check_report(c, scope, id)).await?,
    ))
}

/// A reason as typed: trimmed, and `None` when empty.
pub(super) fn typed_reason(reason: Option<String>) -> Option<String> {
    reason
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
}

/// Decides report `report_id` for `principal` (clerks), in their scope. With `of_task`, the report
/// must belong to that task (as the task page's address says). Shared by the API and the pages.
pub(super) async fn decide_report_as(
    state: &AppState,
    principal: Principal,
    report_id: i64,
    of_task: Option<i64>,
    decision: Decision,
    reason: Option<String>,
) -> Result<ReportView, ApiError> {
    principal.require(Permission::DecideReport)?;
    let reason = typed_reason(reason);
    if decision == Decision::Returned && reason.is_none() {
        return Err(missing_reason(
            "Hãy nêu lý do trả lại báo cáo (trường \"reason\").",
        ));
    }
    let scope = principal.scope();
    write(state, move |c| {
        let report = check_report(c, scope, report_id)?;
        if of_task.is_some_and(|task| task != report.task_id) {
            return Err(StoreError::NotFound {
                entity: "report",
                id: report_id,
            });
        }
        reports::decide(
            c,
            report_id,
            decision,
            reason.as_deref(),
            Some(principal.user.id),
            principal.actor(),
        )
    })
    .await
}

async fn decide_report(
    state: web::Data<AppState>,
    principal: Principal,
    id: i64,
    body: &[u8],
    decision: Decision,
) -> Result<web::Json<ReportView>, ApiError> {
    let note: Note = optional_json(body)?;
    Ok(web::Json(
        decide_report_as(&state, principal, id, None, decision, note.reason).await?,
    ))
}

/// Accepts the report awaiting a decision: the task is completed (done on the day the report was
/// filed) and a recurring duty gets its next occurrence. An optional `reason` is kept as a remark.
#[utoipa::path(post, path = "/api/reports/{id}/accept", request_body(content = Option<Note>),
    responses((status = 200, body = ReportView), (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub async fn accept_report(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    body: web::Bytes,
) -> Result<web::Json<ReportView>, ApiError> {
    decide_report(state, principal, id.into_inner(), &body, Decision::Accepted).await
}

/// Returns the report awaiting a decision, with a `reason`: the task becomes `returned` and
/// reminders resume.
#[utoipa::path(post, path = "/api/reports/{id}/return", request_body = Note,
    responses((status = 200, body = ReportView), (status = 400, body = ApiError),
              (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub async fn return_report(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    body: web::Bytes,
) -> Result<web::Json<ReportView>, ApiError> {
    decide_report(state, principal, id.into_inner(), &body, Decision::Returned).await
}

/// Downloads a file attached to a report.
#[utoipa::path(get, path = "/api/reports/{id}/attachments/{attachment_id}",
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = ApiError)))]
pub async fn download_attachment(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (report_id, attachment_id) = path.into_inner();
    let scope = principal.scope();
    let file = read(&state, move |c| {
        check_report(c, scope, report_id)?;
        reports::attachment(c, report_id, attachment_id)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/octet-stream")
        .insert_header(header::ContentDisposition::attachment(
            file.attachment.file_name,
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(file.content))
}

/// A deadline extension asked for.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewExtension {
    /// The deadline asked for (after the current one).
    pub new_deadline: NaiveDate,
    /// Why it is needed.
    pub reason: String,
}

/// The agency asks for a later deadline, with a reason. Reminders keep following the current
/// deadline until a leader approves.
#[utoipa::path(post, path = "/api/tasks/{id}/extensions", request_body = NewExtension,
    responses((status = 201, body = ExtensionView), (status = 400, body = ApiError),
              (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub async fn request_extension(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    body: web::Json<NewExtension>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let extension = request_extension_as(
        &state,
        principal,
        id.into_inner(),
        body.new_deadline,
        body.reason,
    )
    .await?;
    Ok(HttpResponse::Created().json(extension))
}

/// Asks, for `principal`, for a later deadline on task `task_id` in their scope. Shared by the API
/// and the pages.
pub(super) async fn request_extension_as(
    state: &AppState,
    principal: Principal,
    task_id: i64,
    new_deadline: NaiveDate,
    reason: String,
) -> Result<ExtensionView, ApiError> {
    principal.require(Permission::RequestExtension)?;
    let Some(reason) = typed_reason(Some(reason)) else {
        return Err(missing_reason(
            "Hãy nêu lý do đề nghị gia hạn (trường \"reason\").",
        ));
    };
    let scope = principal.scope();
    write(state, move |c| {
        access::task(c, scope, task_id)?;
        extensions::request(
            c,
            task_id,
            new_deadline,
            &reason,
            Some(principal.user.id),
            principal.actor(),
        )
    })
    .await
}

/// The extension requests of a task, oldest first (the history of its deadline).
#[utoipa::path(get, path = "/api/tasks/{id}/extensions",
    responses((status = 200, body = Vec<ExtensionView>), (status = 404, body = ApiError)))]
pub async fn list_extensions(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> Result<web::Json<Vec<ExtensionView>>, ApiError> {
    let (id, scope) = (id.into_inner(), principal.scope());
    Ok(web::Json(
        read(&state, move |c| {
            access::task(c, scope, id)?;
            extensions::of_task(c, id)
        })
        .await?,
    ))
}

/// Decides extension `extension_id` for `principal` (leaders). With `of_task`, the request must
/// be for that task (as the task page's address says). Shared by the API and the pages.
pub(super) async fn decide_extension_as(
    state: &AppState,
    principal: Principal,
    extension_id: i64,
    of_task: Option<i64>,
    approve: bool,
    note: Option<String>,
) -> Result<ExtensionView, ApiError> {
    principal.require(Permission::DecideExtension)?;
    let note = typed_reason(note);
    if !approve && note.is_none() {
        return Err(missing_reason(
            "Hãy nêu lý do từ chối gia hạn (trường \"reason\").",
        ));
    }
    write(state, move |c| {
        let extension = extensions::get(c, extension_id)?;
        if of_task.is_some_and(|task| task != extension.task_id) {
            return Err(StoreError::NotFound {
                entity: "extension",
                id: extension_id,
            });
        }
        extensions::decide(
            c,
            extension_id,
            approve,
            note.as_deref(),
            Some(principal.user.id),
            principal.actor(),
        )
    })
    .await
}

async fn decide_extension(
    state: web::Data<AppState>,
    principal: Principal,
    id: i64,
    body: &[u8],
    approve: bool,
) -> Result<web::Json<ExtensionView>, ApiError> {
    let note: Note = optional_json(body)?;
    Ok(web::Json(
        decide_extension_as(&state, principal, id, None, approve, note.reason).await?,
    ))
}

/// A leader approves an extension: the task's deadline becomes the one asked for.
#[utoipa::path(post, path = "/api/extensions/{id}/approve", request_body(content = Option<Note>),
    responses((status = 200, body = ExtensionView), (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub async fn approve_extension(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    body: web::Bytes,
) -> Result<web::Json<ExtensionView>, ApiError> {
    decide_extension(state, principal, id.into_inner(), &body, true).await
}

/// A leader refuses an extension, with a `reason`: the deadline stays.
#[utoipa::path(post, path = "/api/extensions/{id}/refuse", request_body = Note,
    responses((status = 200, body = ExtensionView), (status = 400, body = ApiError),
              (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub async fn refuse_extension(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    body: web::Bytes,
) -> Result<web::Json<ExtensionView>, ApiError> {
    decide_extension(state, principal, id.into_inner(), &body, false).await
}

/// One entry of a task's history.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    /// Audit entry id.
    pub id: i64,
    /// When (UTC).
    pub at: chrono::NaiveDateTime,
    /// Who.
    pub actor: String,
    /// What: `task.update`, `task.start`, `report.file`, `report.accept`, `report.return`,
    /// `extension.request`, `extension.approve`, `extension.refuse`, `task.recur`, ...
    pub action: String,
    /// The details recorded.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

/// A task's history from the audit log, oldest first.
#[utoipa::path(get, path = "/api/tasks/{id}/history",
    responses((status = 200, body = Vec<HistoryEntry>), (status = 404, body = ApiError)))]
pub async fn task_history(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> Result<web::Json<Vec<HistoryEntry>>, ApiError> {
    let (id, scope) = (id.into_inner(), principal.scope());
    let entries = read(&state, move |c| {
        access::task(c, scope, id)?;
        audit::for_entity(c, "task", id)
    })
    .await?;
    Ok(web::Json(
        entries
            .into_iter()
            .map(|e| HistoryEntry {
                id: e.id,
                at: e.at,
                actor: e.actor,
                action: e.action,
                detail: serde_json::from_str(&e.detail)
                    .unwrap_or(serde_json::Value::String(e.detail)),
            })
            .collect(),
    ))
}
