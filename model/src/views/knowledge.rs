//! Categories, knowledge points, their revisions, diffs, imports and the bots' feed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

states! {
    /// The kinds of module a category can be; each lists the knowledge points such a module
    /// should have.
    pub enum Template("template") {
        Promotion = "promotion",
        Product = "product",
        Pricing = "pricing",
        Service = "service",
        Update = "update",
    }

    pub enum PointStatus("point status") {
        Draft = "draft",
        InReview = "in_review",
        Rejected = "rejected",
        Published = "published",
        Archived = "archived",
    }

    /// A revision's place in the lifecycle. `Superseded` is a draft or review replaced by a
    /// later edit, or a published revision replaced by a later publish.
    pub enum RevisionState("revision state") {
        Draft = "draft",
        InReview = "in_review",
        Rejected = "rejected",
        Published = "published",
        Superseded = "superseded",
        Archived = "archived",
    }

    /// Where a point stands in its validity window (待生效 / 生效中 / 已失效): the bot serves
    /// it only while `Live`.
    pub enum Validity("validity") {
        Scheduled = "scheduled",
        Live = "live",
        Expired = "expired",
    }
}

impl Validity {
    /// The state at `now` of a window `[from, until)`; no bound means open on that side.
    pub fn at(from: Option<DateTime<Utc>>, until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Self {
        if from.is_some_and(|f| now < f) {
            Validity::Scheduled
        } else if until.is_some_and(|u| now >= u) {
            Validity::Expired
        } else {
            Validity::Live
        }
    }
}

/// At most this many related points per point.
pub const MAX_RELATED: usize = 5;

/// Answer variants by ask channel, beside the default answer (`{"online": …, "hotline": …}`).
pub type ChannelAnswers = std::collections::BTreeMap<super::Channel, String>;

impl Template {
    /// The slots a module of this kind should fill, by key (the app names them in each
    /// language).
    pub fn slots(self) -> &'static [&'static str] {
        match self {
            Template::Promotion => {
                &["what", "eligibility", "period", "how_to_join", "price", "terms", "cancel"]
            }
            Template::Product => &["what", "features", "eligibility", "how_to_get", "price", "cancel"],
            Template::Pricing => &["price", "billing", "extra_fees", "discounts", "change_plan"],
            Template::Service => &["what", "how_to_request", "documents", "time", "fee", "status"],
            Template::Update => &["what_changed", "when", "who", "action"],
        }
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
    /// The answer for a channel that should not get the default one (the hotline's is plain
    /// text an agent can read out).
    #[serde(default, skip_serializing_if = "ChannelAnswers::is_empty")]
    pub answers: ChannelAnswers,
    /// The window the bot serves the point in: from `valid_from` (inclusive) until
    /// `valid_until` (exclusive); no bound means open on that side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<DateTime<Utc>>,
    /// Points a customer may want next ("you may also want to know…"), by id, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<i32>,
    /// Questions this point must not answer (反例): a question nearer to one of them than to
    /// the point's own texts is never answered with it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub counter_examples: Vec<String>,
}

impl Content {
    /// The answer for `channel`: its variant, else the default.
    pub fn answer_for(&self, channel: super::Channel) -> &str {
        self.answers.get(&channel).map_or(&self.answer, String::as_str)
    }

    pub fn validity(&self, now: DateTime<Utc>) -> Validity {
        Validity::at(self.valid_from, self.valid_until, now)
    }
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
    /// Where the latest content's validity window stands now.
    pub validity: Validity,
    pub version: i32,
    pub phrasings: usize,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

/// Why a revision was written, when the product wrote it rather than a person in the editor.
/// Stored as its English sentence (the API and older rows show that); the UI reads it back with
/// [`RevisionNote::parse`] and says it in the user's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevisionNote {
    Created,
    Imported,
    Restored {
        revision: i32,
    },
    FromInbox {
        phrasings: usize,
        group: i64,
    },
    /// A "wrong point" decision: questions the point answered and should not have.
    WrongPoint {
        counter_examples: usize,
        group: i64,
    },
    /// A "right point, poor answer" decision: the answer revised for an inbox group.
    PoorAnswer {
        group: i64,
    },
    MergedWith {
        point: i32,
    },
    PhrasingMovedTo {
        point: i32,
    },
    PhrasingMovedFrom {
        point: i32,
    },
}

impl std::fmt::Display for RevisionNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RevisionNote::Created => write!(f, "created"),
            RevisionNote::Imported => write!(f, "imported"),
            RevisionNote::Restored { revision } => write!(f, "restored from revision {revision}"),
            RevisionNote::FromInbox { phrasings, group } => {
                write!(f, "{phrasings} phrasings from inbox group {group}")
            }
            RevisionNote::WrongPoint { counter_examples, group } => {
                write!(f, "{counter_examples} counter-examples from inbox group {group}")
            }
            RevisionNote::PoorAnswer { group } => write!(f, "answer revised for inbox group {group}"),
            RevisionNote::MergedWith { point } => write!(f, "merged with #{point}"),
            RevisionNote::PhrasingMovedTo { point } => write!(f, "phrasing moved to #{point}"),
            RevisionNote::PhrasingMovedFrom { point } => write!(f, "phrasing moved from #{point}"),
        }
    }
}

impl RevisionNote {
    /// The note a stored sentence is; `None` for anything else.
    pub fn parse(stored: &str) -> Option<RevisionNote> {
        let number = |prefix: &str| stored.strip_prefix(prefix).and_then(|n| n.parse().ok());
        match stored {
            "created" => return Some(RevisionNote::Created),
            "imported" => return Some(RevisionNote::Imported),
            _ => {}
        }
        if let Some(revision) = number("restored from revision ") {
            return Some(RevisionNote::Restored { revision });
        }
        if let Some(group) =
            stored.strip_prefix("answer revised for inbox group ").and_then(|n| n.parse().ok())
        {
            return Some(RevisionNote::PoorAnswer { group });
        }
        if let Some(point) = number("merged with #") {
            return Some(RevisionNote::MergedWith { point });
        }
        if let Some(point) = number("phrasing moved to #") {
            return Some(RevisionNote::PhrasingMovedTo { point });
        }
        if let Some(point) = number("phrasing moved from #") {
            return Some(RevisionNote::PhrasingMovedFrom { point });
        }
        if let Some((n, group)) = stored.split_once(" counter-examples from inbox group ") {
            let (counter_examples, group) = (n.parse().ok()?, group.parse().ok()?);
            return Some(RevisionNote::WrongPoint { counter_examples, group });
        }
        let (phrasings, group) = stored.split_once(" phrasings from inbox group ")?;
        Some(RevisionNote::FromInbox { phrasings: phrasings.parse().ok()?, group: group.parse().ok()? })
    }
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
    /// The latest content's related points with their questions, in order.
    #[serde(default)]
    pub related: Vec<super::RelatedPoint>,
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
    /// `category`, `question`, `answer`, `answer_bot`, `answer_online`, `answer_hotline`,
    /// `template_slot`, `valid_from`, `valid_until` or `related`.
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
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotView {
    pub key: String,
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
    pub answers: ChannelAnswers,
    pub phrasings: Vec<String>,
    pub template_slot: Option<String>,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
    pub validity: Validity,
    pub updated_at: DateTime<Utc>,
}

/// One published change for bots (`GET /api/v1/knowledge?since=`).
// Contract as documented: no field required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedItem {
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub category: String,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub question: String,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub phrasings: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub answer: String,
    /// Answers by channel where they differ from `answer`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::views::openapi::ChannelAnswersSchema, inline))]
    pub answers: ChannelAnswers,
    /// Start of the validity window.
    #[serde(default)]
    pub valid_from: Option<DateTime<Utc>>,
    /// End of the validity window.
    #[serde(default)]
    pub valid_until: Option<DateTime<Utc>>,
    /// Related points' ids, in order (the ask response names only the live ones).
    #[serde(default)]
    pub related: Vec<String>,
    /// Questions the point must not answer.
    #[serde(default)]
    pub counter_examples: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub updated_at: DateTime<Utc>,
    /// Archived, or outside its validity window: a bot drops it.
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub deleted: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Feed {
    pub revision: i64,
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub items: Vec<FeedItem>,
}

#[cfg(test)]
mod note_tests {
    use super::RevisionNote;

    #[test]
    fn every_note_reads_back_as_it_was_written() {
        for note in [
            RevisionNote::Created,
            RevisionNote::Imported,
            RevisionNote::Restored { revision: 3 },
            RevisionNote::FromInbox { phrasings: 2, group: 71 },
            RevisionNote::WrongPoint { counter_examples: 3, group: 72 },
            RevisionNote::PoorAnswer { group: 9 },
            RevisionNote::MergedWith { point: 89 },
            RevisionNote::PhrasingMovedTo { point: 90 },
            RevisionNote::PhrasingMovedFrom { point: 12 },
        ] {
            assert_eq!(RevisionNote::parse(&note.to_string()), Some(note), "{note}");
        }
        assert_eq!(RevisionNote::parse("fixed the price"), None, "a person's own words stay theirs");
        assert_eq!(RevisionNote::parse("x phrasings from inbox group 7"), None);
    }
}
