//! The k-nearest-neighbour graph grouping works on: exact below `EXACT_UP_TO` vectors, from an
//! HNSW index (`hnsw_rs`) above, where n² dot products would take minutes.

use hnsw_rs::prelude::{Distance, Hnsw};
use rayon::prelude::*;

use super::dot;

/// Below this many vectors the neighbour graph is computed exactly (n² dot products are cheap).
pub const EXACT_UP_TO: usize = 5_000;

/// Each vector's `k` nearest others with their cosine, most similar first.
pub fn knn_graph(vectors: &[Vec<f32>], k: usize) -> Vec<Vec<(usize, f32)>> {
    if vectors.len() <= EXACT_UP_TO {
        return exact_knn(vectors, k);
    }
    let positions: Vec<Option<usize>> = (0..vectors.len()).map(Some).collect();
    knn_graph_with(vectors, &NeighbourIndex::build(vectors), &positions, k)
}

/// [`knn_graph`] from an index already built, whose id `j` stands for `vectors[positions[j]]`
/// (`None`: an entry no longer wanted, skipped). Exact below `EXACT_UP_TO` vectors.
pub fn knn_graph_with(
    vectors: &[Vec<f32>],
    index: &NeighbourIndex,
    positions: &[Option<usize>],
    k: usize,
) -> Vec<Vec<(usize, f32)>> {
    if vectors.len() <= EXACT_UP_TO {
        return exact_knn(vectors, k);
    }
    // Itself and k others; a few more when some entries will be skipped.
    let wanted = if positions.iter().any(Option::is_none) { k + 1 + k / 2 } else { k + 1 };
    vectors
        .par_iter()
        .enumerate()
        .map(|(i, v)| {
            index
                .nearest(v, wanted)
                .into_iter()
                .filter_map(|(id, s)| {
                    positions.get(id).copied().flatten().filter(|&p| p != i).map(|p| (p, s))
                })
                .take(k)
                .collect()
        })
        .collect()
}

fn exact_knn(vectors: &[Vec<f32>], k: usize) -> Vec<Vec<(usize, f32)>> {
    vectors
        .par_iter()
        .enumerate()
        .map(|(i, v)| {
            let mut near: Vec<(usize, f32)> =
                vectors.iter().enumerate().filter(|&(j, _)| j != i).map(|(j, w)| (j, dot(v, w))).collect();
            let k = k.min(near.len());
            if k > 0 {
                near.select_nth_unstable_by(k - 1, |a, b| b.1.total_cmp(&a.1));
            }
            near.truncate(k);
            near.sort_by(|a, b| b.1.total_cmp(&a.1));
            near
        })
        .collect()
}

/// An HNSW index over unit vectors (dot-product distance), ids are positions in the input.
pub struct NeighbourIndex {
    hnsw: Hnsw<'static, f32, CosineDistance>,
}

impl NeighbourIndex {
    /// Connections per node and construction breadth: chosen on the clustering benchmark, where
    /// they give the same groups as the exact graph at a fraction of the time.
    const CONNECTIONS: usize = 8;
    const EF_CONSTRUCTION: usize = 32;
    const EF_SEARCH: usize = 16;

    pub fn build(vectors: &[Vec<f32>]) -> Self {
        let index = Self::empty(vectors.len());
        let items: Vec<(&[f32], usize)> =
            vectors.iter().enumerate().map(|(i, v)| (v.as_slice(), i)).collect();
        index.hnsw.parallel_insert_slice(&items);
        index
    }

    pub fn empty(capacity: usize) -> Self {
        let layers = 16.min((capacity.max(2) as f32).ln().ceil() as usize).max(1);
        let hnsw =
            Hnsw::new(Self::CONNECTIONS, capacity.max(1024), layers, Self::EF_CONSTRUCTION, CosineDistance);
        NeighbourIndex { hnsw }
    }

    pub fn insert(&self, vector: &[f32], id: usize) {
        self.hnsw.insert_slice((vector, id));
    }

    pub fn len(&self) -> usize {
        self.hnsw.get_nb_point()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Up to `k` ids with their cosine, most similar first.
    pub fn nearest(&self, vector: &[f32], k: usize) -> Vec<(usize, f32)> {
        if self.is_empty() {
            return Vec::new();
        }
        self.hnsw
            .search(vector, k, Self::EF_SEARCH.max(k))
            .into_iter()
            .map(|n| (n.d_id, 1.0 - n.distance))
            .collect()
    }
}

/// `1 - cosine` of unit vectors, clamped at zero: the crate's own `DistDot` asserts on the
/// rounding of two equal vectors (a dot product of 1.0000001).
pub struct CosineDistance;

impl Distance<f32> for CosineDistance {
    fn eval(&self, a: &[f32], b: &[f32]) -> f32 {
        (1.0 - dot(a, b)).max(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(v: &[f32]) -> Vec<f32> {
        crate::clustering::normalized(v.to_vec())
    }

    #[test]
    fn the_hnsw_index_finds_the_true_nearest_neighbour() {
        let vectors: Vec<Vec<f32>> = (0..200)
            .map(|i| unit(&[(i as f32 * 0.37).sin(), (i as f32 * 0.11).cos(), 1.0 + (i % 7) as f32]))
            .collect();
        let index = NeighbourIndex::build(&vectors);
        let exact = exact_knn(&vectors, 1);
        // The search is approximate and its levels random: count, do not demand every answer.
        let (mut selves, mut agree) = (0, 0);
        for (i, v) in vectors.iter().enumerate() {
            let found = index.nearest(v, 3);
            if found.iter().any(|f| f.0 == i) {
                selves += 1;
            }
            let other = found.iter().find(|f| f.0 != i);
            if other.is_some_and(|o| (o.1 - exact[i][0].1).abs() < 1e-5) {
                agree += 1;
            }
        }
        assert!(selves >= 196, "{selves} of 200 points found themselves");
        assert!(agree >= 196, "{agree} of 200 nearest neighbours found");
    }
}
