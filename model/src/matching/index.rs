//! The in-memory index of published knowledge: every text (typical question and phrasings) as a
//! unit vector and in a lexical index, grouped by knowledge point. Ranking is exact: one matrix
//! product of the questions asked together with every stored vector.
//!
//! Vectors are kept in half precision (f16), once: the matcher's builder and every index built
//! from it share each point's rows. At 100k texts of the 768-dimensional default model that is
//! 154 MB instead of twice 307 MB, and a scan reads half the memory. Scores move by less than
//! 1e-3 (a component's rounding is 2^-11 of it). Blocks of rows are widened to f32 in a buffer
//! that stays in the cache and multiplied there.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use half::f16;
use half::slice::HalfFloatSliceExt;
use rayon::prelude::*;

use super::kernels;
use super::lexical::{cjk_share, Lexical};
use super::Scoring;
use crate::views::{Channel, ChannelAnswers};

/// The vectors of one point's texts, row after row, in half precision; cloning shares them.
#[derive(Debug, Clone, Default)]
pub struct Rows(Arc<[f16]>);

impl Rows {
    pub fn new(vectors: &[Vec<f32>]) -> Rows {
        Rows(vectors.iter().flat_map(|v| v.iter().map(|&x| f16::from_f32(x))).collect())
    }

    /// The rows as f32 vectors of `dim` components.
    pub fn to_vectors(&self, dim: usize) -> Vec<Vec<f32>> {
        self.0.chunks_exact(dim.max(1)).map(|row| row.iter().map(|x| x.to_f32()).collect()).collect()
    }

    /// The rows widened to f32, one after the other.
    pub(crate) fn widen(&self) -> Vec<f32> {
        let mut out = vec![0f32; self.0.len()];
        self.0.convert_to_f32_slice(&mut out);
        out
    }

    /// Components stored (rows × dimension).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// One published knowledge point with the vectors of its texts (`texts[0]` is the typical
/// question).
#[derive(Debug, Clone)]
pub struct PointDoc {
    pub knowledge_id: i32,
    pub category: String,
    pub question: String,
    pub answer: String,
    /// Answer variants by channel.
    pub answers: ChannelAnswers,
    /// Related points, in order.
    pub related: Vec<i32>,
    pub texts: Vec<String>,
    /// One row per text, in order.
    pub vectors: Rows,
    /// One row per counter-example (questions the point must not answer).
    pub counters: Rows,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PointMeta {
    pub knowledge_id: i32,
    pub category: String,
    pub question: String,
    pub answer: String,
    pub answers: ChannelAnswers,
    pub related: Vec<i32>,
}

impl PointMeta {
    /// The answer for `channel`: its variant, else the default.
    pub fn answer_for(&self, channel: Channel) -> &str {
        self.answers.get(&channel).map_or(&self.answer, String::as_str)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    /// Position in [`Index::points`].
    pub point: usize,
    /// The fused score that decides the outcome.
    pub score: f32,
    /// Cosine with the point's closest text, blended with its next closest (see
    /// [`Scoring::neighbour_weight`]).
    pub semantic: f32,
    /// Best TF-IDF cosine between the question and one of the point's texts.
    pub lexical: f32,
    /// The question is nearer to one of the point's counter-examples than to any of its own
    /// texts: the point must not answer it.
    pub countered: bool,
}

/// Rows widened to f32 at a time: 128 × 768 × 4 bytes stay in a core's L2 cache.
const BLOCK_ROWS: usize = 512;

/// Text × question products from which a scan is split over the cores.
const PARALLEL_FROM: usize = 50_000;

/// Consecutive points whose rows are multiplied together.
#[derive(Debug, Clone)]
struct Block {
    points: std::ops::Range<usize>,
    rows: usize,
}

/// Built for one model's dimension only: an index with no points still has the dimension of the
/// model that serves, so a question is compared with nothing rather than refused.
#[derive(Debug)]
pub struct Index {
    dim: usize,
    points: Vec<PointMeta>,
    /// Position in `points` by knowledge id.
    by_id: HashMap<i32, usize>,
    /// Each point's rows (shared with the builder's documents).
    rows: Vec<Rows>,
    /// Each point's counter-example rows (most have none).
    counters: Vec<Rows>,
    blocks: Vec<Block>,
    /// For each text, the point it belongs to.
    owner: Vec<u32>,
    lexical: Lexical,
}

impl Index {
    pub fn build<'a>(docs: impl IntoIterator<Item = &'a PointDoc>, dim: usize) -> Index {
        Index::build_with(docs, dim, &|t| Cow::Borrowed(t))
    }

    /// [`Index::build`] with the lexical side reading each text through `read` (the synonyms).
    pub fn build_with<'a>(
        docs: impl IntoIterator<Item = &'a PointDoc>,
        dim: usize,
        read: &dyn for<'t> Fn(&'t str) -> Cow<'t, str>,
    ) -> Index {
        let mut index = Index {
            dim,
            points: Vec::new(),
            by_id: HashMap::new(),
            rows: Vec::new(),
            counters: Vec::new(),
            blocks: Vec::new(),
            owner: Vec::new(),
            lexical: Lexical::default(),
        };
        let mut all_texts: Vec<Cow<str>> = Vec::new();
        let mut block = Block { points: 0..0, rows: 0 };
        for doc in docs {
            let count = doc.vectors.len() / dim.max(1);
            if doc.vectors.len() != doc.texts.len() * dim {
                // Vectors of another model, or texts without theirs: comparing would be meaningless.
                tracing::error!(
                    knowledge_id = doc.knowledge_id,
                    components = doc.vectors.len(),
                    texts = doc.texts.len(),
                    dim,
                    "a point's vectors do not fit its texts; left out of the index"
                );
                continue;
            }
            let p = index.points.len();
            index.owner.extend(std::iter::repeat_n(p as u32, count));
            all_texts.extend(doc.texts.iter().map(|t| read(t)));
            index.rows.push(doc.vectors.clone());
            let counters_fit = doc.counters.len() % dim.max(1) == 0;
            index.counters.push(if counters_fit { doc.counters.clone() } else { Rows::default() });
            index.points.push(PointMeta {
                knowledge_id: doc.knowledge_id,
                category: doc.category.clone(),
                question: doc.question.clone(),
                answer: doc.answer.clone(),
                answers: doc.answers.clone(),
                related: doc.related.clone(),
            });
            index.by_id.insert(doc.knowledge_id, p);
            block.points.end = p + 1;
            block.rows += count;
            if block.rows >= BLOCK_ROWS {
                let next = Block { points: p + 1..p + 1, rows: 0 };
                index.blocks.push(std::mem::replace(&mut block, next));
            }
        }
        if block.rows > 0 {
            index.blocks.push(block);
        }
        index.lexical = Lexical::build(all_texts.iter().map(|t| t.as_ref()));
        index
    }

    /// No published point yet (a new bot collecting its first questions).
    pub fn empty(dim: usize) -> Index {
        Index::build(std::iter::empty(), dim)
    }

    pub fn points(&self) -> &[PointMeta] {
        &self.points
    }

    /// The point with this knowledge id, if it is served.
    pub fn point(&self, knowledge_id: i32) -> Option<&PointMeta> {
        self.by_id.get(&knowledge_id).map(|&p| &self.points[p])
    }

    pub fn texts(&self) -> usize {
        self.owner.len()
    }

    /// The best `k` points for a question, best first.
    pub fn rank(
        &self,
        vector: &[f32],
        question: &str,
        scoring: &Scoring,
        k: usize,
    ) -> Result<Vec<Scored>, IndexError> {
        Ok(self.rank_many(&[(vector, question)], scoring, k)?.pop().unwrap_or_default())
    }

    /// [`Index::rank`] for several questions at once: their cosines with every text come from
    /// one matrix product, which reads the stored vectors once for the whole batch instead of
    /// once per question.
    pub fn rank_many(
        &self,
        questions: &[(&[f32], &str)],
        scoring: &Scoring,
        k: usize,
    ) -> Result<Vec<Vec<Scored>>, IndexError> {
        if let Some((v, _)) = questions.iter().find(|(v, _)| v.len() != self.dim) {
            return Err(IndexError::Dimension { expected: self.dim, found: v.len() });
        }
        let b = questions.len();
        let sims = self.similarities(questions);
        Ok(questions
            .iter()
            .enumerate()
            .map(|(i, (_, question))| {
                // Question i's cosines, text after text: its row of each block's result.
                let mut at = 0;
                let of_question = self.blocks.iter().flat_map(|block| {
                    let row = &sims[at + i * block.rows..at + (i + 1) * block.rows];
                    at += block.rows * b;
                    row.iter().copied()
                });
                let (vector, _) = questions[i];
                let mut ranked = self.rank_by(of_question, question, scoring, k);
                for s in &mut ranked {
                    s.scored.countered = self.countered(s.scored.point, vector, s.nearest);
                }
                ranked.into_iter().map(|s| s.scored).collect()
            })
            .collect())
    }

    /// Every text's cosine with every question, block after block; within a block of `r`
    /// texts, question `i`'s cosine with text `j` is at `i * r + j`.
    fn similarities(&self, questions: &[(&[f32], &str)]) -> Vec<f32> {
        let (b, dim) = (questions.len(), self.dim);
        let queries: Vec<f32> = questions.iter().flat_map(|(v, _)| v.iter().copied()).collect();
        let mut sims = vec![0f32; self.owner.len() * b];
        // Each block writes its own part of the result.
        let mut parts = Vec::with_capacity(self.blocks.len());
        let mut rest = sims.as_mut_slice();
        for block in &self.blocks {
            let (part, tail) = rest.split_at_mut(block.rows * b);
            parts.push((block, part));
            rest = tail;
        }
        let rows_of =
            |block: &Block| self.rows[block.points.clone()].iter().flat_map(|r| r.0.chunks_exact(dim));
        let direct = |(block, out): (&Block, &mut [f32])| {
            for (j, row) in rows_of(block).enumerate() {
                for (i, q) in queries.chunks_exact(dim).enumerate() {
                    out[i * block.rows + j] = kernels::dot_f16(row, q);
                }
            }
        };
        let widened = |wide: &mut Vec<f32>, (block, out): (&Block, &mut [f32])| {
            wide.resize(block.rows * dim, 0.0);
            for (row, to) in rows_of(block).zip(wide.chunks_exact_mut(dim)) {
                row.convert_to_f32_slice(to);
            }
            kernels::product(&queries, wide, out, b, block.rows, dim);
        };
        // Waking the other cores costs more than it saves on a small scan (10k texts and one
        // question take 0.3 ms on one core).
        let parallel = self.owner.len() * b >= PARALLEL_FROM;
        // A question or two: widening the rows would cost more than multiplying them.
        match (b <= kernels::DIRECT_UP_TO, parallel) {
            (true, true) => parts.into_par_iter().for_each(direct),
            (true, false) => parts.into_iter().for_each(direct),
            (false, true) => parts.into_par_iter().for_each_init(Vec::new, widened),
            (false, false) => {
                let mut wide = Vec::new();
                parts.into_iter().for_each(|part| widened(&mut wide, part));
            }
        }
        sims
    }

    /// Whether `vector` is nearer to one of point `p`'s counter-examples than `nearest`, its
    /// cosine with the point's closest own text. Only the few ranked points are checked, row by
    /// row: counter-examples are rare and short lists.
    fn countered(&self, p: usize, vector: &[f32], nearest: f32) -> bool {
        self.counters[p].0.chunks_exact(self.dim.max(1)).any(|row| kernels::dot_f16(row, vector) > nearest)
    }

    /// Ranks the points from one question's cosine with every text, in the index's order.
    fn rank_by(
        &self,
        sims: impl Iterator<Item = f32>,
        question: &str,
        scoring: &Scoring,
        k: usize,
    ) -> Vec<Ranked> {
        let n = self.points.len();
        if n == 0 || k == 0 {
            return Vec::new();
        }
        let mut top3 = vec![Top3::default(); n];
        for (s, &p) in sims.zip(&self.owner) {
            top3[p as usize].push(s);
        }
        let semantic: Vec<f32> = top3.iter().map(|t| t.semantic(scoring.neighbour_weight)).collect();
        let mut lexical = vec![0f32; n];
        for (text, s) in self.lexical.scores(question) {
            let p = self.owner[text as usize] as usize;
            lexical[p] = lexical[p].max(s);
        }
        let w = scoring.lexical_weight
            + (scoring.lexical_weight_cjk - scoring.lexical_weight) * cjk_share(question);
        let mut scored: Vec<Ranked> = (0..n)
            .map(|p| Ranked {
                scored: Scored {
                    point: p,
                    score: (1.0 - w) * semantic[p] + w * lexical[p],
                    semantic: semantic[p],
                    lexical: lexical[p],
                    countered: false,
                },
                nearest: top3[p].nearest(),
            })
            .collect();
        let k = k.min(n);
        let order = |a: &Ranked, b: &Ranked| b.scored.score.total_cmp(&a.scored.score);
        scored.select_nth_unstable_by(k - 1, order);
        scored.truncate(k);
        scored.sort_by(order);
        scored
    }
}

/// A ranked point with its closest own text's cosine, until its counter-examples are checked.
struct Ranked {
    scored: Scored,
    nearest: f32,
}

/// The three closest texts of a point to a question, best first: its semantic score.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Top3([f32; 3]);

impl Default for Top3 {
    fn default() -> Self {
        Top3([f32::MIN; 3])
    }
}

impl Top3 {
    pub(crate) fn push(&mut self, s: f32) {
        let t = &mut self.0;
        if s > t[2] {
            t[2] = s;
            if t[2] > t[1] {
                t.swap(1, 2);
                if t[1] > t[0] {
                    t.swap(0, 1);
                }
            }
        }
    }

    /// The closest text's cosine.
    pub(crate) fn nearest(&self) -> f32 {
        self.0[0]
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0[0] == f32::MIN
    }

    /// The closest text's cosine blended with the mean of the (up to) three closest, by `beta`
    /// ([`Scoring::neighbour_weight`]).
    pub(crate) fn semantic(&self, beta: f32) -> f32 {
        let (sum, count) =
            self.0.iter().filter(|s| **s > f32::MIN).fold((0f32, 0usize), |(sum, n), s| (sum + s, n + 1));
        (1.0 - beta) * self.0[0] + beta * sum / count.max(1) as f32
    }
}

/// A question the index cannot compare.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("a question vector of dimension {found} against an index of dimension {expected}")]
    Dimension { expected: usize, found: usize },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::Outcome;

    fn unit(v: &[f32]) -> Vec<f32> {
        crate::clustering::normalized(v.to_vec())
    }

    #[test]
    fn ranks_points_by_their_best_text_and_fuses_lexical_scores() {
        let docs = vec![
            PointDoc {
                knowledge_id: 1,
                category: "A".into(),
                question: "card".into(),
                answer: "a".into(),
                answers: ChannelAnswers::new(),
                related: Vec::new(),
                texts: vec!["where is my card".into(), "card not arrived".into()],
                vectors: Rows::new(&[unit(&[1.0, 0.0, 0.0]), unit(&[0.0, 1.0, 0.0])]),
                counters: Rows::default(),
            },
            PointDoc {
                knowledge_id: 2,
                category: "B".into(),
                question: "宽带".into(),
                answer: "b".into(),
                answers: ChannelAnswers::new(),
                related: Vec::new(),
                texts: vec!["宽带断网了怎么办".into()],
                vectors: Rows::new(&[unit(&[0.0, 0.0, 1.0])]),
                counters: Rows::default(),
            },
        ];
        let index = Index::build(&docs, 3);
        assert_eq!(index.texts(), 3);
        let semantic_only = Scoring {
            neighbour_weight: 0.0,
            lexical_weight: 0.0,
            lexical_weight_cjk: 0.0,
            ..Scoring::default()
        };
        let r = index.rank(&unit(&[0.1, 1.0, 0.0]), "x", &semantic_only, 5).unwrap();
        assert_eq!((r.len(), r[0].point), (2, 0));
        // Stored in half precision: equal to 1e-3.
        assert!((r[0].semantic - unit(&[0.1, 1.0, 0.0])[1]).abs() < 1e-3, "the best of the point's texts");
        // A Chinese question far from every vector still finds its point by characters.
        let r = index.rank(&unit(&[1.0, 0.0, 0.0]), "宽带断网", &Scoring::default(), 1).unwrap();
        assert_eq!(index.points()[r[0].point].knowledge_id, 2);
        assert!(r[0].lexical > 0.5);
    }

    fn one_text_point(id: i32, text: &str, v: &[f32]) -> PointDoc {
        PointDoc {
            knowledge_id: id,
            category: "A".into(),
            question: text.into(),
            answer: "a".into(),
            answers: ChannelAnswers::new(),
            related: Vec::new(),
            texts: vec![text.into()],
            vectors: Rows::new(&[unit(v)]),
            counters: Rows::default(),
        }
    }

    #[test]
    fn a_point_is_countered_only_when_a_counter_example_is_nearer_than_its_own_texts() {
        let mut card = one_text_point(1, "card", &[1.0, 0.0, 0.0]);
        card.counters = Rows::new(&[unit(&[0.0, 1.0, 0.0])]);
        let index = Index::build(&[card, one_text_point(2, "loan", &[0.0, 0.0, 1.0])], 3);
        let semantic_only = Scoring {
            neighbour_weight: 0.0,
            lexical_weight: 0.0,
            lexical_weight_cjk: 0.0,
            ..Scoring::default()
        };
        // Nearer the point's own text than its counter-example: answered as before.
        let near_own = index.rank(&unit(&[1.0, 0.6, 0.0]), "x", &semantic_only, 2).unwrap();
        assert_eq!((near_own[0].point, near_own[0].countered), (0, false));
        assert_eq!(semantic_only.decide("q", &near_own), Outcome::Answered);
        // Nearer the counter-example: still ranked first, marked, and never answered.
        let near_counter = index.rank(&unit(&[1.0, 1.2, 0.0]), "x", &semantic_only, 2).unwrap();
        assert_eq!((near_counter[0].point, near_counter[0].countered), (0, true));
        assert_ne!(semantic_only.decide("q", &near_counter), Outcome::Answered);
        // A point without counter-examples is never countered.
        assert!(!near_counter[1].countered);
    }

    #[test]
    fn an_empty_index_ranks_nothing_and_refuses_only_another_models_vectors() {
        let index = Index::empty(3);
        assert_eq!((index.points().len(), index.texts()), (0, 0));
        let q = unit(&[1.0, 0.0, 0.0]);
        assert!(index.rank(&q, "where is my card", &Scoring::default(), 5).unwrap().is_empty());
        assert!(index.rank(&q, "宽带断网了", &Scoring::default(), 5).unwrap().is_empty());
        let many = index.rank_many(&[(&q, "a"), (&q, "b"), (&q, "c"), (&q, "d")], &Scoring::default(), 5);
        assert_eq!(many.unwrap(), vec![Vec::<Scored>::new(); 4], "one empty ranking per question");
        assert!(matches!(
            index.rank(&[1.0, 0.0], "x", &Scoring::default(), 5),
            Err(IndexError::Dimension { expected: 3, found: 2 })
        ));
    }

    #[test]
    fn points_of_a_single_text_rank_by_that_text_and_k_is_capped() {
        let docs = [one_text_point(7, "card", &[1.0, 0.0, 0.0]), one_text_point(8, "宽带", &[0.0, 1.0, 0.0])];
        let index = Index::build(&docs, 3);
        let semantic_only = Scoring {
            neighbour_weight: 0.5,
            lexical_weight: 0.0,
            lexical_weight_cjk: 0.0,
            ..Scoring::default()
        };
        let r = index.rank(&unit(&[0.0, 1.0, 0.0]), "x", &semantic_only, 5).unwrap();
        assert_eq!(r.len(), 2, "fewer points than asked for: all of them");
        assert_eq!(index.points()[r[0].point].knowledge_id, 8);
        // One text: blending with its neighbours' mean leaves its own cosine.
        assert!((r[0].semantic - 1.0).abs() < 1e-3, "{r:?}");
        assert!(index.rank(&unit(&[0.0, 1.0, 0.0]), "x", &semantic_only, 0).unwrap().is_empty());
    }
}
