//! Publishing and its regression check.

use serde::{Deserialize, Serialize};

/// A question whose answer a knowledge change would change (the regression check).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Regression {
    pub question: String,
    /// The typical question of the point answering it now (none: not answered).
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub was: Option<String>,
    pub was_knowledge_id: Option<String>,
    /// ...and after the change.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub now: Option<String>,
    pub now_knowledge_id: Option<String>,
}

/// What publishing a point's draft would change: the questions answered otherwise (its
/// phrasings and recent asks), and the test cases whose result changes.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PublishCheck {
    pub regressions: Vec<Regression>,
    /// Newly failing cases first; only those need "Publish anyway".
    #[serde(default)]
    pub test_regressions: Vec<super::TestRegression>,
}

impl PublishCheck {
    /// Whether publishing needs `force`: an answer changes, or a test case would fail.
    pub fn blocks(&self) -> bool {
        !self.regressions.is_empty() || self.test_regressions.iter().any(|t| !t.passed_after)
    }

    pub fn is_empty(&self) -> bool {
        self.regressions.is_empty() && self.test_regressions.is_empty()
    }
}

/// What publishing a knowledge point did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublishReport {
    pub knowledge_id: String,
    /// The knowledge feed revision bots see the change at.
    pub revision: i64,
    /// The answers that changed (published anyway with `force`).
    pub regressions: Vec<Regression>,
    /// The test cases whose result changed.
    #[serde(default)]
    pub test_regressions: Vec<super::TestRegression>,
    /// Open misses the published point now answers, closed as loop yield.
    // Contract as documented: no minimum.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub closed_misses: usize,
}

/// Which point answers a question, and how (the outcome `/ask` would give).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TriedAnswer {
    pub outcome: super::Outcome,
    /// The best point (the answer when `answered`, the first choice offered when `clarify`).
    pub knowledge_id: Option<String>,
    pub question: Option<String>,
    pub score: f32,
    /// The best point is the draft being tried.
    pub is_draft: bool,
}

/// One question answered by the published knowledge and with the draft applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TriedQuestion {
    pub question: String,
    pub now: TriedAnswer,
    pub with_draft: TriedAnswer,
}

/// "Try it": a draft answering before review, nothing recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TryReport {
    /// The draft's own texts first, then the questions typed.
    pub questions: Vec<TriedQuestion>,
    /// Other questions whose answer the draft would change (the publish check, early).
    pub regressions: Vec<Regression>,
}
