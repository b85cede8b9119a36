//! The queue in front of the model, after text-embeddings-inference's: every online embedding
//! (asks, inbox placement, regression checks) waits here, and one worker takes everything
//! waiting, up to a token budget, embeds it in one forward pass and ranks the asks among it in
//! one matrix product. When the queue is empty a question goes straight through (no waiting for
//! company); under load, concurrent questions share forward passes instead of queueing for the
//! cores one by one. The queue is bounded: beyond it a question is refused at once, with a time
//! to retry, rather than waiting without bound.
//!
//! A batch runs on a thread of its own: one that fails or panics fails only its own questions,
//! and one that takes longer than the timeout is abandoned (its questions get a timeout) while
//! the next batch starts on a fresh thread.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

use super::index::{Index, Scored};
use super::Scoring;
use crate::embedding::Embedder;

/// How the queue batches; `[batching]` in the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Batching {
    /// Tokens one forward pass may hold (the texts' own tokens; a longer text runs alone).
    pub max_batch_tokens: usize,
    /// Texts one forward pass may hold.
    pub max_batch_texts: usize,
    /// Texts that may wait; beyond this an ask is refused with 503 and `Retry-After`.
    pub queue: usize,
    /// A batch running longer than this fails its own questions, and the next starts anyway.
    pub timeout_ms: u64,
    /// Logged asks and miss reports committed in one transaction at most (see
    /// [`crate::journal`]).
    pub log_batch: usize,
}

impl Default for Batching {
    fn default() -> Self {
        // 64 texts reach the embedder's best rate (it splits them into passes of 32 by length);
        // 256 waiting is about 2 s of work at the bot's rate on two cores.
        // 256 logged asks: more than one instance has in flight at once, and still a
        // transaction of milliseconds.
        Batching {
            max_batch_tokens: 8192,
            max_batch_texts: 64,
            queue: 256,
            timeout_ms: 30_000,
            log_batch: 256,
        }
    }
}

impl Batching {
    /// One question at a time: what the batched answers are compared with in tests.
    pub fn one_at_a_time() -> Self {
        Batching { max_batch_texts: 1, ..Batching::default() }
    }
}

/// Why a question left the queue without a result.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QueueError {
    #[error("{waiting} questions are waiting for the model; try again in {retry_after_s} s")]
    Full { waiting: usize, retry_after_s: u64 },
    #[error("the model took longer than {ms} ms on this question's batch")]
    TimedOut { ms: u64 },
    #[error("{0}")]
    Failed(String),
    #[error("the queue has stopped")]
    Stopped,
}

/// Where batch sizes and waits are reported (the server's Prometheus metrics). The model crate
/// holds no metrics library: the binary installs a recorder, like a tracing subscriber.
pub trait BatchRecorder: Send + Sync {
    /// A batch about to run: its texts and their tokens.
    fn batch(&self, texts: usize, tokens: usize);
    /// How long one text waited in the queue before its batch started.
    fn waited(&self, wait: Duration);
    /// A text refused because the queue was full.
    fn refused(&self);
}

static RECORDER: OnceLock<Box<dyn BatchRecorder>> = OnceLock::new();

/// Installs the recorder for every queue of the process (the first call wins).
pub fn set_recorder(recorder: Box<dyn BatchRecorder>) {
    if RECORDER.set(recorder).is_err() {
        tracing::warn!("a batch recorder was installed already; keeping the first");
    }
}

/// What a question needs ranked against, besides its vector.
#[derive(Clone)]
pub struct RankIn {
    pub index: Arc<Index>,
    pub scoring: Scoring,
    pub k: usize,
}

struct Job {
    text: String,
    tokens: usize,
    /// Known already (a repeated question): not embedded again.
    vector: Option<Vec<f32>>,
    embedder: Arc<dyn Embedder>,
    rank: Option<RankIn>,
    enqueued: Instant,
    reply: oneshot::Sender<Result<Done, QueueError>>,
}

/// A question's vector and, when it was to be ranked, its best points.
#[derive(Debug, Clone)]
pub struct Done {
    pub vector: Vec<f32>,
    pub ranked: Vec<Scored>,
}

#[derive(Default)]
struct Waiting {
    jobs: VecDeque<Job>,
    stopped: bool,
}

struct Shared {
    waiting: Mutex<Waiting>,
    arrived: Condvar,
    options: Batching,
    /// Texts per second of recent batches (f64 bits), for the time to retry.
    rate: AtomicU64,
}

/// The queue and its worker; dropping it stops the worker once the jobs waiting are done.
pub struct AskQueue {
    shared: Arc<Shared>,
}

impl AskQueue {
    pub fn start(options: Batching) -> AskQueue {
        let options = Batching {
            max_batch_texts: options.max_batch_texts.max(1),
            max_batch_tokens: options.max_batch_tokens.max(1),
            queue: options.queue.max(1),
            timeout_ms: options.timeout_ms.max(1),
            log_batch: options.log_batch.max(1),
        };
        let shared = Arc::new(Shared {
            waiting: Mutex::new(Waiting::default()),
            arrived: Condvar::new(),
            options,
            rate: AtomicU64::new(0f64.to_bits()),
        });
        let worker = shared.clone();
        let started = std::thread::Builder::new().name("ask-queue".into()).spawn(move || dispatch(&worker));
        if let Err(e) = started {
            // Nothing can be answered without the worker: every question gets this at once.
            tracing::error!(error = %e, "the ask queue's worker cannot start");
            shared.waiting.lock().unwrap_or_else(|e| e.into_inner()).stopped = true;
        }
        AskQueue { shared }
    }

    /// Texts waiting for a batch now.
    pub fn depth(&self) -> usize {
        self.shared.waiting.lock().unwrap_or_else(|e| e.into_inner()).jobs.len()
    }

    /// Embeds `text` (unless `vector` is given) and ranks it when `rank` says against what.
    pub async fn run(
        &self,
        text: &str,
        vector: Option<Vec<f32>>,
        embedder: Arc<dyn Embedder>,
        rank: Option<RankIn>,
    ) -> Result<Done, QueueError> {
        let mut replies = self.submit(vec![(text.to_string(), vector)], &embedder, rank)?;
        replies.pop().ok_or(QueueError::Stopped)?.await.map_err(|_| QueueError::Stopped)?
    }

    /// Embeds texts through the queue, blocking the calling thread (not an async worker's).
    /// Unlike an ask, work of the product's own waits for room in a full queue rather than
    /// failing: it is never dropped.
    pub fn embed_blocking(
        &self,
        embedder: &Arc<dyn Embedder>,
        texts: &[&str],
    ) -> Result<Vec<Vec<f32>>, QueueError> {
        let mut chunks = Vec::new();
        for chunk in texts.chunks(self.shared.options.queue) {
            let replies = loop {
                let jobs = chunk.iter().map(|t| (t.to_string(), None)).collect();
                match self.submit(jobs, embedder, None) {
                    Err(QueueError::Full { .. }) => std::thread::sleep(Duration::from_millis(20)),
                    other => break other?,
                }
            };
            chunks.push(replies);
        }
        chunks
            .into_iter()
            .flatten()
            .map(|reply| Ok(reply.blocking_recv().map_err(|_| QueueError::Stopped)??.vector))
            .collect()
    }

    /// Queues every text or none (all of them must fit).
    fn submit(
        &self,
        texts: Vec<(String, Option<Vec<f32>>)>,
        embedder: &Arc<dyn Embedder>,
        rank: Option<RankIn>,
    ) -> Result<Vec<oneshot::Receiver<Result<Done, QueueError>>>, QueueError> {
        // Counted before the lock: tokenizing is the slow part of queueing.
        let tokens: Vec<usize> =
            texts.iter().map(|(t, v)| if v.is_some() { 0 } else { embedder.tokens(t) }).collect();
        let mut waiting = self.shared.waiting.lock().unwrap_or_else(|e| e.into_inner());
        if waiting.stopped {
            return Err(QueueError::Stopped);
        }
        if waiting.jobs.len() + texts.len() > self.shared.options.queue {
            let rate = f64::from_bits(self.shared.rate.load(Ordering::Relaxed));
            let retry_after_s =
                if rate > 0.0 { ((waiting.jobs.len() as f64 / rate).ceil() as u64).clamp(1, 60) } else { 1 };
            if let Some(r) = RECORDER.get() {
                (0..texts.len()).for_each(|_| r.refused());
            }
            return Err(QueueError::Full { waiting: waiting.jobs.len(), retry_after_s });
        }
        let now = Instant::now();
        let mut replies = Vec::with_capacity(texts.len());
        for ((text, vector), tokens) in texts.into_iter().zip(tokens) {
            let (reply, receiver) = oneshot::channel();
            waiting.jobs.push_back(Job {
                text,
                tokens,
                vector,
                embedder: embedder.clone(),
                rank: rank.clone(),
                enqueued: now,
                reply,
            });
            replies.push(receiver);
        }
        drop(waiting);
        self.shared.arrived.notify_one();
        Ok(replies)
    }
}

impl Drop for AskQueue {
    fn drop(&mut self) {
        self.shared.waiting.lock().unwrap_or_else(|e| e.into_inner()).stopped = true;
        self.shared.arrived.notify_one();
    }
}

impl Shared {
    /// Everything waiting, up to the budget (the first job always, however long); `None` once
    /// stopped with nothing left.
    fn next_batch(&self) -> Option<Vec<Job>> {
        let mut waiting = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
        while waiting.jobs.is_empty() {
            if waiting.stopped {
                return None;
            }
            waiting = self.arrived.wait(waiting).unwrap_or_else(|e| e.into_inner());
        }
        let mut batch = Vec::new();
        let mut tokens = 0;
        while let Some(job) = waiting.jobs.front() {
            let full = batch.len() >= self.options.max_batch_texts
                || (!batch.is_empty() && tokens + job.tokens > self.options.max_batch_tokens);
            if full {
                break;
            }
            tokens += job.tokens;
            batch.extend(waiting.jobs.pop_front());
        }
        Some(batch)
    }
}

/// The work of one batch, sent to the thread that computes it (the replies stay behind, so a
/// batch abandoned to its thread can still be answered).
struct Work {
    texts: Vec<String>,
    vectors: Vec<Option<Vec<f32>>>,
    embedders: Vec<Arc<dyn Embedder>>,
    ranks: Vec<Option<RankIn>>,
}

type Outcome = Vec<Result<Done, QueueError>>;

/// A thread that computes batches, one at a time.
struct Runner {
    work: mpsc::Sender<Work>,
    done: mpsc::Receiver<Outcome>,
}

impl Runner {
    fn start() -> Result<Runner, std::io::Error> {
        let (work, inbox) = mpsc::channel::<Work>();
        let (outbox, done) = mpsc::channel();
        std::thread::Builder::new().name("ask-batch".into()).spawn(move || {
            while let Ok(work) = inbox.recv() {
                let n = work.texts.len();
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| compute(work)))
                    .unwrap_or_else(|_| {
                        vec![Err(QueueError::Failed("the model panicked on this batch".into())); n]
                    });
                if outbox.send(outcome).is_err() {
                    // Abandoned after a timeout: the batch's questions were answered already.
                    break;
                }
            }
        })?;
        Ok(Runner { work, done })
    }
}

fn dispatch(shared: &Shared) {
    let timeout = Duration::from_millis(shared.options.timeout_ms);
    let mut runner: Option<Runner> = None;
    while let Some(batch) = shared.next_batch() {
        let started = Instant::now();
        if let Some(r) = RECORDER.get() {
            r.batch(batch.len(), batch.iter().map(|j| j.tokens).sum());
            batch.iter().for_each(|j| r.waited(started - j.enqueued));
        }
        let n = batch.len();
        let mut replies = Vec::with_capacity(n);
        let mut work =
            Work { texts: Vec::new(), vectors: Vec::new(), embedders: Vec::new(), ranks: Vec::new() };
        for job in batch {
            work.texts.push(job.text);
            work.vectors.push(job.vector);
            work.embedders.push(job.embedder);
            work.ranks.push(job.rank);
            replies.push(job.reply);
        }
        let outcome = match runner.take().map_or_else(Runner::start, Ok) {
            Err(e) => vec![Err(QueueError::Failed(format!("no thread for the batch: {e}"))); n],
            Ok(r) => {
                match r.work.send(work).map(|_| r.done.recv_timeout(timeout)) {
                    Ok(Ok(outcome)) => {
                        runner = Some(r);
                        outcome
                    }
                    Ok(Err(mpsc::RecvTimeoutError::Timeout)) => {
                        tracing::error!(texts = n, timeout_ms = shared.options.timeout_ms, "a batch took too long: its questions fail, the next batch starts on a new thread");
                        vec![Err(QueueError::TimedOut { ms: shared.options.timeout_ms }); n]
                    }
                    Ok(Err(mpsc::RecvTimeoutError::Disconnected)) | Err(_) => {
                        vec![Err(QueueError::Failed("the batch thread stopped".into())); n]
                    }
                }
            }
        };
        let seconds = started.elapsed().as_secs_f64().max(1e-6);
        let rate = f64::from_bits(shared.rate.load(Ordering::Relaxed));
        let now = n as f64 / seconds;
        let rate = if rate == 0.0 { now } else { 0.8 * rate + 0.2 * now };
        shared.rate.store(rate.to_bits(), Ordering::Relaxed);
        for (reply, result) in replies.into_iter().zip(outcome) {
            // A caller that went away (a closed connection) needs no answer.
            let _ = reply.send(result);
        }
    }
}

/// Embeds the batch's texts, one forward pass per model, then ranks each index's questions in
/// one matrix product.
fn compute(work: Work) -> Outcome {
    let n = work.texts.len();
    let mut vectors: Vec<Result<Vec<f32>, QueueError>> = Vec::with_capacity(n);
    let mut to_embed: HashMap<*const (), Vec<usize>> = HashMap::new();
    for (i, v) in work.vectors.into_iter().enumerate() {
        if v.is_none() {
            to_embed.entry(Arc::as_ptr(&work.embedders[i]) as *const ()).or_default().push(i);
        }
        vectors.push(v.ok_or(QueueError::Stopped));
    }
    for members in to_embed.into_values() {
        let texts: Vec<&str> = members.iter().map(|&i| work.texts[i].as_str()).collect();
        match work.embedders[members[0]].embed(&texts) {
            Ok(embedded) => {
                for (&i, v) in members.iter().zip(embedded) {
                    vectors[i] = Ok(v);
                }
            }
            Err(e) => {
                let failed = QueueError::Failed(e.to_string());
                members.iter().for_each(|&i| vectors[i] = Err(failed.clone()));
            }
        }
    }
    let mut ranked: Vec<Result<Vec<Scored>, QueueError>> = vec![Ok(Vec::new()); n];
    // Questions against one index with one scoring rank together (in practice: all of them).
    let mut to_rank: Vec<(&RankIn, Vec<usize>)> = Vec::new();
    for (i, rank) in work.ranks.iter().enumerate() {
        let (Some(rank), Ok(_)) = (rank, &vectors[i]) else { continue };
        let same = |(r, _): &&mut (&RankIn, Vec<usize>)| {
            Arc::ptr_eq(&r.index, &rank.index) && r.k == rank.k && r.scoring == rank.scoring
        };
        match to_rank.iter_mut().find(same) {
            Some((_, members)) => members.push(i),
            None => to_rank.push((rank, vec![i])),
        }
    }
    for (rank, members) in to_rank {
        let questions: Vec<(&[f32], &str)> = members
            .iter()
            .filter_map(|&i| vectors[i].as_ref().ok().map(|v| (v.as_slice(), work.texts[i].as_str())))
            .collect();
        match rank.index.rank_many(&questions, &rank.scoring, rank.k) {
            Ok(lists) => {
                for (&i, list) in members.iter().zip(lists) {
                    ranked[i] = Ok(list);
                }
            }
            Err(e) => {
                let failed = QueueError::Failed(e.to_string());
                members.iter().for_each(|&i| ranked[i] = Err(failed.clone()));
            }
        }
    }
    vectors
        .into_iter()
        .zip(ranked)
        .map(|(vector, ranked)| Ok(Done { vector: vector?, ranked: ranked? }))
        .collect()
}
