//! What the matcher answers.

use serde::{Deserialize, Serialize};

states! {
    /// What the matcher decided about a question.
    pub enum Outcome("outcome") {
        Answered = "answered",
        Clarify = "clarify",
        Miss = "miss",
    }

    /// Where a customer asked.
    pub enum Channel("channel") {
        Bot = "bot",
        Online = "online",
        Hotline = "hotline",
    }
}

impl Default for Channel {
    fn default() -> Self {
        Channel::Bot
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AskAnswer {
    pub knowledge_id: String,
    pub question: String,
    /// The answer for the channel asked on (its variant, else the default): Markdown.
    pub answer: String,
    /// The same answer as plain text, for channels that cannot render Markdown.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub answer_text: String,
    pub score: f32,
    /// Points the customer may want next, only those the bot serves now.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(inline, required = true, max_items = 5))]
    pub related: Vec<RelatedPoint>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RelatedPoint {
    pub knowledge_id: String,
    pub question: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = Candidate))]
pub struct AskCandidate {
    pub knowledge_id: String,
    pub question: String,
    pub score: f32,
    /// The two halves of the score, for the trainers' test window.
    // Contract as documented: not listed as required.
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub semantic: f32,
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub lexical: f32,
    /// Its answer for the channel asked on, so an agent can read it without another call.
    // Contract as documented: not in it.
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub answer: String,
    /// How often agents opened it from the search page (breaks ties).
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub clicks: i64,
    /// The question is nearer to one of this point's counter-examples than to its own texts:
    /// offered, never answered with.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub countered: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AskResponse {
    pub ask_id: String,
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub outcome: Outcome,
    #[cfg_attr(feature = "openapi", schema(inline, required = true))]
    pub answer: Option<AskAnswer>,
    #[cfg_attr(feature = "openapi", schema(max_items = 5))]
    pub candidates: Vec<AskCandidate>,
}
