//! What publishing a synonym costs at scale. A SQLite database holds 100,000 stored texts (open
//! misses: Banking77's questions, each asked in ten ways — the bare question and nine openings
//! such as "hi, " — so that there are enough of them), every one with its stored vector for
//! the served model (`fused`; the stored vectors are placeholders: only their presence counts
//! here). Then one dictionary entry is published. The cache is keyed on the text the model
//! reads, so only the texts the entry rewrites are embedded again; reported per entry: how many,
//! how long the scan that finds them takes, and how long embedding them takes, against embedding
//! all 100,000 at the rate measured in the same run, and the asks answered meanwhile: one client
//! asking Banking77 questions one after another through the previous dictionary (as the serving
//! model keeps doing until the swap), its median latency beside the same client's with nothing
//! else running.
//!
//! `cargo bench -p model --bench synonym_reembed` (`REEMBED_TEXTS=100000`)

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use migrations::{Migrator, MigratorTrait};
use model::embedding::cache;
use model::misses::entity::miss;
use model::synonyms::{Dictionary, WithSynonyms};
use model::views::{MissStatus, SynonymEntry};
use model::{Embedder, ModelChoice};
use sea_orm::{EntityTrait, Set};

const OPENINGS: [&str; 10] = [
    "",
    "hi, ",
    "hello, ",
    "please help: ",
    "quick question: ",
    "hey, ",
    "sorry, ",
    "urgent: ",
    "so ",
    "um, ",
];

fn median_ms(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v.get(v.len() / 2).map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
}

/// One client asking `questions` one after another until `stop`: each ask's latency.
fn asks(embedder: &dyn Embedder, questions: &[String], stop: &AtomicBool, most: usize) -> Vec<Duration> {
    let mut latencies = Vec::new();
    for q in questions.iter().cycle().take(most) {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let started = Instant::now();
        let v = embedder.embed(&[q.as_str()]).expect("ask");
        assert_eq!(v.len(), 1);
        latencies.push(started.elapsed());
    }
    latencies
}

fn entry(canonical: &str, variants: &[&str]) -> SynonymEntry {
    SynonymEntry { canonical: canonical.into(), variants: variants.iter().map(|v| v.to_string()).collect() }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let wanted: usize = std::env::var("REEMBED_TEXTS").ok().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let questions: Vec<String> = common::banking_by_intent().into_values().flatten().collect();
    let texts: Vec<String> =
        OPENINGS.iter().flat_map(|o| questions.iter().map(move |q| format!("{o}{q}"))).take(wanted).collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let db = model::storage::connect(&format!("sqlite://{}", dir.path().join("r.db").display()))
        .await
        .expect("database");
    Migrator::up(&db, None).await.expect("migrate");
    let now = chrono::Utc::now();
    for (c, chunk) in texts.chunks(1000).enumerate() {
        miss::Entity::insert_many(chunk.iter().enumerate().map(|(i, t)| miss::ActiveModel {
            question: Set(t.clone()),
            normalized: Set(format!("{c}-{i}")),
            count: Set(1),
            status: Set(MissStatus::Open),
            first_seen_at: Set(now),
            last_seen_at: Set(now),
            ..Default::default()
        }))
        .exec(&db)
        .await
        .expect("misses");
    }
    let base = common::chosen(ModelChoice::Fused);
    let placeholder = vec![0f32; base.info().dimension];
    let started = Instant::now();
    cache::store(&db, &cache::model_key(base.as_ref()), &texts, &vec![placeholder; texts.len()])
        .await
        .expect("store");
    println!(
        "{} stored texts with their vectors for {} (stored in {:.0} s)\n",
        texts.len(),
        base.info().name,
        started.elapsed().as_secs_f64()
    );
    let asked: Vec<String> = questions.iter().step_by(97).cloned().collect();
    let idle = median_ms(asks(base.as_ref(), &asked, &AtomicBool::new(false), 100));
    println!("| entry published | texts rewritten | share | finding them (s) | embedding them (s) | texts/s | all texts at that rate (s) | asks answered meanwhile | their median latency (idle {idle:.0} ms) |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for e in [
        entry("top up", &["top-up", "topup"]),
        entry("card", &["cards"]),
        entry("transfer", &["transfers", "transferred"]),
    ] {
        let dictionary = Arc::new(Dictionary::new(std::slice::from_ref(&e)));
        let with: Arc<dyn Embedder> = Arc::new(WithSynonyms::new(base.clone(), dictionary));
        let scan = Instant::now();
        let missing = cache::missing(&db, with.as_ref(), &texts).await.expect("scan");
        let scan = scan.elapsed().as_secs_f64();
        let embed = Instant::now();
        let stop = Arc::new(AtomicBool::new(false));
        let client = {
            let (base, asked, stop) = (base.clone(), asked.clone(), stop.clone());
            std::thread::spawn(move || asks(base.as_ref(), &asked, &stop, usize::MAX))
        };
        let done = model::reembed::embed_missing(&db, &with, &Default::default(), true).await.expect("embed");
        let embed = embed.elapsed().as_secs_f64();
        stop.store(true, Ordering::Relaxed);
        let meanwhile = client.join().expect("client");
        let answered = meanwhile.len();
        assert_eq!(done, missing.len());
        let rate = done as f64 / embed.max(1e-9);
        println!(
            "| {} → {} | {done} | {:.1}% | {scan:.1} | {embed:.1} | {rate:.0} | {:.0} | {} | {:.0} ms |",
            e.variants.join(", "),
            e.canonical,
            100.0 * done as f64 / texts.len() as f64,
            texts.len() as f64 / rate,
            answered,
            median_ms(meanwhile)
        );
    }
}
