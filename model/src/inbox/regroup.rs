//! Regrouping every open miss, in three phases: compute the groups (pure, on a blocking
//! thread), write them in one transaction around what trainers did meanwhile, then install
//! them in memory for the assigner.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::entity::cluster;
use super::labels::{self, TermCounts};
use super::{
    insert_cluster, lock, open_misses, Inbox, InboxError, Open, Result, State, GENERATION, KEY_TERMS,
    REGROUP_LOCK,
};
use crate::clustering::graph::NeighbourIndex;
use crate::clustering::{self, Grouping};
use crate::embedding::cache::embed_cached;
use crate::misses::entity::miss;
use crate::script::cjk_share;
use crate::views::Problem;
use crate::views::RegroupReport;
use crate::views::{GroupStatus, MissStatus};

/// The groups as computed, before anything is written.
struct Computed {
    vectors: Vec<Vec<f32>>,
    /// Each open miss's group, by position in the open misses read.
    labels: Vec<usize>,
    index: Arc<NeighbourIndex>,
    /// For each id of the index, the position of its miss (`None` once closed).
    positions: Vec<Option<usize>>,
    index_s: f64,
    graph_s: f64,
}

/// The kNN graph (on the live index when it can be reused), split by script, and Louvain.
fn compute(
    vectors: Vec<Vec<f32>>,
    cjk: &[f32],
    grouping: Grouping,
    reuse: Option<(Arc<NeighbourIndex>, Vec<Option<usize>>)>,
) -> Computed {
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
    let graph = clustering::by_script(graph, cjk, &grouping);
    let graph_s = t.elapsed().as_secs_f64() - index_s;
    let labels = clustering::community::louvain(&graph, grouping.floor, grouping.resolution_for(n));
    Computed { vectors, labels, index, positions, index_s, graph_s }
}

/// What is written: each group's id (kept from the group it overlaps most, or new), members,
/// and the key terms' counts.
struct Plan {
    ids: Vec<Option<i64>>,
    members: Vec<Vec<usize>>,
    term_sets: Vec<HashSet<String>>,
    terms: TermCounts,
    kept: usize,
}

impl Plan {
    fn new(open: &[Open], labels: &[usize]) -> Plan {
        let groups = labels.iter().copied().max().map_or(0, |m| m + 1);
        let previous: Vec<Option<i64>> = open.iter().map(|m| m.cluster_id).collect();
        let ids = keep_ids(&previous, labels, groups);
        let kept = ids.iter().flatten().count();
        let mut terms = TermCounts::default();
        let term_sets: Vec<HashSet<String>> = open.iter().map(|m| labels::terms(&m.question)).collect();
        term_sets.iter().for_each(|t| terms.add(t));
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); groups];
        for (i, &l) in labels.iter().enumerate() {
            members[l].push(i);
        }
        Plan { ids, members, term_sets, terms, kept }
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

impl Inbox {
    /// Whether this instance is regrouping now.
    pub fn is_regrouping(&self) -> bool {
        self.regrouping.try_lock().is_err()
    }

    /// Regroups every open miss. Refused (Conflict) while this or another instance regroups.
    pub async fn regroup(&self) -> Result<RegroupReport> {
        let Ok(_running) = self.regrouping.try_lock() else {
            return Err(Problem::RegroupRunning { instance: None }.into());
        };
        let lease = chrono::Duration::minutes(15);
        if !lock::acquire(&self.db, REGROUP_LOCK, &self.holder, lease).await? {
            let by = lock::holder(&self.db, REGROUP_LOCK).await?.unwrap_or_default();
            return Err(Problem::RegroupRunning { instance: Some(by) }.into());
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
        let computed = tokio::task::spawn_blocking(move || compute(vectors, &cjk, grouping, reuse))
            .await
            .map_err(|e| InboxError::Internal(format!("grouping failed: {e}")))?;
        let grouped = started.elapsed().as_secs_f64();
        let mut plan = Plan::new(&open, &computed.labels);
        let (generation, changed_meanwhile) = self.persist(&open, &computed, &mut plan).await?;
        let written = started.elapsed().as_secs_f64();
        let report =
            RegroupReport { clusters: plan.members.len(), misses: open.len(), seconds: 0.0, kept: plan.kept };
        if changed_meanwhile {
            // The computed groups are not all that was stored: read back what was.
            self.reload().await?;
            tracing::info!(misses = open.len(), "inbox regrouped around decisions made meanwhile");
            return Ok(RegroupReport { seconds: started.elapsed().as_secs_f64(), ..report });
        }
        let (index_s, graph_s) = (computed.index_s, computed.graph_s);
        self.install(&open, computed, plan, generation);
        let report = RegroupReport { seconds: started.elapsed().as_secs_f64(), ..report };
        tracing::info!(
            clusters = report.clusters,
            misses = report.misses,
            kept = report.kept,
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

    /// Writes the plan in one transaction. What trainers did while the groups were computed
    /// wins: a question decided since stays decided, one moved since stays where it was moved,
    /// and a group decided since is not reused — else open questions would be moved into a
    /// closed group, hidden for good. Returns the new generation and whether anything changed
    /// meanwhile (then the plan is not all that was stored).
    async fn persist(&self, open: &[Open], c: &Computed, plan: &mut Plan) -> Result<(String, bool)> {
        let now = Utc::now();
        let txn = crate::storage::write(&self.db).await?;
        let stored: HashMap<i64, cluster::Model> = cluster::Entity::find()
            .filter(cluster::Column::Status.eq(GroupStatus::Open))
            .all(&txn)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        // Only ids and groups: this runs under the write lock, and questions were read already.
        let now_in: HashMap<i64, Option<i64>> = miss::Entity::find()
            .select_only()
            .column(miss::Column::Id)
            .column(miss::Column::ClusterId)
            .filter(miss::Column::Status.eq(MissStatus::Open))
            .into_tuple()
            .all(&txn)
            .await?
            .into_iter()
            .collect();
        for id in plan.ids.iter_mut() {
            if id.is_some_and(|i| !stored.contains_key(&i)) {
                *id = None;
            }
        }
        write_labels(&txn, open, c, plan, &stored, now).await?;
        let (used, changed_meanwhile) = move_misses(&txn, open, c, plan, &now_in).await?;
        // Open groups left without an open miss were merged into others.
        let emptied: Vec<i64> = stored.keys().copied().filter(|id| !used.contains(id)).collect();
        for chunk in emptied.chunks(500) {
            cluster::Entity::update_many()
                .col_expr(cluster::Column::Status, Expr::value(GroupStatus::Merged))
                .col_expr(cluster::Column::UpdatedAt, Expr::value(now))
                .filter(cluster::Column::Id.is_in(chunk.to_vec()))
                .exec(&txn)
                .await?;
        }
        let generation = format!("{}-{}", self.holder, now.timestamp_micros());
        crate::storage::meta::set(&txn, GENERATION, &generation).await?;
        txn.commit().await?;
        Ok((generation, changed_meanwhile))
    }

    /// The written groups become the assigner's state. The index's ids stay as they are; each
    /// now names its miss's new group (closed ones name nothing and are skipped when placing).
    fn install(&self, open: &[Open], c: Computed, plan: Plan, generation: String) {
        let group = |i: usize| plan.ids[c.labels[i]].expect("every group has an id once written");
        let mut state = State { index: c.index, ..State::empty() };
        for p in &c.positions {
            match *p {
                Some(i) => state.slots.push((open[i].id, group(i))),
                None => state.slots.push((-1, -1)),
            }
        }
        for (i, m) in open.iter().enumerate() {
            state.count_in(m.id, group(i), &c.vectors[i]);
        }
        state.terms = plan.terms;
        *self.state.write().unwrap_or_else(|e| e.into_inner()) = state;
        *self.generation.lock().unwrap_or_else(|e| e.into_inner()) = Some(generation);
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
}

/// Each group's label (its most typical question) and key terms; new groups are inserted.
async fn write_labels(
    txn: &impl ConnectionTrait,
    open: &[Open],
    c: &Computed,
    plan: &mut Plan,
    stored: &HashMap<i64, cluster::Model>,
    now: DateTime<Utc>,
) -> Result<()> {
    for (g, list) in plan.members.iter().enumerate() {
        let refs: Vec<&[f32]> = list.iter().map(|&i| c.vectors[i].as_slice()).collect();
        let counts: Vec<i64> = list.iter().map(|&i| open[i].count).collect();
        let label = open[list[labels::most_typical(&refs, &counts)]].question.clone();
        let key: Vec<&HashSet<String>> = list.iter().map(|&i| &plan.term_sets[i]).collect();
        let key_terms =
            serde_json::to_string(&plan.terms.key_terms(&key, KEY_TERMS)).unwrap_or_else(|_| "[]".into());
        match plan.ids[g] {
            Some(id) => {
                let same = stored.get(&id).is_some_and(|c| c.label == label && c.key_terms == key_terms);
                if !same {
                    cluster::Entity::update_many()
                        .col_expr(cluster::Column::Label, Expr::value(label))
                        .col_expr(cluster::Column::KeyTerms, Expr::value(key_terms))
                        .col_expr(cluster::Column::UpdatedAt, Expr::value(now))
                        .filter(cluster::Column::Id.eq(id))
                        .exec(txn)
                        .await?;
                }
            }
            None => plan.ids[g] = Some(insert_cluster(txn, &label, &key_terms).await?),
        }
    }
    Ok(())
}

/// Moves the misses whose group changed (one statement per target group), leaving alone those
/// decided or moved since they were read. Returns the groups that keep an open miss, and whether
/// anything changed meanwhile.
async fn move_misses(
    txn: &impl ConnectionTrait,
    open: &[Open],
    c: &Computed,
    plan: &Plan,
    now_in: &HashMap<i64, Option<i64>>,
) -> Result<(HashSet<i64>, bool)> {
    let mut moves: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut used: HashSet<i64> = HashSet::new();
    let position: HashMap<i64, usize> = open.iter().enumerate().map(|(i, m)| (m.id, i)).collect();
    // Decided since: read, no longer open.
    let mut changed_meanwhile = open.iter().any(|m| !now_in.contains_key(&m.id));
    for (&id, &current) in now_in {
        let read = position.get(&id).copied();
        let Some(i) = read.filter(|&i| open[i].cluster_id == current) else {
            // Moved since, or placed since (a miss that came in meanwhile and has no group
            // yet changes nothing: the assigner places it next).
            changed_meanwhile |= current.is_some();
            used.extend(current);
            continue;
        };
        let target = plan.ids[c.labels[i]].expect("every group has an id once written");
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
                .filter(miss::Column::Status.eq(MissStatus::Open))
                .exec(txn)
                .await?;
        }
    }
    Ok((used, changed_meanwhile))
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
