//! The OpenAPI description of the JSON API, served at `/api/openapi.json`.

use actix_web::HttpResponse;
use utoipa::OpenApi;

use super::api;

/// The API description, built from the handlers' annotations.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "dondoc",
        description = "Theo dõi, đôn đốc nhiệm vụ: directives, tasks and progress reports"
    ),
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
    )
)]
pub struct ApiDoc;

/// Serves the description as JSON.
pub async fn serve() -> HttpResponse {
    let mut doc = ApiDoc::openapi();
    doc.merge(super::reports::ReportsApiDoc::openapi());
    HttpResponse::Ok().json(doc)
}
