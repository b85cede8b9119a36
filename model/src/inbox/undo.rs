//! Undoing a trainer's decision until its knowledge is published: the questions return to the
//! inbox (to their group, reopened if the decision had closed it), and the draft the decision
//! wrote is taken back (a created point is archived unseen).

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::entity::{cluster, decision};
use super::{Inbox, Result};
use crate::embedding::cache::embed_cached;
use crate::knowledge::{points, require};
use crate::misses::entity::miss;
use crate::views::{Actor, DecisionView, Role, Undone};
use crate::views::{GroupStatus, MissStatus, Problem, Thing};

impl Inbox {
    /// Takes decision `id` back. Its author or a reviewer may; refused once its knowledge was
    /// published or edited since, or when it was undone already.
    pub async fn undo(&self, actor: &Actor, id: &str) -> Result<Undone> {
        require(actor, Role::Trainer, "undoing inbox decisions")?;
        let id: i64 = id.parse().map_err(|_| Problem::not_found(Thing::Decision, id))?;
        let _writing = self.writing.lock().await;
        let txn = crate::storage::write(&self.db).await?;
        let d = decision::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or_else(|| Problem::not_found(Thing::Decision, id))?;
        if d.undone_at.is_some() {
            return Err(Problem::AlreadyUndone { decision: id }.into());
        }
        if d.actor != actor.name && !actor.role.includes(Role::Reviewer) {
            return Err(Problem::NotYourDecision { decision: id, by: d.actor }.into());
        }
        if let (Some(kid), Some(after)) = (d.knowledge_id, d.revision_after) {
            points::withdraw_in(&txn, actor, kid, after, d.revision_before).await?;
        }
        let ids: Vec<i64> = serde_json::from_str(&d.miss_ids).unwrap_or_default();
        let group = cluster::Entity::find_by_id(d.cluster_id).one(&txn).await?;
        let now = Utc::now();
        let home = reopen_group(&txn, group, &d, now).await?;
        let reopened = reopen_misses(&txn, &ids, home).await?;
        decision::Entity::update_many()
            .col_expr(decision::Column::UndoneAt, Expr::value(now))
            .filter(decision::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        crate::audit::record(
            &txn,
            actor,
            "inbox.undo",
            &format!("cluster:{}", d.cluster_id),
            Some(serde_json::json!({ "decision": id, "misses": reopened })),
        )
        .await?;
        txn.commit().await?;
        if let Some(home) = home {
            self.place_back(&ids, home, d.whole_group).await?;
        }
        tracing::info!(decision = id, reopened, "inbox decision undone");
        Ok(Undone { cluster_id: d.cluster_id.to_string(), reopened_misses: reopened })
    }

    /// The reopened questions back into the in-memory groups.
    async fn place_back(&self, ids: &[i64], home: i64, whole_group: bool) -> Result<()> {
        let back = miss::Entity::find()
            .filter(miss::Column::Id.is_in(ids.to_vec()))
            .filter(miss::Column::Status.eq(MissStatus::Open))
            .all(&self.db)
            .await?;
        let questions: Vec<String> = back.iter().map(|m| m.question.clone()).collect();
        let vectors = embed_cached(&self.db, &self.matcher.embedder(), &questions).await?;
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        for (m, v) in back.iter().zip(&vectors) {
            // Still in the neighbour index unless a regrouping rebuilt it since.
            if state.slots.iter().any(|s| s.0 == m.id) {
                if whole_group {
                    state.count_in(m.id, home, v);
                } else {
                    // A partial decision left them in the group's centre.
                    state.open.insert(m.id);
                }
            } else {
                state.add(m.id, home, v, &m.question);
            }
        }
        Ok(())
    }

    /// The latest decisions, newest first (`actor`'s own when given).
    pub async fn decisions(&self, actor: Option<&str>, limit: u64) -> Result<Vec<DecisionView>> {
        let mut query = decision::Entity::find().order_by_desc(decision::Column::Id).limit(limit.min(200));
        if let Some(name) = actor {
            query = query.filter(decision::Column::Actor.eq(name));
        }
        Ok(query
            .all(&self.db)
            .await?
            .into_iter()
            .map(|d| DecisionView {
                id: d.id.to_string(),
                cluster_id: d.cluster_id.to_string(),
                action: d.action,
                knowledge_id: d.knowledge_id.map(|k| k.to_string()),
                misses: serde_json::from_str::<Vec<i64>>(&d.miss_ids).map(|v| v.len()).unwrap_or(0),
                actor: d.actor,
                created_at: d.created_at,
                undone: d.undone_at.is_some(),
            })
            .collect())
    }
}

/// The group comes back if `d` closed it; a group merged away since cannot, and its questions
/// wait for the assigner instead. Where they go, if anywhere.
async fn reopen_group(
    txn: &impl ConnectionTrait,
    group: Option<cluster::Model>,
    d: &decision::Model,
    now: chrono::DateTime<Utc>,
) -> Result<Option<i64>> {
    Ok(match group {
        Some(g) if g.status == GroupStatus::Open => Some(g.id),
        Some(g) if d.whole_group && g.status != GroupStatus::Merged => {
            cluster::Entity::update_many()
                .col_expr(cluster::Column::Status, Expr::value(GroupStatus::Open))
                .col_expr(cluster::Column::Action, Expr::value(Option::<String>::None))
                .col_expr(cluster::Column::KnowledgeId, Expr::value(Option::<i32>::None))
                .col_expr(cluster::Column::Reason, Expr::value(Option::<String>::None))
                .col_expr(cluster::Column::ResolvedBy, Expr::value(Option::<String>::None))
                .col_expr(cluster::Column::ResolvedAt, Expr::value(Option::<chrono::DateTime<Utc>>::None))
                .col_expr(cluster::Column::UpdatedAt, Expr::value(now))
                .filter(cluster::Column::Id.eq(g.id))
                .exec(txn)
                .await?;
            Some(g.id)
        }
        _ => None,
    })
}

/// The decided questions open again, in `home` (or in no group); how many.
async fn reopen_misses(txn: &impl ConnectionTrait, ids: &[i64], home: Option<i64>) -> Result<usize> {
    let mut reopened = 0;
    for chunk in ids.chunks(500) {
        reopened += miss::Entity::update_many()
            .col_expr(miss::Column::Status, Expr::value(MissStatus::Open))
            .col_expr(miss::Column::KnowledgeId, Expr::value(Option::<i32>::None))
            .col_expr(miss::Column::DecidedAt, Expr::value(Option::<chrono::DateTime<Utc>>::None))
            .col_expr(miss::Column::ClusterId, Expr::value(home))
            .filter(miss::Column::Id.is_in(chunk.to_vec()))
            .filter(miss::Column::Status.is_in([MissStatus::Resolved, MissStatus::Dismissed]))
            .exec(txn)
            .await?
            .rows_affected as usize;
    }
    Ok(reopened)
}
