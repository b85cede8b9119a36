//! The same migrations and stores on a real PostgreSQL server. `scripts/test.sh` starts a
//! throw-away server and sets BOTCOACH_TEST_POSTGRES_URL; in CI its absence is a failure.

mod common;

use model::storage::{self, meta};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_meta_and_knowledge_work_on_postgres() {
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
    // A fresh database per run (the script creates one): nothing served it yet.
    assert_eq!(meta::serving_model(&db).await.unwrap(), None);
    meta::record_serving_model(&db, model::ModelChoice::Minilm, &info).await.unwrap();
    meta::record_serving_model(&db, model::ModelChoice::Minilm, &info).await.unwrap();
    assert_eq!(meta::serving_model(&db).await.unwrap(), Some(model::ModelChoice::Minilm));
    assert_eq!(meta::get(&db, "embedding_model").await.unwrap().as_deref(), Some("all-MiniLM-L6-v2/384"));

    // In the same test: two tests migrating one database at once would race.
    knowledge_lifecycle(&db).await;
    inbox(&db).await;
}

/// The inbox's hand-written aggregate SQL (placeholders, CASE sums, MAX of a timestamp, LIKE
/// with ESCAPE), its lock, claims and undo on PostgreSQL.
async fn inbox(db: &sea_orm::DatabaseConnection) {
    use std::sync::Arc;

    use model::inbox::{Decision, Inbox, ListFilter};
    use model::misses::{self, Report, Signal};
    use model::views::{Actor, Role};
    let dir = tempfile::tempdir().unwrap();
    let config = common::config_in(dir.path());
    let embedder: Arc<dyn model::Embedder> = server::startup::build_embedder(&config).unwrap();
    let matcher = Arc::new(
        model::matching::Matcher::load(db.clone(), embedder.clone(), config.matching).await.unwrap(),
    );
    let inbox = Inbox::load(db.clone(), matcher, config.grouping).await.unwrap();
    let tag = std::process::id();
    let report = |q: String| Report {
        question: q,
        signal: Signal::Handoff,
        channel: "hotline".into(),
        session_id: None,
        ask_id: None,
        reason: None,
        agent_answer: None,
        occurred_at: chrono::Utc::now(),
    };
    let questions = [
        format!("my card {tag} has not arrived"),
        format!("when will card {tag} arrive"),
        format!("card {tag} still not here"),
    ];
    misses::record(db, &questions.iter().cloned().map(report).collect::<Vec<_>>()).await.unwrap();
    assert!(inbox.assign_pending().await.unwrap() >= 3);
    let filter = ListFilter {
        text: Some(format!("CARD {tag}")),
        channel: Some("hotline".into()),
        ..Default::default()
    };
    let page = inbox.list(&filter).await.unwrap();
    assert_eq!(page.clusters.iter().map(|c| c.size).sum::<i64>(), 3, "{page:?}");
    assert_eq!(page.clusters[0].signals, vec![model::views::Signal::Handoff]);
    assert!(inbox.regroup().await.unwrap().misses >= 3);
    let page = inbox.list(&filter).await.unwrap();
    // The sparkline and the questions' sources come from their own queries.
    assert_eq!(page.clusters.iter().flat_map(|c| c.daily.iter()).sum::<i64>(), 3);
    assert_eq!(page.clusters[0].members[0].channels, vec!["hotline".to_string()]);
    let trainer = Actor::new("tina", Role::Trainer);
    inbox.claim(&trainer, &page.clusters[0].id).await.unwrap();
    assert_eq!(inbox.list(&filter).await.unwrap().clusters[0].claimed_by.as_deref(), Some("tina"));
    let mut decisions = Vec::new();
    for c in &page.clusters {
        let done = inbox.resolve(&trainer, &c.id, Decision::Dismiss { reason: "test".into() }).await.unwrap();
        decisions.push(done.decision_id);
    }
    assert_eq!(inbox.list(&filter).await.unwrap().total, 0);
    // Undone, the questions are back; dismissed again, gone.
    inbox.undo(&trainer, &decisions[0]).await.unwrap();
    let back = inbox.list(&filter).await.unwrap();
    assert_eq!(back.total, 1);
    inbox.resolve(&trainer, &back.clusters[0].id, Decision::Dismiss { reason: "test".into() }).await.unwrap();
    assert_eq!(inbox.list(&filter).await.unwrap().total, 0);

    // The dashboard's SQL (days by to_char, CASE sums, NOT EXISTS) on PostgreSQL.
    use model::metrics::{self, report, AskFilter, Period};
    let period = Period { days: 7, channel: Some("hotline".into()) };
    let s = metrics::summary(db, &period).await.unwrap();
    assert_eq!(s.per_day.len(), 7);
    assert!(s.per_day.last().unwrap().inflow >= 3, "today's hotline reports: {:?}", s.per_day.last());
    assert!(s.per_day.last().unwrap().resolved >= 3, "decided today");
    let filter = AskFilter {
        period,
        outcome: Some("miss".into()),
        category: Some(None),
        day: None,
        point: None,
        limit: 10,
    };
    metrics::asks(db, &filter).await.unwrap();
    report::topics(db, 7, 5).await.unwrap();
}

/// The knowledge lifecycle and the bot feed on PostgreSQL: the queries the services build must
/// work on both engines (types of `max()`, NULL handling, transactions).
async fn knowledge_lifecycle(db: &sea_orm::DatabaseConnection) {
    use model::knowledge::{categories, feed, points, queries, transfer};
    use model::views::{Actor, Content, PointStatus, Role};
    let db = db.clone();
    let trainer = Actor::new("tina", Role::Trainer);
    let reviewer = Actor::new("rex", Role::Reviewer);
    // Tests share the server: names unique to this run.
    let top = format!("PG {}", std::process::id());
    let module = categories::create(&db, &trainer, None, &top, None).await.unwrap();
    let content = |answer: &str| Content {
        category_id: module.id,
        question: "套餐怎么改？".into(),
        answer: answer.into(),
        phrasings: vec!["换套餐".into()],
        template_slot: None,
        ..Default::default()
    };
    let before = feed::revision(&db).await.unwrap();
    let p = points::create(&db, &trainer, content("在App里改。")).await.unwrap();
    let stale = p.version;
    let p = points::submit(&db, &trainer, p.id, p.version).await.unwrap();
    assert!(points::save(&db, &trainer, p.id, stale, content("x")).await.is_err(), "stale edit refused");
    let p = points::approve(&db, &reviewer, p.id, p.version).await.unwrap();
    assert_eq!(p.status, PointStatus::Published);
    let f = feed::since(&db, before).await.unwrap();
    assert_eq!(f.revision, before + 1);
    assert_eq!(f.items.len(), 1);
    assert_eq!(queries::history(&db, p.id).await.unwrap().len(), 1);

    let csv =
        format!("category,question,answer,phrasings\n{top}/宽带,宽带断了怎么办？,重启光猫。,网断了|没网了\n");
    let parsed = transfer::parse(transfer::Format::Csv, csv.as_bytes()).unwrap();
    let r = transfer::import(&db, &reviewer, parsed.clone(), true).await.unwrap();
    assert_eq!((r.created, r.errors.len()), (1, 0));
    let r = transfer::import(&db, &reviewer, parsed, true).await.unwrap();
    assert_eq!(r.unchanged, 1);
    let found = queries::list(&db, &queries::Filter { text: Some("网断".into()), ..Default::default() })
        .await
        .unwrap();
    assert!(found.iter().any(|p| p.question == "宽带断了怎么办？"));
}
