//! Server functions of the workbench: the same inbox service as `GET /api/v1/clusters`,
//! `POST /api/v1/clusters/{id}/resolve` and `POST /api/v1/decisions/{id}/undo`.

use crate::errors::AppError;
#[cfg(feature = "ssr")]
use crate::server::{actor, fail, refuse, services};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
#[cfg(feature = "ssr")]
use model::views::Role;
use model::views::{
    Assignment, BulkResolution, Claim, ClusterPage, Decision, DecisionView, Resolution, TryReport, Undone,
};

/// Groups per page.
pub const PAGE: u64 = 25;
/// Entries "My decisions" shows.
pub const DECISIONS_SHOWN: u64 = 100;

#[server(endpoint = "inbox_groups", input = Json)]
pub async fn inbox_groups(
    text: String,
    channel: String,
    signal: String,
    rank: String,
    language: String,
    offset: u64,
) -> Result<ClusterPage, AppError> {
    let some = |s: String| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let filter = model::inbox::ListFilter {
        limit: Some(PAGE),
        offset,
        members: None,
        text: some(text),
        channel: some(channel),
        signal: some(signal),
        rank: if rank == "cost" { model::inbox::Rank::Cost } else { model::inbox::Rank::Impact },
        language: language.parse().ok(),
        ..Default::default()
    };
    services()?.inbox.list(&filter).await.map_err(fail)
}

#[server(endpoint = "decide_group", input = Json)]
pub async fn decide_group(cluster_id: String, decision: Decision) -> Result<Resolution, AppError> {
    services()?.inbox.resolve(&actor()?, &cluster_id, decision).await.map_err(fail)
}

/// What went wrong with the answers customers rejected in a group (👎, handoffs).
#[server(endpoint = "rejected_answers", input = Json)]
pub async fn rejected_answers(cluster_id: String) -> Result<Vec<model::views::Rejected>, AppError> {
    services()?.inbox.rejected(&cluster_id).await.map_err(fail)
}

#[server(endpoint = "regroup_inbox", input = Json)]
pub async fn regroup_inbox() -> Result<usize, AppError> {
    Ok(services()?.inbox.regroup().await.map_err(fail)?.clusters)
}

/// Holds the group for the trainer while they work on it.
#[server(endpoint = "claim_group", input = Json)]
pub async fn claim_group(cluster_id: String) -> Result<Claim, AppError> {
    services()?.inbox.claim(&actor()?, &cluster_id).await.map_err(fail)
}

#[server(endpoint = "release_group", input = Json)]
pub async fn release_group(cluster_id: String) -> Result<(), AppError> {
    services()?.inbox.release(&actor()?, &cluster_id).await.map_err(fail)
}

/// Moves every question of groups `from` into group `into`.
#[server(endpoint = "merge_groups", input = Json)]
pub async fn merge_groups(into: String, from: Vec<String>) -> Result<usize, AppError> {
    services()?.inbox.merge(&actor()?, &into, &from).await.map_err(fail)
}

/// Takes questions out of their group into a new one; returns its id.
#[server(endpoint = "split_group", input = Json)]
pub async fn split_group(cluster_id: String, miss_ids: Vec<String>) -> Result<String, AppError> {
    services()?.inbox.split(&actor()?, &cluster_id, &miss_ids).await.map_err(fail)
}

/// Moves questions to another group.
#[server(endpoint = "move_questions", input = Json)]
pub async fn move_questions(miss_ids: Vec<String>, to: String) -> Result<usize, AppError> {
    let (services, actor) = (services()?, actor()?);
    for m in &miss_ids {
        services.inbox.move_question(&actor, m, &to).await.map_err(fail)?;
    }
    Ok(miss_ids.len())
}

#[server(endpoint = "undo_decision", input = Json)]
pub async fn undo_decision(decision_id: String) -> Result<Undone, AppError> {
    services()?.inbox.undo(&actor()?, &decision_id).await.map_err(fail)
}

/// "My decisions": the signed-in trainer's, or everyone's for a reviewer who asks.
#[server(endpoint = "my_decisions", input = Json)]
pub async fn my_decisions(everyone: bool) -> Result<Vec<DecisionView>, AppError> {
    let actor = actor()?;
    let whose = (!(everyone && actor.role.includes(Role::Reviewer))).then_some(actor.name.as_str());
    services()?.inbox.decisions(whose, DECISIONS_SHOWN).await.map_err(fail)
}

/// One decision on every marked group, undone as one.
#[server(endpoint = "decide_groups", input = Json)]
pub async fn decide_groups(cluster_ids: Vec<String>, decision: Decision) -> Result<BulkResolution, AppError> {
    services()?.inbox.resolve_many(&actor()?, &cluster_ids, decision).await.map_err(fail)
}

/// Hands the marked groups to a trainer.
#[server(endpoint = "assign_groups", input = Json)]
pub async fn assign_groups(cluster_ids: Vec<String>, to: String) -> Result<Assignment, AppError> {
    services()?.inbox.assign(&actor()?, &cluster_ids, &to).await.map_err(fail)
}

/// Who groups can be assigned to.
#[server(endpoint = "trainer_names", input = Json)]
pub async fn trainer_names() -> Result<Vec<String>, AppError> {
    model::accounts::users::trainers(&services()?.db).await.map_err(fail)
}

/// The groups the signed-in trainer holds (opened or assigned to them), by impact.
#[server(endpoint = "my_queue", input = Json)]
pub async fn my_queue() -> Result<ClusterPage, AppError> {
    let filter = model::inbox::ListFilter {
        limit: Some(10),
        members: Some(1),
        claimed_by: Some(actor()?.name),
        ..Default::default()
    };
    services()?.inbox.list(&filter).await.map_err(fail)
}

/// What would answer the group's `questions` once linked to point `knowledge_id` (nothing
/// recorded, nothing saved).
#[server(endpoint = "try_link", input = Json)]
pub async fn try_link(knowledge_id: String, questions: Vec<String>) -> Result<TryReport, AppError> {
    let id: i32 = knowledge_id
        .parse()
        .map_err(|_| refuse(model::views::Problem::not_found(model::views::Thing::Point, &knowledge_id)))?;
    model::publishing::try_link(&services()?, &actor()?, id, &questions).await.map_err(fail)
}
