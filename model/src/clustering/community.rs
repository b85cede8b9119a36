//! Community detection on the nearest-neighbour graph (Louvain: move single nodes to the
//! neighbouring community that raises modularity most, then treat communities as nodes and repeat).
//! Compared with the linkage method in the clustering benchmark.
//!
//! The graph is kept as flat adjacency arrays and each node's links to neighbouring communities
//! are summed in a reused dense array: at 100k questions and 1.5M links this is what keeps a
//! regrouping within seconds (hash maps per node were several times slower).

/// Weighted undirected graph in compressed rows: `targets[starts[i]..starts[i + 1]]`.
struct Graph {
    starts: Vec<usize>,
    targets: Vec<usize>,
    weights: Vec<f64>,
}

impl Graph {
    fn len(&self) -> usize {
        self.starts.len() - 1
    }

    fn links(&self, i: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let range = self.starts[i]..self.starts[i + 1];
        self.targets[range.clone()].iter().copied().zip(self.weights[range].iter().copied())
    }

    /// From (a, b, weight) triples, both directions; parallel edges summed.
    fn from_edges(n: usize, mut edges: Vec<(usize, usize, f64)>) -> Graph {
        let mut both: Vec<(usize, usize, f64)> = Vec::with_capacity(edges.len() * 2);
        for (a, b, w) in edges.drain(..) {
            both.push((a, b, w));
            if a != b {
                both.push((b, a, w));
            }
        }
        both.sort_unstable_by_key(|&(a, b, _)| (a, b));
        let mut starts = vec![0usize; n + 1];
        let (mut targets, mut weights): (Vec<usize>, Vec<f64>) = (Vec::new(), Vec::new());
        let mut last: Option<(usize, usize)> = None;
        for (a, b, w) in both {
            if last == Some((a, b)) {
                *weights.last_mut().expect("a previous edge") += w;
            } else {
                targets.push(b);
                weights.push(w);
                starts[a + 1] += 1;
                last = Some((a, b));
            }
        }
        for i in 0..n {
            starts[i + 1] += starts[i];
        }
        Graph { starts, targets, weights }
    }
}

/// Labels `0..k`. Edges are the kNN graph made symmetric, weighted by `max(0, cosine - floor)`
/// (a pair found from both sides counts once); `resolution` above 1 favours smaller communities.
pub fn louvain(graph: &[Vec<(usize, f32)>], floor: f32, resolution: f64) -> Vec<usize> {
    let n = graph.len();
    let mut edges: Vec<(usize, usize, f64)> = Vec::new();
    for (i, near) in graph.iter().enumerate() {
        for &(j, s) in near {
            let w = f64::from(s - floor);
            if i != j && w > 0.0 {
                edges.push((i.min(j), i.max(j), w));
            }
        }
    }
    // A pair found from both ends is one link.
    edges.sort_unstable_by_key(|&(a, b, _)| (a, b));
    edges.dedup_by_key(|e| (e.0, e.1));
    let mut g = Graph::from_edges(n, edges);
    let mut labels: Vec<usize> = (0..n).collect();
    loop {
        let community = local_moving(&g, resolution);
        let k = community.iter().copied().max().map_or(0, |m| m + 1);
        for l in labels.iter_mut() {
            *l = community[*l];
        }
        if k == g.len() {
            return super::relabel(labels);
        }
        // One node per community; links between communities summed, internal ones as self-loops
        // (each internal link seen from both ends, so halved to count once).
        let mut next = Vec::new();
        for i in 0..g.len() {
            for (j, w) in g.links(i) {
                let (a, b) = (community[i], community[j]);
                if a < b || (a == b && i <= j) {
                    next.push((a, b, w));
                }
            }
        }
        g = Graph::from_edges(k, next);
    }
}

/// One level of Louvain: community per node, renumbered `0..k`.
fn local_moving(g: &Graph, resolution: f64) -> Vec<usize> {
    let n = g.len();
    // A self-loop counts twice in a node's strength, as in the usual definition.
    let strength: Vec<f64> =
        (0..n).map(|i| g.links(i).map(|(j, w)| if j == i { 2.0 * w } else { w }).sum()).collect();
    let total: f64 = strength.iter().sum();
    if total == 0.0 {
        return (0..n).collect();
    }
    let mut community: Vec<usize> = (0..n).collect();
    let mut community_strength = strength.clone();
    // Links from the current node to each community, and which entries are set.
    let mut to = vec![0f64; n];
    let mut touched: Vec<usize> = Vec::new();
    let mut moved = true;
    let mut rounds = 0;
    while moved && rounds < 50 {
        moved = false;
        rounds += 1;
        for i in 0..n {
            let own = community[i];
            for (j, w) in g.links(i) {
                if j != i {
                    let c = community[j];
                    if to[c] == 0.0 {
                        touched.push(c);
                    }
                    to[c] += w;
                }
            }
            community_strength[own] -= strength[i];
            let gain =
                |c: usize, links: f64| links - resolution * community_strength[c] * strength[i] / total;
            let mut best = (own, gain(own, to[own]));
            for &c in &touched {
                let g = gain(c, to[c]);
                if g > best.1 + 1e-12 {
                    best = (c, g);
                }
            }
            community_strength[best.0] += strength[i];
            if best.0 != own {
                community[i] = best.0;
                moved = true;
            }
            for &c in &touched {
                to[c] = 0.0;
            }
            touched.clear();
        }
    }
    super::relabel(community)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_cliques_joined_by_one_weak_edge_are_two_communities() {
        let mut graph: Vec<Vec<(usize, f32)>> = vec![Vec::new(); 8];
        for group in [[0, 1, 2, 3], [4, 5, 6, 7]] {
            for &a in &group {
                for &b in &group {
                    if a != b {
                        graph[a].push((b, 0.9));
                    }
                }
            }
        }
        graph[3].push((4, 0.3));
        assert_eq!(louvain(&graph, 0.0, 1.0), vec![0, 0, 0, 0, 1, 1, 1, 1]);
        // Below the floor the weak edge is gone; a high resolution splits the cliques.
        assert_eq!(louvain(&graph, 0.5, 1.0), vec![0, 0, 0, 0, 1, 1, 1, 1]);
        assert_eq!(louvain(&graph, 0.0, 50.0).iter().max(), Some(&7));
    }
}
