//! botcoach's domain core: the sentence embedder, storage and the services built on them.
//! Nothing here knows about HTTP or the browser.

pub mod accounts;
pub mod embedding;
pub mod services;
pub mod storage;

pub use embedding::{BertEmbedder, EmbedError, Embedder, EmbedderOptions, ModelDir, ModelInfo, Pooling};
pub use services::{Readiness, Services};
