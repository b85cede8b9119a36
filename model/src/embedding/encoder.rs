//! The BERT encoder, written for inference on CPU. Same weights and the same arithmetic as
//! candle-transformers' `BertModel`, laid out for fewer passes over memory: query, key and
//! value come from one matrix product, weights are stored pre-transposed, softmax and layer
//! norm are the fused kernels, and padding is kept out of the dense layers (see
//! [`Encoder::forward`]). It loads a sentence-transformers folder (f32 safetensors; the
//! attention scale is folded into the query weights); packed 4-bit models run on our own
//! kernels instead (`super::q4`).
//!
//! Training (`crate::learning::layers`) runs the same layers in a [`Graph::Training`] pass: the
//! fused layer norm and softmax record no gradient in candle, so that pass uses the composed,
//! differentiable ones instead; nothing else differs.

use candle_core::{Device, Module, Tensor};
use candle_nn::{Embedding, VarBuilder};
use candle_transformers::models::bert::{Config, HiddenAct, PositionEmbeddingType};

use super::EmbedError;

/// Subtracted from attention scores of padding positions: far below any real score, so
/// softmax gives them zero weight, yet finite so no NaN can appear.
const MASK_PENALTY: f64 = 1e9;

struct Norm {
    gamma: Tensor,
    beta: Tensor,
    eps: f32,
}

impl Norm {
    fn load(vb: VarBuilder, size: usize, eps: f64) -> candle_core::Result<Self> {
        // Older BERT checkpoints name the layer-norm parameters gamma/beta.
        let (gamma, beta) = if vb.contains_tensor("weight") {
            (vb.get(size, "weight")?, vb.get(size, "bias")?)
        } else {
            (vb.get(size, "gamma")?, vb.get(size, "beta")?)
        };
        Ok(Self { gamma, beta, eps: eps as f32 })
    }

    fn forward(&self, x: &Tensor, graph: Graph) -> candle_core::Result<Tensor> {
        match graph {
            Graph::Inference => candle_nn::ops::layer_norm(x, &self.gamma, &self.beta, self.eps),
            Graph::Training => candle_nn::ops::layer_norm_slow(x, &self.gamma, &self.beta, self.eps),
        }
    }
}

/// Which kernels a pass uses: the fast fused ones, or ones that carry gradients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Graph {
    Inference,
    Training,
}

/// `x @ w^T + b`, the f32 weights stored transposed as (in, out).
struct Dense {
    w_t: Tensor,
    b: Tensor,
}

impl Dense {
    fn load(vb: VarBuilder, inputs: usize, outputs: usize) -> candle_core::Result<Self> {
        Self::from_parts(vb.get((outputs, inputs), "weight")?, vb.get(outputs, "bias")?)
    }

    fn from_parts(w: Tensor, b: Tensor) -> candle_core::Result<Self> {
        Ok(Self { w_t: w.t()?.contiguous()?, b })
    }

    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        x.matmul(&self.w_t)?.broadcast_add(&self.b)
    }
}

pub(crate) struct Layer {
    qkv: Dense,
    attention_out: Dense,
    attention_norm: Norm,
    intermediate: Dense,
    output: Dense,
    output_norm: Norm,
}

pub(crate) struct Encoder {
    words: Embedding,
    /// Position embeddings plus the embedding of token type 0 (the only type a single
    /// sentence uses), added once at load instead of at every call.
    positions: Tensor,
    embedding_norm: Norm,
    layers: Vec<Layer>,
    heads: usize,
    head_size: usize,
    hidden: usize,
    /// Longest sequence the position table covers.
    pub(crate) max_positions: usize,
    pub(crate) device: Device,
}

impl Encoder {
    pub(crate) fn load(vb: VarBuilder, config: &Config) -> Result<Self, EmbedError> {
        if config.hidden_act != HiddenAct::Gelu {
            return Err(EmbedError::Unsupported(format!(
                "activation {:?}; only exact GELU",
                config.hidden_act
            )));
        }
        if config.position_embedding_type != PositionEmbeddingType::Absolute {
            return Err(EmbedError::Unsupported("relative position embeddings".into()));
        }
        let vb =
            if vb.contains_tensor("bert.embeddings.word_embeddings.weight") { vb.pp("bert") } else { vb };
        let h = config.hidden_size;
        let heads = config.num_attention_heads;
        let head_size = h / heads;
        let eps = config.layer_norm_eps;

        let emb = vb.pp("embeddings");
        let words = Embedding::new(emb.get((config.vocab_size, h), "word_embeddings.weight")?, h);
        let token_type0 = emb.get((config.type_vocab_size, h), "token_type_embeddings.weight")?.get(0)?;
        let positions = emb
            .get((config.max_position_embeddings, h), "position_embeddings.weight")?
            .broadcast_add(&token_type0)?;
        let embedding_norm = Norm::load(emb.pp("LayerNorm"), h, eps)?;

        let scale = 1.0 / (head_size as f64).sqrt();
        let layers = (0..config.num_hidden_layers)
            .map(|i| -> candle_core::Result<Layer> {
                let l = vb.pp(format!("encoder.layer.{i}"));
                let a = l.pp("attention.self");
                let part = |name: &str| -> candle_core::Result<(Tensor, Tensor)> {
                    Ok((a.get((h, h), &format!("{name}.weight"))?, a.get(h, &format!("{name}.bias"))?))
                };
                let (qw, qb) = part("query")?;
                let (kw, kb) = part("key")?;
                let (vw, vb_) = part("value")?;
                let qkv = Dense::from_parts(
                    Tensor::cat(&[(qw * scale)?, kw, vw], 0)?,
                    Tensor::cat(&[(qb * scale)?, kb, vb_], 0)?,
                )?;
                Ok(Layer {
                    qkv,
                    attention_out: Dense::load(l.pp("attention.output.dense"), h, h)?,
                    attention_norm: Norm::load(l.pp("attention.output.LayerNorm"), h, eps)?,
                    intermediate: Dense::load(l.pp("intermediate.dense"), h, config.intermediate_size)?,
                    output: Dense::load(l.pp("output.dense"), config.intermediate_size, h)?,
                    output_norm: Norm::load(l.pp("output.LayerNorm"), h, eps)?,
                })
            })
            .collect::<candle_core::Result<Vec<_>>>()?;

        Ok(Self {
            words,
            positions,
            embedding_norm,
            layers,
            heads,
            head_size,
            hidden: h,
            max_positions: config.max_position_embeddings,
            device: vb.device().clone(),
        })
    }

    /// Hidden states of every real token, packed: (total tokens, hidden), sequence after
    /// sequence. `ids` holds the token ids packed the same way and `lengths` the length of
    /// each sequence.
    ///
    /// Padding never enters the dense layers, which do almost all the work: only attention,
    /// which must see each sequence as a block, runs on a padded copy. Batches of questions
    /// of mixed length so cost what their real tokens cost.
    pub(crate) fn forward(&self, ids: &[u32], lengths: &[usize]) -> candle_core::Result<Tensor> {
        let plans = self.plans(lengths)?;
        self.run(&self.layers, self.embed_tokens(ids, lengths)?, &plans, Graph::Inference)
    }

    /// The input of the first layer: word and position embeddings, normalised; packed rows.
    pub(crate) fn embed_tokens(&self, ids: &[u32], lengths: &[usize]) -> candle_core::Result<Tensor> {
        let total = ids.len();
        let positions: Vec<u32> = lengths.iter().flat_map(|&len| 0..len as u32).collect();
        let positions = Tensor::from_vec(positions, total, &self.device)?;
        let ids = Tensor::from_slice(ids, total, &self.device)?;
        let x = (self.words.forward(&ids)? + self.positions.index_select(&positions, 0)?)?;
        self.embedding_norm.forward(&x, Graph::Inference)
    }

    /// How attention pads the sequences of `lengths` (packed in that order).
    pub(crate) fn plans(&self, lengths: &[usize]) -> candle_core::Result<Vec<PaddingPlan>> {
        attention_groups(lengths)
            .map(|(first_row, group)| PaddingPlan::new(first_row, group, &self.device))
            .collect()
    }

    /// `layers` (this encoder's, or trainable copies of some of them) over packed rows `x`.
    pub(crate) fn run(
        &self,
        layers: &[Layer],
        mut x: Tensor,
        plans: &[PaddingPlan],
        graph: Graph,
    ) -> candle_core::Result<Tensor> {
        for layer in layers {
            let qkv = layer.qkv.forward(&x)?;
            let contexts = plans
                .iter()
                .map(|plan| self.attention(&qkv, plan, graph))
                .collect::<candle_core::Result<Vec<_>>>()?;
            let context = Tensor::cat(&contexts, 0)?;
            let attended =
                layer.attention_norm.forward(&(layer.attention_out.forward(&context)? + &x)?, graph)?;
            let inner = layer.intermediate.forward(&attended)?.gelu_erf()?;
            x = layer.output_norm.forward(&(layer.output.forward(&inner)? + &attended)?, graph)?;
        }
        Ok(x)
    }

    pub(crate) fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// Copies of layers `from..` whose every weight is a variable of `varmap` (named
    /// `layer{i}.{part}`), for training.
    pub(crate) fn trainable(
        &self,
        from: usize,
        varmap: &candle_nn::VarMap,
    ) -> Result<Vec<Layer>, EmbedError> {
        let var = |name: String, t: &Tensor| -> candle_core::Result<Tensor> {
            let v = candle_core::Var::from_tensor(&t.copy()?)?;
            let tensor = v.as_tensor().clone();
            varmap.data().lock().unwrap_or_else(|e| e.into_inner()).insert(name, v);
            Ok(tensor)
        };
        let dense = |name: String, d: &Dense| -> Result<Dense, EmbedError> {
            Ok(Dense { w_t: var(format!("{name}.weight"), &d.w_t)?, b: var(format!("{name}.bias"), &d.b)? })
        };
        let norm = |name: String, n: &Norm| -> candle_core::Result<Norm> {
            Ok(Norm {
                gamma: var(format!("{name}.gamma"), &n.gamma)?,
                beta: var(format!("{name}.beta"), &n.beta)?,
                eps: n.eps,
            })
        };
        self.layers[from..]
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let p = |part: &str| format!("layer{}.{part}", from + i);
                Ok(Layer {
                    qkv: dense(p("qkv"), &l.qkv)?,
                    attention_out: dense(p("attention_out"), &l.attention_out)?,
                    attention_norm: norm(p("attention_norm"), &l.attention_norm)?,
                    intermediate: dense(p("intermediate"), &l.intermediate)?,
                    output: dense(p("output"), &l.output)?,
                    output_norm: norm(p("output_norm"), &l.output_norm)?,
                })
            })
            .collect()
    }

    /// Self-attention for one group of sequences: packed (tokens, 3 x hidden) query-key-value
    /// rows in, packed (tokens, hidden) context rows out.
    fn attention(&self, qkv: &Tensor, plan: &PaddingPlan, graph: Graph) -> candle_core::Result<Tensor> {
        let (b, s) = (plan.sequences, plan.longest);
        let qkv = qkv
            .index_select(&plan.to_padded, 0)?
            .reshape((b, s, 3, self.heads, self.head_size))?
            .permute((2, 0, 3, 1, 4))?
            .contiguous()?;
        let (q, k, v) = (qkv.get(0)?, qkv.get(1)?, qkv.get(2)?);
        let scores = q.matmul(&k.t()?)?.broadcast_add(&plan.mask)?;
        let probs = match graph {
            Graph::Inference => candle_nn::ops::softmax_last_dim(&scores)?,
            Graph::Training => candle_nn::ops::softmax(&scores, candle_core::D::Minus1)?,
        };
        probs
            .matmul(&v)?
            .transpose(1, 2)?
            .contiguous()?
            .reshape((b * s, self.hidden))?
            .index_select(&plan.to_packed, 0)
    }
}

/// Sequences attended together. Attention needs each group padded to its longest sequence;
/// callers pass sequences sorted by length, so small consecutive groups waste almost nothing,
/// while one long outlier would otherwise pad every sequence of the batch.
const ATTENTION_GROUP: usize = 8;

/// (first packed row, lengths) of each attention group.
fn attention_groups(lengths: &[usize]) -> impl Iterator<Item = (usize, &[usize])> {
    lengths.chunks(ATTENTION_GROUP).scan(0, |row, group| {
        let first = *row;
        *row += group.iter().sum::<usize>();
        Some((first, group))
    })
}

/// Index maps between a group's packed token rows and its (sequences x longest) padded grid.
pub(crate) struct PaddingPlan {
    sequences: usize,
    longest: usize,
    /// For each padded cell, the packed row to copy in; padding cells copy the sequence's first
    /// token, which the mask then hides from every real query.
    to_padded: Tensor,
    /// For each of the group's tokens, its padded cell.
    to_packed: Tensor,
    /// 0 for real keys, -MASK_PENALTY for padding: (sequences, 1, 1, longest).
    mask: Tensor,
}

impl PaddingPlan {
    fn new(first_row: usize, lengths: &[usize], device: &Device) -> candle_core::Result<Self> {
        let b = lengths.len();
        let s = lengths.iter().copied().max().unwrap_or(0);
        let total: usize = lengths.iter().sum();
        let mut to_padded = Vec::with_capacity(b * s);
        let mut to_packed = Vec::with_capacity(total);
        let mut mask = Vec::with_capacity(b * s);
        let mut offset = first_row as u32;
        for (i, &len) in lengths.iter().enumerate() {
            for j in 0..s {
                let real = j < len;
                to_padded.push(if real { offset + j as u32 } else { offset });
                mask.push(if real { 0f32 } else { -MASK_PENALTY as f32 });
                if real {
                    to_packed.push((i * s + j) as u32);
                }
            }
            offset += len as u32;
        }
        Ok(Self {
            sequences: b,
            longest: s,
            to_padded: Tensor::from_vec(to_padded, b * s, device)?,
            to_packed: Tensor::from_vec(to_packed, total, device)?,
            mask: Tensor::from_vec(mask, (b, 1, 1, s), device)?,
        })
    }
}
