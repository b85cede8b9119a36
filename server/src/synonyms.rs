//! `botcoach synonyms import FILE [--publish]` and `botcoach synonyms export FILE`: the synonym
//! dictionary as CSV (`canonical,variants`, variants separated by `|`). A running server serves
//! a publish within seconds (it follows the dictionary's revision).

use std::path::Path;

use anyhow::Context;
use model::synonyms;

use crate::accounts::cli_actor;
use crate::config::Config;

/// Proposes the file's entries as drafts (all or nothing) and prints the report as JSON;
/// with `publish`, puts every pending draft live.
pub async fn import(config: &Config, file: &Path, publish: bool) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read {} as UTF-8 text", file.display()))?;
    let db = crate::accounts::migrated_database(config).await?;
    let report = synonyms::transfer::import_csv(&db, &cli_actor(), &text)
        .await
        .with_context(|| format!("cannot import {}", file.display()))?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    for e in &report.errors {
        tracing::warn!(line = e.line, message = %e.message, "row refused");
    }
    if !report.errors.is_empty() {
        anyhow::bail!(
            "{} row(s) of {} were refused; nothing was imported",
            report.errors.len(),
            file.display()
        );
    }
    if publish {
        let done = synonyms::publish(&db, &cli_actor(), &[]).await?;
        println!("published {} change(s); the dictionary has {} entries", done.published, done.entries);
    }
    Ok(())
}

pub async fn export(config: &Config, file: &Path) -> anyhow::Result<()> {
    let db = crate::accounts::migrated_database(config).await?;
    let csv = synonyms::transfer::export_csv(&db).await?;
    std::fs::write(file, csv).with_context(|| format!("cannot write {}", file.display()))?;
    println!("exported the published synonyms to {}", file.display());
    Ok(())
}
