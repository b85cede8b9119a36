//! The health list: every published point's figures over a period, with a verdict — cold (no
//! ask answered with it in 90 days, for a point older than that; a younger one is new) or
//! needing work (a low helpful rate or many handoffs, with the reason) — sorted and a page at a
//! time.
//!
//! Three aggregates, each over an indexed range: the period's asks per point (answers,
//! ratings, handoffs, clarification choices; `idx_asks_created_health` covers them), the misses
//! each point closed in the period, and each point's latest answer (`idx_asks_knowledge_created`,
//! one index probe per point).

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, QueryResult};

use crate::knowledge::categories::Tree;
use crate::metrics::{get, MetricsError, MAX_DAYS};
use crate::storage::sql::Sql;
use crate::views::{
    HealthFilter, HealthList, HealthRow, HealthSort, MissStatus, PointStatus, Problem, Verdict, Weakness,
};

/// A point with no ask answered in this many days is cold.
pub const COLD_DAYS: i64 = 90;
/// Below this share of helpful ratings a point needs work...
pub const HELPFUL_BAR: f64 = 0.6;
/// ...once it has at least this many ratings.
pub const MIN_RATED: u64 = 5;
/// A point whose answers are followed by a handoff this often needs work...
pub const HANDOFF_BAR: f64 = 0.25;
/// ...once it has answered at least this many asks.
pub const MIN_ANSWERED: u64 = 5;
/// Rows per page.
pub const PER_PAGE: u32 = 50;

/// What the health list shows.
#[derive(Debug, Clone, PartialEq)]
pub struct HealthQuery {
    pub days: u32,
    pub sort: HealthSort,
    pub descending: bool,
    pub filter: HealthFilter,
    /// From 1.
    pub page: u32,
}

impl Default for HealthQuery {
    fn default() -> Self {
        HealthQuery {
            days: 30,
            sort: HealthSort::Answered,
            descending: true,
            filter: HealthFilter::All,
            page: 1,
        }
    }
}

fn count(row: &QueryResult, column: &str) -> Result<u64, MetricsError> {
    Ok(get::<Option<i64>>(row, column)?.unwrap_or(0).max(0) as u64)
}

/// A page of the health list at `now`.
pub async fn health_list(
    db: &impl ConnectionTrait,
    query: &HealthQuery,
    now: DateTime<Utc>,
) -> Result<HealthList, MetricsError> {
    if query.days == 0 || query.days > MAX_DAYS {
        return Err(Problem::Days { max: MAX_DAYS }.into());
    }
    if query.page == 0 {
        return Err(Problem::Page.into());
    }
    // UTC days, today included, as on the dashboard: the drill-down lists the same asks.
    let since = crate::metrics::Period { days: query.days, channel: None }.since(now);
    let b = db.get_database_backend();

    let mut sql = Sql::new(b);
    sql.push(&format!(
        "SELECT k.id AS id, k.question AS question, k.category_id AS category_id, k.created_at AS created_at, \
         (SELECT MAX(a.created_at) FROM asks a WHERE a.knowledge_id = k.id) AS last_asked \
         FROM knowledge_points k WHERE k.published_revision_id IS NOT NULL AND k.status <> '{}'",
        PointStatus::Archived
    ));
    let points = db.query_all_raw(sql.statement()).await?;

    // One pass over the period's index range: answers group under their point, clarification
    // choices under the point chosen.
    let mut sql = Sql::new(b);
    sql.push(
        "SELECT knowledge_id, chosen_knowledge_id, COUNT(*) AS n, \
         SUM(CASE WHEN helpful IS NULL THEN 0 ELSE 1 END) AS rated, \
         SUM(CASE WHEN helpful IS NULL THEN 0 WHEN helpful THEN 0 ELSE 1 END) AS unhelpful, \
         SUM(CASE WHEN handoff IS NULL THEN 0 WHEN handoff THEN 1 ELSE 0 END) AS handoffs \
         FROM asks WHERE created_at >= ",
    )
    .bind(since)
    .push(" AND created_at <= ")
    .bind(now)
    .push(
        " AND (knowledge_id IS NOT NULL OR chosen_knowledge_id IS NOT NULL) \
         GROUP BY knowledge_id, chosen_knowledge_id",
    );
    let mut figures: HashMap<i32, Figures> = HashMap::new();
    for r in db.query_all_raw(sql.statement()).await? {
        let n = count(&r, "n")?;
        if let Some(id) = get::<Option<i32>>(&r, "knowledge_id")? {
            let f = figures.entry(id).or_default();
            f.answered += n;
            f.rated += count(&r, "rated")?;
            f.unhelpful += count(&r, "unhelpful")?;
            f.handoffs += count(&r, "handoffs")?;
        }
        // A choice counts on a clarification (which names no point of its own), as in the
        // point's own figures.
        let answered_with = get::<Option<i32>>(&r, "knowledge_id")?;
        if let Some(id) = get::<Option<i32>>(&r, "chosen_knowledge_id")?.filter(|_| answered_with.is_none()) {
            figures.entry(id).or_default().chosen += n;
        }
    }
    let closed = counts_by_point(
        db,
        Sql::new(b)
            .push(&format!(
                "SELECT knowledge_id AS id, COUNT(*) AS n FROM misses WHERE status = '{}' AND closed_at >= ",
                MissStatus::Closed
            ))
            .bind(since)
            .push(" AND knowledge_id IS NOT NULL GROUP BY knowledge_id"),
    )
    .await?;

    let tree = Tree::load(db).await?;
    let cold_since = now - Duration::days(COLD_DAYS);
    let mut rows = Vec::with_capacity(points.len());
    for p in &points {
        let id: i32 = get(p, "id")?;
        let last_asked: Option<DateTime<Utc>> = get(p, "last_asked")?;
        let Figures { answered, chosen, rated, unhelpful, handoffs } =
            figures.get(&id).copied().unwrap_or_default();
        let helpful_rate = (rated > 0).then(|| (rated - unhelpful) as f64 / rated as f64);
        let created_at: DateTime<Utc> = get(p, "created_at")?;
        let verdict = verdict(last_asked, created_at, cold_since, answered, rated, helpful_rate, handoffs);
        rows.push(HealthRow {
            knowledge_id: id.to_string(),
            question: get(p, "question")?,
            category: tree.path(get(p, "category_id")?),
            answered,
            chosen,
            rated,
            unhelpful,
            handoffs,
            helpful_rate,
            last_asked,
            loop_yield: closed.get(&id).copied().unwrap_or(0),
            verdict,
        });
    }
    let published = rows.len() as u64;
    let cold = rows.iter().filter(|r| r.verdict == Verdict::Cold).count() as u64;
    let needs_work = rows.iter().filter(|r| matches!(r.verdict, Verdict::NeedsWork { .. })).count() as u64;
    rows.retain(|r| match query.filter {
        HealthFilter::All => true,
        HealthFilter::Cold => r.verdict == Verdict::Cold,
        HealthFilter::NeedsWork => matches!(r.verdict, Verdict::NeedsWork { .. }),
    });
    sort(&mut rows, query.sort, query.descending);
    let total = rows.len() as u64;
    let start = (query.page as usize - 1).saturating_mul(PER_PAGE as usize);
    let rows = rows.into_iter().skip(start).take(PER_PAGE as usize).collect();
    Ok(HealthList {
        days: query.days,
        sort: query.sort,
        descending: query.descending,
        filter: query.filter,
        total,
        page: query.page,
        per_page: PER_PAGE,
        published,
        cold,
        needs_work,
        rows,
    })
}

/// A point's counts over the period.
#[derive(Debug, Clone, Copy, Default)]
struct Figures {
    answered: u64,
    chosen: u64,
    rated: u64,
    unhelpful: u64,
    handoffs: u64,
}

/// `id, n` rows as a map.
async fn counts_by_point(db: &impl ConnectionTrait, sql: &Sql) -> Result<HashMap<i32, u64>, MetricsError> {
    db.query_all_raw(sql.statement())
        .await?
        .iter()
        .map(|r| Ok((get::<i32>(r, "id")?, count(r, "n")?)))
        .collect()
}

fn verdict(
    last_asked: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    cold_since: DateTime<Utc>,
    answered: u64,
    rated: u64,
    helpful_rate: Option<f64>,
    handoffs: u64,
) -> Verdict {
    if last_asked.is_none_or(|t| t <= cold_since) {
        // A point younger than the cold period has not had the time to be asked for.
        return if created_at <= cold_since { Verdict::Cold } else { Verdict::New };
    }
    let mut weaknesses = Vec::new();
    if let Some(rate) = helpful_rate.filter(|r| rated >= MIN_RATED && *r < HELPFUL_BAR) {
        weaknesses.push(Weakness::LowHelpfulRate { rate, rated });
    }
    let handoff_rate = handoffs as f64 / answered.max(1) as f64;
    if answered >= MIN_ANSWERED && handoff_rate >= HANDOFF_BAR {
        weaknesses.push(Weakness::ManyHandoffs { rate: handoff_rate, answered });
    }
    if weaknesses.is_empty() {
        Verdict::Healthy
    } else {
        Verdict::NeedsWork { weaknesses }
    }
}

/// Sorts by `by`; ties (and, for rates and dates, points without one, which always come last)
/// by id so pages never overlap.
fn sort(rows: &mut [HealthRow], by: HealthSort, descending: bool) {
    use std::cmp::Ordering;
    fn optional<T: PartialOrd>(a: Option<T>, b: Option<T>, descending: bool) -> Ordering {
        match (a, b) {
            (Some(a), Some(b)) => {
                let o = a.partial_cmp(&b).unwrap_or(Ordering::Equal);
                if descending {
                    o.reverse()
                } else {
                    o
                }
            }
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
    }
    let id = |r: &HealthRow| r.knowledge_id.parse::<i64>().unwrap_or(0);
    rows.sort_by(|a, b| {
        let o = match by {
            HealthSort::HelpfulRate => {
                return optional(a.helpful_rate, b.helpful_rate, descending).then(id(a).cmp(&id(b)))
            }
            HealthSort::LastAsked => {
                return optional(a.last_asked, b.last_asked, descending).then(id(a).cmp(&id(b)))
            }
            HealthSort::Answered => a.answered.cmp(&b.answered),
            HealthSort::Chosen => a.chosen.cmp(&b.chosen),
            HealthSort::Unhelpful => a.unhelpful.cmp(&b.unhelpful),
            HealthSort::Handoffs => a.handoffs.cmp(&b.handoffs),
            HealthSort::LoopYield => a.loop_yield.cmp(&b.loop_yield),
            HealthSort::Question => a.question.cmp(&b.question),
        };
        (if descending { o.reverse() } else { o }).then(id(a).cmp(&id(b)))
    });
}
