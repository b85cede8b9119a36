//! Many writers at once, as a busy call centre (or several instances on one PostgreSQL) makes
//! them, on a real SQLite file and on PostgreSQL: every write is accepted and kept, none fails
//! with "database is locked"; a bot following the knowledge feed while points are published
//! receives every one of them; and what only one may do — decide on a group, hold it, take a
//! question, move a category — exactly one does, however many try at the same moment.

mod common;

use std::collections::HashSet;

use std::sync::Arc;

use model::inbox::{Decision, InboxError};
use model::knowledge::transfer::Format;
use model::knowledge::{categories, feed, points, KnowledgeError};
use model::matching::{AskRequest, Feedback};
use model::misses::{Report, Signal};
use model::views::{Actor, Content, Outcome, Role};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

const CLIENTS: usize = 30;

fn report(question: String) -> Report {
    Report {
        question,
        signal: Signal::Handoff,
        channel: "hotline".into(),
        session_id: None,
        ask_id: None,
        reason: None,
        agent_answer: None,
        occurred_at: chrono::Utc::now(),
    }
}

const CSV: &str = "category,question,answer,phrasings\n\
                   Cards,Where is my card?,On its way.,card not arrived\n\
                   Top-ups,How do I top up?,In the app.,add money to my account\n";

async fn services(db: DatabaseConnection) -> model::Services {
    let embedder: Arc<dyn model::Embedder> = common::embedder();
    common::services_on(db, Format::Csv, CSV.as_bytes(), embedder, Default::default(), Default::default())
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_clients_writing_at_once_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for db in common::databases(dir.path(), "thirty_clients").await {
        thirty_clients(services(db).await).await;
    }
}

async fn thirty_clients(services: model::Services) {
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
                        agent_answer: None,
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_bot_following_the_feed_while_points_are_published_receives_every_one() {
    let dir = tempfile::tempdir().unwrap();
    for db in common::databases(dir.path(), "feed_follower").await {
        feed_follower(db).await;
    }
}

async fn feed_follower(db: DatabaseConnection) {
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
                    ..Default::default()
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

/// Starts `n` tasks at once, each running `f(i)`, and returns their results in order.
async fn all_at_once<T, F, Fut>(n: usize, f: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    let start = Arc::new(tokio::sync::Barrier::new(n));
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let (start, work) = (start.clone(), f(i));
            tokio::spawn(async move {
                start.wait().await;
                work.await
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

const TRAINERS: usize = 8;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn trainers_racing_for_one_group_make_one_decision_and_one_claim() {
    let dir = tempfile::tempdir().unwrap();
    for db in common::databases(dir.path(), "racing_trainers").await {
        racing_trainers(services(db).await).await;
    }
}

async fn racing_trainers(services: model::Services) {
    use model::inbox::entity::decision;
    let s = &services;
    let on = model::storage::backend_name(&s.db);
    for round in 0..5 {
        let questions: Vec<String> =
            (0..3).map(|k| format!("can I pay my rent {round} with a parrot {k}")).collect();
        let reports: Vec<Report> = questions.iter().map(|q| report(q.clone())).collect();
        model::misses::record(&s.db, &reports).await.unwrap();
        s.inbox.assign_pending().await.unwrap();
        let page = s.inbox.list(&Default::default()).await.unwrap();
        let group = page
            .clusters
            .iter()
            .find(|c| c.members.iter().any(|m| m.question == questions[0]))
            .unwrap()
            .id
            .clone();
        let decisions_before = decision::Entity::find().count(&s.db).await.unwrap();

        // Everyone claims it at once: one holds it.
        let claims = all_at_once(TRAINERS, |i| {
            let (inbox, group) = (s.inbox.clone(), group.clone());
            async move { inbox.claim(&Actor::new(&format!("trainer{i}"), Role::Trainer), &group).await }
        })
        .await;
        let held: Vec<_> = claims.iter().filter_map(|c| c.as_ref().ok()).collect();
        assert_eq!(held.len(), 1, "{on} round {round}: {claims:?}");
        for c in claims.iter().filter_map(|c| c.as_ref().err()) {
            assert!(matches!(c, InboxError::Refused(model::views::Problem::Claimed { .. })), "{c}");
        }
        let holder = held[0].by.clone();
        s.inbox.release(&Actor::new(&holder, Role::Trainer), &group).await.unwrap();

        // Everyone decides at once, each writing their own new point: one decision, one point.
        let points_before = model::knowledge::entity::point::Entity::find().count(&s.db).await.unwrap();
        let resolved = all_at_once(TRAINERS, |i| {
            let (inbox, group) = (s.inbox.clone(), group.clone());
            async move {
                let decision = Decision::Create {
                    category: "Rent".into(),
                    question: format!("Can I pay rent {round} with animals, says trainer {i}?"),
                    answer: "No.".into(),
                    miss_ids: None,
                };
                inbox.resolve(&Actor::new(&format!("trainer{i}"), Role::Trainer), &group, decision).await
            }
        })
        .await;
        let ok = resolved.iter().filter(|r| r.is_ok()).count();
        assert_eq!(ok, 1, "{on} round {round}: {resolved:?}");
        for e in resolved.iter().filter_map(|r| r.as_ref().err()) {
            assert!(
                matches!(
                    e,
                    InboxError::Refused(
                        model::views::Problem::GroupClosed { .. }
                            | model::views::Problem::NothingToDecide { .. }
                    )
                ),
                "{e}"
            );
        }
        assert_eq!(decision::Entity::find().count(&s.db).await.unwrap(), decisions_before + 1);
        let points_after = model::knowledge::entity::point::Entity::find().count(&s.db).await.unwrap();
        assert_eq!(points_after, points_before + 1, "{on} round {round}: one new point");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_question_one_live_point_and_no_category_cycle_however_many_try() {
    let dir = tempfile::tempdir().unwrap();
    for db in common::databases(dir.path(), "racing_knowledge").await {
        racing_knowledge(db).await;
    }
}

async fn racing_knowledge(db: DatabaseConnection) {
    let on = model::storage::backend_name(&db);
    let tina = Actor::new("tina", Role::Trainer);
    let cards = categories::create(&db, &tina, None, "Cards", None).await.unwrap().id;
    for round in 0..5 {
        let created = all_at_once(TRAINERS, |_| {
            let (db, tina) = (db.clone(), tina.clone());
            async move {
                let content = Content {
                    category_id: cards,
                    question: format!("Can I freeze card number {round}?"),
                    answer: "Yes, in the app.".into(),
                    phrasings: vec![],
                    template_slot: None,
                    ..Default::default()
                };
                points::create(&db, &tina, content).await
            }
        })
        .await;
        assert_eq!(created.iter().filter(|r| r.is_ok()).count(), 1, "{on} round {round}: {created:?}");
        for e in created.iter().filter_map(|r| r.as_ref().err()) {
            assert!(
                matches!(e, KnowledgeError::Refused(model::views::Problem::DuplicateQuestion { .. })),
                "{e}"
            );
        }

        // Two siblings, each moved under the other at the same moment, many times over: at most
        // one move of each pair succeeds, and the tree stays a tree.
        let a = categories::create(&db, &tina, None, &format!("A{round}"), None).await.unwrap().id;
        let b = categories::create(&db, &tina, None, &format!("B{round}"), None).await.unwrap().id;
        let moved = all_at_once(TRAINERS, |i| {
            let (db, tina) = (db.clone(), tina.clone());
            let (what, under) = if i % 2 == 0 { (a, b) } else { (b, a) };
            async move { categories::update(&db, &tina, what, None, Some(Some(under)), None).await }
        })
        .await;
        let tree = categories::Tree::load(&db).await.unwrap();
        assert!(tree.root(a).is_some() && tree.root(b).is_some(), "{on} round {round}: a cycle: {moved:?}");
        let a_under_b = tree.get(a).unwrap().parent_id == Some(b);
        let b_under_a = tree.get(b).unwrap().parent_id == Some(a);
        assert!(a_under_b != b_under_a, "{on} round {round}: exactly one is under the other");
    }
}

/// Banking77 questions: `per` from each of the first `intents` intents, in file order.
fn banking_questions(intents: usize, per: usize) -> Vec<String> {
    let text = std::fs::read_to_string(common::shared_dir().join("data/banking77/train.csv")).unwrap();
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let mut by_intent: Vec<(String, Vec<String>)> = Vec::new();
    for row in rows.records() {
        let row = row.unwrap();
        let (q, intent) = (row[0].to_string(), row[1].to_string());
        match by_intent.iter_mut().find(|(i, _)| *i == intent) {
            Some((_, qs)) => qs.push(q),
            None => by_intent.push((intent, vec![q])),
        }
    }
    by_intent.into_iter().take(intents).flat_map(|(_, qs)| qs.into_iter().take(per)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn regrouping_while_trainers_decide_hides_no_question() {
    let dir = tempfile::tempdir().unwrap();
    for db in common::databases(dir.path(), "regroup_race").await {
        regroup_race(services(db).await).await;
    }
}

async fn regroup_race(s: model::Services) {
    use model::inbox::entity::cluster;
    use model::misses::entity::miss;
    use sea_orm::{ColumnTrait, QueryFilter};
    let on = model::storage::backend_name(&s.db);
    let reports: Vec<Report> = banking_questions(60, 5).into_iter().map(report).collect();
    model::misses::record(&s.db, &reports).await.unwrap();
    s.inbox.assign_pending().await.unwrap();

    // Trainers dismiss groups one after another while the inbox regroups, again and again.
    // It keeps deciding until the inbox has regrouped at least twice meanwhile: a fast machine
    // must not finish its decisions inside the first regrouping and leave no race.
    let regrouped = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let trainer = {
        let inbox = s.inbox.clone();
        let regrouped = regrouped.clone();
        tokio::spawn(async move {
            let ana = Actor::new("ana", Role::Trainer);
            let mut decided = 0;
            for round in 0..400 {
                if round >= 40 && regrouped.load(std::sync::atomic::Ordering::SeqCst) >= 2 {
                    break;
                }
                let page = inbox.list(&Default::default()).await.unwrap();
                let Some(group) = page.clusters.first() else { break };
                // A group regrouped away meanwhile is a conflict or gone: the next one then.
                if inbox.resolve(&ana, &group.id, Decision::Dismiss { reason: "noise".into() }).await.is_ok()
                {
                    decided += 1;
                }
            }
            decided
        })
    };
    let mut regroupings = 0;
    while !trainer.is_finished() {
        s.inbox.regroup().await.unwrap();
        regroupings += 1;
        regrouped.store(regroupings, std::sync::atomic::Ordering::SeqCst);
    }
    let decided = trainer.await.unwrap();
    assert!(
        decided > 10 && regroupings > 1,
        "{on}: the race ran ({decided} decisions, {regroupings} regroupings)"
    );

    let open_groups: HashSet<i64> = cluster::Entity::find()
        .filter(cluster::Column::Status.eq("open"))
        .all(&s.db)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    let hidden: Vec<miss::Model> = miss::Entity::find()
        .filter(miss::Column::Status.eq("open"))
        .all(&s.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.cluster_id.is_some_and(|c| !open_groups.contains(&c)))
        .collect();
    assert!(hidden.is_empty(), "{on}: {} open questions sit in closed groups: {hidden:?}", hidden.len());
    // And what the inbox shows is what is stored.
    let all = model::inbox::ListFilter { limit: Some(200), members: None, ..Default::default() };
    let page = s.inbox.list(&all).await.unwrap();
    assert!(page.total <= 200, "{on}: one page holds them all");
    let listed: i64 = page.clusters.iter().map(|c| c.size).sum();
    let open = miss::Entity::find().filter(miss::Column::Status.eq("open")).count(&s.db).await.unwrap();
    assert_eq!(listed as u64, open, "{on}");

    // One instance takes one regrouping at a time: a second request is refused, not queued.
    let twice = all_at_once(2, |_| {
        let inbox = s.inbox.clone();
        async move { inbox.regroup().await }
    })
    .await;
    assert_eq!(twice.iter().filter(|r| r.is_ok()).count(), 1, "{on}: {twice:?}");
    assert!(
        twice
            .iter()
            .any(|r| matches!(r, Err(InboxError::Refused(model::views::Problem::RegroupRunning { .. })))),
        "{on}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn instances_sweeping_untaken_clarifications_at_once_count_each_once() {
    use model::matching::asks::entity as asks;
    use sea_orm::{ActiveModelTrait, Set};
    let dir = tempfile::tempdir().unwrap();
    for db in common::databases(dir.path(), "untaken").await {
        let on = model::storage::backend_name(&db);
        let long_ago = chrono::Utc::now() - chrono::Duration::hours(1);
        for i in 0..10 {
            asks::ActiveModel {
                ask_id: Set(format!("ask_{i}")),
                question: Set(format!("which of the two cards {i}")),
                channel: Set(model::views::Channel::Bot),
                outcome: Set(model::views::Outcome::Clarify),
                candidates: Set("[]".into()),
                miss_recorded: Set(false),
                created_at: Set(long_ago),
                ..Default::default()
            }
            .insert(&db)
            .await
            .unwrap();
        }
        // Four instances run their timer at the same moment.
        let swept = all_at_once(4, |_| {
            let db = db.clone();
            async move {
                model::misses::record_untaken_clarifications(&db, chrono::Duration::minutes(10))
                    .await
                    .unwrap()
            }
        })
        .await;
        assert_eq!(swept.iter().sum::<usize>(), 10, "{on}: {swept:?}");
        let events = model::misses::entity::event::Entity::find().count(&db).await.unwrap();
        assert_eq!(events, 10, "{on}: each untaken clarification is one miss report");
    }
}
