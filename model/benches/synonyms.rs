//! What a synonym list does for matching in Chinese. The list (`benches/data/zh-synonyms.csv`)
//! was written by hand from the Chinese call-centre set's topics of even rank only: for each
//! colloquial or alternative word a customer used there, the word its typical question uses
//! (咋 → 怎么, 腕表 → 手表, 储蓄卡 → 银行卡, …). Top-1 and answered precision/share are reported on
//! the topics of odd rank, which the list was not written from (each topic's first 4 phrasings
//! are the knowledge, the other 4 are asked; the knowledge holds every topic), with the served
//! model and its thresholds, with and without the list; and how many Banking77 texts the list
//! rewrites (an English bot is unaffected when none is).
//!
//! `cargo bench -p model --bench synonyms`

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use common::embed_all;
use common::quality::{answered, banking_split, build, predictions, top1, zh_split, zh_topics};
use model::synonyms::{Dictionary, WithSynonyms};
use model::views::SynonymEntry;
use model::{Embedder, ModelChoice};

fn dictionary() -> Dictionary {
    let path = common::manifest_dir().join("benches/data/zh-synonyms.csv");
    let mut entries = Vec::new();
    for r in csv::Reader::from_path(&path).expect("zh-synonyms.csv").records() {
        let r = r.expect("row");
        entries.push(SynonymEntry {
            canonical: r[0].to_string(),
            variants: r[1].split('|').map(str::to_string).collect(),
        });
    }
    model::synonyms::check(&entries).expect("a valid dictionary");
    Dictionary::new(&entries)
}

fn main() {
    let base = common::chosen(ModelChoice::Fused);
    let scoring = ModelChoice::Fused.scoring();
    let dictionary = Arc::new(dictionary());
    let with: Arc<dyn Embedder> = Arc::new(WithSynonyms::new(base.clone(), dictionary.clone()));
    let topics = zh_topics();
    let rank: BTreeMap<&String, usize> = topics.keys().enumerate().map(|(i, t)| (t, i)).collect();
    let zh = zh_split(&topics);
    let report: Vec<(String, String)> = zh.asked.iter().filter(|(_, t)| rank[t] % 2 == 1).cloned().collect();
    let rewritten = report.iter().filter(|(q, _)| dictionary.apply(q) != q.as_str()).count();
    println!("Chinese call-centre set, odd topics: {} questions asked, {rewritten} of them rewritten by the list.\n", report.len());
    println!("| | top-1 | answered precision | answered |");
    println!("|---|---|---|---|");
    for (label, embedder) in [("without synonyms", &base), ("with the list", &with)] {
        eprintln!("embedding {label}…");
        let known: BTreeMap<String, Vec<Vec<f32>>> =
            zh.knowledge.iter().map(|(k, texts)| (k.clone(), embed_all(embedder.as_ref(), texts))).collect();
        // The lexical side reads what the model reads.
        let knowledge: BTreeMap<String, Vec<String>> = zh
            .knowledge
            .iter()
            .map(|(k, texts)| (k.clone(), texts.iter().map(|t| embedder.rewrite(t).into_owned()).collect()))
            .collect();
        let index = build(&knowledge, &known, embedder.info().dimension, &[]);
        let asked: Vec<(String, String)> =
            report.iter().map(|(q, t)| (embedder.rewrite(q).into_owned(), t.clone())).collect();
        let vectors = embed_all(embedder.as_ref(), &asked.iter().map(|(q, _)| q.clone()).collect::<Vec<_>>());
        let preds = predictions(&index, &asked, &vectors, &scoring);
        let (s, m) = scoring.answer_bar("中文");
        let (precision, share) = answered(&preds, &asked, s, m);
        println!(
            "| {label} | {:.1}% | {:.1}% | {:.1}% |",
            100.0 * top1(&preds, &asked),
            100.0 * precision,
            100.0 * share
        );
    }
    let en = banking_split();
    let texts: Vec<&String> =
        en.knowledge.values().flatten().chain(en.asked.iter().map(|(q, _)| q)).collect();
    let touched = texts.iter().filter(|t| dictionary.apply(t) != t.as_str()).count();
    println!("\nBanking77: {touched} of {} texts rewritten by the list.", texts.len());
}
