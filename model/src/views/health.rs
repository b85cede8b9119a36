//! Knowledge health: what each published point does for customers, from the ask log.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One knowledge point's figures over the last `days` days.
// Contract as documented: the counts without a minimum (`value_type`), and the two options
// required (null when there is nothing to say).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PointStats {
    pub knowledge_id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub days: u32,
    /// Asks answered with the point.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub answered: u64,
    /// Clarifications that offered it among their candidates...
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub offered: u64,
    /// ...and those in which the customer chose it.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub chosen: u64,
    /// Answers with it that the customer rated (helpful or not)...
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub rated: u64,
    /// ...those rated not helpful (👎)...
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub unhelpful: u64,
    /// ...and those followed by a handoff to an agent.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub handoffs: u64,
    /// Share of rated answers that helped; none before the first rating.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub helpful_rate: Option<f64>,
    /// The latest ask it answered or was offered in.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub last_asked: Option<DateTime<Utc>>,
}

states! {
    /// How the health list orders its points.
    pub enum HealthSort ("health sort") {
        Answered = "answered",
        Chosen = "chosen",
        Unhelpful = "unhelpful",
        HelpfulRate = "helpful_rate",
        Handoffs = "handoffs",
        LastAsked = "last_asked",
        LoopYield = "loop_yield",
        Question = "question",
    }

    /// A point's figure whose asks a drill-down lists.
    pub enum PointFigure ("figure") {
        Answered = "answered",
        Chosen = "chosen",
        Unhelpful = "unhelpful",
        Handoffs = "handoffs",
    }

    /// Which points the health list shows.
    pub enum HealthFilter ("health filter") {
        All = "all",
        Cold = "cold",
        NeedsWork = "needs_work",
        /// Its validity ends within [`EXPIRING_DAYS`] days.
        Expiring = "expiring",
        /// Its validity has ended: the bot no longer serves it.
        Expired = "expired",
    }
}

/// How far ahead the health list warns of a validity's end.
pub const EXPIRING_DAYS: i64 = 7;

/// Why a point needs work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Weakness {
    /// Fewer than the bar of its rated answers helped.
    LowHelpfulRate { rate: f64, rated: u64 },
    /// Many of its answers were followed by a handoff to an agent.
    ManyHandoffs { rate: f64, answered: u64 },
}

/// What the health list says of a point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    Healthy,
    /// No ask was answered with it in the last 90 days.
    Cold,
    /// Published less than 90 days ago, and no ask answered with it yet.
    New,
    NeedsWork {
        weaknesses: Vec<Weakness>,
    },
}

/// One published point in the health list: its figures over the period.
// Contract as documented: the counts without a minimum (`value_type`), the two options
// required, and the verdict as one object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HealthRow {
    pub knowledge_id: String,
    pub question: String,
    pub category: String,
    /// Asks answered with the point in the period.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub answered: u64,
    /// Clarifications in which customers chose it.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub chosen: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub rated: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub unhelpful: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub handoffs: u64,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub helpful_rate: Option<f64>,
    /// The latest ask answered with it, at any time.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub last_asked: Option<DateTime<Utc>>,
    /// Misses it closed in the period (the self-learning loop's yield).
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub loop_yield: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::views::openapi::VerdictSchema, inline))]
    pub verdict: Verdict,
    /// When its validity ends, if it does.
    #[serde(default)]
    pub valid_until: Option<DateTime<Utc>>,
}

/// A page of the health list.
// Contract as documented: `sort` and `filter` plain strings, numbers without a minimum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HealthList {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub days: u32,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub sort: HealthSort,
    pub descending: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub filter: HealthFilter,
    /// Points matching the filter, over all pages.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub total: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub page: u32,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub per_page: u32,
    /// Published points, and how many of them are cold and need work.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub published: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub cold: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub needs_work: u64,
    /// Published points whose validity ends within [`EXPIRING_DAYS`] days, or has ended.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub expiring: u64,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub expired: u64,
    pub rows: Vec<HealthRow>,
}

/// A text of one point that the model puts nearer to another point than to its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Crossing {
    /// The point the text belongs to.
    pub knowledge_id: String,
    pub text: String,
    /// Its score with its own point's other texts (none: the point has no other text).
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub own: Option<f32>,
    /// Its score with the other point.
    pub other: f32,
}

/// Clarifications that offered both points, and which one customers chose.
// Contract as documented: no field required, counts without a minimum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClarifyEvidence {
    #[cfg_attr(feature = "openapi", schema(value_type = i64, required = false))]
    pub chose_first: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = i64, required = false))]
    pub chose_second: u64,
    /// A few of the questions asked.
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub questions: Vec<String>,
}

/// A question answered with one point, rated 👎 (or handed off), then linked to the other.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Relinked {
    pub question: String,
    /// The point that answered it.
    pub answered_with: String,
    /// The point a trainer linked it to.
    pub linked_to: String,
}

/// One side of a conflict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConflictSide {
    pub knowledge_id: String,
    pub question: String,
    pub category: String,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub texts: u64,
}

/// Two published points that compete for the same questions, with the evidence.
// Contract as documented: counts without a minimum, `clarifications` required (null when none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Conflict {
    /// The lower id first.
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub first: ConflictSide,
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub second: ConflictSide,
    /// How strongly they compete: the pieces of evidence, counted.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub strength: u64,
    /// The texts nearer to the other point, strongest first (at most 10).
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub crossings: Vec<Crossing>,
    /// All of them, when `crossings` shows only some.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub crossing_count: u64,
    #[cfg_attr(feature = "openapi", schema(inline, required = true))]
    pub clarifications: Option<ClarifyEvidence>,
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub relinked: Vec<Relinked>,
}

/// The conflicts between published points, strongest first.
// Contract as documented: counts without a minimum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConflictReport {
    /// When the phrasings were last compared, and how long it took.
    pub computed_at: DateTime<Utc>,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub took_ms: u64,
    /// The knowledge feed revision compared.
    pub revision: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub points: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub texts: u64,
    /// Pairs marked "not a conflict", left out.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub dismissed: u64,
    pub conflicts: Vec<Conflict>,
}

/// An existing point whose question means the same as one being written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NearDuplicate {
    pub knowledge_id: String,
    pub question: String,
    pub category: String,
    /// The score the bot would give the new question against it.
    pub score: f32,
}

/// A row of an import that would create a point the bot already answers with another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportDuplicate {
    /// The line the row starts on.
    // Contract as documented: no minimum.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub line: usize,
    pub question: String,
    pub near: Vec<NearDuplicate>,
}
