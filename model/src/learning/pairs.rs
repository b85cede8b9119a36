//! Training pairs for one epoch: each text of a point is an anchor, another text of the same
//! point its positive, and a text of the point nearest to it its hard negative (the point a
//! customer's question is most likely to be confused with). A point with counter-examples (texts
//! trainers ruled out of it) takes one of them as the hard negative for half its anchors: the
//! confusion a trainer saw beats the one the base model guesses. Batches are shuffled with a
//! seed, so a run is repeatable.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use super::loss::Batch;

/// One training text: the point it belongs to and how much it counts (a clarify choice, a
/// customer's pick among candidates, counts less than a phrasing a trainer wrote or linked).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Example {
    pub point: u32,
    pub weight: f32,
}

/// The label of a text that belongs to no point: a counter-example nobody linked elsewhere. It is
/// never an anchor, and nothing is masked against it.
pub const NO_POINT: u32 = u32::MAX;

/// A text trainers ruled out of `point`: `example` indexes the examples (and the vectors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counter {
    pub point: u32,
    pub example: usize,
}

/// Indices into the examples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    pub anchor: usize,
    pub positive: usize,
    pub negative: usize,
}

/// For each point, the other point whose mean vector is closest (`None` when it is alone).
pub fn nearest_points(examples: &[Example], vectors: &[Vec<f32>]) -> Vec<Option<u32>> {
    let points =
        examples.iter().filter(|e| e.point != NO_POINT).map(|e| e.point as usize + 1).max().unwrap_or(0);
    let dim = vectors.first().map_or(0, Vec::len);
    let mut centres = vec![vec![0f32; dim]; points];
    for (e, v) in examples.iter().zip(vectors).filter(|(e, _)| e.point != NO_POINT) {
        centres[e.point as usize].iter_mut().zip(v).for_each(|(c, x)| *c += x);
    }
    (0..points)
        .map(|p| {
            (0..points)
                .filter(|&q| q != p && centres[q].iter().any(|x| *x != 0.0))
                .map(|q| (q, crate::embedding::dot(&centres[p], &centres[q]) / norm(&centres[q])))
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(q, _)| q as u32)
        })
        .collect()
}

fn norm(v: &[f32]) -> f32 {
    crate::embedding::dot(v, v).sqrt().max(1e-12)
}

/// How many batches an epoch over these examples has.
pub fn batches_per_epoch(examples: &[Example], batch: usize) -> usize {
    let mut per_point = std::collections::HashMap::<u32, usize>::new();
    examples.iter().filter(|e| e.point != NO_POINT).for_each(|e| *per_point.entry(e.point).or_default() += 1);
    let anchors = examples.iter().filter(|e| e.point != NO_POINT && per_point[&e.point] >= 2).count();
    anchors.div_ceil(batch.max(1))
}

/// The epoch's batches: every text with a sibling is an anchor once.
pub fn epoch(
    examples: &[Example],
    nearest: &[Option<u32>],
    counters: &[Counter],
    batch: usize,
    seed: u64,
) -> Vec<(Vec<Pair>, Batch)> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut by_point: Vec<Vec<usize>> = vec![Vec::new(); nearest.len()];
    for (i, e) in examples.iter().enumerate().filter(|(_, e)| e.point != NO_POINT) {
        by_point[e.point as usize].push(i);
    }
    let mut ruled_out: Vec<Vec<usize>> = vec![Vec::new(); nearest.len()];
    for c in counters.iter().filter(|c| (c.point as usize) < nearest.len()) {
        ruled_out[c.point as usize].push(c.example);
    }
    let mut pairs: Vec<Pair> = Vec::new();
    for (i, e) in examples.iter().enumerate() {
        if e.point == NO_POINT {
            continue;
        }
        let siblings = &by_point[e.point as usize];
        if siblings.len() < 2 {
            continue;
        }
        let positive = loop {
            let j = siblings[rng.random_range(0..siblings.len())];
            if j != i {
                break j;
            }
        };
        // Only a point with counter-examples draws here: without them a run is the same as before.
        let counter = &ruled_out[e.point as usize];
        if !counter.is_empty() && rng.random_bool(0.5) {
            let negative = counter[rng.random_range(0..counter.len())];
            pairs.push(Pair { anchor: i, positive, negative });
            continue;
        }
        // A point with no neighbour (a knowledge base of one point) contrasts with itself only
        // through the other anchors of the batch.
        let negative = nearest[e.point as usize]
            .map(|q| &by_point[q as usize])
            .filter(|texts| !texts.is_empty())
            .map_or(positive, |texts| texts[rng.random_range(0..texts.len())]);
        pairs.push(Pair { anchor: i, positive, negative });
    }
    pairs.shuffle(&mut rng);
    pairs
        .chunks(batch.max(1))
        .map(|chunk| {
            let batch = Batch {
                points: chunk.iter().map(|p| examples[p.anchor].point).collect(),
                negative_points: chunk.iter().map(|p| examples[p.negative].point).collect(),
                weights: chunk
                    .iter()
                    .map(|p| examples[p.anchor].weight.min(examples[p.positive].weight))
                    .collect(),
            };
            (chunk.to_vec(), batch)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(point: u32) -> Example {
        Example { point, weight: 1.0 }
    }

    #[test]
    fn positives_share_the_point_and_negatives_come_from_the_nearest_one() {
        let examples = [ex(0), ex(0), ex(0), ex(1), ex(1), ex(2)];
        let vectors = vec![
            vec![1.0, 0.0],
            vec![1.0, 0.1],
            vec![0.9, 0.1],
            vec![0.8, 0.6],
            vec![0.7, 0.7],
            vec![-1.0, 0.0],
        ];
        let nearest = nearest_points(&examples, &vectors);
        assert_eq!(nearest, vec![Some(1), Some(0), Some(1)]);
        let batches = epoch(&examples, &nearest, &[], 2, 7);
        let pairs: Vec<Pair> = batches.iter().flat_map(|(p, _)| p.clone()).collect();
        // Point 2 has one text: it is never an anchor, but serves as nobody's negative either.
        assert_eq!(pairs.len(), 5);
        assert_eq!(batches_per_epoch(&examples, 2), 3);
        for p in pairs {
            assert_ne!(p.anchor, p.positive);
            assert_eq!(examples[p.anchor].point, examples[p.positive].point);
            assert_eq!(Some(examples[p.negative].point), nearest[examples[p.anchor].point as usize]);
        }
        assert_eq!(epoch(&examples, &nearest, &[], 2, 7)[0].0, batches[0].0, "the same seed, the same epoch");
    }

    #[test]
    fn a_point_with_counter_examples_takes_them_as_negatives_and_they_never_anchor() {
        // Point 0 has three texts and two counter-examples (indices 5 and 6) linked nowhere.
        let mut examples = vec![ex(0), ex(0), ex(0), ex(1), ex(1)];
        examples.extend([Example { point: NO_POINT, weight: 0.0 }; 2]);
        let vectors = vec![vec![1.0, 0.0]; 7];
        let nearest = nearest_points(&examples, &vectors);
        assert_eq!(nearest, vec![Some(1), Some(0)], "a text of no point is nobody's neighbour");
        assert_eq!(batches_per_epoch(&examples, 4), 2, "the counter-examples are never anchors");
        let counters = [Counter { point: 0, example: 5 }, Counter { point: 0, example: 6 }];
        let mut from_counters = 0;
        for seed in 0..20 {
            let batches = epoch(&examples, &nearest, &counters, 4, seed);
            for (pairs, batch) in &batches {
                for (k, p) in pairs.iter().enumerate() {
                    assert!(p.anchor < 5);
                    if p.negative >= 5 {
                        assert_eq!(examples[p.anchor].point, 0, "only point 0's anchors take them");
                        assert_eq!(batch.negative_points[k], NO_POINT);
                        from_counters += 1;
                    }
                }
            }
        }
        // 20 epochs × 3 anchors of point 0, about half of them.
        assert!((15..=45).contains(&from_counters), "{from_counters}");
    }
}
