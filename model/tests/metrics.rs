//! The dashboard's figures and the voice-of-customer report on a real SQLite file with the real
//! model: asks through the matcher, a trainer's decision, a publish that closes misses — and
//! the numbers the supervisor sees for them.

mod common;

use model::inbox::{Decision, ListFilter};
use model::matching::AskRequest;
use model::metrics::{self, report, AskFilter, Period};
use model::views::{Actor, Outcome, Role};
use model::Services;

async fn setup() -> (tempfile::TempDir, Services) {
    let dir = tempfile::tempdir().unwrap();
    let csv = "category,question,answer,phrasings\n\
               Cards/Delivery,Where is my card?,On its way.,card not arrived|when will my card come\n\
               Top-ups/Methods,How do I top up?,In the app.,add money to my account\n";
    let services = common::services(dir.path(), csv).await;
    (dir, services)
}

async fn ask(services: &Services, q: &str, channel: &str) -> Outcome {
    let channel = serde_json::from_value(serde_json::json!(channel)).unwrap();
    services
        .matcher
        .ask(AskRequest { question: q.into(), channel, session_id: None, dry_run: false })
        .await
        .unwrap()
        .outcome
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_counts_what_happened() {
    let (_dir, services) = setup().await;
    let db = &services.db;
    assert_eq!(ask(&services, "card not arrived", "bot").await, Outcome::Answered);
    assert_eq!(ask(&services, "add money to my account", "online").await, Outcome::Answered);
    let rate =
        ["what exchange rate do you use", "is your euro exchange rate fair", "how is the exchange rate set"];
    for q in rate {
        assert_eq!(ask(&services, q, "bot").await, Outcome::Miss, "{q}");
    }
    let s = metrics::summary(db, &Period { days: 7, channel: None }).await.unwrap();
    assert_eq!((s.asks, s.answered, s.missed), (5, 2, 3));
    assert!((s.coverage - 0.4).abs() < 1e-9);
    assert_eq!(s.per_day.len(), 7);
    let today = s.per_day.last().unwrap();
    assert_eq!((today.asks, today.answered, today.missed, today.inflow), (5, 2, 3, 3));
    assert_eq!((s.open_misses, s.backlog_age.under_a_day), (3, 3));
    assert_eq!((s.published_knowledge, s.in_review, s.stale), (2, 0, 0));
    // The channel filter: the online ask only.
    let online = metrics::summary(db, &Period { days: 7, channel: Some("online".into()) }).await.unwrap();
    assert_eq!((online.asks, online.answered), (1, 1));

    // Which part of the business: the misses are nearest to one of the two categories; each
    // category's asks add up to all asks.
    assert_eq!(s.by_category.iter().map(|c| c.asks).sum::<i64>(), 5);
    let cards = s.by_category.iter().find(|c| c.category.as_deref() == Some("Cards")).unwrap();
    assert!(cards.answered >= 1);
    // Drill-down: the misses behind the worst category are listed.
    let worst = &s.by_category[0];
    let listed = metrics::asks(
        db,
        &AskFilter {
            period: Period { days: 7, channel: None },
            outcome: Some("miss".into()),
            category: Some(worst.category_id),
            day: None,
            point: None,
            limit: 50,
        },
    )
    .await
    .unwrap();
    assert_eq!(listed.len() as i64, worst.missed);
    assert!(listed
        .iter()
        .all(|a| a.outcome == model::views::Outcome::Miss && rate.contains(&a.question.as_str())));

    // A trainer's decision and its publishing: throughput, loop yield, time to answer.
    services.inbox.assign_pending().await.unwrap();
    let page = services.inbox.list(&ListFilter::default()).await.unwrap();
    let trainer = Actor::new("tina", Role::Trainer);
    let mut kid = None;
    for c in page.clusters {
        let d = Decision::Create {
            category: "Exchange".into(),
            question: "What exchange rate do you use?".into(),
            answer: "The interbank rate.".into(),
            miss_ids: None,
        };
        if kid.is_none() {
            kid = services.inbox.resolve(&trainer, &c.id, d).await.unwrap().knowledge_id;
        } else {
            let link = Decision::Link { knowledge_id: kid.clone().unwrap(), miss_ids: None };
            services.inbox.resolve(&trainer, &c.id, link).await.unwrap();
        }
    }
    let id: i32 = kid.unwrap().parse().unwrap();
    let s = metrics::summary(db, &Period { days: 7, channel: None }).await.unwrap();
    assert_eq!(s.in_review, 1);
    assert_eq!(s.trainers[0].trainer, "tina");
    assert_eq!(s.per_day.last().unwrap().resolved, 3, "three questions decided today");
    model::publishing::publish(&services, &Actor::new("lead", Role::Reviewer), id, None, false)
        .await
        .unwrap();
    let s = metrics::summary(db, &Period { days: 7, channel: None }).await.unwrap();
    assert_eq!((s.loop_yield, s.open_misses, s.published_knowledge), (3, 0, 3));
    assert_eq!(s.yield_by_point[0].closed, 3);
    assert!(s.hours_to_answer.unwrap() < 1.0);

    // Bad periods are refused.
    assert!(metrics::summary(db, &Period { days: 0, channel: None }).await.is_err());
    assert!(metrics::summary(db, &Period { days: 7, channel: Some("fax".into()) }).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_lists_topics_by_reports_with_examples_in_both_languages() {
    let (_dir, services) = setup().await;
    for q in [
        "can I open a joint account",
        "how do I open a joint account with my wife",
        "can I open a joint account",
    ] {
        ask(&services, q, "bot").await;
    }
    ask(&services, "do you sell pizza", "bot").await;
    services.inbox.assign_pending().await.unwrap();
    let r = report::topics(&services.db, 7, 10).await.unwrap();
    assert_eq!(r.asks, 4);
    assert!(r.topics.len() >= 2);
    let top = &r.topics[0];
    assert_eq!((top.volume, top.previous), (3, 0), "{:?}", r.topics);
    assert!((top.share - 0.75).abs() < 1e-9);
    assert_eq!(top.examples[0], "can I open a joint account", "most asked first");
    let md = report::render(&r, report::Format::Markdown, report::Lang::En).unwrap();
    assert!(md.contains("| 1 | ") && md.contains("joint account") && md.contains("new"), "{md}");
    let zh = report::render(&r, report::Format::Markdown, report::Lang::Zh).unwrap();
    assert!(zh.contains("客户之声") && zh.contains("新出现"), "{zh}");
    let csv = report::render(&r, report::Format::Csv, report::Lang::En).unwrap();
    // Excel reads UTF-8 only after a byte-order mark (Chinese Windows would assume GBK).
    let csv = csv.strip_prefix(report::UTF8_BOM).expect("a byte-order mark first");
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(&rows.headers().unwrap()[0], "Rank");
    let first = rows.records().next().unwrap().unwrap();
    assert_eq!(&first[0], "1");
    assert_eq!(&first[2], "3");
    assert_eq!(&first[5], "75.0%", "a share people read");
    let zh = report::render(&r, report::Format::Csv, report::Lang::Zh).unwrap();
    let header = zh.lines().next().unwrap();
    assert_eq!(header, "\u{FEFF}排名,话题,次数,上期,增长,占流量,问题示例", "no English in the Chinese file");
    assert!("pdf".parse::<report::Format>().is_err() && "fr".parse::<report::Lang>().is_err());
}

/// Customers' words go into files people open in a spreadsheet or a Markdown viewer: a cell
/// starting with `=`, `+`, `-`, `@` would run as a formula, and raw HTML would render.
#[test]
fn hostile_text_in_the_report_stays_text() {
    let r = model::views::VocReport {
        days: 7,
        since: chrono::Utc::now(),
        asks: 3,
        topics: vec![model::views::VocTopic {
            cluster_id: "1".into(),
            status: model::views::GroupStatus::Open,
            label: "=HYPERLINK(\"http://evil.example\",\"click\")".into(),
            volume: 3,
            previous: 0,
            share: 1.0,
            examples: vec![
                "+1 555 0100 call me".into(),
                "-2+3".into(),
                "@SUM(A1:A9)".into(),
                "<img src=x onerror=alert(1)> hello".into(),
            ],
        }],
        weakest: Vec::new(),
    };
    let csv = report::render(&r, report::Format::Csv, report::Lang::En).unwrap();
    let mut rows = csv::Reader::from_reader(csv.trim_start_matches(report::UTF8_BOM).as_bytes());
    let first = rows.records().next().unwrap().unwrap();
    assert_eq!(&first[1], "'=HYPERLINK(\"http://evil.example\",\"click\")", "the label is text");
    assert!(first[6].starts_with("'+1 555"), "{}", &first[6]);
    for cell in first.iter() {
        assert!(!cell.starts_with(['=', '+', '-', '@']), "{cell:?} would be a formula");
    }
    let md = report::render(&r, report::Format::Markdown, report::Lang::En).unwrap();
    assert!(!md.contains("<img"), "{md}");
    assert!(md.contains("&lt;img src=x onerror=alert(1)&gt; hello"), "{md}");
}
