//! The in-memory index of published knowledge: every text (typical question and phrasings) as a
//! unit vector and in a lexical index, grouped by knowledge point. Ranking is exact: a dot
//! product with every stored vector, which stays within milliseconds up to ~100k texts.

use super::lexical::{cjk_share, Lexical};
use super::Scoring;
use crate::embedding::dot;

/// One published knowledge point with the vectors of its texts (`texts[0]` is the typical
/// question).
#[derive(Debug, Clone)]
pub struct PointDoc {
    pub knowledge_id: i32,
    pub category: String,
    pub question: String,
    pub answer: String,
    pub texts: Vec<String>,
    pub vectors: Vec<Vec<f32>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PointMeta {
    pub knowledge_id: i32,
    pub category: String,
    pub question: String,
    pub answer: String,
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
}

/// Texts from which one question's scan is split over the cores.
const PARALLEL_FROM: usize = 20_000;

#[derive(Debug, Default)]
pub struct Index {
    dim: usize,
    points: Vec<PointMeta>,
    /// For each text, the point it belongs to.
    owner: Vec<u32>,
    /// Text vectors, row after row.
    matrix: Vec<f32>,
    lexical: Lexical,
}

impl Index {
    pub fn build<'a>(docs: impl IntoIterator<Item = &'a PointDoc>, dim: usize) -> Index {
        let mut index = Index { dim, ..Default::default() };
        let mut all_texts: Vec<&str> = Vec::new();
        for doc in docs {
            let p = index.points.len() as u32;
            for (text, vector) in doc.texts.iter().zip(&doc.vectors) {
                debug_assert_eq!(vector.len(), dim);
                index.owner.push(p);
                index.matrix.extend_from_slice(vector);
                all_texts.push(text);
            }
            index.points.push(PointMeta {
                knowledge_id: doc.knowledge_id,
                category: doc.category.clone(),
                question: doc.question.clone(),
                answer: doc.answer.clone(),
            });
        }
        index.lexical = Lexical::build(all_texts.into_iter());
        index
    }

    pub fn points(&self) -> &[PointMeta] {
        &self.points
    }

    pub fn texts(&self) -> usize {
        self.owner.len()
    }

    /// The best `k` points for a question, best first.
    pub fn rank(&self, vector: &[f32], question: &str, scoring: &Scoring, k: usize) -> Vec<Scored> {
        let n = self.points.len();
        if n == 0 {
            return Vec::new();
        }
        // Every text's cosine; split over the cores once the scan is long enough to pay for it.
        let sims: Vec<f32> = if self.owner.len() >= PARALLEL_FROM {
            use rayon::prelude::*;
            self.matrix.par_chunks_exact(self.dim).map(|row| dot(row, vector)).collect()
        } else {
            self.matrix.chunks_exact(self.dim).map(|row| dot(row, vector)).collect()
        };
        // The three closest texts of every point, best first.
        let mut top3 = vec![[f32::MIN; 3]; n];
        for (&s, &p) in sims.iter().zip(&self.owner) {
            let t = &mut top3[p as usize];
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
        let beta = scoring.neighbour_weight;
        let semantic: Vec<f32> = top3
            .iter()
            .map(|t| {
                let (sum, count) =
                    t.iter().filter(|s| **s > f32::MIN).fold((0f32, 0usize), |(sum, n), s| (sum + s, n + 1));
                (1.0 - beta) * t[0] + beta * sum / count.max(1) as f32
            })
            .collect();
        let mut lexical = vec![0f32; n];
        for (text, s) in self.lexical.scores(question) {
            let p = self.owner[text as usize] as usize;
            lexical[p] = lexical[p].max(s);
        }
        let w = scoring.lexical_weight
            + (scoring.lexical_weight_cjk - scoring.lexical_weight) * cjk_share(question);
        let mut scored: Vec<Scored> = (0..n)
            .map(|p| Scored {
                point: p,
                score: (1.0 - w) * semantic[p] + w * lexical[p],
                semantic: semantic[p],
                lexical: lexical[p],
            })
            .collect();
        let k = k.min(n);
        scored.select_nth_unstable_by(k - 1, |a, b| b.score.total_cmp(&a.score));
        scored.truncate(k);
        scored.sort_by(|a, b| b.score.total_cmp(&a.score));
        scored
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
                texts: vec!["where is my card".into(), "card not arrived".into()],
                vectors: vec![unit(&[1.0, 0.0, 0.0]), unit(&[0.0, 1.0, 0.0])],
            },
            PointDoc {
                knowledge_id: 2,
                category: "B".into(),
                question: "宽带".into(),
                answer: "b".into(),
                texts: vec!["宽带断网了怎么办".into()],
                vectors: vec![unit(&[0.0, 0.0, 1.0])],
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
        let r = index.rank(&unit(&[0.1, 1.0, 0.0]), "x", &semantic_only, 5);
        assert_eq!((r.len(), r[0].point), (2, 0));
        assert!((r[0].semantic - unit(&[0.1, 1.0, 0.0])[1]).abs() < 1e-6, "the best of the point's texts");
        // A Chinese question far from every vector still finds its point by characters.
        let r = index.rank(&unit(&[1.0, 0.0, 0.0]), "宽带断网", &Scoring::default(), 1);
        assert_eq!(index.points()[r[0].point].knowledge_id, 2);
        assert!(r[0].lexical > 0.5);
    }
}
