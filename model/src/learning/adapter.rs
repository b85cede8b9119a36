//! The shipped way to learn: a square matrix applied to the base model's vectors (then
//! normalised again), trained contrastively on the published phrasings. It starts as the
//! identity and weight decay pulls it back there, so it moves only as far as the labels ask.
//!
//! Why this and not the encoder's own layers (`cargo bench -p model --bench learning` compares
//! them): it works on every model the product serves, the 4-bit e5 included, with no f32 copy of
//! the encoder; a run over 10k phrasings takes seconds; and a new version's vectors come from
//! the stored base vectors by one matrix product, so swapping versions re-embeds nothing.

use std::sync::Arc;

use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{AdamW, Init, Optimizer, ParamsAdamW, VarBuilder, VarMap};

use super::loss::{ranking_loss, unit_rows, Batch};
use super::pairs::{self, Counter, Example, Pair};
use crate::embedding::{EmbedError, Embedder, ModelInfo};

/// `out = normalise(M · v)`, M row-major `dim × dim`.
#[derive(Debug, Clone, PartialEq)]
pub struct Adapter {
    dim: usize,
    matrix: Vec<f32>,
}

impl Adapter {
    pub fn identity(dim: usize) -> Self {
        let mut matrix = vec![0f32; dim * dim];
        (0..dim).for_each(|i| matrix[i * dim + i] = 1.0);
        Self { dim, matrix }
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    pub fn apply(&self, v: &[f32]) -> Vec<f32> {
        let mut out: Vec<f32> =
            self.matrix.chunks_exact(self.dim).map(|row| crate::embedding::dot(row, v)).collect();
        let norm = crate::embedding::dot(&out, &out).sqrt();
        if norm > 1e-6 {
            out.iter_mut().for_each(|x| *x /= norm);
        }
        out
    }

    /// f32 little-endian, row after row: what the version's card stores.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.matrix.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    pub fn from_bytes(dim: usize, bytes: &[u8]) -> Option<Self> {
        (bytes.len() == dim * dim * 4).then(|| Self {
            dim,
            matrix: bytes.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect(),
        })
    }

    /// How far it moved from the identity (Frobenius norm of the difference).
    pub fn distance_from_identity(&self) -> f32 {
        self.matrix
            .iter()
            .enumerate()
            .map(|(i, x)| x - f32::from(i / self.dim == i % self.dim))
            .map(|d| d * d)
            .sum::<f32>()
            .sqrt()
    }
}

/// The base model followed by an adapter: a model of its own name (`fused+v3`), so its vectors
/// are stored apart from the base model's.
pub struct AdaptedEmbedder {
    base: Arc<dyn Embedder>,
    adapter: Arc<Adapter>,
    info: ModelInfo,
}

impl AdaptedEmbedder {
    pub fn new(base: Arc<dyn Embedder>, adapter: Arc<Adapter>, version: i32) -> Self {
        let info = ModelInfo { name: versioned_name(&base.info().name, version), ..base.info().clone() };
        Self { base, adapter, info }
    }

    pub fn base(&self) -> &Arc<dyn Embedder> {
        &self.base
    }

    pub fn adapter(&self) -> &Adapter {
        &self.adapter
    }
}

/// The model name a version's vectors are stored under.
pub fn versioned_name(base: &str, version: i32) -> String {
    if version == 0 {
        base.to_string()
    } else {
        format!("{base}+v{version}")
    }
}

impl Embedder for AdaptedEmbedder {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        Ok(self.base.embed(texts)?.iter().map(|v| self.adapter.apply(v)).collect())
    }

    fn tokens(&self, text: &str) -> usize {
        self.base.tokens(text)
    }
}

/// How a run trains.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct TrainOptions {
    pub epochs: usize,
    /// Pairs per step; each anchor is contrasted with every other pair's texts.
    pub batch: usize,
    /// AdamW's, decaying linearly to zero over the run.
    pub learning_rate: f64,
    /// Pulls the matrix back towards the identity.
    pub weight_decay: f64,
    /// Cosines are multiplied by this in the loss (see `loss::SCALE`).
    pub scale: f64,
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        // Chosen on the held-out phrasings of Banking77 with the shipped model (`cargo bench -p model
        // --bench learning`; docs/development.md has the grid).
        Self {
            epochs: 8,
            batch: 64,
            learning_rate: 5e-4,
            weight_decay: 0.01,
            scale: super::loss::SCALE,
            seed: 17,
        }
    }
}

/// Where a run is, reported after every step; returning false stops it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step {
    pub epoch: usize,
    pub step: usize,
    pub steps: usize,
    pub loss: f32,
}

/// AdamW over `vars` for `options.epochs` epochs of the examples' pairs (hard negatives picked
/// by the base `vectors`, and from `counters`), the learning rate decaying linearly to zero;
/// `loss` builds one batch's graph. Shared by the adapter and the encoder layers.
pub fn optimise(
    vars: Vec<Var>,
    examples: &[Example],
    counters: &[Counter],
    vectors: &[Vec<f32>],
    options: &TrainOptions,
    on_step: &mut dyn FnMut(Step) -> bool,
    mut loss: impl FnMut(&[Pair], &Batch) -> candle_core::Result<Tensor>,
) -> candle_core::Result<()> {
    let params = ParamsAdamW {
        lr: options.learning_rate,
        weight_decay: options.weight_decay,
        ..ParamsAdamW::default()
    };
    let mut optimizer = AdamW::new(vars, params)?;
    let nearest = pairs::nearest_points(examples, vectors);
    let steps = pairs::batches_per_epoch(examples, options.batch) * options.epochs;
    let mut step = 0;
    for epoch in 0..options.epochs {
        for (pairs, batch) in
            pairs::epoch(examples, &nearest, counters, options.batch, options.seed + epoch as u64)
        {
            optimizer.set_learning_rate(options.learning_rate * (1.0 - step as f64 / steps.max(1) as f64));
            let loss = loss(&pairs, &batch)?;
            optimizer.backward_step(&loss)?;
            step += 1;
            if !on_step(Step { epoch, step, steps, loss: loss.to_scalar::<f32>()? }) {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// Trains an adapter on `vectors` (the base model's, unit length) labelled by `examples`, each
/// point kept away from its `counters`.
pub fn train(
    examples: &[Example],
    counters: &[Counter],
    vectors: &[Vec<f32>],
    options: &TrainOptions,
    on_step: &mut dyn FnMut(Step) -> bool,
) -> candle_core::Result<Adapter> {
    let device = Device::Cpu;
    let Some(dim) = vectors.first().map(Vec::len) else { return Ok(Adapter::identity(0)) };
    let varmap = VarMap::new();
    let vb = VarBuilder::from_varmap(&varmap, DType::F32, &device);
    // M = I + delta, and weight decay shrinks delta: the identity is where it rests.
    let delta = vb.get_with_hints((dim, dim), "delta", Init::Const(0.0))?;
    let eye = Tensor::eye(dim, DType::F32, &device)?;
    let all = Tensor::from_vec(vectors.concat(), (vectors.len(), dim), &device)?;
    optimise(varmap.all_vars(), examples, counters, vectors, options, on_step, |pairs, batch| {
        let m_t = (&eye + &delta)?.t()?;
        let rows = |pick: fn(&Pair) -> usize| -> candle_core::Result<Tensor> {
            let ids: Vec<u32> = pairs.iter().map(|p| pick(p) as u32).collect();
            let ids = Tensor::from_vec(ids, pairs.len(), &device)?;
            unit_rows(&all.index_select(&ids, 0)?.matmul(&m_t)?)
        };
        ranking_loss(
            &rows(|p| p.anchor)?,
            &rows(|p| p.positive)?,
            &rows(|p| p.negative)?,
            batch,
            options.scale,
        )
    })?;
    let matrix = (eye + delta)?.flatten_all()?.to_vec1::<f32>()?;
    Ok(Adapter { dim, matrix })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two points whose texts the base model mixes up along the first axis; the second axis
    /// tells them apart.
    fn confusing() -> (Vec<Example>, Vec<Vec<f32>>) {
        let mut examples = Vec::new();
        let mut vectors = Vec::new();
        for i in 0..20 {
            let point = (i % 2) as u32;
            let side = if point == 0 { 0.15 } else { -0.15 };
            let wobble = ((i * 37 % 11) as f32 - 5.0) / 40.0;
            let v = [1.0f32, side, wobble];
            let n = crate::embedding::dot(&v, &v).sqrt();
            vectors.push(v.iter().map(|x| x / n).collect());
            examples.push(Example { point, weight: 1.0 });
        }
        (examples, vectors)
    }

    #[test]
    fn training_pulls_a_point_together_and_pushes_the_other_away() {
        let (examples, vectors) = confusing();
        let cos = |a: &Adapter, i: usize, j: usize| {
            crate::embedding::dot(&a.apply(&vectors[i]), &a.apply(&vectors[j]))
        };
        let before = Adapter::identity(3);
        let options = TrainOptions { epochs: 30, batch: 8, learning_rate: 0.05, ..TrainOptions::default() };
        let mut losses = Vec::new();
        let after = train(&examples, &[], &vectors, &options, &mut |s| {
            losses.push(s.loss);
            true
        })
        .unwrap();
        assert!(losses.last().unwrap() < &(losses[0] * 0.8), "{losses:?}");
        // Texts 0 and 1 are of different points, 0 and 2 of the same one.
        assert!(
            cos(&after, 0, 1) < cos(&before, 0, 1) - 0.2,
            "{} vs {}",
            cos(&after, 0, 1),
            cos(&before, 0, 1)
        );
        assert!(cos(&after, 0, 2) > 0.9);
        assert!(after.distance_from_identity() > 0.1);
    }

    #[test]
    fn a_counter_example_is_pushed_away_from_the_point_that_must_not_answer_it() {
        // A question the base model puts right beside point 0's texts, ruled out of point 0.
        let (mut examples, mut vectors) = confusing();
        let near = [1.0f32, 0.06, 0.0];
        let n = crate::embedding::dot(&near, &near).sqrt();
        vectors.push(near.iter().map(|x| x / n).collect());
        examples.push(Example { point: pairs::NO_POINT, weight: 0.0 });
        let counter = examples.len() - 1;
        let options = TrainOptions { epochs: 30, batch: 8, learning_rate: 0.05, ..TrainOptions::default() };
        let to_point = |a: &Adapter| -> f32 {
            let c = a.apply(&vectors[counter]);
            (0..20).step_by(2).map(|i| crate::embedding::dot(&c, &a.apply(&vectors[i]))).sum::<f32>() / 10.0
        };
        let without = train(&examples, &[], &vectors, &options, &mut |_| true).unwrap();
        let ruled_out = [Counter { point: 0, example: counter }];
        let with = train(&examples, &ruled_out, &vectors, &options, &mut |_| true).unwrap();
        assert!(
            to_point(&with) < to_point(&without) - 0.1,
            "mean cosine to point 0: {} with the counter-example, {} without",
            to_point(&with),
            to_point(&without)
        );
        // Point 0 still holds together.
        let cohesion = |a: &Adapter| crate::embedding::dot(&a.apply(&vectors[0]), &a.apply(&vectors[2]));
        assert!(cohesion(&with) > 0.9, "{} with, {} without", cohesion(&with), cohesion(&without));
    }

    #[test]
    fn bytes_round_trip_and_a_wrong_size_is_refused() {
        let (examples, vectors) = confusing();
        let a = train(
            &examples,
            &[],
            &vectors,
            &TrainOptions { epochs: 1, ..TrainOptions::default() },
            &mut |_| true,
        )
        .unwrap();
        assert_eq!(Adapter::from_bytes(3, &a.to_bytes()), Some(a.clone()));
        assert_eq!(Adapter::from_bytes(4, &a.to_bytes()), None);
        assert_eq!(versioned_name("fused", 3), "fused+v3");
        assert_eq!(versioned_name("fused", 0), "fused");
    }
}
