//! The miss inbox: groups, their questions, claims and trainers' decisions.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

states! {
    /// Where a reported question stands.
    pub enum MissStatus("miss status") {
        Open = "open",
        /// A trainer linked it or made knowledge from it.
        Resolved = "resolved",
        Dismissed = "dismissed",
        /// Published knowledge now answers it (loop yield).
        Closed = "closed",
    }

    /// Where an inbox group stands.
    pub enum GroupStatus("group status") {
        Open = "open",
        Resolved = "resolved",
        Dismissed = "dismissed",
        /// Folded into another group by a regrouping or a trainer's merge.
        Merged = "merged",
    }

    /// What was done with a group: a trainer's decision, or published knowledge answering it.
    pub enum Action("action") {
        Link = "link",
        Create = "create",
        Dismiss = "dismiss",
        Answered = "answered",
        /// The bot answered with the wrong point: a counter-example on it, and a link.
        WrongPoint = "wrong_point",
        /// The bot answered with the right point, but its answer did not help: a revised answer.
        PoorAnswer = "poor_answer",
    }

    /// The language of a question, as the inbox filters by it: `zh` when at least half its
    /// letters are Chinese characters (the rule answering thresholds use), else `en`.
    pub enum Language("language") {
        Zh = "zh",
        En = "en",
    }

    /// How a question reached the inbox.
    pub enum Signal("signal") {
        /// The matcher found nothing confident enough.
        NoMatch = "no_match",
        /// The bot offered choices and the customer took none.
        ClarifyNotTaken = "clarify_not_taken",
        NegativeFeedback = "negative_feedback",
        Handoff = "handoff",
        /// Sent by an external bot through `POST /api/v1/misses`.
        Reported = "reported",
    }
}

/// One question of an inbox group.
// Contract as documented: no field required; `channels` and `signals` not in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClusterMember {
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub miss_id: String,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub question: String,
    /// How often it was asked (all signals, all time).
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub count: i64,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub first_seen: DateTime<Utc>,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub last_seen: DateTime<Utc>,
    /// Where and how it was reported, most frequent first.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub channels: Vec<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub signals: Vec<Signal>,
}

/// A published knowledge point close to a group: "this is a new way of asking X".
// Contract as documented: no field required; `category` not in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Suggestion {
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub knowledge_id: String,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub question: String,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub score: f32,
    /// Its category path: where a new point for the same group probably belongs.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub category: String,
}

/// A group of the miss inbox, as trainers and the API see it.
// Contract as documented: `status` and `signals` plain strings, fewer fields required, `daily`
// and `claimed_by` not in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClusterView {
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, required = false))]
    pub status: GroupStatus,
    /// The group's most typical question.
    pub label: String,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub key_terms: Vec<String>,
    /// Distinct questions.
    pub size: i64,
    /// Reports of its questions (within the filters).
    pub volume: i64,
    /// Reports in the last 24 hours.
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub last_day: i64,
    /// Reports in the 7 days before that.
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub previous_week: i64,
    /// Last day's volume over the previous week's daily mean; above 1 is rising. A group with
    /// no earlier reports has the last day's volume itself.
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub trend: f64,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub last_seen: DateTime<Utc>,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub channels: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>, required = false))]
    pub signals: Vec<Signal>,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub impact: f64,
    /// Impact with each report weighed by what its signal costs (handoffs most).
    #[serde(default)]
    pub cost: f64,
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub members: Vec<ClusterMember>,
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub suggestions: Vec<Suggestion>,
    /// Reports per day over the last two weeks, oldest first (the sparkline).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub daily: Vec<i64>,
    /// The trainer working on it now, if any.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub claimed_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClusterPage {
    pub total: i64,
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub clusters: Vec<ClusterView>,
}

/// What a full regrouping did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegroupReport {
    // Contract as documented: counts without a minimum (`value_type`).
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub clusters: usize,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub misses: usize,
    pub seconds: f64,
    /// Groups that kept their id (the trainers' open work stays where it was).
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub kept: usize,
}

/// What a trainer's decision on a group did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Resolution {
    pub knowledge_id: Option<String>,
    // Contract as documented: not required, no minimum.
    #[cfg_attr(feature = "openapi", schema(value_type = i64, required = false))]
    pub resolved_misses: usize,
    /// Names the decision for an undo (until its knowledge is published).
    #[serde(default)]
    pub decision_id: String,
}

/// A trainer holds a group while working on it; others see who and until when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    pub cluster_id: String,
    pub by: String,
    pub until: DateTime<Utc>,
}

/// A trainer's recent decision, as the workbench lists it for undoing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionView {
    pub id: String,
    pub cluster_id: String,
    pub action: Action,
    pub knowledge_id: Option<String>,
    pub misses: usize,
    pub actor: String,
    pub created_at: DateTime<Utc>,
    pub undone: bool,
    /// The group's label when decided (the first group's, for a bulk action).
    #[serde(default)]
    pub label: String,
    /// The linked or created point's question now.
    #[serde(default)]
    pub point_question: Option<String>,
    /// A dismissal's reason.
    #[serde(default)]
    pub reason: Option<String>,
    /// Groups it decided: more than one for a bulk action, undone as one.
    #[serde(default = "one")]
    pub groups: usize,
    /// Whether it can still be undone: not undone yet, and its knowledge neither published nor
    /// edited since.
    #[serde(default)]
    pub undoable: bool,
}

fn one() -> usize {
    1
}

/// What a bulk action on marked groups did: one decision per group, undone as one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkResolution {
    /// Names the whole batch for an undo.
    pub decision_id: String,
    pub groups: usize,
    pub resolved_misses: usize,
}

/// Groups handed to a trainer: held for them until `until`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    pub to: String,
    pub groups: usize,
    pub until: DateTime<Utc>,
}

/// What discarding a draft took back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Discarded {
    pub knowledge_id: String,
    /// Questions inbox decisions had put into the draft, back in the inbox.
    pub reopened_misses: usize,
}

/// What an undo put back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Undone {
    pub cluster_id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub reopened_misses: usize,
}

/// A trainer's decision on an inbox group.
// The schema is a oneOf of the five tagged variants; `miss_ids`, when sent, is an array (never
// null, as documented).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Decision {
    /// The questions become phrasings of an existing knowledge point.
    Link {
        #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9]+$"))]
        knowledge_id: String,
        #[serde(default)]
        #[cfg_attr(feature = "openapi", schema(nullable = false, pattern = "^[0-9]+$"))]
        miss_ids: Option<Vec<String>>,
    },
    /// A new knowledge point with the questions as phrasings.
    Create {
        /// The category's path, A/B.
        #[cfg_attr(feature = "openapi", schema(min_length = 1))]
        category: String,
        #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 500))]
        question: String,
        #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 5000))]
        answer: String,
        #[serde(default)]
        #[cfg_attr(feature = "openapi", schema(nullable = false, pattern = "^[0-9]+$"))]
        miss_ids: Option<Vec<String>>,
    },
    /// Noise, chit-chat, out of scope, abuse: closed with the reason.
    Dismiss {
        #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
        reason: String,
    },
    /// The bot answered these questions with `wrong_knowledge_id`: they become its
    /// counter-examples and phrasings of `knowledge_id`, both submitted for review.
    WrongPoint {
        #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9]+$"))]
        wrong_knowledge_id: String,
        #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9]+$"))]
        knowledge_id: String,
        #[serde(default)]
        #[cfg_attr(feature = "openapi", schema(nullable = false, pattern = "^[0-9]+$"))]
        miss_ids: Option<Vec<String>>,
    },
    /// The bot answered these questions with the right point `knowledge_id` and the customer
    /// still rejected it: `answer` replaces the point's answer, submitted for review. The
    /// questions close once the revised answer is published.
    PoorAnswer {
        #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9]+$"))]
        knowledge_id: String,
        #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 5000))]
        answer: String,
        #[serde(default)]
        #[cfg_attr(feature = "openapi", schema(nullable = false, pattern = "^[0-9]+$"))]
        miss_ids: Option<Vec<String>>,
    },
}

/// A question customers rejected the bot's answer to (👎 or a handoff), with what a trainer
/// needs to see why: the answer given, the turns before it, and what the human agent replied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rejected {
    pub miss_id: String,
    pub question: String,
    pub signal: Signal,
    pub channel: String,
    pub occurred_at: DateTime<Utc>,
    /// The point the bot answered with, if it answered.
    pub answered: Option<AnsweredWith>,
    /// The customer's earlier questions in the same session, oldest first (at most 5).
    pub turns: Vec<Turn>,
    /// What the human agent replied, when the bot reported it.
    pub agent_answer: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnsweredWith {
    pub knowledge_id: String,
    pub question: String,
    /// The answer as the customer got it (the channel's variant).
    pub answer: String,
    pub score: f32,
}

/// One earlier question of a session and what the bot did with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Turn {
    pub question: String,
    pub outcome: super::Outcome,
    pub at: DateTime<Utc>,
}
