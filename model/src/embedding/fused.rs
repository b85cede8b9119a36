//! Several models as one. Each text's vector is the models' unit vectors side by side, each
//! scaled by the square root of its weight for that text (weights summing to 1): the dot product
//! of two texts' vectors is then the sum over models of `sqrt(w_a * w_b) * cosine`, and each
//! vector is itself of unit length. So the index, the matcher and the grouping use the fused
//! similarity without knowing there are several models.
//!
//! A model's weight may differ for Chinese and for Latin-script text (mixed text in proportion
//! to its share of Chinese characters): two Chinese texts can be compared by one model alone
//! while two English texts are compared by a blend, in one vector space.

use std::sync::Arc;

use super::{EmbedError, Embedder, ModelInfo, Pooling};
use crate::script::cjk_share;

/// One model of a fused embedder with its weight for Latin-script and for Chinese text.
#[derive(Clone)]
pub struct Part {
    pub embedder: Arc<dyn Embedder>,
    pub latin: f32,
    pub chinese: f32,
}

pub struct FusedEmbedder {
    parts: Vec<Part>,
    info: ModelInfo,
}

impl FusedEmbedder {
    /// `parts`: each model with its weights; for each kind of text, the weights are normalised to
    /// sum to 1.
    pub fn new(parts: Vec<Part>) -> Result<Self, EmbedError> {
        let sum = |f: fn(&Part) -> f32| parts.iter().map(|p| f(p).max(0.0)).sum::<f32>();
        if parts.is_empty() || sum(|p| p.latin) <= 0.0 || sum(|p| p.chinese) <= 0.0 {
            return Err(EmbedError::Unsupported(
                "a fused model needs models with positive weights for both scripts".into(),
            ));
        }
        let info = ModelInfo {
            name: parts
                .iter()
                .map(|p| format!("{}*{}/{}", p.embedder.info().name, p.latin, p.chinese))
                .collect::<Vec<_>>()
                .join("+"),
            dimension: parts.iter().map(|p| p.embedder.info().dimension).sum(),
            max_tokens: parts.iter().map(|p| p.embedder.info().max_tokens).min().unwrap_or(0),
            pooling: Pooling::Mean,
            load_ms: parts.iter().map(|p| p.embedder.info().load_ms).sum(),
        };
        Ok(Self { parts, info })
    }

    /// Each part's weight for this text, summing to 1.
    fn weights(&self, text: &str) -> Vec<f32> {
        let share = cjk_share(text);
        let raw: Vec<f32> =
            self.parts.iter().map(|p| (p.latin + (p.chinese - p.latin) * share).max(0.0)).collect();
        let total: f32 = raw.iter().sum();
        raw.into_iter().map(|w| w / total.max(f32::MIN_POSITIVE)).collect()
    }
}

impl Embedder for FusedEmbedder {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let weights: Vec<Vec<f32>> = texts.iter().map(|t| self.weights(t)).collect();
        let mut out: Vec<Vec<f32>> = texts.iter().map(|_| Vec::with_capacity(self.info.dimension)).collect();
        for (i, part) in self.parts.iter().enumerate() {
            // A model no text of this call needs is not run (all-Chinese calls skip MiniLM).
            if weights.iter().all(|w| w[i] == 0.0) {
                for v in &mut out {
                    v.extend(std::iter::repeat_n(0.0, part.embedder.info().dimension));
                }
                continue;
            }
            for ((v, w), vector) in out.iter_mut().zip(&weights).zip(part.embedder.embed(texts)?) {
                let scale = w[i].sqrt();
                v.extend(vector.into_iter().map(|x| x * scale));
            }
        }
        Ok(out)
    }
}
