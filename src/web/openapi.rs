//! The OpenAPI description of the JSON API, served at `/api/openapi.json`.

use actix_web::HttpResponse;
use utoipa::OpenApi;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use super::lifecycle::{self, MultipartReports};
use super::{accounts, api, intake, settings};

/// The API description, built from the handlers' annotations.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "dondoc",
        description = "Theo dõi, đôn đốc nhiệm vụ: directives, tasks and progress reports"
    ),
    modifiers(&MultipartReports, &BearerToken),
    paths(
        api::health,
        api::register_directive,
        api::list_directives,
        api::get_directive,
        api::confirm_directive,
        api::get_directive_file,
        api::search,
        api::list_tasks,
        api::get_task,
        api::update_task,
        api::file_report,
        api::list_reports,
        api::list_agencies,
        api::update_agency,
        accounts::me,
        accounts::list_users,
        accounts::add_user,
        accounts::disable_user,
        accounts::add_token,
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
        settings::reminder_policy,
        settings::set_reminder_policy,
        settings::office_days,
        settings::set_office_day,
        settings::remove_office_day,
        intake::submit,
        intake::get,
        intake::retry,
    ),
    security(("bearer" = []))
)]
pub struct ApiDoc;

/// Declares the API token scheme: `Authorization: Bearer TOKEN` (see `dondoc user add --token`).
struct BearerToken;

impl utoipa::Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Serves the description as JSON.
pub async fn serve() -> HttpResponse {
    let mut doc = ApiDoc::openapi();
    doc.merge(super::reports::ReportsApiDoc::openapi());
    HttpResponse::Ok().json(doc)
}
