//! Community detection on the nearest-neighbour graph (Louvain: move single nodes to the
//! neighbouring community that raises modularity most, then treat communities as nodes and repeat).
//! Compared with the linkage method in the clustering benchmark.

use std::collections::HashMap;

/// Labels `0..k`. Edges are the kNN graph made symmetric, weighted by `max(0, cosine - floor)`;
/// `resolution` above 1 favours smaller communities.
pub fn louvain(graph: &[Vec<(usize, f32)>], floor: f32, resolution: f64) -> Vec<usize> {
    let n = graph.len();
    let mut edges: Vec<HashMap<usize, f64>> = vec![HashMap::new(); n];
    for (i, near) in graph.iter().enumerate() {
        for &(j, s) in near {
            let w = f64::from(s - floor).max(0.0);
            if i != j && w > 0.0 {
                edges[i].insert(j, w);
                edges[j].insert(i, w);
            }
        }
    }
    let mut labels: Vec<usize> = (0..n).collect();
    loop {
        let community = local_moving(&edges, resolution);
        let k = community.iter().copied().max().map_or(0, |m| m + 1);
        for l in labels.iter_mut() {
            *l = community[*l];
        }
        if k == edges.len() {
            return super::relabel(labels);
        }
        // One node per community; edges between communities summed, internal ones as self-loops.
        let mut next: Vec<HashMap<usize, f64>> = vec![HashMap::new(); k];
        for (i, near) in edges.iter().enumerate() {
            for (&j, &w) in near {
                *next[community[i]].entry(community[j]).or_default() += w;
            }
        }
        edges = next;
    }
}

/// One level of Louvain: community per node, renumbered `0..k`.
fn local_moving(edges: &[HashMap<usize, f64>], resolution: f64) -> Vec<usize> {
    let n = edges.len();
    let strength: Vec<f64> = edges.iter().map(|e| e.values().sum()).collect();
    let total: f64 = strength.iter().sum();
    if total == 0.0 {
        return (0..n).collect();
    }
    let mut community: Vec<usize> = (0..n).collect();
    let mut community_strength = strength.clone();
    let mut moved = true;
    let mut rounds = 0;
    while moved && rounds < 50 {
        moved = false;
        rounds += 1;
        for i in 0..n {
            let own = community[i];
            let mut links: HashMap<usize, f64> = HashMap::new();
            for (&j, &w) in &edges[i] {
                if j != i {
                    *links.entry(community[j]).or_default() += w;
                }
            }
            community_strength[own] -= strength[i];
            let gain = |c: usize, to: f64| to - resolution * community_strength[c] * strength[i] / total;
            let mut best = (own, gain(own, links.get(&own).copied().unwrap_or(0.0)));
            for (&c, &to) in &links {
                let g = gain(c, to);
                if g > best.1 + 1e-12 || (g == best.1 && c < best.0 && c != own && best.0 != own) {
                    best = (c, g);
                }
            }
            community_strength[best.0] += strength[i];
            if best.0 != own {
                community[i] = best.0;
                moved = true;
            }
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
    }
}
