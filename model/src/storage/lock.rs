//! Which processes use an SQLite database file, told by a lock file beside it. Every botcoach
//! process that opens the database holds a shared lock on it until it exits; a restore takes it
//! exclusively, so a restore refuses while a server or command uses the file, and they refuse
//! while a restore replaces it. The kernel drops a killed process's lock: a crash leaves nothing
//! stale to clean up.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use super::StorageError;

/// The SQLite file a database URL names; `None` for PostgreSQL and in-memory databases.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

fn lock_file(db: &Path) -> Result<(PathBuf, File), StorageError> {
    let mut name = db.as_os_str().to_owned();
    name.push(".lock");
    let path = PathBuf::from(name);
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|source| StorageError::Folder { path: parent.display().to_string(), source })?;
    }
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|source| StorageError::Lock { path: path.display().to_string(), source })?;
    Ok((path, file))
}

/// Held while a process uses the database; dropping it (or exiting) lets a restore in.
#[derive(Debug)]
pub struct InUse(#[allow(dead_code)] Option<File>);

/// Marks the database at `url` as in use by this process, for as long as the guard lives.
/// PostgreSQL needs no mark: it is never restored by replacing a file.
pub fn use_database(url: &str) -> Result<InUse, StorageError> {
    let Some(db) = sqlite_file(url) else { return Ok(InUse(None)) };
    let (path, file) = lock_file(&db)?;
    match file.try_lock_shared() {
        Ok(()) => Ok(InUse(Some(file))),
        Err(TryLockError::WouldBlock) => Err(StorageError::Restoring { path: db.display().to_string() }),
        Err(TryLockError::Error(source)) => {
            Err(StorageError::Lock { path: path.display().to_string(), source })
        }
    }
}

/// The database file to itself: no botcoach process has it open, and none can open it while
/// the guard lives.
#[derive(Debug)]
pub struct Alone(#[allow(dead_code)] File);

pub fn alone(db: &Path) -> Result<Alone, StorageError> {
    let (path, file) = lock_file(db)?;
    match file.try_lock() {
        Ok(()) => Ok(Alone(file)),
        Err(TryLockError::WouldBlock) => Err(StorageError::InUse { path: db.display().to_string() }),
        Err(TryLockError::Error(source)) => {
            Err(StorageError::Lock { path: path.display().to_string(), source })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_process_using_the_database_keeps_a_restore_out_and_the_other_way_round() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("botcoach.db");
        let url = format!("sqlite://{}?mode=rwc", db.display());
        let server = use_database(&url).unwrap();
        let second = use_database(&url).unwrap();
        assert!(matches!(alone(&db), Err(StorageError::InUse { .. })));
        drop((server, second));
        let restore = alone(&db).unwrap();
        assert!(matches!(use_database(&url), Err(StorageError::Restoring { .. })));
        drop(restore);
        use_database(&url).unwrap();
        assert!(use_database("postgres://u@h/db").unwrap().0.is_none());
        assert_eq!(sqlite_file("sqlite::memory:"), None);
    }
}
