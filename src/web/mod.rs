//! The HTTP side: the JSON API, the pages, and the one place where failures become HTTP answers.

pub mod api;
pub mod error;
pub mod limits;
pub mod openapi;
pub mod pages;
pub mod reports;

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
        }
    }

    /// Searches the index after bringing it in step with the database, so that every directive
    /// committed before the call is found.
    pub async fn search(
        &self,
        query: crate::search::SearchQuery,
    ) -> Result<crate::search::SearchResults, ApiError> {
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
            .app_data(web::QueryConfig::default().error_handler(|e, _| {
                ApiError::bad_request("invalid_query", format!("Tham số không hợp lệ: {e}")).into()
            }))
            .app_data(web::PathConfig::default().error_handler(|_, _| ApiError::not_found().into()))
            .service(
                web::scope("/api")
                    .wrap(from_fn(rate_limit))
                    .route("/health", web::get().to(api::health))
                    .route("/openapi.json", web::get().to(openapi::serve))
                    .route("/directives", web::post().to(api::register_directive))
                    .route("/directives", web::get().to(api::list_directives))
                    .route("/directives/{id}", web::get().to(api::get_directive))
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
                    .configure(reports::routes)
                    .default_service(web::to(|| async {
                        Err::<String, _>(ApiError::not_found())
                    })),
            )
            .route("/", web::get().to(pages::home))
            .route("/search", web::get().to(pages::search))
            .route("/directives/{id}", web::get().to(pages::directive));
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

/// Runs the server until it is stopped, with two loops beside it: the search index kept in step
/// with the database, and the reminder pass every minute (schedule due reminders, deliver the
/// outbox).
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
    result
}
