//! What a knowledge change would do to the bot's answers, before it is published: the
//! published index beside the same index with one point replaced, and every question whose
//! answer differs between the two.

use std::collections::HashSet;

use super::lexical::{cjk_share, tokens};
use super::service::Matcher;
use super::{Index, PointDoc, Scoring};
use crate::embedding::dot;
use crate::knowledge::fold;
pub use crate::views::Regression;
use crate::views::TriedAnswer;

/// The knowledge as served and as it would be with one change.
struct Changed<'a> {
    builder: tokio::sync::MutexGuard<'a, super::service::Builder>,
    scoring: Scoring,
    before: std::sync::Arc<super::service::Snapshot>,
    after: Index,
    dim: usize,
}

/// A question the regression check runs, with its vector.
pub struct Probe {
    pub text: String,
    pub vector: Vec<f32>,
}

/// The texts of one point as the bound check needs them.
struct Texts {
    vectors: Vec<Vec<f32>>,
    tokens: HashSet<String>,
}

impl Texts {
    fn of(doc: &PointDoc, dim: usize) -> Self {
        Texts {
            vectors: doc.vectors.to_vectors(dim),
            tokens: doc.texts.iter().flat_map(|t| tokens(t)).collect(),
        }
    }

    /// The highest fused score this point could give the question: its best cosine stands in
    /// for the blended semantic score (never more), a perfect lexical score for any shared token.
    fn bound(&self, vector: &[f32], question: &str, scoring: &Scoring) -> f32 {
        let cos = self.vectors.iter().map(|v| dot(v, vector)).fold(f32::MIN, f32::max);
        let shares = tokens(question).iter().any(|t| self.tokens.contains(t));
        let w = scoring.lexical_weight
            + (scoring.lexical_weight_cjk - scoring.lexical_weight) * cjk_share(question);
        (1.0 - w) * cos + if shares { w } else { 0.0 }
    }
}

impl Index {
    /// The point that answers the question (outcome `answered`), if any.
    pub fn answer(&self, vector: &[f32], question: &str, scoring: &Scoring) -> Option<usize> {
        let ranked = self
            .rank(vector, question, scoring, 2)
            .inspect_err(|e| tracing::error!(error = %e, "ranking for a regression check failed"))
            .ok()?;
        (scoring.decide(question, &ranked) == super::Outcome::Answered).then(|| ranked[0].point)
    }
}

impl Matcher {
    /// Every question whose answer changes when point `change.knowledge_id` becomes `change`:
    /// the published texts of every point (the knowledge base's own phrasings) and `recent`
    /// (questions the bot answered lately). The changed point's own new texts are left out:
    /// answering them is what the change is for.
    pub async fn regressions(&self, change: &PointDoc, recent: &[Probe]) -> Vec<Regression> {
        let Changed { builder, scoring, before, after, dim } = self.changed(change).await;
        let id = change.knowledge_id;
        let new_texts = Texts::of(change, dim);
        let old_texts = builder.docs.get(&id).map(|d| Texts::of(d, dim));
        let mut seen: HashSet<String> = change.texts.iter().map(|t| fold(t)).collect();
        // The published texts' vectors are widened one point at a time, not all at once.
        let published = builder
            .docs
            .values()
            .flat_map(|d| d.texts.iter().map(String::as_str).zip(d.vectors.to_vectors(dim)));
        let probes = published.chain(recent.iter().map(|p| (p.text.as_str(), p.vector.clone())));
        // The change can only alter an answer where the point scores near the answer threshold.
        let reach = scoring.answer_score - scoring.answer_margin;
        let mut out = Vec::new();
        for (text, vector) in probes {
            let vector = vector.as_slice();
            if !seen.insert(fold(text)) {
                continue;
            }
            let near = new_texts.bound(vector, text, &scoring) >= reach
                || old_texts.as_ref().is_some_and(|o| o.bound(vector, text, &scoring) >= reach);
            if !near {
                continue;
            }
            let was = before.index.answer(vector, text, &scoring).map(|p| &before.index.points()[p]);
            let now = after.answer(vector, text, &scoring).map(|p| &after.points()[p]);
            if was.map(|p| p.knowledge_id) != now.map(|p| p.knowledge_id) {
                out.push(Regression {
                    question: text.to_string(),
                    was: was.map(|p| p.question.clone()),
                    was_knowledge_id: was.map(|p| p.knowledge_id.to_string()),
                    now: now.map(|p| p.question.clone()),
                    now_knowledge_id: now.map(|p| p.knowledge_id.to_string()),
                });
            }
        }
        out
    }

    /// How `probes` are answered now and with point `change.knowledge_id` replaced by `change`
    /// (added, for a point not saved yet): ranked and decided as `/ask` does, nothing recorded.
    pub async fn try_change(&self, change: &PointDoc, probes: &[Probe]) -> Vec<(TriedAnswer, TriedAnswer)> {
        self.tried(change, probes, false)
            .await
            .into_iter()
            .map(|(_, before, after)| (before, after))
            .collect()
    }

    /// [`Matcher::try_change`] for the probes whose answer the change could alter (either
    /// version of the point scores near an answer threshold), with each one's position in
    /// `probes`: the others are answered the same before and after.
    pub async fn try_change_reachable(
        &self,
        change: &PointDoc,
        probes: &[Probe],
    ) -> Vec<(usize, TriedAnswer, TriedAnswer)> {
        self.tried(change, probes, true).await
    }

    async fn tried(
        &self,
        change: &PointDoc,
        probes: &[Probe],
        reachable_only: bool,
    ) -> Vec<(usize, TriedAnswer, TriedAnswer)> {
        let Changed { builder, scoring, before, after, dim } = self.changed(change).await;
        let id = change.knowledge_id;
        let near = reachable_only.then(|| {
            let new_texts = Texts::of(change, dim);
            let old_texts = builder.docs.get(&id).map(|d| Texts::of(d, dim));
            // The lower of the two scripts' bars: a change reaches a question near either.
            let reach = (scoring.answer_score - scoring.answer_margin)
                .min(scoring.answer_score_cjk - scoring.answer_margin_cjk);
            move |p: &Probe| {
                new_texts.bound(&p.vector, &p.text, &scoring) >= reach
                    || old_texts.as_ref().is_some_and(|o| o.bound(&p.vector, &p.text, &scoring) >= reach)
            }
        });
        drop(builder);
        // `with_change`: the answers of the index with the change, where its point is the draft.
        let tried = |index: &Index, p: &Probe, with_change: bool| {
            let ranked = index
                .rank(&p.vector, &p.text, &scoring, super::service::CANDIDATES)
                .inspect_err(|e| tracing::error!(error = %e, "ranking a tried question failed"))
                .unwrap_or_default();
            let top = ranked.first().map(|s| (&index.points()[s.point], s.score));
            TriedAnswer {
                outcome: scoring.decide(&p.text, &ranked),
                knowledge_id: top.map(|(m, _)| m.knowledge_id.to_string()),
                question: top.map(|(m, _)| m.question.clone()),
                score: top.map_or(0.0, |(_, s)| s),
                is_draft: with_change && top.is_some_and(|(m, _)| m.knowledge_id == id),
            }
        };
        probes
            .iter()
            .enumerate()
            .filter(|(_, p)| near.as_ref().is_none_or(|n| n(p)))
            .map(|(i, p)| (i, tried(&before.index, p, false), tried(&after, p, true)))
            .collect()
    }

    /// The published index the next ask would see, beside the same with `change` in place of
    /// its point, built under the builder's lock (held by the caller while it compares).
    async fn changed(&self, change: &PointDoc) -> Changed<'_> {
        if let Err(e) = self.refresh().await {
            tracing::warn!(error = %e, "matcher refresh before comparing a change failed");
        }
        let builder = self.builder.lock().await;
        let scoring = builder.serving.scoring;
        let before = self.snapshot();
        let dim = builder.serving.embedder.info().dimension;
        let id = change.knowledge_id;
        let after = Index::build(
            builder.docs.values().filter(|d| d.knowledge_id != id).chain(std::iter::once(change)),
            dim,
        );
        Changed { builder, scoring, before, after, dim }
    }

    /// Which of `probes` the published knowledge now answers with point `knowledge_id`.
    /// Only probes that point could reach are ranked in full.
    pub async fn answered_by(&self, knowledge_id: i32, probes: &[(&str, &[f32])]) -> Vec<usize> {
        let builder = self.builder.lock().await;
        let snap = self.snapshot();
        let scoring = builder.serving.scoring;
        let Some(doc) = builder.docs.get(&knowledge_id) else {
            return Vec::new();
        };
        let texts = Texts::of(doc, builder.serving.embedder.info().dimension);
        probes
            .iter()
            .enumerate()
            .filter(|(_, (text, vector))| texts.bound(vector, text, &scoring) >= scoring.answer_score)
            .filter(|(_, (text, vector))| {
                snap.index.answer(vector, text, &scoring).map(|p| snap.index.points()[p].knowledge_id)
                    == Some(knowledge_id)
            })
            .map(|(i, _)| i)
            .collect()
    }
}
