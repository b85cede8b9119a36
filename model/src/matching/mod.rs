//! Matching a customer question to published knowledge: embedding similarity fused with a
//! lexical score, and the decision answered / clarify / miss from the fused score and its margin
//! over the runner-up. The index lives in memory and is swapped whole when knowledge changes,
//! so questions are answered without pause while it is rebuilt.

pub mod asks;
pub mod batch;
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
/// calibration on Banking77 (`cargo bench -p model --bench matching`, see docs/development.md).
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
    /// The same two for mostly-Chinese questions: the model's Chinese cosines sit on another
    /// scale (one bar for both scripts answered Chinese questions with the wrong point).
    pub answer_score_cjk: f32,
    pub answer_margin_cjk: f32,
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
            answer_score_cjk: 0.5,
            answer_margin_cjk: 0.05,
            clarify_score: 0.35,
        }
    }
}

pub use crate::views::Outcome;

impl Scoring {
    /// The (score, margin) `answered` needs for `question`: the Chinese pair when most of its
    /// letters are Chinese characters.
    pub fn answer_bar(&self, question: &str) -> (f32, f32) {
        if crate::script::cjk_share(question) >= 0.5 {
            (self.answer_score_cjk, self.answer_margin_cjk)
        } else {
            (self.answer_score, self.answer_margin)
        }
    }

    /// Both answer thresholds moved by `shift` (a learned adapter's change of scale).
    pub fn shifted_answers(&self, shift: f32) -> Scoring {
        Scoring {
            answer_score: self.answer_score + shift,
            answer_score_cjk: self.answer_score_cjk + shift,
            clarify_score: self.clarify_score + shift,
            ..*self
        }
    }

    /// The outcome for `question`'s candidates ranked best first. A point the question is
    /// nearer to a counter-example of never answers it; it may still be offered.
    pub fn decide(&self, question: &str, ranked: &[Scored]) -> Outcome {
        let Some(top) = ranked.first() else { return Outcome::Miss };
        let second = ranked.get(1).map(|s| s.score).unwrap_or(0.0);
        let (score, margin) = self.answer_bar(question);
        if !top.countered && top.score >= score && top.score - second >= margin {
            Outcome::Answered
        } else if top.score >= self.clarify_score {
            Outcome::Clarify
        } else {
            Outcome::Miss
        }
    }
}
