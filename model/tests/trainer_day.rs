//! The trainer's day with the real model, on a real SQLite file and (when the test server runs)
//! PostgreSQL: bulk decisions in one transaction each that respect claims and are undone as one,
//! "my decisions" saying what can still be undone, a draft discarded with the questions it held
//! back in the inbox, groups assigned to a trainer, and "try it" answering as `/ask` will once the
//! draft is published.

mod common;

use model::inbox::{Decision, Inbox, InboxError, ListFilter};
use model::knowledge::{points, queries};
use model::matching::AskRequest;
use model::misses::{self, entity::miss};
use model::views::{Actor, ClusterView, Content, GroupStatus, MissStatus, PointStatus, Problem, Role};
use model::Services;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

const KNOWLEDGE: &str = "category,question,answer,phrasings\n\
    Cards,Where is my card?,On its way.,card not arrived|my card is late\n\
    Exchange,What exchange rate do you use?,The interbank rate.,how is the exchange rate set\n";

/// Questions on seven unrelated subjects: seven groups.
const ASKED: [&str; 7] = [
    "tell me a joke",
    "what is the weather like in paris",
    "who won the football match yesterday",
    "my card still has not arrived",
    "recommend a good pizza restaurant",
    "can you sing a song for me",
    "what is the capital of australia",
];

async fn setup(db: sea_orm::DatabaseConnection) -> Services {
    use model::knowledge::transfer::Format;
    let services = common::services_on(
        db,
        Format::Csv,
        KNOWLEDGE.as_bytes(),
        common::embedder(),
        Default::default(),
        Default::default(),
    )
    .await;
    let reports: Vec<_> = ASKED.iter().map(|q| common::no_match(q)).collect();
    misses::record(&services.db, &reports).await.unwrap();
    services.inbox.assign_pending().await.unwrap();
    services
}

async fn groups(inbox: &Inbox) -> Vec<ClusterView> {
    inbox.list(&ListFilter { members: None, ..Default::default() }).await.unwrap().clusters
}

async fn open_misses(db: &sea_orm::DatabaseConnection) -> u64 {
    miss::Entity::find().filter(miss::Column::Status.eq(MissStatus::Open)).count(db).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_decisions_are_one_transaction_respect_claims_and_undo_as_one() {
    let dir = tempfile::tempdir().unwrap();
    for db in common::databases(dir.path(), "bulk_decisions").await {
        let services = setup(db).await;
        let (inbox, db) = (&services.inbox, &services.db);
        let (tina, ben) = (Actor::new("tina", Role::Trainer), Actor::new("ben", Role::Trainer));
        let page = groups(inbox).await;
        assert!(page.len() >= 6, "one group a subject: {}", page.len());
        let five: Vec<String> = page.iter().take(5).map(|g| g.id.clone()).collect();

        // Ben holds one of the five: the whole action is refused and nothing changes.
        inbox.claim(&ben, &five[2]).await.unwrap();
        let e = inbox
            .resolve_many(&tina, &five, Decision::Dismiss { reason: "chit-chat".into() })
            .await
            .unwrap_err();
        assert!(matches!(e, InboxError::Refused(Problem::Claimed { .. })), "{e}");
        assert_eq!(open_misses(db).await, ASKED.len() as u64, "no group of the five was decided");
        assert!(inbox.decisions(Some("tina"), 10).await.unwrap().is_empty());
        inbox.release(&ben, &five[2]).await.unwrap();

        // New points are made one group at a time; a bulk action needs a group.
        let create = Decision::Create {
            category: "Misc".into(),
            question: "q".into(),
            answer: "a".into(),
            miss_ids: None,
        };
        let e = inbox.resolve_many(&tina, &five, create).await.unwrap_err();
        assert!(matches!(e, InboxError::Refused(Problem::NotInBulk)), "{e}");
        let e = inbox.resolve_many(&tina, &[], Decision::Dismiss { reason: "x".into() }).await.unwrap_err();
        assert!(matches!(e, InboxError::Refused(Problem::BulkGroups { .. })), "{e}");

        let done =
            inbox.resolve_many(&tina, &five, Decision::Dismiss { reason: "chit-chat".into() }).await.unwrap();
        assert_eq!(done.groups, 5);
        assert_eq!(open_misses(db).await, ASKED.len() as u64 - done.resolved_misses as u64);
        assert_eq!(groups(inbox).await.len(), page.len() - 5);

        // "My decisions" shows it as one entry of five groups, undoable; Ben sees none of his own.
        let mine = inbox.decisions(Some("tina"), 10).await.unwrap();
        assert_eq!(mine.len(), 1, "{mine:?}");
        assert_eq!((mine[0].groups, mine[0].misses, mine[0].undoable), (5, done.resolved_misses, true));
        assert_eq!(mine[0].reason.as_deref(), Some("chit-chat"));
        assert!(inbox.decisions(Some("ben"), 10).await.unwrap().is_empty());

        // Undone as one: every group and question is back, and once only.
        let undone = inbox.undo(&tina, &done.decision_id).await.unwrap();
        assert_eq!(undone.reopened_misses, done.resolved_misses);
        assert_eq!(open_misses(db).await, ASKED.len() as u64);
        let back = groups(inbox).await;
        assert_eq!(back.len(), page.len());
        assert!(back.iter().all(|g| g.status == GroupStatus::Open));
        let listed = inbox.decisions(Some("tina"), 10).await.unwrap();
        assert_eq!((listed.len(), listed[0].undone, listed[0].undoable), (1, true, false));
        let e = inbox.undo(&tina, &done.decision_id).await.unwrap_err();
        assert!(matches!(e, InboxError::Refused(Problem::AlreadyUndone { .. })), "{e}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn linking_groups_to_one_point_is_undone_back_to_its_published_revision() {
    let dir = tempfile::tempdir().unwrap();
    let services = setup(common::sqlite(dir.path(), "bulk_link").await).await;
    let (inbox, db) = (&services.inbox, &services.db);
    let tina = Actor::new("tina", Role::Trainer);
    let page = groups(inbox).await;
    let three: Vec<String> = page.iter().take(3).map(|g| g.id.clone()).collect();
    let card = point_named(db, "Where is my card?").await;
    let before = queries::detail(db, card).await.unwrap();

    let done = inbox
        .resolve_many(&tina, &three, Decision::Link { knowledge_id: card.to_string(), miss_ids: None })
        .await
        .unwrap();
    let linked = queries::detail(db, card).await.unwrap();
    assert_eq!(linked.status, PointStatus::InReview);
    assert_eq!(
        linked.head.content.phrasings.len(),
        before.head.content.phrasings.len() + done.resolved_misses
    );

    inbox.undo(&tina, &done.decision_id).await.unwrap();
    let after = queries::detail(db, card).await.unwrap();
    assert_eq!(after.status, PointStatus::Published);
    assert_eq!(after.head.content, before.head.content);
    assert!(queries::review_queue(db).await.unwrap().is_empty());
    assert_eq!(open_misses(db).await, ASKED.len() as u64);

    // Decided again after the undo: the new draft takes a number the withdrawn one never had.
    let again = inbox
        .resolve_many(&tina, &three, Decision::Link { knowledge_id: card.to_string(), miss_ids: None })
        .await
        .unwrap();
    assert_eq!(again.resolved_misses, done.resolved_misses);
    let relinked = queries::detail(db, card).await.unwrap();
    assert_eq!(relinked.status, PointStatus::InReview);
    // Each group's link writes its own revision: numbers go on past the withdrawn ones.
    assert!(relinked.head.number > linked.head.number, "{relinked:?}");
    assert_eq!(relinked.head.content.phrasings, linked.head.content.phrasings);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_discarded_draft_returns_its_inbox_questions_and_the_published_revision() {
    let dir = tempfile::tempdir().unwrap();
    for db in common::databases(dir.path(), "discard_draft").await {
        let services = setup(db).await;
        let (inbox, db) = (&services.inbox, &services.db);
        let tina = Actor::new("tina", Role::Trainer);
        let page = groups(inbox).await;
        let card_group =
            page.iter().find(|g| g.members.iter().any(|m| m.question == ASKED[3])).unwrap().id.clone();
        let card = page
            .iter()
            .find(|g| g.id == card_group)
            .and_then(|g| g.suggestions.first())
            .map(|s| s.knowledge_id.parse::<i32>().unwrap())
            .unwrap();
        let published = queries::detail(db, card).await.unwrap();

        // A point with nothing pending has nothing to discard.
        let e = inbox.discard_draft(&tina, card, published.version).await.unwrap_err();
        assert!(matches!(e, InboxError::Knowledge(_)), "{e}");
        assert!(e.to_string().contains("no draft"), "{e}");

        let linked = inbox
            .resolve(&tina, &card_group, Decision::Link { knowledge_id: card.to_string(), miss_ids: None })
            .await
            .unwrap();
        assert_eq!(miss_of(db, ASKED[3]).await.status, MissStatus::Resolved);
        let pending = queries::detail(db, card).await.unwrap();
        // A stale version is refused like any edit.
        assert!(inbox.discard_draft(&tina, card, pending.version - 1).await.is_err());

        let discarded = inbox.discard_draft(&tina, card, pending.version).await.unwrap();
        assert_eq!(discarded.reopened_misses, linked.resolved_misses);
        let now = queries::detail(db, card).await.unwrap();
        assert_eq!((now.status, &now.head.content), (PointStatus::Published, &published.head.content));
        assert_eq!(miss_of(db, ASKED[3]).await.status, MissStatus::Open);
        assert!(groups(inbox).await.iter().any(|g| g.id == card_group), "the group is open again");
        let mine = inbox.decisions(Some("tina"), 10).await.unwrap();
        assert!(mine[0].undone && !mine[0].undoable, "{mine:?}");
    }
}

async fn point_named(db: &sea_orm::DatabaseConnection, question: &str) -> i32 {
    queries::list(db, &Default::default())
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.question == question)
        .unwrap()
        .id
}

async fn miss_of(db: &sea_orm::DatabaseConnection, question: &str) -> miss::Model {
    miss::Entity::find().filter(miss::Column::Question.eq(question)).one(db).await.unwrap().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assigned_groups_are_the_trainers_until_they_decide() {
    let dir = tempfile::tempdir().unwrap();
    let services = setup(common::sqlite(dir.path(), "assign").await).await;
    let inbox = &services.inbox;
    let db = &services.db;
    for (name, role) in [("tina", Role::Trainer), ("ana", Role::Trainer), ("sam", Role::Supervisor)] {
        model::accounts::users::add(db, name, "a long enough password", role).await.unwrap();
    }
    model::accounts::users::add(db, "botty", "a long enough password", Role::Bot).await.ok();
    let (lead, ana, tina) = (
        Actor::new("lead", Role::Reviewer),
        Actor::new("ana", Role::Trainer),
        Actor::new("tina", Role::Trainer),
    );
    let page = groups(inbox).await;
    let two: Vec<String> = page.iter().take(2).map(|g| g.id.clone()).collect();

    let e = inbox.assign(&lead, &two, "nobody").await.unwrap_err();
    assert!(matches!(e, InboxError::Refused(Problem::NotATrainer { .. })), "{e}");
    let given = inbox.assign(&lead, &two, "ana").await.unwrap();
    assert_eq!(given.groups, 2);
    assert!(given.until > chrono::Utc::now() + chrono::Duration::days(6));

    // Ana's queue holds them; Tina cannot decide on them.
    let queue = ListFilter { claimed_by: Some("ana".into()), ..Default::default() };
    let held: Vec<String> = inbox.list(&queue).await.unwrap().clusters.into_iter().map(|g| g.id).collect();
    assert_eq!(held.len(), 2);
    assert!(two.iter().all(|id| held.contains(id)));
    let e = inbox.resolve(&tina, &two[0], Decision::Dismiss { reason: "noise".into() }).await.unwrap_err();
    assert!(matches!(e, InboxError::Refused(Problem::Claimed { .. })), "{e}");

    // Opening and leaving a group does not end the assignment.
    inbox.claim(&ana, &two[0]).await.unwrap();
    inbox.release(&ana, &two[0]).await.unwrap();
    assert_eq!(inbox.list(&queue).await.unwrap().total, 2);
    inbox.resolve(&ana, &two[0], Decision::Dismiss { reason: "noise".into() }).await.unwrap();
    assert_eq!(inbox.list(&queue).await.unwrap().total, 1);
    assert_eq!(model::accounts::users::trainers(db).await.unwrap(), vec!["ana", "sam", "tina"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trying_a_draft_answers_as_ask_does_once_it_is_published() {
    let dir = tempfile::tempdir().unwrap();
    let services = setup(common::sqlite(dir.path(), "try_draft").await).await;
    let (db, matcher) = (&services.db, &services.matcher);
    let (tina, lead) = (Actor::new("tina", Role::Trainer), Actor::new("lead", Role::Reviewer));
    let category = queries::list(db, &Default::default()).await.unwrap()[0].category_id;
    let content = Content {
        category_id: category,
        question: "How do I change my PIN?".into(),
        answer: "In the app, under Card settings.".into(),
        phrasings: vec!["i want a new pin number".into(), "reset my card pin".into()],
        template_slot: None,
        ..Default::default()
    };
    let typed = vec!["how can i set a different pin".to_string(), "where is my card".to_string()];

    // Before it is saved, and once saved as a draft: the same answers, the draft named.
    let unsaved = model::publishing::try_draft(&services, &tina, None, &content, &typed).await.unwrap();
    let id = points::create(db, &tina, content.clone()).await.unwrap().id;
    let tried = model::publishing::try_draft(&services, &tina, Some(id), &content, &typed).await.unwrap();
    assert_eq!(tried.questions.len(), 5, "the draft's three texts and the two typed");
    assert_eq!(tried.questions[0].question, "How do I change my PIN?");
    for (a, b) in unsaved.questions.iter().zip(&tried.questions) {
        assert_eq!(
            (a.with_draft.outcome, a.with_draft.is_draft),
            (b.with_draft.outcome, b.with_draft.is_draft)
        );
    }
    let own = &tried.questions[0];
    assert!(own.with_draft.is_draft, "{own:?}");
    assert_eq!(own.with_draft.knowledge_id.as_deref(), Some(id.to_string().as_str()));
    assert_ne!(own.now.knowledge_id.as_deref(), Some(id.to_string().as_str()), "not before publishing");
    assert!(!own.now.is_draft, "what answers now is never the draft");
    // Nothing was recorded: no ask logged, no miss.
    let asks = model::matching::asks::entity::Entity::find().count(db).await.unwrap();
    assert_eq!(asks, 0);
    assert_eq!(open_misses(db).await, ASKED.len() as u64);

    let p = points::submit(db, &tina, id, queries::detail(db, id).await.unwrap().version).await.unwrap();
    model::publishing::publish(&services, &lead, id, Some(p.version), true).await.unwrap();
    for q in &tried.questions {
        let asked = matcher
            .ask(AskRequest {
                question: q.question.clone(),
                channel: Default::default(),
                session_id: None,
                dry_run: true,
            })
            .await
            .unwrap();
        assert_eq!(asked.outcome, q.with_draft.outcome, "{}", q.question);
        let top = asked.candidates.first();
        assert_eq!(top.map(|c| c.knowledge_id.clone()), q.with_draft.knowledge_id, "{}", q.question);
        assert!((top.map_or(0.0, |c| c.score) - q.with_draft.score).abs() < 1e-4, "{}", q.question);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trying_a_draft_shows_the_answers_it_would_take_away() {
    let dir = tempfile::tempdir().unwrap();
    let services = setup(common::sqlite(dir.path(), "try_regression").await).await;
    let db = &services.db;
    let tina = Actor::new("tina", Role::Trainer);
    let card = point_named(db, "Where is my card?").await;
    let mut content = queries::detail(db, card).await.unwrap().head.content;
    // The card point reworded into something else: its own published phrasings lose their answer.
    content.question = "Do you sell gift vouchers?".into();
    content.phrasings = vec!["can i buy a gift voucher".into()];
    let tried = model::publishing::try_draft(&services, &tina, Some(card), &content, &[]).await.unwrap();
    let lost: Vec<&str> = tried
        .regressions
        .iter()
        .filter(|r| r.was_knowledge_id.as_deref() == Some(card.to_string().as_str()))
        .map(|r| r.question.as_str())
        .collect();
    assert!(lost.contains(&"card not arrived"), "{:?}", tried.regressions);
    // Bad input is refused, and nothing changed.
    let long = "x".repeat(501);
    assert!(model::publishing::try_draft(&services, &tina, Some(card), &content, &[long]).await.is_err());
    let empty = Content { question: " ".into(), phrasings: vec![], ..content.clone() };
    assert!(model::publishing::try_draft(&services, &tina, Some(card), &empty, &[]).await.is_err());
    assert_eq!(queries::detail(db, card).await.unwrap().status, PointStatus::Published);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_discarded_draft_returns_questions_a_link_found_in_it_already() {
    let dir = tempfile::tempdir().unwrap();
    let services = setup(common::sqlite(dir.path(), "discard_silent").await).await;
    let (inbox, db) = (&services.inbox, &services.db);
    let tina = Actor::new("tina", Role::Trainer);
    let page = groups(inbox).await;
    let joke = page.iter().find(|g| g.members.iter().any(|m| m.question == ASKED[0])).unwrap().clone();
    let card = point_named(db, "Where is my card?").await;
    // The trainer wrote the group's questions into the draft by hand; the link adds nothing and
    // writes no revision.
    let mut content = queries::detail(db, card).await.unwrap().head.content;
    content.phrasings.extend(joke.members.iter().map(|m| m.question.clone()));
    let edited = points::save(db, &tina, card, queries::detail(db, card).await.unwrap().version, content)
        .await
        .unwrap();
    inbox
        .resolve(&tina, &joke.id, Decision::Link { knowledge_id: card.to_string(), miss_ids: None })
        .await
        .unwrap();
    assert_eq!(miss_of(db, ASKED[0]).await.status, MissStatus::Resolved);
    let version = queries::detail(db, card).await.unwrap().version;
    assert_eq!(version, edited.version, "the link wrote nothing");

    let discarded = inbox.discard_draft(&tina, card, version).await.unwrap();
    assert_eq!(discarded.reopened_misses, joke.members.len());
    assert_eq!(miss_of(db, ASKED[0]).await.status, MissStatus::Open, "not lost with the draft");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_decisions_pages_by_entry_and_says_what_undo_will_refuse() {
    let dir = tempfile::tempdir().unwrap();
    let services = setup(common::sqlite(dir.path(), "decision_entries").await).await;
    let (inbox, db) = (&services.inbox, &services.db);
    let (tina, lead) = (Actor::new("tina", Role::Trainer), Actor::new("lead", Role::Reviewer));
    let page = groups(inbox).await;
    let ids: Vec<String> = page.iter().map(|g| g.id.clone()).collect();
    // Three entries: a bulk action of three groups, one of two, and a single decision.
    let dismiss = || Decision::Dismiss { reason: "noise".into() };
    inbox.resolve_many(&tina, &ids[0..3], dismiss()).await.unwrap();
    inbox.resolve_many(&tina, &ids[3..5], dismiss()).await.unwrap();
    let card = point_named(db, "Where is my card?").await.to_string();
    let linked = inbox
        .resolve(&tina, &ids[5], Decision::Link { knowledge_id: card.clone(), miss_ids: None })
        .await
        .unwrap();
    let two = inbox.decisions(Some("tina"), 2).await.unwrap();
    assert_eq!(two.iter().map(|d| (d.groups, d.undoable)).collect::<Vec<_>>(), vec![(1, true), (2, true)]);
    assert_eq!(two[1].label, page[3].label, "the bulk action is named by its first group");
    let all = inbox.decisions(Some("tina"), 10).await.unwrap();
    assert_eq!(all.iter().map(|d| d.groups).collect::<Vec<_>>(), vec![1, 2, 3]);
    assert_eq!(all[1].misses + all[2].misses, (0..5).map(|i| page[i].size as usize).sum::<usize>());

    // Archived since: the listing says what undo will do, refuse.
    let kid: i32 = card.parse().unwrap();
    model::knowledge::points::archive(db, &lead, kid, queries::detail(db, kid).await.unwrap().version)
        .await
        .unwrap();
    let listed = inbox.decisions(Some("tina"), 1).await.unwrap();
    assert!(!listed[0].undoable && !listed[0].undone, "{listed:?}");
    assert!(inbox.undo(&tina, &linked.decision_id).await.is_err());
    // The dismissal keeps its reason once undone.
    inbox.undo(&tina, &all[1].id).await.unwrap();
    let listed = inbox.decisions(Some("tina"), 2).await.unwrap();
    assert_eq!((listed[1].undone, listed[1].reason.as_deref()), (true, Some("noise")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_can_be_assigned_to_the_trainer_who_has_it_open() {
    let dir = tempfile::tempdir().unwrap();
    let services = setup(common::sqlite(dir.path(), "assign_open").await).await;
    let (inbox, db) = (&services.inbox, &services.db);
    for name in ["ana", "ben"] {
        model::accounts::users::add(db, name, "a long enough password", Role::Trainer).await.unwrap();
    }
    let (lead, ana, ben) = (
        Actor::new("lead", Role::Reviewer),
        Actor::new("ana", Role::Trainer),
        Actor::new("ben", Role::Trainer),
    );
    let id = groups(inbox).await[0].id.clone();
    inbox.claim(&ana, &id).await.unwrap();
    inbox.assign(&lead, std::slice::from_ref(&id), "ana").await.unwrap();
    // Held by Ana: assigning it to Ben is refused.
    let e = inbox.assign(&lead, std::slice::from_ref(&id), "ben").await.unwrap_err();
    assert!(matches!(e, InboxError::Refused(Problem::Claimed { ref by, .. }) if by == "ana"), "{e}");
    assert!(inbox.resolve(&ben, &id, Decision::Dismiss { reason: "noise".into() }).await.is_err());
}
