//! multilingual-e5-small's encoder on the 4-bit kernels, on plain row-major buffers: the
//! tokens of every sequence in a batch packed one after the other, no padding anywhere. Per
//! layer, four products ([`Q4Matrix::product`]) and three parallel passes over the token rows
//! between them, each ending by quantizing what the next product reads:
//!
//! 1. query, key and value in one product;
//! 2. attention, per token and head straight from that product's rows (32-wide heads, keys and
//!    values of the token's own sequence only), quantized;
//! 3. attention output product, then bias-added residual and layer norm, quantized;
//! 4. intermediate product, then GELU, quantized;
//! 5. output product, then residual and layer norm, quantized for the next layer.

use rayon::prelude::*;

use super::math::{add_scaled, dot, gelu, layer_norm, softmax};
use super::{dequantize_row, Kernel, Q4Matrix, Q8Rows, BLOCK};
use crate::embedding::packed::PackedModel;
use crate::embedding::EmbedError;

struct Norm {
    gamma: Vec<f32>,
    beta: Vec<f32>,
}

struct Layer {
    qkv: Q4Matrix,
    attention_out: Q4Matrix,
    attention_norm: Norm,
    intermediate: Q4Matrix,
    output: Q4Matrix,
    output_norm: Norm,
}

pub(crate) struct QuantEncoder {
    /// The word table as stored: Q4_0 rows, dequantized only for the tokens asked.
    words: Vec<u8>,
    vocab_rows: usize,
    /// Position embeddings plus the embedding of token type 0, added once at load.
    positions: Vec<f32>,
    embedding_norm: Norm,
    layers: Vec<Layer>,
    heads: usize,
    head_size: usize,
    hidden: usize,
    intermediate: usize,
    eps: f32,
    pub(crate) max_positions: usize,
    kernel: Kernel,
}

impl QuantEncoder {
    pub(crate) fn from_packed(model: PackedModel, kernel: Kernel) -> Result<Self, EmbedError> {
        let hd = model.header;
        let h = hd.hidden;
        if h % BLOCK != 0 || hd.intermediate % BLOCK != 0 {
            return Err(EmbedError::Unsupported(format!(
                "4-bit widths {h} and {} are not whole blocks of {BLOCK}",
                hd.intermediate
            )));
        }
        let norm = |prefix: &str| -> Result<Norm, EmbedError> {
            Ok(Norm {
                gamma: model.f32s(&format!("{prefix}.w"), h)?,
                beta: model.f32s(&format!("{prefix}.b"), h)?,
            })
        };
        let token_type0 = model.f32s("emb.type", hd.token_types.max(1) * h)?;
        let mut positions = model.f32s("emb.pos", hd.max_positions * h)?;
        for row in positions.chunks_exact_mut(h) {
            row.iter_mut().zip(&token_type0[..h]).for_each(|(p, t)| *p += t);
        }
        let layers = (0..hd.layers)
            .map(|i| -> Result<Layer, EmbedError> {
                let name = |part: &str| format!("l{i}.{part}");
                let dense =
                    |w: &[&str], b: &[&str], rows: usize, cols: usize| -> Result<Q4Matrix, EmbedError> {
                        let mut raw = Vec::new();
                        let mut bias = Vec::new();
                        for (w, b) in w.iter().zip(b) {
                            raw.extend_from_slice(model.q4_bytes(&name(w), rows, cols)?);
                            bias.extend(model.f32s(&name(b), rows)?);
                        }
                        Ok(Q4Matrix::from_ggml(&raw, rows * w.len(), cols, &bias))
                    };
                Ok(Layer {
                    qkv: dense(&["q.w", "k.w", "v.w"], &["q.b", "k.b", "v.b"], h, h)?,
                    attention_out: dense(&["ao.w"], &["ao.b"], h, h)?,
                    attention_norm: norm(&name("aln"))?,
                    intermediate: dense(&["fi.w"], &["fi.b"], hd.intermediate, h)?,
                    output: dense(&["fo.w"], &["fo.b"], h, hd.intermediate)?,
                    output_norm: norm(&name("oln"))?,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let embedding_norm = norm("emb.ln")?;
        Ok(Self {
            words: model.into_q4_bytes("emb.word", hd.vocab_rows, h)?,
            vocab_rows: hd.vocab_rows,
            positions,
            embedding_norm,
            layers,
            heads: hd.heads,
            head_size: h / hd.heads,
            hidden: h,
            intermediate: hd.intermediate,
            eps: hd.eps,
            max_positions: hd.max_positions,
            kernel,
        })
    }

    pub(crate) fn kernel(&self) -> Kernel {
        self.kernel
    }

    /// Hidden states of every token, packed: `ids.len() × hidden`, sequence after sequence
    /// (`lengths` gives each sequence's length).
    pub(crate) fn forward(&self, ids: &[u32], lengths: &[usize]) -> Result<Vec<f32>, EmbedError> {
        let (t, h, ff) = (ids.len(), self.hidden, self.intermediate);
        if lengths.iter().sum::<usize>() != t {
            return Err(EmbedError::Unsupported("sequence lengths do not add up to the tokens".into()));
        }
        if let Some(&bad) = ids.iter().find(|&&id| id as usize >= self.vocab_rows) {
            return Err(EmbedError::Unsupported(format!("token id {bad} is outside the vocabulary")));
        }
        if let Some(&long) = lengths.iter().find(|&&l| l > self.max_positions) {
            return Err(EmbedError::Unsupported(format!(
                "a sequence of {long} tokens is longer than the model"
            )));
        }
        // Each token's position and the span of its own sequence.
        let mut spans = Vec::with_capacity(t);
        let mut start = 0;
        for &len in lengths {
            spans.extend((0..len).map(|p| (p, start, start + len)));
            start += len;
        }

        let mut x = vec![0f32; t * h];
        let mut xq = Q8Rows::default();
        xq.reset(t, h);
        x.par_chunks_mut(h).zip(xq.rows_mut()).enumerate().for_each(|(i, (row, mut q))| {
            dequantize_row(&self.words, ids[i] as usize, h, row);
            let position = &self.positions[spans[i].0 * h..][..h];
            row.iter_mut().zip(position).for_each(|(v, p)| *v += p);
            layer_norm(row, &self.embedding_norm.gamma, &self.embedding_norm.beta, self.eps);
            q.quantize(row);
        });

        let mut qkv = vec![0f32; t * 3 * h];
        let mut product = vec![0f32; t * h];
        let mut inner = vec![0f32; t * ff];
        let mut contexts = Q8Rows::default();
        let mut inner_q = Q8Rows::default();
        let scale = 1.0 / (self.head_size as f32).sqrt();
        for (l, layer) in self.layers.iter().enumerate() {
            layer.qkv.product(&xq, &mut qkv, self.kernel);

            contexts.reset(t, h);
            contexts.rows_mut().enumerate().for_each_init(
                || (vec![0f32; h], Vec::new()),
                |(context, probs), (i, mut q)| {
                    self.attend(&qkv, i, spans[i].1..spans[i].2, scale, context, probs);
                    q.quantize(context);
                },
            );
            layer.attention_out.product(&contexts, &mut product, self.kernel);
            let norm = &layer.attention_norm;
            x.par_chunks_mut(h).zip(product.par_chunks(h)).zip(xq.rows_mut()).for_each(|((x, y), mut q)| {
                x.iter_mut().zip(y).for_each(|(x, y)| *x += y);
                layer_norm(x, &norm.gamma, &norm.beta, self.eps);
                q.quantize(x);
            });

            layer.intermediate.product(&xq, &mut inner, self.kernel);
            inner_q.reset(t, ff);
            inner.par_chunks_mut(ff).zip(inner_q.rows_mut()).for_each(|(row, mut q)| {
                gelu(row);
                q.quantize(row);
            });

            layer.output.product(&inner_q, &mut product, self.kernel);
            let norm = &layer.output_norm;
            let last = l + 1 == self.layers.len();
            x.par_chunks_mut(h).zip(product.par_chunks(h)).zip(xq.rows_mut()).for_each(|((x, y), mut q)| {
                x.iter_mut().zip(y).for_each(|(x, y)| *x += y);
                layer_norm(x, &norm.gamma, &norm.beta, self.eps);
                if !last {
                    q.quantize(x);
                }
            });
        }
        Ok(x)
    }

    /// Token `i`'s attention context over the tokens `keys` (its sequence), every head, read
    /// from the packed query-key-value rows.
    fn attend(
        &self,
        qkv: &[f32],
        i: usize,
        keys: std::ops::Range<usize>,
        scale: f32,
        context: &mut [f32],
        probs: &mut Vec<f32>,
    ) {
        let (h, hs) = (self.hidden, self.head_size);
        let row = |s: usize, part: usize, head: usize| &qkv[s * 3 * h + part * h + head * hs..][..hs];
        context.fill(0.0);
        for head in 0..self.heads {
            let query = row(i, 0, head);
            probs.clear();
            probs.extend(keys.clone().map(|s| dot(query, row(s, 1, head)) * scale));
            softmax(probs);
            let out = &mut context[head * hs..][..hs];
            for (s, &p) in keys.clone().zip(probs.iter()) {
                add_scaled(out, p, row(s, 2, head));
            }
        }
    }
}
