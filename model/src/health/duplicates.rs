//! Duplicates at the door: before a point is created or imported, the published points whose
//! question means the same. "The same" is the bot's own test: the new question, asked as a
//! customer would, would be answered outright with the existing point (its score reaches
//! [`crate::matching::Scoring::answer_score`]). The fused model puts a Chinese and an English
//! question on one scale, so either language is checked against both.

use crate::embedding::cache::embed_cached;
use crate::knowledge::categories::Tree;
use crate::knowledge::points::find_by_question;
use crate::knowledge::transfer::Row;
use crate::matching::{MatchError, Matcher};
use crate::views::{ImportDuplicate, NearDuplicate};

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
        .map(near)
        .collect())
}

/// For an import, the rows that would create a point (their category and question are not a
/// live point yet) and the published points each would already be answered with. No knowledge
/// is written (only the questions' vectors, to the embedding cache).
pub async fn in_import(
    db: &sea_orm::DatabaseConnection,
    matcher: &Matcher,
    rows: &[(usize, Row)],
) -> Result<Vec<ImportDuplicate>, MatchError> {
    let tree = Tree::load(db).await?;
    let mut fresh = Vec::new();
    for (line, row) in rows {
        let question = row.question.trim();
        let existing = match tree.find_path(row.category.trim()) {
            Some(category) => find_by_question(db, category, question).await?.is_some(),
            None => false,
        };
        if !existing && !question.is_empty() {
            fresh.push((*line, question.to_string()));
        }
    }
    if fresh.is_empty() {
        return Ok(Vec::new());
    }
    // Bulk work, not through the queue customers' asks use; through the embedding cache, so
    // publishing the rows afterwards does not embed them again.
    let texts: Vec<String> = fresh.iter().map(|(_, q)| q.clone()).collect();
    let vectors = embed_cached(db, &matcher.embedder(), &texts).await?;
    let bar = matcher.scoring().answer_score;
    Ok(fresh
        .into_iter()
        .zip(vectors)
        .filter_map(|((line, question), vector)| {
            let near: Vec<NearDuplicate> = matcher
                .suggest(&vector, &question, MOST)
                .into_iter()
                .filter(|s| s.score >= bar)
                .map(near)
                .collect();
            (!near.is_empty()).then_some(ImportDuplicate { line, question, near })
        })
        .collect())
}

fn near(s: crate::views::Suggestion) -> NearDuplicate {
    NearDuplicate { knowledge_id: s.knowledge_id, question: s.question, category: s.category, score: s.score }
}
