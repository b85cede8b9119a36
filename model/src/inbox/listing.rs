//! The inbox as trainers see it: groups by impact, with filters, members and suggestions.
//!
//! Impact weighs each report by its age: 3 in the last 24 hours, 1 in the 7 days before, 0.25
//! older. So volume counts, a recent burst counts more (recency and trend), and an old, quiet
//! group sinks without disappearing. Ranked by cost instead, each report also counts by how it
//! came ([`Costs`]): a handoff took an agent's time, a 👎 lost a customer's trust.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, QueryResult};
use serde::{Deserialize, Serialize};

use super::{Inbox, InboxError, Result};
use crate::storage::sql::Sql;
use crate::views::Problem;
use crate::views::{ClusterMember, ClusterPage, ClusterView, Suggestion};
use crate::views::{GroupStatus, Language, MissStatus, Signal};

/// Suggestions shown per group.
const SUGGESTIONS: usize = 3;
pub const MAX_LIMIT: u64 = 200;
/// Days of the sparkline.
const SPARK_DAYS: usize = 14;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StatusFilter {
    #[default]
    Open,
    Resolved,
    Dismissed,
}

impl StatusFilter {
    fn status(self) -> GroupStatus {
        match self {
            StatusFilter::Open => GroupStatus::Open,
            StatusFilter::Resolved => GroupStatus::Resolved,
            StatusFilter::Dismissed => GroupStatus::Dismissed,
        }
    }
}

/// What a report of each signal costs, relative to a question the bot simply could not match
/// (`[inbox_costs]` in the configuration).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Costs {
    pub no_match: f64,
    pub clarify_not_taken: f64,
    pub negative_feedback: f64,
    pub handoff: f64,
    pub reported: f64,
}

impl Default for Costs {
    /// A handoff costs an agent's few minutes; a 👎 an unhappy customer who may call next.
    fn default() -> Self {
        Self { no_match: 1.0, clarify_not_taken: 1.0, negative_feedback: 2.0, handoff: 3.0, reported: 1.0 }
    }
}

impl Costs {
    fn of(&self, signal: Signal) -> f64 {
        match signal {
            Signal::NoMatch => self.no_match,
            Signal::ClarifyNotTaken => self.clarify_not_taken,
            Signal::NegativeFeedback => self.negative_feedback,
            Signal::Handoff => self.handoff,
            Signal::Reported => self.reported,
        }
    }

    /// Every weight a finite number from 0 to 1000: the configuration's check.
    pub fn check(&self) -> std::result::Result<(), String> {
        let all =
            [self.no_match, self.clarify_not_taken, self.negative_feedback, self.handoff, self.reported];
        match all.iter().all(|w| w.is_finite() && (0.0..=1000.0).contains(w)) {
            true => Ok(()),
            false => Err("every inbox cost must be a number from 0 to 1000".into()),
        }
    }
}

/// How the groups are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Rank {
    /// Reports weighed by age.
    #[default]
    Impact,
    /// Reports weighed by age and by what their signal costs.
    Cost,
}

/// Which groups, which page, and which reports count.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListFilter {
    pub status: StatusFilter,
    pub limit: Option<u64>,
    pub offset: u64,
    /// Members per group: `None` for all.
    pub members: Option<usize>,
    /// Only reports from this channel / with this signal / in this time range count.
    pub channel: Option<String>,
    pub signal: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Only groups with a question containing this text (case-insensitive).
    pub text: Option<String>,
    /// Only groups this trainer holds now (opened or assigned to them).
    pub claimed_by: Option<String>,
    pub rank: Rank,
    /// Only questions in this language.
    pub language: Option<Language>,
}

struct Aggregate {
    cluster_id: i64,
    size: i64,
    volume: i64,
    last_day: i64,
    previous_week: i64,
    last_seen: DateTime<Utc>,
    impact: f64,
    cost: f64,
}

fn get<T: sea_orm::TryGetable>(row: &QueryResult, column: &str) -> Result<T> {
    row.try_get("", column).map_err(|e| InboxError::Internal(format!("reading {column}: {e}")))
}

impl Inbox {
    /// One page of groups, highest impact first.
    pub async fn list(&self, filter: &ListFilter) -> Result<ClusterPage> {
        let limit = filter.limit.unwrap_or(20);
        if limit == 0 || limit > MAX_LIMIT {
            return Err(Problem::Limit { max: MAX_LIMIT }.into());
        }
        if let (Some(s), Some(u)) = (filter.since, filter.until) {
            if s >= u {
                return Err(Problem::Range.into());
            }
        }
        let now = Utc::now();
        let mut groups = self.aggregates(filter, now).await?;
        let key = |g: &Aggregate| match filter.rank {
            Rank::Impact => g.impact,
            Rank::Cost => g.cost,
        };
        groups.sort_by(|a, b| {
            key(b)
                .total_cmp(&key(a))
                .then(b.last_seen.cmp(&a.last_seen))
                .then(a.cluster_id.cmp(&b.cluster_id))
        });
        let total = groups.len() as i64;
        let page: Vec<Aggregate> =
            groups.into_iter().skip(filter.offset as usize).take(limit as usize).collect();
        let ids: Vec<i64> = page.iter().map(|g| g.cluster_id).collect();
        let clusters: HashMap<i64, super::entity::cluster::Model> = if ids.is_empty() {
            HashMap::new()
        } else {
            use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
            super::entity::cluster::Entity::find()
                .filter(super::entity::cluster::Column::Id.is_in(ids.clone()))
                .all(&self.db)
                .await?
                .into_iter()
                .map(|c| (c.id, c))
                .collect()
        };
        let mut members = self.members(&ids, filter).await?;
        let mut sources = self.sources(&ids, filter).await?;
        let mut daily = self.daily(&ids, filter, now).await?;
        let mut out = Vec::with_capacity(page.len());
        for g in page {
            let Some(c) = clusters.get(&g.cluster_id) else { continue };
            let suggestions = if c.status == GroupStatus::Open {
                self.suggestions(g.cluster_id, &c.label)
            } else {
                Vec::new()
            };
            let (channels, signals) = sources.remove(&g.cluster_id).unwrap_or_default();
            let daily_before = g.previous_week as f64 / 7.0;
            out.push(ClusterView {
                id: g.cluster_id.to_string(),
                status: c.status.clone(),
                label: c.label.clone(),
                key_terms: serde_json::from_str(&c.key_terms).unwrap_or_default(),
                size: g.size,
                volume: g.volume,
                last_day: g.last_day,
                previous_week: g.previous_week,
                trend: if daily_before > 0.0 { g.last_day as f64 / daily_before } else { g.last_day as f64 },
                last_seen: g.last_seen,
                channels,
                signals: signals_of(signals)?,
                impact: g.impact,
                cost: g.cost,
                members: members.remove(&g.cluster_id).unwrap_or_default(),
                suggestions,
                daily: daily.remove(&g.cluster_id).unwrap_or_else(|| vec![0; SPARK_DAYS]),
                claimed_by: c
                    .claimed_by
                    .clone()
                    .filter(|_| c.status == GroupStatus::Open && c.claimed_until.is_some_and(|u| u > now)),
            });
        }
        Ok(ClusterPage { total, clusters: out })
    }

    /// The nearest published knowledge to the group's centre (and its label, for the lexical
    /// side that Chinese needs).
    fn suggestions(&self, cluster_id: i64, label: &str) -> Vec<Suggestion> {
        let centre = {
            let state = self.state.read().unwrap_or_else(|e| e.into_inner());
            state.groups.get(&cluster_id).cloned()
        };
        match centre {
            Some(sum) => self.matcher.suggest(&crate::clustering::normalized(sum), label, SUGGESTIONS),
            None => Vec::new(),
        }
    }

    /// The `WHERE` shared by the queries: which misses and which of their reports count.
    fn conditions(&self, sql: &mut Sql, filter: &ListFilter) {
        sql.push(" WHERE m.cluster_id IS NOT NULL AND c.status = ").bind(filter.status.status().as_str());
        if filter.status == StatusFilter::Open {
            sql.push(" AND m.status = ").bind(MissStatus::Open.as_str());
        }
        if let Some(ch) = &filter.channel {
            sql.push(" AND e.channel = ").bind(ch.clone());
        }
        if let Some(s) = &filter.signal {
            sql.push(" AND e.signal = ").bind(s.clone());
        }
        if let Some(l) = filter.language {
            sql.push(" AND m.language = ").bind(l.as_str());
        }
        if let Some(t) = filter.since {
            sql.push(" AND e.occurred_at >= ").bind(t);
        }
        if let Some(t) = filter.until {
            sql.push(" AND e.occurred_at < ").bind(t);
        }
        if let Some(name) = &filter.claimed_by {
            sql.push(" AND c.claimed_by = ")
                .bind(name.clone())
                .push(" AND c.claimed_until > ")
                .bind(Utc::now());
        }
        if let Some(text) = filter.text.as_ref().map(|t| t.trim()).filter(|t| !t.is_empty()) {
            let pattern = format!(
                "%{}%",
                text.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
            );
            sql.push(" AND m.cluster_id IN (SELECT t.cluster_id FROM misses t WHERE LOWER(t.question) LIKE ")
                .bind(pattern)
                .push(" ESCAPE '\\')");
        }
    }

    async fn aggregates(&self, filter: &ListFilter, now: DateTime<Utc>) -> Result<Vec<Aggregate>> {
        let backend = self.db.get_database_backend();
        let (day, week) = (now - Duration::hours(24), now - Duration::hours(24 * 8));
        let mut sql = Sql::new(backend);
        sql.push("SELECT m.cluster_id AS cluster_id, COUNT(DISTINCT m.id) AS size, COUNT(e.id) AS volume, ")
            .push("SUM(CASE WHEN e.occurred_at >= ")
            .bind(day)
            .push(" THEN 1 ELSE 0 END) AS last_day, SUM(CASE WHEN e.occurred_at >= ")
            .bind(week)
            .push(" AND e.occurred_at < ")
            .bind(day)
            .push(" THEN 1 ELSE 0 END) AS previous_week, MAX(e.occurred_at) AS last_seen, ");
        // Cost: each report's signal weight times the same age weight impact gives it.
        sql.push("SUM((CASE e.signal");
        for signal in [Signal::NoMatch, Signal::ClarifyNotTaken, Signal::NegativeFeedback, Signal::Handoff] {
            sql.push(" WHEN ").bind(signal.as_str()).push(" THEN ").bind(self.costs.of(signal));
        }
        sql.push(" ELSE ")
            .bind(self.costs.of(Signal::Reported))
            .push(" END) * (CASE WHEN e.occurred_at >= ")
            .bind(day)
            .push(" THEN 3.0 WHEN e.occurred_at >= ")
            .bind(week)
            .push(" THEN 1.0 ELSE 0.25 END)) AS cost ")
            .push(
                "FROM misses m JOIN miss_events e ON e.miss_id = m.id JOIN clusters c ON c.id = m.cluster_id",
            );
        self.conditions(&mut sql, filter);
        sql.push(" GROUP BY m.cluster_id");
        let rows = self.db.query_all_raw(sql.statement()).await?;
        rows.iter()
            .map(|r| {
                let (volume, last_day, previous_week): (i64, i64, i64) =
                    (get(r, "volume")?, get(r, "last_day")?, get(r, "previous_week")?);
                let older = (volume - last_day - previous_week).max(0);
                Ok(Aggregate {
                    cluster_id: get(r, "cluster_id")?,
                    size: get(r, "size")?,
                    volume,
                    last_day,
                    previous_week,
                    last_seen: get(r, "last_seen")?,
                    impact: 3.0 * last_day as f64 + previous_week as f64 + 0.25 * older as f64,
                    cost: get(r, "cost")?,
                })
            })
            .collect()
    }

    /// Each group's questions, most asked first (`filter.members` of them, or all).
    async fn members(&self, ids: &[i64], filter: &ListFilter) -> Result<HashMap<i64, Vec<ClusterMember>>> {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

        use crate::misses::entity::miss;
        let mut out: HashMap<i64, Vec<ClusterMember>> = HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let mut query = miss::Entity::find().filter(miss::Column::ClusterId.is_in(ids.to_vec()));
        if filter.status == StatusFilter::Open {
            query = query.filter(miss::Column::Status.eq(MissStatus::Open));
        }
        if let Some(l) = filter.language {
            query = query.filter(miss::Column::Language.eq(l));
        }
        for m in query.order_by_desc(miss::Column::Count).order_by_asc(miss::Column::Id).all(&self.db).await?
        {
            let list = out.entry(m.cluster_id.unwrap_or_default()).or_default();
            if filter.members.is_none_or(|n| list.len() < n) {
                list.push(ClusterMember {
                    miss_id: m.id.to_string(),
                    question: m.question,
                    count: i64::from(m.count),
                    first_seen: m.first_seen_at,
                    last_seen: m.last_seen_at,
                    channels: Vec::new(),
                    signals: Vec::new(),
                });
            }
        }
        // Where each shown question came from, most frequent first.
        let shown: Vec<i64> = out.values().flatten().filter_map(|m| m.miss_id.parse().ok()).collect();
        let mut by_miss: HashMap<i64, (Vec<String>, Vec<String>)> = HashMap::new();
        for chunk in shown.chunks(500) {
            for column in ["channel", "signal"] {
                let mut sql = Sql::new(self.db.get_database_backend());
                sql.push(&format!(
                    "SELECT e.miss_id AS miss_id, e.{column} AS value, COUNT(*) AS n FROM miss_events e"
                ))
                .push(" WHERE e.miss_id IN ")
                .bind_list(chunk);
                sql.push(&format!(" GROUP BY e.miss_id, e.{column} ORDER BY n DESC, value"));
                for r in self.db.query_all_raw(sql.statement()).await? {
                    let entry = by_miss.entry(get(&r, "miss_id")?).or_default();
                    let list = if column == "channel" { &mut entry.0 } else { &mut entry.1 };
                    list.push(get(&r, "value")?);
                }
            }
        }
        for m in out.values_mut().flatten() {
            if let Some((channels, signals)) = m.miss_id.parse().ok().and_then(|id: i64| by_miss.remove(&id))
            {
                m.channels = channels;
                m.signals = signals_of(signals)?;
            }
        }
        Ok(out)
    }

    /// Each group's reports per day over the last [`SPARK_DAYS`] days (of the reports that
    /// count), oldest first.
    async fn daily(
        &self,
        ids: &[i64],
        filter: &ListFilter,
        now: DateTime<Utc>,
    ) -> Result<HashMap<i64, Vec<i64>>> {
        let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let start = now - Duration::days(SPARK_DAYS as i64);
        let mut sql = Sql::new(self.db.get_database_backend());
        sql.push("SELECT m.cluster_id AS cluster_id, e.occurred_at AS at ").push(
            "FROM misses m JOIN miss_events e ON e.miss_id = m.id JOIN clusters c ON c.id = m.cluster_id",
        );
        self.conditions(&mut sql, filter);
        sql.push(" AND e.occurred_at >= ").bind(start).push(" AND m.cluster_id IN ").bind_list(ids);
        for r in self.db.query_all_raw(sql.statement()).await? {
            let at: DateTime<Utc> = get(&r, "at")?;
            // Day 0 is the oldest; the last bucket ends now.
            let age = (now - at).num_hours().max(0) / 24;
            let bucket = SPARK_DAYS as i64 - 1 - age;
            if bucket >= 0 {
                out.entry(get(&r, "cluster_id")?).or_insert_with(|| vec![0; SPARK_DAYS])[bucket as usize] +=
                    1;
            }
        }
        Ok(out)
    }

    /// Each group's channels and signals (of the reports that count), most frequent first.
    async fn sources(
        &self,
        ids: &[i64],
        filter: &ListFilter,
    ) -> Result<HashMap<i64, (Vec<String>, Vec<String>)>> {
        let mut out: HashMap<i64, (Vec<String>, Vec<String>)> = HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        for (column, pick) in [("channel", 0usize), ("signal", 1)] {
            let mut sql = Sql::new(self.db.get_database_backend());
            sql.push(&format!("SELECT m.cluster_id AS cluster_id, e.{column} AS value, COUNT(*) AS n "))
                .push(
                "FROM misses m JOIN miss_events e ON e.miss_id = m.id JOIN clusters c ON c.id = m.cluster_id",
            );
            self.conditions(&mut sql, filter);
            sql.push(" AND m.cluster_id IN ").bind_list(ids);
            sql.push(&format!(" GROUP BY m.cluster_id, e.{column} ORDER BY n DESC, value"));
            for r in self.db.query_all_raw(sql.statement()).await? {
                let entry = out.entry(get(&r, "cluster_id")?).or_default();
                let list = if pick == 0 { &mut entry.0 } else { &mut entry.1 };
                list.push(get(&r, "value")?);
            }
        }
        Ok(out)
    }
}

/// Signals read back from a raw query: a word that names none is a broken row, not a filter.
fn signals_of(words: Vec<String>) -> Result<Vec<Signal>> {
    words
        .iter()
        .map(|w| w.parse().map_err(|e: crate::views::UnknownState| InboxError::Internal(e.to_string())))
        .collect()
}
