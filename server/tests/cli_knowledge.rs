//! `botcoach import`, `export` and `demo` run as an operator would, against a real SQLite file.

mod common;

use std::process::{Command, Output};

use model::knowledge::{categories, feed, queries};
use model::views::Template;

fn run(dir: &std::path::Path, args: &[&str]) -> Output {
    let config = common::config_in(dir);
    Command::new(env!("CARGO_BIN_EXE_botcoach"))
        .current_dir(dir)
        .args(args)
        .env("BOTCOACH_DATABASE_URL", &config.database_url)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_reports_bad_rows_keeps_good_ones_and_export_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kb.csv");
    std::fs::write(
        &file,
        "category,question,answer,phrasings\nCards/Delivery,Where is my card?,On its way.,card not here|still waiting\nCards,,no question,\n",
    )
    .unwrap();
    let out = run(dir.path(), &["import", "kb.csv", "--publish"]);
    assert!(!out.status.success(), "a refused row makes the command fail");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["created"], 1);
    assert_eq!(report["errors"][0]["line"], 3);
    assert!(text(&out.stderr).contains("1 row(s) of kb.csv were refused"), "{}", text(&out.stderr));

    let out = run(dir.path(), &["export", "out.json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let exported: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out.json")).unwrap()).unwrap();
    assert_eq!(
        exported,
        serde_json::json!([{"category": "Cards/Delivery", "question": "Where is my card?", "answer": "On its way.",
            "phrasings": ["card not here", "still waiting"]}])
    );
    // Importing the export into the same base changes nothing.
    let out = run(dir.path(), &["import", "out.json", "--publish"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (report["created"].as_u64(), report["updated"].as_u64(), report["unchanged"].as_u64()),
        (Some(0), Some(0), Some(1))
    );

    let out = run(dir.path(), &["import", "kb.txt"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("name it .json or .csv"), "{}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_loads_both_knowledge_bases_and_one_account_per_role_once() {
    let dir = tempfile::tempdir().unwrap();
    // The crate folder cargo reports at run time: a build cached for another clone points elsewhere.
    let demo = std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap()).join("../demo");
    let out = run(dir.path(), &["demo", "--dir", demo.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let first = text(&out.stdout);
    for role in ["trainer", "reviewer", "supervisor", "admin"] {
        assert!(
            first.lines().any(|l| l.trim_start().starts_with(role) && l.contains("password ")),
            "{first}"
        );
    }
    assert!(first.contains("Bot API token: bc_"));
    let again = run(dir.path(), &["demo", "--dir", demo.to_str().unwrap()]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert_eq!(text(&again.stdout), first, "the same credentials are printed again");

    let config = common::config_in(dir.path());
    let db = server::startup::open_database(&config).await.unwrap();
    let all = feed::since(&db, 0).await.unwrap();
    assert_eq!(all.items.len(), 77 + 47, "every demo point is published");
    assert!(all.items.iter().all(|i| i.phrasings.len() >= 3));
    let zh = all
        .items
        .iter()
        .filter(|i| i.question.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)))
        .count();
    assert_eq!(zh, 47);
    // The inbox has work in it and the dashboard a history, each made once: a second run adds
    // nothing.
    use model::matching::asks::entity as asks;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let lines = |file: &str| std::fs::read_to_string(demo.join(file)).unwrap().lines().count() as u64 - 1;
    let asked = asks::Entity::find().all(&db).await.unwrap();
    // The rejected answers: each question, and the earlier turn of those that have one.
    let rejected: u64 = csv::Reader::from_path(demo.join("rejected.csv"))
        .unwrap()
        .records()
        .map(|r| if r.unwrap()[2].is_empty() { 1 } else { 2 })
        .sum();
    assert_eq!(asked.len() as u64, lines("traffic.csv") + rejected, "every demo question asked once");
    // The traffic's days (the rejected answers are replayed now, at load).
    let days: std::collections::BTreeSet<_> = asked
        .iter()
        .filter(|a| !a.session_id.as_deref().is_some_and(|s| s.starts_with("demo-rejected-")))
        .map(|a| a.created_at.date_naive())
        .collect();
    assert_eq!(days.len(), 14, "two weeks of history");
    assert!(
        asked.iter().any(|a| a.outcome == model::views::Outcome::Answered)
            && asked.iter().any(|a| a.outcome == model::views::Outcome::Miss)
    );
    let missed = asks::Entity::find().filter(asks::Column::MissRecorded.eq(true)).count(&db).await.unwrap();
    let reports = model::misses::entity::event::Entity::find().count(&db).await.unwrap();
    assert_eq!(reports, lines("misses.csv") + missed, "the second run reported nothing again");
    let misses = model::misses::entity::miss::Entity::find().count(&db).await.unwrap();
    assert!(misses >= lines("misses.csv"));
    // What the supervisor sees on the demo: two weeks with answers and misses every day.
    let period = model::metrics::Period { days: 15, channel: None };
    let s = model::metrics::summary(&db, &period).await.unwrap();
    assert_eq!(s.asks as u64, lines("traffic.csv") + rejected);
    assert!(s.coverage > 0.3 && s.coverage < 1.0, "coverage {}", s.coverage);
    assert!(s.per_day.iter().filter(|d| d.asks > 0).count() >= 14);
    assert!(s.by_category.len() >= 5, "{:?}", s.by_category);
    let tree = categories::tree(&db).await.unwrap();
    let pricing = tree.iter().find(|c| c.path == "套餐资费/5G套餐").unwrap();
    assert_eq!(pricing.template, Some(Template::Pricing));
    let page = queries::module_page(&db, pricing.id).await.unwrap();
    assert!(page.slots.iter().filter(|s| !s.filled_by.is_empty()).count() >= 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_run_exits_1_when_a_case_fails_and_sets_travel_as_excel() {
    let dir = tempfile::tempdir().unwrap();
    let config = common::config_in(dir.path());
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_botcoach"))
            .current_dir(dir.path())
            .args(args)
            .env("BOTCOACH_DATABASE_URL", &config.database_url)
            .env("BOTCOACH_MODEL_DIR", &config.model_dir)
            .output()
            .unwrap()
    };
    std::fs::write(
        dir.path().join("kb.csv"),
        "category,question,answer,phrasings\n\
         Cards,My card was stolen,Freeze it in the app.,someone stole my card|report a stolen card\n\
         宽带,宽带坏了怎么报修？,拨打客服热线报修。,网断了怎么办|宽带没有网络了\n",
    )
    .unwrap();
    let out = run(&["import", "kb.csv", "--publish"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let db = server::startup::open_database(&config).await.unwrap();
    let items = feed::since(&db, 0).await.unwrap().items;
    let id = |q: &str| items.iter().find(|i| i.question == q).unwrap().id.clone();
    let (stolen, broadband) = (id("My card was stolen"), id("宽带坏了怎么报修？"));

    std::fs::write(
        dir.path().join("good.csv"),
        format!("问题,渠道,预期\nsomeone stole my card,,{stolen}\n宽带坏了怎么报修？,hotline,{broadband}\n"),
    )
    .unwrap();
    let out = run(&["test", "import", "good.csv", "--name", "回归"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("2 cases"), "{}", text(&out.stdout));
    let out = run(&["test", "run", "回归"]);
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("2/2 passed"), "{}", text(&out.stdout));

    // A case that cannot pass: the run says which, and the exit status gates a deployment.
    std::fs::write(
        dir.path().join("bad.csv"),
        format!("question,channel,expect\nsomeone stole my card,bot,{broadband}\n"),
    )
    .unwrap();
    assert!(run(&["test", "import", "bad.csv"]).status.success());
    let out = run(&["test", "run", "bad"]);
    assert_eq!(out.status.code(), Some(1), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("FAIL \"someone stole my card\""), "{}", text(&out.stdout));
    assert!(text(&out.stderr).contains("1 test case(s) failed"), "{}", text(&out.stderr));
    // Every set at once fails too.
    assert_eq!(run(&["test", "run"]).status.code(), Some(1));

    // Bad input changes nothing: an unknown expectation is refused with its line.
    std::fs::write(dir.path().join("worse.csv"), "question,channel,expect\nhi,bot,seven\n").unwrap();
    let out = run(&["test", "import", "worse.csv"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("line 2"), "{}", text(&out.stderr));
    assert!(!text(&run(&["test", "list"]).stdout).contains("worse"));

    // Exported as an Excel workbook and read back: the Chinese question is intact.
    let out = run(&["test", "export", "回归", "out.xlsx"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let bytes = std::fs::read(dir.path().join("out.xlsx")).unwrap();
    let cases = model::testsets::transfer::parse(model::testsets::transfer::SetFormat::Xlsx, &bytes).unwrap();
    assert!(cases
        .iter()
        .any(|c| c.question == "宽带坏了怎么报修？" && c.channel == model::views::Channel::Hotline));
}
