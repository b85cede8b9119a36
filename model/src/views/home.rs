//! The trainer's home page: their own work.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::knowledge::RevisionState;

/// A point whose pending draft the trainer wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MyDraft {
    pub knowledge_id: i32,
    pub question: String,
    /// `draft`, `in_review`, or `rejected` (sent back, with the reviewer's comment).
    pub state: RevisionState,
    pub saved_at: DateTime<Utc>,
    pub reviewed_by: Option<String>,
    pub review_comment: Option<String>,
}

/// What the trainer's home page shows beside their queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainerDesk {
    /// Sent back first, then the newest.
    pub drafts: Vec<MyDraft>,
    /// Questions customers asked that the trainer's published points closed in the last 7 days.
    pub closed_this_week: i64,
}
