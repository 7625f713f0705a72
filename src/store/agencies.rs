//! Agencies: the bodies that lead or support tasks, with abbreviations and e-mail contacts.

use diesel::prelude::*;
use serde::Serialize;

use super::schema::agencies;
use super::{DbConnection, StoreError, now};

/// A stored agency.
#[derive(Debug, Clone, PartialEq, Serialize, Queryable, Selectable, utoipa::ToSchema)]
#[diesel(table_name = agencies)]
pub struct Agency {
    /// Agency id.
    pub id: i64,
    /// Canonical full name.
    pub name: String,
    /// Usual abbreviation.
    pub abbreviation: Option<String>,
    /// Contact address for reminders.
    pub email: Option<String>,
    /// The body that took over this one's duties, if it was merged or renamed.
    pub successor_id: Option<i64>,
}

/// The id of the agency called `name`, creating it if it is new.
pub fn id_for_name(conn: &mut DbConnection, name: &str) -> Result<i64, StoreError> {
    let name = name.trim();
    if let Some(id) = agencies::table
        .filter(agencies::name.eq(name))
        .select(agencies::id)
        .first::<i64>(conn)
        .optional()?
    {
        return Ok(id);
    }
    let values = (agencies::name.eq(name), agencies::created_at.eq(now()));
    per_backend!(conn, c => diesel::insert_into(agencies::table)
        .values(values)
        .on_conflict(agencies::name)
        .do_nothing()
        .execute(c)?);
    Ok(agencies::table
        .filter(agencies::name.eq(name))
        .select(agencies::id)
        .first::<i64>(conn)?)
}

/// All agencies by name.
pub fn list(conn: &mut DbConnection) -> Result<Vec<Agency>, StoreError> {
    Ok(agencies::table
        .order(agencies::name.asc())
        .select(Agency::as_select())
        .load(conn)?)
}

/// One agency.
pub fn get(conn: &mut DbConnection, id: i64) -> Result<Agency, StoreError> {
    agencies::table
        .find(id)
        .select(Agency::as_select())
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound {
            entity: "agency",
            id,
        })
}

/// The agency called exactly `name` (trimmed), if there is one.
pub fn find_by_name(conn: &mut DbConnection, name: &str) -> Result<Option<Agency>, StoreError> {
    Ok(agencies::table
        .filter(agencies::name.eq(name.trim()))
        .select(Agency::as_select())
        .first(conn)
        .optional()?)
}

/// Sets (or with `None` removes) the reminder address of agency `id`, recording the change in the audit
/// log. The caller checks that the address is well formed.
pub fn set_email(
    conn: &mut DbConnection,
    id: i64,
    email: Option<&str>,
    actor: &str,
) -> Result<Agency, StoreError> {
    let before = get(conn, id)?;
    diesel::update(agencies::table.find(id))
        .set(agencies::email.eq(email))
        .execute(conn)?;
    let after = get(conn, id)?;
    super::audit::record(
        conn,
        actor,
        "agency.set_email",
        "agency",
        Some(id),
        serde_json::json!({ "before": before.email, "after": after.email }),
    )?;
    Ok(after)
}

/// The names of the `n` agencies that lead the most tasks, busiest first.
pub fn busiest_leads(conn: &mut DbConnection, n: i64) -> Result<Vec<String>, StoreError> {
    use super::schema::task_agencies;
    let rows: Vec<(String, i64)> = task_agencies::table
        .inner_join(agencies::table)
        .filter(task_agencies::role.eq("lead"))
        .group_by(agencies::name)
        .select((agencies::name, diesel::dsl::count_star()))
        .order((diesel::dsl::count_star().desc(), agencies::name.asc()))
        .limit(n)
        .load(conn)?;
    Ok(rows.into_iter().map(|(name, _)| name).collect())
}
