//! The embedder must reproduce sentence-transformers' vectors for the same model folder
//! (`../shared/data/reference-embeddings`, made with sentence-transformers 6.2).

mod common;

use model::embedding::cosine;
use model::Embedder;

#[derive(serde::Deserialize)]
struct Reference {
    text: String,
    embedding: Vec<f32>,
}

fn references() -> Vec<Reference> {
    let path = common::shared_dir().join("data/reference-embeddings/all-MiniLM-L6-v2.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn assert_matches(refs: &[Reference], got: &[Vec<f32>], how: &str) {
    assert_eq!(got.len(), refs.len());
    for (r, v) in refs.iter().zip(got) {
        assert_eq!(v.len(), 384);
        let c = cosine(&r.embedding, v);
        assert!(c > 0.9999, "{how}: cosine {c} for {:?}", r.text);
        let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "{how}: norm {norm} for {:?}", r.text);
    }
}

#[test]
fn reproduces_reference_vectors_one_at_a_time_and_batched() {
    let refs = references();
    assert!(refs.len() >= 20, "expected the full reference set, got {}", refs.len());
    assert!(refs.iter().any(|r| r.text.chars().count() > 1000), "set must include truncation cases");
    let embedder = common::embedder();

    let one_by_one: Vec<Vec<f32>> =
        refs.iter().map(|r| embedder.embed(&[r.text.as_str()]).unwrap().remove(0)).collect();
    assert_matches(&refs, &one_by_one, "one at a time");

    // Batched: mixed lengths share padded batches, so the mask must keep padding out.
    let texts: Vec<&str> = refs.iter().map(|r| r.text.as_str()).collect();
    assert_matches(&refs, &embedder.embed(&texts).unwrap(), "one batch");
}

#[test]
fn large_requests_split_across_workers_keep_input_order() {
    let refs = references();
    // 4x the set in reverse order: several batches on several workers, results put back.
    let texts: Vec<&str> = refs.iter().rev().cycle().take(refs.len() * 4).map(|r| r.text.as_str()).collect();
    let embedder = common::embedder_with(model::EmbedderOptions { max_batch: 8, workers: 2, kernel: None });
    let got = embedder.embed(&texts).unwrap();
    for (text, v) in texts.iter().zip(&got) {
        let r = refs.iter().find(|r| r.text == *text).unwrap();
        assert!(cosine(&r.embedding, v) > 0.9999, "{text:?}");
    }
}

#[test]
fn info_describes_the_model_and_empty_input_is_fine() {
    let embedder = common::embedder();
    let info = embedder.info();
    assert_eq!(info.name, "all-MiniLM-L6-v2");
    assert_eq!(info.dimension, 384);
    assert_eq!(info.max_tokens, 256);
    assert_eq!(info.pooling, model::Pooling::Mean);
    assert!(embedder.embed(&[]).unwrap().is_empty());
}
