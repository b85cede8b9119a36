//! `botcoach test run [SET]`, `botcoach test list`, `botcoach test import FILE [--name NAME]` and
//! `botcoach test export SET FILE`: test sets from the command line. A run exits with status 1
//! when a case fails, so a bot team can gate its deployments on it.

use std::path::Path;

use anyhow::Context;
use model::testsets::{self, transfer::SetFormat};
use model::views::{RunReport, SetKind, TestSetSummary};

use crate::accounts::cli_actor;
use crate::config::Config;

fn name_of(set: &TestSetSummary) -> String {
    match set.kind {
        SetKind::Manual => set.name.clone(),
        kind => kind.as_str().to_string(),
    }
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

fn print_report(name: &str, r: &RunReport) {
    let s = &r.run;
    println!(
        "{name}: {}/{} passed ({}), answered {} at {} precision; {} newly failing, {} newly passing",
        s.passed,
        s.total,
        pct(s.accuracy()),
        pct(s.answered_share()),
        pct(s.precision()),
        r.newly_failing,
        r.newly_passing
    );
    for c in r.cases.iter().filter(|c| !c.passed) {
        println!(
            "  FAIL {:?} ({}): expected {}, got {} ({}, score {:.3}){}",
            c.question,
            c.channel,
            c.expect_question
                .as_deref()
                .map_or_else(|| c.expect.to_string(), |q| format!("{} {q:?}", c.expect)),
            c.got.as_deref().unwrap_or("nothing answered"),
            c.outcome,
            c.score,
            c.flag.map(|f| format!(" [{f}]")).unwrap_or_default()
        );
    }
}

/// Runs set `set` (a manual set's name, a filled set's kind, or an id), or every set; fails
/// (exit status 1) when any case fails.
pub async fn run(config: &Config, set: Option<&str>) -> anyhow::Result<()> {
    let services = crate::startup::services(config).await?;
    testsets::fill::fill(&services, None).await?;
    let sets = match set {
        Some(name) => vec![
            testsets::find_by_name(&services.db, name)
                .await
                .with_context(|| format!("no test set {name:?}"))?
                .id,
        ],
        None => testsets::list(&services.db).await?.iter().filter(|s| s.cases > 0).map(|s| s.id).collect(),
    };
    let mut failed = 0;
    for id in sets {
        let report = services.run_test_set(&cli_actor(), id).await?;
        let summary = testsets::list(&services.db).await?.into_iter().find(|s| s.id == id);
        print_report(&summary.as_ref().map(name_of).unwrap_or_else(|| id.to_string()), &report);
        failed += report.run.total - report.run.passed;
    }
    if failed > 0 {
        anyhow::bail!("{failed} test case(s) failed");
    }
    Ok(())
}

pub async fn list(config: &Config) -> anyhow::Result<()> {
    let services = crate::startup::services(config).await?;
    testsets::fill::fill(&services, None).await?;
    for s in testsets::list(&services.db).await? {
        let last = s.last_run.as_ref().map_or("never run".to_string(), |r| {
            format!("last run {}: {}/{} passed", r.started_at.format("%Y-%m-%d %H:%M UTC"), r.passed, r.total)
        });
        println!("{} (id {}): {} cases, {} flagged; {last}", name_of(&s), s.id, s.cases, s.flagged);
    }
    Ok(())
}

fn format_of(file: &Path) -> anyhow::Result<SetFormat> {
    SetFormat::from_name(&file.to_string_lossy()).with_context(|| {
        format!("cannot tell the format of {}: name it .csv, .json or .xlsx", file.display())
    })
}

pub async fn import(config: &Config, file: &Path, name: Option<&str>) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let format = format_of(file)?;
    let name = match name {
        Some(n) => n.to_string(),
        None => file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(),
    };
    let services = crate::startup::services(config).await?;
    let done = testsets::import(&services, &cli_actor(), &name, format, &bytes)
        .await
        .with_context(|| format!("cannot import {}; nothing was imported", file.display()))?;
    println!("test set {name:?} (id {}): {} cases", done.id, done.cases);
    Ok(())
}

pub async fn export(config: &Config, set: &str, file: &Path) -> anyhow::Result<()> {
    let format = format_of(file)?;
    let db = crate::accounts::migrated_database(config).await?;
    let id = testsets::find_by_name(&db, set).await.with_context(|| format!("no test set {set:?}"))?.id;
    let bytes = testsets::export(&db, id, format).await?;
    std::fs::write(file, bytes).with_context(|| format!("cannot write {}", file.display()))?;
    println!("exported test set {set:?} to {}", file.display());
    Ok(())
}
