//! What a test run of 10,000 cases costs, against the bare embedder's rate in the same run. The
//! knowledge: Banking77's first 10 questions of each of its 77 intents (770 texts), published in
//! a SQLite file; the cases: the other questions (and, to reach 10,000, the same with "hi, "
//! before them), each expecting its intent's point. The run goes as a product run goes — through
//! the ask queue, in steps, its vectors stored — then runs again with its vectors cached (the
//! cost of ranking and deciding alone). The bare rate: the model alone, batches of 64, on 2,000
//! other texts, before and after the run (the slower of the two taken, against noise).
//!
//! `cargo bench -p model --bench testset_run` (`TESTSET_CASES=10000`)

mod common;

use std::sync::Arc;
use std::time::Instant;

use migrations::{Migrator, MigratorTrait};
use model::views::{Actor, Channel, Expect, NewCase, NewTestSet, Role};
use model::ModelChoice;

const KNOWN: usize = 10;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let wanted: usize = std::env::var("TESTSET_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let by_intent = common::banking_by_intent();
    let knowledge: Vec<serde_json::Value> = by_intent
        .iter()
        .map(|(intent, texts)| {
            serde_json::json!({"category": "Banking", "question": texts[0], "answer": format!("About {intent}."),
                "phrasings": texts[1..KNOWN].to_vec()})
        })
        .collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let db = model::storage::connect(&format!("sqlite://{}", dir.path().join("t.db").display()))
        .await
        .expect("db");
    Migrator::up(&db, None).await.expect("migrate");
    let lead = Actor::new("lead", Role::Reviewer);
    let parsed = model::knowledge::transfer::parse(
        model::knowledge::transfer::Format::Json,
        &serde_json::to_vec(&knowledge).unwrap(),
    )
    .expect("knowledge");
    model::knowledge::transfer::import(&db, &lead, parsed, true).await.expect("import");
    let embedder = common::chosen(ModelChoice::Fused);
    let started = Instant::now();
    let matcher = Arc::new(
        model::matching::Matcher::load(db.clone(), embedder.clone(), ModelChoice::Fused.scoring())
            .await
            .expect("matcher"),
    );
    let loaded = started.elapsed().as_secs_f64();
    let inbox = Arc::new(
        model::inbox::Inbox::load(db.clone(), matcher.clone(), Default::default()).await.expect("inbox"),
    );
    let s = model::Services::new(db.clone(), matcher, inbox);
    let feed = model::knowledge::feed::since(&db, 0).await.expect("feed").items;
    let point_of = |question: &str| -> i32 {
        feed.iter().find(|i| i.question == question).expect("point").id.parse().unwrap()
    };
    let mut cases = Vec::new();
    for prefix in ["", "hi, ", "so, "] {
        for texts in by_intent.values() {
            let expect = Expect::Point(point_of(&texts[0]));
            cases.extend(texts[KNOWN..].iter().map(|q| NewCase {
                question: format!("{prefix}{q}"),
                channel: Channel::Bot,
                expect,
            }));
        }
    }
    cases.truncate(wanted);
    let other: Vec<String> = by_intent
        .values()
        .flat_map(|t| t[KNOWN..].iter())
        .take(2_000)
        .map(|q| format!("please: {q}"))
        .collect();
    let bare = || {
        let started = Instant::now();
        let _ = common::embed_all(embedder.as_ref(), &other);
        other.len() as f64 / started.elapsed().as_secs_f64()
    };
    let trainer = Actor::new("tina", Role::Trainer);
    let id =
        model::testsets::create(&s, &trainer, &NewTestSet { name: "bench".into(), cases: cases.clone() })
            .await
            .expect("set");
    let before = bare();
    let started = Instant::now();
    let first = s.run_test_set(&trainer, id).await.expect("run");
    let cold = started.elapsed().as_secs_f64();
    let after = bare();
    let started = Instant::now();
    let second = s.run_test_set(&trainer, id).await.expect("run again");
    let warm = started.elapsed().as_secs_f64();
    let rate = before.min(after);
    println!(
        "{} knowledge texts loaded in {loaded:.0} s; {} cases, {} passed ({:.1}%)\n",
        knowledge.len() * KNOWN,
        first.run.total,
        first.run.passed,
        100.0 * first.run.passed as f64 / first.run.total as f64
    );
    println!("| what | seconds | cases/s |");
    println!("| --- | ---: | ---: |");
    println!("| bare embedder, batches of 64 ({before:.0} and {after:.0} texts/s; slower taken) | {:.1} | {rate:.0} |", first.run.total as f64 / rate);
    println!("| test run, vectors not stored yet | {cold:.1} | {:.0} |", first.run.total as f64 / cold);
    println!("| test run again, vectors stored | {warm:.1} | {:.0} |", second.run.total as f64 / warm);
    println!("\nrun / bare embedder: {:.2}×", cold / (first.run.total as f64 / rate));
}
