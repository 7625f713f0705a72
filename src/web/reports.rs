//! The incoming register and the performance reports over HTTP: JSON for programs, and the same
//! data as CSV, XLSX or a printable page (`format=csv|xlsx|html`).

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;

use super::AppState;
use super::auth::{Permission, Principal};
use super::error::ApiError;
use crate::reports::export::{self, ExportFile, ExportFormat, Letterhead};
use crate::reports::{Period, Scope, query};
use crate::store::register::{self, RegisterEntry, RegisterFilter};
use crate::tracker::local_day;

/// Routes of this module, inside the `/api` scope.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/register", web::get().to(list_register))
        .route("/register/{id}", web::get().to(get_entry))
        .route("/register/{id}/cancel", web::post().to(cancel_entry))
        .route("/reports/performance", web::get().to(performance))
        .route("/reports/directives/{id}", web::get().to(directive));
}

fn today() -> NaiveDate {
    local_day(crate::store::now())
}

fn respond(file: ExportFile, format: ExportFormat) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    response.content_type(file.content_type);
    if matches!(format, ExportFormat::Csv | ExportFormat::Xlsx) {
        response.insert_header(header::ContentDisposition::attachment(file.file_name));
    }
    response.body(file.bytes)
}

/// Which register entries, and in what format.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct RegisterQuery {
    /// Office (default: the configured office).
    pub office: Option<String>,
    /// Year of the sequence (default: this year, unless `from` or `to` is given).
    pub year: Option<i32>,
    /// Received on or after this day.
    pub from: Option<NaiveDate>,
    /// Received on or before this day.
    pub to: Option<NaiveDate>,
    /// Leave out cancelled entries.
    #[serde(default)]
    pub live_only: bool,
    /// `json` (default), `csv`, `xlsx` or `html`.
    pub format: Option<ExportFormat>,
}

/// Lists the incoming register ("Sổ đăng ký văn bản đến") in number order, or exports it.
#[utoipa::path(get, path = "/api/register", params(RegisterQuery),
    responses((status = 200, body = Vec<RegisterEntry>,
               description = "JSON; CSV, XLSX or a printable page with `format`"),
              (status = 400, body = ApiError)))]
pub async fn list_register(
    state: web::Data<AppState>,
    principal: Principal,
    params: web::Query<RegisterQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Permission::ViewDashboard)?;
    let params = params.into_inner();
    let today = today();
    let year = match (params.year, params.from, params.to) {
        (None, None, None) => Some(chrono::Datelike::year(&today)),
        (year, _, _) => year,
    };
    let filter = RegisterFilter {
        office: Some(
            params
                .office
                .unwrap_or_else(|| state.config.office.name.clone()),
        ),
        year,
        from: params.from,
        to: params.to,
        live_only: params.live_only,
        limit: None,
        offset: None,
    };
    let format = params.format.unwrap_or_default();
    let store = state.store.clone();
    let config = state.config.clone();
    let file = web::block(move || -> Result<ExportFile, ApiError> {
        let entries = store.read(|c| register::list(c, &filter))?;
        let (span, stem) = export::register_span(&filter);
        let doc = export::register_document(&entries, &span, &stem);
        let head = Letterhead::new(&config.office, today);
        Ok(export::render(format, &entries, &doc, &head)?)
    })
    .await??;
    Ok(respond(file, format))
}

/// Reads one register entry.
#[utoipa::path(get, path = "/api/register/{id}",
    responses((status = 200, body = RegisterEntry), (status = 404, body = ApiError)))]
pub async fn get_entry(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> Result<web::Json<RegisterEntry>, ApiError> {
    principal.require(Permission::ViewDashboard)?;
    let store = state.store.clone();
    let id = id.into_inner();
    Ok(web::Json(
        web::block(move || store.read(|c| register::get(c, id))).await??,
    ))
}

/// Why an entry is cancelled.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Cancellation {
    /// The reason, written into the entry's remarks.
    pub reason: String,
}

/// Cancels a register entry: it keeps its number, its remarks say why; audited.
#[utoipa::path(post, path = "/api/register/{id}/cancel", request_body = Cancellation,
    responses((status = 200, body = RegisterEntry), (status = 400, body = ApiError),
              (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub async fn cancel_entry(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    body: web::Json<Cancellation>,
) -> Result<web::Json<RegisterEntry>, ApiError> {
    principal.require(Permission::RegisterDirective)?;
    let reason = body.into_inner().reason;
    if reason.trim().is_empty() {
        return Err(ApiError::bad_request(
            "missing_reason",
            "Hãy ghi lý do hủy số đến.",
        ));
    }
    let store = state.store.clone();
    let id = id.into_inner();
    Ok(web::Json(
        web::block(move || store.write(|c| register::cancel(c, id, &reason, principal.actor())))
            .await??,
    ))
}

/// The period, scope and format of a performance report.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PerformanceQuery {
    /// First day of the period.
    pub from: NaiveDate,
    /// Last day of the period.
    pub to: NaiveDate,
    /// Only the tasks this agency leads (full name).
    pub agency: Option<String>,
    /// Only the tasks of this directive.
    pub directive_id: Option<i64>,
    /// `json` (default), `csv`, `xlsx` or `html`.
    pub format: Option<ExportFormat>,
}

/// The performance report of a period: per lead agency and in total, done on time, done late, open
/// within the deadline, open overdue, and the overdue tasks.
#[utoipa::path(get, path = "/api/reports/performance", params(PerformanceQuery),
    responses((status = 200, body = crate::reports::PerformanceReport,
               description = "JSON; CSV, XLSX or a printable page with `format`"),
              (status = 400, body = ApiError), (status = 404, body = ApiError)))]
pub async fn performance(
    state: web::Data<AppState>,
    principal: Principal,
    params: web::Query<PerformanceQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Permission::ViewDashboard)?;
    let params = params.into_inner();
    let scope = match (params.agency, params.directive_id) {
        (None, None) => Scope::Office,
        (Some(name), None) => Scope::Agency { name },
        (None, Some(id)) => Scope::Directive { id },
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request(
                "invalid_query",
                "Chỉ chọn một phạm vi: một đơn vị (agency) hoặc một văn bản (directive_id).",
            ));
        }
    };
    let period = Period::new(params.from, params.to)?;
    let format = params.format.unwrap_or_default();
    let store = state.store.clone();
    let config = state.config.clone();
    let file = web::block(move || -> Result<ExportFile, ApiError> {
        let today = today();
        let report = query::performance_report(&store, &config.office.name, scope, period, today)?;
        let doc = export::performance_document(&report);
        let head = Letterhead::new(&config.office, today);
        Ok(export::render(format, &report, &doc, &head)?)
    })
    .await??;
    Ok(respond(file, format))
}

/// The day and format of a directive report.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DirectiveQuery {
    /// Judge the tasks as they stood on this day (default: today).
    pub on: Option<NaiveDate>,
    /// `json` (default), `csv`, `xlsx` or `html`.
    pub format: Option<ExportFormat>,
}

/// The state of every task of one directive ("tình hình thực hiện").
#[utoipa::path(get, path = "/api/reports/directives/{id}", params(DirectiveQuery),
    responses((status = 200, body = crate::reports::DirectiveReport,
               description = "JSON; CSV, XLSX or a printable page with `format`"),
              (status = 404, body = ApiError)))]
pub async fn directive(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    params: web::Query<DirectiveQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Permission::ViewDashboard)?;
    let params = params.into_inner();
    let id = id.into_inner();
    let format = params.format.unwrap_or_default();
    let store = state.store.clone();
    let config = state.config.clone();
    let file = web::block(move || -> Result<ExportFile, ApiError> {
        let today = today();
        let on = params.on.unwrap_or(today);
        let report = query::directive_report(&store, &config.office.name, id, on)?;
        let doc = export::directive_document(&report);
        let head = Letterhead::new(&config.office, today);
        Ok(export::render(format, &report, &doc, &head)?)
    })
    .await??;
    Ok(respond(file, format))
}

/// The description of these routes, merged into the API description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list_register, get_entry, cancel_entry, performance, directive))]
pub struct ReportsApiDoc;
