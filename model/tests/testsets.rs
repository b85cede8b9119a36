//! Test sets on a real SQLite file and PostgreSQL with the real model: a run's result per case
//! is what a dry-run `/ask` answers; a draft that would break a case is reported by the publish
//! check and needs force; the sets that fill themselves take a 👍, a clarification pick and a
//! dismissal (and give a dismissal back when it is undone), follow a merge, flag an archived
//! point; an Excel workbook with Chinese text round-trips.

mod common;

use model::inbox::{Decision, ListFilter};
use model::knowledge::{points, transfer};
use model::matching::{AskRequest, Feedback};
use model::publishing::{self, PublishError};
use model::testsets::{self, transfer::SetFormat};
use model::views::{
    Actor, CaseChange, CaseFlag, Channel, Expect, NewCase, NewTestSet, Outcome, Problem, Role, SetKind,
};
use model::Services;

const KNOWLEDGE: &str = r#"[
  {"category": "Accounts", "question": "How do I close my bank account?",
   "answer": "Visit a branch with your ID to close the account.",
   "phrasings": ["I want to close my account", "close my current account"]},
  {"category": "Online banking", "question": "How do I delete my online banking login?",
   "answer": "Settings, then Security, then Delete login.",
   "phrasings": ["remove my internet banking user", "delete online banking access"]},
  {"category": "Cards", "question": "My card was stolen, what do I do?",
   "answer": "Freeze the card in the app and call us.",
   "phrasings": ["someone stole my debit card", "report a stolen card"]},
  {"category": "Cards", "question": "How do I order a new card?",
   "answer": "Order one in the app under Cards.",
   "phrasings": ["I need a replacement card", "get a new debit card"]}
]"#;

fn trainer() -> Actor {
    Actor::new("tina", Role::Trainer)
}

fn lead() -> Actor {
    Actor::new("lead", Role::Reviewer)
}

fn ask(question: &str, dry_run: bool) -> AskRequest {
    AskRequest { question: question.into(), channel: Channel::Bot, session_id: Some("s-1".into()), dry_run }
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

fn case(question: &str, expect: Expect) -> NewCase {
    NewCase { question: question.into(), channel: Channel::Bot, expect }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_gives_each_case_what_ask_answers_and_compares_with_the_last_run() {
    let dir = tempfile::tempdir().unwrap();
    for db in common::databases(dir.path(), "testsets_run").await {
        let on = model::storage::backend_name(&db);
        let s = services(db).await;
        let account = point_id(&s, "How do I close my bank account?").await;
        let stolen = point_id(&s, "My card was stolen, what do I do?").await;
        let questions = [
            ("I want to close my account please", Expect::Point(account)),
            ("my card got stolen yesterday", Expect::Point(stolen)),
            // Wrong on purpose: this case must fail.
            ("How do I order a new card?", Expect::Point(account)),
            ("What's the weather on Mars tomorrow?", Expect::Unanswered),
            ("card", Expect::Unanswered),
        ];
        let new = NewTestSet {
            name: "Regression 回归".into(),
            cases: questions.iter().map(|(q, e)| case(q, *e)).collect(),
        };
        let id = testsets::create(&s, &trainer(), &new).await.unwrap();
        // Bad input changes nothing: the same name, an unknown point, an empty question.
        let again = testsets::create(&s, &trainer(), &new).await.unwrap_err();
        assert!(
            matches!(again, testsets::TestSetError::Refused(Problem::TestSetExists { .. })),
            "{on}: {again:?}"
        );
        let unknown = NewTestSet { name: "other".into(), cases: vec![case("hi", Expect::Point(999_999))] };
        let e = testsets::create(&s, &trainer(), &unknown).await.unwrap_err();
        assert!(matches!(e, testsets::TestSetError::Refused(Problem::NotFound { .. })), "{on}: {e:?}");
        let empty = NewTestSet { name: "other".into(), cases: vec![case("  ", Expect::Unanswered)] };
        assert!(testsets::create(&s, &trainer(), &empty).await.is_err());
        assert_eq!(testsets::list(&s.db).await.unwrap().len(), 1, "{on}: refused sets were not made");

        let report = s.run_test_set(&trainer(), id).await.unwrap();
        assert_eq!(report.run.total, questions.len(), "{on}");
        assert_eq!(report.run.done, questions.len(), "{on}");
        assert_eq!(report.previous_run_id, None);
        for c in &report.cases {
            let asked = s.matcher.ask(ask(&c.question, true)).await.unwrap();
            let got = asked.answer.as_ref().map(|a| a.knowledge_id.clone());
            assert_eq!(c.got, got, "{on}: {c:?} against {asked:?}");
            assert_eq!(c.outcome, asked.outcome, "{on}: {c:?}");
            assert_eq!(c.passed, c.expect.passes(asked.outcome, got.and_then(|g| g.parse().ok())), "{on}");
            let top = asked.candidates.first().map_or(0.0, |t| t.score);
            assert!((c.score - top).abs() < 1e-4, "{on}: {} against {top}", c.score);
        }
        let failing = report.cases.iter().find(|c| c.question == "How do I order a new card?").unwrap();
        assert!(!failing.passed, "{on}: the wrong expectation fails");
        assert!(!report.cases[0].passed, "{on}: failures come first");
        assert!(report.run.passed < report.run.total && report.run.passed >= 3, "{on}: {report:?}");
        assert_eq!(report.categories.iter().map(|c| c.total).sum::<usize>(), report.run.total);

        // A second run compares with the first: nothing changed, so nothing moved.
        let second = s.run_test_set(&trainer(), id).await.unwrap();
        assert_eq!(second.previous_run_id, Some(report.run.run_id), "{on}");
        assert_eq!((second.newly_failing, second.newly_passing), (0, 0), "{on}");
        assert_eq!(second.run.passed, report.run.passed, "{on}");
        let detail = testsets::detail(&s.db, id).await.unwrap();
        assert_eq!(detail.runs.len(), 2, "{on}");
        assert_eq!(detail.runs[0].run_id, second.run.run_id, "{on}: newest first");

        // A removed case is not run again.
        let order = detail.cases.iter().find(|c| c.question == "How do I order a new card?").unwrap().id;
        testsets::remove(&s, &trainer(), id, order).await.unwrap();
        let third = s.run_test_set(&trainer(), id).await.unwrap();
        assert_eq!(third.run.total, questions.len() - 1, "{on}");
        assert!(third.cases.iter().all(|c| c.change != Some(CaseChange::NewlyFailing)), "{on}");

        // The set as an Excel workbook (Chinese name and questions) and back, as a new set.
        let mut with_chinese = testsets::detail(&s.db, id).await.unwrap().cases;
        with_chinese[0].question = "我想销户，怎么办？".into();
        let bytes = testsets::transfer::write(SetFormat::Xlsx, &with_chinese).unwrap();
        let imported = testsets::import(&s, &trainer(), "客服回归集", SetFormat::Xlsx, &bytes).await.unwrap();
        let back = testsets::detail(&s.db, imported.id).await.unwrap();
        let pairs = |cases: &[model::views::TestCase]| {
            cases
                .iter()
                .map(|c| (c.question.clone(), c.channel, c.expect))
                .collect::<std::collections::BTreeSet<_>>()
        };
        assert_eq!(pairs(&back.cases), pairs(&with_chinese), "{on}");
        let exported = testsets::export(&s.db, imported.id, SetFormat::Xlsx).await.unwrap();
        let reread = testsets::transfer::parse(SetFormat::Xlsx, &exported).unwrap();
        assert!(reread.iter().any(|c| c.question == "我想销户，怎么办？"), "{on}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_that_breaks_a_case_is_reported_and_needs_force() {
    let dir = tempfile::tempdir().unwrap();
    for db in common::databases(dir.path(), "testsets_publish").await {
        let on = model::storage::backend_name(&db);
        let s = services(db).await;
        let stolen = point_id(&s, "My card was stolen, what do I do?").await;
        let order = point_id(&s, "How do I order a new card?").await;
        let question = "somebody stole my debit card";
        let before = s.matcher.ask(ask(question, true)).await.unwrap();
        assert_eq!(before.answer.map(|a| a.knowledge_id), Some(stolen.to_string()), "{on}");
        let id = testsets::create(
            &s,
            &trainer(),
            &NewTestSet { name: "cards".into(), cases: vec![case(question, Expect::Point(stolen))] },
        )
        .await
        .unwrap();
        assert!(s.run_test_set(&trainer(), id).await.unwrap().cases[0].passed, "{on}");

        // A trainer gives "order a new card" the very question: it would take the case over.
        let detail = model::knowledge::queries::detail(&s.db, order).await.unwrap();
        let mut content = detail.head.content.clone();
        content.phrasings.push(question.into());
        points::save(&s.db, &trainer(), order, detail.version, content).await.unwrap();
        let check = publishing::check(&s, order).await.unwrap();
        let t = check.test_regressions.iter().find(|t| t.question == question).expect("the case is listed");
        assert!(t.passed_before && !t.passed_after, "{on}: {t:?}");
        assert_eq!(t.was_knowledge_id, Some(stolen.to_string()), "{on}");
        assert_ne!(t.now_knowledge_id, Some(stolen.to_string()), "{on}: no longer answered with its point");
        assert_eq!(t.set_name, "cards");

        let refused = publishing::publish(&s, &lead(), order, None, false).await.unwrap_err();
        match refused {
            PublishError::Regressions(c) => {
                assert_eq!(c.test_regressions.len(), check.test_regressions.len())
            }
            other => panic!("{on}: {other:?}"),
        }
        assert_eq!(
            s.matcher.ask(ask(question, true)).await.unwrap().answer.map(|a| a.knowledge_id),
            Some(stolen.to_string()),
            "{on}: nothing was published"
        );
        let published = publishing::publish(&s, &lead(), order, None, true).await.unwrap();
        assert!(published.test_regressions.iter().any(|t| t.question == question), "{on}");
        let after = s.run_test_set(&trainer(), id).await.unwrap();
        assert!(!after.cases[0].passed, "{on}");
        assert_eq!(after.newly_failing, 1, "{on}");
        assert_eq!(after.cases[0].change, Some(CaseChange::NewlyFailing), "{on}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sets_fill_from_a_thumbs_up_a_pick_and_a_dismissal_and_follow_a_merge() {
    let dir = tempfile::tempdir().unwrap();
    for db in common::databases(dir.path(), "testsets_fill").await {
        let on = model::storage::backend_name(&db);
        let s = services(db).await;
        let account = point_id(&s, "How do I close my bank account?").await;
        let login = point_id(&s, "How do I delete my online banking login?").await;
        let new_card = point_id(&s, "How do I order a new card?").await;

        // A fresh install: the sets exist once asked for, empty.
        assert_eq!(testsets::fill::fill(&s, None).await.unwrap(), 0, "{on}");
        let kinds: Vec<SetKind> = testsets::list(&s.db).await.unwrap().iter().map(|x| x.kind).collect();
        assert_eq!(kinds, SetKind::FILLED.to_vec(), "{on}");

        // 👍 on an answer.
        let good = s.matcher.ask(ask("I want to close my account", false)).await.unwrap();
        assert_eq!(good.outcome, Outcome::Answered, "{on}");
        let rate = |ask_id: String, chosen: Option<String>| Feedback {
            ask_id,
            helpful: true,
            handoff: false,
            chosen_knowledge_id: chosen,
            agent_answer: None,
        };
        s.matcher.feedback(rate(good.ask_id.clone(), None)).await.unwrap();
        // A clarification where the customer picked a point.
        let mut picked = None;
        for q in ["account", "close or delete my online account", "delete my account", "online account"] {
            let r = s.matcher.ask(ask(q, false)).await.unwrap();
            if r.outcome == Outcome::Clarify {
                s.matcher.feedback(rate(r.ask_id.clone(), Some(login.to_string()))).await.unwrap();
                picked = Some(q);
                break;
            }
        }
        let picked = picked.unwrap_or_else(|| panic!("{on}: one of the vague questions is clarified"));
        // A miss dismissed as chit-chat.
        let chat = "haha you are funny, do you like pizza";
        let missed = s.matcher.ask(ask(chat, false)).await.unwrap();
        assert_eq!(missed.outcome, Outcome::Miss, "{on}");
        s.inbox.assign_pending().await.unwrap();
        let page = s.inbox.list(&ListFilter { members: None, ..Default::default() }).await.unwrap();
        let group =
            page.clusters.iter().find(|c| c.members.iter().any(|m| m.question == chat)).unwrap().clone();
        let dismissed = s
            .inbox
            .resolve(&trainer(), &group.id, Decision::Dismiss { reason: "chit-chat".into() })
            .await
            .unwrap();

        assert_eq!(testsets::fill::fill(&s, None).await.unwrap(), 3, "{on}");
        assert_eq!(testsets::fill::fill(&s, None).await.unwrap(), 0, "{on}: taken once");
        let of = |kind: SetKind| {
            let s = s.clone();
            async move {
                let set = testsets::find_by_name(&s.db, kind.as_str()).await.unwrap();
                testsets::detail(&s.db, set.id).await.unwrap()
            }
        };
        let confirmed = of(SetKind::Confirmed).await;
        assert_eq!(confirmed.cases.len(), 1, "{on}");
        assert_eq!(confirmed.cases[0].expect, Expect::Point(account));
        assert_eq!(
            confirmed.cases[0].origin_ask_id.as_deref(),
            Some(good.ask_id.as_str()),
            "{on}: cites its ask"
        );
        let chosen = of(SetKind::Chosen).await;
        assert_eq!(chosen.cases.len(), 1, "{on}");
        assert_eq!(
            (chosen.cases[0].question.as_str(), chosen.cases[0].expect),
            (picked, Expect::Point(login))
        );
        let out = of(SetKind::OutOfScope).await;
        assert_eq!(out.cases.len(), 1, "{on}");
        assert_eq!((out.cases[0].question.as_str(), out.cases[0].expect), (chat, Expect::Unanswered));
        let run = s.run_test_set(&trainer(), out.set.id).await.unwrap();
        assert_eq!(run.run.passed, 1, "{on}: the chit-chat stays unanswered");

        // Undoing the dismissal takes its case back.
        s.inbox.undo(&trainer(), &dismissed.decision_id).await.unwrap();
        testsets::fill::fill(&s, None).await.unwrap();
        assert_eq!(of(SetKind::OutOfScope).await.cases.len(), 0, "{on}");

        // A removed case is not taken again.
        testsets::remove(&s, &trainer(), chosen.set.id, chosen.cases[0].id).await.unwrap();
        s.matcher.feedback(rate(good.ask_id.clone(), None)).await.unwrap();
        testsets::fill::fill(&s, None).await.unwrap();
        assert_eq!(of(SetKind::Chosen).await.cases.len(), 0, "{on}");

        // Merging the expected point into another moves the case with it.
        model::knowledge::merge::merge(&s.db, &lead(), new_card, account).await.unwrap();
        s.knowledge_changed().await;
        let merged = of(SetKind::Confirmed).await;
        assert_eq!(merged.cases[0].expect, Expect::Point(new_card), "{on}");
        assert_eq!(merged.cases[0].flag, None, "{on}");
        // Archiving it flags the case; it is not dropped.
        let version = model::knowledge::queries::detail(&s.db, new_card).await.unwrap().version;
        points::archive(&s.db, &lead(), new_card, version).await.unwrap();
        let flagged = of(SetKind::Confirmed).await;
        assert_eq!(flagged.cases.len(), 1, "{on}");
        assert_eq!(flagged.cases[0].flag, Some(CaseFlag::PointArchived), "{on}");
        assert_eq!(flagged.set.flagged, 1, "{on}");
    }
}
