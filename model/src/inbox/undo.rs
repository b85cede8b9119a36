//! Undoing a trainer's decision until its knowledge is published: the questions return to the
//! inbox (to their group, reopened if the decision had closed it), and the draft the decision
//! wrote is taken back (a created point is archived unseen). A bulk action is undone as one.
//! Discarding a draft takes back the decisions that wrote into it. "My decisions" lists them.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::entity::{cluster, decision};
use super::{Inbox, Result};
use crate::embedding::cache::embed_cached;
use crate::knowledge::entity::point;
use crate::knowledge::{fold, points, require};
use crate::misses::entity::miss;
use crate::views::{Action, Actor, DecisionView, Discarded, PointStatus, Role, Undone};
use crate::views::{GroupStatus, MissStatus, Problem, Thing};

impl Inbox {
    /// Takes decision `id` back (with the rest of its batch, for a bulk action). Its author or a
    /// reviewer may; refused once its knowledge was published or edited since, or when it was
    /// undone already.
    pub async fn undo(&self, actor: &Actor, id: &str) -> Result<Undone> {
        require(actor, Role::Trainer, "undoing inbox decisions")?;
        let id: i64 = id.parse().map_err(|_| Problem::not_found(Thing::Decision, id))?;
        let _writing = self.writing.lock().await;
        let txn = crate::storage::write(&self.db).await?;
        let d = decision::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or_else(|| Problem::not_found(Thing::Decision, id))?;
        if d.actor != actor.name && !actor.role.includes(Role::Reviewer) {
            return Err(Problem::NotYourDecision { decision: id, by: d.actor }.into());
        }
        // Newest first: links to one point are taken back in the reverse of their order. A
        // discarded draft may have taken part of a batch back already: the rest goes now.
        let batch: Vec<decision::Model> = match d.batch_id {
            Some(b) => {
                decision::Entity::find()
                    .filter(decision::Column::BatchId.eq(b))
                    .filter(decision::Column::UndoneAt.is_null())
                    .order_by_desc(decision::Column::Id)
                    .all(&txn)
                    .await?
            }
            None => Some(d.clone()).filter(|d| d.undone_at.is_none()).into_iter().collect(),
        };
        if batch.is_empty() {
            return Err(Problem::AlreadyUndone { decision: id }.into());
        }
        let now = Utc::now();
        let mut back = Vec::with_capacity(batch.len());
        for one in &batch {
            if let (Some(kid), Some(after)) = (one.knowledge_id, one.revision_after) {
                points::withdraw_in(&txn, actor, kid, after, one.revision_before).await?;
            }
            if let (Some(kid), Some(after)) = (one.counter_knowledge_id, one.counter_revision_after) {
                points::withdraw_in(&txn, actor, kid, after, one.counter_revision_before).await?;
            }
            back.push(take_back_in(&txn, one, now).await?);
        }
        let reopened: usize = back.iter().map(|b| b.reopened).sum();
        crate::audit::record(
            &txn,
            actor,
            "inbox.undo",
            &format!("cluster:{}", d.cluster_id),
            Some(serde_json::json!({ "decision": id, "decisions": batch.len(), "misses": reopened })),
        )
        .await?;
        txn.commit().await?;
        self.place_all_back(&back).await?;
        tracing::info!(decision = id, decisions = batch.len(), reopened, "inbox decision undone");
        Ok(Undone { cluster_id: d.cluster_id.to_string(), reopened_misses: reopened })
    }

    /// Discards point `knowledge_id`'s draft (see [`points::discard_in`]); the inbox decisions
    /// that wrote into it are taken back with it, so their questions return to the inbox instead
    /// of being lost with the draft.
    pub async fn discard_draft(&self, actor: &Actor, knowledge_id: i32, version: i32) -> Result<Discarded> {
        let _writing = self.writing.lock().await;
        let txn = crate::storage::write(&self.db).await?;
        let published = points::discard_in(&txn, actor, knowledge_id, version).await?;
        let mut wrote = decision::Entity::find()
            .filter(decision::Column::KnowledgeId.eq(knowledge_id))
            .filter(decision::Column::UndoneAt.is_null())
            .filter(decision::Column::RevisionAfter.gt(published))
            .order_by_desc(decision::Column::Id)
            .all(&txn)
            .await?;
        // A link that added nothing wrote no revision: its questions were phrasings of the draft
        // already. Those the published revision lacks would be lost with the draft.
        let live = points::content_of(&points::revision(&txn, published).await?);
        let kept: HashSet<String> =
            std::iter::once(&live.question).chain(&live.phrasings).map(|t| fold(t)).collect();
        let silent = decision::Entity::find()
            .filter(decision::Column::KnowledgeId.eq(knowledge_id))
            .filter(decision::Column::UndoneAt.is_null())
            .filter(decision::Column::RevisionAfter.is_null())
            .filter(decision::Column::Action.eq(Action::Link))
            .all(&txn)
            .await?;
        for d in silent {
            let ids: Vec<i64> = serde_json::from_str(&d.miss_ids).unwrap_or_default();
            let questions = miss::Entity::find().filter(miss::Column::Id.is_in(ids)).all(&txn).await?;
            if questions.iter().any(|m| !kept.contains(&fold(&m.question))) {
                wrote.push(d);
            }
        }
        let now = Utc::now();
        let mut back = Vec::with_capacity(wrote.len());
        for d in &wrote {
            back.push(take_back_in(&txn, d, now).await?);
        }
        let reopened: usize = back.iter().map(|b| b.reopened).sum();
        txn.commit().await?;
        self.place_all_back(&back).await?;
        tracing::info!(knowledge = knowledge_id, decisions = wrote.len(), reopened, "draft discarded");
        Ok(Discarded { knowledge_id: knowledge_id.to_string(), reopened_misses: reopened })
    }

    async fn place_all_back(&self, back: &[TakenBack]) -> Result<()> {
        for b in back {
            if let Some(home) = b.home {
                self.place_back(&b.misses, home, b.whole_group).await?;
            }
        }
        Ok(())
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

    /// The latest decisions, newest first (`actor`'s own when given), a bulk action as one
    /// entry, each with whether it can still be undone.
    pub async fn decisions(&self, actor: Option<&str>, limit: u64) -> Result<Vec<DecisionView>> {
        // An entry is a batch or a single decision: named by its batch, or by itself.
        let entry = || Expr::cust("COALESCE(batch_id, id)");
        let mut keys = decision::Entity::find()
            .select_only()
            .column_as(entry(), "entry")
            .group_by(entry())
            .order_by_desc(Expr::cust("MAX(id)"))
            .limit(limit.clamp(1, 200));
        if let Some(name) = actor {
            keys = keys.filter(decision::Column::Actor.eq(name));
        }
        let keys: Vec<i64> = keys.into_tuple().all(&self.db).await?;
        let rows = decision::Entity::find()
            .filter(
                Condition::any()
                    .add(decision::Column::Id.is_in(keys.clone()))
                    .add(decision::Column::BatchId.is_in(keys.clone())),
            )
            .order_by_desc(decision::Column::Id)
            .all(&self.db)
            .await?;
        let mut by_entry: HashMap<i64, Vec<decision::Model>> = HashMap::new();
        for d in rows {
            by_entry.entry(d.batch_id.unwrap_or(d.id)).or_default().push(d);
        }
        let kids: Vec<i32> = by_entry.values().flatten().filter_map(|d| d.knowledge_id).collect();
        let points: HashMap<i32, point::Model> = point::Entity::find()
            .filter(point::Column::Id.is_in(kids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let groups: Vec<i64> = by_entry.values().flatten().map(|d| d.cluster_id).collect();
        // Decisions from before labels were kept on them read their group's.
        let clusters: HashMap<i64, String> = cluster::Entity::find()
            .filter(cluster::Column::Id.is_in(groups))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|c| (c.id, c.label))
            .collect();
        Ok(keys
            .into_iter()
            .filter_map(|k| by_entry.remove(&k))
            .map(|e| view_of(&e, &points, &clusters))
            .collect())
    }
}

/// One entry of "my decisions": a decision, or a bulk action's (newest first).
fn view_of(
    e: &[decision::Model],
    points: &HashMap<i32, point::Model>,
    clusters: &HashMap<i64, String>,
) -> DecisionView {
    let first = &e[e.len() - 1];
    let pending: Vec<&decision::Model> = e.iter().filter(|d| d.undone_at.is_none()).collect();
    let point = first.knowledge_id.and_then(|k| points.get(&k));
    // What `undo` checks: the newest revision the entry's remaining decisions wrote is still the
    // point's head, pending (not published, not archived).
    let knowledge_pending = match (pending.iter().find_map(|d| d.revision_after), point) {
        (Some(after), Some(p)) => {
            p.head_revision_id == Some(after)
                && matches!(p.status, PointStatus::Draft | PointStatus::InReview | PointStatus::Rejected)
        }
        (Some(_), None) => false,
        (None, _) => true,
    };
    DecisionView {
        id: first.id.to_string(),
        cluster_id: first.cluster_id.to_string(),
        action: first.action,
        knowledge_id: first.knowledge_id.map(|k| k.to_string()),
        misses: e
            .iter()
            .map(|d| serde_json::from_str::<Vec<i64>>(&d.miss_ids).map(|v| v.len()).unwrap_or(0))
            .sum(),
        actor: first.actor.clone(),
        created_at: first.created_at,
        undone: pending.is_empty(),
        label: first.label.clone().or_else(|| clusters.get(&first.cluster_id).cloned()).unwrap_or_default(),
        point_question: point.map(|p| p.question.clone()),
        reason: first.reason.clone(),
        groups: e.len(),
        undoable: !pending.is_empty() && knowledge_pending,
    }
}

/// What taking one decision back reopened, to place back in memory after the commit.
struct TakenBack {
    misses: Vec<i64>,
    home: Option<i64>,
    whole_group: bool,
    reopened: usize,
}

/// Reopens decision `d`'s group and questions and marks it undone (its knowledge is the
/// caller's to take back).
async fn take_back_in(
    txn: &impl ConnectionTrait,
    d: &decision::Model,
    now: DateTime<Utc>,
) -> Result<TakenBack> {
    let misses: Vec<i64> = serde_json::from_str(&d.miss_ids).unwrap_or_default();
    let group = cluster::Entity::find_by_id(d.cluster_id).one(txn).await?;
    let home = reopen_group(txn, group, d, now).await?;
    let reopened = reopen_misses(txn, &misses, home).await?;
    decision::Entity::update_many()
        .col_expr(decision::Column::UndoneAt, Expr::value(now))
        .filter(decision::Column::Id.eq(d.id))
        .exec(txn)
        .await?;
    Ok(TakenBack { misses, home, whole_group: d.whole_group, reopened })
}

/// The group comes back if `d` closed it; a group merged away since cannot, and its questions
/// wait for the assigner instead. Where they go, if anywhere.
async fn reopen_group(
    txn: &impl ConnectionTrait,
    group: Option<cluster::Model>,
    d: &decision::Model,
    now: DateTime<Utc>,
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
