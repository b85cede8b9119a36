//! Sentence embeddings. The rest of the product sees only the [`Embedder`] trait, so another
//! model (a Chinese BERT, later one fine-tuned on labelled phrasings) can serve the same code.

mod bert;
pub mod busy;
pub mod cache;
mod centred;
mod choice;
pub(crate) mod encoder;
mod fused;
mod model_dir;
mod packed;
mod q4;
mod unigram;

pub use bert::{BertEmbedder, EmbedderOptions, TextKind};
pub use centred::{CentredEmbedder, CENTRE_TEXTS};
pub use choice::ModelChoice;
pub use fused::{FusedEmbedder, Part as FusedPart};
pub use model_dir::{default_e5_file, default_model_dir, ModelDir, Pooling, FETCH_COMMAND};
pub use q4::Kernel;

use std::path::PathBuf;

/// What a loaded model is, for status pages and for deciding when stored vectors are stale.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ModelInfo {
    /// The model folder's name, e.g. `all-MiniLM-L6-v2`.
    pub name: String,
    pub dimension: usize,
    /// Inputs longer than this many word pieces are truncated.
    pub max_tokens: usize,
    pub pooling: Pooling,
    /// Time spent reading the weights and tokenizer, in milliseconds.
    pub load_ms: u64,
}

/// Turns texts into L2-normalised vectors. Implementations are CPU-bound and synchronous:
/// async callers should run them on a blocking thread.
pub trait Embedder: Send + Sync {
    fn info(&self) -> &ModelInfo;

    /// One vector per text, in input order, each of length `info().dimension` and unit norm.
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError>;

    /// About how many tokens the model reads for `text`: what a batch's budget counts. The
    /// default guesses from its length; models with a tokenizer count.
    fn tokens(&self, text: &str) -> usize {
        text.chars().count() / 3 + 2
    }

    /// The text the model reads for `text`: the published synonyms applied (see
    /// `crate::synonyms`). Stored vectors are keyed by it, so a dictionary change re-embeds only
    /// the texts it rewrites. Must be idempotent; models themselves read text as it is.
    fn rewrite<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        std::borrow::Cow::Borrowed(text)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error(
        "no embedding model in {dir}: {missing} is missing. Fetch the models with \
         `{FETCH_COMMAND}`, or point BOTCOACH_MODEL_DIR at a folder holding config.json, \
         tokenizer.json and model.safetensors (MiniLM) and BOTCOACH_E5_MODEL at e5-small-q4.bin"
    )]
    ModelMissing { dir: PathBuf, missing: String },
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid model configuration in {path}: {message}")]
    Config { path: PathBuf, message: String },
    #[error("unsupported model: {0}")]
    Unsupported(String),
    #[error("tokenizer error: {0}")]
    Tokenizer(String),
    #[error("model computation failed: {0}")]
    Tensor(#[from] candle_core::Error),
    #[error("embedding worker failed: {0}")]
    Worker(String),
}

/// The dot product, which is the cosine of two unit vectors (every embedding is one).
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    // Eight independent sums let the compiler keep the loop in vector registers (a single
    // running sum must be added in order, which forbids that).
    let mut acc = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    let mut s: f32 = acc.iter().sum();
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

/// Cosine similarity of two vectors (not assumed normalised).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let (mut dot, mut na, mut nb) = (0f32, 0f32, 0f32);
    for (x, y) in a.iter().zip(b) {
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    if na == 0.0 || nb == 0.0 {
        return 0.0;
    }
    dot / (na.sqrt() * nb.sqrt())
}
