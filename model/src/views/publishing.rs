//! Publishing and its regression check.

use serde::{Deserialize, Serialize};

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
