//! The product on AVX-512 VNNI: one `vpdpbusd` multiplies a group's 16 rows by four inputs of
//! a token; a block's unpacked weights (8 registers) serve a tile of up to 8 tokens.

#![cfg(target_arch = "x86_64")]

use std::arch::x86_64::*;

use super::{Task, BLOCK, GROUP, GROUP_BLOCK_BYTES};

/// Tokens sharing each unpacked block: 8 accumulators + 8 weights + temporaries fit the 32
/// registers.
const TILE: usize = 8;

/// # Safety
/// The CPU has AVX-512 F, BW and VNNI; the task's output contract holds (see [`Task::store`]).
#[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
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
            3 => tile::<3>(task, t),
            4 => tile::<4>(task, t),
            5 => tile::<5>(task, t),
            6 => tile::<6>(task, t),
            _ => tile::<7>(task, t),
        }
    }
}

#[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
#[inline]
unsafe fn tile<const N: usize>(task: &Task, first: usize) {
    let x = task.x;
    let (nibbles, scales) = task.weights();
    let blocks = x.blocks;
    let low = _mm512_set1_epi8(0x0F);
    let mut acc = [_mm512_setzero_ps(); N];
    for b in 0..blocks {
        let mut w = [_mm512_setzero_si512(); 8];
        // SAFETY (all loads below): a group's block is GROUP_BLOCK_BYTES (4 × 64) bytes and
        // its scales GROUP floats, both inside the slices `weights` returns; a token's block
        // is BLOCK bytes of `q` at `(token · blocks + b) · BLOCK`, read four bytes at a time.
        unsafe {
            let p = nibbles.as_ptr().add(b * GROUP_BLOCK_BYTES);
            for m in 0..4 {
                let v = _mm512_loadu_si512(p.add(m * 64).cast());
                w[2 * m] = _mm512_and_si512(v, low);
                w[2 * m + 1] = _mm512_and_si512(_mm512_srli_epi16(v, 4), low);
            }
        }
        let dw = unsafe { _mm512_loadu_ps(scales.as_ptr().add(b * GROUP)) };
        for (i, acc) in acc.iter_mut().enumerate() {
            let at = (first + i) * blocks + b;
            let a = unsafe { x.q.as_ptr().add(at * BLOCK) as *const i32 };
            let (mut s, mut s2) = (_mm512_setzero_si512(), _mm512_setzero_si512());
            for k in (0..8).step_by(2) {
                let (a0, a1) = unsafe { (a.add(k).read_unaligned(), a.add(k + 1).read_unaligned()) };
                s = _mm512_dpbusd_epi32(s, w[k], _mm512_set1_epi32(a0));
                s2 = _mm512_dpbusd_epi32(s2, w[k + 1], _mm512_set1_epi32(a1));
            }
            let s = _mm512_sub_epi32(_mm512_add_epi32(s, s2), _mm512_set1_epi32(x.offset[at]));
            let scale = _mm512_mul_ps(dw, _mm512_set1_ps(x.scale[at]));
            *acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s), scale, *acc);
        }
    }
    let bias = unsafe { _mm512_loadu_ps(task.bias().as_ptr()) };
    for (i, acc) in acc.iter().enumerate() {
        let mut values = [0f32; GROUP];
        unsafe {
            _mm512_storeu_ps(values.as_mut_ptr(), _mm512_add_ps(*acc, bias));
            task.store(first + i, &values);
        }
    }
}
