//! What trainers' "wrong point" decisions buy on Banking77's confusions, with the shipped model
//! (fused) and its shipped thresholds. The 1,970 asked questions (none in the knowledge, as the
//! matching bench splits them) are cut by position: each even one whose top point is wrong is
//! worked as a trainer works a rejected answer — a phrasing of the right point and, when
//! counter-examples are on, a counter-example of the point that came first. The odd questions are
//! only reported on: nothing here trains or chooses on them.
//!
//! Side by side, one run: the base (no decisions), the decisions as links only, and links with
//! counter-examples; each served as published (counter-examples through the matcher's rule) and
//! after a learning run (the shipped adapter settings; counter-examples as hard negatives).
//!
//! Run: `cargo bench -p model --bench counter_examples`

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use common::embed_all;
use common::quality::banking_split;
use model::learning::data::{self, PointTexts};
use model::learning::{adapter, Adapter, TrainOptions};
use model::matching::{Index, Outcome, PointDoc, Rows, Scoring};
use model::ModelChoice;

/// intent → (texts, counter-examples)
type Knowledge = BTreeMap<String, (Vec<String>, Vec<String>)>;

fn index(knowledge: &Knowledge, table: &BTreeMap<String, Vec<f32>>, dim: usize) -> Index {
    let rows = |texts: &[String]| -> Vec<Vec<f32>> { texts.iter().map(|t| table[t].clone()).collect() };
    let docs: Vec<PointDoc> = knowledge
        .iter()
        .enumerate()
        .map(|(i, (intent, (texts, counters)))| PointDoc {
            knowledge_id: i as i32,
            category: intent.clone(),
            question: texts[0].clone(),
            answer: String::new(),
            answers: Default::default(),
            related: Vec::new(),
            texts: texts.clone(),
            vectors: Rows::new(&rows(texts)),
            counters: Rows::new(&rows(counters)),
        })
        .collect();
    Index::build(&docs, dim)
}

/// (top intent, outcome) per question.
fn decide(
    index: &Index,
    asked: &[(String, String)],
    table: &BTreeMap<String, Vec<f32>>,
    scoring: &Scoring,
) -> Vec<(String, Outcome)> {
    asked
        .iter()
        .map(|(q, _)| {
            let ranked = index.rank(&table[q], q, scoring, 5).expect("ranking");
            (index.points()[ranked[0].point].category.clone(), scoring.decide(q, &ranked))
        })
        .collect()
}

struct Report {
    top1: f64,
    precision: f64,
    share: f64,
    /// Questions answered with a point other than their own.
    wrong_answers: usize,
    /// Questions whose (own point, top point) is a confusion a decision named.
    repeats: usize,
}

fn report(
    got: &[(String, Outcome)],
    asked: &[(String, String)],
    confusions: &BTreeSet<(String, String)>,
) -> Report {
    let n = asked.len() as f64;
    let right = |(g, (_, t)): &(&(String, Outcome), &(String, String))| &g.0 == t;
    let pairs = || got.iter().zip(asked);
    let answered: Vec<_> = pairs().filter(|(g, _)| g.1 == Outcome::Answered).collect();
    Report {
        top1: pairs().filter(right).count() as f64 / n,
        precision: answered.iter().filter(|p| right(p)).count() as f64 / answered.len().max(1) as f64,
        share: answered.len() as f64 / n,
        wrong_answers: answered.iter().filter(|p| !right(p)).count(),
        repeats: pairs().filter(|(g, (_, t))| confusions.contains(&(t.clone(), g.0.clone()))).count(),
    }
}

fn row(name: &str, r: &Report) {
    println!(
        "| {name} | {:.2}% | {:.2}% | {:.2}% | {} | {} |",
        100.0 * r.top1,
        100.0 * r.precision,
        100.0 * r.share,
        r.wrong_answers,
        r.repeats
    );
}

fn learn(knowledge: &Knowledge, table: &BTreeMap<String, Vec<f32>>) -> (Adapter, f64) {
    let points: Vec<PointTexts> = knowledge
        .iter()
        .enumerate()
        .map(|(i, (intent, (texts, counters)))| PointTexts {
            knowledge_id: i as i32,
            category: intent.clone(),
            texts: texts.clone(),
            counter_examples: counters.clone(),
        })
        .collect();
    let set = data::split(points, Vec::new());
    let vectors: Vec<Vec<f32>> = set.train.iter().map(|t| table[t].clone()).collect();
    let started = Instant::now();
    let a = adapter::train(&set.examples, &set.counters, &vectors, &TrainOptions::default(), &mut |_| true)
        .expect("train");
    (a, started.elapsed().as_secs_f64())
}

fn main() {
    let split = banking_split();
    let choice = ModelChoice::Fused;
    let (embedder, scoring) = (common::chosen(choice), choice.scoring());
    let dim = embedder.info().dimension;
    let mut texts: Vec<String> = split.knowledge.values().flatten().cloned().collect();
    texts.extend(split.asked.iter().map(|(q, _)| q.clone()));
    texts.sort();
    texts.dedup();
    let started = Instant::now();
    let base_table: BTreeMap<String, Vec<f32>> =
        texts.iter().cloned().zip(embed_all(embedder.as_ref(), &texts)).collect();
    let (seen, reported): (Vec<_>, Vec<_>) =
        split.asked.iter().cloned().enumerate().partition(|(i, _)| i % 2 == 0);
    let seen: Vec<(String, String)> = seen.into_iter().map(|(_, a)| a).collect();
    let reported: Vec<(String, String)> = reported.into_iter().map(|(_, a)| a).collect();

    let plain: Knowledge =
        split.knowledge.iter().map(|(i, t)| (i.clone(), (t.clone(), Vec::new()))).collect();
    let base_index = index(&plain, &base_table, dim);
    let mut linked = plain.clone();
    let mut countered = plain.clone();
    let mut confusions = BTreeSet::new();
    for ((q, truth), (top, _)) in seen.iter().zip(decide(&base_index, &seen, &base_table, &scoring)) {
        if &top != truth {
            confusions.insert((truth.clone(), top.clone()));
            for k in [&mut linked, &mut countered] {
                k.get_mut(truth).expect("intent").0.push(q.clone());
            }
            countered.get_mut(&top).expect("intent").1.push(q.clone());
        }
    }
    let decisions: usize = countered.values().map(|(_, c)| c.len()).sum();
    println!(
        "Banking77, {}: {} texts embedded in {:.0} s; {} questions seen, {} of them on a wrong top point \
         ({} distinct confusions) worked as decisions; {} questions reported on\n",
        choice.as_str(),
        texts.len(),
        started.elapsed().as_secs_f64(),
        seen.len(),
        decisions,
        confusions.len(),
        reported.len()
    );
    println!("| knowledge | top-1 | answered precision | answered | wrong answers | same confusion again |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    let served = |k: &Knowledge, table: &BTreeMap<String, Vec<f32>>| {
        report(&decide(&index(k, table, dim), &reported, table, &scoring), &reported, &confusions)
    };
    row("base", &served(&plain, &base_table));
    row("links", &served(&linked, &base_table));
    row("links + counter-examples", &served(&countered, &base_table));
    for (name, k) in [("links", &linked), ("links + counter-examples", &countered)] {
        let (a, seconds) = learn(k, &base_table);
        let table: BTreeMap<String, Vec<f32>> =
            base_table.iter().map(|(t, v)| (t.clone(), a.apply(v))).collect();
        row(&format!("{name}, after learning ({seconds:.0} s)"), &served(k, &table));
    }
}
