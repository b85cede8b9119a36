//! Which way of learning from the trainers' labels wins per minute of CPU: an adapter on top of
//! the model (what ships), the encoder's top layers, or all of them. Banking77's `train.csv`
//! split as the matching bench does (8,033 knowledge texts in 77 points, 1,970 questions asked).
//! Every run trains on the knowledge texts minus the held-out phrasings the promotion guard keeps
//! (`learning::data`); settings are chosen on those held-out phrasings; top-1 and answered
//! precision / share are reported on the asked questions, which nothing here trains or chooses
//! on (thresholds calibrated on the first half of them, reported on the second, as in the
//! matching bench).
//!
//! Run: `cargo bench -p model --bench learning` (`LEARN_MODEL=minilm|fused`, default both;
//! `LEARN_LAYERS=0` skips the encoder runs, which take minutes each).

mod common;

use std::collections::BTreeMap;
use std::time::Instant;

use common::quality::{answered, banking_split, build, calibrate, predictions, top1};
use common::embed_all;
use model::learning::data::{self, PointTexts};
use model::learning::layers::{self, TopLayers};
use model::learning::{adapter, guard, Adapter, TrainOptions};
use model::matching::{Index, PointDoc, Scoring};
use model::ModelChoice;

struct Data {
    set: data::TrainingSet,
    knowledge: BTreeMap<String, Vec<String>>,
    asked: Vec<(String, String)>,
}

fn data() -> Data {
    let split = banking_split();
    let points: Vec<PointTexts> = split
        .knowledge
        .iter()
        .enumerate()
        .map(|(i, (intent, texts))| PointTexts { knowledge_id: i as i32, category: intent.clone(), texts: texts.clone() })
        .collect();
    Data { set: data::split(points, Vec::new()), knowledge: split.knowledge, asked: split.asked }
}

/// Scores of one set of vectors: (guard's held-out top-1, asked top-1, precision, share).
struct Scores {
    held_out: f64,
    top1: f64,
    precision: f64,
    share: f64,
}

fn evaluate(d: &Data, table: &BTreeMap<String, Vec<f32>>, dim: usize, scoring: &Scoring) -> Scores {
    // The guard's view: the knowledge without its held-out phrasings.
    let known = d.set.known();
    let docs: Vec<PointDoc> = known
        .iter()
        .map(|p| PointDoc {
            knowledge_id: p.knowledge_id,
            category: p.category.clone(),
            question: p.texts[0].clone(),
            answer: String::new(),
            texts: p.texts.clone(),
            vectors: p.texts.iter().map(|t| table[t].clone()).collect(),
        })
        .collect();
    let index = Index::build(&docs, dim);
    let held: Vec<Vec<f32>> = d.set.held_out.iter().map(|t| table[t].clone()).collect();
    let preds = guard::predict(&index, &d.set.held_out, &held, scoring);
    let held_out = guard::score(&preds, &d.set.held_out_truth).top1;
    // The product's view after promotion: every knowledge text, the customers' questions.
    let vectors: BTreeMap<String, Vec<Vec<f32>>> =
        d.knowledge.iter().map(|(i, ts)| (i.clone(), ts.iter().map(|t| table[t].clone()).collect())).collect();
    let index = build(&d.knowledge, &vectors, dim, &[]);
    let asked_vectors: Vec<Vec<f32>> = d.asked.iter().map(|(q, _)| table[q].clone()).collect();
    let preds = predictions(&index, &d.asked, &asked_vectors, scoring);
    let half = d.asked.len() / 2;
    let (s, m, _, _) = calibrate(&preds[..half], &d.asked[..half]);
    let (precision, share) = answered(&preds[half..], &d.asked[half..], s, m);
    Scores { held_out, top1: top1(&preds, &d.asked), precision, share }
}

fn row(name: &str, seconds: f64, s: &Scores) {
    println!(
        "| {name} | {seconds:.1} | {:.2}% | {:.2}% | {:.2}% | {:.2}% |",
        100.0 * s.held_out,
        100.0 * s.top1,
        100.0 * s.precision,
        100.0 * s.share
    );
}

fn adapted(table: &BTreeMap<String, Vec<f32>>, a: &Adapter) -> BTreeMap<String, Vec<f32>> {
    table.iter().map(|(t, v)| (t.clone(), a.apply(v))).collect()
}

/// What a run costs the bot: questions embedded one by one (as asks are) with nothing else
/// running, then while the shipped training runs over and over on one thread of its own (as
/// `Services::learn` runs it), the two measured back to back, three times each; and the peak
/// memory of the process so far.
fn asks_while_training(embedder: &dyn model::Embedder, d: &Data, vectors: &[Vec<f32>]) {
    use std::sync::atomic::{AtomicBool, Ordering};
    let questions: Vec<&str> = d.asked.iter().take(150).map(|(q, _)| q.as_str()).collect();
    let rate = || {
        let started = Instant::now();
        for q in &questions {
            embedder.embed(&[q]).expect("embed");
        }
        questions.len() as f64 / started.elapsed().as_secs_f64()
    };
    let (mut idle, mut busy) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        idle.push(rate());
        let stop = AtomicBool::new(false);
        std::thread::scope(|scope| {
            let trainer = scope.spawn(|| {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
                while !stop.load(Ordering::Relaxed) {
                    pool.install(|| {
                        adapter::train(&d.set.examples, vectors, &TrainOptions::default(), &mut |_| !stop.load(Ordering::Relaxed))
                    })
                    .expect("train");
                }
            });
            busy.push(rate());
            stop.store(true, Ordering::Relaxed);
            trainer.join().expect("trainer");
        });
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (i, b) = (median(&mut idle), median(&mut busy));
    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM")).map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_string()))
        .and_then(|kb| kb.parse::<f64>().ok())
        .unwrap_or(0.0);
    println!(
        "\nasks embedded one by one: {i:.1}/s idle, {b:.1}/s while training ({:.0}%); peak RSS so far {:.0} MB\n",
        100.0 * b / i,
        peak / 1024.0
    );
}

fn main() {
    let d = data();
    let mut texts: Vec<String> = d.knowledge.values().flatten().cloned().collect();
    texts.extend(d.asked.iter().map(|(q, _)| q.clone()));
    texts.sort();
    texts.dedup();
    println!(
        "Banking77: {} training texts, {} held-out phrasings (choosing), {} asked (reporting)",
        d.set.train.len(),
        d.set.held_out.len(),
        d.asked.len()
    );
    let which = std::env::var("LEARN_MODEL").unwrap_or_default();
    for choice in [ModelChoice::Minilm, ModelChoice::Fused] {
        if !which.is_empty() && which != choice.as_str() {
            continue;
        }
        let embedder = common::chosen(choice);
        let started = Instant::now();
        let table: BTreeMap<String, Vec<f32>> =
            texts.iter().cloned().zip(embed_all(embedder.as_ref(), &texts)).collect();
        let dim = embedder.info().dimension;
        let scoring = choice.scoring();
        println!("\n{}: {} texts embedded in {:.0} s\n", choice.as_str(), texts.len(), started.elapsed().as_secs_f64());
        println!("| method | training s | guard held-out top-1 | asked top-1 | answered precision | answered share |");
        println!("| --- | ---: | ---: | ---: | ---: | ---: |");
        row("base model", 0.0, &evaluate(&d, &table, dim, &scoring));
        let train_vectors: Vec<Vec<f32>> = d.set.train.iter().map(|t| table[t].clone()).collect();
        for epochs in [2, 8, 16, 32] {
            for lr in [2e-3, 5e-3] {
                let options = TrainOptions { epochs, learning_rate: lr, ..TrainOptions::default() };
                let started = Instant::now();
                let a = adapter::train(&d.set.examples, &train_vectors, &options, &mut |_| true).expect("train");
                let seconds = started.elapsed().as_secs_f64();
                row(&format!("adapter, {epochs} epochs, lr {lr}"), seconds, &evaluate(&d, &adapted(&table, &a), dim, &scoring));
            }
        }
        asks_while_training(embedder.as_ref(), &d, &train_vectors);
        if choice == ModelChoice::Minilm && std::env::var("LEARN_LAYERS").as_deref() != Ok("0") {
            let minilm = common::embedder();
            for (top, lr) in [(1, 1e-4), (2, 5e-5), (6, 3e-5)] {
                let trained = TopLayers::new(&minilm, top).expect("layers");
                let started = Instant::now();
                let frozen = trained.freeze(&d.set.train).expect("freeze");
                let options = TrainOptions { epochs: 1, batch: 32, learning_rate: lr, weight_decay: 0.01, seed: 17 };
                layers::train(&trained, &frozen, &d.set.examples, &train_vectors, &options, &mut |_| true)
                    .expect("train");
                let seconds = started.elapsed().as_secs_f64();
                let all = trained.freeze(&texts).expect("freeze all");
                let vectors = trained.embed_all(&all).expect("embed");
                let table: BTreeMap<String, Vec<f32>> = texts.iter().cloned().zip(vectors).collect();
                row(&format!("top {top} layers, 1 epoch, lr {lr}"), seconds, &evaluate(&d, &table, dim, &scoring));
            }
        }
    }
}
