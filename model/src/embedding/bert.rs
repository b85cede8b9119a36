//! A BERT-family sentence embedder on candle (CPU), reproducing sentence-transformers:
//! truncate at the model's max length, pad to the longest text of each batch, run the encoder
//! with the attention mask, pool (mean over real tokens, or CLS), L2-normalise.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use candle_core::{DType, Device, Tensor, D};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::Config;
use tokenizers::{Encoding, Tokenizer, TruncationParams};

use super::encoder::Encoder;
use super::model_dir::{read_json, ModelDir};
use super::{EmbedError, Embedder, ModelInfo, Pooling};

/// How the embedder spreads work over the machine.
#[derive(Debug, Clone)]
pub struct EmbedderOptions {
    /// Most texts run through the model in one forward pass.
    pub max_batch: usize,
    /// Model workers. `1` (the default) runs every batch in the caller's thread and lets
    /// candle split each matrix product over its rayon threads; more workers run batches side
    /// by side, each on one thread; `0` means one per core. On two cores the single worker
    /// measured faster for batches of 32 and 128 (see the README's benchmark), the per-core
    /// layout is kept for machines and loads where it wins.
    ///
    /// candle decides how many threads split a matrix product from `RAYON_NUM_THREADS`, read
    /// at every product; with several workers it must be 1, or each worker's products are cut
    /// into tasks that then queue on that worker's single thread (measured: 40% slower). The
    /// `botcoach` binary sets it at start.
    pub workers: usize,
}

impl Default for EmbedderOptions {
    fn default() -> Self {
        Self { max_batch: 32, workers: 1 }
    }
}

/// A request smaller than this per worker is not split: one forward pass with every core
/// helping inside it is faster than tiny passes side by side.
const MIN_TEXTS_PER_WORKER: usize = 8;

pub struct BertEmbedder {
    encoder: Encoder,
    tokenizer: Tokenizer,
    info: ModelInfo,
    max_batch: usize,
    /// One single-threaded pool per worker: candle and gemm run their parallel loops in the
    /// pool they are called from, so inside one of these a forward pass stays on one core.
    workers: Vec<rayon::ThreadPool>,
}

impl BertEmbedder {
    pub fn load(dir: &ModelDir, options: &EmbedderOptions) -> Result<Self, EmbedError> {
        let started = Instant::now();
        let config_path = dir.file("config.json");
        let config: Config = read_json(&config_path)?.ok_or_else(|| EmbedError::ModelMissing {
            dir: dir.root.clone(),
            missing: "config.json".into(),
        })?;

        let max_tokens =
            dir.max_seq_length.unwrap_or(config.max_position_embeddings).min(config.max_position_embeddings);

        let mut tokenizer = Tokenizer::from_file(dir.file("tokenizer.json"))
            .map_err(|e| EmbedError::Tokenizer(format!("{}: {e}", dir.file("tokenizer.json").display())))?;
        // tokenizer.json ships fixed padding and truncation at 128; sentence-transformers
        // replaces both, and so do we: pad per batch ourselves, truncate at the model's limit.
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(TruncationParams { max_length: max_tokens, ..Default::default() }))
            .map_err(|e| EmbedError::Tokenizer(e.to_string()))?;

        let weights = dir.file("model.safetensors");
        // SAFETY: the weights file is memory-mapped read-only; botcoach never writes it while
        // running, and the fetch script replaces the folder only when it is absent or corrupt.
        let vb = unsafe { VarBuilder::from_mmaped_safetensors(&[weights], DType::F32, &Device::Cpu)? };
        let encoder = Encoder::load(vb, &config)?;

        let workers = match options.workers {
            0 => std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            n => n,
        };
        if workers > 1 && candle_core::utils::get_num_threads() > 1 {
            tracing::warn!(workers, "RAYON_NUM_THREADS is not 1: embedding workers will split every matrix product and run slower");
        }
        let workers = (0..workers)
            .map(|i| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(1)
                    .thread_name(move |_| format!("embed-worker-{i}"))
                    .build()
                    .map_err(|e| EmbedError::Worker(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;

        let info = ModelInfo {
            name: dir.name(),
            dimension: config.hidden_size,
            max_tokens,
            pooling: dir.pooling,
            load_ms: started.elapsed().as_millis() as u64,
        };
        tracing::info!(model = %info.name, dimension = info.dimension, max_tokens,
            pooling = ?info.pooling, workers = workers.len(), load_ms = info.load_ms, "embedding model loaded");
        Ok(Self { encoder, tokenizer, info, max_batch: options.max_batch.max(1), workers })
    }

    /// Splits length-sorted texts into forward passes: full batches when there is plenty,
    /// else one share per worker, else a single pass.
    fn plan_batches(&self, n: usize) -> usize {
        let per_worker = n.div_ceil(self.workers.len());
        if n > self.max_batch * self.workers.len() {
            self.max_batch
        } else if self.workers.len() > 1 && per_worker >= MIN_TEXTS_PER_WORKER {
            per_worker
        } else {
            n.max(1)
        }
    }

    fn forward(&self, batch: &[&Encoding]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let lengths: Vec<usize> = batch.iter().map(|e| e.get_ids().len()).collect();
        let ids: Vec<u32> = batch.iter().flat_map(|e| e.get_ids().iter().copied()).collect();
        let hidden = self.encoder.forward(&ids, &lengths)?;

        // Pooling as one small matrix product: row i of `weights` averages sequence i's
        // tokens (mean) or picks its first token (CLS).
        let mut weights = vec![0f32; lengths.len() * ids.len()];
        let mut offset = 0;
        for (i, &len) in lengths.iter().enumerate() {
            let row = &mut weights[i * ids.len()..(i + 1) * ids.len()];
            match self.info.pooling {
                Pooling::Mean => row[offset..offset + len].fill(1.0 / len.max(1) as f32),
                Pooling::Cls => row[offset] = 1.0,
            }
            offset += len;
        }
        let weights = Tensor::from_vec(weights, (lengths.len(), ids.len()), &self.encoder.device)?;
        let pooled = weights.matmul(&hidden)?;
        let norms = pooled.sqr()?.sum_keepdim(D::Minus1)?.sqrt()?.clamp(1e-12f32, f32::MAX)?;
        Ok(pooled.broadcast_div(&norms)?.to_vec2::<f32>()?)
    }
}

impl Embedder for BertEmbedder {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| EmbedError::Tokenizer(e.to_string()))?;
        // Sorting by length keeps padding, and so wasted work, small in every batch.
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| encodings[i].get_ids().len());
        let batch_size = self.plan_batches(texts.len());
        let batches: Vec<&[usize]> = order.chunks(batch_size).collect();

        let mut out = vec![Vec::new(); texts.len()];
        let mut place = |batch: &[usize], vectors: Vec<Vec<f32>>| {
            for (&i, v) in batch.iter().zip(vectors) {
                out[i] = v;
            }
        };
        let encodings_of = |batch: &[usize]| batch.iter().map(|&i| &encodings[i]).collect::<Vec<_>>();

        if batches.len() == 1 || self.workers.len() == 1 {
            for batch in batches {
                place(batch, self.forward(&encodings_of(batch))?);
            }
            return Ok(out);
        }

        let next = AtomicUsize::new(0);
        let done = Mutex::new(Vec::with_capacity(batches.len()));
        std::thread::scope(|scope| {
            for pool in self.workers.iter().take(batches.len()) {
                scope.spawn(|| loop {
                    let b = next.fetch_add(1, Ordering::Relaxed);
                    let Some(batch) = batches.get(b) else { break };
                    let result = pool.install(|| self.forward(&encodings_of(batch)));
                    let failed = result.is_err();
                    done.lock().expect("embed result lock").push((b, result));
                    if failed {
                        break;
                    }
                });
            }
        });
        for (b, result) in done.into_inner().map_err(|e| EmbedError::Worker(e.to_string()))? {
            place(batches[b], result?);
        }
        Ok(out)
    }
}
