//! Where published points compete by meaning: the texts (typical questions and phrasings) of
//! one point that the model puts nearer to another point than to the rest of their own.
//!
//! A text's score with a point is the matcher's semantic score (its closest text blended with
//! the next closest, [`Scoring::neighbour_weight`]); with its own point it is the same score
//! over the point's *other* texts, so a text is not its own evidence. A point with a single text
//! has no such score: its text crosses when the other point would answer it outright
//! ([`Scoring::answer_score`]). The lexical side of the matcher is left out: this is about
//! meaning, and two phrasings sharing words are not a conflict.
//!
//! Comparing every text with every other is quadratic (10¹⁰ products at 100k texts), so the
//! comparison runs in two stages: each point's centroid finds its [`NEIGHBOURS`] nearest points,
//! and only those pairs are compared text by text. Everything runs on the f16 rows the index
//! already holds, widened a point at a time.

use std::collections::BTreeSet;

use rayon::prelude::*;

use crate::matching::index::Top3;
use crate::matching::kernels::product;
use crate::matching::{PointDoc, Scoring};

/// Points each point is compared with text by text.
pub const NEIGHBOURS: usize = 10;

/// One text nearer to another point than to its own.
#[derive(Debug, Clone, PartialEq)]
pub struct TextCrossing {
    /// The point the text belongs to, and its place among the point's texts (0: the question).
    pub from: i32,
    pub text: usize,
    pub own: Option<f32>,
    pub other: f32,
}

impl TextCrossing {
    /// How far past its own point the text lies.
    pub fn margin(&self, bar: f32) -> f32 {
        self.other - self.own.unwrap_or(bar)
    }
}

/// Two points (the lower id first) and the texts of either that cross to the other.
#[derive(Debug, Clone, PartialEq)]
pub struct PairCrossings {
    pub first: i32,
    pub second: i32,
    pub crossings: Vec<TextCrossing>,
}

/// What one point brings to the comparison.
struct Prepared {
    centroid: Vec<f32>,
    /// Each text's semantic score with the point's other texts.
    own: Vec<Option<f32>>,
}

/// The pairs of `docs` with at least one crossing text, most crossings first.
pub fn crossings(docs: &[PointDoc], dim: usize, scoring: &Scoring) -> Vec<PairCrossings> {
    if docs.len() < 2 || dim == 0 {
        return Vec::new();
    }
    let beta = scoring.neighbour_weight;
    let prepared: Vec<Prepared> = docs.par_iter().map(|d| prepare(d, dim, beta)).collect();
    let pairs = candidate_pairs(&prepared, dim);
    let mut found: Vec<PairCrossings> = pairs
        .into_par_iter()
        .filter_map(|(a, b)| {
            let crossings = compare(&docs[a], &prepared[a], &docs[b], &prepared[b], dim, scoring);
            let (first, second) = if docs[a].knowledge_id < docs[b].knowledge_id { (a, b) } else { (b, a) };
            (!crossings.is_empty()).then(|| PairCrossings {
                first: docs[first].knowledge_id,
                second: docs[second].knowledge_id,
                crossings,
            })
        })
        .collect();
    found.sort_by(|x, y| {
        y.crossings.len().cmp(&x.crossings.len()).then((x.first, x.second).cmp(&(y.first, y.second)))
    });
    found
}

fn prepare(doc: &PointDoc, dim: usize, beta: f32) -> Prepared {
    let rows = doc.vectors.widen();
    let n = rows.len() / dim;
    let mut centroid = vec![0f32; dim];
    for row in rows.chunks_exact(dim) {
        centroid.iter_mut().zip(row).for_each(|(c, x)| *c += x);
    }
    let norm = centroid.iter().map(|x| x * x).sum::<f32>().sqrt().max(f32::EPSILON);
    centroid.iter_mut().for_each(|c| *c /= norm);
    let mut sims = vec![0f32; n * n];
    product(&rows, &rows, &mut sims, n, n, dim);
    let own = (0..n)
        .map(|i| {
            let mut top = Top3::default();
            (0..n).filter(|&j| j != i).for_each(|j| top.push(sims[i * n + j]));
            (!top.is_empty()).then(|| top.semantic(beta))
        })
        .collect();
    Prepared { centroid, own }
}

/// Each point with its [`NEIGHBOURS`] nearest by centroid, as pairs of positions (each once).
fn candidate_pairs(prepared: &[Prepared], dim: usize) -> BTreeSet<(usize, usize)> {
    const CHUNK: usize = 64;
    let p = prepared.len();
    let centroids: Vec<f32> = prepared.iter().flat_map(|x| x.centroid.iter().copied()).collect();
    let k = NEIGHBOURS.min(p - 1);
    let nearest: Vec<Vec<(usize, usize)>> = centroids
        .par_chunks(CHUNK * dim)
        .enumerate()
        .map(|(c, queries)| {
            let b = queries.len() / dim;
            let mut sims = vec![0f32; b * p];
            product(queries, &centroids, &mut sims, b, p, dim);
            (0..b)
                .flat_map(|i| {
                    let me = c * CHUNK + i;
                    let row = &sims[i * p..(i + 1) * p];
                    let mut order: Vec<usize> = (0..p).filter(|&j| j != me).collect();
                    order.select_nth_unstable_by(k - 1, |x, y| row[*y].total_cmp(&row[*x]));
                    order.truncate(k);
                    order.into_iter().map(move |j| (me.min(j), me.max(j)))
                })
                .collect()
        })
        .collect();
    nearest.into_iter().flatten().collect()
}

/// The texts of `a` nearer to `b` than to the rest of `a`, and the other way round.
fn compare(
    a: &PointDoc,
    pa: &Prepared,
    b: &PointDoc,
    pb: &Prepared,
    dim: usize,
    scoring: &Scoring,
) -> Vec<TextCrossing> {
    let (ra, rb) = (a.vectors.widen(), b.vectors.widen());
    let (na, nb) = (ra.len() / dim, rb.len() / dim);
    let mut sims = vec![0f32; na * nb];
    product(&ra, &rb, &mut sims, na, nb, dim);
    let beta = scoring.neighbour_weight;
    let crosses = |own: Option<f32>, other: f32| match own {
        Some(own) => other > own,
        None => other >= scoring.answer_score,
    };
    let mut out = Vec::new();
    for i in 0..na {
        let mut top = Top3::default();
        sims[i * nb..(i + 1) * nb].iter().for_each(|&s| top.push(s));
        let other = top.semantic(beta);
        if crosses(pa.own[i], other) {
            out.push(TextCrossing { from: a.knowledge_id, text: i, own: pa.own[i], other });
        }
    }
    for j in 0..nb {
        let mut top = Top3::default();
        (0..na).for_each(|i| top.push(sims[i * nb + j]));
        let other = top.semantic(beta);
        if crosses(pb.own[j], other) {
            out.push(TextCrossing { from: b.knowledge_id, text: j, own: pb.own[j], other });
        }
    }
    let bar = scoring.answer_score;
    out.sort_by(|x, y| y.margin(bar).total_cmp(&x.margin(bar)));
    out
}
