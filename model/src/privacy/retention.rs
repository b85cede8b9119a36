//! Deletes the ask log and finished misses older than the configured days. What the dashboard
//! counts of those rows is added to the rollups in the same transaction as the deletion, so
//! its history is unchanged: the dashboard adds the rollups to the rows that are left, and a
//! row is counted in one or the other, never both.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use super::PrivacyError;
use crate::storage::meta;
use crate::storage::sql::{day, Sql};
use crate::views::{MissStatus, Outcome, RetentionRun};

/// PostgreSQL reads a bare NULL in a SELECT as text, which an integer column refuses.
const NO_POINT: &str = "CAST(NULL AS INTEGER)";
const LAST_RUN: &str = "retention_last_run";
/// A run every this often; instances that find a recent run leave it.
pub const EVERY: Duration = Duration::hours(24);

/// The figures kept in `miss_rollups`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissFigure {
    /// Reports received (the inbox's inflow), by day and channel.
    Inflow,
    /// Misses a trainer decided, by the day of the decision.
    Decided,
    /// Misses published knowledge closed (loop yield), by day and point.
    Closed,
    /// Misses closed without a decision (counted as resolved that day).
    ClosedUndecided,
}

impl MissFigure {
    pub fn as_str(self) -> &'static str {
        match self {
            MissFigure::Inflow => "inflow",
            MissFigure::Decided => "decided",
            MissFigure::Closed => "closed",
            MissFigure::ClosedUndecided => "closed_undecided",
        }
    }
}

/// The last run, if any.
pub async fn last_run(db: &impl ConnectionTrait) -> Result<Option<RetentionRun>, PrivacyError> {
    Ok(meta::get(db, LAST_RUN).await?.and_then(|v| serde_json::from_str(&v).ok()))
}

/// Runs retention unless a run (by any instance) is younger than [`EVERY`]; returns the run
/// it did.
pub async fn run_if_due(db: &DatabaseConnection, days: u32) -> Result<Option<RetentionRun>, PrivacyError> {
    let now = Utc::now();
    if last_run(db).await?.is_some_and(|r| now - r.ran_at < EVERY) {
        return Ok(None);
    }
    run(db, days, now).await.map(Some)
}

/// Deletes what is older than `days` before `now` (nothing when `days` is 0) and records the run.
pub async fn run(
    db: &DatabaseConnection,
    days: u32,
    now: DateTime<Utc>,
) -> Result<RetentionRun, PrivacyError> {
    let txn = crate::storage::write(db).await?;
    let cutoff = (days > 0).then(|| now - Duration::days(i64::from(days)));
    let mut ran = RetentionRun { ran_at: now, cutoff, days, asks: 0, misses: 0, reports: 0 };
    if let Some(cutoff) = cutoff {
        ran.asks = delete_asks(&txn, cutoff).await?;
        (ran.misses, ran.reports) = delete_misses(&txn, cutoff).await?;
    }
    meta::set(&txn, LAST_RUN, &serde_json::to_string(&ran).unwrap_or_default()).await?;
    txn.commit().await?;
    tracing::info!(days, asks = ran.asks, misses = ran.misses, reports = ran.reports, "retention ran");
    Ok(ran)
}

async fn exec(db: &impl ConnectionTrait, sql: &Sql) -> Result<u64, PrivacyError> {
    Ok(db.execute_raw(sql.statement()).await?.rows_affected())
}

async fn delete_asks(db: &impl ConnectionTrait, cutoff: DateTime<Utc>) -> Result<u64, PrivacyError> {
    let b = db.get_database_backend();
    let mut sql = Sql::new(b);
    sql.push("INSERT INTO ask_rollups (day, channel, outcome, knowledge_id, top_knowledge_id, asks) ")
        .push(&format!(
            "SELECT {}, channel, outcome, knowledge_id, top_knowledge_id, COUNT(*) ",
            day(b, "created_at")
        ))
        .push("FROM asks WHERE created_at < ")
        .bind(cutoff)
        .push(" GROUP BY 1, 2, 3, 4, 5");
    exec(db, &sql).await?;
    // The vectors kept for answered questions hold their text: they go with the last ask.
    let mut sql = Sql::new(b);
    sql.push("DELETE FROM embeddings WHERE text IN (SELECT question FROM asks WHERE created_at < ")
        .bind(cutoff)
        .push(&format!(" AND outcome = '{}') ", Outcome::Answered))
        .push("AND text NOT IN (SELECT question FROM asks WHERE created_at >= ")
        .bind(cutoff)
        .push(")");
    exec(db, &sql).await?;
    let mut sql = Sql::new(b);
    sql.push("DELETE FROM asks WHERE created_at < ").bind(cutoff);
    exec(db, &sql).await
}

/// Closed misses and dismissed ones, finished and last reported before `cutoff`, with their
/// reports. Returns (misses, reports).
async fn delete_misses(db: &impl ConnectionTrait, cutoff: DateTime<Utc>) -> Result<(u64, u64), PrivacyError> {
    let b = db.get_database_backend();
    let old = |sql: &mut Sql| {
        sql.push(&format!("(status = '{}' AND closed_at < ", MissStatus::Closed))
            .bind(cutoff)
            .push(&format!(" OR status = '{}' AND decided_at < ", MissStatus::Dismissed))
            .bind(cutoff)
            .push(") AND last_seen_at < ")
            .bind(cutoff);
    };
    let mut sql = Sql::new(b);
    sql.push("INSERT INTO miss_rollups (day, figure, channel, knowledge_id, misses) ")
        .push(&format!(
            "SELECT {}, '{}', channel, CAST(NULL AS INTEGER), COUNT(*) ",
            day(b, "occurred_at"),
            MissFigure::Inflow.as_str()
        ))
        .push("FROM miss_events WHERE miss_id IN (SELECT id FROM misses WHERE ");
    old(&mut sql);
    sql.push(") GROUP BY 1, 3");
    exec(db, &sql).await?;
    let closed = format!("status = '{}'", MissStatus::Closed);
    let figures = [
        (MissFigure::Decided, "decided_at", "decided_at IS NOT NULL".to_string(), NO_POINT),
        (MissFigure::Closed, "closed_at", closed.clone(), "knowledge_id"),
        (MissFigure::ClosedUndecided, "closed_at", format!("{closed} AND decided_at IS NULL"), NO_POINT),
    ];
    for (figure, at, condition, point) in figures {
        let mut sql = Sql::new(b);
        sql.push("INSERT INTO miss_rollups (day, figure, channel, knowledge_id, misses) ").push(&format!(
            "SELECT {}, '{}', CAST(NULL AS VARCHAR), {point}, COUNT(*) FROM misses WHERE {condition} AND ",
            day(b, at),
            figure.as_str()
        ));
        old(&mut sql);
        sql.push(" GROUP BY 1, 4");
        exec(db, &sql).await?;
    }
    let mut sql = Sql::new(b);
    sql.push("DELETE FROM miss_events WHERE miss_id IN (SELECT id FROM misses WHERE ");
    old(&mut sql);
    sql.push(")");
    let reports = exec(db, &sql).await?;
    let mut sql = Sql::new(b);
    sql.push("DELETE FROM misses WHERE ");
    old(&mut sql);
    Ok((exec(db, &sql).await?, reports))
}
