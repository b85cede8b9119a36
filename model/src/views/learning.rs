//! The model that learns from its trainers: its versions, their held-out scores and a training
//! run under way.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

states! {
    /// Where a trained version stands.
    pub enum VersionState("model version state") {
        /// Answering the bot's questions now (at most one per base model).
        Serving = "serving",
        /// Promoted once, not serving now: `model use` brings it back.
        Kept = "kept",
        /// Scored worse than the model serving when it was trained: never served.
        Refused = "refused",
    }

    /// What a training run is doing.
    pub enum TrainingPhase("training phase") {
        /// Reading the published knowledge and the customers' clarify choices.
        Reading = "reading",
        /// Embedding what the base model has no stored vector for yet.
        Embedding = "embedding",
        Training = "training",
        /// Scoring the candidate and the model in service on the held-out phrasings.
        Scoring = "scoring",
        /// Storing the candidate's vectors for every text, before it takes over.
        Storing = "storing",
        Finished = "finished",
        Failed = "failed",
    }

    /// Why a candidate was not promoted.
    pub enum Refusal("refusal") {
        /// Its top-1 on the held-out phrasings is not above the serving model's.
        NoBetterTop1 = "no_better_top1",
        /// It answers a smaller share of the held-out phrasings at the calibrated thresholds.
        LessAnswered = "less_answered",
        /// What it answers is less often right.
        LessPrecise = "less_precise",
        /// Too few held-out phrasings to judge (points need at least 3 texts to give one).
        TooLittleData = "too_little_data",
        /// It fails test cases the serving version passes.
        BreaksTestCases = "breaks_test_cases",
    }
}

/// A model scored on the held-out phrasings: each is asked as a question, with the product's
/// scoring; the answer thresholds are calibrated for this model on them (the most answered with
/// precision at least 98%).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeldOutScores {
    // Contract as documented: no minimum.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub questions: usize,
    /// Share answered with their own point first.
    pub top1: f64,
    /// Share of the answered ones that are right, at the calibrated thresholds.
    pub precision: f64,
    /// Share answered at the calibrated thresholds.
    pub share: f64,
    pub answer_score: f32,
    pub answer_margin: f32,
}

/// One trained version of the serving model (version 0 is the base model as shipped).
// Contract as documented: counts without a minimum, four refusals, and neither
// `published_texts` nor `broken_cases`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModelVersion {
    pub version: i32,
    /// The base model it adapts, e.g. `fused`.
    pub base: String,
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub state: VersionState,
    pub created_at: DateTime<Utc>,
    /// Training texts (phrasings and clarify choices) and points they came from.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub trained_on: usize,
    /// Published texts when it was trained (what the schedule counts new ones from).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub published_texts: usize,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub points: usize,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub epochs: usize,
    pub seconds: f64,
    /// Its scores, and those of the version serving when it was trained, on the same held-out
    /// phrasings.
    pub scores: HeldOutScores,
    pub previous: HeldOutScores,
    pub previous_version: i32,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::views::openapi::RefusalSchema>, inline))]
    pub refusal: Option<Refusal>,
    /// The test cases it fails that the serving version passes (their questions).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub broken_cases: Vec<String>,
    /// The answer and clarify thresholds it serves with (shifted with its score scale).
    pub answer_score: f32,
    pub clarify_score: f32,
}

/// A training run, while it runs and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingRun {
    pub phase: TrainingPhase,
    pub started_at: DateTime<Utc>,
    pub epoch: usize,
    pub epochs: usize,
    pub step: usize,
    pub steps: usize,
    pub loss: Option<f32>,
    pub seconds_left: Option<f64>,
    /// What it produced (promoted or refused), once finished.
    pub result: Option<ModelVersion>,
    pub error: Option<String>,
}

/// The dashboard's "Model" page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModelOverview {
    /// The base model, e.g. `fused`, and the name of what serves (`fused+v3`).
    pub base: String,
    pub serving_name: String,
    /// The version serving (0: the base model as shipped).
    pub serving_version: i32,
    pub versions: Vec<ModelVersion>,
    // Contract as documented: any object, or null.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub training: Option<TrainingRun>,
    /// Published texts now, against what the serving version was trained on.
    // Contract as documented: no minimum.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub published_texts: usize,
}
