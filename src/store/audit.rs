//! The audit log: who changed what, and when. Written in the same transaction as the change.

use diesel::prelude::*;
use serde::Serialize;

use super::schema::audit_log;
use super::{DbConnection, StoreError, now};

/// One recorded change.
#[derive(Debug, Clone, Serialize, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    /// Entry id.
    pub id: i64,
    /// When it happened (UTC).
    pub at: chrono::NaiveDateTime,
    /// Who did it (user name, or `system`/`cli`).
    pub actor: String,
    /// What was done, e.g. `directive.register`.
    pub action: String,
    /// Kind of record changed.
    pub entity: String,
    /// Id of the record changed.
    pub entity_id: Option<i64>,
    /// Details as JSON text.
    pub detail: String,
}

/// Records a change.
pub fn record(
    conn: &mut DbConnection,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: Option<i64>,
    detail: serde_json::Value,
) -> Result<(), StoreError> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::at.eq(now()),
            audit_log::actor.eq(actor),
            audit_log::action.eq(action),
            audit_log::entity.eq(entity),
            audit_log::entity_id.eq(entity_id),
            audit_log::detail.eq(detail.to_string()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The changes recorded for one record, oldest first.
pub fn for_entity(
    conn: &mut DbConnection,
    entity: &str,
    entity_id: i64,
) -> Result<Vec<AuditEntry>, StoreError> {
    Ok(audit_log::table
        .filter(audit_log::entity.eq(entity))
        .filter(audit_log::entity_id.eq(entity_id))
        .order(audit_log::id.asc())
        .select(AuditEntry::as_select())
        .load(conn)?)
}
