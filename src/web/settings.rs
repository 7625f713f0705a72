//! Settings through the API (admins): the reminder policy and the office's calendar days.

use actix_web::{HttpResponse, web};
use chrono::NaiveDate;

use super::AppState;
use super::auth::{Permission, Principal};
use super::error::ApiError;
use crate::store::settings::{self, OfficeDay, PolicySettings};

/// The reminder policy in force.
#[utoipa::path(get, path = "/api/settings/reminders",
    responses((status = 200, body = PolicySettings), (status = 403, body = ApiError)))]
pub async fn reminder_policy(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<web::Json<PolicySettings>, ApiError> {
    principal.require(Permission::ManageReminders)?;
    let store = state.store.clone();
    let config = state.config.clone();
    let policy =
        web::block(move || store.read(|c| settings::reminder_policy(c, &config.reminders)))
            .await??;
    Ok(web::Json(PolicySettings::of(&policy)))
}

/// Replaces the reminder policy; the next reminder pass uses it.
#[utoipa::path(put, path = "/api/settings/reminders", request_body = PolicySettings,
    responses((status = 200, body = PolicySettings), (status = 400, body = ApiError),
              (status = 403, body = ApiError)))]
pub async fn set_reminder_policy(
    state: web::Data<AppState>,
    principal: Principal,
    body: web::Json<PolicySettings>,
) -> Result<web::Json<PolicySettings>, ApiError> {
    principal.require(Permission::ManageReminders)?;
    let store = state.store.clone();
    let config = state.config.clone();
    let policy = web::block(move || {
        store.write(|c| {
            settings::set_reminder_policy(
                c,
                body.into_inner(),
                &config.reminders,
                principal.actor(),
            )
        })
    })
    .await??;
    Ok(web::Json(PolicySettings::of(&policy)))
}

/// The office's own calendar days (beside the shipped holidays), in date order.
#[utoipa::path(get, path = "/api/calendar/days",
    responses((status = 200, body = Vec<OfficeDay>), (status = 403, body = ApiError)))]
pub async fn office_days(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<web::Json<Vec<OfficeDay>>, ApiError> {
    principal.require(Permission::ManageReminders)?;
    let store = state.store.clone();
    Ok(web::Json(
        web::block(move || store.read(settings::office_days)).await??,
    ))
}

/// Adds (or replaces) a day off or a make-up working day.
#[utoipa::path(post, path = "/api/calendar/days", request_body = OfficeDay,
    responses((status = 201, body = OfficeDay), (status = 400, body = ApiError),
              (status = 403, body = ApiError)))]
pub async fn set_office_day(
    state: web::Data<AppState>,
    principal: Principal,
    body: web::Json<OfficeDay>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Permission::ManageReminders)?;
    let store = state.store.clone();
    let day = body.into_inner();
    let stored = day.clone();
    web::block(move || store.write(|c| settings::set_office_day(c, &stored, principal.actor())))
        .await??;
    Ok(HttpResponse::Created().json(day))
}

/// Removes the office's entry for a day (`YYYY-MM-DD`).
#[utoipa::path(delete, path = "/api/calendar/days/{day}",
    responses((status = 204), (status = 400, body = ApiError), (status = 403, body = ApiError)))]
pub async fn remove_office_day(
    state: web::Data<AppState>,
    principal: Principal,
    day: web::Path<NaiveDate>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Permission::ManageReminders)?;
    let store = state.store.clone();
    let day = day.into_inner();
    web::block(move || store.write(|c| settings::remove_office_day(c, day, principal.actor())))
        .await??;
    Ok(HttpResponse::NoContent().finish())
}

/// The settings routes, under `/api`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/settings/reminders", web::get().to(reminder_policy))
        .route("/settings/reminders", web::put().to(set_reminder_policy))
        .route("/calendar/days", web::get().to(office_days))
        .route("/calendar/days", web::post().to(set_office_day))
        .route("/calendar/days/{day}", web::delete().to(remove_office_day));
}
