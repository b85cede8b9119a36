//! The product on AVX2: a group's 16 rows as two halves of 8 lanes. Four inputs of a token
//! times 8 rows is one `vpmaddubsw`; a block's 8 of them add up in 16 bits (at most
//! 8 × 2 × 15 × 128 = 30,720, no overflow) and widen to 32 once (`vpmaddwd`).

#![cfg(target_arch = "x86_64")]

use std::arch::x86_64::*;

use super::{Task, BLOCK, GROUP, GROUP_BLOCK_BYTES};

/// Tokens sharing each unpacked half-block: 16 registers hold 8 weights, 4 accumulators and
/// the temporaries.
const TILE: usize = 4;

/// # Safety
/// The CPU has AVX2 and FMA; the task's output contract holds (see [`Task::store`]).
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn group(task: &Task) {
    let tokens = task.x.tokens;
    let mut t = 0;
    while t + TILE <= tokens {
        unsafe { tile::<TILE>(task, t) };
        t += TILE;
    }
    unsafe {
        match tokens - t {
            0 => {}
            1 => tile::<1>(task, t),
            2 => tile::<2>(task, t),
            _ => tile::<3>(task, t),
        }
    }
}

#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn tile<const N: usize>(task: &Task, first: usize) {
    let x = task.x;
    let (nibbles, scales) = task.weights();
    let blocks = x.blocks;
    let low = _mm256_set1_epi8(0x0F);
    let ones = _mm256_set1_epi16(1);
    let mut results = [[0f32; GROUP]; N];
    for half in 0..2 {
        let mut acc = [_mm256_setzero_ps(); N];
        for b in 0..blocks {
            let mut w = [_mm256_setzero_si256(); 8];
            // SAFETY (all loads below): a group's block is 4 × 64 bytes, each 64 holding the
            // 32 bytes of the low half then the high half; scales are 16 per block; a token's
            // block is BLOCK bytes of `q` at `(token · blocks + b) · BLOCK`.
            unsafe {
                let p = nibbles.as_ptr().add(b * GROUP_BLOCK_BYTES + half * 32);
                for m in 0..4 {
                    let v = _mm256_loadu_si256(p.add(m * 64).cast());
                    w[2 * m] = _mm256_and_si256(v, low);
                    w[2 * m + 1] = _mm256_and_si256(_mm256_srli_epi16(v, 4), low);
                }
            }
            let dw = unsafe { _mm256_loadu_ps(scales.as_ptr().add(b * GROUP + half * 8)) };
            for (i, acc) in acc.iter_mut().enumerate() {
                let at = (first + i) * blocks + b;
                let a = unsafe { x.q.as_ptr().add(at * BLOCK) as *const i32 };
                let mut s16 = _mm256_setzero_si256();
                for (k, w) in w.iter().enumerate() {
                    let ak = unsafe { a.add(k).read_unaligned() };
                    s16 = _mm256_add_epi16(s16, _mm256_maddubs_epi16(*w, _mm256_set1_epi32(ak)));
                }
                let s = _mm256_sub_epi32(_mm256_madd_epi16(s16, ones), _mm256_set1_epi32(x.offset[at]));
                let scale = _mm256_mul_ps(dw, _mm256_set1_ps(x.scale[at]));
                *acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), scale, *acc);
            }
        }
        let bias = unsafe { _mm256_loadu_ps(task.bias().as_ptr().add(half * 8)) };
        for (acc, out) in acc.iter().zip(results.iter_mut()) {
            unsafe { _mm256_storeu_ps(out.as_mut_ptr().add(half * 8), _mm256_add_ps(*acc, bias)) };
        }
    }
    for (i, values) in results.iter().enumerate() {
        unsafe { task.store(first + i, values) };
    }
}
