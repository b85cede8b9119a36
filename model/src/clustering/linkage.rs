//! Average linkage (UPGMA) by the nearest-neighbour chain algorithm: the whole dendrogram in
//! O(n²) time and memory, exact, then cut at a similarity threshold.

/// One merge of the dendrogram: two groups (named by a member) and their mean similarity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Merge {
    pub a: usize,
    pub b: usize,
    pub similarity: f32,
}

/// Every merge of average linkage over cosine similarity of unit vectors.
pub fn dendrogram(vectors: &[Vec<f32>]) -> Vec<Merge> {
    let n = vectors.len();
    let mut sim = vec![0f32; n * n];
    for i in 0..n {
        for j in i + 1..n {
            let s = super::dot(&vectors[i], &vectors[j]);
            sim[i * n + j] = s;
            sim[j * n + i] = s;
        }
    }
    let mut size = vec![1f32; n];
    let mut alive = vec![true; n];
    let mut merges = Vec::with_capacity(n.saturating_sub(1));
    let mut chain: Vec<usize> = Vec::new();
    while merges.len() + 1 < n {
        if chain.is_empty() {
            chain.push((0..n).find(|&i| alive[i]).expect("a living group"));
        }
        let a = chain[chain.len() - 1];
        let prev = chain.len().checked_sub(2).map(|i| chain[i]);
        // The most similar living group; on a tie the previous link wins, which ends the chain.
        let mut best = (usize::MAX, f32::NEG_INFINITY);
        for b in 0..n {
            if alive[b] && b != a {
                let s = sim[a * n + b];
                if s > best.1 || (s == best.1 && Some(b) == prev) {
                    best = (b, s);
                }
            }
        }
        let (b, s) = best;
        if Some(b) != prev {
            chain.push(b);
            continue;
        }
        // Reciprocal nearest neighbours: merge b into a (Lance–Williams update for UPGMA).
        chain.truncate(chain.len() - 2);
        for c in 0..n {
            if alive[c] && c != a && c != b {
                let merged = (size[a] * sim[a * n + c] + size[b] * sim[b * n + c]) / (size[a] + size[b]);
                sim[a * n + c] = merged;
                sim[c * n + a] = merged;
            }
        }
        size[a] += size[b];
        alive[b] = false;
        merges.push(Merge { a, b, similarity: s });
    }
    merges
}

/// Flat groups: the merges at or above `threshold`. Average linkage is monotone, so these form
/// whole subtrees and their order does not matter.
pub fn cut(n: usize, merges: &[Merge], threshold: f32) -> Vec<usize> {
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for m in merges.iter().filter(|m| m.similarity >= threshold) {
        let (ra, rb) = (find(&mut parent, m.a), find(&mut parent, m.b));
        parent[rb] = ra;
    }
    super::relabel((0..n).map(|i| find(&mut parent, i)).collect())
}

/// The two-stage variant compared in the benchmark: average linkage cut at `merge`, then each
/// group below `small` members attached to the closest larger one if their centres' cosine is at
/// least `attach`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TwoStage {
    pub merge: f32,
    pub small: usize,
    pub attach: f32,
}

/// Both stages exactly (O(n²) memory).
pub fn two_stage(vectors: &[Vec<f32>], p: &TwoStage) -> Vec<usize> {
    super::attach_small(vectors, average_linkage(vectors, p.merge), p.small, p.attach)
}

/// Labels `0..k`: groups merged while the mean similarity between their members is at least
/// `threshold`.
pub fn average_linkage(vectors: &[Vec<f32>], threshold: f32) -> Vec<usize> {
    cut(vectors.len(), &dendrogram(vectors), threshold)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_tight_pairs_and_a_loner() {
        let v = |x: f32, y: f32, z: f32| {
            let n = (x * x + y * y + z * z).sqrt();
            vec![x / n, y / n, z / n]
        };
        let vectors =
            vec![v(1.0, 0.0, 0.0), v(0.0, 1.0, 0.0), v(1.0, 0.1, 0.0), v(0.1, 1.0, 0.0), v(0.0, 0.0, 1.0)];
        let merges = dendrogram(&vectors);
        assert_eq!(merges.len(), 4);
        assert_eq!(average_linkage(&vectors, 0.9), vec![0, 1, 0, 1, 2]);
        assert_eq!(average_linkage(&vectors, 2.0), vec![0, 1, 2, 3, 4]);
        assert_eq!(average_linkage(&vectors, -2.0), vec![0, 0, 0, 0, 0]);
    }
}
