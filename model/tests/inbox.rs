//! The miss inbox with the real model on a real SQLite file: new misses are placed in groups by
//! meaning, a regrouping keeps the ids of groups that survive, groups are listed by impact with
//! labels and suggestions, and each decision (link, create, dismiss) closes what it should and
//! nothing else.

mod common;

use std::sync::Arc;

use chrono::{Duration, Utc};
use migrations::{Migrator, MigratorTrait};
use model::inbox::{Costs, Decision, Inbox, InboxError, ListFilter, Rank};
use model::knowledge::{queries, transfer};
use model::matching::{Matcher, Scoring};
use model::misses::{self, entity::miss, Report, Signal};
use model::views::{Actor, ClusterView, Language, PointStatus, Role};
use sea_orm::{DatabaseConnection, EntityTrait};

const CARD: [&str; 4] = [
    "my new card has not arrived yet",
    "when will my card arrive",
    "I am still waiting for my card to be delivered",
    "card delivery is taking too long",
];
const RATE: [&str; 3] = [
    "what exchange rate do you use",
    "is the exchange rate for euros fair",
    "how is the currency exchange rate set",
];

fn report(question: &str, channel: &str, hours_ago: i64) -> Report {
    Report {
        question: question.into(),
        signal: Signal::NoMatch,
        channel: channel.into(),
        session_id: None,
        ask_id: None,
        reason: None,
        agent_answer: None,
        occurred_at: Utc::now() - Duration::hours(hours_ago),
    }
}

async fn setup() -> (tempfile::TempDir, DatabaseConnection, Inbox) {
    let dir = tempfile::tempdir().unwrap();
    let db =
        model::storage::connect(&format!("sqlite://{}", dir.path().join("i.db").display())).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    let lead = Actor::new("lead", Role::Reviewer);
    let csv = "category,question,answer,phrasings\n\
               Cards,Where is my card?,On its way.,card not arrived\n\
               Top-ups,How do I top up?,In the app.,add money to my account\n";
    transfer::import(&db, &lead, transfer::parse(transfer::Format::Csv, csv.as_bytes()).unwrap(), true)
        .await
        .unwrap();
    let embedder: Arc<dyn model::Embedder> = common::embedder();
    let matcher = Arc::new(Matcher::load(db.clone(), embedder.clone(), Scoring::default()).await.unwrap());
    let inbox = Inbox::load(db.clone(), matcher, Default::default()).await.unwrap();
    (dir, db, inbox)
}

fn group_of<'a>(page: &'a [ClusterView], question: &str) -> &'a ClusterView {
    page.iter()
        .find(|c| c.members.iter().any(|m| m.question == question))
        .unwrap_or_else(|| panic!("no group has {question:?}"))
}

async fn status_of(db: &DatabaseConnection, question: &str) -> miss::Model {
    use sea_orm::{ColumnTrait, QueryFilter};
    miss::Entity::find().filter(miss::Column::Question.eq(question)).one(db).await.unwrap().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn misses_are_grouped_by_meaning_listed_by_impact_and_regrouping_keeps_ids() {
    let (_dir, db, inbox) = setup().await;
    let mut reports: Vec<Report> = Vec::new();
    for (i, q) in CARD.iter().enumerate() {
        reports.push(report(q, "bot", 1));
        reports.push(report(q, if i % 2 == 0 { "online" } else { "bot" }, 2));
    }
    for q in RATE {
        reports.push(report(q, "hotline", 24 * 5));
    }
    reports.push(report("do you sell pizza", "bot", 3));
    // Three customers asked for a human about it: few reports, each an agent's time.
    for _ in 0..3 {
        reports.push(Report { signal: Signal::Handoff, ..report("do you sell pizza", "bot", 2) });
    }
    misses::record(&db, &reports).await.unwrap();
    assert_eq!(inbox.assign_pending().await.unwrap(), 8, "every distinct question placed");
    assert_eq!(inbox.assign_pending().await.unwrap(), 0, "nothing left to place");

    let page = inbox.list(&ListFilter { members: None, ..Default::default() }).await.unwrap();
    let card = group_of(&page.clusters, CARD[0]);
    for q in CARD {
        assert_eq!(group_of(&page.clusters, q).id, card.id, "{q} is with the other card questions");
    }
    let rate = group_of(&page.clusters, RATE[0]);
    assert_ne!(rate.id, card.id);
    let pizza = group_of(&page.clusters, "do you sell pizza");
    assert!(pizza.id != card.id && pizza.id != rate.id, "an unrelated question is a group of its own");
    assert_eq!(page.total, page.clusters.len() as i64);
    let placed: usize = page.clusters.iter().map(|c| c.size as usize).sum();
    assert_eq!(placed, 8, "every open miss in exactly one group");

    // Impact: the card group has 8 reports in the last day; rates 3 reports five days ago.
    assert_eq!(page.clusters[0].id, card.id);
    assert_eq!((card.size, card.volume, card.last_day, card.previous_week), (4, 8, 8, 0));
    assert_eq!((rate.volume, rate.last_day, rate.previous_week), (3, 0, 3));
    assert!(CARD.contains(&card.label.as_str()), "the label is one of its questions: {}", card.label);
    assert!(card.key_terms.iter().any(|t| t == "card"), "{:?}", card.key_terms);
    assert_eq!(card.channels, vec!["bot".to_string(), "online".to_string()]);
    assert_eq!(card.signals, vec![model::views::Signal::NoMatch]);
    assert_eq!(card.suggestions[0].question, "Where is my card?", "{:?}", card.suggestions);

    // By cost (handoffs weigh 3): the pizza group's 3 handoffs and 1 miss of the last day
    // (3 + 27) outweigh the card group's 8 misses (24), which lead by impact (24 against 12).
    assert_eq!((card.impact, card.cost), (24.0, 24.0));
    assert_eq!((pizza.impact, pizza.cost), (12.0, 30.0));
    let by_cost = inbox.list(&ListFilter { rank: Rank::Cost, ..Default::default() }).await.unwrap();
    assert_eq!(by_cost.clusters[0].id, pizza.id);
    assert_eq!(by_cost.clusters[1].id, card.id);
    // Weights from the configuration: handoffs counted as plain misses, impact's order again.
    let plain = Costs { handoff: 1.0, ..Costs::default() };
    let inbox = inbox.with_costs(plain);
    let by_cost = inbox.list(&ListFilter { rank: Rank::Cost, ..Default::default() }).await.unwrap();
    assert_eq!(by_cost.clusters[0].id, card.id);
    assert!(Costs { handoff: f64::NAN, ..plain }.check().is_err() && plain.check().is_ok());

    // Filters: only the hotline's reports count; text search keeps groups with a match.
    let hotline =
        inbox.list(&ListFilter { channel: Some("hotline".into()), ..Default::default() }).await.unwrap();
    assert_eq!(hotline.clusters.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), vec![rate.id.as_str()]);
    let text = inbox.list(&ListFilter { text: Some("PIZZA".into()), ..Default::default() }).await.unwrap();
    assert_eq!(text.clusters.len(), 1);
    assert_eq!(text.clusters[0].id, pizza.id);
    let recent = inbox
        .list(&ListFilter { since: Some(Utc::now() - Duration::hours(48)), ..Default::default() })
        .await
        .unwrap();
    assert!(recent.clusters.iter().all(|c| c.id != rate.id), "rate reports are older than two days");
    assert!(matches!(
        inbox.list(&ListFilter { limit: Some(0), ..Default::default() }).await,
        Err(InboxError::Refused(model::views::Problem::Limit { .. }))
    ));

    // A full regrouping: the same groups come out, under the same ids.
    let report = inbox.regroup().await.unwrap();
    assert_eq!(report.misses, 8);
    assert_eq!(report.kept, report.clusters, "{report:?}");
    let again = inbox.list(&ListFilter { members: None, ..Default::default() }).await.unwrap();
    assert_eq!(group_of(&again.clusters, CARD[3]).id, card.id);
    assert_eq!(group_of(&again.clusters, RATE[2]).id, rate.id);

    // A new question close to the card group joins it at once.
    misses::record(&db, &[report_now("my card never arrived in the post")]).await.unwrap();
    assert_eq!(inbox.assign_pending().await.unwrap(), 1);
    assert_eq!(
        status_of(&db, "my card never arrived in the post").await.cluster_id.unwrap().to_string(),
        card.id
    );

    // Language: a Chinese question is filed as Chinese (a product name in Latin letters
    // included); each filter shows only its own questions.
    misses::record(&db, &[report_now("我的CX卡还没寄到"), report_now("信用卡年费是多少")]).await.unwrap();
    assert_eq!(inbox.assign_pending().await.unwrap(), 2);
    let zh = ListFilter { language: Some(Language::Zh), members: None, ..Default::default() };
    let zh = inbox.list(&zh).await.unwrap();
    let questions = |p: &model::views::ClusterPage| -> Vec<String> {
        let mut q: Vec<String> =
            p.clusters.iter().flat_map(|c| c.members.iter().map(|m| m.question.clone())).collect();
        q.sort();
        q
    };
    assert_eq!(questions(&zh), ["信用卡年费是多少", "我的CX卡还没寄到"]);
    let en = ListFilter { language: Some(Language::En), members: None, ..Default::default() };
    let en = inbox.list(&en).await.unwrap();
    assert!(questions(&en).iter().all(|q| q.is_ascii()) && questions(&en).len() == 9, "{:?}", questions(&en));
}

fn report_now(q: &str) -> Report {
    report(q, "bot", 0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decisions_close_their_questions_and_dismissed_ones_do_not_come_back() {
    let (_dir, db, inbox) = setup().await;
    let trainer = Actor::new("tina", Role::Trainer);
    let all: Vec<Report> = CARD.iter().chain(RATE.iter()).map(|q| report_now(q)).collect();
    misses::record(&db, &all).await.unwrap();
    inbox.assign_pending().await.unwrap();
    let page = inbox.list(&ListFilter { members: None, ..Default::default() }).await.unwrap();
    let card = group_of(&page.clusters, CARD[0]).clone();
    let rate = group_of(&page.clusters, RATE[0]).clone();
    let card_point = card.suggestions[0].knowledge_id.clone();

    // Bad decisions are refused and change nothing.
    let bad = [
        (rate.id.as_str(), Decision::Dismiss { reason: "  ".into() }),
        ("999999", Decision::Dismiss { reason: "noise".into() }),
        (
            card.id.as_str(),
            Decision::Link {
                knowledge_id: card_point.clone(),
                miss_ids: Some(vec![rate.members[0].miss_id.clone()]),
            },
        ),
        (card.id.as_str(), Decision::Link { knowledge_id: "424242".into(), miss_ids: None }),
        (
            card.id.as_str(),
            Decision::Create {
                category: "Cards".into(),
                question: "".into(),
                answer: "x".into(),
                miss_ids: None,
            },
        ),
    ];
    for (group, decision) in bad {
        let e = inbox.resolve(&trainer, group, decision.clone()).await.unwrap_err();
        assert!(
            matches!(
                model::errors::Kind::kind(&e),
                model::errors::ErrorKind::Invalid | model::errors::ErrorKind::NotFound
            ),
            "{decision:?}: {e}"
        );
    }
    let e = inbox
        .resolve(&Actor::new("a-bot", Role::Bot), &rate.id, Decision::Dismiss { reason: "noise".into() })
        .await
        .unwrap_err();
    assert!(e.to_string().contains("trainer"), "{e}");
    let unchanged = inbox.list(&ListFilter::default()).await.unwrap();
    assert_eq!(unchanged.total, page.total, "nothing was closed by a refused decision");

    // Link two card questions: they become phrasings of the point, which goes to review.
    let two = vec![card.members[0].miss_id.clone(), card.members[1].miss_id.clone()];
    let linked = inbox
        .resolve(
            &trainer,
            &card.id,
            Decision::Link { knowledge_id: card_point.clone(), miss_ids: Some(two.clone()) },
        )
        .await
        .unwrap();
    assert_eq!((linked.knowledge_id.as_deref(), linked.resolved_misses), (Some(card_point.as_str()), 2));
    let point = queries::detail(&db, card_point.parse().unwrap()).await.unwrap();
    assert_eq!(point.status, PointStatus::InReview);
    let head = point.head;
    for m in &card.members[..2] {
        assert!(head.content.phrasings.contains(&m.question), "{:?}", head.content.phrasings);
        let stored = status_of(&db, &m.question).await;
        assert_eq!(
            (stored.status, stored.knowledge_id),
            (model::views::MissStatus::Resolved, Some(card_point.parse().unwrap()))
        );
    }
    let still = inbox.list(&ListFilter { members: None, ..Default::default() }).await.unwrap();
    assert_eq!(
        group_of(&still.clusters, &card.members[2].question).size,
        2,
        "the rest of the group stays open"
    );

    // Create a new point from the rest: a draft in review with the questions as phrasings.
    let created = inbox
        .resolve(
            &trainer,
            &card.id,
            Decision::Create {
                category: "Cards/Delivery".into(),
                question: "How long does card delivery take?".into(),
                answer: "Up to 5 working days.".into(),
                miss_ids: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(created.resolved_misses, 2);
    let new_point = queries::detail(&db, created.knowledge_id.unwrap().parse().unwrap()).await.unwrap();
    assert_eq!(new_point.status, PointStatus::InReview);
    assert_eq!(new_point.head.content.phrasings.len(), 2);
    let e =
        inbox.resolve(&trainer, &card.id, Decision::Dismiss { reason: "noise".into() }).await.unwrap_err();
    assert!(
        matches!(e, InboxError::Refused(model::views::Problem::GroupClosed { .. })),
        "a decided group cannot be decided again: {e}"
    );

    // Dismiss the rate group; asked again, its questions only count.
    let dismissed =
        inbox.resolve(&trainer, &rate.id, Decision::Dismiss { reason: "out of scope".into() }).await.unwrap();
    assert_eq!(dismissed.resolved_misses, 3);
    misses::record(&db, &[report_now(RATE[0]), report_now("WHAT exchange rate do you use?")]).await.unwrap();
    assert_eq!(inbox.assign_pending().await.unwrap(), 0, "nothing new to place");
    let stored = status_of(&db, RATE[0]).await;
    assert_eq!((stored.status, stored.count), (model::views::MissStatus::Dismissed, 3));
    let open = inbox.list(&ListFilter::default()).await.unwrap();
    assert_eq!(open.total, 0, "{:?}", open.clusters);
    let closed = inbox
        .list(&ListFilter { status: model::inbox::StatusFilter::Dismissed, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(closed.clusters.len(), 1);
    assert_eq!(closed.clusters[0].volume, 5, "the repeats are counted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_regrouping_at_a_time_across_instances() {
    use model::inbox::lock;
    let (_dir, db, inbox) = setup().await;
    misses::record(&db, &[report_now(CARD[0])]).await.unwrap();
    // Another instance holds the lock, as if it were regrouping: this one is refused.
    assert!(lock::acquire(&db, "regroup", "other-instance", Duration::minutes(5)).await.unwrap());
    let e = inbox.regroup().await.unwrap_err();
    assert!(
        matches!(&e, InboxError::Refused(model::views::Problem::RegroupRunning { instance: Some(instance) }) if instance == "other-instance"),
        "{e}"
    );
    // Once it is done (or its lease has run out), this one runs.
    lock::release(&db, "regroup", "other-instance").await.unwrap();
    assert_eq!(inbox.regroup().await.unwrap().misses, 1);
    assert!(
        lock::acquire(&db, "regroup", "other-instance", Duration::minutes(5)).await.unwrap(),
        "released after"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_instances_regrouping_and_decisions_are_respected() {
    let (_dir, db, here) = setup().await;
    let embedder: Arc<dyn model::Embedder> = common::embedder();
    let matcher = Arc::new(Matcher::load(db.clone(), embedder.clone(), Scoring::default()).await.unwrap());
    let there = Inbox::load(db.clone(), matcher, Default::default()).await.unwrap();
    let all: Vec<Report> = CARD.iter().chain(RATE.iter()).map(|q| report_now(q)).collect();
    misses::record(&db, &all).await.unwrap();
    assert_eq!(here.assign_pending().await.unwrap(), 7);

    // The other instance regroups and dismisses the rate group.
    there.regroup().await.unwrap();
    let page = there.list(&ListFilter::default()).await.unwrap();
    let card = group_of(&page.clusters, CARD[0]).id.clone();
    let rate = group_of(&page.clusters, RATE[0]).id.clone();
    there
        .resolve(&Actor::new("tina", Role::Trainer), &rate, Decision::Dismiss { reason: "noise".into() })
        .await
        .unwrap();

    // This instance places new questions into the groups as they are now: a card question joins
    // the card group, a rate question does not join the dismissed group but starts a new one.
    misses::record(
        &db,
        &[
            report_now("my card never arrived in the post"),
            report_now("what is your exchange rate for dollars"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(here.assign_pending().await.unwrap(), 2);
    assert_eq!(
        status_of(&db, "my card never arrived in the post").await.cluster_id.unwrap().to_string(),
        card
    );
    let new_rate =
        status_of(&db, "what is your exchange rate for dollars").await.cluster_id.unwrap().to_string();
    assert_ne!(new_rate, rate, "a dismissed group takes no new questions");
    let open = here.list(&ListFilter { members: None, ..Default::default() }).await.unwrap();
    assert_eq!(
        open.clusters.iter().map(|c| c.size).sum::<i64>(),
        6,
        "4 + 1 card questions and the new rate one"
    );
}
