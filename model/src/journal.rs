//! The journal: every logged ask and every reported miss is written by one task per instance,
//! which commits whatever is waiting in one transaction (group commit). A customer's ask is a
//! write; one transaction and one fsync per ask halved what the API could serve. Here the asks
//! that arrive while a commit is on disk wait for the next one together, so a busy instance pays
//! one commit for many asks and an idle one adds no wait at all.
//!
//! What stays true:
//! - An ask is answered, and a report accepted, only once its transaction has committed.
//! - An idempotency key is looked up and kept in the transaction that writes what it guards,
//!   so a retry in the same batch, or in a batch of another instance, is answered with the
//!   first answer and counted once.
//! - A batch that fails is retried one write at a time: a write that cannot be stored fails
//!   alone, and the others of its batch are stored.
//!
//! On PostgreSQL these transactions take no lock of botcoach's own ([`crate::storage::append`]):
//! asks are appended, misses are upserts on their normalised text, keys are unique in an index.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use sea_orm::{DatabaseConnection, EntityTrait};
use tokio::sync::{mpsc, oneshot};

use crate::embedding::cache::{self, CacheError};
use crate::errors::{ErrorKind, Kind};
use crate::idempotency::{self, Answer, IdempotencyError, Key};
use crate::matching::asks::entity as asks;
use crate::misses::{self, Report};
use crate::storage::StorageError;

/// Writes that may wait for the writer; beyond this, callers wait to hand theirs over.
const WAITING: usize = 4_096;

/// An ask as it is logged.
#[derive(Debug, Clone)]
pub struct LoggedAsk {
    pub row: asks::ActiveModel,
    /// The vector of an answered question, kept for the checks before a publish: the model's
    /// key, the text as the model read it, the vector.
    pub vector: Option<(String, String, Vec<f32>)>,
    /// The miss an unanswered ask records.
    pub miss: Option<Report>,
}

/// What one caller hands to the journal.
#[derive(Debug, Clone)]
pub enum Entry {
    Ask(Box<LoggedAsk>),
    /// Reports from a bot (`POST /misses`): all of them or none.
    Misses(Vec<Report>),
}

/// A write, with the idempotency key that guards it and the answer to keep for its retries.
#[derive(Debug, Clone)]
pub struct Write {
    pub entry: Entry,
    pub once: Option<(Key, Answer)>,
}

/// What happened to a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// Committed.
    Stored,
    /// Its key was already answered: nothing was written, here is the first answer.
    Replayed(Answer),
}

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error(transparent)]
    Idempotency(#[from] IdempotencyError),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Cache(#[from] CacheError),
    #[error("the journal's writer has stopped")]
    Stopped,
}

impl From<sea_orm::DbErr> for JournalError {
    fn from(e: sea_orm::DbErr) -> Self {
        JournalError::Storage(StorageError::Db(e))
    }
}

impl Kind for JournalError {
    fn kind(&self) -> ErrorKind {
        match self {
            JournalError::Idempotency(i) => i.kind(),
            _ => ErrorKind::Internal,
        }
    }
}

struct Job {
    write: Write,
    reply: oneshot::Sender<Result<Written, JournalError>>,
}

/// The writer of one instance. Cheap to clone; the writer stops when the last clone is dropped,
/// after the writes already handed over.
#[derive(Clone)]
pub struct Journal {
    jobs: mpsc::Sender<Job>,
    commits: Arc<AtomicU64>,
}

impl Journal {
    /// Starts the writer on the current runtime; a transaction holds at most `max_batch` writes.
    pub fn start(db: DatabaseConnection, max_batch: usize) -> Journal {
        let (jobs, waiting) = mpsc::channel(WAITING);
        let commits = Arc::new(AtomicU64::new(0));
        tokio::spawn(run(db, waiting, max_batch.max(1), commits.clone()));
        Journal { jobs, commits }
    }

    /// Hands `write` over and waits until it is committed (or refused).
    pub async fn write(&self, write: Write) -> Result<Written, JournalError> {
        let (reply, written) = oneshot::channel();
        self.jobs.send(Job { write, reply }).await.map_err(|_| JournalError::Stopped)?;
        written.await.map_err(|_| JournalError::Stopped)?
    }

    /// Writes handed over and not yet committed (a gauge for `/metrics`).
    pub fn waiting(&self) -> usize {
        self.jobs.max_capacity() - self.jobs.capacity()
    }

    /// Transactions committed since the start: with [`Journal::waiting`], how much batching
    /// saves (writes ÷ commits).
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// Reports from a bot, once per `once`'s key.
    pub async fn misses(
        &self,
        reports: Vec<Report>,
        once: Option<(Key, Answer)>,
    ) -> Result<Written, JournalError> {
        self.write(Write { entry: Entry::Misses(reports), once }).await
    }
}

async fn run(
    db: DatabaseConnection,
    mut waiting: mpsc::Receiver<Job>,
    max_batch: usize,
    commits: Arc<AtomicU64>,
) {
    let mut jobs = Vec::with_capacity(max_batch);
    // Whatever waits when the writer is free, up to `max_batch`: no wait is added for more.
    while waiting.recv_many(&mut jobs, max_batch).await > 0 {
        let batch = std::mem::take(&mut jobs);
        let writes: Vec<&Write> = batch.iter().map(|j| &j.write).collect();
        match commit(&db, &writes, &commits).await {
            Ok(outcomes) => {
                for (job, outcome) in batch.into_iter().zip(outcomes) {
                    let _ = job.reply.send(outcome);
                }
            }
            Err(e) if batch.len() == 1 => {
                let _ = batch.into_iter().next().map(|job| job.reply.send(Err(e)));
            }
            Err(e) => {
                tracing::warn!(error = %e, writes = batch.len(), "a batch of asks and misses failed; retrying them one by one");
                for job in batch {
                    let outcome = match commit(&db, &[&job.write], &commits).await {
                        Ok(mut outcomes) => outcomes.pop().unwrap_or(Err(JournalError::Stopped)),
                        Err(e) => Err(e),
                    };
                    let _ = job.reply.send(outcome);
                }
            }
        }
    }
}

/// Writes `writes` in one transaction. `Err` when the transaction failed (nothing of it is
/// stored); otherwise each write's own outcome, in order.
async fn commit(
    db: &DatabaseConnection,
    writes: &[&Write],
    commits: &AtomicU64,
) -> Result<Vec<Result<Written, JournalError>>, JournalError> {
    let txn = crate::storage::append(db).await?;
    let mut outcomes = Vec::with_capacity(writes.len());
    let mut rows = Vec::new();
    let mut vectors: Vec<&(String, String, Vec<f32>)> = Vec::new();
    let mut reports: Vec<Report> = Vec::new();
    for w in writes {
        if let Some((key, answer)) = &w.once {
            // Sees the keys kept earlier in this batch too.
            match idempotency::find(&txn, key).await {
                Ok(Some(first)) => {
                    outcomes.push(Ok(Written::Replayed(first)));
                    continue;
                }
                Ok(None) => idempotency::remember(&txn, key, answer).await?,
                Err(IdempotencyError::Reused) => {
                    outcomes.push(Err(IdempotencyError::Reused.into()));
                    continue;
                }
                Err(e) => return Err(e.into()),
            }
        }
        match &w.entry {
            Entry::Ask(ask) => {
                rows.push(ask.row.clone());
                vectors.extend(&ask.vector);
                reports.extend(ask.miss.iter().cloned());
            }
            Entry::Misses(batch) => reports.extend(batch.iter().cloned()),
        }
        outcomes.push(Ok(Written::Stored));
    }
    for chunk in rows.chunks(500) {
        asks::Entity::insert_many(chunk.to_vec()).exec(&txn).await?;
    }
    // One statement per model for the batch's vectors, each text once.
    let mut by_model: BTreeMap<&str, (Vec<String>, Vec<Vec<f32>>)> = BTreeMap::new();
    let mut seen = HashSet::new();
    for (model, text, vector) in vectors {
        if seen.insert((model, text)) {
            let (texts, vectors) = by_model.entry(model).or_default();
            texts.push(text.clone());
            vectors.push(vector.clone());
        }
    }
    for (model, (texts, vectors)) in by_model {
        cache::store(&txn, model, &texts, &vectors).await?;
    }
    misses::record_in(&txn, &reports).await?;
    txn.commit().await?;
    commits.fetch_add(1, Ordering::Relaxed);
    Ok(outcomes)
}
