//! Changing the configured model: at the next start the previous model keeps answering while
//! the stored texts are embedded with the new one (progress on the status endpoint), then the
//! new model takes over with its own thresholds. Asks never stop. Real models, a real SQLite
//! file, the real start-up.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use model::matching::AskRequest;
use model::storage::meta;
use model::ModelChoice;
use server::config::Config;

fn with_model(dir: &std::path::Path, choice: ModelChoice) -> Config {
    Config {
        model: choice,
        matching: choice.scoring(),
        grouping: choice.grouping(),
        ..common::config_in(dir)
    }
}

fn ask(question: &str) -> AskRequest {
    AskRequest { question: question.into(), channel: Default::default(), session_id: None, dry_run: true }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_model_takes_over_in_the_background_and_asks_never_stop() {
    let dir = tempfile::tempdir().unwrap();
    let minilm = with_model(dir.path(), ModelChoice::Minilm);
    {
        let services = server::startup::services(&minilm).await.unwrap();
        let demo = std::fs::read(common::manifest_dir().join("../demo/telecom-zh.json")).unwrap();
        let lead = model::views::Actor::new("lead", model::Role::Reviewer);
        let parsed =
            model::knowledge::transfer::parse(model::knowledge::transfer::Format::Json, &demo).unwrap();
        model::knowledge::transfer::import(&services.db, &lead, parsed, true).await.unwrap();
        services.knowledge_changed().await;
        let reports: Vec<_> = ["宽带装好以后能送路由器吗", "信用卡可以分期吗"]
            .iter()
            .map(|q| {
                model::misses::Report::external(
                    &Default::default(),
                    model::misses::External::question(*q),
                    chrono::Utc::now(),
                )
                .unwrap()
            })
            .collect();
        model::misses::record(&services.db, &reports).await.unwrap();
        assert_eq!(meta::serving_model(&services.db).await.unwrap(), Some(ModelChoice::Minilm));
    }

    let fused = with_model(dir.path(), ModelChoice::Fused);
    let started = Instant::now();
    let services = server::startup::services(&fused).await.unwrap();
    eprintln!("serving again after {:?}", started.elapsed());
    let minilm_name = services.embedder().info().name.clone();
    assert_eq!(minilm_name, "all-MiniLM-L6-v2", "the previous model answers first");
    assert_eq!(services.matcher.scoring(), ModelChoice::Minilm.scoring());

    // Two clients ask without pause until the new model serves; every ask must be answered.
    let switched = Arc::new(AtomicBool::new(false));
    let asked = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..2)
        .map(|i| {
            let (services, switched, asked) = (services.clone(), switched.clone(), asked.clone());
            tokio::spawn(async move {
                let questions = ["家里网络突然连不上了", "How do I top up my phone?", "补卡要多少钱"];
                let mut n = 0;
                while !switched.load(Ordering::Relaxed) {
                    let r = services.matcher.ask(ask(questions[(n + i) % questions.len()])).await;
                    let r = r.unwrap_or_else(|e| panic!("an ask failed during the model change: {e}"));
                    assert!(!r.candidates.is_empty());
                    n += 1;
                    asked.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();

    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let r = services.readiness().await;
        if let Some(p) = &r.reembedding {
            assert!(p.error.is_none(), "{p:?}");
            assert!(p.model.contains("e5-small") && p.model.contains("MiniLM"), "{}", p.model);
            seen.push((p.done, p.total));
        }
        if r.model.name != minilm_name {
            assert_eq!(r.reembedding, None, "progress cleared once the new model serves");
            break;
        }
        assert!(Instant::now() < deadline, "the new model did not take over: {seen:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let asked_during = asked.load(Ordering::Relaxed);
    switched.store(true, Ordering::Relaxed);
    for c in clients {
        c.await.unwrap();
    }
    eprintln!(
        "switched after {:?}; {asked_during} asks answered meanwhile; progress {seen:?}",
        started.elapsed()
    );

    // Progress was visible and only went up, to every published text and open miss.
    assert!(!seen.is_empty(), "no progress was ever visible");
    assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 == w[1].1), "{seen:?}");
    let total = seen[0].1;
    let published = services.matcher.stats().texts;
    assert!(total >= published + 2, "{total} texts re-embedded for {published} published and 2 misses");
    assert!(asked_during >= 10, "only {asked_during} asks were answered while re-embedding");

    // The new model serves with its thresholds, and the inbox groups with its parameters.
    assert!(services.embedder().info().name.contains("e5-small"));
    assert_eq!(services.matcher.scoring(), ModelChoice::Fused.scoring());
    assert_eq!(services.inbox.grouping(), ModelChoice::Fused.grouping());
    let r = services.matcher.ask(ask("家里网络突然连不上了")).await.unwrap();
    assert_eq!(r.candidates[0].question, "宽带断网了怎么办？");
    // Recorded by the background task just after the swap.
    let deadline = Instant::now() + Duration::from_secs(10);
    while meta::serving_model(&services.db).await.unwrap() != Some(ModelChoice::Fused) {
        assert!(Instant::now() < deadline, "the new model was never recorded as serving");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    services.inbox.assign_pending().await.unwrap();
    drop(services);

    // The next start finds every vector stored: the new model serves at once.
    let again = server::startup::services(&fused).await.unwrap();
    assert!(again.embedder().info().name.contains("e5-small"));
    assert_eq!(again.readiness().await.reembedding, None);
}
