//! The ask queue: concurrent asks share forward passes and one matrix product, and answer
//! exactly as asks taken one at a time do; a full queue refuses at once and loses nothing it
//! accepted; a batch that fails, panics or hangs fails only its own asks.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use model::knowledge::transfer;
use model::matching::{AskRequest, Batching, MatchError, Matcher, Scoring};
use model::views::{Actor, Problem, Role};
use model::{EmbedError, Embedder, ModelInfo, Pooling};
use sea_orm::{EntityTrait, PaginatorTrait};

fn ask(question: &str, dry_run: bool) -> AskRequest {
    AskRequest { question: question.into(), channel: Default::default(), session_id: None, dry_run }
}

/// Banking77 rows (question, intent) of `train.csv`.
fn banking() -> Vec<(String, String)> {
    let mut reader = csv::Reader::from_path(common::shared_dir().join("data/banking77/train.csv")).unwrap();
    reader.records().map(|r| r.unwrap()).map(|r| (r[0].trim().to_string(), r[1].to_string())).collect()
}

/// Knowledge of the first `intents` intents, 6 texts each, and the questions left over.
fn knowledge(intents: usize) -> (String, Vec<String>) {
    let mut by_intent: Vec<(String, Vec<String>)> = Vec::new();
    for (q, intent) in banking() {
        match by_intent.iter_mut().find(|(i, _)| *i == intent) {
            Some((_, qs)) => qs.push(q),
            None => by_intent.push((intent, vec![q])),
        }
    }
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut csv = String::from("category,question,answer,phrasings\n");
    let mut rest = Vec::new();
    for (intent, qs) in by_intent.iter().take(intents) {
        csv.push_str(&format!(
            "Bank/{intent},{},Answer for {intent}.,{}\n",
            quote(&qs[0]),
            quote(&qs[1..6].join("|"))
        ));
        rest.extend(qs[6..].iter().take(8).cloned());
    }
    (csv, rest)
}

async fn published(dir: &std::path::Path, name: &str, csv: &str) -> sea_orm::DatabaseConnection {
    let db = common::sqlite(dir, name).await;
    let lead = Actor::new("lead", Role::Reviewer);
    transfer::import(&db, &lead, transfer::parse(transfer::Format::Csv, csv.as_bytes()).unwrap(), true)
        .await
        .unwrap();
    db
}

/// The largest batch any queue of this test binary ran (the other tests run one text at a time).
static LARGEST: AtomicUsize = AtomicUsize::new(0);

struct Largest;

impl model::matching::queue::BatchRecorder for Largest {
    fn batch(&self, texts: usize, _tokens: usize) {
        LARGEST.fetch_max(texts, Ordering::SeqCst);
    }
    fn waited(&self, _wait: Duration) {}
    fn refused(&self) {}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_asks_answer_as_asks_taken_one_at_a_time() {
    model::matching::queue::set_recorder(Box::new(Largest));
    let dir = tempfile::tempdir().unwrap();
    let (csv, questions) = knowledge(24);
    let db = published(dir.path(), "batched", &csv).await;
    let model: Arc<dyn Embedder> = common::embedder();
    let batched = Arc::new(
        Matcher::load_with(db.clone(), model.clone(), Scoring::default(), Batching::default()).await.unwrap(),
    );
    let alone = Matcher::load_with(db, model, Scoring::default(), Batching::one_at_a_time()).await.unwrap();
    let questions: Vec<String> = questions.into_iter().take(96).collect();

    // All at once: they wait together and share forward passes.
    let tasks: Vec<_> = questions
        .iter()
        .map(|q| {
            let (m, q) = (batched.clone(), q.clone());
            tokio::spawn(async move { m.ask(ask(&q, true)).await.unwrap() })
        })
        .collect();
    let mut together = Vec::new();
    for t in tasks {
        together.push(t.await.unwrap());
    }
    let mut shared = 0;
    for (q, b) in questions.iter().zip(&together) {
        let a = alone.ask(ask(q, true)).await.unwrap();
        assert_eq!(a.outcome, b.outcome, "{q}");
        let ids = |r: &model::matching::AskResponse| {
            r.candidates.iter().map(|c| c.knowledge_id.clone()).collect::<Vec<_>>()
        };
        assert_eq!(ids(&a), ids(&b), "{q}");
        for (x, y) in a.candidates.iter().zip(&b.candidates) {
            // The same vectors and the same sums, but a forward pass over padded texts, and
            // two builds of the lexical index (which sums in hash-map order), may round
            // differently in the last bits.
            assert!((x.score - y.score).abs() < 1e-5, "{q}: {} vs {}", x.score, y.score);
            assert!((x.lexical - y.lexical).abs() < 1e-6, "{q}");
            shared += usize::from(x.score == y.score);
        }
    }
    assert!(shared > 0);
    assert!(LARGEST.load(Ordering::SeqCst) > 1, "the concurrent asks shared forward passes");
}

/// Vectors from the text's bytes; slow, failing or panicking on the words that say so.
struct Fake {
    info: ModelInfo,
    delay: Duration,
}

impl Fake {
    fn new(delay: Duration) -> Arc<Fake> {
        let info = ModelInfo {
            name: "fake".into(),
            dimension: 8,
            max_tokens: 64,
            pooling: Pooling::Mean,
            load_ms: 0,
        };
        Arc::new(Fake { info, delay })
    }
}

impl Embedder for Fake {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        if texts.iter().any(|t| t.contains("boom")) {
            return Err(EmbedError::Unsupported("boom".into()));
        }
        if texts.iter().any(|t| t.contains("panic")) {
            panic!("the model panics");
        }
        let slow = texts.iter().any(|t| t.contains("slow"));
        std::thread::sleep(if slow { Duration::from_secs(5) } else { self.delay });
        Ok(texts
            .iter()
            .map(|t| {
                let mut v = vec![0.1f32; 8];
                for (i, b) in t.bytes().enumerate() {
                    v[i % 8] += f32::from(b) / 255.0;
                }
                let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
                v.into_iter().map(|x| x / n).collect()
            })
            .collect())
    }
}

const FAKE_KNOWLEDGE: &str = "category,question,answer,phrasings\n\
    Cards,Where is my card?,On its way.,card not arrived\n\
    Top-ups,How do I top up?,In the app.,add money\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_full_queue_refuses_at_once_and_loses_nothing_it_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let db = published(dir.path(), "full", FAKE_KNOWLEDGE).await;
    let batching = Batching { max_batch_texts: 1, queue: 4, ..Batching::default() };
    let matcher = Arc::new(
        Matcher::load_with(db.clone(), Fake::new(Duration::from_millis(100)), Scoring::default(), batching)
            .await
            .unwrap(),
    );
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let m = matcher.clone();
            tokio::spawn(async move { (i, m.ask(ask(&format!("question number {i}"), false)).await) })
        })
        .collect();
    let (mut accepted, mut refused) = (Vec::new(), 0);
    for t in tasks {
        match t.await.unwrap() {
            (_, Ok(r)) => accepted.push(r.ask_id),
            (i, Err(MatchError::Refused(Problem::Busy { waiting, retry_after_s }))) => {
                assert!(
                    waiting >= 4 && retry_after_s >= 1,
                    "question {i}: {waiting} waiting, retry in {retry_after_s} s"
                );
                refused += 1;
            }
            (i, Err(e)) => panic!("question {i}: {e}"),
        }
    }
    assert!(refused > 0, "20 asks at once against room for 4 and one at a time");
    assert!(accepted.len() >= 4, "the room the queue has is used: {} accepted", accepted.len());
    assert_eq!(accepted.len() + refused, 20);
    // Every accepted ask is answered and logged; the refused left no trace.
    let logged = model::matching::asks::entity::Entity::find().count(&db).await.unwrap();
    assert_eq!(logged as usize, accepted.len());
    assert_eq!(matcher.queue_depth(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_batch_that_fails_panics_or_hangs_fails_only_its_own_asks() {
    let dir = tempfile::tempdir().unwrap();
    let db = published(dir.path(), "faults", FAKE_KNOWLEDGE).await;
    let batching = Batching { max_batch_texts: 1, timeout_ms: 300, ..Batching::default() };
    let matcher = Arc::new(
        Matcher::load_with(db.clone(), Fake::new(Duration::from_millis(5)), Scoring::default(), batching)
            .await
            .unwrap(),
    );

    let failed = matcher.ask(ask("boom goes the model", false)).await;
    assert!(matches!(failed, Err(MatchError::Internal(ref m)) if m.contains("boom")), "{failed:?}");
    let panicked = matcher.ask(ask("panic in the model", false)).await;
    assert!(matches!(panicked, Err(MatchError::Internal(ref m)) if m.contains("panicked")), "{panicked:?}");

    // A hanging batch: its ask times out, and the asks queued behind it are answered on a fresh
    // thread long before the hung one would have finished (5 s).
    let started = Instant::now();
    let slow = {
        let m = matcher.clone();
        tokio::spawn(async move { m.ask(ask("slow question", false)).await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    let others: Vec<_> = (0..6)
        .map(|i| {
            let m = matcher.clone();
            tokio::spawn(async move { m.ask(ask(&format!("where is card {i}"), false)).await })
        })
        .collect();
    for o in others {
        o.await.unwrap().expect("asks in other batches are answered");
    }
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "not stuck behind the hung batch: {:?}",
        started.elapsed()
    );
    let slow = slow.await.unwrap();
    assert!(matches!(slow, Err(MatchError::Refused(Problem::ModelTimedOut { ms: 300 }))), "{slow:?}");

    // The worker goes on as before; only the answered asks were logged.
    matcher.ask(ask("where is my card", false)).await.unwrap();
    let logged = model::matching::asks::entity::Entity::find().count(&db).await.unwrap();
    assert_eq!(logged, 7);
}
