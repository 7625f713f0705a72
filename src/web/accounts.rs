//! Accounts through the API: who am I, and (for admins) users and their API tokens.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::AppState;
use super::auth::{self, Permission, Principal};
use super::error::ApiError;
use crate::store::users::{self, NewUser, Role, User};

/// The signed-in user.
#[utoipa::path(get, path = "/api/me",
    responses((status = 200, body = User), (status = 401, body = ApiError)))]
pub async fn me(principal: Principal) -> web::Json<User> {
    web::Json(principal.user)
}

/// Lists users (admins only).
#[utoipa::path(get, path = "/api/users",
    responses((status = 200, body = Vec<User>), (status = 403, body = ApiError)))]
pub async fn list_users(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<web::Json<Vec<User>>, ApiError> {
    principal.require(Permission::ManageUsers)?;
    let store = state.store.clone();
    Ok(web::Json(
        web::block(move || store.read(users::list)).await??,
    ))
}

/// A user to create.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    /// Sign-in name: 3 to 64 of `a-z 0-9 . _ -`.
    pub username: String,
    /// Name shown on pages.
    #[serde(default)]
    pub display_name: String,
    /// `admin`, `clerk`, `agency` or `leader`.
    pub role: Role,
    /// For agency staff: their agency's name.
    pub agency: Option<String>,
    /// Initial password (at least 8 characters).
    pub password: String,
}

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// Checks a new password's length, in Vietnamese.
pub fn check_password(password: &str) -> Result<(), ApiError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ApiError::bad_request(
            "weak_password",
            format!("Mật khẩu phải có ít nhất {MIN_PASSWORD_CHARS} ký tự."),
        ));
    }
    Ok(())
}

/// Creates a user (admins only).
#[utoipa::path(post, path = "/api/users", request_body = NewUserRequest,
    responses((status = 201, body = User), (status = 400, body = ApiError),
              (status = 403, body = ApiError), (status = 409, body = ApiError)))]
pub async fn add_user(
    state: web::Data<AppState>,
    principal: Principal,
    request: web::Json<NewUserRequest>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Permission::ManageUsers)?;
    let request = request.into_inner();
    check_password(&request.password)?;
    let store = state.store.clone();
    let user = web::block(move || -> Result<User, ApiError> {
        let hash = auth::hash_password(&request.password).map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            ApiError::internal()
        })?;
        let new = NewUser {
            username: request.username.trim(),
            display_name: &request.display_name,
            role: request.role,
            agency: request.agency.as_deref(),
            password_hash: Some(hash),
        };
        Ok(store.write(|c| users::add(c, &new, principal.actor()))?)
    })
    .await??;
    Ok(HttpResponse::Created().json(user))
}

/// Disables a user (admins only): their sessions end and their tokens stop working at once.
#[utoipa::path(post, path = "/api/users/{username}/disable",
    responses((status = 200, body = User), (status = 400, body = ApiError), (status = 403, body = ApiError)))]
pub async fn disable_user(
    state: web::Data<AppState>,
    principal: Principal,
    username: web::Path<String>,
) -> Result<web::Json<User>, ApiError> {
    principal.require(Permission::ManageUsers)?;
    let store = state.store.clone();
    let username = username.into_inner();
    Ok(web::Json(
        web::block(move || {
            store.write(|c| users::set_disabled(c, &username, true, principal.actor()))
        })
        .await??,
    ))
}

/// A new API token, shown once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NewToken {
    /// Token id.
    pub id: i64,
    /// The secret to send as `Authorization: Bearer ...`; it is not stored and cannot be shown again.
    pub token: String,
}

/// What a token is for.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenRequest {
    /// A note saying which program uses it.
    #[serde(default)]
    pub label: String,
}

/// Makes an API token for a user: admins for anyone, others for themselves.
#[utoipa::path(post, path = "/api/users/{username}/tokens", request_body = NewTokenRequest,
    responses((status = 201, body = NewToken), (status = 403, body = ApiError)))]
pub async fn add_token(
    state: web::Data<AppState>,
    principal: Principal,
    username: web::Path<String>,
    request: web::Json<NewTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let username = username.into_inner();
    if username != principal.user.username {
        principal.require(Permission::ManageUsers)?;
    }
    let label = request.into_inner().label;
    let store = state.store.clone();
    let token = web::block(move || -> Result<NewToken, ApiError> {
        let secret = auth::new_secret().map_err(|e| {
            tracing::error!(error = %e, "random source failed");
            ApiError::internal()
        })?;
        let hash = auth::secret_hash(&secret);
        let id =
            store.write(|c| users::add_token(c, &username, &hash, &label, principal.actor()))?;
        Ok(NewToken { id, token: secret })
    })
    .await??;
    Ok(HttpResponse::Created().json(token))
}
