//! Counter-examples and "what went wrong", on a real SQLite file and PostgreSQL with the real
//! model: a question equal to a counter-example is never answered with its point; a 👎 miss
//! shows the answer the bot gave, the session's earlier turns and the agent's reply; "wrong
//! point" writes the counter-example and the link in one transaction, and is undone as one.

mod common;

use model::inbox::{Decision, ListFilter};
use model::knowledge::{points, transfer, KnowledgeError};
use model::matching::{AskRequest, Feedback};
use model::publishing;
use model::views::{Actor, Channel, Content, Outcome, Problem, Role, Signal};
use model::Services;

const KNOWLEDGE: &str = r#"[
  {"category": "Accounts", "question": "How do I close my bank account?",
   "answer": "Visit a branch with your ID to close the account.",
   "phrasings": ["I want to close my account", "close my current account"]},
  {"category": "Online banking", "question": "How do I delete my online banking login?",
   "answer": "Settings, then Security, then Delete login."}
]"#;

/// Asked by a customer who meant the online banking login, answered with the bank account.
const WRONGLY_ANSWERED: &str = "How do I close my bank account online?";

fn trainer() -> Actor {
    Actor::new("tina", Role::Trainer)
}

fn lead() -> Actor {
    Actor::new("lead", Role::Reviewer)
}

fn ask(question: &str, session: Option<&str>, dry_run: bool) -> AskRequest {
    AskRequest {
        question: question.into(),
        channel: Channel::Bot,
        session_id: session.map(str::to_string),
        dry_run,
    }
}

async fn services(db: sea_orm::DatabaseConnection) -> Services {
    common::services_on(
        db,
        transfer::Format::Json,
        KNOWLEDGE.as_bytes(),
        common::embedder(),
        Default::default(),
        Default::default(),
    )
    .await
}

async fn point_id(s: &Services, question: &str) -> i32 {
    let items = model::knowledge::feed::since(&s.db, 0).await.unwrap().items;
    items.iter().find(|i| i.question == question).unwrap().id.parse().unwrap()
}

async fn head(s: &Services, id: i32) -> Content {
    model::knowledge::queries::detail(&s.db, id).await.unwrap().head.content
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_answer_is_shown_with_its_session_then_becomes_a_counter_example_and_a_link() {
    let dir = tempfile::tempdir().unwrap();
    for db in common::databases(dir.path(), "counter_wrong_point").await {
        let on = model::storage::backend_name(&db);
        let s = services(db).await;
        let account = point_id(&s, "How do I close my bank account?").await;
        let login = point_id(&s, "How do I delete my online banking login?").await;

        // The customer's session: a greeting, then the question the bot gets wrong.
        s.matcher.ask(ask("hello, I need some help", Some("s-7"), false)).await.unwrap();
        let wrong = s.matcher.ask(ask(WRONGLY_ANSWERED, Some("s-7"), false)).await.unwrap();
        assert_eq!(wrong.outcome, Outcome::Answered, "{on}: {wrong:?}");
        assert_eq!(wrong.answer.as_ref().unwrap().knowledge_id, account.to_string(), "{on}");
        s.matcher
            .feedback(Feedback {
                ask_id: wrong.ask_id.clone(),
                helpful: false,
                handoff: true,
                chosen_knowledge_id: None,
                agent_answer: None,
            })
            .await
            .unwrap();
        // The agent's reply comes later, with a phone number the product must not keep.
        s.matcher
            .feedback(Feedback {
                ask_id: wrong.ask_id.clone(),
                helpful: false,
                handoff: true,
                chosen_knowledge_id: None,
                agent_answer: Some(
                    "Call 13812345678 or open Settings, then Security, then Delete login.".into(),
                ),
            })
            .await
            .unwrap();
        s.inbox.assign_pending().await.unwrap();
        let page = s.inbox.list(&ListFilter { members: None, ..Default::default() }).await.unwrap();
        let group = page
            .clusters
            .iter()
            .find(|c| c.members.iter().any(|m| m.question == WRONGLY_ANSWERED))
            .unwrap_or_else(|| panic!("{on}: the handoff is in the inbox"))
            .clone();
        // Ranked by cost, a handoff weighs three times a plain miss (the SQL, on both databases).
        let by_cost = ListFilter { rank: model::inbox::Rank::Cost, ..Default::default() };
        let costed = s.inbox.list(&by_cost).await.unwrap();
        let g = costed.clusters.iter().find(|c| c.id == group.id).unwrap();
        assert!(g.impact > 0.0 && (g.cost - 3.0 * g.impact).abs() < 1e-9, "{on}: {} {}", g.cost, g.impact);

        // What went wrong: the answer given, the turn before it, the agent's (masked) reply.
        let rejected = s.inbox.rejected(&group.id).await.unwrap();
        assert_eq!(rejected.len(), 1, "{on}: {rejected:?}");
        let r = &rejected[0];
        assert_eq!(r.signal, Signal::Handoff);
        let answered = r.answered.as_ref().expect("the answer the bot gave");
        assert_eq!(answered.knowledge_id, account.to_string());
        assert_eq!(answered.answer, "Visit a branch with your ID to close the account.");
        assert!(answered.score > 0.0);
        let turns: Vec<&str> = r.turns.iter().map(|t| t.question.as_str()).collect();
        assert_eq!(turns, ["hello, I need some help"], "{on}");
        let reply = r.agent_answer.as_deref().unwrap();
        assert!(reply.contains("Delete login") && !reply.contains("13812345678"), "{on}: {reply}");

        // Bad decisions change nothing: the same point twice, or a right point that does not
        // exist (the counter-example written first is rolled back with it).
        let same = Decision::WrongPoint {
            wrong_knowledge_id: account.to_string(),
            knowledge_id: account.to_string(),
            miss_ids: None,
        };
        let e = s.inbox.resolve(&trainer(), &group.id, same).await.unwrap_err();
        assert!(matches!(e, model::inbox::InboxError::Refused(Problem::WrongIsRight)), "{on}: {e:?}");
        let missing = Decision::WrongPoint {
            wrong_knowledge_id: account.to_string(),
            knowledge_id: "999999".into(),
            miss_ids: None,
        };
        s.inbox.resolve(&trainer(), &group.id, missing).await.unwrap_err();
        assert!(head(&s, account).await.counter_examples.is_empty(), "{on}: nothing written");

        // Wrong point: one decision writes both, for review.
        let decided = s
            .inbox
            .resolve(
                &trainer(),
                &group.id,
                Decision::WrongPoint {
                    wrong_knowledge_id: account.to_string(),
                    knowledge_id: login.to_string(),
                    miss_ids: None,
                },
            )
            .await
            .unwrap();
        assert_eq!(decided.knowledge_id.as_deref(), Some(login.to_string().as_str()));
        assert_eq!(head(&s, account).await.counter_examples, [WRONGLY_ANSWERED], "{on}");
        assert!(head(&s, login).await.phrasings.contains(&WRONGLY_ANSWERED.to_string()), "{on}");

        // Undone as one: both drafts are taken back, the question returns to the inbox.
        s.inbox.undo(&trainer(), &decided.decision_id).await.unwrap();
        assert!(head(&s, account).await.counter_examples.is_empty(), "{on}");
        assert!(!head(&s, login).await.phrasings.contains(&WRONGLY_ANSWERED.to_string()), "{on}");
        let page = s.inbox.list(&ListFilter { members: None, ..Default::default() }).await.unwrap();
        let group = page
            .clusters
            .iter()
            .find(|c| c.members.iter().any(|m| m.question == WRONGLY_ANSWERED))
            .unwrap_or_else(|| panic!("{on}: back in the inbox"))
            .clone();
        let decision = Decision::WrongPoint {
            wrong_knowledge_id: account.to_string(),
            knowledge_id: login.to_string(),
            miss_ids: None,
        };
        s.inbox.resolve(&trainer(), &group.id, decision).await.unwrap();

        // The answer the customer rejected is no answer to protect: the regression check does
        // not hold the counter-example up.
        let held = publishing::regressions(&s, account).await.unwrap();
        assert!(held.iter().all(|r| r.question != WRONGLY_ANSWERED), "{on}: {held:?}");
        publishing::publish(&s, &lead(), account, None, true).await.unwrap();
        publishing::publish(&s, &lead(), login, None, true).await.unwrap();
        // The learning run takes the published counter-example as a hard negative of the
        // point that answered wrongly, and keeps it a phrasing of the right one.
        let set = model::learning::data::read(&s.db).await.unwrap();
        let wrong = set.points.iter().position(|p| p.knowledge_id == account).unwrap() as u32;
        let right = set.points.iter().position(|p| p.knowledge_id == login).unwrap() as u32;
        let counter = set.counters.iter().find(|c| set.train[c.example] == WRONGLY_ANSWERED);
        let counter = counter.unwrap_or_else(|| panic!("{on}: {:?}", set.counters));
        assert_eq!((counter.point, set.examples[counter.example].point), (wrong, right), "{on}");
        s.matcher.refresh().await.unwrap();
        let again = s.matcher.ask(ask(WRONGLY_ANSWERED, None, true)).await.unwrap();
        assert_ne!(
            again.answer.as_ref().map(|a| a.knowledge_id.clone()),
            Some(account.to_string()),
            "{on}: never answered with the point it is a counter-example of: {again:?}"
        );
        if let Some(c) = again.candidates.iter().find(|c| c.knowledge_id == account.to_string()) {
            assert!(c.countered, "{on}: offered, and marked: {c:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_equal_to_a_counter_example_is_not_answered_with_its_point() {
    let dir = tempfile::tempdir().unwrap();
    for db in common::databases(dir.path(), "counter_equal").await {
        let on = model::storage::backend_name(&db);
        let s = services(db).await;
        let account = point_id(&s, "How do I close my bank account?").await;
        let before = s.matcher.ask(ask("close my bank account today", None, true)).await.unwrap();
        assert_eq!(before.answer.as_ref().map(|a| a.knowledge_id.clone()), Some(account.to_string()), "{on}");

        let detail = model::knowledge::queries::detail(&s.db, account).await.unwrap();
        let mut content = detail.head.content.clone();
        // A counter-example that is a phrasing of the point is refused, and changes nothing.
        content.counter_examples = vec!["I want to close my account".into()];
        let e = points::save(&s.db, &lead(), account, detail.version, content.clone()).await.unwrap_err();
        assert!(
            matches!(&e, KnowledgeError::Refused(Problem::CounterIsPhrasing { text }) if text == "I want to close my account"),
            "{on}: {e:?}"
        );
        content.counter_examples = vec!["close my bank account today".into(), " ".into()];
        points::save(&s.db, &lead(), account, detail.version, content).await.unwrap();
        publishing::publish(&s, &lead(), account, None, true).await.unwrap();
        s.matcher.refresh().await.unwrap();
        assert_eq!(head(&s, account).await.counter_examples, ["close my bank account today"], "{on}");

        let after = s.matcher.ask(ask("close my bank account today", None, true)).await.unwrap();
        assert_ne!(after.outcome, Outcome::Answered, "{on}: {after:?}");
        let c = after.candidates.iter().find(|c| c.knowledge_id == account.to_string()).unwrap();
        assert!(c.countered, "{on}: {c:?}");
        // The point's own phrasings still answer.
        let own = s.matcher.ask(ask("I want to close my account", None, true)).await.unwrap();
        assert_eq!(own.answer.map(|a| a.knowledge_id), Some(account.to_string()), "{on}");

        // Export and import carry counter-examples (CSV column and JSON field).
        for format in [transfer::Format::Csv, transfer::Format::Json] {
            let exported = transfer::export(&s.db, format).await.unwrap();
            let text = String::from_utf8(exported.clone()).unwrap();
            assert!(text.contains("close my bank account today"), "{on} {format:?}: {text}");
            let again = transfer::import(&s.db, &lead(), transfer::parse(format, &exported).unwrap(), true)
                .await
                .unwrap();
            assert_eq!((again.created, again.updated), (0, 0), "{on} {format:?}: {again:?}");
        }
        // A file without the column leaves a point's counter-examples as they are.
        let older = "category,question,answer\nAccounts,How do I close my bank account?,Visit a branch with your ID to close the account.\n";
        transfer::import(
            &s.db,
            &lead(),
            transfer::parse(transfer::Format::Csv, older.as_bytes()).unwrap(),
            true,
        )
        .await
        .unwrap();
        assert_eq!(head(&s, account).await.counter_examples, ["close my bank account today"], "{on}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poor_answer_is_revised_for_review_and_its_questions_close_when_it_is_published() {
    let dir = tempfile::tempdir().unwrap();
    for db in common::databases(dir.path(), "counter_poor_answer").await {
        let on = model::storage::backend_name(&db);
        let s = services(db).await;
        let account = point_id(&s, "How do I close my bank account?").await;
        // The right point answers, and the customer rejects the answer anyway.
        let asked = "can I close my account without going to a branch";
        let got = s.matcher.ask(ask(asked, Some("s-9"), false)).await.unwrap();
        assert_eq!(got.answer.as_ref().map(|a| a.knowledge_id.clone()), Some(account.to_string()), "{on}");
        let thumbs_down = Feedback {
            ask_id: got.ask_id.clone(),
            helpful: false,
            handoff: false,
            chosen_knowledge_id: None,
            agent_answer: None,
        };
        s.matcher.feedback(thumbs_down).await.unwrap();
        s.inbox.assign_pending().await.unwrap();
        let page = s.inbox.list(&ListFilter { members: None, ..Default::default() }).await.unwrap();
        let group = page.clusters.iter().find(|c| c.members.iter().any(|m| m.question == asked));
        let group = group.unwrap_or_else(|| panic!("{on}: the 👎 is in the inbox")).clone();

        // The answer as it is, or a point that does not exist: refused, nothing changes.
        let unchanged = Decision::PoorAnswer {
            knowledge_id: account.to_string(),
            answer: " Visit a branch with your ID to close the account. ".into(),
            miss_ids: None,
        };
        let e = s.inbox.resolve(&trainer(), &group.id, unchanged).await.unwrap_err();
        assert!(matches!(e, model::inbox::InboxError::Refused(Problem::AnswerUnchanged)), "{on}: {e:?}");
        let missing = Decision::PoorAnswer {
            knowledge_id: "987654".into(),
            answer: "Anything.".into(),
            miss_ids: None,
        };
        assert!(s.inbox.resolve(&trainer(), &group.id, missing).await.is_err(), "{on}");
        let still = s.inbox.list(&ListFilter::default()).await.unwrap();
        assert!(still.clusters.iter().any(|c| c.id == group.id), "{on}: still open");

        let revised = "You can close it in the app: Accounts, then Close account. A branch is not needed.";
        let decision = Decision::PoorAnswer {
            knowledge_id: account.to_string(),
            answer: revised.into(),
            miss_ids: None,
        };
        let done = s.inbox.resolve(&trainer(), &group.id, decision).await.unwrap();
        assert_eq!(done.knowledge_id, Some(account.to_string()), "{on}");
        assert_eq!(done.resolved_misses, 1, "{on}");
        let draft = model::knowledge::queries::detail(&s.db, account).await.unwrap();
        assert_eq!(draft.head.content.answer, revised, "{on}: the draft carries the revised answer");
        let note = draft.head.note.as_deref().and_then(model::views::RevisionNote::parse);
        assert!(matches!(note, Some(model::views::RevisionNote::PoorAnswer { .. })), "{on}: {note:?}");
        // Until it is published the bot keeps its old answer, and the group is out of the inbox.
        let served = s.matcher.ask(ask(asked, None, true)).await.unwrap();
        assert_eq!(
            served.answer.unwrap().answer,
            "Visit a branch with your ID to close the account.",
            "{on}"
        );
        let open = s.inbox.list(&ListFilter::default()).await.unwrap();
        assert!(open.clusters.iter().all(|c| c.id != group.id), "{on}");

        let report = publishing::publish(&s, &lead(), account, None, false).await.unwrap();
        assert_eq!(report.closed_misses, 1, "{on}: the question closes with the revised answer");
        s.matcher.refresh().await.unwrap();
        let served = s.matcher.ask(ask(asked, None, true)).await.unwrap();
        assert_eq!(served.answer.unwrap().answer, revised, "{on}");
        use sea_orm::EntityTrait;
        let id: i64 = group.members[0].miss_id.parse().unwrap();
        let miss = model::misses::entity::miss::Entity::find_by_id(id).one(&s.db).await.unwrap().unwrap();
        assert_eq!(miss.status, model::views::MissStatus::Closed, "{on}");
    }
}
