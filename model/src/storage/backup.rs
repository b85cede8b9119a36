//! Backups of an SQLite database taken while servers write to it, and their restore.
//!
//! A backup is `VACUUM INTO`: one read transaction, so the copy is the database as of one
//! moment, every commit before it whole and none after, while writers go on (WAL readers do not
//! block them). The copy is an ordinary SQLite file with one more table, the manifest: when and
//! by which botcoach it was made, its schema, the settings file and row counts. Trained model
//! versions and the settings kept in the database (which model serves, thresholds) are tables,
//! so they come along. A copy is written beside its final name and renamed when complete, so a
//! file under the final name is always a whole backup.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sea_orm::sqlx::sqlite::SqliteJournalMode;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, DbErr, Statement,
};
use serde::{Deserialize, Serialize};

use super::{lock, StorageError};

const MANIFEST_TABLE: &str = "botcoach_backup";

/// What the operator reads back: the tables counted in a backup's manifest.
const COUNTED: [(&str, &str); 8] = [
    ("knowledge points", "knowledge_points"),
    ("categories", "categories"),
    ("misses", "misses"),
    ("asks", "asks"),
    ("model versions", "model_versions"),
    ("synonyms", "synonyms"),
    ("test sets", "test_sets"),
    ("users", "users"),
];

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub made_at: DateTime<Utc>,
    /// The botcoach version that made it.
    pub made_by: String,
    /// The last migration applied to the copied database.
    pub schema: Option<String>,
    /// The settings file's text at the time, when there was one.
    pub settings: Option<String>,
    /// Rows per table, as (what, rows).
    pub counts: Vec<(String, i64)>,
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} already exists: give the backup a new file name (a backup never overwrites a file)")]
    Exists(String),
    #[error("{path} is not a botcoach backup: {why}")]
    NotABackup { path: String, why: String },
    #[error("{path} is damaged: SQLite's integrity check says {check}")]
    Damaged { path: String, check: String },
    #[error("{what} {path}: {source}")]
    Io {
        what: &'static str,
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("database error during backup or restore: {0}")]
    Db(#[from] DbErr),
}

fn io<'a>(what: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> BackupError + 'a {
    move |source| BackupError::Io { what, path: path.display().to_string(), source }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Opens a copy as a plain file with a rollback journal, so that closing it leaves one
/// self-contained file (no `-wal` beside it).
async fn open_copy(path: &Path, mode: &str) -> Result<DatabaseConnection, BackupError> {
    let mut options = ConnectOptions::new(format!("sqlite://{}?mode={mode}", path.display()));
    options.sqlx_logging(false).max_connections(1);
    if mode != "ro" {
        options.map_sqlx_sqlite_opts(|o| o.journal_mode(SqliteJournalMode::Delete));
    }
    Ok(Database::connect(options).await?)
}

async fn scalar<T: sea_orm::TryGetable>(db: &impl ConnectionTrait, sql: &str) -> Result<Option<T>, DbErr> {
    match db.query_one_raw(Statement::from_string(DatabaseBackend::Sqlite, sql)).await? {
        Some(row) => Ok(Some(row.try_get_by_index(0)?)),
        None => Ok(None),
    }
}

async fn has_table(db: &impl ConnectionTrait, table: &str) -> Result<bool, DbErr> {
    let sql = format!("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'");
    Ok(scalar::<i64>(db, &sql).await?.unwrap_or(0) > 0)
}

fn sync(path: &Path) -> Result<(), BackupError> {
    std::fs::File::open(path).and_then(|f| f.sync_all()).map_err(io("cannot flush", path))
}

fn sync_folder(path: &Path) -> Result<(), BackupError> {
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) => sync(parent),
        None => sync(Path::new(".")),
    }
}

/// Copies the live database `db` to the new file `to`, consistent as of one moment, while
/// others keep writing. `settings` is the settings file's text, kept in the manifest.
pub async fn backup(
    db: &DatabaseConnection,
    to: &Path,
    made_by: &str,
    settings: Option<String>,
) -> Result<Manifest, BackupError> {
    if to.exists() {
        return Err(BackupError::Exists(to.display().to_string()));
    }
    let partial = with_suffix(to, ".partial");
    if partial.exists() {
        // Left by a backup that was interrupted: never a whole copy.
        std::fs::remove_file(&partial).map_err(io("cannot remove the unfinished copy", &partial))?;
    }
    let target = partial.to_str().ok_or_else(|| BackupError::Io {
        what: "the backup's path must be UTF-8",
        path: partial.display().to_string(),
        source: std::io::Error::from(std::io::ErrorKind::InvalidInput),
    })?;
    db.execute_raw(Statement::from_sql_and_values(DatabaseBackend::Sqlite, "VACUUM INTO ?", [target.into()]))
        .await?;

    let copy = open_copy(&partial, "rw").await?;
    let mut counts = Vec::new();
    for (what, table) in COUNTED {
        if has_table(&copy, table).await? {
            let rows = scalar::<i64>(&copy, &format!("SELECT COUNT(*) FROM {table}")).await?.unwrap_or(0);
            counts.push((what.to_string(), rows));
        }
    }
    let schema = if has_table(&copy, "seaql_migrations").await? {
        scalar::<String>(&copy, "SELECT version FROM seaql_migrations ORDER BY version DESC LIMIT 1").await?
    } else {
        None
    };
    let manifest = Manifest { made_at: Utc::now(), made_by: made_by.to_string(), schema, settings, counts };
    let json = serde_json::to_string(&manifest).expect("a manifest serialises");
    copy.execute_unprepared(&format!("CREATE TABLE {MANIFEST_TABLE} (manifest TEXT NOT NULL)")).await?;
    copy.execute_raw(Statement::from_sql_and_values(
        DatabaseBackend::Sqlite,
        format!("INSERT INTO {MANIFEST_TABLE} (manifest) VALUES (?)"),
        [json.into()],
    ))
    .await?;
    copy.close().await?;
    sync(&partial)?;
    std::fs::rename(&partial, to).map_err(io("cannot name the backup", to))?;
    sync_folder(to)?;
    Ok(manifest)
}

/// A backup's manifest, after checking the file is whole.
pub async fn read_manifest(file: &Path) -> Result<Manifest, BackupError> {
    let path = file.display().to_string();
    if !file.is_file() {
        return Err(BackupError::NotABackup { path, why: "there is no such file".into() });
    }
    let not_backup = |why: String| BackupError::NotABackup { path: path.clone(), why };
    let copy = open_copy(file, "ro").await.map_err(|e| not_backup(format!("SQLite cannot read it ({e})")))?;
    let check = match scalar::<String>(&copy, "PRAGMA quick_check").await {
        Ok(check) => check.unwrap_or_default(),
        Err(e) => return Err(not_backup(format!("SQLite cannot read it ({e})"))),
    };
    if check != "ok" {
        return Err(BackupError::Damaged { path, check });
    }
    if !has_table(&copy, MANIFEST_TABLE).await? {
        return Err(not_backup("it has no manifest (make backups with `botcoach backup`)".into()));
    }
    let json = scalar::<String>(&copy, &format!("SELECT manifest FROM {MANIFEST_TABLE}")).await?;
    copy.close().await?;
    serde_json::from_str(&json.unwrap_or_default())
        .map_err(|e| not_backup(format!("its manifest is unreadable ({e})")))
}

/// What a restore did.
#[derive(Debug)]
pub struct Restored {
    pub manifest: Manifest,
    /// Where the database that was there before now is.
    pub kept: Option<PathBuf>,
}

/// Replaces the database file `into` with the backup `from`, refusing while any botcoach
/// process uses it. The database that was there is kept beside it, renamed, never deleted.
pub async fn restore(from: &Path, into: &Path) -> Result<Restored, BackupError> {
    let _alone = lock::alone(into)?;
    let manifest = read_manifest(from).await?;
    let staging = with_suffix(into, ".restoring");
    std::fs::copy(from, &staging).map_err(io("cannot copy the backup to", &staging))?;
    let copy = open_copy(&staging, "rw").await?;
    copy.execute_unprepared(&format!("DROP TABLE {MANIFEST_TABLE}")).await?;
    copy.close().await?;
    sync(&staging)?;

    let kept = if into.exists() {
        let stamp = Utc::now().format("%Y%m%dT%H%M%SZ");
        // Two restores within one second must not put the second's old file over the first's.
        let kept = (0..)
            .map(|n| match n {
                0 => with_suffix(into, &format!(".before-restore-{stamp}")),
                n => with_suffix(into, &format!(".before-restore-{stamp}-{n}")),
            })
            .find(|kept| !kept.exists())
            .expect("a free name");
        // The write-ahead log belongs to the old file: it moves with it, or SQLite would apply it
        // to the restored one.
        for suffix in ["-wal", "-shm", ""] {
            let (old, new) = (with_suffix(into, suffix), with_suffix(&kept, suffix));
            if old.exists() {
                std::fs::rename(&old, &new).map_err(io("cannot move the current database aside to", &new))?;
            }
        }
        Some(kept)
    } else {
        None
    };
    std::fs::rename(&staging, into).map_err(io("cannot put the restored database at", into))?;
    sync_folder(into)?;
    Ok(Restored { manifest, kept })
}
