//! Duplicates at the door: before a point is created or imported, the published points whose
//! question means the same. "The same" is the bot's own test: the new question, asked as a
//! customer would, would be answered outright with the existing point (its score reaches
//! [`crate::matching::Scoring::answer_score`]). The fused model puts a Chinese and an English
//! question on one scale, so either language is checked against both.

use crate::matching::{MatchError, Matcher};
use crate::views::NearDuplicate;

/// Near-duplicates reported at most.
const MOST: usize = 3;

/// The published points `question` would be answered with, best first; `except` (the point
/// being edited) left out.
pub async fn near_duplicates(
    matcher: &Matcher,
    question: &str,
    except: Option<i32>,
) -> Result<Vec<NearDuplicate>, MatchError> {
    let question = question.trim();
    if question.is_empty() {
        return Ok(Vec::new());
    }
    let embedder = matcher.online_embedder();
    let text = question.to_string();
    let vector = tokio::task::spawn_blocking(move || embedder.embed(&[text.as_str()]))
        .await
        .map_err(|e| MatchError::Internal(format!("embedding failed: {e}")))??
        .pop()
        .unwrap_or_default();
    let bar = matcher.scoring().answer_score;
    Ok(matcher
        .suggest(&vector, question, MOST + 1)
        .into_iter()
        .filter(|s| {
            s.score >= bar && Some(s.knowledge_id.as_str()) != except.map(|e| e.to_string()).as_deref()
        })
        .take(MOST)
        .map(|s| NearDuplicate {
            knowledge_id: s.knowledge_id,
            question: s.question,
            category: s.category,
            score: s.score,
        })
        .collect())
}
