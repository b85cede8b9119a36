//! Database access: connecting, and the small stores each feature owns.

pub mod backup;
pub mod lock;
pub mod meta;
pub mod notify;
pub mod sql;

use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("cannot create the database folder {path}: {source}")]
    Folder {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "cannot open database {url}: {source}. Check BOTCOACH_DATABASE_URL (e.g. \
             sqlite://data/botcoach.db?mode=rwc or postgres://user:pass@host/db)"
    )]
    Connect {
        url: String,
        #[source]
        source: DbErr,
    },
    #[error(
        "another botcoach process is using the database {path}: stop every server and command that \
             uses it first"
    )]
    InUse { path: String },
    #[error("a restore is replacing the database {path}: start again when it has finished")]
    Restoring { path: String },
    #[error("cannot lock {path}: {source}")]
    Lock {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Opens the database. For an SQLite file its folder is created, and the file too
/// (`mode=rwc` is added when the URL names no mode).
pub async fn connect(url: &str) -> Result<DatabaseConnection, StorageError> {
    let url = sqlite_prepare(url)?;
    let mut options = ConnectOptions::new(url.clone());
    options.sqlx_logging(false);
    if url.starts_with("sqlite:") {
        options.max_connections(4);
        // WAL: readers never block the writer nor it them. `synchronous = FULL`: every commit
        // is on disk before it returns, so an accepted miss survives a power cut, not only a
        // crash. A writer waits up to 10 s for another instead of failing; write transactions
        // take the lock when they begin (`write`), where waiting is possible.
        options.map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(10))
        });
    }
    Database::connect(options).await.map_err(|source| StorageError::Connect { url: redact(&url), source })
}

/// Begins a transaction for a check-then-act: a group still open, a question still free, a
/// category move that makes no cycle, the next feed revision. These run one at a time, on both
/// engines, and read and write under that one lock.
/// - SQLite: `BEGIN IMMEDIATE` takes the write lock at once; a deferred transaction that reads
///   first and then writes cannot wait for another writer, it fails with "database is locked".
/// - PostgreSQL: a transaction-scoped advisory lock, so instances sharing the database queue
///   like SQLite's writers do. Reads (asks, lists, the feed) take no lock. These transactions
///   are short (milliseconds) and come from people's decisions: tens per second at most.
///
/// The writes customers cause (asks, misses, feedback) use [`append`] instead.
pub async fn write<C: TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr>
where
    C::Transaction: ConnectionTrait,
{
    let txn = append(db).await?;
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({WRITER_LOCK})")).await?;
    }
    Ok(txn)
}

/// Begins a transaction whose writes need no check-then-act of botcoach's own: rows appended
/// (the ask log, miss events), upserts (a miss counted on its normalised text), conditional
/// updates (feedback flips a flag once), keys a unique index guards (idempotency).
/// - SQLite: `BEGIN IMMEDIATE`, as [`write`]: SQLite writes one transaction at a time anyway.
/// - PostgreSQL: no advisory lock. Row locks and unique indexes keep these right, so instances
///   sharing the database write side by side; a row another transaction holds is waited for up
///   to 10 s, like SQLite's busy timeout, then the write fails instead of hanging.
pub async fn append<C: TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr>
where
    C::Transaction: ConnectionTrait,
{
    let txn = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await?;
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_unprepared("SET LOCAL lock_timeout = '10s'").await?;
    }
    Ok(txn)
}

/// The advisory lock key of botcoach's writers ("botcoach" in ASCII): one number per database.
const WRITER_LOCK: i64 = 0x626f_7463_6f61_6368;

fn sqlite_prepare(url: &str) -> Result<String, StorageError> {
    let Some(path) = lock::sqlite_file(url) else {
        return Ok(url.to_string());
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|source| StorageError::Folder { path: parent.display().to_string(), source })?;
    }
    Ok(if url.contains("mode=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    })
}

/// Hides a password in a database URL before it goes into a message or log.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!("{}{}:***{}", &url[..scheme + 3], &userinfo[..colon], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Which database engine a connection talks to, for status displays.
pub fn backend_name(db: &DatabaseConnection) -> &'static str {
    match db.get_database_backend() {
        sea_orm::DatabaseBackend::Sqlite => "SQLite",
        sea_orm::DatabaseBackend::Postgres => "PostgreSQL",
        sea_orm::DatabaseBackend::MySql => "MySQL",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_get_create_mode() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sub/db.sqlite");
        let url = format!("sqlite://{}", file.display());
        assert_eq!(sqlite_prepare(&url).unwrap(), format!("{url}?mode=rwc"));
        assert!(file.parent().unwrap().is_dir());
        assert_eq!(sqlite_prepare("sqlite::memory:").unwrap(), "sqlite::memory:");
        assert_eq!(sqlite_prepare("sqlite://x.db?mode=ro").unwrap(), "sqlite://x.db?mode=ro");
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact("postgres://bot:secret@db/botcoach"), "postgres://bot:***@db/botcoach");
        assert_eq!(redact("sqlite://data/botcoach.db"), "sqlite://data/botcoach.db");
    }
}
