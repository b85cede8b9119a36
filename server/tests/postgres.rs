//! The same migrations and stores on a real PostgreSQL server. `scripts/test.sh` starts a
//! throw-away server and sets BOTCOACH_TEST_POSTGRES_URL; in CI its absence is a failure.

use model::storage::{self, meta};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_and_meta_work_on_postgres() {
    let Ok(url) = std::env::var("BOTCOACH_TEST_POSTGRES_URL") else {
        assert!(std::env::var_os("CI").is_none(), "CI must run this test: use scripts/test.sh");
        eprintln!("skipped: BOTCOACH_TEST_POSTGRES_URL is not set (scripts/test.sh sets it)");
        return;
    };
    let db = storage::connect(&url).await.unwrap();
    assert_eq!(storage::backend_name(&db), "PostgreSQL");
    server::startup::migrate(&db).await.unwrap();
    server::startup::migrate(&db).await.unwrap();

    let info = model::ModelInfo {
        name: "all-MiniLM-L6-v2".into(),
        dimension: 384,
        max_tokens: 256,
        pooling: model::Pooling::Mean,
        load_ms: 1,
    };
    // A fresh database per run (the script creates one), so the first record is new.
    assert_eq!(meta::record_embedding_model(&db, &info).await.unwrap(), meta::ModelChange::First);
    assert_eq!(meta::record_embedding_model(&db, &info).await.unwrap(), meta::ModelChange::Same);
    assert_eq!(meta::get(&db, "embedding_model").await.unwrap().as_deref(), Some("all-MiniLM-L6-v2/384"));
}
