//! The trainer's tools around decisions: claiming a group while working on it (others see who
//! holds it and cannot act on it), merging groups, splitting questions off into a group of
//! their own, and moving one question to another group.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::entity::cluster;
use super::{new_cluster, Inbox, Result};
use crate::accounts::users::entity as users;
use crate::embedding::cache::embed_cached;
use crate::knowledge::require;
use crate::misses::entity::miss;
use crate::views::{Actor, Assignment, Claim, Role};
use crate::views::{GroupStatus, MissStatus};
use crate::views::{Problem, Thing};

/// How long opening a group holds it for the trainer (renewed while they work on it).
pub const CLAIM_MINUTES: i64 = 5;
/// How long groups handed to a trainer stay theirs.
pub const ASSIGN_DAYS: i64 = 7;

pub(super) fn group_id(raw: &str) -> Result<i64> {
    raw.parse().map_err(|_| Problem::not_found(Thing::Group, raw).into())
}

/// Groups one bulk action may act on.
pub const BULK_GROUPS: usize = 200;

/// The marked groups of a bulk action, each once, in order: 1 to [`BULK_GROUPS`] of them.
pub(super) fn marked_groups(raw: &[String]) -> Result<Vec<i64>> {
    let mut ids: Vec<i64> = Vec::new();
    for r in raw {
        let id = group_id(r)?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.is_empty() || ids.len() > BULK_GROUPS {
        return Err(Problem::BulkGroups { max: BULK_GROUPS }.into());
    }
    Ok(ids)
}

fn miss_id(raw: &str) -> Result<i64> {
    raw.parse().map_err(|_| Problem::NotAnId { thing: Thing::Question, value: raw.to_string() }.into())
}

/// The trainer holding the group now, unless it is `actor` or the claim ran out.
fn held_by_other(
    group: &cluster::Model,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Option<(String, DateTime<Utc>)> {
    match (&group.claimed_by, group.claimed_until) {
        (Some(by), Some(until)) if by != &actor.name && until > now => Some((by.clone(), until)),
        _ => None,
    }
}

/// The group if it is open and nobody else holds it: what every change to a group checks first.
pub(super) async fn open_group(db: &impl ConnectionTrait, id: i64, actor: &Actor) -> Result<cluster::Model> {
    let group =
        cluster::Entity::find_by_id(id).one(db).await?.ok_or_else(|| Problem::not_found(Thing::Group, id))?;
    if group.status != GroupStatus::Open {
        return Err(Problem::GroupClosed { group: id, status: group.status }.into());
    }
    if let Some((by, until)) = held_by_other(&group, actor, Utc::now()) {
        return Err(Problem::Claimed { group: id, by, until }.into());
    }
    Ok(group)
}

impl Inbox {
    /// Holds the group for `actor` for [`CLAIM_MINUTES`] (again, if they already hold it; a
    /// group assigned to them stays theirs as long as the assignment).
    pub async fn claim(&self, actor: &Actor, cluster_id: &str) -> Result<Claim> {
        require(actor, Role::Trainer, "working on inbox groups")?;
        let id = group_id(cluster_id)?;
        let now = Utc::now();
        let txn = crate::storage::write(&self.db).await?;
        let group = open_group(&txn, id, actor).await?;
        let until = match (&group.claimed_by, group.claimed_until) {
            (Some(by), Some(held)) if *by == actor.name => held.max(now + Duration::minutes(CLAIM_MINUTES)),
            _ => now + Duration::minutes(CLAIM_MINUTES),
        };
        cluster::Entity::update_many()
            .col_expr(cluster::Column::ClaimedBy, Expr::value(actor.name.clone()))
            .col_expr(cluster::Column::ClaimedUntil, Expr::value(until))
            .filter(cluster::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(Claim { cluster_id: id.to_string(), by: actor.name.clone(), until })
    }

    /// Hands the marked groups to trainer `to`: held for them for [`ASSIGN_DAYS`] (their home
    /// page lists them; others cannot decide on them meanwhile). All or none: a group someone
    /// else holds refuses the lot.
    pub async fn assign(&self, actor: &Actor, cluster_ids: &[String], to: &str) -> Result<Assignment> {
        require(actor, Role::Trainer, "assigning inbox groups")?;
        let ids = marked_groups(cluster_ids)?;
        let trainer = users::Entity::find().filter(users::Column::Name.eq(to)).one(&self.db).await?;
        if !trainer.is_some_and(|u| u.role.includes(Role::Trainer)) {
            return Err(Problem::NotATrainer { name: to.to_string() }.into());
        }
        let until = Utc::now() + Duration::days(ASSIGN_DAYS);
        let txn = crate::storage::write(&self.db).await?;
        // A group the assignee has open is theirs already: only a third trainer's hold refuses.
        let assignee = Actor::new(to, Role::Trainer);
        for &id in &ids {
            if let Err(e) = open_group(&txn, id, actor).await {
                match e {
                    super::InboxError::Refused(Problem::Claimed { ref by, .. }) if by == to => {
                        open_group(&txn, id, &assignee).await?;
                    }
                    e => return Err(e),
                }
            }
        }
        cluster::Entity::update_many()
            .col_expr(cluster::Column::ClaimedBy, Expr::value(to.to_string()))
            .col_expr(cluster::Column::ClaimedUntil, Expr::value(until))
            .filter(cluster::Column::Id.is_in(ids.clone()))
            .exec(&txn)
            .await?;
        crate::audit::record(
            &txn,
            actor,
            "inbox.assign",
            &format!("user:{to}"),
            Some(serde_json::json!({ "groups": ids })),
        )
        .await?;
        txn.commit().await?;
        Ok(Assignment { to: to.to_string(), groups: ids.len(), until })
    }

    /// Lets go of the group (when the trainer moves on); nothing if they did not hold it, or if
    /// it was assigned to them (it stays theirs).
    pub async fn release(&self, actor: &Actor, cluster_id: &str) -> Result<()> {
        let id = group_id(cluster_id)?;
        let opened_only = Utc::now() + Duration::minutes(CLAIM_MINUTES + 1);
        cluster::Entity::update_many()
            .col_expr(cluster::Column::ClaimedBy, Expr::value(Option::<String>::None))
            .col_expr(cluster::Column::ClaimedUntil, Expr::value(Option::<DateTime<Utc>>::None))
            .filter(cluster::Column::Id.eq(id))
            .filter(cluster::Column::ClaimedBy.eq(actor.name.clone()))
            .filter(cluster::Column::ClaimedUntil.lte(opened_only))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Moves every open question of groups `from` into group `into`; the emptied groups end as
    /// `merged`. Returns how many questions moved.
    pub async fn merge(&self, actor: &Actor, into: &str, from: &[String]) -> Result<usize> {
        require(actor, Role::Trainer, "merging inbox groups")?;
        let into = group_id(into)?;
        let from: Vec<i64> = from.iter().map(|f| group_id(f)).collect::<Result<_>>()?;
        if from.is_empty() || from.contains(&into) {
            return Err(Problem::MergeIntoItself.into());
        }
        let _writing = self.writing.lock().await;
        let now = Utc::now();
        let txn = crate::storage::write(&self.db).await?;
        open_group(&txn, into, actor).await?;
        for &f in &from {
            open_group(&txn, f, actor).await?;
        }
        let moved = miss::Entity::update_many()
            .col_expr(miss::Column::ClusterId, Expr::value(into))
            .filter(miss::Column::ClusterId.is_in(from.clone()))
            .filter(miss::Column::Status.eq(MissStatus::Open))
            .exec(&txn)
            .await?
            .rows_affected as usize;
        cluster::Entity::update_many()
            .col_expr(cluster::Column::Status, Expr::value(GroupStatus::Merged))
            .col_expr(cluster::Column::ClaimedBy, Expr::value(Option::<String>::None))
            .col_expr(cluster::Column::UpdatedAt, Expr::value(now))
            .filter(cluster::Column::Id.is_in(from.clone()))
            .exec(&txn)
            .await?;
        touch(&txn, into, now).await?;
        crate::audit::record(
            &txn,
            actor,
            "inbox.merge",
            &format!("cluster:{into}"),
            Some(serde_json::json!({ "from": from, "misses": moved })),
        )
        .await?;
        txn.commit().await?;
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        let gone: HashSet<i64> = from.iter().copied().collect();
        for slot in state.slots.iter_mut().filter(|s| gone.contains(&s.1)) {
            slot.1 = into;
        }
        for f in &from {
            if let Some(sum) = state.groups.remove(f) {
                let target = state.groups.entry(into).or_insert_with(|| vec![0.0; sum.len()]);
                target.iter_mut().zip(&sum).for_each(|(t, x)| *t += x);
            }
        }
        Ok(moved)
    }

    /// Takes the listed questions out of their group into a new group; returns its id.
    pub async fn split(&self, actor: &Actor, cluster_id: &str, miss_ids: &[String]) -> Result<String> {
        require(actor, Role::Trainer, "splitting inbox groups")?;
        let id = group_id(cluster_id)?;
        let _writing = self.writing.lock().await;
        let txn = crate::storage::write(&self.db).await?;
        open_group(&txn, id, actor).await?;
        let members = open_members(&txn, id).await?;
        let chosen = pick(&members, miss_ids, id)?;
        if chosen.len() == members.len() {
            return Err(Problem::SplitAll.into());
        }
        let label =
            chosen.iter().max_by_key(|m| (m.count, -m.id)).map(|m| m.question.clone()).unwrap_or_default();
        let terms = {
            let state = self.state.read().unwrap_or_else(|e| e.into_inner());
            let sets: Vec<HashSet<String>> =
                chosen.iter().map(|m| super::labels::terms(&m.question)).collect();
            state.terms.key_terms(&sets.iter().collect::<Vec<_>>(), super::KEY_TERMS)
        };
        let new_id = new_cluster(&txn, &label, &terms).await?;
        self.relocate(txn, actor, &chosen, id, new_id, "inbox.split").await?;
        Ok(new_id.to_string())
    }

    /// Moves one question to another open group.
    pub async fn move_question(&self, actor: &Actor, miss: &str, to: &str) -> Result<()> {
        require(actor, Role::Trainer, "moving inbox questions")?;
        let (m, to) = (miss_id(miss)?, group_id(to)?);
        let _writing = self.writing.lock().await;
        let txn = crate::storage::write(&self.db).await?;
        let found = miss::Entity::find_by_id(m)
            .one(&txn)
            .await?
            .filter(|x| x.status == MissStatus::Open && x.cluster_id.is_some())
            .ok_or_else(|| Problem::NotGrouped { question: m })?;
        let from = found.cluster_id.unwrap_or_default();
        if from == to {
            return Err(Problem::AlreadyInGroup { question: m, group: to }.into());
        }
        open_group(&txn, from, actor).await?;
        open_group(&txn, to, actor).await?;
        // A group whose last question moves away is gone.
        let emptied = open_members(&txn, from).await?.len() == 1;
        if emptied {
            cluster::Entity::update_many()
                .col_expr(cluster::Column::Status, Expr::value(GroupStatus::Merged))
                .filter(cluster::Column::Id.eq(from))
                .exec(&txn)
                .await?;
        }
        self.relocate(txn, actor, std::slice::from_ref(&found), from, to, "inbox.move").await?;
        if emptied {
            self.state.write().unwrap_or_else(|e| e.into_inner()).groups.remove(&from);
        }
        Ok(())
    }

    /// Moves `chosen` from group `from` to `to` in the database (committing `txn`) and in memory.
    async fn relocate(
        &self,
        txn: sea_orm::DatabaseTransaction,
        actor: &Actor,
        chosen: &[miss::Model],
        from: i64,
        to: i64,
        what: &str,
    ) -> Result<()> {
        let ids: Vec<i64> = chosen.iter().map(|m| m.id).collect();
        let now = Utc::now();
        miss::Entity::update_many()
            .col_expr(miss::Column::ClusterId, Expr::value(to))
            .filter(miss::Column::Id.is_in(ids.clone()))
            .exec(&txn)
            .await?;
        touch(&txn, from, now).await?;
        touch(&txn, to, now).await?;
        crate::audit::record(
            &txn,
            actor,
            what,
            &format!("cluster:{from}"),
            Some(serde_json::json!({ "to": to, "misses": ids })),
        )
        .await?;
        txn.commit().await?;
        let questions: Vec<String> = chosen.iter().map(|m| m.question.clone()).collect();
        let vectors = embed_cached(&self.db, &self.matcher.embedder(), &questions).await?;
        let moved: HashMap<i64, &Vec<f32>> = ids.iter().copied().zip(&vectors).collect();
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        for slot in state.slots.iter_mut().filter(|s| moved.contains_key(&s.0)) {
            slot.1 = to;
        }
        for v in &vectors {
            if let Some(sum) = state.groups.get_mut(&from) {
                sum.iter_mut().zip(v.iter()).for_each(|(s, x)| *s -= x);
            }
            let sum = state.groups.entry(to).or_insert_with(|| vec![0.0; v.len()]);
            sum.iter_mut().zip(v.iter()).for_each(|(s, x)| *s += x);
        }
        Ok(())
    }
}

async fn touch(db: &impl ConnectionTrait, id: i64, now: DateTime<Utc>) -> Result<()> {
    cluster::Entity::update_many()
        .col_expr(cluster::Column::UpdatedAt, Expr::value(now))
        .filter(cluster::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

pub(super) async fn open_members(db: &impl ConnectionTrait, id: i64) -> Result<Vec<miss::Model>> {
    Ok(miss::Entity::find()
        .filter(miss::Column::ClusterId.eq(id))
        .filter(miss::Column::Status.eq(MissStatus::Open))
        .all(db)
        .await?)
}

/// The listed questions among the group's open ones; an id not among them is refused.
pub(super) fn pick(members: &[miss::Model], miss_ids: &[String], group: i64) -> Result<Vec<miss::Model>> {
    let mut wanted = HashSet::new();
    for raw in miss_ids {
        let m = miss_id(raw)?;
        if !members.iter().any(|o| o.id == m) {
            return Err(Problem::NotInGroup { question: m, group }.into());
        }
        wanted.insert(m);
    }
    if wanted.is_empty() {
        return Err(Problem::NoneChosen { group }.into());
    }
    Ok(members.iter().filter(|o| wanted.contains(&o.id)).cloned().collect())
}
