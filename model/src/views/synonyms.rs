//! The synonym dictionary: canonical terms and the variants customers write for them, changed
//! by trainers as drafts and put live by a reviewer.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

states! {
    /// What a draft does to the published dictionary.
    pub enum SynonymChange("synonym change") {
        Add = "add",
        Edit = "edit",
        Remove = "remove",
    }
}

/// One canonical term and its variants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SynonymEntry {
    pub canonical: String,
    pub variants: Vec<String>,
}

/// A change waiting for review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SynonymDraft {
    pub id: i32,
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub change: SynonymChange,
    /// The entry as it will be (for a removal: as it is).
    pub entry: SynonymEntry,
    pub author: String,
    pub created_at: DateTime<Utc>,
}

/// A row of the dictionary page: a published entry, its pending change, or a new one.
// Every field is sent, null when there is nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SynonymItem {
    /// The published entry's id; none for an entry only drafted so far.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub id: Option<i32>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub live: Option<SynonymEntry>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub draft: Option<SynonymDraft>,
}

/// What a trainer proposes: a new entry (`id` none), a change to entry `id`, or its removal.
// server/src/api/synonyms.rs adjusts this schema to the contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SynonymProposal {
    #[serde(default)]
    pub id: Option<i32>,
    pub canonical: String,
    #[serde(default)]
    pub variants: Vec<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(default = false))]
    pub remove: bool,
}

/// What a publish of drafts did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SynonymsPublished {
    // Contract as documented: counts without a minimum.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub published: usize,
    /// Entries in the dictionary now.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub entries: usize,
}

/// A word worth a synonym, with why it was suggested.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SynonymSuggestion {
    /// The term to propose as a variant (or a new canonical term).
    pub term: String,
    /// The canonical term it likely means, when the evidence names one.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub canonical: Option<String>,
    // Contract as documented: the evidence's kind only.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::views::openapi::EvidenceSchema, inline))]
    pub evidence: SuggestionEvidence,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SuggestionEvidence {
    /// Frequent in open misses, in no published text.
    UnknownWord { misses: usize, examples: Vec<String> },
    /// A trainer linked `question` to a point whose phrasing `phrasing` differs by this word.
    LinkedVariant { question: String, phrasing: String },
}
