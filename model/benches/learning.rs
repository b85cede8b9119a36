//! Which way of learning from the trainers' labels wins per minute of CPU: an adapter on top of
//! the model (what ships), the encoder's top layers, or all of them. Banking77's `train.csv`
//! split as the matching bench does (8,033 knowledge texts in 77 points, 1,970 questions asked).
//! Every run trains on the knowledge texts minus the held-out phrasings the promotion guard keeps
//! (`learning::data`); settings are chosen on those held-out phrasings; top-1 and answered
//! precision / share are reported on the asked questions, which nothing here trains or chooses
//! on (thresholds calibrated on the first half of them, reported on the second, as in the
//! matching bench).
//!
//! Run: `cargo bench -p model --bench learning` (`LEARN_MODEL=minilm|fused|zh`, default all;
//! `LEARN_LAYERS=0` skips the encoder runs, which take minutes each).

mod common;

use std::collections::BTreeMap;
use std::time::Instant;

use common::embed_all;
use common::quality::{
    answered, banking_split, build, calibrate, predictions, top1, zh_split, zh_topics, Split,
};
use model::learning::data::{self, PointTexts};
use model::learning::layers::{self, TopLayers};
use model::learning::{adapter, guard, Adapter, TrainOptions};
use model::matching::Scoring;
use model::ModelChoice;

struct Data {
    set: data::TrainingSet,
    knowledge: BTreeMap<String, Vec<String>>,
    asked: Vec<(String, String)>,
}

fn data(split: Split) -> Data {
    let points: Vec<PointTexts> = split
        .knowledge
        .iter()
        .enumerate()
        .map(|(i, (intent, texts))| PointTexts {
            knowledge_id: i as i32,
            category: intent.clone(),
            texts: texts.clone(),
            counter_examples: Vec::new(),
        })
        .collect();
    Data { set: data::split(points, Vec::new()), knowledge: split.knowledge, asked: split.asked }
}

/// Scores of one set of vectors: the guard's on the held-out phrasings, and on the asked
/// questions.
struct Scores {
    held_out: model::views::HeldOutScores,
    top1: f64,
    precision: f64,
    share: f64,
}

fn evaluate(d: &Data, table: &BTreeMap<String, Vec<f32>>, dim: usize, scoring: &Scoring) -> Scores {
    // The guard's view: the knowledge without its held-out phrasings.
    let known = d.set.known();
    let vectors: Vec<Vec<f32>> = known.iter().flat_map(|p| &p.texts).map(|t| table[t].clone()).collect();
    let index = guard::index(&known, &vectors);
    let held: Vec<Vec<f32>> = d.set.held_out.iter().map(|t| table[t].clone()).collect();
    let preds = guard::predict(&index, &d.set.held_out, &held, scoring).expect("ranking");
    let held_out = guard::score(&preds, &d.set.held_out_truth);
    // The product's view after promotion: every knowledge text, the customers' questions.
    let vectors: BTreeMap<String, Vec<Vec<f32>>> = d
        .knowledge
        .iter()
        .map(|(i, ts)| (i.clone(), ts.iter().map(|t| table[t].clone()).collect()))
        .collect();
    let index = build(&d.knowledge, &vectors, dim, &[]);
    let asked_vectors: Vec<Vec<f32>> = d.asked.iter().map(|(q, _)| table[q].clone()).collect();
    let preds = predictions(&index, &d.asked, &asked_vectors, scoring);
    let half = d.asked.len() / 2;
    let (s, m, _, _) = calibrate(&preds[..half], &d.asked[..half]);
    let (precision, share) = answered(&preds[half..], &d.asked[half..], s, m);
    Scores { held_out, top1: top1(&preds, &d.asked), precision, share }
}

fn row(name: &str, seconds: f64, s: &Scores, base: &Scores) {
    let verdict = match guard::verdict(&s.held_out, &base.held_out) {
        None => "promoted".to_string(),
        Some(why) => why.as_str().to_string(),
    };
    println!(
        "| {name} | {seconds:.1} | {:.2}% / {:.2}% / {:.2}% | {verdict} | {:.2}% | {:.2}% | {:.2}% |",
        100.0 * s.held_out.top1,
        100.0 * s.held_out.share,
        100.0 * s.held_out.precision,
        100.0 * s.top1,
        100.0 * s.precision,
        100.0 * s.share
    );
}

fn adapted(table: &BTreeMap<String, Vec<f32>>, a: &Adapter) -> BTreeMap<String, Vec<f32>> {
    table.iter().map(|(t, v)| (t.clone(), a.apply(v))).collect()
}

fn d_zh() -> Data {
    data(zh_split(&zh_topics()))
}

/// The Chinese call-centre set with the shipped model (`fused`: centred e5 for Chinese): the
/// shipped adapter settings, trained on each topic's knowledge phrasings minus the held-out ones,
/// asked the other four phrasings of each topic.
fn chinese(d: &Data) {
    let embedder = common::chosen(ModelChoice::Fused);
    let mut texts: Vec<String> = d.knowledge.values().flatten().cloned().collect();
    texts.extend(d.asked.iter().map(|(q, _)| q.clone()));
    let table: BTreeMap<String, Vec<f32>> =
        texts.iter().cloned().zip(embed_all(embedder.as_ref(), &texts)).collect();
    let (dim, scoring) = (embedder.info().dimension, ModelChoice::Fused.scoring());
    println!(
        "Chinese call-centre set, fused: {} training texts, {} held out, {} asked\n",
        d.set.train.len(),
        d.set.held_out.len(),
        d.asked.len()
    );
    println!("| method | training s | held-out top-1 / answered / precision | guard | asked top-1 | answered precision | answered share |");
    println!("| --- | ---: | ---: | --- | ---: | ---: | ---: |");
    let base = evaluate(d, &table, dim, &scoring);
    row("base model", 0.0, &base, &base);
    let train_vectors: Vec<Vec<f32>> = d.set.train.iter().map(|t| table[t].clone()).collect();
    for epochs in [8, 32] {
        let options = TrainOptions { epochs, ..TrainOptions::default() };
        let started = Instant::now();
        let a = adapter::train(&d.set.examples, &d.set.counters, &train_vectors, &options, &mut |_| true)
            .expect("train");
        let seconds = started.elapsed().as_secs_f64();
        row(
            &format!("adapter, {epochs} epochs"),
            seconds,
            &evaluate(d, &adapted(&table, &a), dim, &scoring),
            &base,
        );
    }
}

/// What a run costs the bot: questions embedded one by one (as asks are) with nothing else
/// running, then while the shipped training runs over and over on its thread (as
/// `Services::learn` runs it: one thread, lowest priority, pausing between steps while anything
/// is embedded), the two measured back to back,
/// three times each; and the peak memory of the process so far.
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
                let pool = model::learning::training_pool().expect("pool");
                while !stop.load(Ordering::Relaxed) {
                    pool.install(|| {
                        adapter::train(
                            &d.set.examples,
                            &d.set.counters,
                            vectors,
                            &TrainOptions::default(),
                            &mut |_| {
                                model::learning::yield_to_asks();
                                !stop.load(Ordering::Relaxed)
                            },
                        )
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
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_string())
        })
        .and_then(|kb| kb.parse::<f64>().ok())
        .unwrap_or(0.0);
    println!(
        "\nasks embedded one by one: {i:.1}/s idle, {b:.1}/s while training ({:.0}%); peak RSS so far {:.0} MB\n",
        100.0 * b / i,
        peak / 1024.0
    );
}

fn main() {
    let which = std::env::var("LEARN_MODEL").unwrap_or_default();
    let d = data(banking_split());
    if which.is_empty() || which == "fused" || which == "zh" {
        chinese(&d_zh());
    }
    if which == "zh" {
        return;
    }
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
        println!(
            "\n{}: {} texts embedded in {:.0} s\n",
            choice.as_str(),
            texts.len(),
            started.elapsed().as_secs_f64()
        );
        println!("| method | training s | held-out top-1 / answered / precision | guard | asked top-1 | answered precision | answered share |");
        println!("| --- | ---: | ---: | --- | ---: | ---: | ---: |");
        let base = evaluate(&d, &table, dim, &scoring);
        row("base model", 0.0, &base, &base);
        let train_vectors: Vec<Vec<f32>> = d.set.train.iter().map(|t| table[t].clone()).collect();
        for epochs in [2, 8, 16] {
            for (lr, scale) in [(5e-4, 5.0), (2e-3, 5.0), (5e-4, 20.0), (2e-3, 20.0)] {
                let options = TrainOptions { epochs, learning_rate: lr, scale, ..TrainOptions::default() };
                let started = Instant::now();
                let a =
                    adapter::train(&d.set.examples, &d.set.counters, &train_vectors, &options, &mut |_| true)
                        .expect("train");
                let seconds = started.elapsed().as_secs_f64();
                let name = format!("adapter, {epochs} epochs, lr {lr}, scale {scale}");
                row(&name, seconds, &evaluate(&d, &adapted(&table, &a), dim, &scoring), &base);
            }
        }
        asks_while_training(embedder.as_ref(), &d, &train_vectors);
        if choice == ModelChoice::Minilm && std::env::var("LEARN_LAYERS").as_deref() != Ok("0") {
            let minilm = common::embedder();
            for (top, lr) in [(1, 1e-4), (2, 5e-5), (6, 3e-5)] {
                let trained = TopLayers::new(&minilm, top).expect("layers");
                let started = Instant::now();
                let frozen = trained.freeze(&d.set.train).expect("freeze");
                let options =
                    TrainOptions { epochs: 1, batch: 32, learning_rate: lr, ..TrainOptions::default() };
                layers::train(
                    &trained,
                    &frozen,
                    &d.set.examples,
                    &d.set.counters,
                    &train_vectors,
                    &options,
                    &mut |_| true,
                )
                .expect("train");
                let seconds = started.elapsed().as_secs_f64();
                let all = trained.freeze(&texts).expect("freeze all");
                let vectors = trained.embed_all(&all).expect("embed");
                let table: BTreeMap<String, Vec<f32>> = texts.iter().cloned().zip(vectors).collect();
                row(
                    &format!("top {top} layers, 1 epoch, lr {lr}"),
                    seconds,
                    &evaluate(&d, &table, dim, &scoring),
                    &base,
                );
            }
        }
    }
}
