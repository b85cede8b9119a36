//! botcoach's domain core: the sentence embedder, storage and the services built on them.
//! Nothing here knows about HTTP or the browser. Without the `backend` feature only
//! [`views`] is built, so the browser shares the types services return.

pub mod views;

#[cfg(feature = "backend")]
pub mod accounts;
#[cfg(feature = "backend")]
pub mod audit;
#[cfg(feature = "backend")]
pub mod clustering;
#[cfg(feature = "backend")]
pub mod embedding;
#[cfg(feature = "backend")]
pub mod errors;
#[cfg(feature = "backend")]
pub mod health;
#[cfg(feature = "backend")]
pub mod idempotency;
#[cfg(feature = "backend")]
pub mod inbox;
#[cfg(feature = "backend")]
pub mod journal;
#[cfg(feature = "backend")]
pub mod knowledge;
#[cfg(feature = "backend")]
pub mod learning;
#[cfg(feature = "backend")]
pub mod matching;
#[cfg(feature = "backend")]
pub mod metrics;
#[cfg(feature = "backend")]
pub mod misses;
#[cfg(feature = "backend")]
pub mod privacy;
#[cfg(feature = "backend")]
pub mod publishing;
#[cfg(feature = "backend")]
pub mod reembed;
#[cfg(feature = "backend")]
pub mod script;
#[cfg(feature = "backend")]
pub mod services;
#[cfg(feature = "backend")]
pub mod storage;
#[cfg(feature = "backend")]
pub mod synonyms;
#[cfg(feature = "backend")]
pub mod testsets;

#[cfg(feature = "backend")]
pub use embedding::{
    BertEmbedder, EmbedError, Embedder, EmbedderOptions, FusedEmbedder, Kernel, ModelChoice, ModelDir,
    ModelInfo, Pooling, TextKind,
};
#[cfg(feature = "backend")]
pub use services::{Readiness, Services};
pub use views::Role;
