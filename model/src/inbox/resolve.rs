//! A trainer's decision on a group: link its questions to a knowledge point as phrasings, create
//! a knowledge point from them, revise the answer of the point that answered them, or dismiss
//! them. Knowledge changes go to the review queue (the
//! draft is saved and submitted); the decided questions leave the inbox, and a dismissed one
//! asked again only counts (its status stays `dismissed`).

use std::collections::HashSet;

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

use super::entity::{cluster, decision};
use super::workbench::{group_id, marked_groups, open_group, open_members, pick};
use super::{Inbox, Result};
use crate::knowledge::entity::point;
use crate::knowledge::{categories, fold, limits, points, require};
use crate::misses::entity::miss;
use crate::views::{
    Action, Actor, BulkResolution, Content, Decision, GroupStatus, MissStatus, PointStatus, Resolution, Role,
};
use crate::views::{Problem, Thing};

const REASON_CHARS: usize = 200;

impl Decision {
    fn action(&self) -> Action {
        match self {
            Decision::Link { .. } => Action::Link,
            Decision::Create { .. } => Action::Create,
            Decision::Dismiss { .. } => Action::Dismiss,
            Decision::WrongPoint { .. } => Action::WrongPoint,
            Decision::PoorAnswer { .. } => Action::PoorAnswer,
        }
    }

    fn miss_ids(&self) -> Option<&[String]> {
        match self {
            Decision::Link { miss_ids, .. }
            | Decision::Create { miss_ids, .. }
            | Decision::WrongPoint { miss_ids, .. }
            | Decision::PoorAnswer { miss_ids, .. } => miss_ids.as_deref(),
            Decision::Dismiss { .. } => None,
        }
    }
}

/// What one decision wrote, for the caller to report and forget.
struct Decided {
    decision_id: i64,
    knowledge_id: Option<i32>,
    misses: Vec<i64>,
    whole: bool,
}

impl Inbox {
    /// Applies one decision to group `cluster_id` in one transaction.
    pub async fn resolve(&self, actor: &Actor, cluster_id: &str, decision: Decision) -> Result<Resolution> {
        require(actor, Role::Trainer, "deciding on inbox groups")?;
        let id = group_id(cluster_id)?;
        let txn = crate::storage::write(&self.db).await?;
        let d = decide_in(&txn, actor, id, &decision).await?;
        txn.commit().await?;
        let closed_group: Vec<i64> = if d.whole { vec![id] } else { Vec::new() };
        self.forget(&d.misses, &closed_group);
        tracing::info!(cluster = id, action = %decision.action(), misses = d.misses.len(), "inbox decision");
        Ok(Resolution {
            knowledge_id: d.knowledge_id.map(|k| k.to_string()),
            resolved_misses: d.misses.len(),
            decision_id: d.decision_id.to_string(),
        })
    }

    /// One decision on each of the marked groups, whole, in one transaction: all or none (a
    /// group another trainer holds refuses the lot). Dismissing or linking only: a new point
    /// needs its own question and answer. The decisions form one batch, undone as one.
    pub async fn resolve_many(
        &self,
        actor: &Actor,
        cluster_ids: &[String],
        decision: Decision,
    ) -> Result<BulkResolution> {
        require(actor, Role::Trainer, "deciding on inbox groups")?;
        if matches!(decision, Decision::Create { .. }) || decision.miss_ids().is_some() {
            return Err(Problem::NotInBulk.into());
        }
        let ids = marked_groups(cluster_ids)?;
        let txn = crate::storage::write(&self.db).await?;
        let mut done = Vec::with_capacity(ids.len());
        for &id in &ids {
            done.push(decide_in(&txn, actor, id, &decision).await?);
        }
        let batch = done[0].decision_id;
        decision::Entity::update_many()
            .col_expr(decision::Column::BatchId, Expr::value(batch))
            .filter(decision::Column::Id.is_in(done.iter().map(|d| d.decision_id).collect::<Vec<_>>()))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        let misses: Vec<i64> = done.iter().flat_map(|d| d.misses.iter().copied()).collect();
        self.forget(&misses, &ids);
        tracing::info!(groups = ids.len(), action = %decision.action(), misses = misses.len(), "bulk inbox decision");
        Ok(BulkResolution {
            decision_id: batch.to_string(),
            groups: ids.len(),
            resolved_misses: misses.len(),
        })
    }
}

/// Applies `decision` to open group `id` inside `txn` and records it.
async fn decide_in(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
    decision: &Decision,
) -> Result<Decided> {
    let label = open_group(txn, id, actor).await?.label;
    let open = open_members(txn, id).await?;
    let chosen: Vec<miss::Model> = match decision.miss_ids() {
        None => open.clone(),
        Some(ids) => pick(&open, ids, id)?,
    };
    if chosen.is_empty() {
        return Err(Problem::NothingToDecide { group: id }.into());
    }
    let questions: Vec<String> = chosen.iter().map(|m| m.question.clone()).collect();
    let mut counter = None;
    let Applied { knowledge_id, reason, revisions } = match decision {
        Decision::Link { knowledge_id, .. } => link(txn, actor, id, knowledge_id, &questions).await?,
        Decision::WrongPoint { wrong_knowledge_id, knowledge_id, .. } => {
            if wrong_knowledge_id == knowledge_id {
                return Err(Problem::WrongIsRight.into());
            }
            let c = counter_examples(txn, actor, id, wrong_knowledge_id, &questions).await?;
            counter = Some(c);
            link(txn, actor, id, knowledge_id, &questions).await?
        }
        Decision::Create { category, question, answer, .. } => {
            create(txn, actor, category, question, answer, &questions).await?
        }
        Decision::PoorAnswer { knowledge_id, answer, .. } => {
            revise_answer(txn, actor, id, knowledge_id, answer).await?
        }
        Decision::Dismiss { reason } => dismiss(reason)?,
    };
    let (status, group) = if matches!(decision, Decision::Dismiss { .. }) {
        (MissStatus::Dismissed, GroupStatus::Dismissed)
    } else {
        (MissStatus::Resolved, GroupStatus::Resolved)
    };
    let ids: Vec<i64> = chosen.iter().map(|m| m.id).collect();
    for chunk in ids.chunks(500) {
        miss::Entity::update_many()
            .col_expr(miss::Column::Status, Expr::value(status))
            .col_expr(miss::Column::KnowledgeId, Expr::value(knowledge_id))
            .col_expr(miss::Column::DecidedAt, Expr::value(Utc::now()))
            .filter(miss::Column::Id.is_in(chunk.to_vec()))
            .filter(miss::Column::Status.eq(MissStatus::Open))
            .exec(txn)
            .await?;
    }
    let whole = chosen.len() == open.len();
    if whole {
        let now = Utc::now();
        cluster::Entity::update_many()
            .col_expr(cluster::Column::Status, Expr::value(group))
            .col_expr(cluster::Column::Action, Expr::value(decision.action()))
            .col_expr(cluster::Column::KnowledgeId, Expr::value(knowledge_id))
            .col_expr(cluster::Column::Reason, Expr::value(reason.clone()))
            .col_expr(cluster::Column::ResolvedBy, Expr::value(actor.name.clone()))
            .col_expr(cluster::Column::ResolvedAt, Expr::value(now))
            .col_expr(cluster::Column::ClaimedBy, Expr::value(Option::<String>::None))
            .col_expr(cluster::Column::UpdatedAt, Expr::value(now))
            .filter(cluster::Column::Id.eq(id))
            .exec(txn)
            .await?;
    }
    let decision_id = decision::ActiveModel {
        cluster_id: Set(id),
        action: Set(decision.action()),
        knowledge_id: Set(knowledge_id),
        miss_ids: Set(serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into())),
        whole_group: Set(whole),
        created_point: Set(matches!(decision, Decision::Create { .. })),
        revision_before: Set(revisions.0),
        revision_after: Set(revisions.1),
        actor: Set(actor.name.clone()),
        created_at: Set(Utc::now()),
        undone_at: Set(None),
        batch_id: Set(None),
        label: Set(Some(label)),
        reason: Set(reason.clone()),
        counter_knowledge_id: Set(counter.as_ref().and_then(|c| c.knowledge_id)),
        counter_revision_before: Set(counter.as_ref().and_then(|c| c.revisions.0)),
        counter_revision_after: Set(counter.as_ref().and_then(|c| c.revisions.1)),
        ..Default::default()
    }
    .insert(txn)
    .await?
    .id;
    crate::audit::record(
        txn,
        actor,
        &format!("inbox.{}", decision.action()),
        &format!("cluster:{id}"),
        Some(json!({
            "misses": ids,
            "knowledge_id": knowledge_id,
            "reason": reason,
            "whole_group": whole,
            "counter_example_of": counter.as_ref().and_then(|c| c.knowledge_id),
        })),
    )
    .await?;
    Ok(Decided { decision_id, knowledge_id, misses: ids, whole })
}

/// What a decision did to the knowledge base: the point it names, a dismissal's reason, and the
/// point's head before and after (what an undo takes back).
struct Applied {
    knowledge_id: Option<i32>,
    reason: Option<String>,
    revisions: (Option<i32>, Option<i32>),
}

/// Point `knowledge_id` (not archived) and its head's content, which a decision changes.
async fn live_head(txn: &impl ConnectionTrait, knowledge_id: &str) -> Result<(point::Model, Content)> {
    let kid: i32 = knowledge_id
        .parse()
        .map_err(|_| Problem::NotAnId { thing: Thing::Point, value: knowledge_id.to_string() })?;
    let p = points::load(txn, kid).await?;
    if p.status == PointStatus::Archived {
        return Err(Problem::Archived { point: kid }.into());
    }
    let content = points::content_of(&points::head(txn, &p).await?);
    Ok((p, content))
}

/// Saves `content` as point `p`'s draft and submits it for review when `changed`; the point's
/// head before and after is what an undo takes back.
async fn submit_if(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    p: &point::Model,
    changed: bool,
    content: Content,
    note: crate::views::RevisionNote,
) -> Result<Applied> {
    let mut revisions = (None, None);
    if changed {
        points::save_in(txn, actor, p.id, None, content, Some(&note.to_string())).await?;
        points::submit_in(txn, actor, p.id, None).await?;
        revisions = (p.head_revision_id, points::load(txn, p.id).await?.head_revision_id);
    }
    Ok(Applied { knowledge_id: Some(p.id), reason: None, revisions })
}

/// The questions become phrasings of point `knowledge_id` (those it lacks), submitted for review.
async fn link(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    group: i64,
    knowledge_id: &str,
    questions: &[String],
) -> Result<Applied> {
    let (p, mut content) = live_head(txn, knowledge_id).await?;
    let mut known: HashSet<String> = content.phrasings.iter().map(|t| fold(t)).collect();
    known.insert(fold(&content.question));
    let mut added = 0;
    for q in questions {
        if known.insert(fold(q)) {
            content.phrasings.push(q.clone());
            added += 1;
        }
    }
    if content.phrasings.len() > limits::PHRASINGS {
        return Err(
            Problem::TooManyPhrasings { count: content.phrasings.len(), max: limits::PHRASINGS }.into()
        );
    }
    let note = crate::views::RevisionNote::FromInbox { phrasings: added, group };
    submit_if(txn, actor, &p, added > 0, content, note).await
}

/// The questions become counter-examples of point `knowledge_id` (those it lacks), submitted
/// for review: the point answered them and should not have.
async fn counter_examples(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    group: i64,
    knowledge_id: &str,
    questions: &[String],
) -> Result<Applied> {
    let (p, mut content) = live_head(txn, knowledge_id).await?;
    let mut known: HashSet<String> = content.counter_examples.iter().map(|t| fold(t)).collect();
    // A question that is one of the point's own phrasings is taken out of them: the trainer
    // says the point does not answer it.
    let moved: HashSet<String> = questions.iter().map(|q| fold(q)).collect();
    let before = content.phrasings.len();
    content.phrasings.retain(|t| !moved.contains(&fold(t)));
    let taken_out = before - content.phrasings.len();
    let mut added = 0;
    for q in questions {
        if known.insert(fold(q)) {
            content.counter_examples.push(q.clone());
            added += 1;
        }
    }
    if content.counter_examples.len() > limits::COUNTER_EXAMPLES {
        let (count, max) = (content.counter_examples.len(), limits::COUNTER_EXAMPLES);
        return Err(Problem::TooManyCounterExamples { count, max }.into());
    }
    let note = crate::views::RevisionNote::WrongPoint { counter_examples: added, group };
    submit_if(txn, actor, &p, added + taken_out > 0, content, note).await
}

/// Point `knowledge_id` gets `answer` as its answer, submitted for review: it answered the
/// questions, and the customers still rejected what it said. The questions resolve to it, so they
/// close once the revised answer is published and answers them.
async fn revise_answer(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    group: i64,
    knowledge_id: &str,
    answer: &str,
) -> Result<Applied> {
    let (p, mut content) = live_head(txn, knowledge_id).await?;
    let answer = answer.trim();
    if answer == content.answer.trim() {
        return Err(Problem::AnswerUnchanged.into());
    }
    content.answer = answer.to_string();
    let note = crate::views::RevisionNote::PoorAnswer { group };
    submit_if(txn, actor, &p, true, content, note).await
}

/// A new point (its category path created where missing) with the other questions as
/// phrasings, submitted for review.
async fn create(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    category: &str,
    question: &str,
    answer: &str,
    questions: &[String],
) -> Result<Applied> {
    let category_id = categories::ensure_path(txn, actor, category.trim()).await?;
    let phrasings = questions.iter().filter(|q| fold(q) != fold(question)).cloned().collect();
    let content = Content {
        category_id,
        question: question.to_string(),
        answer: answer.to_string(),
        phrasings,
        template_slot: None,
        ..Default::default()
    };
    let kid = points::create_in(txn, actor, content).await?;
    points::submit_in(txn, actor, kid, None).await?;
    let revisions = (None, points::load(txn, kid).await?.head_revision_id);
    Ok(Applied { knowledge_id: Some(kid), reason: None, revisions })
}

fn dismiss(reason: &str) -> Result<Applied> {
    let reason = reason.trim();
    let n = reason.chars().count();
    if n == 0 || n > REASON_CHARS {
        return Err(Problem::DismissReason { max: REASON_CHARS }.into());
    }
    Ok(Applied { knowledge_id: None, reason: Some(reason.to_string()), revisions: (None, None) })
}
