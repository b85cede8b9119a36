//! The BERT encoder, written for inference on CPU. Same weights and the same arithmetic as
//! candle-transformers' `BertModel`, laid out for fewer passes over memory: query, key and
//! value come from one matrix product, weights are stored pre-transposed, the attention scale
//! is folded into the query weights, and softmax and layer norm are the fused kernels.

use candle_core::{DType, Device, Module, Tensor};
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

    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        candle_nn::ops::layer_norm(x, &self.gamma, &self.beta, self.eps)
    }
}

/// `x @ w_t + b` with `w_t` stored as (in, out).
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

struct Layer {
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
            device: vb.device().clone(),
        })
    }

    /// Hidden states (batch, seq, hidden) for token ids (batch, seq) with mask 1 for real
    /// tokens and 0 for padding.
    pub(crate) fn forward(&self, ids: &Tensor, mask: &Tensor) -> candle_core::Result<Tensor> {
        let (b, s) = ids.dims2()?;
        let (h, heads, d) = (self.hidden, self.heads, self.head_size);
        let x = self.words.forward(&ids.flatten_all()?)?.reshape((b, s, h))?;
        let x = x.broadcast_add(&self.positions.narrow(0, 0, s)?)?;
        let mut x = self.embedding_norm.forward(&x)?.reshape((b * s, h))?;

        // 0 for real tokens, -MASK_PENALTY for padding, shaped to broadcast over heads and
        // query positions.
        let mask_add = ((mask.to_dtype(DType::F32)? - 1.0)? * MASK_PENALTY)?.reshape((b, 1, 1, s))?;

        for layer in &self.layers {
            let qkv = layer
                .qkv
                .forward(&x)?
                .reshape((b, s, 3, heads, d))?
                .permute((2, 0, 3, 1, 4))?
                .contiguous()?;
            let (q, k, v) = (qkv.get(0)?, qkv.get(1)?, qkv.get(2)?);
            let scores = q.matmul(&k.t()?)?.broadcast_add(&mask_add)?;
            let probs = candle_nn::ops::softmax_last_dim(&scores)?;
            let context = probs.matmul(&v)?.transpose(1, 2)?.contiguous()?.reshape((b * s, h))?;
            let attended = layer.attention_norm.forward(&(layer.attention_out.forward(&context)? + &x)?)?;
            let inner = layer.intermediate.forward(&attended)?.gelu_erf()?;
            x = layer.output_norm.forward(&(layer.output.forward(&inner)? + &attended)?)?;
        }
        x.reshape((b, s, h))
    }
}
