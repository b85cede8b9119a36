//! The product in plain Rust, on the same packed layout: for CPUs without AVX2, and the
//! reference the SIMD paths' layout handling is checked against.

use super::{Task, BLOCK, GROUP, GROUP_BLOCK_BYTES};

/// # Safety
/// The task's output contract holds (see [`Task::store`]).
pub(super) unsafe fn group(task: &Task) {
    let x = task.x;
    let (nibbles, scales) = task.weights();
    let blocks = x.blocks;
    for t in 0..x.tokens {
        let mut values = [0f32; GROUP];
        for b in 0..blocks {
            let packed = &nibbles[b * GROUP_BLOCK_BYTES..][..GROUP_BLOCK_BYTES];
            let at = t * blocks + b;
            let q = &x.q[at * BLOCK..][..BLOCK];
            let mut sums = [0i32; GROUP];
            for (i, &a) in q.iter().enumerate() {
                let (step, j) = (i / 4, i % 4);
                let shift = 4 * (step % 2);
                for (lane, sum) in sums.iter_mut().enumerate() {
                    let n = (packed[(step / 2) * 64 + lane * 4 + j] >> shift) & 0x0F;
                    *sum += n as i32 * a as i32;
                }
            }
            for ((v, sum), dw) in values.iter_mut().zip(sums).zip(&scales[b * GROUP..][..GROUP]) {
                *v += (sum - x.offset[at]) as f32 * (dw * x.scale[at]);
            }
        }
        for (v, bias) in values.iter_mut().zip(task.bias()) {
            *v += bias;
        }
        // SAFETY: t < tokens; the caller's contract.
        unsafe { task.store(t, &values) };
    }
}
