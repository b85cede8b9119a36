//! The miss inbox: every open miss in exactly one group (`clusters`), groups a trainer acts on
//! in one decision each.
//!
//! - A new miss is placed at once by [`Inbox::assign_pending`]: the nearest open group (by the
//!   cosine of its centre, candidates from an HNSW index of the open misses) if close enough,
//!   else a group of its own.
//! - [`Inbox::regroup`] regroups all open misses from scratch (see `clustering`) under a database
//!   lock, so one instance at a time does it; groups that survive keep their id (each new group
//!   takes the id of the old group it shares most questions with).
//! - [`Inbox::list`] orders groups by impact with filters; [`Inbox::resolve`] records a decision.

pub mod entity;
pub mod labels;
mod listing;
pub mod lock;
mod regroup;
mod rejected;
mod resolve;
mod undo;
pub mod workbench;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

pub use crate::views::Decision;
pub use listing::{Costs, ListFilter, Rank, StatusFilter};

use crate::clustering::graph::NeighbourIndex;
use crate::clustering::{dot, Grouping};
use crate::embedding::cache::{embed_cached, CacheError};
use crate::knowledge::KnowledgeError;
use crate::matching::{Matcher, Serving};
use crate::misses::entity::miss;
use crate::script::cjk_share;
use crate::views::{GroupStatus, MissStatus};
use entity::cluster;
use labels::TermCounts;

/// The state of a miss or group still waiting for a decision.
const REGROUP_LOCK: &str = "regroup";
/// Counts regroupings (in `app_meta`): an instance whose state is older reloads it.
const GENERATION: &str = "inbox_generation";
/// Misses placed per round of the assigner.
const ASSIGN_BATCH: u64 = 500;
/// Key terms shown per group.
const KEY_TERMS: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum InboxError {
    #[error(transparent)]
    Refused(#[from] crate::views::Problem),
    #[error(transparent)]
    Knowledge(#[from] KnowledgeError),
    #[error(transparent)]
    Embedding(#[from] CacheError),
    #[error(transparent)]
    Matching(#[from] crate::matching::MatchError),
    #[error(transparent)]
    Storage(#[from] DbErr),
    #[error(transparent)]
    Meta(#[from] crate::storage::StorageError),
    #[error("{0}")]
    Internal(String),
}

pub type Result<T, E = InboxError> = std::result::Result<T, E>;

/// The open misses in memory: where each is, each group's vector sum, and term counts.
struct State {
    index: Arc<NeighbourIndex>,
    /// By index id: the miss and its group. Closed misses stay in the HNSW graph (it cannot
    /// delete) but leave `open`, so they are skipped.
    slots: Vec<(i64, i64)>,
    open: HashSet<i64>,
    groups: HashMap<i64, Vec<f32>>,
    terms: TermCounts,
}

impl State {
    fn empty() -> Self {
        State {
            index: Arc::new(NeighbourIndex::empty(1024)),
            slots: Vec::new(),
            open: HashSet::new(),
            groups: HashMap::new(),
            terms: TermCounts::default(),
        }
    }

    fn add(&mut self, miss_id: i64, cluster_id: i64, vector: &[f32], question: &str) {
        self.index.insert(vector, self.slots.len());
        self.slots.push((miss_id, cluster_id));
        self.count_in(miss_id, cluster_id, vector);
        self.terms.add(&labels::terms(question));
    }

    /// Counts an open miss towards its group's vector sum.
    fn count_in(&mut self, miss_id: i64, cluster_id: i64, vector: &[f32]) {
        self.open.insert(miss_id);
        let sum = self.groups.entry(cluster_id).or_insert_with(|| vec![0.0; vector.len()]);
        sum.iter_mut().zip(vector).for_each(|(s, x)| *s += x);
    }

    /// The open group whose centre is closest to `vector`, with its cosine.
    fn nearest_group(&self, vector: &[f32]) -> Option<(i64, f32)> {
        let mut seen = HashSet::new();
        self.index
            .nearest(vector, 10)
            .into_iter()
            .filter_map(|(slot, _)| self.slots.get(slot).copied())
            .filter(|(miss_id, _)| self.open.contains(miss_id))
            .filter(|&(_, cluster_id)| seen.insert(cluster_id))
            .filter_map(|(_, cluster_id)| {
                let sum = self.groups.get(&cluster_id)?;
                let norm = dot(sum, sum).sqrt().max(1e-12);
                Some((cluster_id, dot(vector, sum) / norm))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1))
    }
}

pub struct Inbox {
    db: DatabaseConnection,
    /// Its model embeds the misses too: groups and suggestions live in one vector space.
    matcher: Arc<Matcher>,
    /// Calibrated for the matcher's model; changes with it.
    grouping: RwLock<Grouping>,
    state: RwLock<State>,
    /// One writer of groups at a time in this instance (assigner or regrouping).
    writing: tokio::sync::Mutex<()>,
    /// This instance's name on the regroup lock.
    holder: String,
    /// Held while this instance regroups: a second request is refused, not queued (each would
    /// redo the whole work, and the first to finish would release the lease the other holds).
    regrouping: tokio::sync::Mutex<()>,
    /// The regrouping the in-memory state reflects.
    generation: std::sync::Mutex<Option<String>>,
    /// What each signal's reports cost, for ranking by cost.
    costs: listing::Costs,
}

/// An open miss as regrouping and loading read it.
struct Open {
    id: i64,
    question: String,
    count: i64,
    cluster_id: Option<i64>,
}

impl Inbox {
    /// Loads the open misses that already have a group; the assigner places the rest.
    pub async fn load(db: DatabaseConnection, matcher: Arc<Matcher>, grouping: Grouping) -> Result<Inbox> {
        let mut id = [0u8; 6];
        getrandom::fill(&mut id).map_err(|e| InboxError::Internal(format!("no randomness: {e}")))?;
        let holder =
            format!("{}-{}", std::process::id(), id.iter().map(|b| format!("{b:02x}")).collect::<String>());
        let inbox = Inbox {
            db,
            matcher,
            grouping: RwLock::new(grouping),
            state: RwLock::new(State::empty()),
            writing: tokio::sync::Mutex::new(()),
            holder,
            regrouping: tokio::sync::Mutex::new(()),
            generation: std::sync::Mutex::new(None),
            costs: listing::Costs::default(),
        };
        inbox.reload().await?;
        Ok(inbox)
    }

    /// Ranks by cost with these weights instead of the defaults.
    pub fn with_costs(mut self, costs: Costs) -> Self {
        self.costs = costs;
        self
    }

    /// This instance's name in the database's locks.
    pub fn holder(&self) -> &str {
        &self.holder
    }

    /// The grouping parameters in use.
    pub fn grouping(&self) -> Grouping {
        *self.grouping.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Moves the matcher and the groups to another model (see [`Matcher::switch`]): nothing is
    /// placed meanwhile, so no miss is compared with a group in the other model's space.
    pub async fn switch_model(&self, serving: Arc<Serving>, grouping: Grouping) -> Result<()> {
        let _writing = self.writing.lock().await;
        self.matcher.switch(serving).await?;
        *self.grouping.write().unwrap_or_else(|e| e.into_inner()) = grouping;
        self.reload().await?;
        Ok(())
    }

    /// Rebuilds the in-memory state from the database (at start, after a regrouping elsewhere).
    pub async fn reload(&self) -> Result<usize> {
        let generation = crate::storage::meta::get(&self.db, GENERATION).await?;
        let open: Vec<Open> =
            open_misses(&self.db).await?.into_iter().filter(|m| m.cluster_id.is_some()).collect();
        let questions: Vec<String> = open.iter().map(|m| m.question.clone()).collect();
        let vectors = embed_cached(&self.db, &self.matcher.embedder(), &questions).await?;
        let state = tokio::task::spawn_blocking(move || build_state(&open, &vectors))
            .await
            .map_err(|e| InboxError::Internal(format!("loading the inbox failed: {e}")))?;
        let n = state.slots.len();
        *self.state.write().unwrap_or_else(|e| e.into_inner()) = state;
        *self.generation.lock().unwrap_or_else(|e| e.into_inner()) = generation;
        Ok(n)
    }

    /// Places every open miss that has no group yet; returns how many it placed.
    pub async fn assign_pending(&self) -> Result<usize> {
        let _writing = self.writing.lock().await;
        // Another instance regrouped: its groups replace ours before anything is placed.
        let current = crate::storage::meta::get(&self.db, GENERATION).await?;
        if current != *self.generation.lock().unwrap_or_else(|e| e.into_inner()) {
            let loaded = self.reload().await?;
            tracing::info!(misses = loaded, "inbox reloaded after a regrouping elsewhere");
        }
        let pending = miss::Entity::find()
            .filter(miss::Column::Status.eq(MissStatus::Open))
            .filter(miss::Column::ClusterId.is_null())
            .order_by_asc(miss::Column::Id)
            .limit(ASSIGN_BATCH)
            .all(&self.db)
            .await?;
        if pending.is_empty() {
            return Ok(0);
        }
        let questions: Vec<String> = pending.iter().map(|m| m.question.clone()).collect();
        let vectors = embed_cached(&self.db, &self.matcher.online_embedder(), &questions).await?;
        let placed = self.place(&pending, &vectors).await;
        if placed.is_err() {
            // The state already holds misses whose placing was rolled back: start again from the
            // database, where they are still waiting.
            self.reload().await?;
        }
        let placed = placed?;
        tracing::debug!(placed, "misses placed in the inbox");
        Ok(placed)
    }

    /// Places each miss in one transaction, updating the in-memory state as it goes so that
    /// later misses of the batch see earlier ones.
    async fn place(&self, pending: &[miss::Model], vectors: &[Vec<f32>]) -> Result<usize> {
        let now = Utc::now();
        let txn = crate::storage::write(&self.db).await?;
        let mut placed = 0;
        for (m, v) in pending.iter().zip(vectors) {
            let near = self.state.read().unwrap_or_else(|e| e.into_inner()).nearest_group(v);
            let joins = self.grouping().assign_for(cjk_share(&m.question));
            let mut target = near.filter(|&(_, sim)| sim >= joins).map(|(id, _)| id);
            // The group may have been decided on another instance since: then it is not a home.
            if let Some(id) = target {
                let open = cluster::Entity::update_many()
                    .col_expr(cluster::Column::UpdatedAt, Expr::value(now))
                    .filter(cluster::Column::Id.eq(id))
                    .filter(cluster::Column::Status.eq(GroupStatus::Open))
                    .exec(&txn)
                    .await?;
                if open.rows_affected == 0 {
                    self.state.write().unwrap_or_else(|e| e.into_inner()).groups.remove(&id);
                    target = None;
                }
            }
            let cluster_id = match target {
                Some(id) => id,
                None => {
                    let terms = {
                        let state = self.state.read().unwrap_or_else(|e| e.into_inner());
                        state.terms.key_terms(&[&labels::terms(&m.question)], KEY_TERMS)
                    };
                    new_cluster(&txn, &m.question, &terms).await?
                }
            };
            let done = miss::Entity::update_many()
                .col_expr(miss::Column::ClusterId, Expr::value(cluster_id))
                .filter(miss::Column::Id.eq(m.id))
                .filter(miss::Column::ClusterId.is_null())
                .exec(&txn)
                .await?;
            if done.rows_affected == 1 {
                placed += 1;
                // Later misses of this batch see this one.
                self.state.write().unwrap_or_else(|e| e.into_inner()).add(m.id, cluster_id, v, &m.question);
            }
        }
        txn.commit().await?;
        Ok(placed)
    }

    /// The cost the assigner pays per miss beyond embedding it: finding the nearest group.
    pub fn nearest_group(&self, vector: &[f32]) -> Option<(i64, f32)> {
        self.state.read().unwrap_or_else(|e| e.into_inner()).nearest_group(vector)
    }

    /// Drops closed misses (and a closed group) from the in-memory state, so nothing is placed
    /// next to them.
    pub(crate) fn forget(&self, miss_ids: &[i64], closed_groups: &[i64]) {
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        for id in miss_ids {
            state.open.remove(id);
        }
        for id in closed_groups {
            state.groups.remove(id);
        }
    }
}

fn build_state(open: &[Open], vectors: &[Vec<f32>]) -> State {
    let mut state = State { index: Arc::new(NeighbourIndex::build(vectors)), ..State::empty() };
    for (i, m) in open.iter().enumerate() {
        let cluster_id = m.cluster_id.expect("only placed misses are loaded");
        state.slots.push((m.id, cluster_id));
        state.count_in(m.id, cluster_id, &vectors[i]);
        state.terms.add(&labels::terms(&m.question));
    }
    state
}

async fn open_misses(db: &impl ConnectionTrait) -> Result<Vec<Open>> {
    Ok(miss::Entity::find()
        .filter(miss::Column::Status.eq(MissStatus::Open))
        .order_by_asc(miss::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|m| Open { id: m.id, question: m.question, count: i64::from(m.count), cluster_id: m.cluster_id })
        .collect())
}

async fn new_cluster(db: &impl ConnectionTrait, label: &str, key_terms: &[String]) -> Result<i64> {
    insert_cluster(db, label, &serde_json::to_string(key_terms).unwrap_or_else(|_| "[]".into())).await
}

async fn insert_cluster(db: &impl ConnectionTrait, label: &str, key_terms: &str) -> Result<i64> {
    let now = Utc::now();
    Ok(cluster::ActiveModel {
        status: Set(GroupStatus::Open),
        label: Set(label.to_string()),
        key_terms: Set(key_terms.to_string()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?
    .id)
}
