//! Stored vectors follow the model. When the configured model changes, the previous one keeps
//! answering while every published text and open miss is embedded with the new one (and stored
//! in the cache), with progress in the log and on the status page; then the matcher and the
//! inbox move to the new model in one step. Asks never stop.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};

use crate::clustering::Grouping;
use crate::embedding::cache::{self, embed_cached, CacheError};
use crate::embedding::Embedder;
use crate::inbox::InboxError;
use crate::knowledge::{feed, KnowledgeError};
use crate::matching::{Scoring, Serving};
use crate::misses::entity::miss;
pub use crate::services::Progress;
use crate::services::Services;
use crate::views::MissStatus;
use crate::views::Reembedding;

/// Texts embedded between two progress updates.
const CHUNK: usize = 64;
/// At most one progress line in the log this often.
const LOG_EVERY: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum SwitchError {
    #[error(transparent)]
    Cache(#[from] CacheError),
    #[error(transparent)]
    Knowledge(#[from] KnowledgeError),
    #[error(transparent)]
    Inbox(#[from] InboxError),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

/// Every text the serving model needs a vector for: the published points' questions and
/// phrasings, and the open misses.
pub(crate) async fn texts(db: &DatabaseConnection) -> Result<Vec<String>, SwitchError> {
    let mut texts = Vec::new();
    for item in feed::since(db, 0).await?.items.into_iter().filter(|i| !i.deleted) {
        texts.push(item.question);
        texts.extend(item.phrasings);
        texts.extend(item.counter_examples);
    }
    let open: Vec<String> = miss::Entity::find()
        .select_only()
        .column(miss::Column::Question)
        .filter(miss::Column::Status.eq(MissStatus::Open))
        .into_tuple()
        .all(db)
        .await?;
    texts.extend(open);
    Ok(texts)
}

/// How many stored texts lack a vector for `embedder`.
pub async fn lacking(db: &DatabaseConnection, embedder: &Arc<dyn Embedder>) -> Result<usize, SwitchError> {
    Ok(cache::missing(db, embedder.as_ref(), &texts(db).await?).await?.len())
}

/// Embeds and stores, for `embedder`, every text it lacks a stored vector for; returns how many.
pub async fn embed_missing(
    db: &DatabaseConnection,
    embedder: &Arc<dyn Embedder>,
    progress: &Progress,
    synonyms: bool,
) -> Result<usize, SwitchError> {
    let model = embedder.info().name.clone();
    let missing = cache::missing(db, embedder.as_ref(), &texts(db).await?).await?;
    let total = missing.len();
    if total == 0 {
        return Ok(0);
    }
    let started = Instant::now();
    let mut logged = Instant::now();
    tracing::info!(model = %model, texts = total, "embedding the stored texts with the new model");
    let report = |done: usize| {
        progress.set(Some(Reembedding { model: model.clone(), done, total, error: None, synonyms }))
    };
    report(0);
    let mut done = 0;
    for chunk in missing.chunks(CHUNK) {
        embed_cached(db, embedder, chunk).await?;
        done += chunk.len();
        report(done);
        if logged.elapsed() >= LOG_EVERY {
            logged = Instant::now();
            tracing::info!(model = %model, done, total, "re-embedding: {}%", done * 100 / total);
        }
    }
    tracing::info!(model = %model, texts = total, seconds = started.elapsed().as_secs(), "re-embedding done");
    Ok(total)
}

impl Services {
    /// Moves the product to another model: embeds what it lacks while the current model keeps
    /// answering, then swaps the matcher and the inbox to it with its thresholds. On failure
    /// the current model keeps serving and the status page says why.
    pub async fn switch_model(
        &self,
        embedder: Arc<dyn Embedder>,
        scoring: Scoring,
        grouping: Grouping,
    ) -> Result<(), SwitchError> {
        let model = embedder.info().name.clone();
        let result = async {
            let serving = Serving::new(embedder, scoring, self.matcher.synonyms());
            embed_missing(&self.db, &serving.embedder, &self.model_switch, false).await?;
            self.inbox.switch_model(serving, grouping).await?;
            Ok::<_, SwitchError>(())
        }
        .await;
        match &result {
            Ok(()) => {
                self.model_switch.set(None);
                tracing::info!(model = %model, "now serving with the new model");
            }
            Err(e) => {
                let mut failed = self.model_switch.get().unwrap_or(Reembedding {
                    model: model.clone(),
                    done: 0,
                    total: 0,
                    error: None,
                    synonyms: false,
                });
                failed.error = Some(e.to_string());
                self.model_switch.set(Some(failed));
                tracing::error!(model = %model, error = %e, "the model change failed; the previous model keeps serving");
            }
        }
        result
    }
}

impl Services {
    /// [`Services::follow_synonyms`] in the background, right after a publish (the timer would
    /// come within seconds anyway); progress is on the status page.
    pub fn follow_synonyms_soon(&self) {
        let s = self.clone();
        tokio::spawn(async move {
            if let Err(e) = s.follow_synonyms().await {
                tracing::error!(error = %e, "the published synonyms are not served yet; retrying shortly");
            }
        });
    }

    /// Serves the published synonyms if the matcher reads through older ones (after a publish
    /// here, or on another instance): the texts they rewrite are embedded first while the
    /// current dictionary keeps answering, then the matcher and the inbox move in one step.
    /// Returns whether it moved.
    pub async fn follow_synonyms(&self) -> Result<bool, SwitchError> {
        let _one = self.synonyms_switch.lock().await;
        let published = crate::synonyms::revision(&self.db).await?;
        if published == self.matcher.synonyms().revision {
            return Ok(false);
        }
        let dictionary = Arc::new(crate::synonyms::load(&self.db).await?);
        let serving = Serving::new(self.matcher.base_embedder(), self.matcher.scoring(), dictionary.clone());
        let started = Instant::now();
        let result = async {
            let embedded = embed_missing(&self.db, &serving.embedder, &self.model_switch, true).await?;
            self.inbox.switch_model(serving, self.inbox.grouping()).await?;
            Ok::<_, SwitchError>(embedded)
        }
        .await;
        match result {
            Ok(embedded) => {
                self.model_switch.set(None);
                tracing::info!(
                    revision = dictionary.revision,
                    entries = dictionary.len(),
                    embedded,
                    ms = started.elapsed().as_millis() as u64,
                    "now serving with the published synonyms"
                );
                Ok(true)
            }
            Err(e) => {
                let model = self.embedder().info().name.clone();
                let total = self.model_switch.get().map_or(0, |p| p.total);
                self.model_switch.set(Some(Reembedding {
                    model,
                    done: 0,
                    total,
                    error: Some(e.to_string()),
                    synonyms: true,
                }));
                tracing::error!(error = %e, "applying the published synonyms failed; the previous ones keep serving");
                Err(e)
            }
        }
    }
}
