//! The HTTP side: the JSON API, the pages, and the one place where failures become HTTP answers.

pub mod accounts;
pub mod api;
pub mod auth;
pub mod error;
pub mod intake;
pub mod lifecycle;
pub mod limits;
pub mod openapi;
pub mod pages;
pub mod reports;
pub mod settings;

use std::sync::Arc;
use std::time::Instant;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{Next, from_fn};
use actix_web::{App, HttpServer, ResponseError, web};

use crate::config::Config;
use crate::indexer::Indexer;
use crate::store::Store;
use error::ApiError;
use limits::RateLimiter;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The effective settings.
    pub config: Arc<Config>,
    /// Request-rate limits per client.
    pub limiter: Arc<RateLimiter>,
    /// The search index of this process.
    pub indexer: Arc<Indexer>,
    /// Failed sign-ins, to slow down password guessing.
    pub sign_in_throttle: Arc<auth::SignInThrottle>,
    /// Wakes the background reader when a file is handed to it ([`intake::read_files_forever`]).
    pub file_reader: Arc<tokio::sync::Notify>,
}

impl AppState {
    /// State for a store, its search index and settings.
    pub fn new(store: Store, indexer: Arc<Indexer>, config: Config) -> Self {
        let limiter = RateLimiter::new(
            config.limits.requests_per_second,
            config.limits.request_burst,
        );
        AppState {
            store,
            config: Arc::new(config),
            limiter: Arc::new(limiter),
            indexer,
            sign_in_throttle: Arc::new(auth::SignInThrottle::default()),
            file_reader: Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// Searches the index after bringing it in step with the database, so that every directive
    /// committed before the call is found. Agency staff find only directives with their own tasks.
    pub async fn search(
        &self,
        principal: &auth::Principal,
        mut query: crate::search::SearchQuery,
    ) -> Result<crate::search::SearchResults, ApiError> {
        if let crate::store::access::Scope::Agency(_) = principal.scope() {
            // The index filters by agency name; staff without an agency get a name no task has.
            query.agency = Some(
                principal
                    .user
                    .agency
                    .clone()
                    .unwrap_or_else(|| "\u{0}".into()),
            );
        }
        let (store, indexer) = (self.store.clone(), self.indexer.clone());
        web::block(move || {
            indexer.catch_up(&store)?;
            indexer.search(&query)
        })
        .await?
        .map_err(|e| {
            tracing::error!(error = %e, "search failed");
            ApiError::internal()
        })
    }
}

/// Registers every route, with the error handlers that turn malformed requests into [`ApiError`]s.
pub fn configure(state: AppState) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg: &mut web::ServiceConfig| {
        let json_limit = state.config.limits.max_upload_bytes;
        cfg.app_data(web::Data::new(state))
            .app_data(
                web::JsonConfig::default()
                    .limit(json_limit)
                    .error_handler(move |e, _| {
                        let err = match e {
                            actix_web::error::JsonPayloadError::Overflow { .. }
                            | actix_web::error::JsonPayloadError::OverflowKnownLength { .. } => {
                                ApiError::too_large(json_limit)
                            }
                            other => ApiError::bad_request(
                                "invalid_json",
                                format!("Dữ liệu JSON không hợp lệ: {other}"),
                            ),
                        };
                        err.into()
                    }),
            )
            .app_data(
                web::FormConfig::default()
                    .limit(1024 * 1024)
                    .error_handler(|e, _| {
                        ApiError::bad_request("invalid_form", format!("Biểu mẫu không hợp lệ: {e}"))
                            .into()
                    }),
            )
            .app_data(web::QueryConfig::default().error_handler(|e, _| {
                ApiError::bad_request("invalid_query", format!("Tham số không hợp lệ: {e}")).into()
            }))
            .app_data(web::PathConfig::default().error_handler(|_, _| ApiError::not_found().into()))
            .service(
                web::scope("/api")
                    .wrap(from_fn(rate_limit))
                    // Fixed paths (/reports/performance) before patterns (/reports/{id}).
                    .configure(reports::routes)
                    .configure(lifecycle::routes)
                    .configure(settings::routes)
                    .configure(intake::routes)
                    .route("/health", web::get().to(api::health))
                    .route("/openapi.json", web::get().to(openapi::serve))
                    .route("/directives", web::post().to(api::register_directive))
                    .route("/directives", web::get().to(api::list_directives))
                    .route("/directives/{id}", web::get().to(api::get_directive))
                    .route(
                        "/directives/{id}/confirm",
                        web::post().to(api::confirm_directive),
                    )
                    .route(
                        "/directives/{id}/file",
                        web::get().to(api::get_directive_file),
                    )
                    .route("/search", web::get().to(api::search))
                    .route("/tasks", web::get().to(api::list_tasks))
                    .route("/tasks/{id}", web::get().to(api::get_task))
                    .route("/tasks/{id}", web::patch().to(api::update_task))
                    .route("/tasks/{id}/reports", web::get().to(api::list_reports))
                    .route("/tasks/{id}/reports", web::post().to(api::file_report))
                    .route("/agencies", web::get().to(api::list_agencies))
                    .route("/agencies/{id}", web::put().to(api::update_agency))
                    .route("/me", web::get().to(accounts::me))
                    .route("/users", web::get().to(accounts::list_users))
                    .route("/users", web::post().to(accounts::add_user))
                    .route(
                        "/users/{username}/disable",
                        web::post().to(accounts::disable_user),
                    )
                    .route(
                        "/users/{username}/tokens",
                        web::post().to(accounts::add_token),
                    )
                    .default_service(web::to(|| async {
                        Err::<String, _>(ApiError::not_found())
                    })),
            )
            .route("/login", web::get().to(pages::sign_in_form))
            .route("/login", web::post().to(pages::sign_in))
            .route("/logout", web::post().to(pages::sign_out))
            .route("/", web::get().to(pages::home))
            .route("/search", web::get().to(pages::search))
            .route("/dashboard", web::get().to(pages::dashboard))
            .route("/register", web::get().to(pages::register_book))
            .route("/tasks", web::get().to(pages::task_list))
            .route("/tasks/{id}", web::get().to(pages::task))
            .route("/tasks/{id}/report", web::post().to(pages::file_report))
            .route("/tasks/{id}/edit", web::post().to(pages::edit_task))
            .route(
                "/tasks/{id}/reports/{report_id}/decision",
                web::post().to(pages::decide_report),
            )
            .route(
                "/tasks/{id}/extension",
                web::post().to(pages::ask_extension),
            )
            .route(
                "/tasks/{id}/extensions/{extension_id}/decision",
                web::post().to(pages::decide_extension),
            )
            .route("/directives/new", web::get().to(pages::register_form))
            .route("/directives/new", web::post().to(pages::register))
            .route("/intake/{id}", web::get().to(pages::intake_job))
            .route(
                "/intake/{id}/retry",
                web::post().to(pages::retry_intake_job),
            )
            .route("/directives/{id}", web::get().to(pages::directive))
            .route(
                "/directives/{id}/confirm",
                web::post().to(pages::confirm_directive),
            )
            .route("/admin/settings", web::get().to(pages::settings))
            .route(
                "/admin/settings/reminders",
                web::post().to(pages::set_reminder_policy),
            )
            .route(
                "/admin/calendar/days",
                web::post().to(pages::set_office_day),
            )
            .route(
                "/admin/calendar/days/{day}/delete",
                web::post().to(pages::remove_office_day),
            )
            .route(
                "/admin/agencies/{id}/email",
                web::post().to(pages::set_agency_email),
            )
            .route("/admin/users", web::get().to(pages::user_list))
            .route("/admin/users", web::post().to(pages::add_user))
            .route(
                "/admin/users/{username}/disable",
                web::post().to(pages::disable_user),
            );
    }
}

async fn rate_limit(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let allowed = match request.app_data::<web::Data<AppState>>() {
        Some(state) => state
            .limiter
            .allow(request.peer_addr().map(|a| a.ip()), Instant::now()),
        None => true,
    };
    if !allowed {
        let response = ApiError::rate_limited().error_response();
        return Ok(request.into_response(response).map_into_right_body());
    }
    Ok(next.call(request).await?.map_into_left_body())
}

/// How often the background pass brings the search index in step with the database.
const INDEX_INTERVAL: std::time::Duration = std::time::Duration::from_secs(2);

/// Runs the server until it is stopped, with three loops beside it: the search index kept in step
/// with the database, the background reader of handed-over files (scans), and the reminder pass
/// every minute (schedule due reminders, deliver the outbox).
pub async fn serve(store: Store, indexer: Arc<Indexer>, config: Config) -> std::io::Result<()> {
    let listen = config.listen.clone();
    let mailer = crate::tracker::mailer_for(&config).map_err(std::io::Error::other)?;
    let state = AppState::new(store.clone(), indexer.clone(), config);
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(INDEX_INTERVAL);
        loop {
            tick.tick().await;
            let (store, indexer) = (store.clone(), indexer.clone());
            match web::block(move || indexer.catch_up(&store)).await {
                Ok(Err(e)) => tracing::error!(error = %e, "search index update failed"),
                Err(e) => tracing::error!(error = %e, "search index task failed"),
                Ok(Ok(_)) => {}
            }
        }
    });
    let reader = actix_web::rt::spawn(intake::read_files_forever(
        state.store.clone(),
        state.config.clone(),
        state.file_reader.clone(),
    ));
    let reminders = actix_web::rt::spawn(crate::tracker::run_forever(
        state.store.clone(),
        state.config.clone(),
        mailer,
    ));
    let server = HttpServer::new(move || {
        App::new()
            .wrap(tracing_actix_web::TracingLogger::default())
            .configure(configure(state.clone()))
    })
    .bind(&listen)?;
    for addr in server.addrs() {
        tracing::info!("dondoc listening on http://{addr}");
    }
    let result = server.run().await;
    reminders.abort();
    reader.abort();
    result
}
