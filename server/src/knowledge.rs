//! `botcoach import FILE [--publish]` and `botcoach export FILE`: the knowledge base as JSON or
//! CSV (chosen by the file's extension), in the formats of the HTTP API.

use std::path::Path;

use anyhow::Context;
use model::knowledge::transfer::{self, Format};

use crate::accounts::cli_actor;
use crate::config::Config;

/// Prints the report as JSON on stdout; fails (exit 1) when any row was refused, after the
/// good rows are stored.
pub async fn import(config: &Config, file: &Path, publish: bool) -> anyhow::Result<()> {
    let format = Format::from_path(file)?;
    let body = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let parsed =
        transfer::parse(format, &body).with_context(|| format!("cannot import {}", file.display()))?;
    let db = crate::accounts::migrated_database(config).await?;
    let report = transfer::import(&db, &cli_actor(), parsed, publish).await?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    for e in &report.errors {
        tracing::warn!(line = e.line, message = %e.message, "row refused");
    }
    if !report.errors.is_empty() {
        anyhow::bail!(
            "{} row(s) of {} were refused; the others were imported",
            report.errors.len(),
            file.display()
        );
    }
    Ok(())
}

pub async fn export(config: &Config, file: &Path) -> anyhow::Result<()> {
    let format = Format::from_path(file)?;
    let db = crate::accounts::migrated_database(config).await?;
    let body = transfer::export(&db, format).await?;
    std::fs::write(file, body).with_context(|| format!("cannot write {}", file.display()))?;
    println!("exported the published knowledge to {}", file.display());
    Ok(())
}

/// `botcoach report`: the voice-of-customer report on stdout.
pub async fn report(
    config: &Config,
    days: u32,
    format: &str,
    lang: &str,
    limit: usize,
) -> anyhow::Result<()> {
    use model::metrics::report;
    let format: report::Format = format.parse()?;
    let lang: report::Lang = lang.parse()?;
    if limit == 0 {
        anyhow::bail!("--limit must be at least 1");
    }
    let db = crate::accounts::migrated_database(config).await?;
    let found = report::topics(&db, days, limit).await?;
    print!("{}", report::render(&found, format, lang)?);
    Ok(())
}
