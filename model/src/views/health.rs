//! Knowledge health: what each published point does for customers, from the ask log.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One knowledge point's figures over the last `days` days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointStats {
    pub knowledge_id: String,
    pub days: u32,
    /// Asks answered with the point.
    pub answered: u64,
    /// Clarifications that offered it among their candidates...
    pub offered: u64,
    /// ...and those in which the customer chose it.
    pub chosen: u64,
    /// Answers with it that the customer rated (helpful or not)...
    pub rated: u64,
    /// ...those rated not helpful (👎)...
    pub unhelpful: u64,
    /// ...and those followed by a handoff to an agent.
    pub handoffs: u64,
    /// Share of rated answers that helped; none before the first rating.
    pub helpful_rate: Option<f64>,
    /// The latest ask it answered or was offered in.
    pub last_asked: Option<DateTime<Utc>>,
}
