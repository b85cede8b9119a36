//! The state every request handler shares: one database pool and the model serving.

use std::sync::{Arc, RwLock};

use sea_orm::DatabaseConnection;

use crate::embedding::{Embedder, ModelInfo};
use crate::health::Conflicts;
use crate::inbox::Inbox;
use crate::learning::Learning;
use crate::matching::Matcher;
use crate::storage;
use crate::views::Reembedding;

#[derive(Clone)]
pub struct Services {
    pub db: DatabaseConnection,
    pub matcher: Arc<Matcher>,
    pub inbox: Arc<Inbox>,
    /// A model change under way (see `Services::switch_model`).
    pub model_switch: Arc<Progress>,
    /// The version of the model serving, and training runs (see `crate::learning`).
    pub learning: Arc<Learning>,
    /// The last comparison of the published knowledge for the conflict report.
    pub conflicts: Arc<Conflicts>,
    /// Woken when the matcher took in a change: the validity timer looks for a nearer boundary.
    pub knowledge_moved: Arc<tokio::sync::Notify>,
    /// One move to newly published synonyms at a time (see `Services::follow_synonyms`).
    pub(crate) synonyms_switch: Arc<tokio::sync::Mutex<()>>,
}

/// What `/readyz` and the status panel report.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Readiness {
    pub database: DatabaseState,
    pub model: ModelInfo,
    /// The model being moved to, while the current one keeps serving.
    pub reembedding: Option<Reembedding>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DatabaseState {
    pub backend: String,
    pub reachable: bool,
    /// Why it is not reachable, when it is not.
    pub error: Option<String>,
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        self.database.reachable
    }
}

impl Services {
    pub fn new(db: DatabaseConnection, matcher: Arc<Matcher>, inbox: Arc<Inbox>) -> Self {
        let learning = Arc::new(Learning::new(matcher.base_embedder(), matcher.scoring(), inbox.grouping()));
        Self {
            db,
            matcher,
            inbox,
            model_switch: Arc::new(Progress::default()),
            learning,
            conflicts: Arc::new(Conflicts::default()),
            knowledge_moved: Arc::new(tokio::sync::Notify::new()),
            synonyms_switch: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    /// Erases a customer session's data (see `privacy::sessions::erase`); the inbox forgets
    /// the misses that went with it.
    pub async fn erase_session(
        &self,
        actor: &crate::views::Actor,
        session_id: &str,
    ) -> Result<crate::views::Erased, crate::privacy::PrivacyError> {
        let erasure = crate::privacy::sessions::erase(&self.db, actor, session_id).await?;
        self.inbox.forget(&erasure.misses, &erasure.groups);
        Ok(erasure.erased)
    }

    /// The model serving now (the matcher's): vectors compared with its index come from it.
    pub fn embedder(&self) -> Arc<dyn Embedder> {
        self.matcher.embedder()
    }

    /// After a publish, archive or import: the bot serves the change now. A failure here is
    /// logged, not returned — the change itself is stored, and the next refresh picks it up.
    pub async fn knowledge_changed(&self) {
        match self.matcher.refresh().await {
            Ok(0) => {}
            Ok(_) => self.knowledge_moved.notify_one(),
            Err(e) => tracing::error!(error = %e, "matcher refresh failed; it will be retried"),
        }
    }

    /// Announces validity boundaries as they come (see `knowledge::validity`); runs until the
    /// process ends.
    pub async fn follow_boundaries(&self) {
        let s = self.clone();
        crate::knowledge::validity::follow_boundaries(
            self.db.clone(),
            self.knowledge_moved.clone(),
            move || {
                let s = s.clone();
                async move { s.knowledge_changed().await }
            },
        )
        .await
    }

    /// Pings the database; the model is loaded before a `Services` exists, so it is ready.
    pub async fn readiness(&self) -> Readiness {
        let ping = self.db.ping().await;
        // The matcher serves the new model a moment before the progress is cleared (the inbox
        // reloads in between): a move to the model already serving is over.
        let model = self.embedder().info().clone();
        let reembedding =
            self.model_switch.get().filter(|p| p.error.is_some() || p.synonyms || p.model != model.name);
        Readiness {
            database: DatabaseState {
                backend: storage::backend_name(&self.db).to_string(),
                reachable: ping.is_ok(),
                error: ping.err().map(|e| e.to_string()),
            },
            model: model.clone(),
            reembedding,
        }
    }
}

/// Something under way, if anything, for a status page: a model change (`crate::reembed` moves
/// it) or a training run (`crate::learning`).
pub struct Progress<T = Reembedding>(RwLock<Option<T>>);

impl<T> Default for Progress<T> {
    fn default() -> Self {
        Self(RwLock::new(None))
    }
}

impl<T: Clone> Progress<T> {
    pub fn get(&self) -> Option<T> {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub(crate) fn set(&self, value: Option<T>) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = value;
    }

    /// Changes what is under way, if anything is.
    pub(crate) fn update(&self, f: impl FnOnce(&mut T)) {
        if let Some(value) = self.0.write().unwrap_or_else(|e| e.into_inner()).as_mut() {
            f(value);
        }
    }
}
