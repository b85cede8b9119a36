//! Many questions decided as `/ask` decides them in a dry run — masked, read through the
//! published synonyms, embedded through the ask queue (so asks and a large batch share the model
//! fairly), ranked against one snapshot — with nothing logged. What a test run asks.

use std::sync::Arc;

use super::service::{Matcher, Snapshot, CANDIDATES};
use super::{MatchError, Outcome};
use crate::embedding::cache::embed_cached;
use crate::Embedder;

/// Questions embedded and ranked per step.
const STEP: usize = 256;

/// How the bot answers one question.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decided {
    pub outcome: Outcome,
    /// The best point and its score (none: nothing is published).
    pub top: Option<(i32, f32)>,
}

impl Decided {
    /// The point answered with (what `/ask` puts in `answer`): none when it clarified or missed.
    pub fn answered_with(&self) -> Option<i32> {
        self.top.filter(|_| self.outcome == Outcome::Answered).map(|(id, _)| id)
    }

    pub fn score(&self) -> f32 {
        self.top.map_or(0.0, |(_, s)| s)
    }
}

/// Questions being decided step by step against one snapshot (see [`Matcher::asking`]).
pub struct Asking<'a> {
    matcher: &'a Matcher,
    // One snapshot throughout, as one ask uses one: its model embeds what its index compares.
    snap: Arc<Snapshot>,
    embedder: Arc<dyn Embedder>,
    masked: Vec<String>,
    at: usize,
}

impl Matcher {
    /// Decides `questions` as dry-run asks would now, [`Asking::step`] by step.
    pub fn asking(&self, questions: &[String]) -> Asking<'_> {
        let masker = self.masker();
        let snap = self.snapshot();
        Asking {
            matcher: self,
            embedder: self.queued(snap.serving.embedder.clone()),
            snap,
            masked: questions.iter().map(|q| masker.mask(q.trim()).into_owned()).collect(),
            at: 0,
        }
    }

    /// Every question decided as a dry-run `/ask` would decide it now.
    pub async fn decide_many(&self, questions: &[String]) -> Result<Vec<Decided>, MatchError> {
        let mut asking = self.asking(questions);
        let mut out = Vec::with_capacity(questions.len());
        while let Some(step) = asking.step().await {
            out.extend(step?);
        }
        Ok(out)
    }
}

impl Asking<'_> {
    /// The next questions' decisions, in order; none when all are decided.
    pub async fn step(&mut self) -> Option<Result<Vec<Decided>, MatchError>> {
        if self.at >= self.masked.len() {
            return None;
        }
        let end = (self.at + STEP).min(self.masked.len());
        let chunk = self.masked[self.at..end].to_vec();
        self.at = end;
        Some(self.decide(chunk).await)
    }

    async fn decide(&self, asked: Vec<String>) -> Result<Vec<Decided>, MatchError> {
        let serving = &self.snap.serving;
        let vectors = embed_cached(&self.matcher.db, &self.embedder, &asked).await?;
        let reads: Vec<String> = asked.iter().map(|q| serving.synonyms.apply(q).into_owned()).collect();
        let (index, scoring) = (self.snap.index.clone(), serving.scoring);
        tokio::task::spawn_blocking(move || {
            let pairs: Vec<(&[f32], &str)> =
                vectors.iter().map(Vec::as_slice).zip(reads.iter().map(String::as_str)).collect();
            let ranked = index.rank_many(&pairs, &scoring, CANDIDATES)?;
            let points = index.points();
            Ok::<_, super::IndexError>(
                asked
                    .iter()
                    .zip(ranked)
                    .map(|(q, r)| Decided {
                        outcome: scoring.decide(q, &r),
                        top: r.first().map(|s| (points[s.point].knowledge_id, s.score)),
                    })
                    .collect(),
            )
        })
        .await
        .map_err(|e| MatchError::Internal(e.to_string()))?
        .map_err(|e| MatchError::Internal(e.to_string()))
    }
}

impl Matcher {
    /// `questions` as the regression check compares them: masked and read through the
    /// synonyms as `/ask` reads them, with the serving model's vectors (through the ask queue).
    pub async fn probes(&self, questions: &[String]) -> Result<Vec<super::preview::Probe>, MatchError> {
        let asking = self.asking(questions);
        let serving = &asking.snap.serving;
        let vectors = embed_cached(&self.db, &asking.embedder, &asking.masked).await?;
        Ok(asking
            .masked
            .iter()
            .zip(vectors)
            .map(|(q, vector)| super::preview::Probe { text: serving.synonyms.apply(q).into_owned(), vector })
            .collect())
    }
}
