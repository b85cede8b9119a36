//! Loop yield: once a point is published, the open misses it answers are closed — and so are the
//! questions trainers linked to it, when the bot now answers them with it.

use std::collections::HashSet;

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QuerySelect};

use super::Result;
use crate::embedding::cache::embed_cached;
use crate::inbox::entity::cluster;
use crate::knowledge::entity::point;
use crate::knowledge::feed;
use crate::misses::entity::miss;
use crate::services::Services;
use crate::storage::meta;
use crate::views::{Action, GroupStatus, MissStatus, PointStatus};

/// The feed revision through which published knowledge has closed what it answers.
const SWEPT_THROUGH: &str = "closing_swept_through";

/// See [`super::sweep_closing`].
pub(super) async fn sweep(services: &Services) -> Result<usize> {
    let Some(done) = meta::get(&services.db, SWEPT_THROUGH).await?.and_then(|v| v.parse::<i64>().ok()) else {
        // The first sweep of a database: what was published before was closed at its publish.
        let now = feed::revision(&services.db).await?;
        meta::set(&services.db, SWEPT_THROUGH, &now.to_string()).await?;
        return Ok(0);
    };
    // Only what this instance's matcher serves: closing asks the matcher who answers what.
    let through = services.matcher.stats().revision;
    if through <= done {
        return Ok(0);
    }
    let ids: Vec<i32> = point::Entity::find()
        .select_only()
        .column(point::Column::Id)
        .filter(point::Column::Status.eq(PointStatus::Published))
        .filter(point::Column::FeedRevision.gt(done))
        .filter(point::Column::FeedRevision.lte(through))
        .into_tuple()
        .all(&services.db)
        .await?;
    let closed = close_answered(services, &ids).await?;
    let txn = crate::storage::write(&services.db).await?;
    let stored = meta::get(&txn, SWEPT_THROUGH).await?.and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    if through > stored {
        meta::set(&txn, SWEPT_THROUGH, &through.to_string()).await?;
    }
    txn.commit().await?;
    if closed > 0 {
        tracing::info!(
            points = ids.len(),
            closed,
            "the closing sweep closed misses published knowledge answers"
        );
    }
    Ok(closed)
}

/// Closes every open miss (and every miss decided for one of them) that the published points
/// `knowledge_ids` answer now; returns how many. The misses and their vectors are read once.
pub(super) async fn close_answered(services: &Services, knowledge_ids: &[i32]) -> Result<usize> {
    if knowledge_ids.is_empty() {
        return Ok(0);
    }
    let candidates = miss::Entity::find()
        .filter(
            Condition::any().add(miss::Column::Status.eq(MissStatus::Open)).add(
                Condition::all()
                    .add(miss::Column::Status.eq(MissStatus::Resolved))
                    .add(miss::Column::KnowledgeId.is_in(knowledge_ids.to_vec())),
            ),
        )
        .all(&services.db)
        .await?;
    if candidates.is_empty() {
        return Ok(0);
    }
    let questions: Vec<String> = candidates.iter().map(|m| m.question.clone()).collect();
    let vectors = embed_cached(&services.db, &services.embedder(), &questions).await?;
    let probes: Vec<(&str, &[f32])> =
        questions.iter().map(String::as_str).zip(vectors.iter().map(Vec::as_slice)).collect();
    let mut taken = vec![false; candidates.len()];
    let mut closed = 0;
    for &knowledge_id in knowledge_ids {
        // A miss decided for another point is that point's to close.
        let mine: Vec<usize> = (0..candidates.len())
            .filter(|&i| !taken[i])
            .filter(|&i| {
                candidates[i].status == MissStatus::Open || candidates[i].knowledge_id == Some(knowledge_id)
            })
            .collect();
        let subset: Vec<(&str, &[f32])> = mine.iter().map(|&i| probes[i]).collect();
        let answered: Vec<usize> =
            services.matcher.answered_by(knowledge_id, &subset).await.into_iter().map(|k| mine[k]).collect();
        answered.iter().for_each(|&i| taken[i] = true);
        closed += close(services, knowledge_id, answered.iter().map(|&i| &candidates[i])).await?;
    }
    Ok(closed)
}

async fn close<'a>(
    services: &Services,
    knowledge_id: i32,
    answered: impl Iterator<Item = &'a miss::Model>,
) -> Result<usize> {
    let answered: Vec<&miss::Model> = answered.collect();
    if answered.is_empty() {
        return Ok(0);
    }
    let ids: Vec<i64> = answered.iter().map(|m| m.id).collect();
    let groups: HashSet<i64> = answered.iter().filter_map(|m| m.cluster_id).collect();
    let now = Utc::now();
    let txn = crate::storage::write(&services.db).await?;
    let mut closed = 0;
    for chunk in ids.chunks(500) {
        closed += miss::Entity::update_many()
            .col_expr(miss::Column::Status, Expr::value(MissStatus::Closed))
            .col_expr(miss::Column::KnowledgeId, Expr::value(knowledge_id))
            .col_expr(miss::Column::ClosedAt, Expr::value(now))
            .filter(miss::Column::Id.is_in(chunk.to_vec()))
            .filter(miss::Column::Status.is_in([MissStatus::Open, MissStatus::Resolved]))
            .exec(&txn)
            .await?
            .rows_affected as usize;
    }
    // Open groups left without an open question were answered as a whole.
    let mut emptied = Vec::new();
    for &group in &groups {
        let left = miss::Entity::find()
            .filter(miss::Column::ClusterId.eq(group))
            .filter(miss::Column::Status.eq(MissStatus::Open))
            .one(&txn)
            .await?;
        if left.is_none() {
            emptied.push(group);
        }
    }
    for chunk in emptied.chunks(500) {
        cluster::Entity::update_many()
            .col_expr(cluster::Column::Status, Expr::value(GroupStatus::Resolved))
            .col_expr(cluster::Column::Action, Expr::value(Action::Answered))
            .col_expr(cluster::Column::KnowledgeId, Expr::value(knowledge_id))
            .col_expr(cluster::Column::ResolvedAt, Expr::value(now))
            .col_expr(cluster::Column::UpdatedAt, Expr::value(now))
            .filter(cluster::Column::Id.is_in(chunk.to_vec()))
            .filter(cluster::Column::Status.eq(GroupStatus::Open))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    services.inbox.forget(&ids, &emptied);
    tracing::info!(
        knowledge = knowledge_id,
        closed,
        groups = emptied.len(),
        "misses closed by published knowledge"
    );
    Ok(closed)
}
