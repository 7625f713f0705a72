//! JSON API handlers. Each one is thin: it reads the request, calls intake or the store on a blocking
//! thread, and answers JSON.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

use super::AppState;
use super::auth::{Permission, Principal};
use super::error::ApiError;
use crate::intake::{self, IncomingFile};
use crate::store::access;
use crate::store::agencies::{self, Agency};
use crate::store::directives::{self, DirectiveFilter, DirectiveSummary, DirectiveView};
use crate::store::tasks::{self, ReportView, TaskFilter, TaskPatch, TaskView};

/// Health of the service.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok` when the database answers.
    pub status: &'static str,
    /// `sqlite` or `postgres`.
    pub backend: crate::store::Backend,
}

/// Whether the service and its database answer.
#[utoipa::path(get, path = "/api/health", responses((status = 200, body = Health)))]
pub async fn health(state: web::Data<AppState>) -> Result<web::Json<Health>, ApiError> {
    let store = state.store.clone();
    web::block(move || store.read(directives::count)).await??;
    Ok(web::Json(Health {
        status: "ok",
        backend: state.store.backend(),
    }))
}

/// A directive given as JSON text.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDirectiveText {
    /// The directive's text.
    pub text: String,
    /// A file name to record with it.
    pub file_name: Option<String>,
    /// Register it even if the same document is in the register already (answered 409
    /// `duplicate_directive` otherwise). Multipart forms send it as a `confirm_duplicate` field.
    #[serde(default)]
    pub confirm_duplicate: bool,
    /// Keep the tasks read from it as drafts until `POST /api/directives/{id}/confirm` (as the
    /// registration page does, so that the clerk checks them first); by default they are given to
    /// their agencies at once. Multipart forms send it as a `draft` field.
    #[serde(default)]
    pub draft: bool,
}

/// How a directive is to be registered, besides its content.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Submission {
    /// Register it even if it duplicates a registered document.
    pub confirm_duplicate: bool,
    /// Keep its tasks as drafts until the clerk confirms.
    pub draft: bool,
}

/// Registers a directive from JSON `{"text", "file_name"}` or a multipart `file`.
#[utoipa::path(post, path = "/api/directives",
    request_body(content = NewDirectiveText, description = "JSON text, or multipart/form-data with a `file` part"),
    responses((status = 201, body = DirectiveView), (status = 400, body = ApiError),
              (status = 413, body = ApiError), (status = 415, body = ApiError)))]
pub async fn register_directive(
    state: web::Data<AppState>,
    principal: Principal,
    request: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    principal.require(Permission::RegisterDirective)?;
    let (file, submission) =
        read_submission(&request, payload, state.config.limits.max_upload_bytes).await?;
    let store = state.store.clone();
    let config = state.config.clone();
    let user_id = principal.user.id;
    let registration = intake::Registration {
        confirm_duplicate: submission.confirm_duplicate,
        draft: submission.draft,
        ..intake::Registration::in_office(&config.office.name)
    };
    let view = web::block(move || {
        intake::register(
            &store,
            &file,
            &config.limits,
            &registration,
            principal.actor(),
            Some(user_id),
        )
    })
    .await??;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/directives/{}", view.id)))
        .json(view))
}

/// The file of a registration request: JSON `{"text", "file_name", ...}` or a multipart form with a
/// `file` part, with its flags; at most `limit` bytes.
pub(super) async fn read_submission(
    request: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<(IncomingFile, Submission), ApiError> {
    if let Some(length) = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        && length > limit as u64
    {
        return Err(ApiError::too_large(limit));
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let (file, submission) = if content_type.starts_with("multipart/form-data") {
        read_multipart(Multipart::new(request.headers(), payload), limit).await?
    } else if content_type.starts_with("application/json") {
        let body = read_body(payload, limit).await?;
        let input: NewDirectiveText = serde_json::from_slice(&body).map_err(|e| {
            ApiError::bad_request("invalid_json", format!("Dữ liệu JSON không hợp lệ: {e}"))
        })?;
        let file = IncomingFile {
            file_name: input.file_name,
            content: input.text.into_bytes(),
        };
        let submission = Submission {
            confirm_duplicate: input.confirm_duplicate,
            draft: input.draft,
        };
        (file, submission)
    } else {
        return Err(ApiError::bad_request(
            "unsupported_content_type",
            "Hãy gửi JSON {\"text\": ...} hoặc biểu mẫu multipart có trường \"file\".",
        ));
    };
    Ok((file, submission))
}

async fn read_body(mut payload: web::Payload, limit: usize) -> Result<Vec<u8>, ApiError> {
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|_| ApiError::bad_request("bad_body", "Không đọc được nội dung gửi lên."))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// One part of a multipart form.
#[derive(Debug, Default)]
pub struct FormPart {
    /// The file name, for file parts.
    pub file_name: Option<String>,
    /// The bytes sent.
    pub content: Vec<u8>,
}

/// Reads every part of a multipart form in order, refusing more than `limit` bytes in all.
pub async fn read_form_parts(
    mut form: Multipart,
    limit: usize,
) -> Result<Vec<(String, FormPart)>, ApiError> {
    let malformed = || ApiError::bad_request("bad_multipart", "Biểu mẫu tải tệp không hợp lệ.");
    let mut parts = Vec::new();
    let mut total = 0usize;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|_| malformed())?;
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_string);
        let mut content = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| malformed())?;
            total += chunk.len();
            if total > limit {
                return Err(ApiError::too_large(limit));
            }
            content.extend_from_slice(&chunk);
        }
        parts.push((name, FormPart { file_name, content }));
    }
    Ok(parts)
}

/// Reads a multipart form into its fields by name (the first part of each name).
pub async fn read_form(
    form: Multipart,
    limit: usize,
) -> Result<std::collections::HashMap<String, FormPart>, ApiError> {
    let mut fields = std::collections::HashMap::new();
    for (name, part) in read_form_parts(form, limit).await? {
        fields.entry(name).or_insert(part);
    }
    Ok(fields)
}

/// Whether a form field says yes (`true`, `1`, `on`, `yes`), as a checkbox or a program sends it.
pub fn form_flag(part: Option<&FormPart>) -> bool {
    part.is_some_and(|p| {
        matches!(
            String::from_utf8_lossy(&p.content)
                .trim()
                .to_ascii_lowercase()
                .as_str(),
            "true" | "1" | "on" | "yes"
        )
    })
}

/// The `file` part of a registration form, and whether its `confirm_duplicate` field is set.
async fn read_multipart(
    form: Multipart,
    limit: usize,
) -> Result<(IncomingFile, Submission), ApiError> {
    let mut parts = read_form(form, limit).await?;
    let submission = Submission {
        confirm_duplicate: form_flag(parts.get("confirm_duplicate")),
        draft: form_flag(parts.get("draft")),
    };
    let file = parts.remove("file").ok_or_else(|| {
        ApiError::bad_request("missing_file", "Biểu mẫu không có trường \"file\".")
    })?;
    Ok((
        IncomingFile {
            file_name: file.file_name,
            content: file.content,
        },
        submission,
    ))
}

/// Confirms a directive registered as a draft: its tasks are given to their agencies, which from
/// then on see them and are reminded of them. Confirming twice changes nothing.
#[utoipa::path(post, path = "/api/directives/{id}/confirm",
    responses((status = 200, body = DirectiveView), (status = 403, body = ApiError),
              (status = 404, body = ApiError)))]
pub async fn confirm_directive(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> Result<web::Json<DirectiveView>, ApiError> {
    principal.require(Permission::RegisterDirective)?;
    let store = state.store.clone();
    let id = id.into_inner();
    let view = web::block(move || {
        store.write(|c| {
            directives::confirm(c, id, principal.actor())?;
            directives::get(c, id)
        })
    })
    .await??;
    Ok(web::Json(view))
}

/// Reads a directive with its documents and tasks.
#[utoipa::path(get, path = "/api/directives/{id}",
    responses((status = 200, body = DirectiveView), (status = 404, body = ApiError)))]
pub async fn get_directive(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> Result<web::Json<DirectiveView>, ApiError> {
    let store = state.store.clone();
    let (id, scope) = (id.into_inner(), principal.scope());
    Ok(web::Json(
        web::block(move || store.read(|c| access::directive(c, scope, id))).await??,
    ))
}

/// Downloads the original file of a directive.
#[utoipa::path(get, path = "/api/directives/{id}/file",
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = ApiError)))]
pub async fn get_directive_file(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Permission::DownloadOriginal)?;
    let store = state.store.clone();
    let (id, scope) = (id.into_inner(), principal.scope());
    let (name, content) = web::block(move || {
        store.read(|c| {
            access::check_directive(c, scope, id)?;
            directives::original_file(c, id)
        })
    })
    .await??;
    let name = name.unwrap_or_else(|| format!("directive-{id}.txt"));
    Ok(HttpResponse::Ok()
        .content_type("application/octet-stream")
        .insert_header(header::ContentDisposition::attachment(name))
        .body(content))
}

/// Lists directives, newest first.
#[utoipa::path(get, path = "/api/directives", params(DirectiveFilter),
    responses((status = 200, body = Vec<DirectiveSummary>), (status = 400, body = ApiError)))]
pub async fn list_directives(
    state: web::Data<AppState>,
    principal: Principal,
    filter: web::Query<DirectiveFilter>,
) -> Result<web::Json<Vec<DirectiveSummary>>, ApiError> {
    let store = state.store.clone();
    let (filter, scope) = (filter.into_inner(), principal.scope());
    Ok(web::Json(
        web::block(move || store.read(|c| directives::list(c, &filter, scope))).await??,
    ))
}

/// Lists tasks by deadline.
#[utoipa::path(get, path = "/api/tasks", params(TaskFilter),
    responses((status = 200, body = Vec<TaskView>), (status = 400, body = ApiError)))]
pub async fn list_tasks(
    state: web::Data<AppState>,
    principal: Principal,
    filter: web::Query<TaskFilter>,
) -> Result<web::Json<Vec<TaskView>>, ApiError> {
    let store = state.store.clone();
    let (filter, scope) = (filter.into_inner(), principal.scope());
    Ok(web::Json(
        web::block(move || store.read(|c| tasks::list(c, &filter, scope))).await??,
    ))
}

/// Reads one task.
#[utoipa::path(get, path = "/api/tasks/{id}",
    responses((status = 200, body = TaskView), (status = 404, body = ApiError)))]
pub async fn get_task(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> Result<web::Json<TaskView>, ApiError> {
    let store = state.store.clone();
    let (id, scope) = (id.into_inner(), principal.scope());
    Ok(web::Json(
        web::block(move || store.read(|c| access::task(c, scope, id))).await??,
    ))
}

/// Changes a task (status, deadline, text, agencies).
#[utoipa::path(patch, path = "/api/tasks/{id}", request_body = TaskPatch,
    responses((status = 200, body = TaskView), (status = 400, body = ApiError), (status = 404, body = ApiError)))]
pub async fn update_task(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    patch: web::Json<TaskPatch>,
) -> Result<web::Json<TaskView>, ApiError> {
    principal.require(Permission::EditTask)?;
    let patch = patch.into_inner();
    if patch.text.as_deref().is_some_and(|t| t.trim().is_empty()) {
        return Err(ApiError::bad_request(
            "empty_text",
            "Nội dung nhiệm vụ không được để trống.",
        ));
    }
    let store = state.store.clone();
    let id = id.into_inner();
    Ok(web::Json(
        web::block(move || store.write(|c| tasks::update(c, id, &patch, principal.actor())))
            .await??,
    ))
}

/// A progress report to file.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReport {
    /// What has been done.
    pub text: String,
}

/// Files a progress report on a task.
#[utoipa::path(post, path = "/api/tasks/{id}/reports", request_body = NewReport,
    responses((status = 201, body = ReportView), (status = 400, body = ApiError),
              (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub async fn file_report(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    report: web::Json<NewReport>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Permission::FileReport)?;
    let text = report.into_inner().text;
    if text.trim().is_empty() {
        return Err(ApiError::bad_request(
            "empty_text",
            "Báo cáo trống: hãy nhập nội dung tiến độ.",
        ));
    }
    let store = state.store.clone();
    let (id, scope) = (id.into_inner(), principal.scope());
    let report = web::block(move || {
        store.write(|c| {
            access::task(c, scope, id)?;
            tasks::add_report(
                c,
                id,
                text.trim(),
                Some(principal.user.id),
                principal.actor(),
            )
        })
    })
    .await??;
    Ok(HttpResponse::Created().json(report))
}

/// Lists the progress reports of a task.
#[utoipa::path(get, path = "/api/tasks/{id}/reports",
    responses((status = 200, body = Vec<ReportView>), (status = 404, body = ApiError)))]
pub async fn list_reports(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> Result<web::Json<Vec<ReportView>>, ApiError> {
    let store = state.store.clone();
    let (id, scope) = (id.into_inner(), principal.scope());
    Ok(web::Json(
        web::block(move || {
            store.read(|c| {
                access::task(c, scope, id)?;
                tasks::reports_of(c, id)
            })
        })
        .await??,
    ))
}

/// Search parameters.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SearchParams {
    /// Words, "phrases", prefix*, or a document number; accents optional.
    pub q: Option<String>,
    /// Only directives of this kind.
    pub kind: Option<String>,
    /// Only directives from this issuer.
    pub issuer: Option<String>,
    /// Only directives with a task for this agency (lead or cooperating).
    pub agency: Option<String>,
    /// Only directives with a task led by this agency.
    pub lead: Option<String>,
    /// Only directives with a task in this status.
    pub status: Option<String>,
    /// Only directives issued in this year.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub year: Option<i32>,
    /// Only directives issued on or after this date.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub issued_from: Option<chrono::NaiveDate>,
    /// Only directives issued on or before this date.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub issued_to: Option<chrono::NaiveDate>,
    /// `relevance` (default), `newest` or `oldest`.
    pub sort: Option<crate::search::SortOrder>,
    /// Hits per page (default 20, at most 200).
    pub limit: Option<usize>,
    /// Hits to skip.
    pub offset: Option<usize>,
}

/// Reads an optional value of a query string where an empty field (as a form sends it) means none.
pub(super) fn empty_as_none<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    match Option::<String>::deserialize(d)?.map(|s| s.trim().to_string()) {
        None => Ok(None),
        Some(s) if s.is_empty() => Ok(None),
        Some(s) => s.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

/// A text filter, unless the form left it empty.
fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl SearchParams {
    /// The index query these parameters ask for.
    pub fn to_query(&self) -> crate::search::SearchQuery {
        let defaults = crate::search::SearchQuery::default();
        crate::search::SearchQuery {
            text: self.q.clone().unwrap_or_default(),
            kind: non_empty(&self.kind),
            issuer: non_empty(&self.issuer),
            agency: non_empty(&self.agency),
            lead_agency: non_empty(&self.lead),
            status: non_empty(&self.status),
            year: self.year,
            issued_from: self.issued_from,
            issued_to: self.issued_to,
            sort: self.sort.unwrap_or_default(),
            limit: self.limit.unwrap_or(defaults.limit),
            offset: self.offset.unwrap_or(0),
            facets: true,
        }
    }
}

/// Searches past directives: accent-insensitive, exact accents ranked first, with filters, facets
/// and highlighted snippets. Every directive committed before the request is found.
#[utoipa::path(get, path = "/api/search", params(SearchParams),
    responses((status = 200, body = crate::search::SearchResults), (status = 400, body = ApiError)))]
pub async fn search(
    state: web::Data<AppState>,
    principal: Principal,
    params: web::Query<SearchParams>,
) -> Result<web::Json<crate::search::SearchResults>, ApiError> {
    let results = state.search(&principal, params.to_query()).await?;
    Ok(web::Json(results))
}

/// Lists the agencies, with their reminder addresses.
#[utoipa::path(get, path = "/api/agencies",
    responses((status = 200, body = Vec<Agency>)))]
pub async fn list_agencies(
    state: web::Data<AppState>,
    _principal: Principal,
) -> Result<web::Json<Vec<Agency>>, ApiError> {
    let store = state.store.clone();
    Ok(web::Json(
        web::block(move || store.read(agencies::list)).await??,
    ))
}

/// A change to an agency.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgencyPatch {
    /// Address for reminder mail; `null` or empty removes it (mail then goes to the fallback address).
    pub email: Option<String>,
}

/// Sets an agency's reminder address.
#[utoipa::path(put, path = "/api/agencies/{id}", request_body = AgencyPatch,
    responses((status = 200, body = Agency), (status = 400, body = ApiError), (status = 404, body = ApiError)))]
pub async fn update_agency(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    patch: web::Json<AgencyPatch>,
) -> Result<web::Json<Agency>, ApiError> {
    principal.require(Permission::ManageAgencies)?;
    let email = crate::tracker::check_address(patch.into_inner().email.as_deref())
        .map_err(|message| ApiError::bad_request("invalid_email", message))?;
    let store = state.store.clone();
    let id = id.into_inner();
    Ok(web::Json(
        web::block(move || {
            store.write(|c| agencies::set_email(c, id, email.as_deref(), principal.actor()))
        })
        .await??,
    ))
}
