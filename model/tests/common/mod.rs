//! Shared by the integration tests: the real model and the shared data folder.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use model::{BertEmbedder, EmbedderOptions, ModelDir};

/// `../shared` beside the repository (CI lays it there), or `BOTCOACH_SHARED_DIR`.
pub fn shared_dir() -> PathBuf {
    std::env::var_os("BOTCOACH_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir().join("../../shared"))
}

/// The model folder the set-up fetched (`BOTCOACH_MODEL_DIR` or the cache default).
pub fn model_dir() -> ModelDir {
    let dir = std::env::var_os("BOTCOACH_MODEL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(model::embedding::default_model_dir);
    ModelDir::open(&dir).unwrap_or_else(|e| panic!("{e}"))
}

pub fn embedder_with(options: EmbedderOptions) -> BertEmbedder {
    BertEmbedder::load(&model_dir(), &options).unwrap()
}

/// One loaded model shared by the tests of a binary: loading it is the slow part.
pub fn embedder() -> Arc<BertEmbedder> {
    static EMBEDDER: OnceLock<Arc<BertEmbedder>> = OnceLock::new();
    EMBEDDER.get_or_init(|| Arc::new(embedder_with(EmbedderOptions::default()))).clone()
}

/// The crate folder as cargo reports it when it runs this binary; the compile-time value only
/// as a fallback, since a build cached for another clone would point there.
fn manifest_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// A fresh SQLite file in `dir` with `csv` (the import format) published, and the services —
/// matcher and inbox — over it, as the server builds them.
pub async fn services(dir: &std::path::Path, csv: &str) -> model::Services {
    use migrations::{Migrator, MigratorTrait};
    use model::knowledge::transfer;
    let db = model::storage::connect(&format!("sqlite://{}", dir.join("test.db").display())).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    let lead = model::views::Actor::new("lead", model::views::Role::Reviewer);
    transfer::import(&db, &lead, transfer::parse(transfer::Format::Csv, csv.as_bytes()).unwrap(), true)
        .await
        .unwrap();
    let embedder: Arc<dyn model::Embedder> = embedder();
    let matcher = Arc::new(
        model::matching::Matcher::load(db.clone(), embedder.clone(), Default::default()).await.unwrap(),
    );
    let inbox = Arc::new(
        model::inbox::Inbox::load(db.clone(), embedder.clone(), matcher.clone(), Default::default())
            .await
            .unwrap(),
    );
    model::Services::new(db, embedder, matcher, inbox)
}

/// A report of a question the bot could not answer, now.
pub fn no_match(question: &str) -> model::misses::Report {
    model::misses::Report {
        question: question.into(),
        signal: model::misses::Signal::NoMatch,
        channel: "bot".into(),
        session_id: None,
        ask_id: None,
        reason: None,
        occurred_at: chrono::Utc::now(),
    }
}

/// The packed multilingual-e5-small file the set-up fetched (`BOTCOACH_E5_MODEL` or the cache
/// default), loaded once per test binary.
pub fn e5_embedder() -> Arc<BertEmbedder> {
    static E5: OnceLock<Arc<BertEmbedder>> = OnceLock::new();
    E5.get_or_init(|| {
        let file = std::env::var_os("BOTCOACH_E5_MODEL")
            .map(PathBuf::from)
            .unwrap_or_else(model::embedding::default_e5_file);
        Arc::new(BertEmbedder::load_packed(&file, &EmbedderOptions::default()).unwrap_or_else(|e| panic!("{e}")))
    })
    .clone()
}
