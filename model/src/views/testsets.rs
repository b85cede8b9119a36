//! Test sets: questions with what the bot must do with each (answer with a given point, or not
//! answer), written by trainers or filled by the product from what customers confirmed, and
//! their runs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::matching::{Channel, Outcome};

states! {
    /// Where a set's cases come from: trainers, or one of the sources that fill a set by itself.
    pub enum SetKind("test set kind") {
        /// Written, imported or created over the API.
        Manual = "manual",
        /// Asks the bot answered that the customer rated helpful.
        Confirmed = "confirmed",
        /// Clarifications where the customer picked a point.
        Chosen = "chosen",
        /// Misses a trainer dismissed as noise, chit-chat or out of scope: they must stay unanswered.
        OutOfScope = "out_of_scope",
    }

    /// Why a case cannot pass as it stands; shown, never dropped silently.
    pub enum CaseFlag("case flag") {
        /// The expected point was archived (not merged: a merge moves the case to the point kept).
        PointArchived = "point_archived",
        /// The expected point does not exist (any more).
        PointMissing = "point_missing",
    }

    pub enum RunState("test run state") {
        Running = "running",
        Done = "done",
        /// Stopped by an error of ours (logged); its results are partial or none.
        Failed = "failed",
    }

    /// How a case's result moved since the set's previous run.
    pub enum CaseChange("case change") {
        NewlyFailing = "newly_failing",
        NewlyPassing = "newly_passing",
        New = "new",
    }
}

impl SetKind {
    /// The sets that fill themselves, in the order they are shown.
    pub const FILLED: [SetKind; 3] = [SetKind::Confirmed, SetKind::Chosen, SetKind::OutOfScope];
}

/// What must happen to a case's question. Sent as the point's id, or `"unanswered"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Expect {
    Point(i32),
    Unanswered,
}

const UNANSWERED: &str = "unanswered";

impl Expect {
    pub fn point(self) -> Option<i32> {
        match self {
            Expect::Point(id) => Some(id),
            Expect::Unanswered => None,
        }
    }

    /// Whether the bot's outcome (and the point it answered with) is what this case expects.
    pub fn passes(self, outcome: Outcome, answered_with: Option<i32>) -> bool {
        match self {
            Expect::Point(id) => outcome == Outcome::Answered && answered_with == Some(id),
            Expect::Unanswered => outcome != Outcome::Answered,
        }
    }
}

impl std::fmt::Display for Expect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expect::Point(id) => write!(f, "{id}"),
            Expect::Unanswered => f.write_str(UNANSWERED),
        }
    }
}

impl std::str::FromStr for Expect {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.eq_ignore_ascii_case(UNANSWERED) {
            return Ok(Expect::Unanswered);
        }
        s.parse::<i32>()
            .ok()
            .filter(|id| *id > 0)
            .map(Expect::Point)
            .ok_or_else(|| format!("expect must be a knowledge point id or \"{UNANSWERED}\", not {s:?}"))
    }
}

impl Serialize for Expect {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

// Hand-written: `Expect` has its own serde, a string (a number is read as an id too).
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Expect {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(
                "A knowledge point's id, or `unanswered` (the bot must not answer: a clarification or a \
                 miss passes). A JSON number is accepted as an id.",
            ))
            .examples(["12", UNANSWERED])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Expect {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("Expect")
    }
}

impl<'de> Deserialize<'de> for Expect {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // A point id may come as a JSON number too: bots' code has them as numbers.
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(i64),
            Text(String),
        }
        let text = match Raw::deserialize(d)? {
            Raw::Number(n) => n.to_string(),
            Raw::Text(t) => t,
        };
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A case as written or imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewCase {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 500))]
    pub question: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(inline, default = "bot"))]
    pub channel: Channel,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::views::openapi::ExpectOrId, inline))]
    pub expect: Expect,
}

/// A new set with its cases (`POST /api/v1/testsets`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewTestSet {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 80))]
    pub name: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(inline, max_items = 20000))]
    pub cases: Vec<NewCase>,
}

/// A case of a set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TestCase {
    pub id: i32,
    pub question: String,
    // Contract as documented: a plain string.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub channel: Channel,
    pub expect: Expect,
    /// The expected point's typical question (none for `unanswered`, or a point gone).
    pub expect_question: Option<String>,
    /// Where the case came from: the set's kind for a set that fills itself.
    pub origin: SetKind,
    /// The ask it was taken from (confirmed, chosen).
    pub origin_ask_id: Option<String>,
    /// When the customer confirmed, picked, or the trainer dismissed.
    pub origin_at: Option<DateTime<Utc>>,
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub flag: Option<CaseFlag>,
}

/// A set in the list, with its latest run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TestSetSummary {
    pub id: i32,
    /// The trainer's name for a manual set; empty for a set that fills itself (named by `kind`).
    pub name: String,
    pub kind: SetKind,
    // Contract as documented: counts without a minimum.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub cases: usize,
    /// Cases whose expected point was archived or is gone.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub flagged: usize,
    pub last_run: Option<RunSummary>,
}

/// A run's figures.
// Contract as documented: counts without a minimum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunSummary {
    pub run_id: i32,
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub state: RunState,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub started_by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub total: usize,
    /// Cases decided so far (the progress of a running run).
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub done: usize,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub passed: usize,
    /// Cases the bot answered (with any point).
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub answered: usize,
    /// ...with the expected point.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub answered_right: usize,
}

impl RunSummary {
    pub fn accuracy(&self) -> f64 {
        ratio(self.passed, self.total)
    }

    pub fn answered_share(&self) -> f64 {
        ratio(self.answered, self.total)
    }

    /// Of the answered cases, the share answered with the expected point.
    pub fn precision(&self) -> f64 {
        ratio(self.answered_right, self.answered)
    }
}

fn ratio(n: usize, of: usize) -> f64 {
    if of == 0 {
        0.0
    } else {
        n as f64 / of as f64
    }
}

/// One case's result in a run.
// Contract as documented: `channel` and `flag` plain strings, `channel` not required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseResult {
    pub case_id: i32,
    pub question: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, required = false))]
    pub channel: Channel,
    pub expect: Expect,
    pub expect_question: Option<String>,
    pub passed: bool,
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub outcome: Outcome,
    /// The point the bot answered with: null when it clarified or missed (as `/ask` says).
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub got: Option<String>,
    pub got_question: Option<String>,
    /// The best point's score.
    pub score: f32,
    /// The expected point's category (none for `unanswered`).
    pub category: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub flag: Option<CaseFlag>,
    /// Against the set's previous run; none when the result is the same.
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub change: Option<CaseChange>,
}

/// Figures of one category in a run.
// Contract as documented: no field required, counts without a minimum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryResult {
    /// None: the cases that must stay unanswered.
    pub category: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = i64, required = false))]
    pub total: usize,
    #[cfg_attr(feature = "openapi", schema(value_type = i64, required = false))]
    pub passed: usize,
}

/// A run in full: figures, per category, per case (failures first), and the comparison with
/// the set's previous run.
// Contract as documented: only `run_id`, `set_id`, `state`, `total`, `passed` and `cases`
// required; counts without a minimum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunReport {
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::views::openapi::RunReportHead, inline))]
    pub run: RunSummary,
    pub set_id: i32,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub set_name: String,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub kind: SetKind,
    pub previous_run_id: Option<i32>,
    #[cfg_attr(feature = "openapi", schema(value_type = i64, required = false))]
    pub newly_failing: usize,
    #[cfg_attr(feature = "openapi", schema(value_type = i64, required = false))]
    pub newly_passing: usize,
    #[cfg_attr(feature = "openapi", schema(inline, required = false))]
    pub categories: Vec<CategoryResult>,
    /// Failures first.
    pub cases: Vec<CaseResult>,
}

/// A set with its cases and run history (newest first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TestSetDetail {
    pub set: TestSetSummary,
    pub cases: Vec<TestCase>,
    pub runs: Vec<RunSummary>,
}

/// A test case whose result a knowledge change would change (the publish check).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TestRegression {
    pub set_id: i32,
    pub set_name: String,
    pub kind: SetKind,
    pub case_id: i32,
    pub question: String,
    pub expect: Expect,
    pub expect_question: Option<String>,
    /// The point answering it now, and after the change (none: not answered).
    pub was: Option<String>,
    pub was_knowledge_id: Option<String>,
    pub now: Option<String>,
    pub now_knowledge_id: Option<String>,
    pub passed_before: bool,
    pub passed_after: bool,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TestSetImported {
    pub id: i32,
    // Contract as documented: no minimum.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub cases: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expect_reads_ids_as_text_or_numbers_and_unanswered() {
        let e: Expect = serde_json::from_str("\"12\"").unwrap();
        assert_eq!(e, Expect::Point(12));
        let e: Expect = serde_json::from_str("12").unwrap();
        assert_eq!(e, Expect::Point(12));
        let e: Expect = serde_json::from_str("\"Unanswered\"").unwrap();
        assert_eq!(e, Expect::Unanswered);
        assert!(serde_json::from_str::<Expect>("\"0\"").is_err());
        assert!(serde_json::from_str::<Expect>("\"twelve\"").is_err());
        assert_eq!(serde_json::to_string(&Expect::Point(3)).unwrap(), "\"3\"");
        assert_eq!(serde_json::to_string(&Expect::Unanswered).unwrap(), "\"unanswered\"");
    }

    #[test]
    fn a_case_passes_only_with_its_point_answered_or_with_nothing_answered() {
        assert!(Expect::Point(1).passes(Outcome::Answered, Some(1)));
        assert!(!Expect::Point(1).passes(Outcome::Answered, Some(2)));
        assert!(!Expect::Point(1).passes(Outcome::Clarify, None));
        assert!(Expect::Unanswered.passes(Outcome::Clarify, None));
        assert!(Expect::Unanswered.passes(Outcome::Miss, None));
        assert!(!Expect::Unanswered.passes(Outcome::Answered, Some(1)));
    }
}
