//! The arithmetic of the exact scan: a block of f32 rows times the questions (gemm, the matrix
//! product candle itself uses), and the dot product of one f16 row with an f32 question, widened
//! in registers (F16C) so a lone question reads each stored vector once, at half the bytes.

use half::f16;

/// Up to this many questions, rows are multiplied as they are stored; more share a widened
/// block (see `Index::similarities`).
pub const DIRECT_UP_TO: usize = 2;

/// `out[i * n + j] = queries[i] · rows[j]` for `b` questions and `n` rows of `dim` components.
pub fn product(queries: &[f32], rows: &[f32], out: &mut [f32], b: usize, n: usize, dim: usize) {
    assert!(queries.len() >= b * dim && rows.len() >= n * dim && out.len() >= n * b);
    // SAFETY: the assertion keeps every element gemm touches inside the three slices: lhs is
    // b × dim (row stride dim), rhs is dim × n (column stride dim), dst is b × n (row stride n).
    unsafe {
        gemm::gemm(
            b,
            n,
            dim,
            out.as_mut_ptr(),
            1,
            n as isize,
            false,
            queries.as_ptr(),
            1,
            dim as isize,
            rows.as_ptr(),
            dim as isize,
            1,
            0.0f32,
            1.0f32,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

/// `row · q`, with `row` in half precision.
#[cfg(all(target_arch = "x86_64", target_feature = "avx2", target_feature = "fma", target_feature = "f16c"))]
pub fn dot_f16(row: &[f16], q: &[f32]) -> f32 {
    use std::arch::x86_64::*;
    let n = row.len().min(q.len());
    let whole = n / 16 * 16;
    // SAFETY: the target features are enabled at compile time (the cfg above), and every load
    // reads 8 elements starting below `whole - 7`, so within both slices; loads are unaligned.
    let mut sum = unsafe {
        let (mut a, mut b) = (_mm256_setzero_ps(), _mm256_setzero_ps());
        let (r, x) = (row.as_ptr() as *const __m128i, q.as_ptr());
        let mut i = 0;
        while i < whole {
            let lo = _mm256_cvtph_ps(_mm_loadu_si128(r.add(i / 8)));
            let hi = _mm256_cvtph_ps(_mm_loadu_si128(r.add(i / 8 + 1)));
            a = _mm256_fmadd_ps(lo, _mm256_loadu_ps(x.add(i)), a);
            b = _mm256_fmadd_ps(hi, _mm256_loadu_ps(x.add(i + 8)), b);
            i += 16;
        }
        let mut lanes = [0f32; 8];
        _mm256_storeu_ps(lanes.as_mut_ptr(), _mm256_add_ps(a, b));
        lanes.iter().sum::<f32>()
    };
    for i in whole..n {
        sum += row[i].to_f32() * q[i];
    }
    sum
}

/// `row · q`, with `row` in half precision (builds without AVX2/F16C).
#[cfg(not(all(
    target_arch = "x86_64",
    target_feature = "avx2",
    target_feature = "fma",
    target_feature = "f16c"
)))]
pub fn dot_f16(row: &[f16], q: &[f32]) -> f32 {
    row.iter().zip(q).map(|(a, b)| a.to_f32() * b).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kernels_agree_with_a_plain_dot_product() {
        let dim = 37; // not a multiple of 8 or 16: the tails count too
        let rows: Vec<f32> = (0..3 * dim).map(|i| ((i * 7 % 13) as f32 - 6.0) / 10.0).collect();
        let queries: Vec<f32> = (0..2 * dim).map(|i| ((i * 5 % 11) as f32 - 5.0) / 10.0).collect();
        let halves: Vec<f16> = rows.iter().map(|&x| f16::from_f32(x)).collect();
        let widened: Vec<f32> = halves.iter().map(|x| x.to_f32()).collect();
        let mut out = vec![0f32; 6];
        product(&queries, &widened, &mut out, 2, 3, dim);
        for i in 0..2 {
            for j in 0..3 {
                let q = &queries[i * dim..(i + 1) * dim];
                let plain: f32 = widened[j * dim..(j + 1) * dim].iter().zip(q).map(|(a, b)| a * b).sum();
                assert!((out[i * 3 + j] - plain).abs() < 1e-5, "product {i},{j}");
                assert!((dot_f16(&halves[j * dim..(j + 1) * dim], q) - plain).abs() < 1e-5, "dot {i},{j}");
            }
        }
    }
}
