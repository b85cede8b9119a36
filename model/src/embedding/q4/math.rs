//! The element-wise arithmetic of the 4-bit encoder, written so the compiler vectorises it:
//! sums and maxima in eight independent lanes, and an erf without `exp` or branches.

/// Eight-lane dot product (the order differs from a left-to-right sum, by rounding only).
pub(super) fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca.remainder().iter().zip(cb.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in ca.zip(cb) {
        for j in 0..8 {
            lanes[j] += x[j] * y[j];
        }
    }
    lanes.iter().sum::<f32>() + tail
}

/// `out += p · v`.
pub(super) fn add_scaled(out: &mut [f32], p: f32, v: &[f32]) {
    for (o, v) in out.iter_mut().zip(v) {
        *o += p * v;
    }
}

fn sum(x: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let chunks = x.chunks_exact(8);
    let tail: f32 = chunks.remainder().iter().sum();
    for c in chunks {
        for j in 0..8 {
            lanes[j] += c[j];
        }
    }
    lanes.iter().sum::<f32>() + tail
}

/// Layer normalisation of one row in place.
pub(super) fn layer_norm(x: &mut [f32], gamma: &[f32], beta: &[f32], eps: f32) {
    let n = x.len() as f32;
    let mean = sum(x) / n;
    let mut lanes = [0f32; 8];
    let chunks = x.chunks_exact(8);
    let tail: f32 = chunks.remainder().iter().map(|v| (v - mean) * (v - mean)).sum();
    for c in chunks {
        for j in 0..8 {
            lanes[j] += (c[j] - mean) * (c[j] - mean);
        }
    }
    let variance = (lanes.iter().sum::<f32>() + tail) / n;
    let inverse = 1.0 / (variance + eps).sqrt();
    for ((v, g), b) in x.iter_mut().zip(gamma).zip(beta) {
        *v = (*v - mean) * inverse * g + b;
    }
}

/// erf as a rational function of x (odd over even polynomial, Eigen's float approximation):
/// within a few units in the last place of f32 on [-4, 4], and ±1 beyond, where f32's erf
/// rounds to ±1 anyway.
#[inline]
pub(super) fn erf(x: f32) -> f32 {
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = x2.mul_add(-2.726_142_3e-10, 2.770_681_4e-8);
    p = x2.mul_add(p, -2.101_024_e-6);
    p = x2.mul_add(p, -5.692_506_4e-5);
    p = x2.mul_add(p, -7.349_906_3e-4);
    p = x2.mul_add(p, -2.954_6e-3);
    p = x2.mul_add(p, -1.609_603_3e-2);
    let mut q = x2.mul_add(-1.456_607_2e-5, -2.133_740_6e-4);
    q = x2.mul_add(q, -1.682_827e-3);
    q = x2.mul_add(q, -7.373_329_2e-3);
    q = x2.mul_add(q, -1.426_474e-2);
    x * p / q
}

/// Exact (erf) GELU of a row in place.
pub(super) fn gelu(x: &mut [f32]) {
    for v in x.iter_mut() {
        *v = 0.5 * *v * (1.0 + erf(*v * std::f32::consts::FRAC_1_SQRT_2));
    }
}

/// Softmax of a row in place.
pub(super) fn softmax(x: &mut [f32]) {
    let max = x.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
    let mut total = 0.0;
    for v in x.iter_mut() {
        *v = (*v - max).exp();
        total += *v;
    }
    let inverse = 1.0 / total;
    x.iter_mut().for_each(|v| *v *= inverse);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_matches_the_exact_function() {
        let mut worst = 0f64;
        for i in -60_000..=60_000 {
            let x = i as f32 / 10_000.0;
            let exact = candle_core::cpu::erf::erf_f64(x as f64);
            worst = worst.max((erf(x) as f64 - exact).abs());
        }
        assert!(worst < 5e-7, "largest error {worst:e}");
    }

    #[test]
    fn layer_norm_and_dot_match_plain_sums() {
        let x: Vec<f32> = (0..37).map(|i| ((i * 7919) % 101) as f32 / 13.0 - 3.0).collect();
        let y: Vec<f32> = (0..37).map(|i| ((i * 104_729) % 89) as f32 / 17.0 - 2.0).collect();
        let plain: f32 = x.iter().zip(&y).map(|(a, b)| a * b).sum();
        assert!((dot(&x, &y) - plain).abs() < 1e-4 * plain.abs().max(1.0));

        let mut row = x.clone();
        layer_norm(&mut row, &vec![2.0; 37], &vec![0.5; 37], 1e-12);
        let mean: f32 = row.iter().sum::<f32>() / 37.0;
        let var: f32 = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / 37.0;
        assert!((mean - 0.5).abs() < 1e-5 && (var - 4.0).abs() < 1e-4, "{mean} {var}");
    }
}
