//! `botcoach backup FILE` and `botcoach restore FILE`.
//! - SQLite: an online, consistent copy that keeps the settings file's text and row counts in a
//!   manifest (`model::storage::backup`); restore replaces the database file while no botcoach
//!   process uses it, keeps the old file beside it, migrates the restored one, and gives back the
//!   settings.
//! - PostgreSQL: `pg_dump`, after checking it can dump the server's version (an older `pg_dump`
//!   refuses a newer server); restoring is `pg_restore`'s job, said in the message.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context};
use migrations::{Migrator, MigratorTrait};
use model::storage::backup::{self, Manifest};
use model::storage::lock::sqlite_file;
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};

use crate::config::Config;

pub async fn backup(config: &Config, settings_file: &Path, to: &Path) -> anyhow::Result<()> {
    let Some(database) = sqlite_file(&config.database_url) else {
        return pg_dump(config, to).await;
    };
    let db = crate::startup::open_database(config).await?;
    let settings = read_settings(settings_file)?;
    let manifest = backup::backup(&db, to, env!("CARGO_PKG_VERSION"), settings).await?;
    let size = std::fs::metadata(to).map(|m| m.len()).unwrap_or(0);
    println!(
        "backed up {} to {} ({:.1} MB, schema {}):",
        database.display(),
        to.display(),
        size as f64 / 1e6,
        manifest.schema.as_deref().unwrap_or("none")
    );
    print_manifest(&manifest, settings_file);
    Ok(())
}

pub async fn restore(config: &Config, settings_file: &Path, from: &Path) -> anyhow::Result<()> {
    let Some(database) = sqlite_file(&config.database_url) else {
        bail!(
            "the database is PostgreSQL: stop every instance, then restore a `botcoach backup` dump with \
             `pg_restore --clean --if-exists --no-owner --dbname DATABASE_URL {}`",
            from.display()
        );
    };
    let manifest = backup::read_manifest(from).await?;
    if let Some(schema) = &manifest.schema {
        let known = Migrator::migrations().iter().any(|m| m.name() == schema);
        if !known {
            bail!(
                "{} was made by botcoach {} with a schema this botcoach does not know ({schema}): \
                 restore it with that version or a newer one",
                from.display(),
                manifest.made_by
            );
        }
    }
    let restored = backup::restore(from, &database).await?;
    let db = crate::startup::open_database(config).await?;
    crate::startup::migrate(&db).await?;
    println!(
        "restored {} into {} (backed up {} by botcoach {}):",
        from.display(),
        database.display(),
        manifest.made_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        manifest.made_by
    );
    print_manifest(&manifest, settings_file);
    if let Some(kept) = &restored.kept {
        println!("the database that was there is kept as {}", kept.display());
    }
    if let Some(text) = &manifest.settings {
        give_back_settings(settings_file, text)?;
    }
    Ok(())
}

fn read_settings(file: &Path) -> anyhow::Result<Option<String>> {
    match std::fs::read_to_string(file) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read the settings file {}", file.display())),
    }
}

fn print_manifest(manifest: &Manifest, settings_file: &Path) {
    let width = manifest.counts.iter().map(|(what, _)| what.len()).max().unwrap_or(0);
    for (what, rows) in &manifest.counts {
        println!("  {what:<width$}  {rows}");
    }
    match manifest.settings {
        Some(_) => println!("  settings: the text of {}", settings_file.display()),
        None => println!("  settings: no settings file (defaults and BOTCOACH_* variables)"),
    }
}

/// The backup's settings go where the settings file is read from, unless a different file is
/// there already: that one is the operator's, so the backup's goes beside it.
fn give_back_settings(settings_file: &Path, text: &str) -> anyhow::Result<()> {
    let target = match read_settings(settings_file)? {
        None => settings_file.to_path_buf(),
        Some(current) if current == text => return Ok(()),
        Some(_) => {
            let mut name = settings_file.as_os_str().to_owned();
            name.push(".from-backup");
            name.into()
        }
    };
    std::fs::write(&target, text).with_context(|| format!("cannot write {}", target.display()))?;
    println!("the backup's settings are in {}", target.display());
    Ok(())
}

async fn pg_dump(config: &Config, to: &Path) -> anyhow::Result<()> {
    if to.exists() {
        bail!("{} already exists: give the backup a new file name", to.display());
    }
    let db = crate::startup::open_database(config).await?;
    let row = db
        .query_one_raw(Statement::from_string(
            DatabaseBackend::Postgres,
            "SELECT current_setting('server_version_num')::int",
        ))
        .await?
        .context("the server did not say its version")?;
    let server = row.try_get_by_index::<i32>(0)? / 10_000;
    let version = Command::new("pg_dump").arg("--version").output().with_context(|| {
        format!("pg_dump is not installed: install PostgreSQL's client, version {server} or newer (Debian: postgresql-client-{server})")
    })?;
    let version = String::from_utf8_lossy(&version.stdout).to_string();
    let client =
        pg_dump_major(&version).with_context(|| format!("cannot read pg_dump's version from {version:?}"))?;
    if client < server {
        bail!(
            "pg_dump {client} cannot dump a PostgreSQL {server} server: install PostgreSQL's client {server} or newer \
             (Debian: postgresql-client-{server})"
        );
    }
    let status = Command::new("pg_dump")
        .args(["--format=custom", "--file"])
        .arg(to)
        .arg("--dbname")
        .arg(&config.database_url)
        .status()
        .context("cannot run pg_dump")?;
    if !status.success() {
        bail!("pg_dump failed ({status}); its message is above");
    }
    println!(
        "dumped the PostgreSQL database to {} with pg_dump {client} (server {server}); model versions and \
         the settings kept in the database are in it, the settings file is not: keep a copy beside the dump. \
         Restore with `pg_restore --clean --if-exists --no-owner --dbname DATABASE_URL {}` after stopping \
         every instance",
        to.display(),
        to.display()
    );
    Ok(())
}

/// The major version in `pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)`.
fn pg_dump_major(version: &str) -> Option<i32> {
    let number = version.split_whitespace().find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))?;
    let digits: String = number.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pg_dumps_major_version() {
        assert_eq!(pg_dump_major("pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n"), Some(15));
        assert_eq!(pg_dump_major("pg_dump (PostgreSQL) 9.6.24"), Some(9));
        assert_eq!(pg_dump_major("pg_dump (PostgreSQL) 17beta1"), Some(17));
        assert_eq!(pg_dump_major("no version"), None);
    }
}
