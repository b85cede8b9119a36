//! The health list: every published point's figures over a period, with a verdict — cold (no
//! ask answered with it in 90 days, for a point older than that; a younger one is new) or
//! needing work (a low helpful rate or many handoffs, with the reason) — sorted and a page at a
//! time.
//!
//! Every figure is read from an index range: each point's answers, ratings and handoffs in the
//! period, and the clarifications in which it was chosen, are counts over the point's part of a
//! covering index led by the point and the time; the misses each point closed come from
//! `misses(closed_at)`.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, QueryResult};

use crate::knowledge::categories::Tree;
use crate::metrics::{get, MetricsError, MAX_DAYS};
use crate::storage::sql::Sql;
use crate::views::{
    HealthFilter, HealthList, HealthRow, HealthSort, MissStatus, PointStatus, Problem, Verdict, Weakness,
    EXPIRING_DAYS,
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

    // Each figure is a count over one point's range of an index led by the point and the time
    // (`idx_asks_knowledge_health`, `idx_asks_chosen_health`): no sort of the period's asks,
    // which a grouping over a time-led index needs (SQLite aggregates by sorting).
    let mut sql = Sql::new(b);
    sql.push(
        "SELECT k.id AS id, k.question AS question, k.category_id AS category_id, k.created_at AS created_at, k.valid_until AS valid_until, \
         (SELECT MAX(a.created_at) FROM asks a WHERE a.knowledge_id = k.id) AS last_asked",
    );
    let answered = " FROM asks a WHERE a.knowledge_id = k.id AND a.created_at >= ";
    for (name, from, condition) in [
        ("answered", answered, ""),
        ("rated", answered, " AND a.helpful IS NOT NULL"),
        ("unhelpful", answered, " AND a.helpful = "),
        ("handoffs", answered, " AND a.handoff = "),
        // A choice counts on a clarification (which names no point of its own), as in the
        // point's own figures.
        (
            "chosen",
            " FROM asks a WHERE a.chosen_knowledge_id = k.id AND a.created_at >= ",
            " AND a.knowledge_id IS NULL",
        ),
    ] {
        sql.push(", (SELECT COUNT(*)")
            .push(from)
            .bind(since)
            .push(" AND a.created_at <= ")
            .bind(now)
            .push(condition);
        match name {
            "unhelpful" => sql.bind(false),
            "handoffs" => sql.bind(true),
            _ => &mut sql,
        };
        sql.push(&format!(") AS {name}"));
    }
    sql.push(&format!(
        " FROM knowledge_points k WHERE k.published_revision_id IS NOT NULL AND k.status <> '{}'",
        PointStatus::Archived
    ));
    let points = db.query_all_raw(sql.statement()).await?;
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
        let (answered, chosen, rated) = (count(p, "answered")?, count(p, "chosen")?, count(p, "rated")?);
        let (unhelpful, handoffs) = (count(p, "unhelpful")?, count(p, "handoffs")?);
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
            valid_until: get(p, "valid_until")?,
        });
    }
    let published = rows.len() as u64;
    let cold = rows.iter().filter(|r| r.verdict == Verdict::Cold).count() as u64;
    let needs_work = rows.iter().filter(|r| matches!(r.verdict, Verdict::NeedsWork { .. })).count() as u64;
    let expiring_by = now + Duration::days(EXPIRING_DAYS);
    let expiring = |r: &HealthRow| r.valid_until.is_some_and(|u| u > now && u <= expiring_by);
    let expired = |r: &HealthRow| r.valid_until.is_some_and(|u| u <= now);
    let (expiring_count, expired_count) = (
        rows.iter().filter(|r| expiring(r)).count() as u64,
        rows.iter().filter(|r| expired(r)).count() as u64,
    );
    rows.retain(|r| match query.filter {
        HealthFilter::All => true,
        HealthFilter::Cold => r.verdict == Verdict::Cold,
        HealthFilter::NeedsWork => matches!(r.verdict, Verdict::NeedsWork { .. }),
        HealthFilter::Expiring => expiring(r),
        HealthFilter::Expired => expired(r),
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
        expiring: expiring_count,
        expired: expired_count,
        rows,
    })
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
