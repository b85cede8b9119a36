//! How well groups agree with true labels: normalised mutual information (arithmetic mean, as
//! scikit-learn's default) and the adjusted Rand index.

use std::collections::HashMap;

fn contingency(
    a: &[usize],
    b: &[usize],
) -> (HashMap<(usize, usize), f64>, HashMap<usize, f64>, HashMap<usize, f64>) {
    let (mut both, mut ca, mut cb) = (HashMap::new(), HashMap::new(), HashMap::new());
    for (&x, &y) in a.iter().zip(b) {
        *both.entry((x, y)).or_default() += 1.0;
        *ca.entry(x).or_default() += 1.0;
        *cb.entry(y).or_default() += 1.0;
    }
    (both, ca, cb)
}

pub fn nmi(truth: &[usize], found: &[usize]) -> f64 {
    let n = truth.len() as f64;
    let (both, ca, cb) = contingency(truth, found);
    let entropy = |c: &HashMap<usize, f64>| -c.values().map(|&k| (k / n) * (k / n).ln()).sum::<f64>();
    let (ha, hb) = (entropy(&ca), entropy(&cb));
    let mi: f64 = both.iter().map(|(&(x, y), &k)| (k / n) * ((k * n) / (ca[&x] * cb[&y])).ln()).sum();
    if ha + hb == 0.0 {
        1.0
    } else {
        2.0 * mi / (ha + hb)
    }
}

pub fn ari(truth: &[usize], found: &[usize]) -> f64 {
    let pairs = |k: f64| k * (k - 1.0) / 2.0;
    let (both, ca, cb) = contingency(truth, found);
    let index: f64 = both.values().map(|&k| pairs(k)).sum();
    let (sa, sb): (f64, f64) = (ca.values().map(|&k| pairs(k)).sum(), cb.values().map(|&k| pairs(k)).sum());
    let expected = sa * sb / pairs(truth.len() as f64);
    let max = (sa + sb) / 2.0;
    if max == expected {
        1.0
    } else {
        (index - expected) / (max - expected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_and_known_values() {
        let t = [0, 0, 1, 1];
        assert!((nmi(&t, &[5, 5, 7, 7]) - 1.0).abs() < 1e-9);
        assert!((ari(&t, &[5, 5, 7, 7]) - 1.0).abs() < 1e-9);
        // scikit-learn: adjusted_rand_score([0,0,1,1],[0,0,1,2]) = 0.5714285714285715,
        // normalized_mutual_info_score(...) = 0.8
        assert!((ari(&t, &[0, 0, 1, 2]) - 0.5714285714285715).abs() < 1e-9);
        assert!((nmi(&t, &[0, 0, 1, 2]) - 0.8).abs() < 1e-9);
    }
}
