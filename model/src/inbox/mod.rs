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
mod resolve;
mod undo;
pub mod workbench;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

pub use crate::views::Decision;
pub use listing::{ListFilter, StatusFilter};

use crate::clustering::graph::NeighbourIndex;
use crate::clustering::{self, dot, Grouping};
use crate::embedding::cache::{embed_cached, CacheError};
use crate::knowledge::KnowledgeError;
use crate::matching::{Matcher, Serving};
use crate::misses::entity::miss;
use crate::script::cjk_share;
use crate::views::RegroupReport;
use entity::cluster;
use labels::TermCounts;

/// The state of a miss or group still waiting for a decision.
pub const OPEN: &str = "open";
const REGROUP_LOCK: &str = "regroup";
/// Counts regroupings (in `app_meta`): an instance whose state is older reloads it.
const GENERATION: &str = "inbox_generation";
/// Misses placed per round of the assigner.
const ASSIGN_BATCH: u64 = 500;
/// Key terms shown per group.
const KEY_TERMS: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum InboxError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
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
        };
        inbox.reload().await?;
        Ok(inbox)
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
            .filter(miss::Column::Status.eq(OPEN))
            .filter(miss::Column::ClusterId.is_null())
            .order_by_asc(miss::Column::Id)
            .limit(ASSIGN_BATCH)
            .all(&self.db)
            .await?;
        if pending.is_empty() {
            return Ok(0);
        }
        let questions: Vec<String> = pending.iter().map(|m| m.question.clone()).collect();
        let vectors = embed_cached(&self.db, &self.matcher.embedder(), &questions).await?;
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
                    .filter(cluster::Column::Status.eq(OPEN))
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

    /// Whether this instance is regrouping now.
    pub fn is_regrouping(&self) -> bool {
        self.regrouping.try_lock().is_err()
    }

    /// Regroups every open miss. Refused (Conflict) while this or another instance regroups.
    pub async fn regroup(&self) -> Result<RegroupReport> {
        let Ok(_running) = self.regrouping.try_lock() else {
            return Err(InboxError::Conflict(
                "a regrouping is already running on this instance; try again when it has finished".into(),
            ));
        };
        let lease = chrono::Duration::minutes(15);
        if !lock::acquire(&self.db, REGROUP_LOCK, &self.holder, lease).await? {
            let by = lock::holder(&self.db, REGROUP_LOCK).await?.unwrap_or_default();
            return Err(InboxError::Conflict(format!(
                "a regrouping is already running (instance {by}); try again when it has finished"
            )));
        }
        let result = self.regroup_locked().await;
        if let Err(e) = lock::release(&self.db, REGROUP_LOCK, &self.holder).await {
            tracing::warn!(error = %e, "cannot release the regroup lock; it expires by itself");
        }
        result
    }

    async fn regroup_locked(&self) -> Result<RegroupReport> {
        let started = Instant::now();
        let _writing = self.writing.lock().await;
        let open = open_misses(&self.db).await?;
        let questions: Vec<String> = open.iter().map(|m| m.question.clone()).collect();
        let vectors = embed_cached(&self.db, &self.matcher.embedder(), &questions).await?;
        let grouping = self.grouping();
        let cjk: Vec<f32> = questions.iter().map(|q| cjk_share(q)).collect();
        let read = started.elapsed().as_secs_f64();
        let reuse = self.reusable_index(&open);
        let reused = reuse.is_some();
        let (vectors, labels, index, positions, index_s, graph_s) = tokio::task::spawn_blocking(move || {
            let t = Instant::now();
            let n = vectors.len();
            let (index, mut positions) = match reuse {
                Some(found) => found,
                None => (Arc::new(NeighbourIndex::build(&vectors)), (0..n).map(Some).collect()),
            };
            // Open misses the live index lacks (not placed yet) go in now: it then holds them all.
            let mut indexed = vec![false; n];
            positions.iter().flatten().for_each(|&p| indexed[p] = true);
            for i in (0..n).filter(|&i| !indexed[i]) {
                index.insert(&vectors[i], positions.len());
                positions.push(Some(i));
            }
            let index_s = t.elapsed().as_secs_f64();
            let graph = clustering::graph::knn_graph_with(&vectors, &index, &positions, grouping.neighbours);
            let graph = clustering::by_script(graph, &cjk, &grouping);
            let graph_s = t.elapsed().as_secs_f64() - index_s;
            let labels = clustering::community::louvain(&graph, grouping.floor, grouping.resolution_for(n));
            (vectors, labels, index, positions, index_s, graph_s)
        })
        .await
        .map_err(|e| InboxError::Internal(format!("grouping failed: {e}")))?;
        let grouped = started.elapsed().as_secs_f64();
        let groups = labels.iter().copied().max().map_or(0, |m| m + 1);
        let previous: Vec<Option<i64>> = open.iter().map(|m| m.cluster_id).collect();
        let mut ids = keep_ids(&previous, &labels, groups);
        let kept = ids.iter().flatten().count();

        let mut terms = TermCounts::default();
        let term_sets: Vec<HashSet<String>> = open.iter().map(|m| labels::terms(&m.question)).collect();
        term_sets.iter().for_each(|t| terms.add(t));
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); groups];
        for (i, &l) in labels.iter().enumerate() {
            members[l].push(i);
        }
        let now = Utc::now();
        let txn = crate::storage::write(&self.db).await?;
        // What trainers did while the groups were computed wins: a question decided since
        // stays decided, one moved since stays where it was moved, and a group decided since is
        // not reused — else open questions would be moved into a closed group, hidden for good.
        let stored: HashMap<i64, cluster::Model> = cluster::Entity::find()
            .filter(cluster::Column::Status.eq(OPEN))
            .all(&txn)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        let now_in: HashMap<i64, Option<i64>> =
            open_misses(&txn).await?.into_iter().map(|m| (m.id, m.cluster_id)).collect();
        for id in ids.iter_mut() {
            if id.is_some_and(|i| !stored.contains_key(&i)) {
                *id = None;
            }
        }
        for (g, list) in members.iter().enumerate() {
            let refs: Vec<&[f32]> = list.iter().map(|&i| vectors[i].as_slice()).collect();
            let counts: Vec<i64> = list.iter().map(|&i| open[i].count).collect();
            let label = open[list[labels::most_typical(&refs, &counts)]].question.clone();
            let key: Vec<&HashSet<String>> = list.iter().map(|&i| &term_sets[i]).collect();
            let key_terms =
                serde_json::to_string(&terms.key_terms(&key, KEY_TERMS)).unwrap_or_else(|_| "[]".into());
            match ids[g] {
                Some(id) => {
                    let same = stored.get(&id).is_some_and(|c| c.label == label && c.key_terms == key_terms);
                    if !same {
                        cluster::Entity::update_many()
                            .col_expr(cluster::Column::Label, Expr::value(label))
                            .col_expr(cluster::Column::KeyTerms, Expr::value(key_terms))
                            .col_expr(cluster::Column::UpdatedAt, Expr::value(now))
                            .filter(cluster::Column::Id.eq(id))
                            .exec(&txn)
                            .await?;
                    }
                }
                None => ids[g] = Some(insert_cluster(&txn, &label, &key_terms).await?),
            }
        }
        // Move only the misses whose group changed, one statement per target group.
        let mut moves: HashMap<i64, Vec<i64>> = HashMap::new();
        // Where each open miss ends: the groups left without one were merged into others.
        let mut used: HashSet<i64> = HashSet::new();
        let position: HashMap<i64, usize> = open.iter().enumerate().map(|(i, m)| (m.id, i)).collect();
        // Decided since: read, no longer open.
        let mut changed_meanwhile = open.iter().any(|m| !now_in.contains_key(&m.id));
        for (&id, &current) in &now_in {
            let read = position.get(&id).copied();
            let Some(i) = read.filter(|&i| open[i].cluster_id == current) else {
                // Moved since, or placed since (a miss that came in meanwhile and has no group
                // yet changes nothing: the assigner places it next).
                changed_meanwhile |= current.is_some();
                used.extend(current);
                continue;
            };
            let target = ids[labels[i]].expect("every group has an id by now");
            used.insert(target);
            if current != Some(target) {
                moves.entry(target).or_default().push(id);
            }
        }
        for (target, misses) in moves {
            for chunk in misses.chunks(500) {
                miss::Entity::update_many()
                    .col_expr(miss::Column::ClusterId, Expr::value(target))
                    .filter(miss::Column::Id.is_in(chunk.to_vec()))
                    .filter(miss::Column::Status.eq(OPEN))
                    .exec(&txn)
                    .await?;
            }
        }
        let emptied: Vec<i64> = stored.keys().copied().filter(|id| !used.contains(id)).collect();
        for chunk in emptied.chunks(500) {
            cluster::Entity::update_many()
                .col_expr(cluster::Column::Status, Expr::value("merged"))
                .col_expr(cluster::Column::UpdatedAt, Expr::value(now))
                .filter(cluster::Column::Id.is_in(chunk.to_vec()))
                .exec(&txn)
                .await?;
        }
        let generation = format!("{}-{}", self.holder, now.timestamp_micros());
        crate::storage::meta::set(&txn, GENERATION, &generation).await?;
        txn.commit().await?;
        let written = started.elapsed().as_secs_f64();
        let report = RegroupReport { clusters: groups, misses: open.len(), seconds: 0.0, kept };
        if changed_meanwhile {
            // The computed groups are not all that was stored: read back what was.
            self.reload().await?;
            tracing::info!(misses = open.len(), "inbox regrouped around decisions made meanwhile");
            return Ok(RegroupReport { seconds: started.elapsed().as_secs_f64(), ..report });
        }

        // The index's ids stay as they are; each now names its miss's new group (closed ones
        // name nothing and are skipped when placing).
        let mut state = State { index, ..State::empty() };
        for p in &positions {
            match *p {
                Some(i) => state.slots.push((open[i].id, ids[labels[i]].expect("assigned above"))),
                None => state.slots.push((-1, -1)),
            }
        }
        for (i, m) in open.iter().enumerate() {
            state.count_in(m.id, ids[labels[i]].expect("assigned above"), &vectors[i]);
        }
        state.terms = terms;
        *self.state.write().unwrap_or_else(|e| e.into_inner()) = state;
        *self.generation.lock().unwrap_or_else(|e| e.into_inner()) = Some(generation);
        let report = RegroupReport { seconds: started.elapsed().as_secs_f64(), ..report };
        tracing::info!(
            clusters = report.clusters,
            misses = report.misses,
            kept,
            seconds = report.seconds,
            read_s = read,
            reused_index = reused,
            index_s,
            graph_s,
            louvain_s = grouped - read - index_s - graph_s,
            write_s = written - grouped,
            "inbox regrouped"
        );
        Ok(report)
    }

    /// The live index, when it still covers most open misses and holds few closed ones: a
    /// regrouping then skips building one (the dearest step at 100k). With, for each of its ids,
    /// the position of its miss in `open` (`None` once closed).
    fn reusable_index(&self, open: &[Open]) -> Option<(Arc<NeighbourIndex>, Vec<Option<usize>>)> {
        let state = self.state.read().unwrap_or_else(|e| e.into_inner());
        let at: HashMap<i64, usize> = open.iter().enumerate().map(|(i, m)| (m.id, i)).collect();
        let positions: Vec<Option<usize>> = state
            .slots
            .iter()
            .map(|(miss, _)| if state.open.contains(miss) { at.get(miss).copied() } else { None })
            .collect();
        let live = positions.iter().flatten().count();
        let useful = live > 0 && live * 10 >= open.len() * 8 && live * 10 >= positions.len() * 7;
        useful.then(|| (state.index.clone(), positions))
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

/// For each new group, the id of the old group it shares the most misses with — each old id
/// given once, largest overlaps first, so a group that merely lost or gained a few questions
/// keeps its id.
fn keep_ids(previous: &[Option<i64>], labels: &[usize], groups: usize) -> Vec<Option<i64>> {
    let mut overlap: HashMap<(usize, i64), usize> = HashMap::new();
    for (p, &l) in previous.iter().zip(labels) {
        if let Some(old) = p {
            *overlap.entry((l, *old)).or_default() += 1;
        }
    }
    let mut pairs: Vec<((usize, i64), usize)> = overlap.into_iter().collect();
    pairs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut ids = vec![None; groups];
    let mut taken = HashSet::new();
    for ((group, old), _) in pairs {
        if ids[group].is_none() && taken.insert(old) {
            ids[group] = Some(old);
        }
    }
    ids
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
        .filter(miss::Column::Status.eq(OPEN))
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
        status: Set(OPEN.into()),
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

#[cfg(test)]
mod tests {
    use super::keep_ids;

    #[test]
    fn surviving_groups_keep_their_ids_and_new_ones_get_none() {
        // Old groups 10 (misses 0-3) and 20 (4-5), and a miss not placed yet.
        let previous = [Some(10), Some(10), Some(10), Some(10), Some(20), Some(20), None];
        // 10 loses one miss to a new group, 20 is unchanged, the new miss is alone.
        assert_eq!(keep_ids(&previous, &[0, 0, 0, 2, 1, 1, 3], 4), vec![Some(10), Some(20), None, None]);
        // 10 is split in halves, one half joins 20: each old id goes to one group only.
        assert_eq!(keep_ids(&previous, &[0, 0, 1, 1, 1, 1, 1], 2), vec![Some(10), Some(20)]);
        // Everything merged into one group: it keeps the id it shares most with.
        assert_eq!(keep_ids(&previous, &[0; 7], 1), vec![Some(10)]);
    }
}
