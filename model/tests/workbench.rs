//! The trainer workbench with the real model on a real SQLite file: claims keep two trainers
//! off the same group, groups merge and split, a question moves, and a decision can be undone
//! until its knowledge is published — putting back the questions and the knowledge as they were.

mod common;

use chrono::Utc;
use model::inbox::{Decision, Inbox, InboxError, ListFilter};
use model::knowledge::queries;
use model::misses::{self, entity::miss};
use model::views::{Actor, ClusterView, PointStatus, Role};
use model::Services;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

const CARD: [&str; 3] =
    ["my new card has not arrived yet", "when will my card arrive", "card delivery is taking too long"];
const RATE: [&str; 3] = [
    "what exchange rate do you use",
    "is the exchange rate for euros fair",
    "how is the currency exchange rate set",
];

async fn setup() -> (tempfile::TempDir, Services) {
    let dir = tempfile::tempdir().unwrap();
    let csv = "category,question,answer,phrasings\nCards,Where is my card?,On its way.,card not arrived\n";
    let services = common::services(dir.path(), csv).await;
    let reports: Vec<_> = CARD.iter().chain(RATE.iter()).map(|q| common::no_match(q)).collect();
    misses::record(&services.db, &reports).await.unwrap();
    services.inbox.assign_pending().await.unwrap();
    (dir, services)
}

async fn groups(inbox: &Inbox) -> Vec<ClusterView> {
    inbox.list(&ListFilter { members: None, ..Default::default() }).await.unwrap().clusters
}

fn group_of<'a>(page: &'a [ClusterView], question: &str) -> &'a ClusterView {
    page.iter().find(|c| c.members.iter().any(|m| m.question == question)).unwrap()
}

async fn miss_of(db: &DatabaseConnection, question: &str) -> miss::Model {
    miss::Entity::find().filter(miss::Column::Question.eq(question)).one(db).await.unwrap().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_keep_two_trainers_off_the_same_group() {
    let (_dir, services) = setup().await;
    let inbox = &services.inbox;
    let (ana, ben) = (Actor::new("ana", Role::Trainer), Actor::new("ben", Role::Trainer));
    let page = groups(inbox).await;
    let card = group_of(&page, CARD[0]).id.clone();

    let claim = inbox.claim(&ana, &card).await.unwrap();
    assert_eq!(claim.by, "ana");
    assert!(claim.until > Utc::now() + chrono::Duration::minutes(4));
    assert_eq!(group_of(&groups(inbox).await, CARD[0]).claimed_by.as_deref(), Some("ana"), "others see who");
    assert!(inbox.claim(&ana, &card).await.is_ok(), "claiming again renews");

    // Ben is refused everything on it, with a message naming Ana; nothing changes.
    let e = inbox.claim(&ben, &card).await.unwrap_err();
    assert!(
        matches!(&e, InboxError::Refused(model::views::Problem::Claimed { by, .. }) if by == "ana"),
        "{e}"
    );
    assert!(e.to_string().contains("ana"), "the message names her: {e}");
    let e = inbox.resolve(&ben, &card, Decision::Dismiss { reason: "noise".into() }).await.unwrap_err();
    assert!(matches!(e, InboxError::Refused(model::views::Problem::Claimed { .. })), "{e}");
    assert_eq!(miss_of(&services.db, CARD[0]).await.status, model::views::MissStatus::Open);

    // Once Ana lets go, Ben can take it.
    inbox.release(&ana, &card).await.unwrap();
    assert_eq!(group_of(&groups(inbox).await, CARD[0]).claimed_by, None);
    assert_eq!(inbox.claim(&ben, &card).await.unwrap().by, "ben");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_merge_split_and_questions_move() {
    let (_dir, services) = setup().await;
    let (inbox, db) = (&services.inbox, &services.db);
    let tina = Actor::new("tina", Role::Trainer);
    let page = groups(inbox).await;
    let (card, rate) = (group_of(&page, CARD[0]).id.clone(), group_of(&page, RATE[0]).id.clone());
    assert_ne!(card, rate);

    // Merge: one group with all six questions; the other is gone.
    assert_eq!(inbox.merge(&tina, &card, &[rate.clone()]).await.unwrap(), 3);
    let page = groups(inbox).await;
    assert_eq!(page.len(), 1);
    assert_eq!((page[0].id.as_str(), page[0].size), (card.as_str(), 6));
    assert!(matches!(
        inbox.merge(&tina, &card, &[rate.clone()]).await,
        Err(InboxError::Refused(model::views::Problem::GroupClosed { .. }))
    ));
    assert!(matches!(
        inbox.merge(&tina, &card, &[card.clone()]).await,
        Err(InboxError::Refused(model::views::Problem::MergeIntoItself))
    ));

    // Split the rate questions off again.
    let ids: Vec<String> = ids_of(db, &RATE).await;
    let split = inbox.split(&tina, &card, &ids).await.unwrap();
    let page = groups(inbox).await;
    assert_eq!(group_of(&page, RATE[1]).id, split);
    assert_eq!(group_of(&page, CARD[1]).size, 3);
    assert!(RATE.contains(&group_of(&page, RATE[1]).label.as_str()));
    let all: Vec<String> = ids_of(db, &CARD).await;
    assert!(
        matches!(
            inbox.split(&tina, &card, &all).await,
            Err(InboxError::Refused(model::views::Problem::SplitAll))
        ),
        "a split leaves one"
    );

    // Move one question across; a new miss about rates still finds the rate group.
    let one = miss_of(db, CARD[2]).await.id.to_string();
    inbox.move_question(&tina, &one, &split).await.unwrap();
    assert_eq!(group_of(&groups(inbox).await, CARD[2]).id, split);
    assert!(matches!(
        inbox.move_question(&tina, &one, &split).await,
        Err(InboxError::Refused(model::views::Problem::AlreadyInGroup { .. }))
    ));
    misses::record(db, &[common::no_match("which exchange rate applies to card payments abroad")])
        .await
        .unwrap();
    inbox.assign_pending().await.unwrap();
    assert_eq!(
        miss_of(db, "which exchange rate applies to card payments abroad")
            .await
            .cluster_id
            .unwrap()
            .to_string(),
        split
    );
}

async fn ids_of(db: &DatabaseConnection, questions: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for q in questions {
        out.push(miss_of(db, q).await.id.to_string());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decisions_are_undone_until_published() {
    let (_dir, services) = setup().await;
    let (inbox, db) = (&services.inbox, &services.db);
    let tina = Actor::new("tina", Role::Trainer);
    let page = groups(inbox).await;
    let (card, rate) = (group_of(&page, CARD[0]).clone(), group_of(&page, RATE[0]).id.clone());
    let point = card.suggestions[0].knowledge_id.clone();

    // Link the card group to the published point, then undo: the point serves its published
    // revision again, nothing waits in review, the group and its questions are back.
    let linked = inbox
        .resolve(&tina, &card.id, Decision::Link { knowledge_id: point.clone(), miss_ids: None })
        .await
        .unwrap();
    let kid: i32 = point.parse().unwrap();
    assert_eq!(queries::detail(db, kid).await.unwrap().status, PointStatus::InReview);
    let undone = inbox.undo(&tina, &linked.decision_id).await.unwrap();
    assert_eq!((undone.cluster_id.as_str(), undone.reopened_misses), (card.id.as_str(), 3));
    let detail = queries::detail(db, kid).await.unwrap();
    assert_eq!(detail.status, PointStatus::Published);
    assert_eq!(detail.head.content.phrasings, vec!["card not arrived".to_string()]);
    assert!(queries::review_queue(db).await.unwrap().is_empty());
    let back = group_of(&groups(inbox).await, CARD[1]).clone();
    assert_eq!((back.id.as_str(), back.size), (card.id.as_str(), 3));
    assert!(
        matches!(
            inbox.undo(&tina, &linked.decision_id).await,
            Err(InboxError::Refused(model::views::Problem::AlreadyUndone { .. }))
        ),
        "only once"
    );

    // Dismiss, undo by someone else (refused), by a reviewer (fine).
    let dismissed = inbox.resolve(&tina, &rate, Decision::Dismiss { reason: "noise".into() }).await.unwrap();
    let e = inbox.undo(&Actor::new("ben", Role::Trainer), &dismissed.decision_id).await.unwrap_err();
    assert!(matches!(e, InboxError::Refused(model::views::Problem::NotYourDecision { .. })), "{e}");
    inbox.undo(&Actor::new("lead", Role::Reviewer), &dismissed.decision_id).await.unwrap();
    assert_eq!(miss_of(db, RATE[2]).await.status, model::views::MissStatus::Open);

    // Create, undo: the new point is archived unseen. Create again, publish: no undo any more.
    let create = || Decision::Create {
        category: "Exchange".into(),
        question: "What exchange rate do you use?".into(),
        answer: "The interbank rate.".into(),
        miss_ids: None,
    };
    let created = inbox.resolve(&tina, &rate, create()).await.unwrap();
    inbox.undo(&tina, &created.decision_id).await.unwrap();
    let gone: i32 = created.knowledge_id.unwrap().parse().unwrap();
    assert_eq!(queries::detail(db, gone).await.unwrap().status, PointStatus::Archived);
    assert_eq!(miss_of(db, RATE[0]).await.status, model::views::MissStatus::Open);
    let created = inbox.resolve(&tina, &rate, create()).await.unwrap();
    let kid: i32 = created.knowledge_id.clone().unwrap().parse().unwrap();
    model::publishing::publish(&services, &Actor::new("lead", Role::Reviewer), kid, None, false)
        .await
        .unwrap();
    let e = inbox.undo(&tina, &created.decision_id).await.unwrap_err();
    assert!(e.to_string().contains("published"), "{e}");
    assert_eq!(miss_of(db, RATE[0]).await.status, model::views::MissStatus::Closed);

    let listed = inbox.decisions(Some("tina"), 10).await.unwrap();
    assert_eq!(
        listed.iter().map(|d| (d.action.as_str(), d.undone)).collect::<Vec<_>>(),
        vec![("create", false), ("create", true), ("dismiss", true), ("link", true)]
    );
}
