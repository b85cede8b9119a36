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

use std::sync::{Arc, RwLock};

pub use adapter::{AdaptedEmbedder, Adapter, TrainOptions};
pub use service::{Learning, Schedule};

use crate::views::{Problem, TrainingRun};

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
}

impl From<crate::storage::StorageError> for LearnError {
    fn from(e: crate::storage::StorageError) -> Self {
        LearnError::Internal(e.to_string())
    }
}

/// The run under way or last finished, for the Model page's progress bar.
#[derive(Default)]
pub struct RunProgress(RwLock<Option<TrainingRun>>);

impl RunProgress {
    pub fn get(&self) -> Option<TrainingRun> {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn update(&self, f: impl FnOnce(&mut TrainingRun)) {
        if let Some(run) = self.0.write().unwrap_or_else(|e| e.into_inner()).as_mut() {
            f(run);
        }
    }

    fn start(&self, run: TrainingRun) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Some(run);
    }
}

/// Shared by the run's blocking training thread and whoever asks for progress.
pub type Progress = Arc<RunProgress>;
