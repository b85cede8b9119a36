//! Publishing a knowledge change and closing the loop. Before a draft goes live the regression
//! check lists every question whose answer would change; once it is live the matcher serves it
//! at once, and every open miss it now answers is closed and counted as loop yield.

mod closing;

use chrono::Utc;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::embedding::cache::{embed_cached, CacheError};
use crate::knowledge::{categories::Tree, points, require, KnowledgeError};
use crate::matching::asks::entity as asks;
use crate::matching::preview::Probe;
use crate::matching::PointDoc;
use crate::services::Services;
use crate::views::Outcome;
use crate::views::Problem;
use crate::views::{Actor, PublishReport, Regression, Role};

/// Recently answered questions the regression check replays, beside the knowledge base's own
/// phrasings: the most recent distinct ones of the last `RECENT_DAYS` days.
const RECENT_ASKS: usize = 500;
const RECENT_DAYS: i64 = 30;

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// Nothing was published: the answers to these questions would change.
    #[error("publishing would change the answer to {} question(s); check them, then publish with force", .0.len())]
    Regressions(Vec<Regression>),
    #[error(transparent)]
    Knowledge(#[from] KnowledgeError),
    #[error(transparent)]
    Embedding(#[from] CacheError),
    #[error(transparent)]
    Storage(#[from] sea_orm::DbErr),
    #[error(transparent)]
    Store(#[from] crate::storage::StorageError),
}

pub type Result<T, E = PublishError> = std::result::Result<T, E>;

/// The questions whose answer would change if point `id`'s current draft were published.
pub async fn regressions(services: &Services, id: i32) -> Result<Vec<Regression>> {
    Ok(checked_head(services, id).await?.0)
}

/// [`regressions`], and the revision they were computed for.
async fn checked_head(services: &Services, id: i32) -> Result<(Vec<Regression>, i32)> {
    let p = points::load(&services.db, id).await?;
    let head = points::head(&services.db, &p).await?;
    let content = points::content_of(&head);
    let mut texts = vec![content.question.clone()];
    texts.extend(content.phrasings.iter().cloned());
    let vectors = embed_cached(&services.db, &services.matcher.online_embedder(), &texts).await?;
    let tree = Tree::load(&services.db).await?;
    let change = PointDoc {
        knowledge_id: id,
        category: tree.path(content.category_id),
        question: content.question.clone(),
        answer: content.answer.clone(),
        texts,
        vectors: crate::matching::Rows::new(&vectors),
    };
    let recent = recent_answers(services).await?;
    Ok((services.matcher.regressions(&change, &recent).await, head.id))
}

/// Publishes point `id`'s draft (as the caller saw it at `version`, when given) after the
/// regression check — refused with the list unless `force` — then closes the misses it answers.
pub async fn publish(
    services: &Services,
    actor: &Actor,
    id: i32,
    version: Option<i32>,
    force: bool,
) -> Result<PublishReport> {
    require(actor, Role::Reviewer, "publishing knowledge")?;
    let (regressions, checked) = checked_head(services, id).await?;
    if !regressions.is_empty() && !force {
        return Err(PublishError::Regressions(regressions));
    }
    let txn = crate::storage::write(&services.db).await?;
    // What goes live is what was checked: a draft saved meanwhile is checked again first.
    if points::load(&txn, id).await?.head_revision_id != Some(checked) {
        return Err(KnowledgeError::from(Problem::ChangedDuringCheck { point: id }).into());
    }
    let revision = points::publish_pending_in(&txn, actor, id, version).await?;
    txn.commit().await?;
    services.knowledge_changed().await;
    // Published is published: if closing fails now, the sweep closes them within a minute.
    let closed = match closing::close_answered(services, &[id]).await {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!(error = %e, knowledge = id, "closing the misses it answers failed; the sweep will");
            0
        }
    };
    tracing::info!(knowledge = id, revision, regressions = regressions.len(), closed, "knowledge published");
    Ok(PublishReport { knowledge_id: id.to_string(), revision, regressions, closed_misses: closed })
}

/// After an import that published `ids`: the misses they answer now are closed, as a publish
/// from the review page would. Returns how many.
pub async fn close_answered(services: &Services, ids: &[i32]) -> Result<usize> {
    closing::close_answered(services, ids).await
}

/// Closes the misses that knowledge published since the last sweep answers (on any instance,
/// through any path: a publish whose closing failed, an import, a crash in between). Closing
/// is idempotent, so a point closed at publish and again here changes nothing. Returns how many.
pub async fn sweep_closing(services: &Services) -> Result<usize> {
    closing::sweep(services).await
}

async fn recent_answers(services: &Services) -> Result<Vec<Probe>> {
    let since = Utc::now() - chrono::Duration::days(RECENT_DAYS);
    let rows: Vec<String> = asks::Entity::find()
        .select_only()
        .column(asks::Column::Question)
        .filter(asks::Column::Outcome.eq(Outcome::Answered))
        .filter(asks::Column::CreatedAt.gte(since))
        .filter(Condition::any().add(asks::Column::Helpful.is_null()).add(asks::Column::Helpful.eq(true)))
        .order_by_desc(asks::Column::Id)
        .limit(RECENT_ASKS as u64 * 4)
        .into_tuple()
        .all(&services.db)
        .await?;
    let mut seen = std::collections::HashSet::new();
    let texts: Vec<String> =
        rows.into_iter().filter(|q| seen.insert(crate::knowledge::fold(q))).take(RECENT_ASKS).collect();
    let vectors = embed_cached(&services.db, &services.matcher.online_embedder(), &texts).await?;
    Ok(texts.into_iter().zip(vectors).map(|(text, vector)| Probe { text, vector }).collect())
}
