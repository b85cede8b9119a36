//! The model learns from its trainers: an adapter on top of the serving model, trained on the
//! published knowledge (and customers' clarify picks), scored on held-out phrasings against the
//! model in service and promoted only when better (see `guard`). Versions are kept and can be
//! rolled back; asks never stop while a version takes over.

pub mod adapter;
pub mod data;
pub mod guard;
pub mod layers;
pub mod loss;
pub mod pairs;
mod service;
pub mod versions;

pub use adapter::{AdaptedEmbedder, Adapter, TrainOptions};
pub use service::{Learning, Progress, Schedule};

use crate::views::Problem;

#[derive(Debug, thiserror::Error)]
pub enum LearnError {
    #[error(transparent)]
    Refused(#[from] Problem),
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Tensor(#[from] candle_core::Error),
    #[error(transparent)]
    Cache(#[from] crate::embedding::cache::CacheError),
    #[error(transparent)]
    Knowledge(#[from] crate::knowledge::KnowledgeError),
    #[error(transparent)]
    Switch(#[from] crate::reembed::SwitchError),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    #[error(transparent)]
    Index(#[from] crate::matching::IndexError),
}

impl From<crate::storage::StorageError> for LearnError {
    fn from(e: crate::storage::StorageError) -> Self {
        LearnError::Internal(e.to_string())
    }
}

/// The thread a run trains on: one, scheduled only when a core would otherwise idle
/// (`SCHED_IDLE`, which Linux applies per thread: an ask waking up takes the core from it at
/// once, which nice 19 alone does not promise), so the bot's asks come first.
pub fn training_pool() -> Result<rayon::ThreadPool, LearnError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .thread_name(|_| "botcoach-learn".into())
        .start_handler(|_| lower_priority())
        .build()
        .map_err(|e| LearnError::Internal(format!("no training thread: {e}")))
}

fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        let param = libc::sched_param { sched_priority: 0 };
        // SAFETY: `param` outlives the call, which only reads it; pid 0 is the calling thread.
        if unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) } != 0 {
            tracing::warn!("cannot lower the training thread's priority; it competes with asks");
        }
    }
}

/// Before each training step: a moment with nothing embedded (20 ms), or half a second at most,
/// so a run under asks that never pause still finishes (a step takes tens of milliseconds).
pub fn yield_to_asks() {
    crate::embedding::busy::wait_for_quiet(
        std::time::Duration::from_millis(20),
        std::time::Duration::from_millis(500),
    );
}
