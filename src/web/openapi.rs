//! The OpenAPI description of the JSON API, served at `/api/openapi.json`.

use actix_web::HttpResponse;
use utoipa::OpenApi;

use super::api;
use super::lifecycle::{self, MultipartReports};

/// The API description, built from the handlers' annotations.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "dondoc",
        description = "Theo dõi, đôn đốc nhiệm vụ: directives, tasks and progress reports"
    ),
    modifiers(&MultipartReports),
    paths(
        api::health,
        api::register_directive,
        api::list_directives,
        api::get_directive,
        api::get_directive_file,
        api::search,
        api::list_tasks,
        api::get_task,
        api::update_task,
        api::file_report,
        api::list_reports,
        api::list_agencies,
        api::update_agency,
        lifecycle::start_task,
        lifecycle::cancel_task,
        lifecycle::reopen_task,
        lifecycle::get_report,
        lifecycle::accept_report,
        lifecycle::return_report,
        lifecycle::download_attachment,
        lifecycle::request_extension,
        lifecycle::list_extensions,
        lifecycle::approve_extension,
        lifecycle::refuse_extension,
        lifecycle::task_history,
    )
)]
pub struct ApiDoc;

/// Serves the description as JSON.
pub async fn serve() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
