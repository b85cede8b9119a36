//! Grouping questions by meaning without being told how many groups there are.
//!
//! Two stages, chosen by measurement on Banking77 (`cargo bench -p model --bench clustering`):
//! average linkage over cosine similarity stops merging at a tight threshold, which keeps groups
//! pure but leaves many small ones; small groups are then attached to the group whose centre is
//! closest, when it is close enough, which recovers the rest of each intent.

pub mod linkage;
pub mod metrics;

pub use linkage::average_linkage;

/// Parameters of the two stages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grouping {
    /// Average linkage merges two groups while their mean similarity is at least this.
    pub merge: f32,
    /// Groups smaller than this are attached to the nearest larger group...
    pub small: usize,
    /// ...when the cosine between their centres is at least this.
    pub attach: f32,
}

impl Default for Grouping {
    fn default() -> Self {
        Grouping { merge: 0.6, small: 8, attach: 0.6 }
    }
}

/// Labels `0..k` for unit vectors, one per vector.
pub fn group(vectors: &[Vec<f32>], p: &Grouping) -> Vec<usize> {
    let labels = average_linkage(vectors, p.merge);
    attach_small(vectors, labels, p.small, p.attach)
}

/// The second stage: each group below `small` members joins the closest group of at least
/// `small` members if their centres' cosine is at least `attach`.
pub fn attach_small(vectors: &[Vec<f32>], labels: Vec<usize>, small: usize, attach: f32) -> Vec<usize> {
    let k = labels.iter().copied().max().map_or(0, |m| m + 1);
    let dim = vectors.first().map_or(0, Vec::len);
    let mut sums = vec![vec![0f32; dim]; k];
    let mut sizes = vec![0usize; k];
    for (v, &l) in vectors.iter().zip(&labels) {
        sizes[l] += 1;
        for (s, x) in sums[l].iter_mut().zip(v) {
            *s += x;
        }
    }
    let centres: Vec<Vec<f32>> = sums
        .into_iter()
        .map(|s| {
            let n = s.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
            s.into_iter().map(|x| x / n).collect()
        })
        .collect();
    let big: Vec<usize> = (0..k).filter(|&c| sizes[c] >= small).collect();
    let mut target: Vec<usize> = (0..k).collect();
    for c in (0..k).filter(|&c| sizes[c] < small) {
        let best = big.iter().map(|&b| (b, dot(&centres[c], &centres[b]))).max_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((b, sim)) = best {
            if sim >= attach {
                target[c] = b;
            }
        }
    }
    relabel(labels.into_iter().map(|l| target[l]).collect())
}

/// Labels renumbered `0..k` in order of first appearance.
pub fn relabel(labels: Vec<usize>) -> Vec<usize> {
    let mut map = std::collections::HashMap::new();
    labels
        .into_iter()
        .map(|l| {
            let next = map.len();
            *map.entry(l).or_insert(next)
        })
        .collect()
}

pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_groups_join_a_close_big_one_and_far_ones_stay_apart() {
        let v = |x: f32, y: f32| {
            let n = (x * x + y * y).sqrt();
            vec![x / n, y / n]
        };
        let vectors = vec![v(1.0, 0.0), v(1.0, 0.05), v(1.0, 0.1), v(0.9, 0.3), v(0.0, 1.0)];
        let labels = vec![0, 0, 0, 1, 2];
        let joined = attach_small(&vectors, labels, 2, 0.9);
        assert_eq!(joined, vec![0, 0, 0, 0, 1]);
    }
}
