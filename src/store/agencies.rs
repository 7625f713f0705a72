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
