//! The contrastive loss every training method shares: multiple-negatives ranking. Each anchor
//! must pick its own positive among every positive and hard negative of the batch, so one batch
//! of B pairs gives B·(2B − 1) negatives for free.
//!
//! Only differentiable ops appear here (`ops::log_softmax` is composed of plain tensor ops):
//! candle's fused kernels record no gradient, and a loss built on one would train nothing.

use candle_core::{DType, Device, Tensor, D};

/// Cosines are multiplied by this before the softmax by default: a sharper choice than raw
/// cosines in [-1, 1] (sentence-transformers' default for this loss).
pub const SCALE: f64 = 20.0;

/// Rows scaled to unit length, differentiably.
pub fn unit_rows(x: &Tensor) -> candle_core::Result<Tensor> {
    let norm = x.sqr()?.sum_keepdim(D::Minus1)?.sqrt()?;
    x.broadcast_div(&(norm + 1e-8)?)
}

/// One batch of B training pairs: which point each anchor, positive and negative belongs to,
/// and how much each anchor's term counts (clarify choices count less than phrasings).
pub struct Batch {
    pub points: Vec<u32>,
    pub negative_points: Vec<u32>,
    pub weights: Vec<f32>,
}

impl Batch {
    /// -1e4 where a column holds a text of the anchor's own point other than its positive: such
    /// a text is no negative, and scoring it as one would teach the model to pull a point apart.
    fn mask(&self, device: &Device) -> candle_core::Result<Tensor> {
        let b = self.points.len();
        let mut mask = vec![0f32; b * 2 * b];
        for (i, &p) in self.points.iter().enumerate() {
            for (j, &q) in self.points.iter().chain(&self.negative_points).enumerate() {
                if j != i && q == p {
                    mask[i * 2 * b + j] = -1e4;
                }
            }
        }
        Tensor::from_vec(mask, (b, 2 * b), device)
    }
}

/// Weighted mean over anchors of −log softmax(anchor · [positives; negatives] · SCALE)[own].
/// `anchors`, `positives`, `negatives`: (B, dim) unit rows.
pub fn ranking_loss(
    anchors: &Tensor,
    positives: &Tensor,
    negatives: &Tensor,
    batch: &Batch,
    scale: f64,
) -> candle_core::Result<Tensor> {
    let device = anchors.device();
    let b = batch.points.len();
    let candidates = Tensor::cat(&[positives, negatives], 0)?;
    let logits = (anchors.matmul(&candidates.t()?)? * scale)?.broadcast_add(&batch.mask(device)?)?;
    let log_probs = candle_nn::ops::log_softmax(&logits, D::Minus1)?;
    let own: Vec<f32> = (0..b).flat_map(|i| (0..2 * b).map(move |j| f32::from(i == j))).collect();
    let own = Tensor::from_vec(own, (b, 2 * b), device)?;
    let per_anchor = (log_probs * own)?.sum(D::Minus1)?.neg()?;
    let total: f32 = batch.weights.iter().sum();
    let weights = Tensor::from_vec(batch.weights.clone(), b, device)?.to_dtype(DType::F32)?;
    (per_anchor * weights)?.sum_all()? / f64::from(total.max(1e-6))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clear_choice_costs_little_and_a_wrong_one_much() {
        let d = Device::Cpu;
        let a = Tensor::new(&[[1f32, 0.0], [0.0, 1.0]], &d).unwrap();
        let right = Tensor::new(&[[1f32, 0.0], [0.0, 1.0]], &d).unwrap();
        let wrong = Tensor::new(&[[0f32, 1.0], [1.0, 0.0]], &d).unwrap();
        let negatives = Tensor::new(&[[-1f32, 0.0], [0.0, -1.0]], &d).unwrap();
        let batch = Batch { points: vec![0, 1], negative_points: vec![2, 3], weights: vec![1.0, 1.0] };
        let good = ranking_loss(&a, &right, &negatives, &batch, SCALE).unwrap().to_scalar::<f32>().unwrap();
        let bad = ranking_loss(&a, &wrong, &negatives, &batch, SCALE).unwrap().to_scalar::<f32>().unwrap();
        assert!(good < 0.01, "{good}");
        assert!(bad > 10.0, "{bad}");
    }

    #[test]
    fn a_text_of_the_same_point_is_not_a_negative() {
        let d = Device::Cpu;
        // Both anchors belong to point 0: each other's positive must not count against them.
        let a = Tensor::new(&[[1f32, 0.0], [1.0, 0.0]], &d).unwrap();
        let negatives = Tensor::new(&[[0f32, 1.0], [0.0, 1.0]], &d).unwrap();
        let batch = Batch { points: vec![0, 0], negative_points: vec![1, 1], weights: vec![1.0, 1.0] };
        let loss = ranking_loss(&a, &a, &negatives, &batch, SCALE).unwrap().to_scalar::<f32>().unwrap();
        assert!(loss < 0.01, "{loss}");
    }
}
