//! The matcher as the product runs it: the published knowledge in an in-memory index, kept up
//! to date from the knowledge feed (only changed points are embedded, through the cache), asks
//! answered from an immutable snapshot so a rebuild never pauses them, and every ask logged.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};

use super::asks::entity as asks;
use super::queue::{AskQueue, Batching, QueueError, RankIn};
use super::{Index, Outcome, PointDoc, Scoring};
use crate::embedding::cache::{embed_cached, CacheError};
use crate::embedding::{EmbedError, Embedder};
use crate::idempotency::{self, Key};
use crate::journal::{Entry, Journal, JournalError, LoggedAsk, Write, Written};
use crate::knowledge::{feed, KnowledgeError};
use crate::misses::{self, Report, Signal};
use crate::privacy::Masker;
use crate::storage::StorageError;
use crate::synonyms::{Dictionary, WithSynonyms};
pub use crate::views::{AskAnswer, AskCandidate, AskResponse, Suggestion};

/// Longest question accepted, in characters: what a knowledge point's question may hold, so a
/// miss can become one as it is (and a PostgreSQL index on it stays far below its row limit:
/// 500 characters are at most 2,000 bytes).
pub const QUESTION_CHARS: usize = crate::knowledge::limits::QUESTION_CHARS;
/// Candidates returned with every answer.
pub const CANDIDATES: usize = 5;
/// How far below the clarify threshold the best point still says what an ask was about.
const NEAR_BELOW_CLARIFY: f32 = 0.1;
/// Question vectors kept for repeated questions.
const QUERY_CACHE: usize = 10_000;
/// Knowledge points embedded (or read from the cache) per step of a load.
const LOAD_CHUNK: usize = 500;

#[derive(Debug, thiserror::Error)]
pub enum MatchError {
    #[error(transparent)]
    Refused(#[from] crate::views::Problem),
    /// A failure of ours (a worker thread, the OS), never of the caller's input.
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Cache(#[from] CacheError),
    #[error(transparent)]
    Embed(#[from] EmbedError),
    #[error(transparent)]
    Knowledge(#[from] KnowledgeError),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Idempotency(#[from] crate::idempotency::IdempotencyError),
    #[error(transparent)]
    Journal(#[from] JournalError),
}

impl From<sea_orm::DbErr> for MatchError {
    fn from(e: sea_orm::DbErr) -> Self {
        MatchError::Storage(StorageError::Db(e))
    }
}

pub use crate::views::Channel;
use crate::views::{Field, Problem, RelatedPoint, Thing};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AskRequest {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 500))]
    pub question: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(inline, default = "bot"))]
    pub channel: Channel,
    // Contract as documented: a string, never null.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(nullable = false, max_length = 200))]
    pub session_id: Option<String>,
    /// Answer the same, record nothing.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(default = false))]
    pub dry_run: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Feedback {
    pub ask_id: String,
    pub helpful: bool,
    #[serde(default)]
    pub handoff: bool,
    /// The knowledge point the customer chose from a clarification.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(nullable = false, pattern = "^[0-9]+$"))]
    pub chosen_knowledge_id: Option<String>,
    /// What the human agent replied after a handoff (shown to trainers beside the miss; may be
    /// sent again later, when the agent has answered).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(nullable = false, max_length = 5000))]
    pub agent_answer: Option<String>,
}

/// A question as it was asked and embedded, for the log.
struct Asked<'a> {
    question: &'a str,
    vector: &'a [f32],
    serving: &'a Serving,
}

/// What the index holds now.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MatcherStats {
    pub points: usize,
    pub texts: usize,
    pub revision: i64,
}

/// The model the matcher answers with and the thresholds calibrated for it: they change
/// together, with the index, when the model does.
pub struct Serving {
    /// The model reading through the published synonyms: what every vector compared with the
    /// index comes from.
    pub embedder: Arc<dyn Embedder>,
    /// The model itself (a learned adapter wraps this one).
    pub base: Arc<dyn Embedder>,
    pub synonyms: Arc<Dictionary>,
    pub scoring: Scoring,
    /// Question vectors kept for repeated questions (this model's).
    queries: Mutex<HashMap<String, Vec<f32>>>,
    /// Answered questions whose vectors this instance has stored: a repeated question's vector
    /// is not written again with every ask.
    stored: Mutex<HashSet<String>>,
}

impl Serving {
    pub fn new(base: Arc<dyn Embedder>, scoring: Scoring, synonyms: Arc<Dictionary>) -> Arc<Serving> {
        let embedder: Arc<dyn Embedder> = Arc::new(WithSynonyms::new(base.clone(), synonyms.clone()));
        Arc::new(Serving {
            embedder,
            base,
            synonyms,
            scoring,
            queries: Mutex::new(HashMap::new()),
            stored: Mutex::new(HashSet::new()),
        })
    }
}

pub(super) struct Snapshot {
    pub(super) index: Arc<Index>,
    revision: i64,
    pub(super) serving: Arc<Serving>,
}

/// What the next rebuild starts from; only the refresher touches it.
pub(super) struct Builder {
    pub(super) docs: BTreeMap<i32, PointDoc>,
    revision: i64,
    /// The model the docs' vectors come from.
    pub(super) serving: Arc<Serving>,
}

pub struct Matcher {
    pub(super) db: DatabaseConnection,
    current: RwLock<Arc<Snapshot>>,
    pub(super) builder: tokio::sync::Mutex<Builder>,
    clicks: RwLock<HashMap<i32, i64>>,
    queue: Arc<AskQueue>,
    /// Where asks and misses are written, many to a transaction.
    journal: Journal,
    /// Personal data in a question is masked before it is embedded or stored.
    masker: RwLock<Arc<Masker>>,
}

impl Matcher {
    /// Loads every published point (embedding only what the cache lacks), with the default
    /// batching.
    pub async fn load(
        db: DatabaseConnection,
        embedder: Arc<dyn Embedder>,
        scoring: Scoring,
    ) -> Result<Matcher, MatchError> {
        Self::load_with(db, embedder, scoring, Batching::default()).await
    }

    pub async fn load_with(
        db: DatabaseConnection,
        embedder: Arc<dyn Embedder>,
        scoring: Scoring,
        batching: Batching,
    ) -> Result<Matcher, MatchError> {
        let dim = embedder.info().dimension;
        let synonyms = Arc::new(crate::synonyms::load(&db).await?);
        let serving = Serving::new(embedder, scoring, synonyms);
        let matcher = Matcher {
            db: db.clone(),
            current: RwLock::new(Arc::new(Snapshot {
                // Until something is published (refresh below builds nothing while the feed is
                // at revision 0), asks are compared with no point at all: misses, not errors.
                index: Arc::new(Index::empty(dim)),
                revision: 0,
                serving: serving.clone(),
            })),
            builder: tokio::sync::Mutex::new(Builder { docs: BTreeMap::new(), revision: 0, serving }),
            clicks: RwLock::new(HashMap::new()),
            queue: Arc::new(AskQueue::start(batching)),
            journal: Journal::start(db.clone(), batching.log_batch),
            masker: RwLock::new(Arc::new(Masker::default())),
        };
        let clicks = clicks::Entity::find().all(&matcher.db).await?;
        *matcher.clicks.write().unwrap_or_else(|e| e.into_inner()) =
            clicks.into_iter().map(|c| (c.knowledge_id, c.clicks)).collect();
        matcher.refresh().await?;
        Ok(matcher)
    }

    /// Masks personal data with `masker` from now on (every built-in detector by default).
    pub fn set_masker(&self, masker: Masker) {
        *self.masker.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(masker);
    }

    /// What masks the questions that come in: asks here, and miss reports at the API.
    pub fn masker(&self) -> Arc<Masker> {
        self.masker.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The thresholds of the model serving now.
    pub fn scoring(&self) -> Scoring {
        self.snapshot().serving.scoring
    }

    /// The model serving now: vectors compared with the index must come from it.
    pub fn embedder(&self) -> Arc<dyn Embedder> {
        self.snapshot().serving.embedder.clone()
    }

    /// The model serving now without the synonyms (what a learned adapter is trained over).
    pub fn base_embedder(&self) -> Arc<dyn Embedder> {
        self.snapshot().serving.base.clone()
    }

    /// The published synonyms the serving model reads through.
    pub fn synonyms(&self) -> Arc<Dictionary> {
        self.snapshot().serving.synonyms.clone()
    }

    /// The model serving now, behind the ask queue: for embedding done while customers wait
    /// (placing misses, checks before a publish), which then shares forward passes with the
    /// asks instead of competing with them for the cores. Bulk work uses [`Matcher::embedder`].
    pub fn online_embedder(&self) -> Arc<dyn Embedder> {
        self.queued(self.embedder())
    }

    /// `inner` behind the ask queue: its texts wait their turn with the asks'.
    pub(super) fn queued(&self, inner: Arc<dyn Embedder>) -> Arc<dyn Embedder> {
        Arc::new(Queued { queue: self.queue.clone(), inner })
    }

    /// Texts waiting in the ask queue now.
    /// The writer of this instance's asks and misses.
    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    pub fn queue_depth(&self) -> usize {
        self.queue.depth()
    }

    /// What the matcher's documents are at: the knowledge feed revision and the model they were
    /// embedded with (a model switch or a trained version is another `Serving`).
    pub async fn documents_key(&self) -> (i64, usize) {
        let builder = self.builder.lock().await;
        (builder.revision, Arc::as_ptr(&builder.serving) as usize)
    }

    /// The published points as the matcher holds them (texts, and rows shared with the index),
    /// with the feed revision they are at and the model's dimension and thresholds.
    pub async fn documents(&self) -> (i64, usize, Scoring, Vec<PointDoc>) {
        let builder = self.builder.lock().await;
        let serving = &builder.serving;
        (
            builder.revision,
            serving.embedder.info().dimension,
            serving.scoring,
            builder.docs.values().cloned().collect(),
        )
    }

    pub fn stats(&self) -> MatcherStats {
        let snap = self.snapshot();
        MatcherStats { points: snap.index.points().len(), texts: snap.index.texts(), revision: snap.revision }
    }

    pub(super) fn snapshot(&self) -> Arc<Snapshot> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Applies the published changes since the last refresh; returns how many points changed.
    /// Asks keep using the previous snapshot until the new one is swapped in.
    pub async fn refresh(&self) -> Result<usize, MatchError> {
        let mut builder = self.builder.lock().await;
        self.advance(&mut builder, false).await
    }

    /// Serves another model: every published point is indexed again with its vectors (from the
    /// cache: embed them first, or this takes as long as embedding them) and swapped in with
    /// the model's thresholds in one step. Asks meanwhile use the previous snapshot; on failure
    /// the previous model keeps serving.
    pub async fn switch(&self, serving: Arc<Serving>) -> Result<usize, MatchError> {
        let mut builder = self.builder.lock().await;
        let mut fresh = Builder { docs: BTreeMap::new(), revision: 0, serving };
        let points = self.advance(&mut fresh, true).await?;
        *builder = fresh;
        Ok(points)
    }

    /// Brings `builder` up to the feed and publishes a snapshot if anything changed (or if
    /// `publish`); returns how many points changed.
    async fn advance(&self, builder: &mut Builder, publish: bool) -> Result<usize, MatchError> {
        let started = Instant::now();
        // The timer calls this every few seconds: one cheap query when nothing was published.
        if feed::revision(&self.db).await? == builder.revision && !publish {
            return Ok(0);
        }
        let changes = feed::since(&self.db, builder.revision).await?;
        if changes.items.is_empty() && !publish {
            builder.revision = changes.revision;
            return Ok(0);
        }
        // A few thousand points at a time: their f32 vectors are short-lived (the index keeps
        // half-precision rows), so loading 100k texts never holds them all at once.
        for items in changes.items.chunks(LOAD_CHUNK) {
            self.apply(builder, items).await?;
        }
        if changes.items.len() > LOAD_CHUNK {
            release_free_memory();
        }
        builder.revision = changes.revision;
        let serving = &builder.serving;
        let index =
            Arc::new(Index::build_with(builder.docs.values(), serving.embedder.info().dimension, &|t| {
                serving.synonyms.apply(t)
            }));
        let snapshot =
            Arc::new(Snapshot { index, revision: builder.revision, serving: builder.serving.clone() });
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = snapshot;
        tracing::info!(
            changed = changes.items.len(),
            points = builder.docs.len(),
            revision = builder.revision,
            ms = started.elapsed().as_millis() as u64,
            "matcher updated"
        );
        Ok(changes.items.len())
    }

    /// Puts `items` of the feed into `builder`'s documents, embedding what the cache lacks.
    async fn apply(&self, builder: &mut Builder, items: &[crate::views::FeedItem]) -> Result<(), MatchError> {
        let mut texts = Vec::new();
        for item in items.iter().filter(|i| !i.deleted) {
            texts.push(item.question.clone());
            texts.extend(item.phrasings.iter().cloned());
            texts.extend(item.counter_examples.iter().cloned());
        }
        let mut vectors = embed_cached(&self.db, &builder.serving.embedder, &texts).await?.into_iter();
        for item in items {
            let id: i32 = item
                .id
                .parse()
                .map_err(|_| MatchError::Internal(format!("bad knowledge id {} in the feed", item.id)))?;
            if item.deleted {
                builder.docs.remove(&id);
                continue;
            }
            let mut doc_texts = vec![item.question.clone()];
            doc_texts.extend(item.phrasings.iter().cloned());
            let doc_vectors: Vec<Vec<f32>> = vectors.by_ref().take(doc_texts.len()).collect();
            let counters: Vec<Vec<f32>> = vectors.by_ref().take(item.counter_examples.len()).collect();
            builder.docs.insert(
                id,
                PointDoc {
                    knowledge_id: id,
                    category: item.category.clone(),
                    question: item.question.clone(),
                    answer: item.answer.clone(),
                    answers: item.answers.clone(),
                    related: item.related.iter().filter_map(|r| r.parse().ok()).collect(),
                    texts: doc_texts,
                    vectors: super::Rows::new(&doc_vectors),
                    counters: super::Rows::new(&counters),
                },
            );
        }
        Ok(())
    }

    /// The `k` published points closest to a vector (a group's centre) and a text (its label,
    /// for the lexical side), best first.
    pub fn suggest(&self, vector: &[f32], text: &str, k: usize) -> Vec<Suggestion> {
        let snap = self.snapshot();
        // A vector of the model before a switch: nothing to compare it with any more.
        if vector.len() != snap.serving.embedder.info().dimension {
            return Vec::new();
        }
        let points = snap.index.points();
        let ranked = snap.index.rank(vector, text, &snap.serving.scoring, k);
        ranked
            .inspect_err(|e| tracing::error!(error = %e, "ranking a suggestion failed"))
            .unwrap_or_default()
            .into_iter()
            .map(|s| Suggestion {
                knowledge_id: points[s.point].knowledge_id.to_string(),
                question: points[s.point].question.clone(),
                score: s.score,
                category: points[s.point].category.clone(),
            })
            .collect()
    }

    /// Ranks the question against every published point and decides the outcome. Logged (and a
    /// miss recorded) unless `dry_run`.
    pub async fn ask(&self, req: AskRequest) -> Result<AskResponse, MatchError> {
        self.ask_once(req, None).await
    }

    /// [`Matcher::ask`] answered once per idempotency key: a retry gets the first answer (same
    /// ask id), and the ask is logged and counted once.
    pub async fn ask_once(&self, req: AskRequest, key: Option<&Key>) -> Result<AskResponse, MatchError> {
        if let Some(key) = key {
            if let Some(first) = idempotency::find(&self.db, key).await? {
                return replay(&first);
            }
        }
        let question = req.question.trim();
        if question.is_empty() {
            return Err(Problem::Empty { field: Field::Question }.into());
        }
        let n = question.chars().count();
        if n > QUESTION_CHARS {
            return Err(Problem::TooLong { field: Field::Question, chars: n, max: QUESTION_CHARS }.into());
        }
        if crate::knowledge::has_control(question) {
            return Err(Problem::ControlCharacters { field: Field::Question }.into());
        }
        if req.session_id.as_ref().is_some_and(|s| s.chars().count() > 200) {
            let chars = req.session_id.as_ref().map_or(0, |s| s.chars().count());
            return Err(Problem::TooLong { field: Field::SessionId, chars, max: 200 }.into());
        }
        // Before anything sees it: the embedder, the query cache, the log and the inbox.
        let masker = self.masker();
        let masked = masker.mask(question);
        let question = masked.as_ref();
        // One snapshot throughout: its model embeds the question its index is compared with.
        let snap = self.snapshot();
        let scoring = snap.serving.scoring;
        let (ranked, vector) = self.rank(&snap, question).await?;
        let outcome = scoring.decide(question, &ranked);
        let points = snap.index.points();
        let candidates: Vec<AskCandidate> = ranked
            .iter()
            .map(|s| AskCandidate {
                knowledge_id: points[s.point].knowledge_id.to_string(),
                question: points[s.point].question.clone(),
                score: s.score,
                semantic: s.semantic,
                lexical: s.lexical,
                answer: points[s.point].answer_for(req.channel).to_string(),
                clicks: self.clicks_of(points[s.point].knowledge_id),
                countered: s.countered,
            })
            .collect();
        let mut candidates = candidates;
        // Click heat breaks ties: among equal scores (to 3 decimals), what agents open more goes first.
        candidates.sort_by(|a, b| {
            let key = |c: &AskCandidate| (c.score * 1000.0).round() as i64;
            key(b).cmp(&key(a)).then(b.clicks.cmp(&a.clicks))
        });
        let answer = (outcome == Outcome::Answered).then(|| AskAnswer {
            knowledge_id: candidates[0].knowledge_id.clone(),
            question: candidates[0].question.clone(),
            answer_text: crate::knowledge::markdown::to_plain(&candidates[0].answer),
            answer: candidates[0].answer.clone(),
            score: candidates[0].score,
            related: related(&snap.index, &candidates[0].knowledge_id),
        });
        let response = AskResponse { ask_id: new_ask_id()?, outcome, answer, candidates };
        if !req.dry_run {
            let asked = Asked { question, vector: &vector, serving: &snap.serving };
            if let Some(first) = self.log(asked, &req, &response, &scoring, key).await? {
                return replay(&first);
            }
        }
        Ok(response)
    }

    /// The question's best points, through the queue (embedded with others waiting, ranked in
    /// the same matrix product); a repeated question's vector is not computed again.
    async fn rank(
        &self,
        snap: &Snapshot,
        question: &str,
    ) -> Result<(Vec<super::Scored>, Vec<f32>), MatchError> {
        let serving = &snap.serving;
        let known = serving.queries.lock().unwrap_or_else(|e| e.into_inner()).get(question).cloned();
        let cached = known.is_some();
        let rank = RankIn { index: snap.index.clone(), scoring: serving.scoring, k: CANDIDATES };
        // The lexical side reads the question as the model does (the rewrite is idempotent).
        let read = serving.synonyms.apply(question);
        let done =
            self.queue.run(&read, known, serving.embedder.clone(), Some(rank)).await.map_err(
                |e| match e {
                    QueueError::Full { waiting, retry_after_s } => {
                        Problem::Busy { waiting, retry_after_s }.into()
                    }
                    QueueError::TimedOut { ms } => Problem::ModelTimedOut { ms }.into(),
                    QueueError::Failed(m) => MatchError::Internal(m),
                    QueueError::Stopped => MatchError::Internal(QueueError::Stopped.to_string()),
                },
            )?;
        if !cached {
            let mut cache = serving.queries.lock().unwrap_or_else(|e| e.into_inner());
            if cache.len() >= QUERY_CACHE {
                cache.clear();
            }
            cache.insert(question.to_string(), done.vector.clone());
        }
        Ok((done.ranked, done.vector))
    }

    /// Logs the ask, unless `key` already has an answer (a retry that overtook the first
    /// attempt's lookup): that answer is returned and nothing is written. Returns once the ask
    /// is committed, with others waiting at the same moment (see [`crate::journal`]).
    async fn log(
        &self,
        asked: Asked<'_>,
        req: &AskRequest,
        r: &AskResponse,
        scoring: &Scoring,
        key: Option<&Key>,
    ) -> Result<Option<idempotency::Answer>, MatchError> {
        let question = asked.question;
        let now = Utc::now();
        let once = match key {
            Some(key) => {
                let body = serde_json::to_string(r).map_err(|e| MatchError::Internal(e.to_string()))?;
                Some((key.clone(), idempotency::Answer { status: 200, body }))
            }
            None => None,
        };
        let row = asks::ActiveModel {
            ask_id: Set(r.ask_id.clone()),
            question: Set(question.to_string()),
            channel: Set(req.channel),
            session_id: Set(req.session_id.clone()),
            outcome: Set(r.outcome),
            knowledge_id: Set(r.answer.as_ref().and_then(|a| a.knowledge_id.parse().ok())),
            score: Set(r.candidates.first().map(|c| c.score)),
            candidates: Set(serde_json::to_string(&r.candidates).unwrap_or_else(|_| "[]".into())),
            helpful: Set(None),
            handoff: Set(None),
            chosen_knowledge_id: Set(None),
            // What the ask was about, for the dashboard: the best point if it came near at all.
            top_knowledge_id: Set(r
                .candidates
                .first()
                .filter(|c| c.score >= scoring.clarify_score - NEAR_BELOW_CLARIFY)
                .and_then(|c| c.knowledge_id.parse().ok())),
            miss_recorded: Set(r.outcome == Outcome::Miss),
            created_at: Set(now),
            ..Default::default()
        };
        // An answered question is what the regression check before a publish probes with: its
        // vector kept now (it is at hand) spares the review page embedding hundreds of them.
        let stored = || asked.serving.stored.lock().unwrap_or_else(|e| e.into_inner());
        let keep = r.outcome == Outcome::Answered && !stored().contains(question);
        let vector = keep.then(|| {
            let model = &asked.serving.embedder;
            let key = crate::embedding::cache::model_key(model.as_ref());
            (key, model.rewrite(question).into_owned(), asked.vector.to_vec())
        });
        let miss = (r.outcome == Outcome::Miss).then(|| Report {
            question: question.to_string(),
            signal: Signal::NoMatch,
            channel: req.channel.as_str().to_string(),
            session_id: req.session_id.clone(),
            ask_id: Some(r.ask_id.clone()),
            reason: None,
            agent_answer: None,
            occurred_at: now,
        });
        let entry = Entry::Ask(Box::new(LoggedAsk { row, vector, miss }));
        match self.journal.write(Write { entry, once }).await? {
            Written::Stored => {
                if keep {
                    let mut stored = stored();
                    if stored.len() >= QUERY_CACHE {
                        stored.clear();
                    }
                    stored.insert(question.to_string());
                }
                Ok(None)
            }
            Written::Replayed(first) => Ok(Some(first)),
        }
    }

    /// Records the customer's verdict on an answer; not helpful or a handoff makes it a miss.
    pub async fn feedback(&self, f: Feedback) -> Result<(), MatchError> {
        let chosen = match &f.chosen_knowledge_id {
            Some(id) => Some(id.parse::<i32>().map_err(|_| {
                MatchError::from(Problem::NotAnId { thing: Thing::Point, value: id.clone() })
            })?),
            None => None,
        };
        let agent_answer = misses::agent_answer(&self.masker(), f.agent_answer.clone())?;
        // Updates of one ask's row, and a flag flipped once: no lock of our own is needed.
        let txn = crate::storage::append(&self.db).await?;
        let ask = asks::Entity::find()
            .filter(asks::Column::AskId.eq(f.ask_id.as_str()))
            .one(&txn)
            .await?
            .ok_or_else(|| Problem::not_found(Thing::Ask, &f.ask_id))?;
        let miss = !f.helpful || f.handoff;
        asks::Entity::update_many()
            .col_expr(asks::Column::Helpful, Expr::value(f.helpful))
            .col_expr(asks::Column::Handoff, Expr::value(f.handoff))
            .col_expr(asks::Column::ChosenKnowledgeId, Expr::value(chosen))
            .filter(asks::Column::Id.eq(ask.id))
            .exec(&txn)
            .await?;
        // Counted once however often the verdict is sent: only the call that flips the flag
        // records the miss.
        let first = miss
            && asks::Entity::update_many()
                .col_expr(asks::Column::MissRecorded, Expr::value(true))
                .filter(asks::Column::Id.eq(ask.id))
                .filter(asks::Column::MissRecorded.eq(false))
                .exec(&txn)
                .await?
                .rows_affected
                == 1;
        if first {
            misses::record_in(
                &txn,
                &[Report {
                    question: ask.question.clone(),
                    signal: if f.handoff { Signal::Handoff } else { Signal::NegativeFeedback },
                    channel: ask.channel.to_string(),
                    session_id: ask.session_id.clone(),
                    ask_id: Some(ask.ask_id.clone()),
                    reason: None,
                    agent_answer,
                    occurred_at: Utc::now(),
                }],
            )
            .await?;
        } else if let Some(reply) = agent_answer {
            // The agent's reply, sent after the verdict: on the miss that verdict recorded.
            misses::entity::event::Entity::update_many()
                .col_expr(misses::entity::event::Column::AgentAnswer, Expr::value(reply))
                .filter(misses::entity::event::Column::AskId.eq(ask.ask_id.as_str()))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }
}

impl Matcher {
    fn clicks_of(&self, knowledge_id: i32) -> i64 {
        self.clicks.read().unwrap_or_else(|e| e.into_inner()).get(&knowledge_id).copied().unwrap_or(0)
    }

    /// An agent opened this knowledge point from the search: it counts, and breaks ties.
    pub async fn record_click(&self, knowledge_id: i32) -> Result<i64, MatchError> {
        if !self.snapshot().index.points().iter().any(|p| p.knowledge_id == knowledge_id) {
            return Err(Problem::not_found(Thing::Point, knowledge_id).into());
        }
        let txn = crate::storage::write(&self.db).await?;
        let now = match clicks::Entity::find_by_id(knowledge_id).one(&txn).await? {
            Some(row) => {
                let n = row.clicks + 1;
                clicks::Entity::update_many()
                    .col_expr(clicks::Column::Clicks, Expr::value(n))
                    .filter(clicks::Column::KnowledgeId.eq(knowledge_id))
                    .exec(&txn)
                    .await?;
                n
            }
            None => {
                clicks::ActiveModel { knowledge_id: Set(knowledge_id), clicks: Set(1) }.insert(&txn).await?;
                1
            }
        };
        txn.commit().await?;
        self.clicks.write().unwrap_or_else(|e| e.into_inner()).insert(knowledge_id, now);
        Ok(now)
    }
}

/// How often agents opened each knowledge point from the search page.
pub mod clicks {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "knowledge_clicks")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub knowledge_id: i32,
        pub clicks: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The serving model behind the ask queue (see [`Matcher::online_embedder`]).
struct Queued {
    queue: Arc<AskQueue>,
    inner: Arc<dyn Embedder>,
}

impl Embedder for Queued {
    fn info(&self) -> &crate::embedding::ModelInfo {
        self.inner.info()
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        self.queue.embed_blocking(&self.inner, texts).map_err(|e| EmbedError::Worker(e.to_string()))
    }

    fn tokens(&self, text: &str) -> usize {
        self.inner.tokens(text)
    }

    fn rewrite<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        self.inner.rewrite(text)
    }
}

/// Hands the allocator's free pages back to the system. A large load leaves tens of megabytes of
/// short-lived rows and vectors behind, which glibc's malloc otherwise keeps for the process
/// (measured at 100k texts: about 150 MB of the serving process's memory).
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns memory no allocation holds; it is safe at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

fn new_ask_id() -> Result<String, MatchError> {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(|e| MatchError::Internal(format!("no randomness: {e}")))?;
    Ok(format!("ask_{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()))
}

/// The related points of the point answered that the index serves now, in the trainer's order.
fn related(index: &Index, knowledge_id: &str) -> Vec<RelatedPoint> {
    let Some(point) = knowledge_id.parse().ok().and_then(|id| index.point(id)) else { return Vec::new() };
    point
        .related
        .iter()
        .filter_map(|id| index.point(*id))
        .map(|p| RelatedPoint { knowledge_id: p.knowledge_id.to_string(), question: p.question.clone() })
        .collect()
}

/// The stored first answer to an ask, as the ask's response.
fn replay(first: &idempotency::Answer) -> Result<AskResponse, MatchError> {
    serde_json::from_str(&first.body)
        .map_err(|e| MatchError::Internal(format!("a stored answer cannot be read back: {e}")))
}
