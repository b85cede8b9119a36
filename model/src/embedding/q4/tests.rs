//! Every kernel this CPU runs against a plain scalar reference computed from the GGML blocks
//! as stored, on random matrices of awkward shapes: partial row groups, one token, token
//! counts that leave every tile size as a tail, 513 tokens.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;

/// Random GGML Q4_0 blocks: scales of either sign and any nibbles.
fn random_matrix(rng: &mut StdRng, rows: usize, cols: usize) -> Vec<u8> {
    let mut raw = Vec::with_capacity(rows * cols / BLOCK * Q4_BLOCK_BYTES);
    for _ in 0..rows * cols / BLOCK {
        let d = half::f16::from_f32(rng.random_range(-0.08f32..0.08));
        raw.extend_from_slice(&d.to_bits().to_le_bytes());
        raw.extend((0..16).map(|_| rng.random::<u8>()));
    }
    raw
}

fn random_rows(rng: &mut StdRng, tokens: usize, cols: usize) -> Vec<f32> {
    (0..tokens * cols)
        .map(|i| {
            // Mostly small values with a few large ones, as hidden states have.
            let v: f32 = rng.random_range(-1.0..1.0);
            if i % 97 == 0 {
                v * 20.0
            } else {
                v
            }
        })
        .collect()
}

/// `Σ_b d_w · d_x · Σ_i (n_i − 8) · q_i + bias`, in f64 from the stored blocks, with the
/// magnitude the f32 rounding of the kernels is measured against.
fn reference(raw: &[u8], bias: &[f32], x: &Q8Rows, t: usize, r: usize) -> (f64, f64) {
    let blocks = x.cols / BLOCK;
    let (mut sum, mut magnitude) = (bias[r] as f64, bias[r].abs() as f64);
    for b in 0..blocks {
        let block = &raw[(r * blocks + b) * Q4_BLOCK_BYTES..][..Q4_BLOCK_BYTES];
        let dw = f16_le(block[0], block[1]) as f64;
        let q = &x.q[(t * blocks + b) * BLOCK..][..BLOCK];
        let dot: i64 = (0..BLOCK).map(|i| (nibble(&block[2..], i) as i64 - 8) * q[i] as i64).sum();
        let term = dw * x.scale[t * blocks + b] as f64 * dot as f64;
        sum += term;
        magnitude += term.abs();
    }
    (sum, magnitude)
}

fn supported() -> Vec<Kernel> {
    let kernels: Vec<Kernel> = Kernel::ALL.into_iter().filter(|k| k.supported()).collect();
    eprintln!("kernels tested on this CPU: {kernels:?}");
    kernels
}

#[test]
fn every_kernel_matches_the_scalar_reference_on_odd_shapes() {
    let mut rng = StdRng::seed_from_u64(31);
    let shapes = [
        // (rows, cols, tokens)
        (1, 32, 1),
        (17, 64, 3),
        (33, 96, 513),
        (1152, 384, 13),
        (384, 1536, 9),
        (5, 1536, 1),
        (48, 32, 8),
        (31, 160, 7),
        (16, 384, 16),
    ];
    for kernel in supported() {
        for &(rows, cols, tokens) in &shapes {
            let raw = random_matrix(&mut rng, rows, cols);
            let bias: Vec<f32> = (0..rows).map(|_| rng.random_range(-0.5..0.5)).collect();
            let m = Q4Matrix::from_ggml(&raw, rows, cols, &bias);
            let mut x = Q8Rows::default();
            x.quantize(&random_rows(&mut rng, tokens, cols), tokens, cols);
            // Beyond the product's rows the output must stay untouched.
            let mut out = vec![f32::NAN; tokens * rows + 3];
            m.product(&x, &mut out, kernel);
            assert!(out[tokens * rows..].iter().all(|v| v.is_nan()), "{kernel:?} wrote past its rows");
            for t in 0..tokens {
                for r in 0..rows {
                    let (want, magnitude) = reference(&raw, &bias, &x, t, r);
                    let got = out[t * rows + r] as f64;
                    assert!(
                        (got - want).abs() <= 1e-5 * magnitude + 1e-7,
                        "{kernel:?} {rows}x{cols}, {tokens} tokens: [{t}][{r}] = {got}, expected {want}"
                    );
                }
            }
        }
    }
}

#[test]
fn activations_round_half_to_even_as_the_reference_does() {
    // max |x| = 127 makes the scale exactly 1, so each value's rounding shows.
    let mut x = vec![0f32; 64];
    x[0] = 127.0;
    x[1] = 2.5;
    x[2] = 3.5;
    x[3] = -2.5;
    x[4] = -0.5;
    x[5] = 1.5;
    x[6] = -126.6;
    // The second block is all zeros: scale 0, values 0.
    let mut q = Q8Rows::default();
    q.quantize(&x, 1, 64);
    assert_eq!(&q.q[..7], &[127, 2, 4, -2, 0, 2, -127]);
    assert_eq!(q.scale[0], 1.0);
    assert_eq!(q.offset[0], 8 * (127 + 2 + 4 - 2 + 2 - 127));
    assert_eq!((q.scale[1], q.offset[1]), (0.0, 0));
    assert!(q.q[32..].iter().all(|&v| v == 0));
}

#[test]
fn dequantized_rows_are_the_stored_blocks() {
    let mut rng = StdRng::seed_from_u64(7);
    let raw = random_matrix(&mut rng, 3, 64);
    let mut row = vec![0f32; 64];
    dequantize_row(&raw, 2, 64, &mut row);
    let block = &raw[5 * Q4_BLOCK_BYTES..][..Q4_BLOCK_BYTES];
    let d = f16_le(block[0], block[1]);
    assert_eq!(row[32], ((block[2] & 0x0F) as f32 - 8.0) * d);
    assert_eq!(row[48], ((block[2] >> 4) as f32 - 8.0) * d);
}
