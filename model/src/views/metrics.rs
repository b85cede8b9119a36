//! The dashboard's figures and the voice-of-customer report.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::inbox::GroupStatus;
use super::matching::{Channel, Outcome};

/// One day of the dashboard's series (UTC days, oldest first).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DayFigures {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub asks: i64,
    pub answered: i64,
    pub clarified: i64,
    pub missed: i64,
    /// Answered over asks (0 on a day without asks).
    pub coverage: f64,
    /// Miss reports received (the inbox's inflow).
    pub inflow: i64,
    /// Questions that left the inbox: decided by a trainer or closed by published knowledge.
    pub resolved: i64,
    /// Misses closed by published knowledge.
    pub loop_yield: i64,
    pub decisions: i64,
}

/// How well the bot serves one part of the business (a top-level category), by the category
/// of each ask's best-ranked knowledge point (when it came near: at least 0.1 below the clarify
/// threshold).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryFigures {
    pub category_id: Option<i32>,
    /// `None` for asks no knowledge point came near.
    pub category: Option<String>,
    pub asks: i64,
    pub answered: i64,
    pub missed: i64,
    pub coverage: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointYield {
    pub knowledge_id: String,
    pub question: String,
    pub closed: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainerFigures {
    pub trainer: String,
    pub decisions: i64,
    /// Decisions per day of the period, as `per_day`.
    pub per_day: Vec<i64>,
}

/// Open misses by how long ago they were first asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacklogAge {
    pub under_a_day: i64,
    pub under_a_week: i64,
    pub under_a_month: i64,
    pub older: i64,
}

/// `GET /api/v1/metrics/summary`: the dashboard's figures for a period and channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricsSummary {
    pub days: u32,
    pub channel: Option<String>,
    pub since: DateTime<Utc>,
    pub asks: i64,
    pub answered: i64,
    pub clarified: i64,
    pub missed: i64,
    pub coverage: f64,
    pub open_misses: i64,
    pub open_clusters: i64,
    pub backlog_age: BacklogAge,
    /// Misses closed by published knowledge in the period.
    pub loop_yield: i64,
    pub yield_by_point: Vec<PointYield>,
    pub trainers: Vec<TrainerFigures>,
    /// Median hours from a question's first miss to the published answer that closed it.
    pub hours_to_answer: Option<f64>,
    pub by_category: Vec<CategoryFigures>,
    pub published_knowledge: i64,
    pub in_review: i64,
    pub drafts: i64,
    /// Published points no ask was answered with in the period.
    pub stale: i64,
    pub per_day: Vec<DayFigures>,
}

/// One logged ask, for the lists behind the dashboard's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AskRow {
    pub question: String,
    pub outcome: Outcome,
    pub channel: Channel,
    pub created_at: DateTime<Utc>,
    /// The point it was answered with, or the nearest one.
    pub knowledge_id: Option<String>,
    pub knowledge_question: Option<String>,
}

/// One topic of the voice-of-customer report: an inbox group and its reports in the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VocTopic {
    pub cluster_id: String,
    pub status: GroupStatus,
    pub label: String,
    /// Reports in the period, and in the same length of time before it.
    pub volume: i64,
    pub previous: i64,
    /// Share of the period's asks (of its reports when nothing was asked through the bot API).
    pub share: f64,
    pub examples: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VocReport {
    pub days: u32,
    pub since: DateTime<Utc>,
    pub asks: i64,
    pub topics: Vec<VocTopic>,
    /// The period's weakest published points (those needing work), least helpful first.
    #[serde(default)]
    pub weakest: Vec<super::HealthRow>,
}
