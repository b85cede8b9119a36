//! Matching a customer question to published knowledge: embedding similarity fused with a
//! lexical score, and the decision answered / clarify / miss from the fused score and its margin
//! over the runner-up. The index lives in memory and is swapped whole when knowledge changes,
//! so questions are answered without pause while it is rebuilt.

pub mod asks;
pub mod index;
pub(crate) mod kernels;
pub mod lexical;
pub mod preview;
pub mod queue;
pub mod service;

pub use index::{Index, IndexError, PointDoc, PointMeta, Rows, Scored};
pub use queue::{Batching, QueueError};
pub use service::{AskRequest, AskResponse, Feedback, MatchError, Matcher, MatcherStats, Serving};

/// How scores are fused and where the outcome thresholds sit. Defaults come from the
/// calibration on Banking77 (`cargo bench -p model --bench matching`, see the README).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Scoring {
    /// How much a point's second and third closest texts count beside its closest one (0 = the
    /// plain nearest neighbour; more rewards points that several phrasings agree on).
    pub neighbour_weight: f32,
    /// Weight of the lexical score for Latin-script questions (0 = embeddings only).
    pub lexical_weight: f32,
    /// Weight of the lexical score for all-Chinese questions (the model knows little Chinese);
    /// mixed questions get a weight in between, by their share of CJK characters.
    pub lexical_weight_cjk: f32,
    /// `answered` needs at least this fused score...
    pub answer_score: f32,
    /// ...and at least this lead over the second-best knowledge point.
    pub answer_margin: f32,
    /// Below `answer_*` but at least this: `clarify` with the candidates; below it: `miss`.
    pub clarify_score: f32,
}

impl Default for Scoring {
    fn default() -> Self {
        Scoring {
            neighbour_weight: 0.7,
            lexical_weight: 0.1,
            lexical_weight_cjk: 0.9,
            answer_score: 0.5,
            answer_margin: 0.05,
            clarify_score: 0.35,
        }
    }
}

pub use crate::views::Outcome;

impl Scoring {
    /// The outcome for candidates ranked best first. A point the question is nearer to a
    /// counter-example of never answers it; it may still be offered.
    pub fn decide(&self, ranked: &[Scored]) -> Outcome {
        let Some(top) = ranked.first() else { return Outcome::Miss };
        let second = ranked.get(1).map(|s| s.score).unwrap_or(0.0);
        if !top.countered && top.score >= self.answer_score && top.score - second >= self.answer_margin {
            Outcome::Answered
        } else if top.score >= self.clarify_score {
            Outcome::Clarify
        } else {
            Outcome::Miss
        }
    }
}
