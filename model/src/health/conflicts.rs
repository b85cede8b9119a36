//! The conflict report: pairs of published points that compete for the same questions, with
//! the evidence — texts of one nearer to the other ([`super::crossings`]), clarifications in
//! which customers chose one or the other interchangeably, and questions answered with one,
//! rated 👎 or handed off, then linked by a trainer to the other. Pairs a trainer marked "not
//! a conflict" stay out.
//!
//! Comparing the texts is the costly part (seconds at 100k texts), so it is kept per knowledge
//! feed revision: the first report after a publish compares again, later ones reuse it, and
//! "recompute" forces it. The ask log's evidence and the dismissals are read on every report.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use super::crossings::{crossings, PairCrossings};
use crate::knowledge::store::load;
use crate::matching::{Matcher, Scoring};
use crate::metrics::{get, MetricsError};
use crate::storage::sql::Sql;
use crate::views::{
    Actor, AskCandidate, ClarifyEvidence, Conflict, ConflictReport, ConflictSide, Crossing, Outcome, Problem,
    Relinked, Role, Signal,
};

/// How far back the ask log's evidence goes.
pub const EVIDENCE_DAYS: i64 = 90;
/// Crossing texts shown per pair.
const SHOWN: usize = 10;
/// Questions shown per piece of ask-log evidence.
const QUESTIONS: usize = 5;
/// Pairs in a report.
const MOST: usize = 200;

/// One comparison of the published texts.
struct Compared {
    /// The matcher's documents compared (see [`Matcher::documents_key`]).
    key: (i64, usize),
    revision: i64,
    at: DateTime<Utc>,
    took_ms: u64,
    texts: u64,
    scoring: Scoring,
    /// Every published point's question, category and texts.
    points: HashMap<i32, (String, String, Vec<String>)>,
    pairs: Vec<PairCrossings>,
}

/// The last comparison, shared by the requests of one instance.
#[derive(Default)]
pub struct Conflicts {
    last: Mutex<Option<Arc<Compared>>>,
    /// One comparison at a time: a second request waits for the first one's result.
    running: tokio::sync::Mutex<()>,
}

impl Conflicts {
    /// The report, comparing the texts again if knowledge was published since the last
    /// comparison (or if `recompute`); with `point`, only the conflicts of that point.
    pub async fn report(
        &self,
        db: &DatabaseConnection,
        matcher: &Matcher,
        recompute: bool,
        point: Option<i32>,
        now: DateTime<Utc>,
    ) -> Result<ConflictReport, MetricsError> {
        let compared = self.compared(matcher, recompute).await?;
        let dismissed = dismissed(db).await?;
        let mut by_pair: BTreeMap<(i32, i32), Conflict> = BTreeMap::new();
        for pair in &compared.pairs {
            if let Some(c) = pair_entry(&mut by_pair, &compared, &dismissed, pair.first, pair.second) {
                c.crossing_count = pair.crossings.len() as u64;
                c.strength += c.crossing_count;
                c.crossings = pair
                    .crossings
                    .iter()
                    .take(SHOWN)
                    .map(|x| Crossing {
                        knowledge_id: x.from.to_string(),
                        text: compared
                            .points
                            .get(&x.from)
                            .and_then(|p| p.2.get(x.text))
                            .cloned()
                            .unwrap_or_default(),
                        own: x.own,
                        other: x.other,
                    })
                    .collect();
            }
        }
        let since = now - Duration::days(EVIDENCE_DAYS);
        for ((a, b), evidence) in clarifications(db, since).await? {
            if evidence.chose_first > 0 && evidence.chose_second > 0 {
                if let Some(c) = pair_entry(&mut by_pair, &compared, &dismissed, a, b) {
                    c.strength += evidence.chose_first + evidence.chose_second;
                    c.clarifications = Some(evidence);
                }
            }
        }
        for r in relinked(db, since).await? {
            let (Ok(a), Ok(b)) = (r.answered_with.parse::<i32>(), r.linked_to.parse::<i32>()) else {
                continue;
            };
            if let Some(c) = pair_entry(&mut by_pair, &compared, &dismissed, a, b) {
                c.strength += 1;
                if c.relinked.len() < QUESTIONS {
                    c.relinked.push(r);
                }
            }
        }
        let mut conflicts: Vec<Conflict> = by_pair
            .into_iter()
            .filter(|((a, b), _)| point.is_none_or(|p| p == *a || p == *b))
            .map(|(_, c)| c)
            .collect();
        let bar = compared.scoring.answer_score;
        let ids = |c: &Conflict| (id_of(&c.first), id_of(&c.second));
        conflicts.sort_by(|x, y| {
            y.strength
                .cmp(&x.strength)
                .then(strongest(y, bar).total_cmp(&strongest(x, bar)))
                .then(ids(x).cmp(&ids(y)))
        });
        conflicts.truncate(MOST);
        Ok(ConflictReport {
            computed_at: compared.at,
            took_ms: compared.took_ms,
            revision: compared.revision,
            points: compared.points.len() as u64,
            texts: compared.texts,
            dismissed: dismissed.len() as u64,
            conflicts,
        })
    }

    /// The comparison for the matcher's current revision.
    async fn compared(&self, matcher: &Matcher, recompute: bool) -> Result<Arc<Compared>, MetricsError> {
        let _one = self.running.lock().await;
        let key = matcher.documents_key().await;
        if let Some(last) = self.last.lock().unwrap_or_else(|e| e.into_inner()).clone() {
            if last.key == key && !recompute {
                return Ok(last);
            }
        }
        let (revision, dim, scoring, docs) = matcher.documents().await;
        let compared = tokio::task::spawn_blocking(move || {
            let started = Instant::now();
            let pairs = crossings(&docs, dim, &scoring);
            let texts = docs.iter().map(|d| d.texts.len() as u64).sum();
            let points =
                docs.into_iter().map(|d| (d.knowledge_id, (d.question, d.category, d.texts))).collect();
            Compared {
                key,
                revision,
                at: Utc::now(),
                took_ms: started.elapsed().as_millis() as u64,
                texts,
                scoring,
                points,
                pairs,
            }
        })
        .await
        .map_err(|e| MetricsError::Export(format!("comparing the knowledge failed: {e}")))?;
        tracing::info!(
            revision,
            points = compared.points.len(),
            texts = compared.texts,
            pairs = compared.pairs.len(),
            ms = compared.took_ms,
            threshold = compared.scoring.answer_score,
            "knowledge conflicts compared"
        );
        let compared = Arc::new(compared);
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = Some(compared.clone());
        Ok(compared)
    }
}

/// The report's entry for points `a` and `b`, made on first use; none for a dismissed pair or
/// a point no longer published.
fn pair_entry<'a>(
    by_pair: &'a mut BTreeMap<(i32, i32), Conflict>,
    compared: &Compared,
    dismissed: &HashSet<(i32, i32)>,
    a: i32,
    b: i32,
) -> Option<&'a mut Conflict> {
    let (first, second) = (a.min(b), a.max(b));
    if a == b || dismissed.contains(&(first, second)) {
        return None;
    }
    let side = |id: i32| {
        compared.points.get(&id).map(|(question, category, texts)| ConflictSide {
            knowledge_id: id.to_string(),
            question: question.clone(),
            category: category.clone(),
            texts: texts.len() as u64,
        })
    };
    let (f, s) = (side(first)?, side(second)?);
    Some(by_pair.entry((first, second)).or_insert_with(|| Conflict {
        first: f,
        second: s,
        strength: 0,
        crossings: Vec::new(),
        crossing_count: 0,
        clarifications: None,
        relinked: Vec::new(),
    }))
}

/// The widest margin of a pair's crossings, as [`super::crossings`] measures it.
fn strongest(c: &Conflict, bar: f32) -> f32 {
    c.crossings.first().map(|x| x.other - x.own.unwrap_or(bar)).unwrap_or(f32::MIN)
}

fn id_of(side: &ConflictSide) -> i64 {
    side.knowledge_id.parse().unwrap_or_default()
}

/// Marks two points "not a conflict": the report leaves the pair out from now on.
pub async fn dismiss(db: &DatabaseConnection, actor: &Actor, a: i32, b: i32) -> Result<(), MetricsError> {
    crate::knowledge::require(actor, Role::Trainer, "dismissing a conflict")?;
    if a == b {
        return Err(Problem::SamePoint.into());
    }
    for id in [a, b] {
        load(db, id).await?;
    }
    let (first, second) = (a.min(b), a.max(b));
    let txn = crate::storage::write(db).await?;
    let mut sql = Sql::new(db.get_database_backend());
    // Dismissing a pair twice (two trainers at once, or a retry) keeps the first dismissal.
    sql.push("INSERT INTO conflict_dismissals (first_id, second_id, actor, created_at) VALUES (")
        .bind(first)
        .push(", ")
        .bind(second)
        .push(", ")
        .bind(actor.name.clone())
        .push(", ")
        .bind(Utc::now())
        .push(") ON CONFLICT (first_id, second_id) DO NOTHING");
    txn.execute_raw(sql.statement()).await?;
    crate::audit::record(
        &txn,
        actor,
        "knowledge.conflict_dismissed",
        &format!("knowledge:{first}"),
        Some(serde_json::json!({ "with": second })),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

async fn dismissed(db: &impl ConnectionTrait) -> Result<HashSet<(i32, i32)>, MetricsError> {
    let sql = Sql::new(db.get_database_backend())
        .push("SELECT first_id, second_id FROM conflict_dismissals")
        .statement();
    db.query_all_raw(sql).await?.iter().map(|r| Ok((get(r, "first_id")?, get(r, "second_id")?))).collect()
}

/// For each pair of points offered together in clarifications since `since`, how often
/// customers chose each (the lower id first).
async fn clarifications(
    db: &impl ConnectionTrait,
    since: DateTime<Utc>,
) -> Result<BTreeMap<(i32, i32), ClarifyEvidence>, MetricsError> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push(&format!(
        "SELECT question, candidates, chosen_knowledge_id FROM asks WHERE outcome = '{}' \
         AND chosen_knowledge_id IS NOT NULL AND created_at > ",
        Outcome::Clarify
    ))
    .bind(since)
    .push(" ORDER BY id DESC");
    let mut out: BTreeMap<(i32, i32), ClarifyEvidence> = BTreeMap::new();
    for r in db.query_all_raw(sql.statement()).await? {
        let chosen: i32 = get(&r, "chosen_knowledge_id")?;
        let question: String = get(&r, "question")?;
        let candidates: Vec<AskCandidate> =
            serde_json::from_str(&get::<String>(&r, "candidates")?).unwrap_or_default();
        for other in
            candidates.iter().filter_map(|c| c.knowledge_id.parse::<i32>().ok()).filter(|c| *c != chosen)
        {
            let e = out.entry((chosen.min(other), chosen.max(other))).or_insert_with(|| ClarifyEvidence {
                chose_first: 0,
                chose_second: 0,
                questions: Vec::new(),
            });
            if chosen < other {
                e.chose_first += 1;
            } else {
                e.chose_second += 1;
            }
            if e.questions.len() < QUESTIONS && !e.questions.contains(&question) {
                e.questions.push(question.clone());
            }
        }
    }
    Ok(out)
}

/// Questions answered with one published point, rated 👎 or handed off, and since linked by a
/// trainer to another point.
async fn relinked(db: &impl ConnectionTrait, since: DateTime<Utc>) -> Result<Vec<Relinked>, MetricsError> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push(&format!(
        "SELECT a.question AS question, a.knowledge_id AS answered_with, m.knowledge_id AS linked_to \
         FROM miss_events e JOIN asks a ON a.ask_id = e.ask_id JOIN misses m ON m.id = e.miss_id \
         WHERE e.signal IN ('{}', '{}') AND a.knowledge_id IS NOT NULL AND m.knowledge_id IS NOT NULL \
         AND m.decided_at IS NOT NULL AND m.knowledge_id <> a.knowledge_id AND e.occurred_at > ",
        Signal::NegativeFeedback,
        Signal::Handoff
    ))
    .bind(since)
    .push(" ORDER BY e.id DESC");
    db.query_all_raw(sql.statement())
        .await?
        .iter()
        .map(|r| {
            Ok(Relinked {
                question: get(r, "question")?,
                answered_with: get::<i32>(r, "answered_with")?.to_string(),
                linked_to: get::<i32>(r, "linked_to")?.to_string(),
            })
        })
        .collect()
}
