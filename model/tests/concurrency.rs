//! Many writers at once on one SQLite file, as a busy call centre makes them: every write is
//! accepted and kept, none fails with "database is locked"; and a bot following the knowledge
//! feed while points are published receives every one of them.

mod common;

use std::collections::HashSet;

use model::knowledge::{categories, feed, points};
use model::matching::{AskRequest, Feedback};
use model::misses::{Report, Signal};
use model::views::{Actor, Content, Outcome, Role};
use sea_orm::{EntityTrait, PaginatorTrait};

const CLIENTS: usize = 30;

fn report(question: String) -> Report {
    Report {
        question,
        signal: Signal::Handoff,
        channel: "hotline".into(),
        session_id: None,
        ask_id: None,
        reason: None,
        occurred_at: chrono::Utc::now(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_clients_writing_at_once_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "category,question,answer,phrasings\n\
               Cards,Where is my card?,On its way.,card not arrived\n\
               Top-ups,How do I top up?,In the app.,add money to my account\n";
    let services = common::services(dir.path(), csv).await;
    let clients: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let s = services.clone();
            tokio::spawn(async move {
                // An ask the bot misses (logged, a miss recorded), its feedback, an agent's
                // reports, and the inbox placing what came in.
                let asked = s
                    .matcher
                    .ask(AskRequest {
                        question: format!("can I borrow a horse number {i}"),
                        channel: Default::default(),
                        session_id: Some(format!("session-{i}")),
                        dry_run: false,
                    })
                    .await
                    .map_err(|e| format!("ask {i}: {e}"))?;
                assert_eq!(asked.outcome, Outcome::Miss);
                s.matcher
                    .feedback(Feedback {
                        ask_id: asked.ask_id.clone(),
                        helpful: false,
                        handoff: true,
                        chosen_knowledge_id: None,
                    })
                    .await
                    .map_err(|e| format!("feedback {i}: {e}"))?;
                let reports: Vec<Report> =
                    (0..3).map(|k| report(format!("client {i} question {k}"))).collect();
                model::misses::record(&s.db, &reports).await.map_err(|e| format!("report {i}: {e}"))?;
                s.inbox.assign_pending().await.map_err(|e| format!("assign {i}: {e}"))?;
                Ok::<_, String>(())
            })
        })
        .collect();
    let mut failures = Vec::new();
    for c in clients {
        if let Err(e) = c.await.unwrap() {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{} of {CLIENTS} clients failed: {failures:?}", failures.len());
    let asks = model::matching::asks::entity::Entity::find().count(&services.db).await.unwrap();
    assert_eq!(asks as usize, CLIENTS);
    let misses = model::misses::entity::miss::Entity::find().count(&services.db).await.unwrap();
    assert_eq!(misses as usize, CLIENTS * 4, "each client's miss and three reports");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bot_following_the_feed_while_points_are_published_receives_every_one() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("feed.db").display());
    let db = model::storage::connect(&url).await.unwrap();
    use migrations::{Migrator, MigratorTrait};
    Migrator::up(&db, None).await.unwrap();
    let (tina, rex) = (Actor::new("tina", Role::Trainer), Actor::new("rex", Role::Reviewer));
    let m = categories::create(&db, &tina, None, "Cards", None).await.unwrap().id;
    const PUBLISHED: usize = 80;
    let publisher = {
        let db = db.clone();
        tokio::spawn(async move {
            for i in 0..PUBLISHED {
                let content = Content {
                    category_id: m,
                    question: format!("Question number {i}?"),
                    answer: "An answer.".into(),
                    phrasings: vec![],
                    template_slot: None,
                };
                let p = points::create(&db, &tina, content).await.unwrap();
                let p = points::submit(&db, &tina, p.id, p.version).await.unwrap();
                points::approve(&db, &rex, p.id, p.version).await.unwrap();
            }
        })
    };
    let (mut seen, mut revision) = (HashSet::new(), 0);
    while !publisher.is_finished() {
        let f = feed::since(&db, revision).await.unwrap();
        seen.extend(f.items.into_iter().map(|i| i.id));
        revision = f.revision;
    }
    publisher.await.unwrap();
    let f = feed::since(&db, revision).await.unwrap();
    seen.extend(f.items.into_iter().map(|i| i.id));
    assert_eq!(seen.len(), PUBLISHED, "the follower was told it had seen publishes it never received");
}
