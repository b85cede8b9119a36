//! Answer thresholds per script for the model botcoach serves (`fused`). Chinese questions get
//! their own (score, margin) pair, chosen on the Chinese demo knowledge (`demo/telecom-zh.json`:
//! each phrasing asked against the knowledge without it) as the pair answering the most at ≥ 98%
//! precision (the learning guard's arithmetic), and reported on the Chinese call-centre set,
//! which it was not chosen on (each topic's first 4 phrasings are the knowledge, the other 4 are
//! asked: the set's own split, see `benches/data/README.md`). Reported beside the single pair
//! shipped before for both scripts, and for questions the knowledge cannot answer (half of the
//! topics left out of the knowledge, each half in turn): how many get `answered`. English keeps
//! its pair: Banking77 (the matching bench's split) is decided the same.
//!
//! `cargo bench -p model --bench script_thresholds`

mod common;

use std::collections::BTreeMap;

use common::embed_all;
use common::quality::{answered, banking_split, build, calibrate, predictions, zh_split, zh_topics, Split};
use model::learning::data::{self, PointTexts};
use model::learning::{adapter, guard, TrainOptions};
use model::matching::{Outcome, Scoring};
use model::{Embedder, ModelChoice};

fn vectors_of(split: &Split, embedder: &dyn Embedder) -> (BTreeMap<String, Vec<Vec<f32>>>, Vec<Vec<f32>>) {
    let known = split.knowledge.iter().map(|(k, texts)| (k.clone(), embed_all(embedder, texts))).collect();
    let asked: Vec<String> = split.asked.iter().map(|(q, _)| q.clone()).collect();
    (known, embed_all(embedder, &asked))
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// Share of `asked` (whose topics the index lacks) that `scoring` answers.
fn wrongly_answered(
    index: &model::matching::Index,
    asked: &[(&(String, String), &Vec<f32>)],
    scoring: &Scoring,
) -> f64 {
    let n = asked
        .iter()
        .filter(|((q, _), v)| {
            scoring.decide(q, &index.rank(v, q, scoring, 5).expect("ranking")) == Outcome::Answered
        })
        .count();
    n as f64 / asked.len().max(1) as f64
}

/// The demo's Chinese points, each phrasing asked against the knowledge without it:
/// (predicted point, top score, lead) and the point it belongs to.
fn demo_predictions(
    embedder: &dyn Embedder,
    scoring: &Scoring,
) -> (Vec<(String, f32, f32)>, Vec<(String, String)>) {
    let path = common::manifest_dir().join("../demo/telecom-zh.json");
    let points: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("demo/telecom-zh.json")).expect("json");
    let mut knowledge: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (i, p) in points.iter().enumerate() {
        let mut texts = vec![p["question"].as_str().expect("question").to_string()];
        texts.extend(
            p["phrasings"].as_array().into_iter().flatten().filter_map(|t| t.as_str()).map(str::to_string),
        );
        knowledge.insert(format!("p{i:03}"), texts);
    }
    let vectors: BTreeMap<String, Vec<Vec<f32>>> =
        knowledge.iter().map(|(k, texts)| (k.clone(), embed_all(embedder, texts))).collect();
    let (mut preds, mut truth) = (Vec::new(), Vec::new());
    for (point, texts) in &knowledge {
        for left_out in 1..texts.len() {
            let mut without = knowledge.clone();
            let mut rows = vectors.clone();
            without.get_mut(point).expect("point").remove(left_out);
            rows.get_mut(point).expect("point").remove(left_out);
            let index = build(&without, &rows, embedder.info().dimension, &[]);
            let asked = [(texts[left_out].clone(), point.clone())];
            preds.extend(predictions(&index, &asked, &vectors[point][left_out..=left_out], scoring));
            truth.extend(asked);
        }
    }
    (preds, truth)
}

/// The table of one model over the Chinese call-centre set: per thresholds pair, answered
/// precision and share, and how many questions of topics the knowledge lacks get answered.
fn chinese_table(
    zh: &Split,
    topics: &BTreeMap<String, Vec<String>>,
    known: &BTreeMap<String, Vec<Vec<f32>>>,
    asked_vectors: &[Vec<f32>],
    dim: usize,
    pairs: &[(&str, Scoring)],
) {
    let rank: BTreeMap<&String, usize> = topics.keys().enumerate().map(|(i, t)| (t, i)).collect();
    let index = build(&zh.knowledge, known, dim, &[]);
    println!("| thresholds for Chinese (score, margin) | answered precision | answered | unknown topics answered |");
    println!("|---|---|---|---|");
    for (label, scoring) in pairs {
        let preds = predictions(&index, &zh.asked, asked_vectors, scoring);
        let (s, m) = scoring.answer_bar("中文");
        let (precision, share) = answered(&preds, &zh.asked, s, m);
        // Each half of the topics left out of the knowledge in turn: any answer is a wrong one.
        let mut wrong = 0.0;
        for half in 0..2 {
            let left_out: Vec<&str> =
                topics.keys().filter(|t| rank[t] % 2 == half).map(String::as_str).collect();
            let partial = build(&zh.knowledge, known, dim, &left_out);
            let unknown: Vec<(&(String, String), &Vec<f32>)> =
                zh.asked.iter().zip(asked_vectors).filter(|((_, t), _)| rank[t] % 2 == half).collect();
            wrong += wrongly_answered(&partial, &unknown, scoring) / 2.0;
        }
        println!("| {label}: ({s:.3}, {m:.3}) | {} | {} | {} |", pct(precision), pct(share), pct(wrong));
    }
}

fn main() {
    let embedder = common::chosen(ModelChoice::Fused);
    let shipped = ModelChoice::Fused.scoring();
    let single = Scoring {
        answer_score_cjk: shipped.answer_score,
        answer_margin_cjk: shipped.answer_margin,
        ..shipped
    };
    let dim = embedder.info().dimension;
    eprintln!("choosing the Chinese pair on the demo knowledge…");
    let (demo_preds, demo_truth) = demo_predictions(embedder.as_ref(), &shipped);
    let (score, margin, tune_precision, tune_share) = calibrate(&demo_preds, &demo_truth);
    println!(
        "Chosen on the demo ({} phrasings asked): ({score:.2}, {margin:.2}), {} precision at {} answered there \
         (the single pair: {} at {}).\n",
        demo_truth.len(),
        pct(tune_precision),
        pct(tune_share),
        pct(answered(&demo_preds, &demo_truth, single.answer_score, single.answer_margin).0),
        pct(answered(&demo_preds, &demo_truth, single.answer_score, single.answer_margin).1),
    );
    let per_script = Scoring { answer_score_cjk: score, answer_margin_cjk: margin, ..shipped };

    let topics = zh_topics();
    let zh = zh_split(&topics);
    eprintln!("embedding the Chinese call-centre set…");
    let (known, asked_vectors) = vectors_of(&zh, embedder.as_ref());
    let pairs = [("one pair for both scripts (before)", single), ("the Chinese pair", per_script)];
    println!("Chinese call-centre set, {} questions asked:\n", zh.asked.len());
    chinese_table(&zh, &topics, &known, &asked_vectors, dim, &pairs);

    // After a learning run: the shipped adapter settings trained on the set's knowledge (minus
    // the phrasings the promotion guard holds out), each pair shifted as the guard shifts the
    // serving thresholds for a learned version. The asked questions are still only reported on.
    let points: Vec<PointTexts> = zh
        .knowledge
        .keys()
        .enumerate()
        .map(|(i, topic)| PointTexts {
            knowledge_id: i as i32,
            category: topic.clone(),
            texts: zh.knowledge[topic].clone(),
            counter_examples: Vec::new(),
        })
        .collect();
    let set = data::split(points, Vec::new());
    let table: BTreeMap<&String, &Vec<f32>> =
        zh.knowledge.iter().flat_map(|(t, texts)| texts.iter().zip(&known[t])).collect();
    let held_out = |apply: &dyn Fn(&Vec<f32>) -> Vec<f32>| {
        let known_points = set.known();
        let vectors: Vec<Vec<f32>> =
            known_points.iter().flat_map(|p| &p.texts).map(|t| apply(table[t])).collect();
        let held: Vec<Vec<f32>> = set.held_out.iter().map(|t| apply(table[t])).collect();
        let preds = guard::predict(&guard::index(&known_points, &vectors), &set.held_out, &held, &shipped)
            .expect("ranking");
        guard::score(&preds, &set.held_out_truth)
    };
    let train: Vec<Vec<f32>> = set.train.iter().map(|t| table[t].clone()).collect();
    let adapter =
        adapter::train(&set.examples, &set.counters, &train, &TrainOptions::default(), &mut |_| true)
            .expect("train");
    let (before, after) = (held_out(&|v| v.clone()), held_out(&|v| adapter.apply(v)));
    let verdict = guard::verdict(&after, &before).map_or("promoted", |why| why.as_str());
    let learned_known: BTreeMap<String, Vec<Vec<f32>>> =
        known.iter().map(|(t, vs)| (t.clone(), vs.iter().map(|v| adapter.apply(v)).collect())).collect();
    let learned_asked: Vec<Vec<f32>> = asked_vectors.iter().map(|v| adapter.apply(v)).collect();
    let learned_pairs = pairs.map(|(label, s)| (label, guard::shifted(&s, &before, &after)));
    println!(
        "\nAfter a learning run ({} training texts, {} held out; guard: {verdict}; thresholds shifted by {:+.3}):\n",
        set.train.len(),
        set.held_out.len(),
        learned_pairs[0].1.answer_score - single.answer_score
    );
    chinese_table(&zh, &topics, &learned_known, &learned_asked, dim, &learned_pairs);

    // English keeps its pair: the decisions on Banking77 are the same with and without it.
    eprintln!("embedding Banking77…");
    let en = banking_split();
    let (known, asked_vectors) = vectors_of(&en, embedder.as_ref());
    let index = build(&en.knowledge, &known, dim, &[]);
    let (mut same, mut n) = (0usize, 0usize);
    for ((q, _), v) in en.asked.iter().zip(&asked_vectors) {
        let ranked = index.rank(v, q, &shipped, 5).expect("ranking");
        same += usize::from(shipped.decide(q, &ranked) == single.decide(q, &ranked));
        n += 1;
    }
    let preds = predictions(&index, &en.asked, &asked_vectors, &shipped);
    let (precision, share) = answered(&preds, &en.asked, shipped.answer_score, shipped.answer_margin);
    println!(
        "\nBanking77 ({n} questions): {same} decided the same with the Chinese pair in place; answered precision {} at {} answered.",
        pct(precision),
        pct(share)
    );
}
