//! Fine-tuning the encoder itself: the top `k` transformer layers of an f32 model (MiniLM)
//! trained with the same loss as the adapter, the layers below frozen (their outputs computed
//! once per text). `cargo bench -p model --bench learning` weighs it against the adapter per
//! minute of CPU; the product ships the adapter (see `adapter`), this is what it was measured
//! against, and the test that guards the gradient path of the encoder.
//!
//! The pass runs in [`Graph::Training`]: candle's fused layer norm and `softmax_last_dim`
//! record no gradient, and with either of them in the graph every weight below it would keep
//! its value while the loss still fell a little, silently.

use candle_core::{backprop::GradStore, Tensor};
use candle_nn::VarMap;

use super::adapter::{Step, TrainOptions};
use super::loss::{ranking_loss, unit_rows};
use super::pairs::{Counter, Example, Pair};
use crate::embedding::encoder::{Encoder, Graph, Layer};
use crate::embedding::{BertEmbedder, EmbedError};

/// The trained copies of the top layers of one embedder's encoder.
pub struct TopLayers<'a> {
    embedder: &'a BertEmbedder,
    encoder: &'a Encoder,
    from: usize,
    layers: Vec<Layer>,
    pub varmap: VarMap,
}

/// A text the encoder reads: its tokens, and the frozen layers' output for them.
pub struct Frozen {
    lengths: Vec<usize>,
    hidden: Vec<Tensor>,
}

impl<'a> TopLayers<'a> {
    /// Trainable copies of the top `top` layers (all of them if `top` is larger).
    pub fn new(embedder: &'a BertEmbedder, top: usize) -> Result<Self, EmbedError> {
        let encoder = embedder.encoder()?;
        let count = encoder.layers().len();
        let from = count - top.min(count);
        let varmap = VarMap::new();
        let layers = encoder.trainable(from, &varmap)?;
        Ok(Self { embedder, encoder, from, layers, varmap })
    }

    /// Runs the frozen layers once for every text.
    pub fn freeze(&self, texts: &[String]) -> Result<Frozen, EmbedError> {
        let encoder = self.encoder;
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let mut frozen = Frozen { lengths: Vec::new(), hidden: Vec::new() };
        for chunk in self.embedder.token_ids(&refs)?.chunks(64) {
            let lengths: Vec<usize> = chunk.iter().map(Vec::len).collect();
            let ids: Vec<u32> = chunk.concat();
            let plans = encoder.plans(&lengths)?;
            let x = encoder.embed_tokens(&ids, &lengths)?;
            let x = encoder.run(&encoder.layers()[..self.from], x, &plans, Graph::Inference)?;
            let mut row = 0;
            for &len in &lengths {
                frozen.hidden.push(x.narrow(0, row, len)?);
                row += len;
            }
            frozen.lengths.extend(lengths);
        }
        Ok(frozen)
    }

    /// Unit vectors of the texts `which` (indices into `frozen`) through the trained layers.
    fn embed(&self, frozen: &Frozen, which: &[usize], graph: Graph) -> candle_core::Result<Tensor> {
        let encoder = self.encoder;
        let lengths: Vec<usize> = which.iter().map(|&i| frozen.lengths[i]).collect();
        let x = Tensor::cat(&which.iter().map(|&i| &frozen.hidden[i]).collect::<Vec<_>>(), 0)?;
        let plans = encoder.plans(&lengths)?;
        let hidden = encoder.run(&self.layers, x, &plans, graph)?;
        let total: usize = lengths.iter().sum();
        let mut weights = vec![0f32; lengths.len() * total];
        let mut offset = 0;
        for (i, &len) in lengths.iter().enumerate() {
            weights[i * total + offset..i * total + offset + len].fill(1.0 / len.max(1) as f32);
            offset += len;
        }
        let weights = Tensor::from_vec(weights, (lengths.len(), total), hidden.device())?;
        unit_rows(&weights.matmul(&hidden)?)
    }

    /// Every text's vector through the trained layers, in batches.
    pub fn embed_all(&self, frozen: &Frozen) -> candle_core::Result<Vec<Vec<f32>>> {
        let all: Vec<usize> = (0..frozen.lengths.len()).collect();
        let mut out = Vec::with_capacity(all.len());
        for chunk in all.chunks(64) {
            out.extend(self.embed(frozen, chunk, Graph::Inference)?.to_vec2::<f32>()?);
        }
        Ok(out)
    }

    /// The loss of one batch of pairs, with its graph.
    pub fn loss(
        &self,
        frozen: &Frozen,
        pairs: &[Pair],
        batch: &super::loss::Batch,
        scale: f64,
    ) -> candle_core::Result<Tensor> {
        let texts: Vec<usize> = pairs
            .iter()
            .map(|p| p.anchor)
            .chain(pairs.iter().map(|p| p.positive))
            .chain(pairs.iter().map(|p| p.negative))
            .collect();
        let v = self.embed(frozen, &texts, Graph::Training)?;
        let b = pairs.len();
        ranking_loss(&v.narrow(0, 0, b)?, &v.narrow(0, b, b)?, &v.narrow(0, 2 * b, b)?, batch, scale)
    }

    /// The gradient's norm for every trained weight, the fused query-key-value weight split
    /// into its three parts (attention without a gradient would still train the value part).
    pub fn gradient_norms(&self, grads: &GradStore) -> candle_core::Result<Vec<(String, f32)>> {
        let data = self.varmap.data().lock().unwrap_or_else(|e| e.into_inner());
        let mut names: Vec<&String> = data.keys().collect();
        names.sort();
        let mut out = Vec::new();
        let norm =
            |t: &Tensor| -> candle_core::Result<f32> { t.sqr()?.sum_all()?.sqrt()?.to_scalar::<f32>() };
        for name in names {
            let var = &data[name];
            let Some(g) = grads.get(var.as_tensor()) else {
                out.push((name.clone(), 0.0));
                continue;
            };
            if name.ends_with("qkv.weight") || name.ends_with("qkv.bias") {
                let d = g.dims().len() - 1;
                let third = g.dim(d)? / 3;
                for (i, part) in ["query", "key", "value"].iter().enumerate() {
                    out.push((format!("{name}[{part}]"), norm(&g.narrow(d, i * third, third)?)?));
                }
            } else {
                out.push((name.clone(), norm(g)?));
            }
        }
        Ok(out)
    }
}

/// Trains the top layers on `frozen` texts labelled by `examples`; `vectors` (the base model's)
/// pick each point's nearest neighbour for hard negatives.
pub fn train(
    top: &TopLayers,
    frozen: &Frozen,
    examples: &[Example],
    counters: &[Counter],
    vectors: &[Vec<f32>],
    options: &TrainOptions,
    on_step: &mut dyn FnMut(Step) -> bool,
) -> candle_core::Result<()> {
    super::adapter::optimise(
        top.varmap.all_vars(),
        examples,
        counters,
        vectors,
        options,
        on_step,
        |pairs, batch| top.loss(frozen, pairs, batch, options.scale),
    )
}
