//! What the services take and return, as plain serde types. This module is built for the
//! browser too (without the `backend` feature), so the UI shows exactly what services produce.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Bot,
    Trainer,
    Reviewer,
    Supervisor,
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Bot, Role::Trainer, Role::Reviewer, Role::Supervisor, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Bot => "bot",
            Role::Trainer => "trainer",
            Role::Reviewer => "reviewer",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }

    /// Whether this role may do what `needed` may: roles are ordered.
    pub fn includes(self, needed: Role) -> bool {
        self >= needed
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}: one of bot, trainer, reviewer, supervisor, admin")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| UnknownRole(s.to_string()))
    }
}

/// Who is acting: a signed-in user or an API token, with its role. Every change is audited
/// under this name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub name: String,
    pub role: Role,
}

impl Actor {
    pub fn new(name: impl Into<String>, role: Role) -> Self {
        Self { name: name.into(), role }
    }
}

/// The kinds of module a category can be; each lists the knowledge points such a module
/// should have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Template {
    Promotion,
    Product,
    Pricing,
    Service,
    Update,
}

impl Template {
    pub const ALL: [Template; 5] =
        [Template::Promotion, Template::Product, Template::Pricing, Template::Service, Template::Update];

    pub fn as_str(self) -> &'static str {
        match self {
            Template::Promotion => "promotion",
            Template::Product => "product",
            Template::Pricing => "pricing",
            Template::Service => "service",
            Template::Update => "update",
        }
    }

    pub fn parse(s: &str) -> Option<Template> {
        Template::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The slots a module of this kind should fill: (key, English title, Chinese title).
    pub fn slots(self) -> &'static [(&'static str, &'static str, &'static str)] {
        match self {
            Template::Promotion => &[
                ("what", "What the offer is", "活动内容"),
                ("eligibility", "Who can take part", "参与条件"),
                ("period", "When it starts and ends", "活动时间"),
                ("how_to_join", "How to sign up", "如何参加"),
                ("price", "What it costs or saves", "优惠力度与费用"),
                ("terms", "Terms, limits and combining offers", "规则与限制"),
                ("cancel", "How to leave the offer", "如何退出"),
            ],
            Template::Product => &[
                ("what", "What the product is", "产品介绍"),
                ("features", "What it includes", "包含内容"),
                ("eligibility", "Who can get it", "办理条件"),
                ("how_to_get", "How to get it", "如何办理"),
                ("price", "What it costs", "资费"),
                ("cancel", "How to cancel it", "如何取消"),
            ],
            Template::Pricing => &[
                ("price", "What it costs", "价格"),
                ("billing", "How and when it is billed", "计费方式"),
                ("extra_fees", "Extra fees and charges", "额外费用"),
                ("discounts", "Discounts", "优惠"),
                ("change_plan", "How to change the price plan", "如何变更"),
            ],
            Template::Service => &[
                ("what", "What the service does", "服务说明"),
                ("how_to_request", "How to request it", "如何申请"),
                ("documents", "What is needed", "所需材料"),
                ("time", "How long it takes", "办理时长"),
                ("fee", "What it costs", "费用"),
                ("status", "How to follow a request", "进度查询"),
            ],
            Template::Update => &[
                ("what_changed", "What changed", "变更内容"),
                ("when", "When it takes effect", "生效时间"),
                ("who", "Who is affected", "影响范围"),
                ("action", "What customers need to do", "客户需要做什么"),
            ],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PointStatus {
    Draft,
    InReview,
    Rejected,
    Published,
    Archived,
}

impl PointStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PointStatus::Draft => "draft",
            PointStatus::InReview => "in_review",
            PointStatus::Rejected => "rejected",
            PointStatus::Published => "published",
            PointStatus::Archived => "archived",
        }
    }

    pub fn parse(s: &str) -> Option<PointStatus> {
        [Self::Draft, Self::InReview, Self::Rejected, Self::Published, Self::Archived]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

/// A revision's place in the lifecycle. `Superseded` is a draft or review replaced by a later
/// edit, or a published revision replaced by a later publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevisionState {
    Draft,
    InReview,
    Rejected,
    Published,
    Superseded,
    Archived,
}

impl RevisionState {
    pub fn as_str(self) -> &'static str {
        match self {
            RevisionState::Draft => "draft",
            RevisionState::InReview => "in_review",
            RevisionState::Rejected => "rejected",
            RevisionState::Published => "published",
            RevisionState::Superseded => "superseded",
            RevisionState::Archived => "archived",
        }
    }

    pub fn parse(s: &str) -> Option<RevisionState> {
        [Self::Draft, Self::InReview, Self::Rejected, Self::Published, Self::Superseded, Self::Archived]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryNode {
    pub id: i32,
    pub parent_id: Option<i32>,
    pub name: String,
    /// Names from the root down, joined with `/`.
    pub path: String,
    pub depth: usize,
    pub template: Option<Template>,
    /// Knowledge points directly in this category (archived ones not counted).
    pub points: usize,
}

/// The editable content of a knowledge point: what a trainer writes and a revision stores.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Content {
    pub category_id: i32,
    pub question: String,
    pub answer: String,
    pub phrasings: Vec<String>,
    /// Which slot of the module's template this point fills, if any.
    pub template_slot: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointSummary {
    pub id: i32,
    pub category_id: i32,
    pub category_path: String,
    pub question: String,
    pub status: PointStatus,
    /// Whether the bot serves a revision of this point.
    pub live: bool,
    pub version: i32,
    pub phrasings: usize,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevisionView {
    pub number: i32,
    pub state: RevisionState,
    pub author: String,
    pub created_at: DateTime<Utc>,
    pub note: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub review_comment: Option<String>,
    pub category_path: String,
    pub content: Content,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointDetail {
    pub id: i32,
    pub version: i32,
    pub status: PointStatus,
    pub head: RevisionView,
    pub published: Option<RevisionView>,
    /// Misses closed because this point, once published, answered them.
    #[serde(default)]
    pub loop_yield: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SpanKind {
    Same,
    Added,
    Removed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub kind: SpanKind,
    pub text: String,
}

/// One changed field, as inline spans (words for Latin text, characters for Chinese).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// `category`, `question`, `answer` or `template_slot`.
    pub field: String,
    pub spans: Vec<Span>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Diff {
    pub fields: Vec<FieldChange>,
    pub phrasings_added: Vec<String>,
    pub phrasings_removed: Vec<String>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.phrasings_added.is_empty() && self.phrasings_removed.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub revision: RevisionView,
    /// What this revision changed against the one before it.
    pub changes: Diff,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub point: PointSummary,
    pub submitted: RevisionView,
    /// Against the published revision; for a point never published, against nothing.
    pub diff: Diff,
    pub first_publication: bool,
    /// The regression check: the questions whose answer publishing it would change (filled by
    /// the review page's server function; `None` where nobody ran it).
    #[serde(default)]
    pub regressions: Option<Vec<Regression>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotView {
    pub key: String,
    pub title_en: String,
    pub title_zh: String,
    /// The knowledge points that fill it.
    pub filled_by: Vec<i32>,
}

/// A module's knowledge page: its published points in one readable page, and the template
/// slots still missing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModulePage {
    pub category: CategoryNode,
    pub slots: Vec<SlotView>,
    pub points: Vec<PublishedPoint>,
    /// Points in this module not yet published (drafts, in review), by question.
    pub unpublished: Vec<PointSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedPoint {
    pub id: i32,
    pub question: String,
    pub answer: String,
    pub phrasings: Vec<String>,
    pub template_slot: Option<String>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub errors: Vec<LineError>,
    /// The points an import with publishing put live (for closing the misses they answer).
    #[serde(skip)]
    pub published: Vec<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineError {
    pub line: usize,
    pub message: String,
}

/// One published change for bots (`GET /api/v1/knowledge?since=`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedItem {
    pub id: String,
    pub category: String,
    pub question: String,
    pub phrasings: Vec<String>,
    pub answer: String,
    pub updated_at: DateTime<Utc>,
    pub deleted: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feed {
    pub revision: i64,
    pub items: Vec<FeedItem>,
}

/// What the matcher decided about a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Answered,
    Clarify,
    Miss,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::Clarify => "clarify",
            Outcome::Miss => "miss",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AskAnswer {
    pub knowledge_id: String,
    pub question: String,
    pub answer: String,
    pub score: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AskCandidate {
    pub knowledge_id: String,
    pub question: String,
    pub score: f32,
    /// The two halves of the score, for the trainers' test window.
    pub semantic: f32,
    pub lexical: f32,
    /// Its answer, so an agent can read it without another call.
    pub answer: String,
    /// How often agents opened it from the search page (breaks ties).
    pub clicks: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AskResponse {
    pub ask_id: String,
    pub outcome: Outcome,
    pub answer: Option<AskAnswer>,
    pub candidates: Vec<AskCandidate>,
}

/// One question of an inbox group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterMember {
    pub miss_id: String,
    pub question: String,
    /// How often it was asked (all signals, all time).
    pub count: i64,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    /// Where and how it was reported, most frequent first.
    #[serde(default)]
    pub channels: Vec<String>,
    #[serde(default)]
    pub signals: Vec<String>,
}

/// A published knowledge point close to a group: "this is a new way of asking X".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub knowledge_id: String,
    pub question: String,
    pub score: f32,
    /// Its category path: where a new point for the same group probably belongs.
    #[serde(default)]
    pub category: String,
}

/// A group of the miss inbox, as trainers and the API see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterView {
    pub id: String,
    pub status: String,
    /// The group's most typical question.
    pub label: String,
    pub key_terms: Vec<String>,
    /// Distinct questions.
    pub size: i64,
    /// Reports of its questions (within the filters).
    pub volume: i64,
    /// Reports in the last 24 hours.
    pub last_day: i64,
    /// Reports in the 7 days before that.
    pub previous_week: i64,
    /// Last day's volume over the previous week's daily mean; above 1 is rising. A group with
    /// no earlier reports has the last day's volume itself.
    pub trend: f64,
    pub last_seen: DateTime<Utc>,
    pub channels: Vec<String>,
    pub signals: Vec<String>,
    pub impact: f64,
    pub members: Vec<ClusterMember>,
    pub suggestions: Vec<Suggestion>,
    /// Reports per day over the last two weeks, oldest first (the sparkline).
    #[serde(default)]
    pub daily: Vec<i64>,
    /// The trainer working on it now, if any.
    #[serde(default)]
    pub claimed_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterPage {
    pub total: i64,
    pub clusters: Vec<ClusterView>,
}

/// What a full regrouping did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegroupReport {
    pub clusters: usize,
    pub misses: usize,
    pub seconds: f64,
    /// Groups that kept their id (the trainers' open work stays where it was).
    pub kept: usize,
}

/// What a trainer's decision on a group did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resolution {
    pub knowledge_id: Option<String>,
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
    pub action: String,
    pub knowledge_id: Option<String>,
    pub misses: usize,
    pub actor: String,
    pub created_at: DateTime<Utc>,
    pub undone: bool,
}

/// What an undo put back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Undone {
    pub cluster_id: String,
    pub reopened_misses: usize,
}

/// A trainer's decision on an inbox group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Decision {
    /// The questions become phrasings of an existing knowledge point.
    Link {
        knowledge_id: String,
        #[serde(default)]
        miss_ids: Option<Vec<String>>,
    },
    /// A new knowledge point with the questions as phrasings.
    Create {
        category: String,
        question: String,
        answer: String,
        #[serde(default)]
        miss_ids: Option<Vec<String>>,
    },
    /// Noise, chit-chat, out of scope, abuse: closed with the reason.
    Dismiss { reason: String },
}

/// A question whose answer a knowledge change would change (the regression check).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Regression {
    pub question: String,
    /// The typical question of the point answering it now (none: not answered).
    pub was: Option<String>,
    pub was_knowledge_id: Option<String>,
    /// ...and after the change.
    pub now: Option<String>,
    pub now_knowledge_id: Option<String>,
}

/// What publishing a knowledge point did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishReport {
    pub knowledge_id: String,
    /// The knowledge feed revision bots see the change at.
    pub revision: i64,
    /// The answers that changed (published anyway with `force`).
    pub regressions: Vec<Regression>,
    /// Open misses the published point now answers, closed as loop yield.
    pub closed_misses: usize,
}

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
    pub outcome: String,
    pub channel: String,
    pub created_at: DateTime<Utc>,
    /// The point it was answered with, or the nearest one.
    pub knowledge_id: Option<String>,
    pub knowledge_question: Option<String>,
}

/// One topic of the voice-of-customer report: an inbox group and its reports in the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VocTopic {
    pub cluster_id: String,
    /// `open`, or how the group was decided.
    pub status: String,
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
}

/// A model change under way: the previous model answers while the new one embeds the stored
/// texts (the status page shows this).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reembedding {
    /// The model being moved to.
    pub model: String,
    pub done: usize,
    pub total: usize,
    /// Why it stopped, if it failed (the previous model then keeps serving).
    pub error: Option<String>,
}
