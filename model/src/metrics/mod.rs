//! The supervisor's figures: coverage, backlog, loop yield, trainer throughput, coverage by part
//! of the business and the state of the knowledge — each an SQL aggregate over an indexed time
//! range, so a dashboard stays fast at a million logged asks (`cargo bench -p model --bench
//! dashboard`). Days are UTC days. Channel filters the asks and miss reports; backlog, decisions
//! and loop yield are over all channels (a miss gathers reports from several).

pub mod report;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, QueryResult};

use crate::knowledge::categories::Tree;
use crate::knowledge::KnowledgeError;
use crate::privacy::retention::MissFigure;
use crate::storage::sql::{day, Sql};
use crate::views::Problem;
use crate::views::{
    AskRow, BacklogAge, CategoryFigures, Channel, DayFigures, MetricsSummary, MissStatus, Outcome,
    PointFigure, PointStatus, PointYield, TrainerFigures,
};

#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    #[error(transparent)]
    Refused(#[from] crate::views::Problem),
    /// A report could not be written.
    #[error("cannot write the report: {0}")]
    Export(String),
    #[error(transparent)]
    Storage(#[from] DbErr),
    #[error(transparent)]
    Knowledge(#[from] KnowledgeError),
}

pub type Result<T, E = MetricsError> = std::result::Result<T, E>;

/// Longest period the dashboard offers.
pub const MAX_DAYS: u32 = 366;

/// Which period and channel the figures are for.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Period {
    pub days: u32,
    pub channel: Option<String>,
}

impl Period {
    pub fn check(&self) -> Result<()> {
        if self.days == 0 || self.days > MAX_DAYS {
            return Err(Problem::Days { max: MAX_DAYS }.into());
        }
        if let Some(c) = &self.channel {
            c.parse::<Channel>().map_err(Problem::from)?;
        }
        Ok(())
    }

    /// Midnight (UTC) starting the first day of the period; the last day is today.
    pub fn since(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let today = now.date_naive().and_hms_opt(0, 0, 0).expect("midnight exists").and_utc();
        today - Duration::days(i64::from(self.days) - 1)
    }

    fn day_names(&self, since: DateTime<Utc>) -> Vec<String> {
        (0..self.days)
            .map(|d| (since + Duration::days(i64::from(d))).format("%Y-%m-%d").to_string())
            .collect()
    }
}

pub(crate) fn get<T: sea_orm::TryGetable>(row: &QueryResult, column: &str) -> Result<T> {
    Ok(row.try_get("", column)?)
}

async fn rows(db: &DatabaseConnection, sql: &Sql) -> Result<Vec<QueryResult>> {
    Ok(db.query_all_raw(sql.statement()).await?)
}

/// The `n` of each `day` a query selects.
async fn by_day(db: &DatabaseConnection, sql: &Sql) -> Result<HashMap<String, i64>> {
    let mut out = HashMap::new();
    for r in rows(db, sql).await? {
        out.insert(get::<String>(&r, "day")?, get::<i64>(&r, "n")?);
    }
    Ok(out)
}

/// Rows of `table` per UTC day of `column` since `since`, where `condition` holds (and, with
/// `channel`, whose `channel` column is that).
async fn per_day(
    db: &DatabaseConnection,
    table: &str,
    column: &str,
    condition: &str,
    since: DateTime<Utc>,
    channel: Option<&str>,
) -> Result<HashMap<String, i64>> {
    let b = db.get_database_backend();
    let mut sql = Sql::new(b);
    sql.push(&format!(
        "SELECT {} AS day, COUNT(*) AS n FROM {table} WHERE {condition} AND {column} >= ",
        day(b, column)
    ))
    .bind(since);
    if let Some(c) = channel {
        sql.push(" AND channel = ").bind(c.to_string());
    }
    sql.push(" GROUP BY 1");
    by_day(db, &sql).await
}

pub async fn summary(db: &DatabaseConnection, period: &Period) -> Result<MetricsSummary> {
    period.check()?;
    let now = Utc::now();
    let since = period.since(now);
    let days = period.day_names(since);
    let mut series: BTreeMap<String, DayFigures> =
        days.iter().map(|d| (d.clone(), DayFigures { day: d.clone(), ..Default::default() })).collect();
    ask_outcomes(db, period, since, &mut series).await?;
    inbox_flow(db, period, since, &mut series).await?;
    let trainers = decisions(db, since, &days, &mut series).await?;
    let per_day: Vec<DayFigures> = series.into_values().collect();
    let (asks, answered, clarified, missed) = per_day
        .iter()
        .fold((0, 0, 0, 0), |(a, b, c, d), f| (a + f.asks, b + f.answered, c + f.clarified, d + f.missed));

    let (open_misses, backlog_age) = backlog(db, now).await?;
    let knowledge = knowledge_counts(db, since).await?;
    Ok(MetricsSummary {
        days: period.days,
        channel: period.channel.clone(),
        since,
        asks,
        answered,
        clarified,
        missed,
        coverage: if asks > 0 { answered as f64 / asks as f64 } else { 0.0 },
        open_misses,
        open_clusters: open_clusters(db).await?,
        backlog_age,
        loop_yield: per_day.iter().map(|f| f.loop_yield).sum(),
        yield_by_point: yield_by_point(db, since).await?,
        trainers,
        hours_to_answer: hours_to_answer(db, since).await?,
        by_category: by_category(db, period, since).await?,
        published_knowledge: knowledge.0,
        in_review: knowledge.1,
        drafts: knowledge.2,
        stale: knowledge.3,
        per_day,
    })
}

/// Asks by day and outcome, into `series`.
async fn ask_outcomes(
    db: &DatabaseConnection,
    period: &Period,
    since: DateTime<Utc>,
    series: &mut BTreeMap<String, DayFigures>,
) -> Result<()> {
    let b = db.get_database_backend();
    let mut sql = Sql::new(b);
    sql.push(&format!(
        "SELECT {} AS day, outcome, COUNT(*) AS n FROM asks WHERE created_at >= ",
        day(b, "created_at")
    ))
    .bind(since);
    if let Some(c) = &period.channel {
        sql.push(" AND channel = ").bind(c.clone());
    }
    sql.push(" GROUP BY 1, 2");
    let mut found = rows(db, &sql).await?;
    found.extend(rolled_up_asks(db, "day, outcome", "", since, period.channel.as_deref()).await?);
    for r in found {
        let (d, outcome, n): (String, Outcome, i64) = (get(&r, "day")?, get(&r, "outcome")?, get(&r, "n")?);
        if let Some(f) = series.get_mut(&d) {
            f.asks += n;
            match outcome {
                Outcome::Answered => f.answered += n,
                Outcome::Clarify => f.clarified += n,
                Outcome::Miss => f.missed += n,
            }
        }
    }
    Ok(())
}

/// The first day of the period as the rollups name days.
fn day_name(since: DateTime<Utc>) -> String {
    since.format("%Y-%m-%d").to_string()
}

/// Asks deleted by retention (see `privacy::retention`), grouped by `columns` of
/// `ask_rollups r` (with `join` after it), their count as `n`.
async fn rolled_up_asks(
    db: &DatabaseConnection,
    columns: &str,
    join: &str,
    since: DateTime<Utc>,
    channel: Option<&str>,
) -> Result<Vec<QueryResult>> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push(&format!(
        "SELECT {columns}, CAST(SUM(r.asks) AS BIGINT) AS n FROM ask_rollups r {join} WHERE r.day >= "
    ))
    .bind(day_name(since));
    if let Some(c) = channel {
        sql.push(" AND r.channel = ").bind(c.to_string());
    }
    sql.push(" GROUP BY 1, 2");
    rows(db, &sql).await
}

/// A figure of misses deleted by retention, per day since `since`.
async fn rolled_up_misses(
    db: &DatabaseConnection,
    figure: MissFigure,
    since: DateTime<Utc>,
    channel: Option<&str>,
) -> Result<HashMap<String, i64>> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("SELECT day, CAST(SUM(misses) AS BIGINT) AS n FROM miss_rollups WHERE figure = ")
        .bind(figure.as_str())
        .push(" AND day >= ")
        .bind(day_name(since));
    if let Some(c) = channel {
        sql.push(" AND channel = ").bind(c.to_string());
    }
    sql.push(" GROUP BY 1");
    by_day(db, &sql).await
}

/// `a` with `b`'s counts added.
fn add(mut a: HashMap<String, i64>, b: HashMap<String, i64>) -> HashMap<String, i64> {
    for (d, n) in b {
        *a.entry(d).or_default() += n;
    }
    a
}

/// The inbox's inflow (reports), what left it, and what published knowledge closed, into
/// `series`; with each day's coverage.
async fn inbox_flow(
    db: &DatabaseConnection,
    period: &Period,
    since: DateTime<Utc>,
    series: &mut BTreeMap<String, DayFigures>,
) -> Result<()> {
    let closed_status = format!("status = '{}'", MissStatus::Closed);
    let channel = period.channel.as_deref();
    let inflow = add(
        per_day(db, "miss_events", "occurred_at", "1 = 1", since, channel).await?,
        rolled_up_misses(db, MissFigure::Inflow, since, channel).await?,
    );
    let decided = add(
        per_day(db, "misses", "decided_at", "1 = 1", since, None).await?,
        rolled_up_misses(db, MissFigure::Decided, since, None).await?,
    );
    let closed = add(
        per_day(db, "misses", "closed_at", &closed_status, since, None).await?,
        rolled_up_misses(db, MissFigure::Closed, since, None).await?,
    );
    let closed_undecided = add(
        per_day(db, "misses", "closed_at", &format!("{closed_status} AND decided_at IS NULL"), since, None)
            .await?,
        rolled_up_misses(db, MissFigure::ClosedUndecided, since, None).await?,
    );
    for (d, f) in series.iter_mut() {
        f.inflow = inflow.get(d).copied().unwrap_or(0);
        f.loop_yield = closed.get(d).copied().unwrap_or(0);
        f.resolved = decided.get(d).copied().unwrap_or(0) + closed_undecided.get(d).copied().unwrap_or(0);
        f.coverage = if f.asks > 0 { f.answered as f64 / f.asks as f64 } else { 0.0 };
    }
    Ok(())
}

/// Decisions per trainer and day (undone ones do not count), busiest trainer first; each
/// day's total into `series`.
async fn decisions(
    db: &DatabaseConnection,
    since: DateTime<Utc>,
    days: &[String],
    series: &mut BTreeMap<String, DayFigures>,
) -> Result<Vec<TrainerFigures>> {
    let b = db.get_database_backend();
    let mut sql = Sql::new(b);
    sql.push(&format!(
        "SELECT actor, {} AS day, COUNT(*) AS n FROM decisions WHERE undone_at IS NULL AND created_at >= ",
        day(b, "created_at")
    ))
    .bind(since)
    .push(" GROUP BY 1, 2");
    let mut trainers: BTreeMap<String, TrainerFigures> = BTreeMap::new();
    for r in rows(db, &sql).await? {
        let (actor, d, n): (String, String, i64) = (get(&r, "actor")?, get(&r, "day")?, get(&r, "n")?);
        let t = trainers.entry(actor.clone()).or_insert_with(|| TrainerFigures {
            trainer: actor,
            decisions: 0,
            per_day: vec![0; days.len()],
        });
        t.decisions += n;
        if let Some(i) = days.iter().position(|x| *x == d) {
            t.per_day[i] += n;
        }
        if let Some(f) = series.get_mut(&d) {
            f.decisions += n;
        }
    }
    let mut trainers: Vec<TrainerFigures> = trainers.into_values().collect();
    trainers.sort_by(|a, b| b.decisions.cmp(&a.decisions).then(a.trainer.cmp(&b.trainer)));
    Ok(trainers)
}

/// Open misses, and how long ago they were first asked.
async fn backlog(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<(i64, BacklogAge)> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("SELECT COUNT(*) AS open");
    for (name, ago) in [("d1", Duration::days(1)), ("d7", Duration::days(7)), ("d30", Duration::days(30))] {
        sql.push(", COALESCE(SUM(CASE WHEN first_seen_at >= ")
            .bind(now - ago)
            .push(&format!(" THEN 1 ELSE 0 END), 0) AS {name}"));
    }
    sql.push(&format!(" FROM misses WHERE status = '{}'", MissStatus::Open));
    let r = rows(db, &sql).await?.into_iter().next();
    let Some(r) = r else {
        return Ok((0, BacklogAge { under_a_day: 0, under_a_week: 0, under_a_month: 0, older: 0 }));
    };
    let (open, d1, d7, d30): (i64, i64, i64, i64) =
        (get(&r, "open")?, get(&r, "d1")?, get(&r, "d7")?, get(&r, "d30")?);
    Ok((
        open,
        BacklogAge { under_a_day: d1, under_a_week: d7 - d1, under_a_month: d30 - d7, older: open - d30 },
    ))
}

async fn open_clusters(db: &DatabaseConnection) -> Result<i64> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push(&format!(
        "SELECT COUNT(DISTINCT cluster_id) AS n FROM misses WHERE status = '{}' AND cluster_id IS NOT NULL",
        MissStatus::Open
    ));
    let r = rows(db, &sql).await?;
    r.first().map(|r| get(r, "n")).unwrap_or(Ok(0))
}

/// The points that closed most misses in the period.
async fn yield_by_point(db: &DatabaseConnection, since: DateTime<Utc>) -> Result<Vec<PointYield>> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push(
        "SELECT x.knowledge_id AS knowledge_id, k.question AS question, CAST(SUM(x.n) AS BIGINT) AS n FROM (",
    )
    .push(&format!(
        "SELECT knowledge_id, 1 AS n FROM misses WHERE status = '{}' AND closed_at >= ",
        MissStatus::Closed
    ))
    .bind(since)
    .push(" UNION ALL SELECT knowledge_id, misses AS n FROM miss_rollups WHERE figure = ")
    .bind(MissFigure::Closed.as_str())
    .push(" AND day >= ")
    .bind(day_name(since))
    .push(") x JOIN knowledge_points k ON k.id = x.knowledge_id")
    .push(" GROUP BY x.knowledge_id, k.question ORDER BY n DESC, x.knowledge_id LIMIT 10");
    rows(db, &sql)
        .await?
        .iter()
        .map(|r| {
            Ok(PointYield {
                knowledge_id: get::<i32>(r, "knowledge_id")?.to_string(),
                question: get(r, "question")?,
                closed: get(r, "n")?,
            })
        })
        .collect()
}

/// Median hours from the first miss of a question to the published answer that closed it.
async fn hours_to_answer(db: &DatabaseConnection, since: DateTime<Utc>) -> Result<Option<f64>> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push(&format!(
        "SELECT first_seen_at, closed_at FROM misses WHERE status = '{}' AND closed_at >= ",
        MissStatus::Closed
    ))
    .bind(since);
    let mut hours: Vec<f64> = Vec::new();
    for r in rows(db, &sql).await? {
        let (first, closed): (DateTime<Utc>, DateTime<Utc>) =
            (get(&r, "first_seen_at")?, get(&r, "closed_at")?);
        hours.push((closed - first).num_seconds().max(0) as f64 / 3600.0);
    }
    if hours.is_empty() {
        return Ok(None);
    }
    hours.sort_by(f64::total_cmp);
    Ok(Some(hours[hours.len() / 2]))
}

/// Asks by the business category (top-level) of their best-ranked point, worst coverage first.
async fn by_category(
    db: &DatabaseConnection,
    period: &Period,
    since: DateTime<Utc>,
) -> Result<Vec<CategoryFigures>> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("SELECT k.category_id AS category_id, a.outcome AS outcome, COUNT(*) AS n FROM asks a ")
        .push("LEFT JOIN knowledge_points k ON k.id = a.top_knowledge_id WHERE a.created_at >= ")
        .bind(since);
    if let Some(c) = &period.channel {
        sql.push(" AND a.channel = ").bind(c.clone());
    }
    sql.push(" GROUP BY 1, 2");
    let tree = Tree::load(db).await?;
    let mut by: BTreeMap<Option<i32>, CategoryFigures> = BTreeMap::new();
    let mut found = rows(db, &sql).await?;
    let join = "LEFT JOIN knowledge_points k ON k.id = r.top_knowledge_id";
    let columns = "k.category_id AS category_id, r.outcome AS outcome";
    found.extend(rolled_up_asks(db, columns, join, since, period.channel.as_deref()).await?);
    for r in found {
        let (category, outcome, n): (Option<i32>, Outcome, i64) =
            (get(&r, "category_id")?, get(&r, "outcome")?, get(&r, "n")?);
        let root = category.and_then(|c| tree.root(c));
        let f = by.entry(root).or_insert_with(|| CategoryFigures {
            category_id: root,
            category: root.map(|c| tree.path(c)),
            asks: 0,
            answered: 0,
            missed: 0,
            coverage: 0.0,
        });
        f.asks += n;
        match outcome {
            Outcome::Answered => f.answered += n,
            Outcome::Miss => f.missed += n,
            Outcome::Clarify => {}
        }
    }
    let mut out: Vec<CategoryFigures> = by
        .into_values()
        .map(|mut f| {
            f.coverage = f.answered as f64 / f.asks.max(1) as f64;
            f
        })
        .collect();
    out.sort_by(|a, b| a.coverage.total_cmp(&b.coverage).then(b.asks.cmp(&a.asks)));
    Ok(out)
}

/// Published, in review, drafts (with those sent back), and stale: published points no ask
/// was answered with since `since`.
async fn knowledge_counts(db: &DatabaseConnection, since: DateTime<Utc>) -> Result<(i64, i64, i64, i64)> {
    let mut sql = Sql::new(db.get_database_backend());
    use PointStatus::{Archived, Draft, InReview, Rejected};
    sql.push(&format!("SELECT COALESCE(SUM(CASE WHEN published_revision_id IS NOT NULL AND status <> '{Archived}' THEN 1 ELSE 0 END), 0) AS published, "))
        .push(&format!("COALESCE(SUM(CASE WHEN status = '{InReview}' THEN 1 ELSE 0 END), 0) AS in_review, "))
        .push(&format!("COALESCE(SUM(CASE WHEN status IN ('{Draft}', '{Rejected}') THEN 1 ELSE 0 END), 0) AS drafts FROM knowledge_points"));
    let r = rows(db, &sql).await?;
    let (published, in_review, drafts) = match r.first() {
        Some(r) => (get(r, "published")?, get(r, "in_review")?, get(r, "drafts")?),
        None => (0, 0, 0),
    };
    let mut sql = Sql::new(db.get_database_backend());
    sql.push(&format!("SELECT COUNT(*) AS n FROM knowledge_points k WHERE k.published_revision_id IS NOT NULL AND k.status <> '{Archived}' "))
        .push("AND NOT EXISTS (SELECT 1 FROM asks a WHERE a.knowledge_id = k.id AND a.created_at >= ")
        .bind(since)
        .push(") AND NOT EXISTS (SELECT 1 FROM ask_rollups r WHERE r.knowledge_id = k.id AND r.day >= ")
        .bind(day_name(since))
        .push(")");
    let stale = rows(db, &sql).await?.first().map(|r| get(r, "n")).unwrap_or(Ok(0))?;
    Ok((published, in_review, drafts, stale))
}

/// Which asks a drill-down lists.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AskFilter {
    pub period: Period,
    pub outcome: Option<String>,
    /// A business category (its subcategories included); `Some(None)`: asks no point came near.
    pub category: Option<Option<i32>>,
    /// One day of the period (`YYYY-MM-DD`).
    pub day: Option<String>,
    /// The asks behind one figure of a knowledge point (the health list's drill-down).
    pub point: Option<(i32, PointFigure)>,
    pub limit: u64,
}

/// The asks behind a figure, newest first.
pub async fn asks(db: &DatabaseConnection, filter: &AskFilter) -> Result<Vec<AskRow>> {
    filter.period.check()?;
    if let Some(o) = &filter.outcome {
        o.parse::<Outcome>().map_err(Problem::from)?;
    }
    let b = db.get_database_backend();
    let mut sql = Sql::new(b);
    sql.push("SELECT a.question AS question, a.outcome AS outcome, a.channel AS channel, a.created_at AS created_at, ")
        .push("k.id AS knowledge_id, k.question AS knowledge_question FROM asks a ")
        .push("LEFT JOIN knowledge_points k ON k.id = COALESCE(a.knowledge_id, a.top_knowledge_id) WHERE a.created_at >= ")
        .bind(filter.period.since(Utc::now()));
    if let Some(c) = &filter.period.channel {
        sql.push(" AND a.channel = ").bind(c.clone());
    }
    if let Some(o) = &filter.outcome {
        sql.push(" AND a.outcome = ").bind(o.clone());
    }
    if let Some(d) = &filter.day {
        let start = NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| Problem::Day { value: d.clone() })?
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc();
        sql.push(" AND a.created_at >= ")
            .bind(start)
            .push(" AND a.created_at < ")
            .bind(start + Duration::days(1));
    }
    if let Some((id, figure)) = filter.point {
        let column = if figure == PointFigure::Chosen { "a.chosen_knowledge_id" } else { "a.knowledge_id" };
        sql.push(&format!(" AND {column} = ")).bind(id);
        match figure {
            PointFigure::Unhelpful => sql.push(" AND a.helpful = ").bind(false),
            PointFigure::Handoffs => sql.push(" AND a.handoff = ").bind(true),
            PointFigure::Answered | PointFigure::Chosen => &mut sql,
        };
    }
    match filter.category {
        None => {}
        Some(None) => {
            sql.push(" AND a.top_knowledge_id IS NULL");
        }
        Some(Some(root)) => {
            let ids = Tree::load(db).await?.under(root);
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            sql.push(
                " AND a.top_knowledge_id IN (SELECT p.id FROM knowledge_points p WHERE p.category_id IN ",
            )
            .bind_list(&ids)
            .push(")");
        }
    }
    sql.push(" ORDER BY a.id DESC LIMIT ").bind(filter.limit.clamp(1, 500) as i64);
    rows(db, &sql)
        .await?
        .iter()
        .map(|r| {
            Ok(AskRow {
                question: get(r, "question")?,
                outcome: get(r, "outcome")?,
                channel: get(r, "channel")?,
                created_at: get(r, "created_at")?,
                knowledge_id: get::<Option<i32>>(r, "knowledge_id")?.map(|k| k.to_string()),
                knowledge_question: get(r, "knowledge_question")?,
            })
        })
        .collect()
}
