//! Grouping questions by meaning without being told how many groups there are.
//!
//! Chosen by measurement on Banking77 (`cargo bench -p model --bench clustering`, table in the
//! docs/development.md): Louvain community detection on the graph of each question's nearest neighbours,
//! edges weighted by how far their cosine is above a floor. It beat average linkage with a tuned
//! threshold, alone and with small groups attached to the nearest large one (kept in `linkage`
//! for that comparison), on quality and on the number of groups, and it scales: the graph comes
//! from an HNSW index, and Louvain is near linear in the edges.

pub mod community;
pub mod graph;
pub mod linkage;
pub mod metrics;

pub use crate::embedding::dot;

/// Parameters of the shipped method.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Grouping {
    /// Each question is linked to this many nearest others.
    pub neighbours: usize,
    /// A link weighs `cosine - floor`; links at or below the floor are dropped.
    pub floor: f32,
    /// Modularity resolution: higher finds more, smaller groups...
    pub resolution: f64,
    /// ...reached from this many questions on, and scaled down in proportion below: modularity
    /// compares a link with what the whole graph's size would predict, so the same resolution
    /// that suits thousands of questions splits a handful into singletons.
    pub full_resolution_from: usize,
    /// Between regroupings a new question joins the nearest group whose centre's cosine with it
    /// is at least this; otherwise it starts a group of its own.
    pub assign: f32,
    /// `floor` and `assign` for Chinese questions (mixed text in proportion to its Chinese
    /// characters): a model may score Chinese rephrasings on another scale than English ones
    /// (the fused model compares Chinese by e5 alone, English by a blend).
    pub floor_cjk: f32,
    pub assign_cjk: f32,
}

impl Default for Grouping {
    fn default() -> Self {
        Grouping {
            neighbours: 15,
            floor: 0.55,
            resolution: 8.0,
            full_resolution_from: 100,
            assign: 0.6,
            floor_cjk: 0.55,
            assign_cjk: 0.6,
        }
    }
}

/// Labels `0..k` for unit vectors, one per vector. Every vector belongs to exactly one group; a
/// question with no neighbour above the floor is a group of its own.
pub fn group(vectors: &[Vec<f32>], p: &Grouping) -> Vec<usize> {
    community::louvain(&graph::knn_graph(vectors, p.neighbours), p.floor, p.resolution_for(vectors.len()))
}

/// [`group`] for questions whose share of Chinese characters is `cjk` (one per vector): each
/// link is judged against the floor of its two questions' script.
pub fn group_by_script(vectors: &[Vec<f32>], cjk: &[f32], p: &Grouping) -> Vec<usize> {
    let graph = by_script(graph::knn_graph(vectors, p.neighbours), cjk, p);
    community::louvain(&graph, p.floor, p.resolution_for(vectors.len()))
}

/// Shifts each link's cosine so that [`community::louvain`] with `p.floor` applies the floor of
/// the link's script (the mean Chinese share of its two questions).
pub fn by_script(mut graph: Vec<Vec<(usize, f32)>>, cjk: &[f32], p: &Grouping) -> Vec<Vec<(usize, f32)>> {
    for (i, near) in graph.iter_mut().enumerate() {
        for (j, s) in near.iter_mut() {
            *s -= p.floor_for((cjk[i] + cjk[*j]) / 2.0) - p.floor;
        }
    }
    graph
}

impl Grouping {
    /// The link floor for questions with this share of Chinese characters.
    pub fn floor_for(&self, cjk: f32) -> f32 {
        self.floor + (self.floor_cjk - self.floor) * cjk
    }

    /// The joining threshold for a question with this share of Chinese characters.
    pub fn assign_for(&self, cjk: f32) -> f32 {
        self.assign + (self.assign_cjk - self.assign) * cjk
    }

    /// The resolution used for `n` questions (see `full_resolution_from`).
    pub fn resolution_for(&self, n: usize) -> f64 {
        self.resolution * (n as f64 / self.full_resolution_from.max(1) as f64).min(1.0)
    }
}

/// Each group's size and its centre (the normalised mean of its members).
pub struct Centres {
    pub unit: Vec<Vec<f32>>,
    pub sizes: Vec<usize>,
}

impl Centres {
    pub fn of(vectors: &[Vec<f32>], labels: &[usize]) -> Self {
        let k = labels.iter().copied().max().map_or(0, |m| m + 1);
        let dim = vectors.first().map_or(0, Vec::len);
        let mut sums = vec![vec![0f32; dim]; k];
        let mut sizes = vec![0usize; k];
        for (v, &l) in vectors.iter().zip(labels) {
            sizes[l] += 1;
            for (s, x) in sums[l].iter_mut().zip(v) {
                *s += x;
            }
        }
        Centres { unit: sums.into_iter().map(normalized).collect(), sizes }
    }

    pub fn len(&self) -> usize {
        self.sizes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sizes.is_empty()
    }
}

/// The vector scaled to length one (zero stays zero).
pub fn normalized(mut v: Vec<f32>) -> Vec<f32> {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    v.iter_mut().for_each(|x| *x /= n);
    v
}

/// The second stage, exactly: each group below `small` members joins the closest group of at
/// least `small` members if their centres' cosine is at least `attach`.
pub fn attach_small(vectors: &[Vec<f32>], labels: Vec<usize>, small: usize, attach: f32) -> Vec<usize> {
    let centres = Centres::of(vectors, &labels);
    let big: Vec<usize> = (0..centres.len()).filter(|&c| centres.sizes[c] >= small).collect();
    let mut target: Vec<usize> = (0..centres.len()).collect();
    for c in (0..centres.len()).filter(|&c| centres.sizes[c] < small) {
        let best = big
            .iter()
            .map(|&b| (b, dot(&centres.unit[c], &centres.unit[b])))
            .max_by(|a, b| a.1.total_cmp(&b.1));
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
