//! The dashboard's figures and the voice-of-customer report.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::inbox::GroupStatus;
use super::matching::{Channel, Outcome};

/// One day of the dashboard's series (UTC days, oldest first).
// Contract as documented: no field required.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DayFigures {
    /// `YYYY-MM-DD`.
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub day: String,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub asks: i64,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub answered: i64,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub clarified: i64,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub missed: i64,
    /// Answered over asks (0 on a day without asks).
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub coverage: f64,
    /// Miss reports received (the inbox's inflow).
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub inflow: i64,
    /// Questions that left the inbox: decided by a trainer or closed by published knowledge.
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub resolved: i64,
    /// Misses closed by published knowledge.
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub loop_yield: i64,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub decisions: i64,
}

/// How well the bot serves one part of the business (a top-level category), by the category
/// of each ask's best-ranked knowledge point (when it came near: at least 0.1 below the clarify
/// threshold).
// Contract as documented: no field required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryFigures {
    pub category_id: Option<i32>,
    /// `None` for asks no knowledge point came near.
    pub category: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub asks: i64,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub answered: i64,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub missed: i64,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub coverage: f64,
}

// Contract as documented: no field required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PointYield {
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub knowledge_id: String,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub question: String,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub closed: i64,
}

// Contract as documented: no field required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrainerFigures {
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub trainer: String,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub decisions: i64,
    /// Decisions per day of the period, as `per_day`.
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub per_day: Vec<i64>,
}

/// Open misses by how long ago they were first asked.
// Contract as documented: no field required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BacklogAge {
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub under_a_day: i64,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub under_a_week: i64,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub under_a_month: i64,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub older: i64,
}

/// `GET /api/v1/metrics/summary`: the dashboard's figures for a period and channel.
// Contract as documented: `days`, `since`, the lists but `per_day` and the knowledge counts but
// `published_knowledge` not required; `days` without a minimum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MetricsSummary {
    #[cfg_attr(feature = "openapi", schema(value_type = i64, required = false))]
    pub days: u32,
    pub channel: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub since: DateTime<Utc>,
    pub asks: i64,
    pub answered: i64,
    pub clarified: i64,
    pub missed: i64,
    pub coverage: f64,
    pub open_misses: i64,
    pub open_clusters: i64,
    #[cfg_attr(feature = "openapi", schema(inline, required = false))]
    pub backlog_age: BacklogAge,
    /// Misses closed by published knowledge in the period.
    pub loop_yield: i64,
    #[cfg_attr(feature = "openapi", schema(inline, required = false))]
    pub yield_by_point: Vec<PointYield>,
    #[cfg_attr(feature = "openapi", schema(inline, required = false))]
    pub trainers: Vec<TrainerFigures>,
    /// Median hours from a question's first miss to the published answer that closed it.
    pub hours_to_answer: Option<f64>,
    #[cfg_attr(feature = "openapi", schema(inline, required = false))]
    pub by_category: Vec<CategoryFigures>,
    pub published_knowledge: i64,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub in_review: i64,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub drafts: i64,
    /// Published points no ask was answered with in the period.
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub stale: i64,
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub per_day: Vec<DayFigures>,
}

/// One logged ask, for the lists behind the dashboard's figures.
// Contract as documented: no field required; `outcome` and `channel` plain strings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AskRow {
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub question: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, required = false))]
    pub outcome: Outcome,
    #[cfg_attr(feature = "openapi", schema(value_type = String, required = false))]
    pub channel: Channel,
    #[cfg_attr(feature = "openapi", schema(required = false))]
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
