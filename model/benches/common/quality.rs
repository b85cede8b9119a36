//! Matching quality helpers shared by the benches: the Banking77 split, an index over a split's
//! knowledge, predictions, top-1, and the calibration of the answer thresholds.

use std::collections::BTreeMap;

use model::learning::guard;
use model::matching::{Index, PointDoc, Scoring};

use super::{banking_by_intent, manifest_dir, shuffle};

pub const SEED: u64 = 77;

pub struct Split {
    /// intent → knowledge texts (first is the typical question)
    pub knowledge: BTreeMap<String, Vec<String>>,
    /// (question, intent)
    pub asked: Vec<(String, String)>,
}

pub fn banking_split() -> Split {
    let by_intent = banking_by_intent();
    let mut split = Split { knowledge: BTreeMap::new(), asked: Vec::new() };
    for (i, (intent, mut texts)) in by_intent.into_iter().enumerate() {
        shuffle(&mut texts, SEED + i as u64);
        let cut = texts.len() / 5;
        for t in texts.drain(..cut) {
            split.asked.push((t, intent.clone()));
        }
        split.knowledge.insert(intent, texts);
    }
    shuffle(&mut split.asked, SEED);
    split
}

pub fn build(
    knowledge: &BTreeMap<String, Vec<String>>,
    vectors: &BTreeMap<String, Vec<Vec<f32>>>,
    dim: usize,
    skip: &[&str],
) -> Index {
    let docs: Vec<PointDoc> = knowledge
        .iter()
        .enumerate()
        .filter(|(_, (intent, _))| !skip.contains(&intent.as_str()))
        .map(|(i, (intent, texts))| PointDoc {
            knowledge_id: i as i32,
            category: intent.clone(),
            question: texts[0].clone(),
            answer: String::new(),
            answers: Default::default(),
            related: Vec::new(),
            texts: texts.clone(),
            vectors: model::matching::Rows::new(&vectors[intent]),
            counters: model::matching::Rows::default(),
        })
        .collect();
    Index::build(&docs, dim)
}

/// (predicted intent, top score, margin) per asked question.
pub fn predictions(
    index: &Index,
    asked: &[(String, String)],
    vectors: &[Vec<f32>],
    scoring: &Scoring,
) -> Vec<(String, f32, f32)> {
    asked
        .iter()
        .zip(vectors)
        .map(|((q, _), v)| {
            let r = index.rank(v, q, scoring, 2).expect("ranking");
            let top = r[0];
            let margin = top.score - r.get(1).map(|s| s.score).unwrap_or(0.0);
            (index.points()[top.point].category.clone(), top.score, margin)
        })
        .collect()
}

pub fn top1(preds: &[(String, f32, f32)], asked: &[(String, String)]) -> f64 {
    preds.iter().zip(asked).filter(|(p, (_, t))| &p.0 == t).count() as f64 / asked.len() as f64
}

fn intents(truth: &[(String, String)]) -> Vec<String> {
    truth.iter().map(|(_, intent)| intent.clone()).collect()
}

/// (precision of answered, share answered) at the thresholds: the product's guard's arithmetic.
pub fn answered(
    preds: &[(String, f32, f32)],
    truth: &[(String, String)],
    score: f32,
    margin: f32,
) -> (f64, f64) {
    guard::answered(preds, &intents(truth), score, margin)
}

/// The thresholds answering the most with precision >= the guard's 98% on these questions (none
/// reach it: answer nothing).
pub fn calibrate(preds: &[(String, f32, f32)], truth: &[(String, String)]) -> (f32, f32, f64, f64) {
    guard::calibrate(preds, &intents(truth)).unwrap_or((1.0, 0.0, 1.0, 0.0))
}

/// The Chinese call-centre set (`benches/data/zh-callcentre.csv`, see its README): each
/// topic's first phrasings become its knowledge, the rest are asked.
const ZH_KNOWN: usize = 4;

pub fn zh_topics() -> BTreeMap<String, Vec<String>> {
    let path = manifest_dir().join("benches/data/zh-callcentre.csv");
    let mut topics: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).records() {
        let r = r.expect("csv row");
        topics.entry(r[0].to_string()).or_default().push(r[1].trim().to_string());
    }
    topics
}

pub fn zh_split(topics: &BTreeMap<String, Vec<String>>) -> Split {
    let mut split = Split { knowledge: BTreeMap::new(), asked: Vec::new() };
    for (topic, texts) in topics {
        split.knowledge.insert(topic.clone(), texts[..ZH_KNOWN].to_vec());
        split.asked.extend(texts[ZH_KNOWN..].iter().map(|t| (t.clone(), topic.clone())));
    }
    shuffle(&mut split.asked, 7);
    split
}
