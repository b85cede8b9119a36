//! Two models as one. Each text's vector is the models' unit vectors side by side, each scaled by
//! the square root of its weight (weights summing to 1): the dot product of two such vectors is
//! the weighted sum of the two models' cosines, and each vector is itself of unit length. So the
//! index, the matcher and the grouping use the fused similarity without knowing there are two
//! models.

use std::sync::Arc;

use super::{EmbedError, Embedder, ModelInfo, Pooling};

pub struct FusedEmbedder {
    parts: Vec<(Arc<dyn Embedder>, f32)>,
    info: ModelInfo,
}

impl FusedEmbedder {
    /// `parts`: each model with its weight; weights are normalised to sum to 1.
    pub fn new(parts: Vec<(Arc<dyn Embedder>, f32)>) -> Result<Self, EmbedError> {
        let total: f32 = parts.iter().map(|(_, w)| w.max(0.0)).sum();
        if parts.is_empty() || total <= 0.0 {
            return Err(EmbedError::Unsupported("a fused model needs at least one model with a positive weight".into()));
        }
        let parts: Vec<_> = parts.into_iter().map(|(e, w)| (e, w.max(0.0) / total)).collect();
        let info = ModelInfo {
            name: parts.iter().map(|(e, w)| format!("{}*{w:.2}", e.info().name)).collect::<Vec<_>>().join("+"),
            dimension: parts.iter().map(|(e, _)| e.info().dimension).sum(),
            max_tokens: parts.iter().map(|(e, _)| e.info().max_tokens).min().unwrap_or(0),
            pooling: Pooling::Mean,
            load_ms: parts.iter().map(|(e, _)| e.info().load_ms).sum(),
        };
        Ok(Self { parts, info })
    }
}

impl Embedder for FusedEmbedder {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let mut out: Vec<Vec<f32>> = texts.iter().map(|_| Vec::with_capacity(self.info.dimension)).collect();
        for (embedder, weight) in &self.parts {
            let scale = weight.sqrt();
            for (v, part) in out.iter_mut().zip(embedder.embed(texts)?) {
                v.extend(part.into_iter().map(|x| x * scale));
            }
        }
        Ok(out)
    }
}
