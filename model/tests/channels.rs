//! One point, every channel, on time: answers per channel, validity windows announced at their
//! boundaries on every instance, related points — on a real SQLite file and PostgreSQL, with
//! the real model.

mod common;

use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use model::knowledge::transfer::{self, Format};
use model::knowledge::{feed, points, KnowledgeError};
use model::matching::AskRequest;
use model::views::{Actor, Channel, Content, Markup, Outcome, PointStatus, Problem, Role};
use model::Services;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

fn lead() -> Actor {
    Actor::new("lead", Role::Reviewer)
}

fn ask(question: &str, channel: Channel) -> AskRequest {
    AskRequest { question: question.into(), channel, session_id: None, dry_run: true }
}

/// The services over `db` with the JSON `knowledge` published.
async fn services(db: DatabaseConnection, knowledge: &str) -> Services {
    common::services_on(
        db,
        Format::Json,
        knowledge.as_bytes(),
        common::embedder(),
        Default::default(),
        Default::default(),
    )
    .await
}

const CARDS: &str = r#"[
  {"category": "Cards", "question": "How do I activate my card?",
   "answer": "**Open** the app and tap [Activate](https://bank.example/activate).",
   "answers": {"online": "Open the app, then Cards, then Activate. [Help](https://bank.example/help)",
               "hotline": "Tell the customer to open the app and tap Activate."}},
  {"category": "Cards", "question": "What is the fee for an international transfer?",
   "answer": "A transfer abroad costs 5 euros."}
]"#;

#[tokio::test]
async fn each_channel_gets_its_answer_and_falls_back_to_the_default() {
    let dir = tempfile::tempdir().unwrap();
    for db in common::databases(dir.path(), "channels_variants").await {
        let s = services(db.clone(), CARDS).await;
        let answer = |r: model::views::AskResponse| {
            assert_eq!(r.outcome, Outcome::Answered, "{r:?}");
            r.answer.unwrap()
        };
        let bot = answer(s.matcher.ask(ask("How do I activate my card?", Channel::Bot)).await.unwrap());
        assert_eq!(bot.answer, "**Open** the app and tap [Activate](https://bank.example/activate).");
        assert_eq!(bot.answer_text, "Open the app and tap Activate (https://bank.example/activate).");
        let online = answer(s.matcher.ask(ask("How do I activate my card?", Channel::Online)).await.unwrap());
        assert!(online.answer.starts_with("Open the app, then Cards"), "{online:?}");
        let hotline =
            answer(s.matcher.ask(ask("How do I activate my card?", Channel::Hotline)).await.unwrap());
        assert_eq!(hotline.answer, "Tell the customer to open the app and tap Activate.");
        assert_eq!(hotline.answer_text, hotline.answer);
        // A point without variants answers every channel with its default.
        let fee = answer(
            s.matcher
                .ask(ask("What is the fee for an international transfer?", Channel::Hotline))
                .await
                .unwrap(),
        );
        assert_eq!(fee.answer, "A transfer abroad costs 5 euros.");

        // The feed carries the variants; an export carries them and imports back unchanged.
        let items = feed::since(&db, 0).await.unwrap().items;
        let card = items.iter().find(|i| i.question.contains("activate")).unwrap();
        assert_eq!(card.answers.len(), 2);
        for format in [Format::Csv, Format::Json] {
            let exported = transfer::export(&db, format).await.unwrap();
            let text = String::from_utf8(exported.clone()).unwrap();
            assert!(text.contains("Tell the customer to open the app"), "{text}");
            if format == Format::Csv {
                assert!(text.starts_with("category,question,answer,phrasings,answer_bot,answer_online,answer_hotline,valid_from,valid_until"));
            }
            let again = transfer::import(&db, &lead(), transfer::parse(format, &exported).unwrap(), true)
                .await
                .unwrap();
            assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 2), "{format:?}: {again:?}");
        }
    }
}

async fn point_count(db: &DatabaseConnection) -> u64 {
    model::knowledge::entity::point::Entity::find().count(db).await.unwrap()
}

#[tokio::test]
async fn a_bad_window_or_a_hotline_answer_with_markup_is_refused_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for db in common::databases(dir.path(), "channels_refused").await {
        let s = services(db.clone(), CARDS).await;
        let category = model::knowledge::categories::tree(&db).await.unwrap()[0].id;
        let before = point_count(&db).await;
        let base = Content {
            category_id: category,
            question: "Can I freeze my card?".into(),
            answer: "Yes, in the app.".into(),
            ..Default::default()
        };
        let now = Utc::now();
        let cases = [
            (
                Content {
                    valid_from: Some(now),
                    valid_until: Some(now - chrono::Duration::hours(1)),
                    ..base.clone()
                },
                "window",
            ),
            (Content { valid_from: Some(now), valid_until: Some(now), ..base.clone() }, "empty window"),
            (
                Content {
                    answers: [(Channel::Hotline, "See https://bank.example/freeze".to_string())].into(),
                    ..base.clone()
                },
                "link",
            ),
            (
                Content {
                    answers: [(Channel::Hotline, "- open the app\n- tap Freeze".to_string())].into(),
                    ..base.clone()
                },
                "list",
            ),
            (Content { related: vec![1, 2, 3, 4, 5, 6], ..base.clone() }, "too many related"),
            (Content { related: vec![999_999], ..base.clone() }, "unknown related"),
        ];
        for (content, what) in cases {
            let e = points::create(&s.db, &lead(), content).await.unwrap_err();
            let KnowledgeError::Refused(p) = e else { panic!("{what}: {e}") };
            match what {
                "window" | "empty window" => assert!(matches!(p, Problem::WindowOrder { .. }), "{what}: {p}"),
                "link" => {
                    assert_eq!(p, Problem::NotPlainText { channel: Channel::Hotline, found: Markup::Link })
                }
                "list" => {
                    assert_eq!(p, Problem::NotPlainText { channel: Channel::Hotline, found: Markup::List })
                }
                "too many related" => assert_eq!(p, Problem::TooManyRelated { count: 6, max: 5 }),
                _ => assert!(matches!(p, Problem::NotFound { .. }), "{what}: {p}"),
            }
        }
        // The same through an import: the row is refused, the file's other rows are kept.
        let file = r#"[
          {"category": "Cards", "question": "Can I freeze my card?", "answer": "Yes.",
           "valid_from": "2027-01-02T00:00:00Z", "valid_until": "2027-01-01T00:00:00Z"},
          {"category": "Cards", "question": "Can I unfreeze my card?", "answer": "Yes.",
           "answers": {"hotline": "**Yes**"}}
        ]"#;
        let report =
            transfer::import(&db, &lead(), transfer::parse(Format::Json, file.as_bytes()).unwrap(), true)
                .await
                .unwrap();
        assert_eq!((report.created, report.errors.len()), (0, 2), "{report:?}");
        assert_eq!(point_count(&db).await, before, "nothing stored");
        let csv = "category,question,answer,valid_from\nCards,Can I freeze my card?,Yes.,next week\n";
        let (rows, errors) = transfer::parse(Format::Csv, csv.as_bytes()).unwrap();
        assert_eq!((rows.len(), errors.len()), (0, 1));
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Polls `ask` on every instance until each says `served`; returns when the last did, and
/// fails if one did before `not_before`.
async fn until_all(
    instances: &[&Services],
    question: &str,
    served: bool,
    not_before: DateTime<Utc>,
) -> DateTime<Utc> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut done = vec![false; instances.len()];
    loop {
        for (s, done) in instances.iter().zip(done.iter_mut()) {
            let r = s.matcher.ask(ask(question, Channel::Bot)).await.unwrap();
            let now_served = r.candidates.iter().any(|c| c.question == question);
            if now_served == served {
                assert!(Utc::now() >= not_before, "changed before its boundary: {r:?}");
                *done = true;
            }
        }
        if done.iter().all(|d| *d) {
            return Utc::now();
        }
        assert!(Instant::now() < deadline, "not every instance changed within 10 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_window_opens_and_closes_on_two_instances_within_a_second_and_the_feed_says_so() {
    let dir = tempfile::tempdir().unwrap();
    for db in common::databases(dir.path(), "channels_window").await {
        let a = services(db.clone(), CARDS).await;
        let b = services(db.clone(), "[]").await;
        for s in [&a, &b] {
            let s = s.clone();
            tokio::spawn(async move { s.follow_boundaries().await });
        }
        let revision = feed::revision(&db).await.unwrap();
        let (from, until) =
            (Utc::now() + chrono::Duration::seconds(2), Utc::now() + chrono::Duration::seconds(4));
        let question = "Is the summer promotion still on?";
        let file = format!(
            r#"[{{"category": "Promotions", "question": "{question}", "answer": "Yes, until the end of the week.",
                "valid_from": "{}", "valid_until": "{}"}}]"#,
            rfc3339(from),
            rfc3339(until)
        );
        transfer::import(&db, &lead(), transfer::parse(Format::Json, file.as_bytes()).unwrap(), true)
            .await
            .unwrap();
        // What the publishing instance does, and what NOTIFY or the 2 s poll does on the other.
        a.knowledge_changed().await;
        b.knowledge_changed().await;
        let filter = model::knowledge::queries::Filter {
            validity: Some(model::views::Validity::Scheduled),
            ..Default::default()
        };
        let listed = model::knowledge::queries::list(&db, &filter).await.unwrap();
        assert_eq!(listed.iter().map(|p| p.question.as_str()).collect::<Vec<_>>(), [question]);
        assert!(!listed[0].live, "published, but not served yet");
        let scheduled = feed::since(&db, revision).await.unwrap();
        assert!(scheduled.items.iter().all(|i| i.deleted), "scheduled: not for bots yet: {scheduled:?}");

        let entered = until_all(&[&a, &b], question, true, from).await;
        assert!(
            entered - from <= chrono::Duration::seconds(1),
            "entered {} ms late",
            (entered - from).num_milliseconds()
        );
        let started = feed::since(&db, scheduled.revision).await.unwrap();
        assert_eq!(started.items.len(), 1, "{started:?}");
        assert!(!started.items[0].deleted);

        let left = until_all(&[&a, &b], question, false, until).await;
        assert!(
            left - until <= chrono::Duration::seconds(1),
            "left {} ms late",
            (left - until).num_milliseconds()
        );
        let ended = feed::since(&db, started.revision).await.unwrap();
        assert_eq!(ended.items.len(), 1, "{ended:?}");
        assert!(ended.items[0].deleted);
        // An expired point's questions are misses again.
        let r = a.matcher.ask(ask(question, Channel::Bot)).await.unwrap();
        assert_ne!(r.outcome, Outcome::Answered, "{r:?}");
    }
}

#[tokio::test]
async fn related_points_are_offered_only_while_the_bot_serves_them() {
    let dir = tempfile::tempdir().unwrap();
    for db in common::databases(dir.path(), "channels_related").await {
        let s = services(db.clone(), CARDS).await;
        let tree = model::knowledge::categories::tree(&db).await.unwrap();
        let category = tree[0].id;
        let list = model::knowledge::queries::list(&db, &Default::default()).await.unwrap();
        let id = |q: &str| list.iter().find(|p| p.question.contains(q)).unwrap().id;
        let (activate, fee) = (id("activate"), id("fee"));
        let publish = |content: Content| {
            let db = db.clone();
            async move {
                let p = points::create(&db, &lead(), content).await.unwrap();
                let p = points::submit(&db, &lead(), p.id, p.version).await.unwrap();
                points::approve(&db, &lead(), p.id, p.version).await.unwrap()
            }
        };
        let later = publish(Content {
            category_id: category,
            question: "Can I get a second card?".into(),
            answer: "Yes.".into(),
            valid_from: Some(Utc::now() + chrono::Duration::days(1)),
            ..Default::default()
        })
        .await;
        let lost = publish(Content {
            category_id: category,
            question: "What if I lose my card?".into(),
            answer: "Block it in the app.".into(),
            related: vec![fee, activate, later.id],
            ..Default::default()
        })
        .await;
        assert_eq!(lost.related.len(), 3);
        let e = points::save(
            &db,
            &lead(),
            lost.id,
            lost.version,
            Content { related: vec![lost.id], ..lost.head.content.clone() },
        )
        .await
        .unwrap_err();
        assert!(matches!(e, KnowledgeError::Refused(Problem::RelatedToItself)), "{e}");
        s.knowledge_changed().await;
        let r = s.matcher.ask(ask("What if I lose my card?", Channel::Bot)).await.unwrap();
        let related: Vec<String> = r.answer.unwrap().related.into_iter().map(|p| p.question).collect();
        assert_eq!(
            related,
            ["What is the fee for an international transfer?", "How do I activate my card?"],
            "in the trainer's order, the scheduled point left out"
        );
        points::archive(&db, &lead(), fee, list.iter().find(|p| p.id == fee).unwrap().version).await.unwrap();
        s.knowledge_changed().await;
        let r = s.matcher.ask(ask("What if I lose my card?", Channel::Bot)).await.unwrap();
        assert_eq!(r.answer.unwrap().related.len(), 1, "an archived point is not offered");
        assert_eq!(
            model::knowledge::queries::detail(&db, lost.id).await.unwrap().status,
            PointStatus::Published
        );
    }
}
