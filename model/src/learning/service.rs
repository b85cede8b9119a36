//! A training run as the product runs it, and the version serving on every instance.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use chrono::Utc;

use super::adapter::{self, AdaptedEmbedder, Adapter, Step, TrainOptions};
use super::data::{self, TrainingSet};
use super::{guard, versions, LearnError};
use crate::clustering::Grouping;
use crate::embedding::cache::{self, embed_cached};
use crate::embedding::Embedder;
use crate::inbox::lock;
use crate::matching::Scoring;
use crate::services::Services;
use crate::views::{ModelOverview, ModelVersion, Problem, TrainingPhase, TrainingRun};

/// One run at a time across every instance on the database.
const LEARN_LOCK: &str = "learning";
/// Longest a crashed instance's run can block the others for; a live run renews it.
const LEASE_MINUTES: i64 = 15;
const RENEW_SECONDS: u64 = 60;
/// The most epochs a run may be asked for.
pub const MAX_EPOCHS: usize = 100;
/// Fewest published points a run learns from: the ranking loss needs another point to rank below.
const MIN_POINTS: usize = 2;
/// Texts whose vectors are moved to a new version per database round trip.
const STORE_CHUNK: usize = 500;

/// The run under way or last finished, for the Model page's progress bar; shared by the run's
/// training thread and whoever asks.
pub type Progress = Arc<crate::services::Progress<TrainingRun>>;

/// When a run starts by itself (`[learning]` in the configuration).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Schedule {
    /// After this many published texts beyond what the serving version learnt from (0: never).
    pub after_new_texts: usize,
    /// Every night at this UTC hour, if anything was published since the last run.
    pub nightly_hour: Option<u32>,
    pub epochs: usize,
}

impl Default for Schedule {
    fn default() -> Self {
        Self { after_new_texts: 200, nightly_hour: None, epochs: TrainOptions::default().epochs }
    }
}

/// The model as shipped (what every version adapts) and the version serving on this instance.
pub struct Learning {
    base: RwLock<Base>,
    serving: RwLock<(i32, Arc<Adapter>)>,
    progress: Progress,
    running: Arc<tokio::sync::Mutex<()>>,
    /// Held while this instance moves to another version.
    switching: tokio::sync::Mutex<()>,
}

/// A run holding this instance's and the database's learning locks. If it ends any other way
/// than through `finish_learning` (a panic), it still says so and lets the locks go.
pub struct Running {
    _guard: tokio::sync::OwnedMutexGuard<()>,
    holder: String,
    db: sea_orm::DatabaseConnection,
    progress: Progress,
    renewal: tokio::task::JoinHandle<()>,
    finished: bool,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.renewal.abort();
        if self.finished {
            return;
        }
        self.progress.update(|p| {
            p.phase = TrainingPhase::Failed;
            p.error = Some("the run stopped unexpectedly; the log has the cause".into());
        });
        let (db, holder) = (self.db.clone(), std::mem::take(&mut self.holder));
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move { lock::release(&db, LEARN_LOCK, &holder).await });
        }
    }
}

fn lease() -> chrono::Duration {
    chrono::Duration::minutes(LEASE_MINUTES)
}

#[derive(Clone)]
struct Base {
    embedder: Arc<dyn Embedder>,
    scoring: Scoring,
    grouping: Grouping,
}

impl Learning {
    pub fn new(embedder: Arc<dyn Embedder>, scoring: Scoring, grouping: Grouping) -> Self {
        let dim = embedder.info().dimension;
        Self {
            base: RwLock::new(Base { embedder, scoring, grouping }),
            serving: RwLock::new((0, Arc::new(Adapter::identity(dim)))),
            progress: Progress::default(),
            running: Arc::new(tokio::sync::Mutex::new(())),
            switching: tokio::sync::Mutex::new(()),
        }
    }

    fn base(&self) -> Base {
        self.base.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// After the base model itself changed (`Services::switch_model` at start-up): versions
    /// are per base model, so the new one starts at its own serving version.
    pub fn rebase(&self, embedder: Arc<dyn Embedder>, scoring: Scoring, grouping: Grouping) {
        let dim = embedder.info().dimension;
        *self.base.write().unwrap_or_else(|e| e.into_inner()) = Base { embedder, scoring, grouping };
        *self.serving.write().unwrap_or_else(|e| e.into_inner()) = (0, Arc::new(Adapter::identity(dim)));
    }

    /// The base model's name: what versions are stored under.
    pub fn base_name(&self) -> String {
        self.base().embedder.info().name.clone()
    }

    pub fn serving_version(&self) -> i32 {
        self.serving.read().unwrap_or_else(|e| e.into_inner()).0
    }

    fn serving_adapter(&self) -> Arc<Adapter> {
        self.serving.read().unwrap_or_else(|e| e.into_inner()).1.clone()
    }

    pub fn progress(&self) -> Option<TrainingRun> {
        self.progress.get()
    }
}

/// The published knowledge as a training run sees it, to judge test cases on.
struct Judged<'a> {
    points: &'a [data::PointTexts],
    /// The base model's vector of every text of `points`, in order.
    vectors: &'a [Vec<f32>],
    embedder: &'a Arc<dyn crate::Embedder>,
}

impl Services {
    /// The test cases (questions) the candidate fails that the serving version passes, each
    /// version with its own thresholds, on the whole published knowledge.
    async fn broken_cases(
        &self,
        judged: Judged<'_>,
        serving: (&Adapter, &crate::matching::Scoring),
        candidate: (&Adapter, &crate::matching::Scoring),
    ) -> Result<Vec<String>, LearnError> {
        let cases = crate::testsets::all_live_cases(&self.db)
            .await
            .map_err(|e| LearnError::Internal(e.to_string()))?;
        if cases.is_empty() {
            return Ok(Vec::new());
        }
        let questions: Vec<String> = cases.iter().map(|c| c.question.clone()).collect();
        let vectors = embed_cached(&self.db, judged.embedder, &questions).await?;
        let outcomes =
            |(adapter, scoring): (&Adapter, &crate::matching::Scoring)| -> Result<Vec<bool>, LearnError> {
                let index = guard::index(judged.points, &through(adapter, judged.vectors));
                let asked = through(adapter, &vectors);
                let pairs: Vec<(&[f32], &str)> =
                    asked.iter().map(Vec::as_slice).zip(questions.iter().map(String::as_str)).collect();
                let ranked = index.rank_many(&pairs, scoring, crate::matching::service::CANDIDATES)?;
                Ok(cases
                    .iter()
                    .zip(ranked)
                    .map(|(c, r)| {
                        let outcome = scoring.decide(&c.question, &r);
                        let got = r.first().map(|s| index.points()[s.point].knowledge_id);
                        crate::testsets::expect_of(c)
                            .passes(outcome, got.filter(|_| outcome == crate::views::Outcome::Answered))
                    })
                    .collect())
            };
        let (before, after) = (outcomes(serving)?, outcomes(candidate)?);
        Ok(cases
            .iter()
            .zip(before.iter().zip(&after))
            .filter(|(_, (was, now))| **was && !**now)
            .map(|(c, _)| c.question.clone())
            .collect())
    }
}

/// `vectors` through `adapter`.
fn through(adapter: &Adapter, vectors: &[Vec<f32>]) -> Vec<Vec<f32>> {
    vectors.iter().map(|v| adapter.apply(v)).collect()
}

impl Services {
    /// Trains a candidate on the published knowledge, scores it against the version serving on
    /// held-out phrasings, keeps it either way, and serves it if the guard promotes it.
    /// Refused while another run is under way anywhere, or while the model is being changed.
    /// The run goes on in a task of its own: a caller that stops waiting does not cut it short.
    pub async fn learn(&self, options: TrainOptions) -> Result<ModelVersion, LearnError> {
        let run = self.begin_learning(options).await?;
        let services = self.clone();
        tokio::spawn(async move { services.finish_learning(run, options).await })
            .await
            .map_err(|e| LearnError::Internal(format!("the training run died: {e}")))?
    }

    /// [`Services::learn`] in the background, once the checks have passed: what the Model
    /// page's button does (progress in [`Learning::progress`]).
    pub async fn start_learning(&self, options: TrainOptions) -> Result<(), LearnError> {
        let run = self.begin_learning(options).await?;
        let services = self.clone();
        tokio::spawn(async move {
            if let Err(e) = services.finish_learning(run, options).await {
                tracing::error!(error = %e, "the training run failed; the serving model stays");
            }
        });
        Ok(())
    }

    async fn begin_learning(&self, options: TrainOptions) -> Result<Running, LearnError> {
        if options.epochs == 0 || options.epochs > MAX_EPOCHS {
            return Err(Problem::Epochs { max: MAX_EPOCHS }.into());
        }
        if let Some(change) = self.model_switch.get().filter(|c| c.error.is_none()) {
            return Err(Problem::ModelChanging { model: change.model }.into());
        }
        // Said before a run starts, so the Model page's button answers at once.
        let points = self.matcher.stats().points;
        if points < MIN_POINTS {
            return Err(nothing_to_learn(points).into());
        }
        let Ok(guard) = self.learning.running.clone().try_lock_owned() else {
            return Err(Problem::TrainingRunning { instance: None }.into());
        };
        let holder = self.inbox.holder().to_string();
        if !lock::acquire(&self.db, LEARN_LOCK, &holder, lease()).await? {
            let by = lock::holder(&self.db, LEARN_LOCK).await?.unwrap_or_default();
            return Err(Problem::TrainingRunning { instance: Some(by) }.into());
        }
        self.learning.progress.set(Some(TrainingRun {
            phase: TrainingPhase::Reading,
            started_at: Utc::now(),
            epoch: 0,
            epochs: options.epochs,
            step: 0,
            steps: 0,
            loss: None,
            seconds_left: None,
            result: None,
            error: None,
        }));
        // The lease is renewed while the run lives: a run slowed down by asks may outlast it.
        let (db, renewing) = (self.db.clone(), holder.clone());
        let renewal = tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(RENEW_SECONDS));
            tick.tick().await;
            loop {
                tick.tick().await;
                if let Err(e) = lock::acquire(&db, LEARN_LOCK, &renewing, lease()).await {
                    tracing::warn!(error = %e, "cannot renew the learning lock");
                }
            }
        });
        Ok(Running {
            _guard: guard,
            holder,
            db: self.db.clone(),
            progress: self.learning.progress.clone(),
            renewal,
            finished: false,
        })
    }

    async fn finish_learning(
        &self,
        mut run: Running,
        options: TrainOptions,
    ) -> Result<ModelVersion, LearnError> {
        let result = self.learn_locked(options).await;
        self.learning.progress.update(|p| match &result {
            Ok(version) => {
                p.phase = TrainingPhase::Finished;
                p.result = Some(version.clone());
                p.seconds_left = Some(0.0);
            }
            Err(e) => {
                p.phase = TrainingPhase::Failed;
                p.error = Some(e.to_string());
            }
        });
        run.finished = true;
        run.renewal.abort();
        if let Err(e) = lock::release(&self.db, LEARN_LOCK, &run.holder).await {
            tracing::warn!(error = %e, "cannot release the learning lock; it expires by itself");
        }
        result
    }

    async fn learn_locked(&self, options: TrainOptions) -> Result<ModelVersion, LearnError> {
        let started = Instant::now();
        let base = self.learning.base();
        let progress = self.learning.progress.clone();
        let phase = |p: TrainingPhase| progress.update(|run| run.phase = p);
        let set = data::read(&self.db).await?;
        // Without held-out phrasings the guard would judge on nothing and promote anything.
        if set.points.len() < MIN_POINTS || set.held_out.is_empty() {
            return Err(nothing_to_learn(set.points.len()).into());
        }
        phase(TrainingPhase::Embedding);
        let train_vectors = embed_cached(&self.db, &base.embedder, &set.train).await?;
        let held_vectors = embed_cached(&self.db, &base.embedder, &set.held_out).await?;
        // The guard's knowledge is every point's texts but the held-out ones: all trained on.
        let known = set.known();
        let trained: HashMap<&String, &Vec<f32>> = set.train.iter().zip(&train_vectors).collect();
        let known_vectors: Vec<Vec<f32>> =
            known.iter().flat_map(|p| &p.texts).map(|t| trained[t].clone()).collect();

        phase(TrainingPhase::Training);
        let train_vectors_kept = train_vectors.clone();
        let candidate = train_blocking(&set, train_vectors, options, progress.clone()).await?;

        phase(TrainingPhase::Scoring);
        let serving_version = self.learning.serving_version();
        let serving_adapter = self.learning.serving_adapter();
        let scoring = self.matcher.scoring();
        let judge = |adapter: &Adapter| -> Result<_, LearnError> {
            let index = guard::index(&known, &through(adapter, &known_vectors));
            let preds = guard::predict(&index, &set.held_out, &through(adapter, &held_vectors), &scoring)?;
            Ok(guard::score(&preds, &set.held_out_truth))
        };
        let (before, after) = (judge(&serving_adapter)?, judge(&candidate)?);
        let mut refusal = guard::verdict(&after, &before);
        let thresholds = guard::shifted(&scoring, &before, &after);
        let broken_cases = if refusal.is_none() {
            let vectors: HashMap<&String, &Vec<f32>> = set
                .train
                .iter()
                .zip(&train_vectors_kept)
                .chain(set.held_out.iter().zip(&held_vectors))
                .collect();
            let all: Vec<Vec<f32>> =
                set.points.iter().flat_map(|p| &p.texts).map(|t| vectors[t].clone()).collect();
            let judged = Judged { points: &set.points, vectors: &all, embedder: &base.embedder };
            self.broken_cases(judged, (&serving_adapter, &scoring), (&candidate, &thresholds)).await?
        } else {
            Vec::new()
        };
        if !broken_cases.is_empty() {
            refusal = Some(crate::views::Refusal::BreaksTestCases);
        }
        let card = ModelVersion {
            version: 0,
            base: base.embedder.info().name.clone(),
            state: crate::views::VersionState::Kept,
            created_at: Utc::now(),
            trained_on: set.train.len(),
            published_texts: set.points.iter().map(|p| p.texts.len()).sum(),
            points: set.points.len(),
            epochs: options.epochs,
            seconds: started.elapsed().as_secs_f64(),
            scores: after,
            previous: before,
            previous_version: serving_version,
            refusal,
            broken_cases,
            answer_score: thresholds.answer_score,
            clarify_score: thresholds.clarify_score,
        };
        let card = versions::store(&self.db, card, &candidate).await?;
        log_verdict(&card);
        if card.refusal.is_none() {
            phase(TrainingPhase::Storing);
            let _switching = self.learning.switching.lock().await;
            let (adapter, version) = (Arc::new(candidate), card.version);
            let embedder = self.store_version_vectors(version, &adapter).await?;
            // Promoted only over the version it was judged against: if someone chose another
            // meanwhile, their choice stands and the candidate is kept for later.
            if versions::make_serving(&self.db, &card.base, version, Some(serving_version)).await? {
                self.switch_locally(version, embedder, adapter, thresholds).await?;
            } else {
                tracing::warn!(
                    version,
                    "another version was chosen during the run: the new one is kept, not served"
                );
            }
        }
        Ok(versions::get(&self.db, &card.base, card.version).await?.0)
    }

    /// Serves `version` (0: the base model) from now on, on every instance (each picks it up
    /// within seconds, see [`Services::follow_model_version`]). A refused version never serves.
    pub async fn use_model_version(&self, version: i32) -> Result<(), LearnError> {
        let base = self.learning.base();
        let name = base.embedder.info().name.clone();
        let (adapter, scoring) = self.version_parts(&name, version, &base).await?;
        let _switching = self.learning.switching.lock().await;
        let embedder = self.store_version_vectors(version, &adapter).await?;
        versions::make_serving(&self.db, &name, version, None).await?;
        self.switch_locally(version, embedder, adapter, scoring).await
    }

    /// Serves here the version the database says serves (another instance promoted or rolled
    /// back one); returns whether it changed.
    pub async fn follow_model_version(&self) -> Result<bool, LearnError> {
        let base = self.learning.base();
        let name = base.embedder.info().name.clone();
        let _switching = self.learning.switching.lock().await;
        let wanted = versions::serving_version(&self.db, &name).await?.unwrap_or(0);
        if wanted == self.learning.serving_version() {
            return Ok(false);
        }
        let (adapter, scoring) = self.version_parts(&name, wanted, &base).await?;
        let embedder = self.store_version_vectors(wanted, &adapter).await?;
        self.switch_locally(wanted, embedder, adapter, scoring).await?;
        Ok(true)
    }

    async fn version_parts(
        &self,
        name: &str,
        version: i32,
        base: &Base,
    ) -> Result<(Arc<Adapter>, Scoring), LearnError> {
        let dimension = base.embedder.info().dimension;
        if version == 0 {
            return Ok((Arc::new(Adapter::identity(dimension)), base.scoring));
        }
        let (card, adapter) = versions::get(&self.db, name, version).await?;
        if card.state == crate::views::VersionState::Refused {
            return Err(Problem::RefusedVersion { version }.into());
        }
        if adapter.dim() != dimension {
            return Err(LearnError::Internal(format!(
                "version {version} of {name} has {} dimensions, the model {dimension}",
                adapter.dim()
            )));
        }
        // The Chinese bar moves with the one the card records.
        let scoring = Scoring {
            clarify_score: card.clarify_score,
            ..base.scoring.shifted_answers(card.answer_score - base.scoring.answer_score)
        };
        Ok((Arc::new(adapter), scoring))
    }

    /// Stores the version's vector of every text the product holds, from the base model's
    /// stored vectors (one matrix product each, no encoder run); returns its embedder.
    async fn store_version_vectors(
        &self,
        version: i32,
        adapter: &Arc<Adapter>,
    ) -> Result<Arc<dyn Embedder>, LearnError> {
        let base = self.learning.base();
        if version == 0 {
            return Ok(base.embedder);
        }
        let embedder: Arc<dyn Embedder> =
            Arc::new(AdaptedEmbedder::new(base.embedder.clone(), adapter.clone(), version));
        let texts = crate::reembed::texts(&self.db).await?;
        let missing = cache::missing(&self.db, embedder.as_ref(), &texts).await?;
        let key = cache::model_key(embedder.as_ref());
        for chunk in missing.chunks(STORE_CHUNK) {
            let vectors = embed_cached(&self.db, &base.embedder, chunk).await?;
            cache::store(&self.db, &key, chunk, &through(adapter, &vectors)).await?;
        }
        Ok(embedder)
    }

    /// Moves this instance's matcher and inbox to the version in one step (callers hold
    /// `Learning::switching`, so what serves and what is recorded as serving agree).
    async fn switch_locally(
        &self,
        version: i32,
        embedder: Arc<dyn Embedder>,
        adapter: Arc<Adapter>,
        scoring: Scoring,
    ) -> Result<(), LearnError> {
        self.switch_model(embedder, scoring, self.learning.base().grouping).await?;
        *self.learning.serving.write().unwrap_or_else(|e| e.into_inner()) = (version, adapter);
        Ok(())
    }

    /// The Model page: what serves, every version, the run under way.
    pub async fn model_overview(&self) -> Result<ModelOverview, LearnError> {
        let base = self.learning.base_name();
        Ok(ModelOverview {
            serving_name: self.embedder().info().name.clone(),
            serving_version: self.learning.serving_version(),
            versions: versions::list(&self.db, &base).await?,
            training: self.learning.progress(),
            published_texts: self.matcher.stats().texts,
            base,
        })
    }

    /// Whether the schedule calls for a run now.
    pub async fn learning_due(&self, schedule: &Schedule) -> Result<bool, LearnError> {
        let versions = versions::list(&self.db, &self.learning.base_name()).await?;
        let texts = self.matcher.stats().texts;
        let learnt = versions.first().map_or(0, |v| v.published_texts);
        let grown = texts.saturating_sub(learnt);
        if schedule.after_new_texts > 0 && grown >= schedule.after_new_texts {
            return Ok(true);
        }
        let now = Utc::now();
        let nightly = schedule.nightly_hour.is_some_and(|h| h == chrono::Timelike::hour(&now));
        let last = versions.first().map(|v| v.created_at);
        Ok(nightly && grown > 0 && last.is_none_or(|t| now - t > chrono::Duration::hours(20)))
    }
}

fn log_verdict(card: &ModelVersion) {
    let (a, b) = (&card.scores, &card.previous);
    match card.refusal {
        None => tracing::info!(
            version = card.version,
            top1 = a.top1,
            was = b.top1,
            share = a.share,
            precision = a.precision,
            "the new model version is better on the held-out phrasings: promoted"
        ),
        Some(why) => tracing::info!(
            version = card.version,
            top1 = a.top1,
            was = b.top1,
            reason = why.as_str(),
            "the new model version is not better: refused, the serving one stays"
        ),
    }
}

/// Trains on a thread of its own at the lowest priority (see [`super::training_pool`]), not on
/// tokio's blocking pool, whose threads would keep the lowered priority for later work; between
/// steps it waits while anything is being embedded, so a run never holds a core an ask needs.
async fn train_blocking(
    set: &TrainingSet,
    vectors: Vec<Vec<f32>>,
    options: TrainOptions,
    progress: Progress,
) -> Result<Adapter, LearnError> {
    let (examples, counters) = (set.examples.clone(), set.counters.clone());
    let started = Instant::now();
    let pool = super::training_pool()?;
    let (done, result) = tokio::sync::oneshot::channel();
    pool.spawn(move || {
        let trained = adapter::train(&examples, &counters, &vectors, &options, &mut |s: Step| {
            super::yield_to_asks();
            let per_step = started.elapsed().as_secs_f64() / s.step as f64;
            progress.update(|run| {
                run.epoch = s.epoch + 1;
                run.step = s.step;
                run.steps = s.steps;
                run.loss = Some(s.loss);
                run.seconds_left = Some(per_step * (s.steps - s.step) as f64);
            });
            true
        });
        let _ = done.send(trained);
    });
    Ok(result.await.map_err(|_| LearnError::Internal("the training thread died".into()))??)
}

fn nothing_to_learn(points: usize) -> Problem {
    Problem::NothingToLearn { points, min_points: MIN_POINTS, min_texts: data::HELD_OUT_FROM }
}
