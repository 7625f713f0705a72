//! People who sign in: users with a role (agency staff also with their agency), their browser
//! sessions and their API tokens. Secrets are kept only as hashes made by the caller: argon2 for
//! passwords, SHA-256 for session and token secrets.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::schema::{agencies, api_tokens, sessions, users};
use super::{DbConnection, StoreError, agencies as agency_store, audit, now};

/// What a user may do; the identifiers are those of the CLI and the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Manages users, agencies, contacts and settings; may do everything.
    Admin,
    /// Văn thư: registers directives, corrects what was read, accepts or returns reports.
    Clerk,
    /// Staff of one agency: sees and reports on that agency's tasks only.
    Agency,
    /// Lãnh đạo: sees everything, decides extensions, follows the dashboard.
    Leader,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 4] = [Role::Admin, Role::Clerk, Role::Agency, Role::Leader];

    /// The stored identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Clerk => "clerk",
            Role::Agency => "agency",
            Role::Leader => "leader",
        }
    }

    /// Reads an identifier.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    /// The Vietnamese name of the role.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Quản trị",
            Role::Clerk => "Văn thư",
            Role::Agency => "Cán bộ đơn vị",
            Role::Leader => "Lãnh đạo",
        }
    }
}

/// A user as the rest of the service sees it (never with a secret).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct User {
    /// User id.
    pub id: i64,
    /// Sign-in name.
    pub username: String,
    /// Name shown on pages.
    pub display_name: String,
    /// What the user may do.
    pub role: Role,
    /// The agency of agency staff.
    pub agency_id: Option<i64>,
    /// That agency's name.
    pub agency: Option<String>,
    /// A disabled user cannot sign in, and their sessions and tokens stop working.
    pub disabled: bool,
    /// When the account was made (UTC).
    pub created_at: NaiveDateTime,
}

#[derive(Queryable)]
struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    role: String,
    agency_id: Option<i64>,
    agency: Option<String>,
    disabled: bool,
    created_at: NaiveDateTime,
}

/// The columns of a [`UserRow`], with the agency's name from a left join.
#[diesel::dsl::auto_type]
fn user_columns() -> _ {
    (
        users::id,
        users::username,
        users::display_name,
        users::role,
        users::agency_id,
        agencies::name.nullable(),
        users::disabled,
        users::created_at,
    )
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;

    fn try_from(r: UserRow) -> Result<User, StoreError> {
        let role = Role::parse(&r.role)
            .ok_or_else(|| StoreError::Corrupt(format!("user {}: role {}", r.id, r.role)))?;
        Ok(User {
            id: r.id,
            username: r.username,
            display_name: r.display_name,
            role,
            agency_id: r.agency_id,
            agency: r.agency,
            disabled: r.disabled,
            created_at: r.created_at,
        })
    }
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    /// Sign-in name: 3 to 64 of `a-z 0-9 . _ -`.
    pub username: &'a str,
    /// Name shown on pages; the sign-in name when empty.
    pub display_name: &'a str,
    /// What the user may do.
    pub role: Role,
    /// For agency staff: the agency's name, as stored or as the agency directory knows it.
    pub agency: Option<&'a str>,
    /// The argon2 hash of the password, if the user signs in with one.
    pub password_hash: Option<String>,
}

/// Whether `name` is an acceptable sign-in name.
pub fn valid_username(name: &str) -> bool {
    (3..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

/// Creates a user and records it in the audit log.
pub fn add(conn: &mut DbConnection, new: &NewUser<'_>, actor: &str) -> Result<User, StoreError> {
    if !valid_username(new.username) {
        return Err(StoreError::Invalid(format!(
            "tên đăng nhập \"{}\" không hợp lệ: 3–64 ký tự a-z, 0-9, dấu chấm, gạch dưới, gạch ngang",
            new.username
        )));
    }
    let agency_id = match (new.role, new.agency.map(str::trim)) {
        (Role::Agency, Some(name)) if !name.is_empty() => Some(agency_for_user(conn, name)?),
        (Role::Agency, _) => {
            return Err(StoreError::Invalid(
                "cán bộ đơn vị phải gắn với một cơ quan, đơn vị".into(),
            ));
        }
        (_, Some(name)) if !name.is_empty() => {
            return Err(StoreError::Invalid(format!(
                "chỉ tài khoản cán bộ đơn vị mới gắn với cơ quan ({name})"
            )));
        }
        _ => None,
    };
    if users::table
        .filter(users::username.eq(new.username))
        .count()
        .get_result::<i64>(conn)?
        > 0
    {
        return Err(StoreError::Conflict(format!(
            "user {} already exists",
            new.username
        )));
    }
    let display_name = match new.display_name.trim() {
        "" => new.username,
        name => name,
    };
    let id: i64 = diesel::insert_into(users::table)
        .values((
            users::username.eq(new.username),
            users::display_name.eq(display_name),
            users::role.eq(new.role.as_str()),
            users::agency_id.eq(agency_id),
            users::password_hash.eq(new.password_hash.as_deref()),
            users::disabled.eq(false),
            users::created_at.eq(now()),
        ))
        .returning(users::id)
        .get_result(conn)?;
    let user = get(conn, id)?;
    audit::record(
        conn,
        actor,
        "user.add",
        "user",
        Some(id),
        serde_json::json!({ "username": user.username, "role": user.role, "agency": user.agency }),
    )?;
    Ok(user)
}

/// The agency a new agency user belongs to: a stored agency of that name, or one the agency
/// directory knows (stored on first use). Unknown names are refused, so a typo does not make a new
/// agency that no task will ever name.
fn agency_for_user(conn: &mut DbConnection, name: &str) -> Result<i64, StoreError> {
    if let Some(agency) = agency_store::find_by_name(conn, name)? {
        return Ok(agency.id);
    }
    let known = crate::extract::agency::Directory::global().resolve(name, &Default::default());
    match known {
        Some(canonical) => agency_store::id_for_name(conn, &canonical),
        None => Err(StoreError::Invalid(format!(
            "không có cơ quan, đơn vị nào tên \"{name}\""
        ))),
    }
}

/// Every user, by sign-in name.
pub fn list(conn: &mut DbConnection) -> Result<Vec<User>, StoreError> {
    users::table
        .left_join(agencies::table)
        .order(users::username.asc())
        .select(user_columns())
        .load::<UserRow>(conn)?
        .into_iter()
        .map(User::try_from)
        .collect()
}

/// One user.
pub fn get(conn: &mut DbConnection, id: i64) -> Result<User, StoreError> {
    users::table
        .left_join(agencies::table)
        .filter(users::id.eq(id))
        .select(user_columns())
        .first::<UserRow>(conn)
        .optional()?
        .ok_or(StoreError::NotFound { entity: "user", id })?
        .try_into()
}

/// The user signing in as `username`, with their password hash.
pub fn for_sign_in(
    conn: &mut DbConnection,
    username: &str,
) -> Result<Option<(User, Option<String>)>, StoreError> {
    let found: Option<(i64, Option<String>)> = users::table
        .filter(users::username.eq(username))
        .select((users::id, users::password_hash))
        .first(conn)
        .optional()?;
    match found {
        Some((id, hash)) => Ok(Some((get(conn, id)?, hash))),
        None => Ok(None),
    }
}

fn id_of(conn: &mut DbConnection, username: &str) -> Result<i64, StoreError> {
    users::table
        .filter(users::username.eq(username))
        .select(users::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::Invalid(format!("không có tài khoản \"{username}\"")))
}

/// Disables or re-enables a user. Disabling ends their sessions and revokes their tokens at once.
pub fn set_disabled(
    conn: &mut DbConnection,
    username: &str,
    disabled: bool,
    actor: &str,
) -> Result<User, StoreError> {
    let id = id_of(conn, username)?;
    diesel::update(users::table.find(id))
        .set(users::disabled.eq(disabled))
        .execute(conn)?;
    if disabled {
        diesel::delete(sessions::table.filter(sessions::user_id.eq(id))).execute(conn)?;
        diesel::update(
            api_tokens::table
                .filter(api_tokens::user_id.eq(id))
                .filter(api_tokens::revoked_at.is_null()),
        )
        .set(api_tokens::revoked_at.eq(now()))
        .execute(conn)?;
    }
    audit::record(
        conn,
        actor,
        if disabled {
            "user.disable"
        } else {
            "user.enable"
        },
        "user",
        Some(id),
        serde_json::json!({ "username": username }),
    )?;
    get(conn, id)
}

/// Replaces a user's password hash and ends their other sessions.
pub fn set_password(
    conn: &mut DbConnection,
    username: &str,
    password_hash: &str,
    actor: &str,
) -> Result<(), StoreError> {
    let id = id_of(conn, username)?;
    diesel::update(users::table.find(id))
        .set(users::password_hash.eq(password_hash))
        .execute(conn)?;
    diesel::delete(sessions::table.filter(sessions::user_id.eq(id))).execute(conn)?;
    audit::record(
        conn,
        actor,
        "user.password",
        "user",
        Some(id),
        serde_json::json!({ "username": username }),
    )
}

/// Opens a session for a user who just signed in.
pub fn start_session(
    conn: &mut DbConnection,
    user_id: i64,
    secret_hash: &str,
    csrf_token: &str,
    expires_at: NaiveDateTime,
) -> Result<(), StoreError> {
    let stamp = now();
    // Expired sessions of everyone are cleared here, so the table does not grow without bound.
    diesel::delete(sessions::table.filter(sessions::expires_at.lt(stamp))).execute(conn)?;
    diesel::insert_into(sessions::table)
        .values((
            sessions::secret_hash.eq(secret_hash),
            sessions::user_id.eq(user_id),
            sessions::csrf_token.eq(csrf_token),
            sessions::created_at.eq(stamp),
            sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The enabled user and CSRF token of a live session.
pub fn session(
    conn: &mut DbConnection,
    secret_hash: &str,
    at: NaiveDateTime,
) -> Result<Option<(User, String)>, StoreError> {
    let found: Option<(i64, String)> = sessions::table
        .filter(sessions::secret_hash.eq(secret_hash))
        .filter(sessions::expires_at.gt(at))
        .select((sessions::user_id, sessions::csrf_token))
        .first(conn)
        .optional()?;
    let Some((user_id, csrf)) = found else {
        return Ok(None);
    };
    let user = get(conn, user_id)?;
    Ok((!user.disabled).then_some((user, csrf)))
}

/// Ends a session.
pub fn end_session(conn: &mut DbConnection, secret_hash: &str) -> Result<(), StoreError> {
    diesel::delete(sessions::table.filter(sessions::secret_hash.eq(secret_hash))).execute(conn)?;
    Ok(())
}

/// Stores a new API token (its hash) for a user and records it in the audit log.
pub fn add_token(
    conn: &mut DbConnection,
    username: &str,
    token_hash: &str,
    label: &str,
    actor: &str,
) -> Result<i64, StoreError> {
    let user_id = id_of(conn, username)?;
    let id: i64 = diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::user_id.eq(user_id),
            api_tokens::token_hash.eq(token_hash),
            api_tokens::label.eq(label),
            api_tokens::created_at.eq(now()),
        ))
        .returning(api_tokens::id)
        .get_result(conn)?;
    audit::record(
        conn,
        actor,
        "token.add",
        "user",
        Some(user_id),
        serde_json::json!({ "token_id": id, "label": label }),
    )?;
    Ok(id)
}

/// The enabled user a live (not revoked) API token belongs to.
pub fn token_user(conn: &mut DbConnection, token_hash: &str) -> Result<Option<User>, StoreError> {
    let user_id: Option<i64> = api_tokens::table
        .filter(api_tokens::token_hash.eq(token_hash))
        .filter(api_tokens::revoked_at.is_null())
        .select(api_tokens::user_id)
        .first(conn)
        .optional()?;
    let Some(user_id) = user_id else {
        return Ok(None);
    };
    let user = get(conn, user_id)?;
    Ok((!user.disabled).then_some(user))
}
