//! Who is asking, and what they may do: passwords (argon2), browser sessions with a CSRF token each,
//! API tokens, the sign-in throttle, and the one table of what each role may do.
//!
//! Every handler that needs a user takes a [`Principal`]. It comes from `Authorization: Bearer
//! TOKEN` or from the session cookie. A request with neither is refused: the API answers 401, a page
//! sends the browser to the sign-in form. Changes made with a session cookie must carry that
//! session's CSRF token (the `X-CSRF-Token` header for the API, a hidden `csrf` field in forms), so
//! another site cannot make a signed-in browser act.

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{Method, StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use sha2::{Digest, Sha256};

use super::AppState;
use super::error::ApiError;
use crate::store::access::Scope;
use crate::store::users::{Role, User};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "dondoc_session";

/// How long a browser session lasts after signing in.
pub const SESSION_LENGTH: chrono::TimeDelta = chrono::TimeDelta::hours(12);

/// Why a password could not be hashed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The system's random source failed.
    #[error("random source: {0}")]
    Random(String),
    /// Hashing failed.
    #[error("password hashing: {0}")]
    Hash(String),
}

/// Fills a fresh random secret (32 bytes, as 64 hex digits) from the operating system.
pub fn new_secret() -> Result<String, AuthError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AuthError::Random(e.to_string()))?;
    Ok(hex::encode(bytes))
}

/// The stored form of a session or token secret (SHA-256, hex).
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// An argon2id hash of a password, in PHC string form, with a fresh salt.
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| AuthError::Random(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| AuthError::Hash(e.to_string()))?;
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AuthError::Hash(e.to_string()))
}

/// Whether `password` matches a stored hash. A missing or damaged hash matches nothing; the work
/// done is the same as for a real check, so timing does not tell whether the user exists.
pub fn verify_password(stored: Option<&str>, password: &str) -> bool {
    // A hash of a random password nobody knows, checked when there is no real one.
    static DECOY: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    let decoy = DECOY.get_or_init(|| new_secret().and_then(|s| hash_password(&s)).ok());
    let real = stored.and_then(|s| PasswordHash::new(s).ok());
    let checked = real
        .clone()
        .or_else(|| decoy.as_deref().and_then(|d| PasswordHash::new(d).ok()));
    let ok = checked.is_some_and(|h| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    });
    ok && real.is_some()
}

/// Things a user may be allowed to do. What each role may do is decided in [`allows`] only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Register a directive (paste or upload).
    RegisterDirective,
    /// Correct a task: text, agencies, deadline, status.
    EditTask,
    /// File a progress report on a task in scope, or say work has started.
    FileReport,
    /// Accept or return a progress report.
    DecideReport,
    /// Ask for a later deadline on a task in scope.
    RequestExtension,
    /// Approve or refuse a deadline extension.
    DecideExtension,
    /// Download a directive's original file.
    DownloadOriginal,
    /// See the dashboard of all agencies.
    ViewDashboard,
    /// Change agencies' contact addresses.
    ManageAgencies,
    /// Create, list and disable users.
    ManageUsers,
    /// Change the reminder policy and the office's calendar days.
    ManageReminders,
}

/// Whether `role` may do `permission`. Admins may do everything.
pub fn allows(role: Role, permission: Permission) -> bool {
    use Permission::*;
    match role {
        Role::Admin => true,
        Role::Clerk => matches!(
            permission,
            RegisterDirective
                | EditTask
                | FileReport
                | DecideReport
                | RequestExtension
                | DownloadOriginal
                | ViewDashboard
        ),
        Role::Leader => matches!(
            permission,
            DecideExtension | DownloadOriginal | ViewDashboard
        ),
        Role::Agency => matches!(permission, FileReport | RequestExtension | DownloadOriginal),
    }
}

/// How a request proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A browser session, with its CSRF token.
    Session {
        /// The token forms and API calls from the page must send back.
        csrf: String,
    },
    /// An API token.
    Token,
}

/// The signed-in user of a request.
#[derive(Debug, Clone)]
pub struct Principal {
    /// Who.
    pub user: User,
    /// How they proved it.
    pub credential: Credential,
}

impl Principal {
    /// The name recorded in the audit log.
    pub fn actor(&self) -> &str {
        &self.user.username
    }

    /// The records this user may see.
    pub fn scope(&self) -> Scope {
        match (self.user.role, self.user.agency_id) {
            (Role::Agency, Some(agency)) => Scope::Agency(agency),
            // Agency staff without an agency see nothing: an agency id no row has.
            (Role::Agency, None) => Scope::Agency(-1),
            _ => Scope::All,
        }
    }

    /// Fails with 403 unless the user may do `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), ApiError> {
        if allows(self.user.role, permission) {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }

    /// Whether the user may do `permission`.
    pub fn may(&self, permission: Permission) -> bool {
        allows(self.user.role, permission)
    }

    /// The CSRF token of the session (empty for token clients, which need none).
    pub fn csrf(&self) -> &str {
        match &self.credential {
            Credential::Session { csrf } => csrf,
            Credential::Token => "",
        }
    }

    /// Fails with 403 unless a form's `csrf` field matches the session's token.
    pub fn check_csrf(&self, sent: &str) -> Result<(), ApiError> {
        match &self.credential {
            Credential::Token => Ok(()),
            Credential::Session { csrf } if constant_time_eq(csrf, sent) => Ok(()),
            Credential::Session { .. } => Err(ApiError::csrf()),
        }
    }
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Why a request has no principal: the API answers with an error, a page with the sign-in form.
#[derive(Debug, thiserror::Error)]
pub enum Rejection {
    /// An API error (401, 403 for CSRF, 500).
    #[error(transparent)]
    Api(#[from] ApiError),
    /// A page asked without a session: go and sign in, then come back to `next`.
    #[error("sign in first")]
    SignIn {
        /// The page to return to.
        next: String,
    },
}

impl ResponseError for Rejection {
    fn status_code(&self) -> StatusCode {
        match self {
            Rejection::Api(e) => e.status_code(),
            Rejection::SignIn { .. } => StatusCode::SEE_OTHER,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Rejection::Api(e) => e.error_response(),
            Rejection::SignIn { next } => HttpResponse::SeeOther()
                .insert_header((header::LOCATION, sign_in_url(next)))
                .finish(),
        }
    }
}

/// The sign-in page, returning to `next` afterwards.
pub fn sign_in_url(next: &str) -> String {
    let encoded: String = url_encode(next);
    format!("/login?next={encoded}")
}

fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A `next` target that stays on this site (a local absolute path), or the home page.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

fn is_api(request: &HttpRequest) -> bool {
    request.path().starts_with("/api/") || request.path() == "/api"
}

fn bearer_token(request: &HttpRequest) -> Option<String> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

/// Reads the principal of a request from the database.
async fn principal_of(request: HttpRequest) -> Result<Principal, Rejection> {
    let state = request
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| Rejection::Api(ApiError::internal()))?;
    let token = bearer_token(&request);
    let cookie = request
        .cookie(SESSION_COOKIE)
        .map(|c| c.value().to_string());
    let store = state.store.clone();
    let found = web::block(
        move || -> Result<Option<Principal>, crate::store::StoreError> {
            if let Some(token) = token {
                let user =
                    store.read(|c| crate::store::users::token_user(c, &secret_hash(&token)))?;
                return Ok(user.map(|user| Principal {
                    user,
                    credential: Credential::Token,
                }));
            }
            if let Some(secret) = cookie {
                let found = store.read(|c| {
                    crate::store::users::session(c, &secret_hash(&secret), crate::store::now())
                })?;
                return Ok(found.map(|(user, csrf)| Principal {
                    user,
                    credential: Credential::Session { csrf },
                }));
            }
            Ok(None)
        },
    )
    .await
    .map_err(|_| Rejection::Api(ApiError::internal()))?
    .map_err(|e| Rejection::Api(e.into()))?;
    let Some(principal) = found else {
        return Err(if is_api(&request) {
            Rejection::Api(ApiError::unauthenticated())
        } else {
            let next = match request.query_string() {
                "" => request.path().to_string(),
                q => format!("{}?{q}", request.path()),
            };
            Rejection::SignIn { next }
        });
    };
    // API changes made with a session cookie must prove they come from our own pages.
    if is_api(&request)
        && !matches!(
            *request.method(),
            Method::GET | Method::HEAD | Method::OPTIONS
        )
        && let Credential::Session { csrf } = &principal.credential
    {
        let sent = request
            .headers()
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !constant_time_eq(csrf, sent) {
            return Err(Rejection::Api(ApiError::csrf()));
        }
    }
    Ok(principal)
}

impl FromRequest for Principal {
    type Error = Rejection;
    type Future = Pin<Box<dyn Future<Output = Result<Principal, Rejection>>>>;

    fn from_request(request: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        Box::pin(principal_of(request.clone()))
    }
}

/// The principal when there is one; pages such as the sign-in form work without.
#[derive(Debug, Clone)]
pub struct MaybePrincipal(pub Option<Principal>);

impl FromRequest for MaybePrincipal {
    type Error = Rejection;
    type Future = Pin<Box<dyn Future<Output = Result<MaybePrincipal, Rejection>>>>;

    fn from_request(request: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move {
            match principal_of(request).await {
                Ok(p) => Ok(MaybePrincipal(Some(p))),
                Err(Rejection::SignIn { .. }) => Ok(MaybePrincipal(None)),
                Err(Rejection::Api(e)) if e.code == "unauthenticated" => Ok(MaybePrincipal(None)),
                Err(e) => Err(e),
            }
        })
    }
}

/// The cookie that carries a new session's secret.
pub fn session_cookie(secret: String, secure: bool) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, secret)
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(actix_web::cookie::time::Duration::hours(
            SESSION_LENGTH.num_hours(),
        ))
        .finish()
}

/// A cookie that removes the session cookie.
pub fn expired_session_cookie(secure: bool) -> Cookie<'static> {
    let mut cookie = session_cookie(String::new(), secure);
    cookie.make_removal();
    cookie
}

/// Failed sign-ins per user name and per client address, to slow down password guessing.
#[derive(Debug, Default)]
pub struct SignInThrottle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

/// Failed attempts allowed per user name within [`THROTTLE_WINDOW`].
pub const MAX_FAILURES_PER_USER: u32 = 5;
/// Failed attempts allowed per client address within [`THROTTLE_WINDOW`].
pub const MAX_FAILURES_PER_CLIENT: u32 = 20;
/// The window over which failures count.
pub const THROTTLE_WINDOW: Duration = Duration::from_secs(15 * 60);

impl SignInThrottle {
    fn keys(username: &str, client: Option<IpAddr>) -> [(String, u32); 2] {
        [
            (format!("user:{username}"), MAX_FAILURES_PER_USER),
            (
                format!("ip:{}", client.map(|a| a.to_string()).unwrap_or_default()),
                MAX_FAILURES_PER_CLIENT,
            ),
        ]
    }

    /// Whether a sign-in attempt may be checked now.
    pub fn allowed(&self, username: &str, client: Option<IpAddr>, now: Instant) -> bool {
        let Ok(failures) = self.failures.lock() else {
            return false;
        };
        Self::keys(username, client).iter().all(|(key, max)| {
            failures
                .get(key)
                .is_none_or(|(n, since)| now.duration_since(*since) > THROTTLE_WINDOW || n < max)
        })
    }

    /// Counts a failed attempt.
    pub fn failed(&self, username: &str, client: Option<IpAddr>, now: Instant) {
        if let Ok(mut failures) = self.failures.lock() {
            if failures.len() > 100_000 {
                failures.retain(|_, (_, since)| now.duration_since(*since) <= THROTTLE_WINDOW);
            }
            for (key, _) in Self::keys(username, client) {
                let entry = failures.entry(key).or_insert((0, now));
                if now.duration_since(entry.1) > THROTTLE_WINDOW {
                    *entry = (0, now);
                }
                entry.0 += 1;
            }
        }
    }

    /// Clears the user's count after a successful sign-in.
    pub fn succeeded(&self, username: &str) {
        if let Ok(mut failures) = self.failures.lock() {
            failures.remove(&format!("user:{username}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_hash() {
        let hash = hash_password("mật khẩu đúng").unwrap();
        assert!(verify_password(Some(&hash), "mật khẩu đúng"));
        assert!(!verify_password(Some(&hash), "mật khẩu sai"));
        assert!(!verify_password(None, "mật khẩu đúng"));
        assert!(!verify_password(Some("not a hash"), ""));
        assert_ne!(hash, hash_password("mật khẩu đúng").unwrap(), "salted");
    }

    #[test]
    fn only_admins_manage_users_and_agency_staff_only_report() {
        for role in Role::ALL {
            assert_eq!(allows(role, Permission::ManageUsers), role == Role::Admin);
            assert_eq!(
                allows(role, Permission::ManageReminders),
                role == Role::Admin
            );
        }
        assert!(allows(Role::Agency, Permission::FileReport));
        assert!(!allows(Role::Agency, Permission::RegisterDirective));
        assert!(!allows(Role::Agency, Permission::ViewDashboard));
        assert!(!allows(Role::Leader, Permission::EditTask));
        assert!(allows(Role::Clerk, Permission::RegisterDirective));
    }

    #[test]
    fn next_targets_stay_on_this_site() {
        assert_eq!(safe_next(Some("/tasks/3?x=1")), "/tasks/3?x=1");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn throttle_stops_guessing_for_one_user_but_not_others() {
        let throttle = SignInThrottle::default();
        let now = Instant::now();
        let ip = Some(IpAddr::from([10, 0, 0, 1]));
        for _ in 0..MAX_FAILURES_PER_USER {
            assert!(throttle.allowed("vanthu", ip, now));
            throttle.failed("vanthu", ip, now);
        }
        assert!(!throttle.allowed("vanthu", ip, now));
        assert!(throttle.allowed("lanhdao", ip, now));
        assert!(throttle.allowed("vanthu", ip, now + THROTTLE_WINDOW + Duration::from_secs(1)));
    }
}
