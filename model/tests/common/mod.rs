//! Shared by the integration tests: the real model and the shared data folder.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use model::{BertEmbedder, EmbedderOptions, ModelDir};

pub mod fresh_postgres;

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

/// The repository's root (the workspace), for its demo files.
pub fn workspace_dir() -> PathBuf {
    manifest_dir().join("..")
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
    use model::knowledge::transfer::Format;
    services_with(dir, Format::Csv, csv.as_bytes(), embedder(), Default::default(), Default::default()).await
}

/// [`services`] with knowledge in any import format, another model and its settings.
pub async fn services_with(
    dir: &std::path::Path,
    format: model::knowledge::transfer::Format,
    knowledge: &[u8],
    embedder: Arc<dyn model::Embedder>,
    scoring: model::matching::Scoring,
    grouping: model::clustering::Grouping,
) -> model::Services {
    let db = sqlite(dir, "test").await;
    services_on(db, format, knowledge, embedder, scoring, grouping).await
}

/// The services over a migrated database `db`, with `knowledge` imported and published.
pub async fn services_on(
    db: sea_orm::DatabaseConnection,
    format: model::knowledge::transfer::Format,
    knowledge: &[u8],
    embedder: Arc<dyn model::Embedder>,
    scoring: model::matching::Scoring,
    grouping: model::clustering::Grouping,
) -> model::Services {
    use model::knowledge::transfer;
    let lead = model::views::Actor::new("lead", model::views::Role::Reviewer);
    transfer::import(&db, &lead, transfer::parse(format, knowledge).unwrap(), true).await.unwrap();
    let matcher =
        Arc::new(model::matching::Matcher::load(db.clone(), embedder.clone(), scoring).await.unwrap());
    let inbox = Arc::new(model::inbox::Inbox::load(db.clone(), matcher.clone(), grouping).await.unwrap());
    model::Services::new(db, matcher, inbox)
}

/// A fresh, migrated SQLite file `name.db` in `dir`.
pub async fn sqlite(dir: &std::path::Path, name: &str) -> sea_orm::DatabaseConnection {
    use migrations::{Migrator, MigratorTrait};
    let url = format!("sqlite://{}", dir.join(format!("{name}.db")).display());
    let db = model::storage::connect(&url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    db
}

/// A fresh, migrated PostgreSQL database `name` on the throw-away server `scripts/test.sh`
/// starts; `None` without one, which CI does not allow.
pub async fn postgres(name: &str) -> Option<sea_orm::DatabaseConnection> {
    use migrations::{Migrator, MigratorTrait};
    let url = fresh_postgres::url(name).await?;
    let db = model::storage::connect(&url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    Some(db)
}

/// The databases a store test runs on: a fresh SQLite file in `dir`, then a fresh PostgreSQL
/// database `name` when the test server runs.
pub async fn databases(dir: &std::path::Path, name: &str) -> Vec<sea_orm::DatabaseConnection> {
    let mut dbs = vec![sqlite(dir, name).await];
    dbs.extend(postgres(name).await);
    dbs
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
        agent_answer: None,
        occurred_at: chrono::Utc::now(),
    }
}

pub fn e5_file() -> PathBuf {
    std::env::var_os("BOTCOACH_E5_MODEL").map(PathBuf::from).unwrap_or_else(model::embedding::default_e5_file)
}

/// The packed multilingual-e5-small file the set-up fetched (`BOTCOACH_E5_MODEL` or the cache
/// default), loaded once per test binary.
pub fn e5_embedder() -> Arc<BertEmbedder> {
    static E5: OnceLock<Arc<BertEmbedder>> = OnceLock::new();
    E5.get_or_init(|| {
        Arc::new(
            BertEmbedder::load_packed(&e5_file(), &EmbedderOptions::default())
                .unwrap_or_else(|e| panic!("{e}")),
        )
    })
    .clone()
}

/// The model `choice` as the server loads it.
pub fn chosen_embedder(choice: model::ModelChoice) -> Arc<dyn model::Embedder> {
    choice.load(&model_dir().root, &e5_file(), &EmbedderOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}
