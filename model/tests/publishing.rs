//! Publishing with the real model on a real SQLite file: the regression check lists the answers
//! a draft would change and blocks publishing unless forced; publishing serves the point at once
//! and closes the misses it answers (loop yield), and a closed question missed again reopens.

mod common;

use model::inbox::Decision;
use model::knowledge::{points, queries, transfer, KnowledgeError};
use model::matching::AskRequest;
use model::misses::{self, entity::miss, Report};
use model::publishing::{self, PublishError};
use model::views::{Actor, Content, Outcome};
use model::Services;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

const RATE: [&str; 3] = [
    "what exchange rate do you use",
    "is the exchange rate for euros fair",
    "how is the currency exchange rate set",
];

fn reviewer() -> Actor {
    Actor::new("rita", model::views::Role::Reviewer)
}

fn trainer() -> Actor {
    Actor::new("tom", model::views::Role::Trainer)
}

async fn setup() -> (tempfile::TempDir, Services) {
    let dir = tempfile::tempdir().unwrap();
    let csv = "category,question,answer,phrasings\n\
               Cards,Where is my card?,On its way.,card not arrived\n\
               Top-ups,How do I top up?,In the app.,add money to my account\n";
    let services = common::services(dir.path(), csv).await;
    (dir, services)
}

async fn miss_of(db: &DatabaseConnection, question: &str) -> miss::Model {
    miss::Entity::find().filter(miss::Column::Question.eq(question)).one(db).await.unwrap().unwrap()
}

async fn answer_to(services: &Services, question: &str) -> (Outcome, Option<String>) {
    let r = services
        .matcher
        .ask(AskRequest {
            question: question.into(),
            channel: Default::default(),
            session_id: None,
            dry_run: true,
        })
        .await
        .unwrap();
    (r.outcome, r.answer.map(|a| a.knowledge_id))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishing_serves_the_point_and_closes_the_misses_it_answers() {
    let (_dir, services) = setup().await;
    let db = &services.db;
    let mut reports: Vec<Report> = RATE.iter().map(|q| common::no_match(q)).collect();
    reports.push(common::no_match("do you sell pizza"));
    misses::record(db, &reports).await.unwrap();
    services.inbox.assign_pending().await.unwrap();
    let group = miss_of(db, RATE[0]).await.cluster_id.unwrap();
    assert_eq!(miss_of(db, RATE[2]).await.cluster_id, Some(group), "the rate questions are one group");

    // The trainer turns two of the three into a new point; it waits in review.
    let ids = vec![miss_of(db, RATE[0]).await.id.to_string(), miss_of(db, RATE[1]).await.id.to_string()];
    let decision = Decision::Create {
        category: "Exchange".into(),
        question: "What exchange rate do you use?".into(),
        answer: "The interbank rate of the day, shown before you confirm.".into(),
        miss_ids: Some(ids),
    };
    let kid: i32 = services
        .inbox
        .resolve(&trainer(), &group.to_string(), decision)
        .await
        .unwrap()
        .knowledge_id
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(answer_to(&services, RATE[0]).await.0, Outcome::Miss, "drafts are not served");

    // Only a reviewer publishes; nothing in the knowledge base changes its answer.
    let e = publishing::publish(&services, &trainer(), kid, None, false).await.unwrap_err();
    assert!(
        matches!(
            e,
            PublishError::Knowledge(KnowledgeError::Refused(model::views::Problem::RoleNeeded { .. }))
        ),
        "{e}"
    );
    assert_eq!(publishing::regressions(&services, kid).await.unwrap(), vec![]);
    let published = publishing::publish(&services, &reviewer(), kid, None, false).await.unwrap();
    assert!(published.regressions.is_empty());
    assert!(published.revision > 0);

    // Served at once; the two decided questions and the third, still open, are closed.
    assert_eq!(answer_to(&services, RATE[2]).await, (Outcome::Answered, Some(kid.to_string())));
    assert_eq!(published.closed_misses, 3, "two linked questions and the open one it answers");
    for q in RATE {
        let m = miss_of(db, q).await;
        assert_eq!((m.status, m.knowledge_id), (model::views::MissStatus::Closed, Some(kid)), "{q}");
        assert!(m.closed_at.is_some());
    }
    assert_eq!(
        miss_of(db, "do you sell pizza").await.status,
        model::views::MissStatus::Open,
        "unrelated questions stay open"
    );
    assert_eq!(queries::detail(db, kid).await.unwrap().loop_yield, 3);
    let emptied = model::inbox::entity::cluster::Entity::find_by_id(group).one(db).await.unwrap().unwrap();
    assert_eq!(
        (emptied.status, emptied.action),
        (model::views::GroupStatus::Resolved, Some(model::views::Action::Answered))
    );

    // Nothing left to publish.
    let e = publishing::publish(&services, &reviewer(), kid, None, false).await.unwrap_err();
    assert!(
        matches!(
            e,
            PublishError::Knowledge(KnowledgeError::Refused(model::views::Problem::NoDraftToPublish { .. }))
        ),
        "{e}"
    );

    // A closed question the bot fails on again is work again.
    misses::record(db, &[common::no_match(RATE[1])]).await.unwrap();
    let m = miss_of(db, RATE[1]).await;
    assert_eq!((m.status, m.cluster_id, m.count), (model::views::MissStatus::Open, None, 2));
    assert_eq!(services.inbox.assign_pending().await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_regression_check_blocks_a_change_of_answers_unless_forced() {
    let (_dir, services) = setup().await;
    let db = &services.db;
    let filter = queries::Filter { text: Some("Where is my card".into()), ..Default::default() };
    let cards = queries::list(db, &filter).await.unwrap()[0].id;
    assert_eq!(answer_to(&services, "card not arrived").await, (Outcome::Answered, Some(cards.to_string())));
    // A recent answered ask is replayed too.
    services
        .matcher
        .ask(AskRequest {
            question: "my card never came".into(),
            channel: Default::default(),
            session_id: None,
            dry_run: false,
        })
        .await
        .unwrap();

    // A second point about the same thing takes questions the first one answers today.
    let tree = model::knowledge::categories::Tree::load(db).await.unwrap();
    let content = Content {
        category_id: tree.find_path("Cards").unwrap(),
        question: "My card still has not arrived".into(),
        answer: "Order a new one.".into(),
        phrasings: vec!["my card never arrived".into()],
        template_slot: None,
        ..Default::default()
    };
    let p = points::create(db, &trainer(), content).await.unwrap();
    let list = publishing::regressions(&services, p.id).await.unwrap();
    let changed: Vec<&str> = list.iter().map(|r| r.question.as_str()).collect();
    assert!(changed.contains(&"card not arrived"), "{list:?}");
    let r = list.iter().find(|r| r.question == "card not arrived").unwrap();
    assert_eq!(
        (r.was.as_deref(), r.was_knowledge_id.clone()),
        (Some("Where is my card?"), Some(cards.to_string()))
    );
    assert_ne!(r.now_knowledge_id, r.was_knowledge_id);
    assert!(!changed.contains(&"How do I top up?"), "unrelated answers are not listed: {list:?}");

    // Refused with the list, nothing published; forced, published with the same list.
    match publishing::publish(&services, &reviewer(), p.id, Some(p.version), false).await {
        Err(PublishError::Regressions(again)) => assert_eq!(again.regressions, list),
        other => panic!("expected the regressions, got {other:?}"),
    }
    assert!(queries::detail(db, p.id).await.unwrap().published.is_none());
    assert_eq!(answer_to(&services, "card not arrived").await.1, Some(cards.to_string()));
    let e = publishing::publish(&services, &reviewer(), p.id, Some(p.version + 1), true).await.unwrap_err();
    assert!(
        matches!(e, PublishError::Knowledge(KnowledgeError::Refused(model::views::Problem::Stale { .. }))),
        "a stale version is refused: {e}"
    );
    let published = publishing::publish(&services, &reviewer(), p.id, Some(p.version), true).await.unwrap();
    assert_eq!(published.regressions, list);
    assert!(queries::detail(db, p.id).await.unwrap().published.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_that_publishes_closes_the_misses_it_answers() {
    let (_dir, services) = setup().await;
    let db = &services.db;
    misses::record(db, &RATE.iter().map(|q| common::no_match(q)).collect::<Vec<_>>()).await.unwrap();
    misses::record(db, &[common::no_match("do you sell pizza")]).await.unwrap();
    services.inbox.assign_pending().await.unwrap();
    let csv = "category,question,answer,phrasings\n\
               Exchange,What exchange rate do you use?,The interbank rate.,is the exchange rate for euros fair|how is the currency exchange rate set\n";
    let parsed = transfer::parse(transfer::Format::Csv, csv.as_bytes()).unwrap();
    let imported = transfer::import(db, &reviewer(), parsed, true).await.unwrap();
    assert_eq!(imported.published.len(), 1);
    services.knowledge_changed().await;
    assert_eq!(publishing::close_answered(&services, &imported.published).await.unwrap(), 3);
    for q in RATE {
        assert_eq!(miss_of(db, q).await.status, model::views::MissStatus::Closed, "{q}");
    }
    assert_eq!(miss_of(db, "do you sell pizza").await.status, model::views::MissStatus::Open);
    // A draft-only import publishes nothing, so it closes nothing.
    let parsed = transfer::parse(transfer::Format::Csv, csv.as_bytes()).unwrap();
    assert!(transfer::import(db, &reviewer(), parsed, false).await.unwrap().published.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn knowledge_published_without_its_closing_is_closed_by_the_sweep() {
    let (_dir, services) = setup().await;
    let db = &services.db;
    // The first sweep of a database only marks where it starts.
    assert_eq!(publishing::sweep_closing(&services).await.unwrap(), 0);
    let reports: Vec<Report> = RATE.iter().map(|q| common::no_match(q)).collect();
    misses::record(db, &reports).await.unwrap();
    services.inbox.assign_pending().await.unwrap();

    // Published by a path that does not close (as when closing failed after the commit, or the
    // process died in between): the misses stay open until the sweep.
    let tree = model::knowledge::categories::Tree::load(db).await.unwrap();
    let content = Content {
        category_id: tree.find_path("Cards").unwrap(),
        question: "What exchange rate do you use?".into(),
        answer: "The interbank rate of the day.".into(),
        phrasings: vec![],
        template_slot: None,
        ..Default::default()
    };
    let p = points::create(db, &trainer(), content).await.unwrap();
    let p = points::submit(db, &trainer(), p.id, p.version).await.unwrap();
    points::approve(db, &reviewer(), p.id, p.version).await.unwrap();
    services.knowledge_changed().await;
    assert_eq!(miss_of(db, RATE[0]).await.status, model::views::MissStatus::Open);

    assert_eq!(publishing::sweep_closing(&services).await.unwrap(), 3);
    for q in RATE {
        assert_eq!(miss_of(db, q).await.status, model::views::MissStatus::Closed, "{q}");
    }
    assert_eq!(publishing::sweep_closing(&services).await.unwrap(), 0, "nothing twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_saved_while_the_check_runs_is_not_published_unchecked() {
    let (_dir, services) = setup().await;
    let db = &services.db;
    let tree = model::knowledge::categories::Tree::load(db).await.unwrap();
    let cards = tree.find_path("Cards").unwrap();
    let harmless = |i: usize| Content {
        category_id: cards,
        question: format!("Can I get a card in colour number {i}?"),
        answer: "Blue or black.".into(),
        phrasings: vec![],
        template_slot: None,
        ..Default::default()
    };
    // Would take "card not arrived" from "Where is my card?": the check must see it.
    let harmful = Content {
        category_id: cards,
        question: "My card has not arrived".into(),
        answer: "Order a new one.".into(),
        phrasings: vec!["card not arrived".into()],
        template_slot: None,
        ..Default::default()
    };
    let mut unchecked = 0;
    for round in 0..12 {
        let p = points::create(db, &trainer(), harmless(round)).await.unwrap();
        let publish = {
            let s = services.clone();
            tokio::spawn(async move { publishing::publish(&s, &reviewer(), p.id, None, false).await })
        };
        // The trainer saves the harmful draft at some moment of the publish.
        tokio::time::sleep(std::time::Duration::from_millis(3 * round as u64)).await;
        let saved = points::save(db, &trainer(), p.id, p.version, harmful.clone()).await;
        let published = publish.await.unwrap();
        let live = queries::detail(db, p.id).await.unwrap().published;
        if let (Ok(_), Some(live)) = (&published, &live) {
            if live.content.question == harmful.question {
                unchecked += 1;
            }
        }
        // Tidy up for the next round: the harmful question must be free again.
        let d = queries::detail(db, p.id).await.unwrap();
        points::archive(db, &reviewer(), p.id, d.version).await.unwrap();
        let _ = saved;
    }
    assert_eq!(unchecked, 0, "a draft went live without its regression check");
}
