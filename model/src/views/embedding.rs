//! A model change under way.

use serde::{Deserialize, Serialize};

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
    /// The model stays; the texts the newly published synonyms rewrite are embedded.
    #[serde(default)]
    pub synonyms: bool,
}
