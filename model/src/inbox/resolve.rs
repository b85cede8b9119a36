//! A trainer's decision on a group: link its questions to a knowledge point as phrasings, create
//! a knowledge point from them, or dismiss them. Knowledge changes go to the review queue (the
//! draft is saved and submitted); the decided questions leave the inbox, and a dismissed one
//! asked again only counts (its status stays `dismissed`).

use std::collections::HashSet;

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use serde_json::json;

use super::entity::cluster;
use super::{Inbox, InboxError, Result, OPEN};
use crate::knowledge::{categories, fold, limits, points, require};
use crate::misses::entity::miss;
use crate::views::{Actor, Content, Decision, PointStatus, Resolution, Role};

const REASON_CHARS: usize = 200;

impl Decision {
    fn action(&self) -> &'static str {
        match self {
            Decision::Link { .. } => "link",
            Decision::Create { .. } => "create",
            Decision::Dismiss { .. } => "dismiss",
        }
    }

    fn miss_ids(&self) -> Option<&[String]> {
        match self {
            Decision::Link { miss_ids, .. } | Decision::Create { miss_ids, .. } => miss_ids.as_deref(),
            Decision::Dismiss { .. } => None,
        }
    }
}

impl Inbox {
    /// Applies one decision to group `cluster_id` in one transaction.
    pub async fn resolve(&self, actor: &Actor, cluster_id: &str, decision: Decision) -> Result<Resolution> {
        require(actor, Role::Trainer, "deciding on inbox groups")?;
        let id: i64 = cluster_id
            .parse()
            .map_err(|_| InboxError::NotFound(format!("there is no group {cluster_id:?}")))?;
        let txn = self.db.begin().await?;
        let group = cluster::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or_else(|| InboxError::NotFound(format!("there is no group {id}")))?;
        if group.status != OPEN {
            return Err(InboxError::Conflict(format!(
                "group {id} is already {}; nothing was changed",
                group.status
            )));
        }
        let open = miss::Entity::find()
            .filter(miss::Column::ClusterId.eq(id))
            .filter(miss::Column::Status.eq(OPEN))
            .all(&txn)
            .await?;
        let chosen: Vec<miss::Model> = match decision.miss_ids() {
            None => open.clone(),
            Some(ids) => {
                let mut wanted = HashSet::new();
                for raw in ids {
                    let m: i64 =
                        raw.parse().map_err(|_| InboxError::Invalid(format!("{raw:?} is not a miss id")))?;
                    if !open.iter().any(|o| o.id == m) {
                        return Err(InboxError::Invalid(format!(
                            "miss {m} is not an open question of group {id}"
                        )));
                    }
                    wanted.insert(m);
                }
                open.iter().filter(|o| wanted.contains(&o.id)).cloned().collect()
            }
        };
        if chosen.is_empty() {
            return Err(InboxError::Invalid(format!("group {id} has no open question to decide on")));
        }
        let questions: Vec<String> = chosen.iter().map(|m| m.question.clone()).collect();
        let (knowledge_id, reason) = match &decision {
            Decision::Link { knowledge_id, .. } => {
                let kid: i32 = knowledge_id
                    .parse()
                    .map_err(|_| InboxError::Invalid(format!("{knowledge_id:?} is not a knowledge id")))?;
                let p = points::load(&txn, kid).await?;
                if p.status == PointStatus::Archived.as_str() {
                    return Err(InboxError::Conflict(format!(
                        "knowledge point {kid} is archived; restore it or link to another"
                    )));
                }
                let mut content = points::content_of(&points::head(&txn, &p).await?);
                let mut known: HashSet<String> = content.phrasings.iter().map(|t| fold(t)).collect();
                known.insert(fold(&content.question));
                let mut added = 0;
                for q in &questions {
                    if known.insert(fold(q)) {
                        content.phrasings.push(q.clone());
                        added += 1;
                    }
                }
                if content.phrasings.len() > limits::PHRASINGS {
                    return Err(InboxError::Invalid(format!(
                        "knowledge point {kid} would have {} phrasings (at most {})",
                        content.phrasings.len(),
                        limits::PHRASINGS
                    )));
                }
                if added > 0 {
                    let note = format!("{added} phrasings from inbox group {id}");
                    points::save_in(&txn, actor, kid, None, content, Some(&note)).await?;
                    points::submit_in(&txn, actor, kid, None).await?;
                }
                (Some(kid), None)
            }
            Decision::Create { category, question, answer, .. } => {
                let category_id = categories::ensure_path(&txn, actor, category.trim()).await?;
                let phrasings = questions.iter().filter(|q| fold(q) != fold(question)).cloned().collect();
                let content = Content {
                    category_id,
                    question: question.clone(),
                    answer: answer.clone(),
                    phrasings,
                    template_slot: None,
                };
                let kid = points::create_in(&txn, actor, content).await?;
                points::submit_in(&txn, actor, kid, None).await?;
                (Some(kid), None)
            }
            Decision::Dismiss { reason } => {
                let reason = reason.trim();
                let n = reason.chars().count();
                if n == 0 || n > REASON_CHARS {
                    return Err(InboxError::Invalid(format!(
                        "a dismissal needs a reason of 1 to {REASON_CHARS} characters (noise, chit-chat, out of scope, abusive…)"
                    )));
                }
                (None, Some(reason.to_string()))
            }
        };
        let status = if matches!(decision, Decision::Dismiss { .. }) { "dismissed" } else { "resolved" };
        let ids: Vec<i64> = chosen.iter().map(|m| m.id).collect();
        for chunk in ids.chunks(500) {
            miss::Entity::update_many()
                .col_expr(miss::Column::Status, Expr::value(status))
                .col_expr(miss::Column::KnowledgeId, Expr::value(knowledge_id))
                .filter(miss::Column::Id.is_in(chunk.to_vec()))
                .filter(miss::Column::Status.eq(OPEN))
                .exec(&txn)
                .await?;
        }
        let whole = chosen.len() == open.len();
        if whole {
            let now = Utc::now();
            cluster::Entity::update_many()
                .col_expr(cluster::Column::Status, Expr::value(status))
                .col_expr(cluster::Column::Action, Expr::value(decision.action()))
                .col_expr(cluster::Column::KnowledgeId, Expr::value(knowledge_id))
                .col_expr(cluster::Column::Reason, Expr::value(reason.clone()))
                .col_expr(cluster::Column::ResolvedBy, Expr::value(actor.name.clone()))
                .col_expr(cluster::Column::ResolvedAt, Expr::value(now))
                .col_expr(cluster::Column::UpdatedAt, Expr::value(now))
                .filter(cluster::Column::Id.eq(id))
                .exec(&txn)
                .await?;
        }
        crate::audit::record(
            &txn,
            actor,
            &format!("inbox.{}", decision.action()),
            &format!("cluster:{id}"),
            Some(json!({ "misses": ids, "knowledge_id": knowledge_id, "reason": reason, "whole_group": whole })),
        )
        .await?;
        txn.commit().await?;
        let closed_group: Vec<i64> = if whole { vec![id] } else { Vec::new() };
        self.forget(&ids, &closed_group);
        tracing::info!(cluster = id, action = decision.action(), misses = ids.len(), "inbox decision");
        Ok(Resolution { knowledge_id: knowledge_id.map(|k| k.to_string()), resolved_misses: ids.len() })
    }
}
