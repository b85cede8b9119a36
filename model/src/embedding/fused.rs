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

    /// The longest reading among the models: the one that costs the most in a batch.
    fn tokens(&self, text: &str) -> usize {
        self.parts.iter().map(|p| p.embedder.tokens(text)).max().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embedding::dot;

    /// A model that gives every text the same unit vector, with one of two directions for
    /// Chinese text, so the fused cosines are known exactly.
    struct Fixed {
        info: ModelInfo,
        latin: Vec<f32>,
        chinese: Vec<f32>,
    }

    impl Embedder for Fixed {
        fn info(&self) -> &ModelInfo {
            &self.info
        }

        fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
            Ok(texts
                .iter()
                .map(|t| if cjk_share(t) > 0.5 { self.chinese.clone() } else { self.latin.clone() })
                .collect())
        }
    }

    fn fixed(name: &str, latin: [f32; 2], chinese: [f32; 2]) -> Arc<dyn Embedder> {
        let info =
            ModelInfo { name: name.into(), dimension: 2, max_tokens: 8, pooling: Pooling::Mean, load_ms: 0 };
        Arc::new(Fixed { info, latin: latin.to_vec(), chinese: chinese.to_vec() })
    }

    #[test]
    fn the_dot_product_is_the_weighted_sum_of_cosines_per_script() {
        // Model a: Latin and Chinese texts at 60 degrees (cosine 0.5); model b: orthogonal.
        let a = fixed("a", [1.0, 0.0], [0.5, 0.75f32.sqrt()]);
        let b = fixed("b", [1.0, 0.0], [0.0, 1.0]);
        let fused = FusedEmbedder::new(vec![
            Part { embedder: a, latin: 0.7, chinese: 1.0 },
            Part { embedder: b, latin: 0.3, chinese: 0.0 },
        ])
        .unwrap();
        assert_eq!(fused.info().dimension, 4);
        let v = fused.embed(&["card", "bank", "宽带断网", "宽带"]).unwrap();
        for x in &v {
            assert!((dot(x, x) - 1.0).abs() < 1e-6, "unit length");
        }
        // Two Latin texts: 0.7 * 1 + 0.3 * 1; two Chinese: model a alone, 1.
        assert!((dot(&v[0], &v[1]) - 1.0).abs() < 1e-6);
        assert!((dot(&v[2], &v[3]) - 1.0).abs() < 1e-6);
        // Latin against Chinese: sqrt(0.7 * 1) * 0.5 from a, nothing from b (weight 0 there).
        assert!((dot(&v[0], &v[2]) - 0.7f32.sqrt() * 0.5).abs() < 1e-6);
        // A model no text of the call needs is not run, and its part is zero.
        let chinese_only = fused.embed(&["宽带"]).unwrap().remove(0);
        assert_eq!(&chinese_only[2..], &[0.0, 0.0]);
    }

    #[test]
    fn weights_must_be_positive_for_both_scripts() {
        let a = fixed("a", [1.0, 0.0], [1.0, 0.0]);
        assert!(FusedEmbedder::new(vec![Part { embedder: a, latin: 1.0, chinese: 0.0 }]).is_err());
        assert!(FusedEmbedder::new(Vec::new()).is_err());
    }
}
