//! Customers' personal data with the real model, on a real SQLite file and on PostgreSQL:
//! masked at every intake before it is stored, found and erased per session, and deleted by
//! retention without changing the dashboard's history.

mod common;

use chrono::{Duration, Utc};
use model::inbox::{Decision, ListFilter};
use model::knowledge::transfer::Format;
use model::matching::{AskRequest, Feedback};
use model::metrics::{self, report, Period};
use model::misses::{self, Report};
use model::privacy::{retention, sessions};
use model::views::{Actor, Outcome, Role};
use model::Services;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

const KNOWLEDGE: &str = "category,question,answer,phrasings\n\
    Cards/Delivery,Where is my card?,On its way.,card not arrived|when will my card come\n\
    Top-ups/Methods,How do I top up?,In the app.,add money to my account\n";

/// A valid resident ID (the example of GB 11643) and a Luhn-valid UnionPay card number.
const ID: &str = "11010519491231002X";
const CARD: &str = "6222021234567890128";

fn luhn_ok(n: &str) -> bool {
    let sum: u32 = n
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let d = u32::from(d - b'0') * if i % 2 == 1 { 2 } else { 1 };
            if d > 9 {
                d - 9
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

async fn services_on(db: DatabaseConnection) -> Services {
    let none = (Default::default(), Default::default());
    common::services_on(db, Format::Csv, KNOWLEDGE.as_bytes(), common::embedder(), none.0, none.1).await
}

async fn ask(services: &Services, question: &str, session: &str) -> model::views::AskResponse {
    let req = AskRequest {
        question: question.into(),
        channel: Default::default(),
        session_id: Some(session.into()),
        dry_run: false,
    };
    services.matcher.ask(req).await.unwrap()
}

/// Every text column of the tables customers' words reach, in one string.
async fn stored_text(db: &DatabaseConnection) -> String {
    let mut all = String::new();
    for sql in [
        "SELECT question AS t FROM asks",
        "SELECT question AS t FROM misses",
        "SELECT normalized AS t FROM misses",
        "SELECT COALESCE(reason, '') AS t FROM miss_events",
        "SELECT COALESCE(agent_answer, '') AS t FROM miss_events",
        "SELECT label AS t FROM clusters",
        "SELECT key_terms AS t FROM clusters",
        "SELECT text AS t FROM embeddings",
        "SELECT COALESCE(detail, '') AS t FROM audit_log",
    ] {
        let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap();
        for r in rows {
            all.push_str(&r.try_get::<String>("", "t").unwrap());
            all.push('\n');
        }
    }
    all
}

/// The personal values the test sends, as typed (full-width ones too) and as bare digits.
fn raw_values() -> Vec<String> {
    let mut v: Vec<String> = [
        "13812345678",
        "13987654321",
        "１３６１１１１２２２２",
        "13611112222",
        "159-0000-1111",
        "15900001111",
        ID,
        CARD,
        "zhang.san@example.com",
        "192.168.31.7",
        "010-62345678",
        "0106234",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push(CARD[..12].to_string());
    v
}

fn assert_clean(what: &str, haystack: &[u8]) {
    for raw in raw_values() {
        let found = haystack.windows(raw.len()).any(|w| w == raw.as_bytes());
        assert!(!found, "{what} holds the raw value {raw:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn personal_data_is_masked_before_anything_is_stored() {
    assert!(luhn_ok(CARD), "the test's card number must be a valid one");
    let dir = tempfile::tempdir().unwrap();
    for db in common::databases(dir.path(), "privacy_mask").await {
        let sqlite = db.get_database_backend() == DbBackend::Sqlite;
        let services = services_on(db).await;
        // The same question with two phone numbers: one miss, asked twice.
        let first = ask(&services, "我的手机号13812345678怎么停机了", "s-1").await;
        assert_eq!(first.outcome, Outcome::Miss);
        ask(&services, "我的手机号13987654321怎么停机了", "s-2").await;
        ask(&services, "我的手机号１３６１１１１２２２２怎么停机了", "s-3").await;
        ask(&services, &format!("身份证{ID}丢了怎么办"), "s-1").await;
        ask(&services, "my email is zhang.san@example.com, where is my card?", "s-1").await;
        // Answered, then rated unhelpful: the miss it becomes holds the masked text.
        let answered = ask(&services, "card not arrived, call me 159-0000-1111", "s-1").await;
        services
            .matcher
            .feedback(Feedback {
                ask_id: answered.ask_id.clone(),
                helpful: false,
                handoff: false,
                chosen_knowledge_id: None,
                agent_answer: None,
            })
            .await
            .unwrap();
        // A bot's report with a reason, as `/misses` takes it.
        let masker = services.matcher.masker();
        let report = Report::external(
            &masker,
            model::misses::External {
                reason: Some("customer at 192.168.31.7 called 010-62345678".into()),
                session_id: Some("s-1".into()),
                agent_answer: Some("已为尾号 010-62345678 的客户退款".into()),
                ..model::misses::External::question(format!("卡号{CARD}扣了两次费"))
            },
            Utc::now(),
        )
        .unwrap();
        misses::record(&services.db, &[report]).await.unwrap();
        services.inbox.assign_pending().await.unwrap();

        let db = &services.db;
        let phone_misses = db
            .query_all_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT question, count FROM misses WHERE question LIKE '%停机%'",
            ))
            .await
            .unwrap();
        assert_eq!(phone_misses.len(), 1, "three phone numbers, one question");
        assert_eq!(
            phone_misses[0].try_get::<String>("", "question").unwrap(),
            "我的手机号[手机号]怎么停机了"
        );
        assert_eq!(phone_misses[0].try_get::<i32>("", "count").unwrap(), 3);

        let stored = stored_text(db).await;
        assert_clean("the stored text", stored.as_bytes());
        for placeholder in
            ["[手机号]", "[身份证号]", "[email]", "[phone]", "[银行卡号]", "[IP地址]", "[固定电话]"]
        {
            let found = stored.contains(placeholder)
                || (placeholder == "[IP地址]" && stored.contains("[ip address]"))
                || (placeholder == "[固定电话]" && stored.contains("[landline]"));
            assert!(found, "{placeholder} missing from what was stored:\n{stored}");
        }

        // What leaves: the report in both formats, and the session's export.
        let r = report::topics(db, 7, 20).await.unwrap();
        for format in [report::Format::Markdown, report::Format::Csv] {
            let text = report::render(&r, format, report::Lang::Zh).unwrap();
            assert_clean("the report", text.as_bytes());
        }
        let admin = Actor::new("ada", Role::Admin);
        let export = sessions::export(db, &admin, "s-1").await.unwrap();
        assert_eq!(export.asks.len(), 4);
        assert!(export.reports.len() >= 2, "{export:?}");
        assert_clean("the export", serde_json::to_string(&export).unwrap().as_bytes());

        if sqlite {
            // The file itself, byte by byte, with the write-ahead log folded in.
            db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)").await.unwrap();
            for name in ["privacy_mask.db", "privacy_mask.db-wal"] {
                if let Ok(bytes) = std::fs::read(dir.path().join(name)) {
                    assert_clean(name, &bytes);
                }
            }
        }
    }
}

/// Moves every time of the ask log and the inbox `days` into the past.
async fn backdate(db: &DatabaseConnection, days: i64) {
    let b = db.get_database_backend();
    let shift = |column: &str| match b {
        DbBackend::Postgres => format!("{column} = {column} - INTERVAL '{days} days'"),
        _ => format!("{column} = strftime('%Y-%m-%dT%H:%M:%f', {column}, '-{days} days') || '+00:00'"),
    };
    for (table, columns) in [
        ("asks", vec!["created_at"]),
        ("miss_events", vec!["occurred_at", "received_at"]),
        ("misses", vec!["first_seen_at", "last_seen_at"]),
    ] {
        for c in columns {
            db.execute_unprepared(&format!("UPDATE {table} SET {}", shift(c))).await.unwrap();
        }
    }
    for c in ["decided_at", "closed_at"] {
        db.execute_unprepared(&format!("UPDATE misses SET {} WHERE {c} IS NOT NULL", shift(c)))
            .await
            .unwrap();
    }
    db.execute_unprepared(&format!("UPDATE decisions SET {}", shift("created_at"))).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_deletes_old_rows_and_the_dashboard_history_stays() {
    let dir = tempfile::tempdir().unwrap();
    for db in common::databases(dir.path(), "privacy_retention").await {
        let services = services_on(db).await;
        let db = services.db.clone();
        // A day of the loop: answers, misses, a decision, a publish that closes them.
        ask(&services, "card not arrived", "a").await;
        ask(&services, "add money to my account", "b").await;
        for q in ["what exchange rate do you use", "is your euro exchange rate fair", "do you sell pizza"] {
            ask(&services, q, "c").await;
        }
        services.inbox.assign_pending().await.unwrap();
        let trainer = Actor::new("tina", Role::Trainer);
        let page = services.inbox.list(&ListFilter::default()).await.unwrap();
        let rate = page.clusters.iter().find(|c| c.label.contains("exchange")).expect("a group about rates");
        let d = Decision::Create {
            category: "Exchange".into(),
            question: "What exchange rate do you use?".into(),
            answer: "The interbank rate.".into(),
            miss_ids: None,
        };
        let id: i32 = services
            .inbox
            .resolve(&trainer, &rate.id, d)
            .await
            .unwrap()
            .knowledge_id
            .unwrap()
            .parse()
            .unwrap();
        model::publishing::publish(&services, &Actor::new("lead", Role::Reviewer), id, None, false)
            .await
            .unwrap();
        let open = services.inbox.list(&ListFilter::default()).await.unwrap().clusters;
        let pizza = open.iter().find(|c| c.label.contains("pizza")).expect("the pizza group");
        let dismiss = Decision::Dismiss { reason: "not our business".into() };
        services.inbox.resolve(&trainer, &pizza.id, dismiss).await.unwrap();

        backdate(&db, 200).await;
        // And a day within the retention period, which must stay.
        ask(&services, "card not arrived", "d").await;
        let period = Period { days: 366, channel: None };
        let before = metrics::summary(&db, &period).await.unwrap();
        assert_eq!((before.asks, before.answered, before.missed, before.loop_yield), (6, 3, 3, 2));

        let run = retention::run(&db, 180, Utc::now()).await.unwrap();
        assert_eq!((run.asks, run.misses), (5, 3), "{run:?}");
        assert!(run.reports >= 3);
        let left = db
            .query_all_raw(Statement::from_string(db.get_database_backend(), "SELECT question FROM asks"))
            .await
            .unwrap();
        assert_eq!(left.len(), 1, "only the recent ask is kept");

        let after = metrics::summary(&db, &period).await.unwrap();
        assert_eq!(after.per_day, before.per_day, "every day's figures are unchanged");
        assert_eq!(
            (after.asks, after.answered, after.clarified, after.missed, after.loop_yield),
            (before.asks, before.answered, before.clarified, before.missed, before.loop_yield)
        );
        assert_eq!(after.yield_by_point, before.yield_by_point);
        assert_eq!(after.by_category, before.by_category);
        assert_eq!(after.stale, before.stale);
        // By channel, too.
        let bot = Period { days: 366, channel: Some("bot".into()) };
        assert_eq!(metrics::summary(&db, &bot).await.unwrap().per_day, after.per_day);

        // Recorded for the status page, and not run again within a day.
        assert_eq!(retention::last_run(&db).await.unwrap().unwrap().asks, 5);
        assert!(retention::run_if_due(&db, 180).await.unwrap().is_none());
        // A second run finds nothing more, and the history still holds.
        let again = retention::run(&db, 180, Utc::now() + Duration::seconds(1)).await.unwrap();
        assert_eq!((again.asks, again.misses, again.reports), (0, 0, 0));
        assert_eq!(metrics::summary(&db, &period).await.unwrap().per_day, before.per_day);
        // 0 keeps everything.
        let off = retention::run(&db, 0, Utc::now()).await.unwrap();
        assert_eq!((off.cutoff, off.asks), (None, 0));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn erasing_a_session_removes_it_everywhere_and_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    for db in common::databases(dir.path(), "privacy_erase").await {
        let services = services_on(db).await;
        let db = services.db.clone();
        ask(&services, "do you sell pizza", "s-1").await;
        ask(&services, "do you sell pizza", "s-2").await;
        ask(&services, "can I keep a parrot in the branch", "s-1").await;
        ask(&services, "card not arrived", "s-1").await;
        services.inbox.assign_pending().await.unwrap();
        let admin = Actor::new("ada", Role::Admin);

        let erased = services.erase_session(&admin, "s-1").await.unwrap();
        assert_eq!((erased.asks, erased.reports, erased.misses), (3, 2, 1));
        let text = stored_text(&db).await;
        assert!(!text.contains("parrot"), "the miss only s-1 reported is gone everywhere");
        let pizza = db
            .query_all_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT count FROM misses WHERE question = 'do you sell pizza'",
            ))
            .await
            .unwrap();
        assert_eq!(pizza[0].try_get::<i32>("", "count").unwrap(), 1, "s-2's report stays");
        let page = services.inbox.list(&ListFilter::default()).await.unwrap();
        assert!(page.clusters.iter().all(|c| !c.label.contains("parrot")), "{:?}", page.clusters);

        let export = sessions::export(&db, &admin, "s-1").await.unwrap();
        assert!(export.asks.is_empty() && export.reports.is_empty());
        assert_eq!(sessions::export(&db, &admin, "s-2").await.unwrap().asks.len(), 1);
        let again = services.erase_session(&admin, "s-1").await.unwrap();
        assert_eq!((again.asks, again.reports, again.misses), (0, 0, 0));

        let audit = model::audit::for_target(&db, "session:s-1").await.unwrap();
        let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
        assert_eq!(actions, ["privacy.erase", "privacy.export", "privacy.erase"]);
        assert!(audit.iter().all(|a| a.actor == "ada (admin)"));

        assert!(matches!(
            sessions::export(&db, &admin, " ").await,
            Err(model::privacy::PrivacyError::Refused(_))
        ));
    }
}
