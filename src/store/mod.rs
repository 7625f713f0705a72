//! The database: one code base for SQLite (the embedded default) and PostgreSQL (scale-up), through
//! diesel's `MultiConnection`. Every write runs in [`Store::write`], which on SQLite takes the write lock
//! up front (`BEGIN IMMEDIATE`) so concurrent writers wait for each other instead of failing.

/// Runs the same diesel code on the concrete connection of either backend, for statements the
/// multi-backend connection cannot express (such as `ON CONFLICT`).
macro_rules! per_backend {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::store::DbConnection::Sqlite($c) => $body,
            $crate::store::DbConnection::Postgresql($c) => $body,
        }
    };
}
pub(crate) use per_backend;

pub mod access;
pub mod agencies;
pub mod audit;
pub mod directives;
pub mod extensions;
pub mod intake_jobs;
pub mod occurrences;
pub mod register;
pub mod reports;
pub mod schema;
pub mod settings;
pub mod tasks;
pub mod users;

use std::path::Path;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// The connection enum; its own module because the derive generates undocumented helper items.
#[allow(missing_docs)]
mod connection {
    /// A connection to either backend.
    #[derive(diesel::MultiConnection)]
    pub enum DbConnection {
        /// PostgreSQL.
        Postgresql(diesel::PgConnection),
        /// SQLite.
        Sqlite(diesel::SqliteConnection),
    }
}

pub use connection::DbConnection;

/// Which database the store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// SQLite file (embedded default).
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

impl Backend {
    /// The backend a database URL selects.
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed a query.
    #[error("database error: {0}")]
    Query(#[from] diesel::result::Error),
    /// No connection could be made or taken from the pool.
    #[error("database connection error: {0}")]
    Connection(String),
    /// Migrations could not be applied.
    #[error("database migration failed: {0}")]
    Migration(String),
    /// The record does not exist.
    #[error("{entity} {id} not found")]
    NotFound {
        /// What kind of record.
        entity: &'static str,
        /// Its id.
        id: i64,
    },
    /// The change is not allowed in the record's current state.
    #[error("{0}")]
    Conflict(String),
    /// The request itself is wrong (a bad name, a missing field); the message is in Vietnamese.
    #[error("{0}")]
    Invalid(String),
    /// The document is in the register already; nothing was stored.
    #[error("already registered as incoming number {}", .0.existing.label())]
    Duplicate(Box<register::Duplicate>),
    /// Stored JSON could not be read back.
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    /// The data folder could not be prepared.
    #[error("data folder: {0}")]
    Io(#[from] std::io::Error),
}

impl From<diesel::r2d2::PoolError> for StoreError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        StoreError::Connection(e.to_string())
    }
}

/// Per-connection settings for SQLite: WAL, a busy timeout, foreign keys; statement journals and
/// temporary sorts in memory, and a page cache of up to 32 MiB, so that a large write (a reminder
/// pass writes one row per task reminded) neither spills dirty pages nor writes a journal file
/// for each statement.
#[derive(Debug, Clone, Copy)]
struct SqliteSettings;

impl CustomizeConnection<DbConnection, diesel::r2d2::Error> for SqliteSettings {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), diesel::r2d2::Error> {
        if let DbConnection::Sqlite(_) = conn {
            conn.batch_execute(
                "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; \
                 PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
                 PRAGMA temp_store = MEMORY; PRAGMA cache_size = -32768;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// The diesel backend type behind [`DbConnection`].
pub type DbBackend = <DbConnection as Connection>::Backend;

/// A pooled connection.
pub type Conn = PooledConnection<ConnectionManager<DbConnection>>;

/// The database: a connection pool plus the backend it runs on.
#[derive(Clone)]
pub struct Store {
    pool: Pool<ConnectionManager<DbConnection>>,
    backend: Backend,
}

impl Store {
    /// Opens (and creates, for SQLite) the database at `url` and applies pending migrations.
    pub fn open(url: &str) -> Result<Store, StoreError> {
        let backend = Backend::of_url(url);
        let url = match backend {
            Backend::Postgres => url.to_string(),
            Backend::Sqlite => {
                let path = url.strip_prefix("sqlite://").unwrap_or(url);
                if let Some(parent) = Path::new(path).parent()
                    && !parent.as_os_str().is_empty()
                {
                    std::fs::create_dir_all(parent)?;
                }
                path.to_string()
            }
        };
        let manager = ConnectionManager::<DbConnection>::new(url);
        let pool = Pool::builder()
            .max_size(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .connection_timeout(Duration::from_secs(30))
            .connection_customizer(Box::new(SqliteSettings))
            .build(manager)
            .map_err(|e| StoreError::Connection(e.to_string()))?;
        let store = Store { pool, backend };
        store.migrate()?;
        Ok(store)
    }

    /// Applies pending migrations. On SQLite, foreign keys are off while they run, as SQLite asks for
    /// migrations that rebuild a table, and back on afterwards.
    fn migrate(&self) -> Result<(), StoreError> {
        let mut conn = self.pool.get()?;
        let result = match &mut *conn {
            DbConnection::Sqlite(c) => c
                .batch_execute("PRAGMA foreign_keys = OFF")
                .map_err(Into::into)
                .and_then(|()| c.run_pending_migrations(SQLITE_MIGRATIONS).map(|_| ()))
                .and_then(|()| {
                    c.batch_execute("PRAGMA foreign_keys = ON")
                        .map_err(Into::into)
                }),
            DbConnection::Postgresql(c) => {
                c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|_| ())
            }
        };
        result.map_err(|e| StoreError::Migration(e.to_string()))
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Takes a connection from the pool.
    pub fn conn(&self) -> Result<Conn, StoreError> {
        Ok(self.pool.get()?)
    }

    /// Runs `f` in a read transaction (a consistent snapshot).
    pub fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, StoreError>,
    {
        let mut conn = self.conn()?;
        let conn: &mut DbConnection = &mut conn;
        conn.transaction(f)
    }

    /// Runs `f` in a write transaction: all of it is committed or none of it. On SQLite the write lock
    /// is taken at the start, so concurrent writers queue (up to the busy timeout) instead of failing.
    pub fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, StoreError>,
    {
        let mut conn = self.conn()?;
        if matches!(&*conn, DbConnection::Sqlite(_)) {
            let mut tx = ImmediateTransaction::begin(&mut conn)?;
            let value = f(tx.conn())?;
            tx.commit()?;
            Ok(value)
        } else {
            let conn: &mut DbConnection = &mut conn;
            conn.transaction(f)
        }
    }
}

/// A SQLite `BEGIN IMMEDIATE` transaction that rolls back unless committed (also on panic).
struct ImmediateTransaction<'a> {
    conn: &'a mut DbConnection,
    open: bool,
}

impl<'a> ImmediateTransaction<'a> {
    fn begin(conn: &'a mut DbConnection) -> Result<Self, StoreError> {
        conn.batch_execute("BEGIN IMMEDIATE")?;
        Ok(Self { conn, open: true })
    }

    fn conn(&mut self) -> &mut DbConnection {
        self.conn
    }

    fn commit(mut self) -> Result<(), StoreError> {
        self.open = false;
        if let Err(e) = self.conn.batch_execute("COMMIT") {
            let _ = self.conn.batch_execute("ROLLBACK");
            return Err(e.into());
        }
        Ok(())
    }
}

impl Drop for ImmediateTransaction<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.conn.batch_execute("ROLLBACK");
        }
    }
}

/// Stores a file's bytes under their SHA-256 `checksum`, once: a file already stored (or stored by
/// a concurrent transaction first) is kept as it is.
pub fn store_file(
    conn: &mut DbConnection,
    checksum: &str,
    content: &[u8],
    stamp: chrono::NaiveDateTime,
) -> Result<(), StoreError> {
    use diesel::prelude::*;
    use schema::files;
    let file = (
        files::checksum.eq(checksum),
        files::size.eq(i64::try_from(content.len()).unwrap_or(i64::MAX)),
        files::content.eq(content),
        files::created_at.eq(stamp),
    );
    per_backend!(conn, c => diesel::insert_into(files::table)
        .values(file)
        .on_conflict(files::checksum)
        .do_nothing()
        .execute(c)?);
    Ok(())
}

/// The current time as stored (UTC, no zone).
pub fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}
