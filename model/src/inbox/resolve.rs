//! A trainer's decision on a group: link its questions to a knowledge point as phrasings, create
//! a knowledge point from them, or dismiss them. Knowledge changes go to the review queue (the
//! draft is saved and submitted); the decided questions leave the inbox, and a dismissed one
//! asked again only counts (its status stays `dismissed`).

use std::collections::HashSet;

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

use super::entity::{cluster, decision};
use super::workbench::{group_id, open_group, open_members, pick};
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
        let id = group_id(cluster_id)?;
        let txn = crate::storage::write(&self.db).await?;
        open_group(&txn, id, actor).await?;
        let open = open_members(&txn, id).await?;
        let chosen: Vec<miss::Model> = match decision.miss_ids() {
            None => open.clone(),
            Some(ids) => pick(&open, ids, id)?,
        };
        if chosen.is_empty() {
            return Err(InboxError::Invalid(format!("group {id} has no open question to decide on")));
        }
        let questions: Vec<String> = chosen.iter().map(|m| m.question.clone()).collect();
        // The point's head before and after the decision: what an undo takes back.
        let mut revisions: (Option<i32>, Option<i32>) = (None, None);
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
                let before = p.head_revision_id;
                if added > 0 {
                    let note = format!("{added} phrasings from inbox group {id}");
                    points::save_in(&txn, actor, kid, None, content, Some(&note)).await?;
                    points::submit_in(&txn, actor, kid, None).await?;
                    revisions = (before, points::load(&txn, kid).await?.head_revision_id);
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
                revisions = (None, points::load(&txn, kid).await?.head_revision_id);
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
                .col_expr(miss::Column::DecidedAt, Expr::value(Utc::now()))
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
                .col_expr(cluster::Column::ClaimedBy, Expr::value(Option::<String>::None))
                .col_expr(cluster::Column::UpdatedAt, Expr::value(now))
                .filter(cluster::Column::Id.eq(id))
                .exec(&txn)
                .await?;
        }
        let decision_id = decision::ActiveModel {
            cluster_id: Set(id),
            action: Set(decision.action().to_string()),
            knowledge_id: Set(knowledge_id),
            miss_ids: Set(serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into())),
            whole_group: Set(whole),
            created_point: Set(matches!(decision, Decision::Create { .. })),
            revision_before: Set(revisions.0),
            revision_after: Set(revisions.1),
            actor: Set(actor.name.clone()),
            created_at: Set(Utc::now()),
            undone_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?
        .id;
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
        Ok(Resolution {
            knowledge_id: knowledge_id.map(|k| k.to_string()),
            resolved_misses: ids.len(),
            decision_id: decision_id.to_string(),
        })
    }
}
