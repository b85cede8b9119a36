//! A new bot on a fresh database, before anyone has written any knowledge: the way a call centre
//! starts when it lets its bot collect questions first. Every route answers as it would on a
//! full base (never a 5xx), the asks are misses that reach the inbox, and the first point a
//! trainer writes from them is served at once. On a fresh SQLite file and on PostgreSQL.

mod common;

use std::collections::HashSet;

use axum::http::StatusCode;
use common::{call, Reply};
use model::accounts::tokens;
use model::views::Role;
use serde_json::{json, Value};

const CLIENTS: usize = 30;
const ASKS_PER_CLIENT: usize = 4;

struct Bench {
    _dir: tempfile::TempDir,
    router: axum::Router,
    services: model::Services,
    bot: String,
    lead: String,
    admin: String,
}

async fn fresh(database_url: Option<String>) -> Bench {
    let dir = tempfile::tempdir().unwrap();
    let mut config = common::config_in(dir.path());
    if let Some(url) = database_url {
        config.database_url = url;
    }
    let services = server::startup::services(&config).await.unwrap();
    let bot = tokens::create(&services.db, "bot", Role::Bot).await.unwrap();
    let lead = tokens::create(&services.db, "lead", Role::Reviewer).await.unwrap();
    let admin = tokens::create(&services.db, "admin", Role::Admin).await.unwrap();
    let router = server::http::router(&config, services.clone());
    Bench { _dir: dir, router, services, bot, lead, admin }
}

/// 120 distinct customer questions, English (Banking77) and Chinese (the telecom demo's
/// phrasings), none of which anyone has answered yet.
fn questions() -> Vec<String> {
    let zh: Value = serde_json::from_str(
        &std::fs::read_to_string(common::manifest_dir().join("../demo/telecom-zh.json")).unwrap(),
    )
    .unwrap();
    let zh = zh.as_array().unwrap().iter().flat_map(|p| p["phrasings"].as_array().unwrap().clone());
    let banking = std::fs::read_to_string(common::shared_dir().join("data/banking77/train.csv")).unwrap();
    // The plain rows (no quoted commas): the question is everything before the last comma.
    let en =
        banking.lines().skip(1).filter(|l| !l.contains('"')).map(|l| l[..l.rfind(',').unwrap()].to_string());
    let mut seen = HashSet::new();
    let all: Vec<String> = zh
        .map(|v| v.as_str().unwrap().to_string())
        .take(40)
        .chain(en)
        .filter(|q| seen.insert(model::misses::normalize(q)))
        .take(CLIENTS * ASKS_PER_CLIENT)
        .collect();
    assert_eq!(all.len(), CLIENTS * ASKS_PER_CLIENT);
    all
}

fn ok(r: &Reply, what: &str) -> Value {
    assert_eq!(r.status, StatusCode::OK, "{what}: {}", r.text);
    r.json()
}

/// The supervisor's and trainer's read routes on whatever the database holds now: never a 5xx.
async fn every_reading_route_answers(b: &Bench, stage: &str) {
    for path in [
        "/api/v1/knowledge",
        "/api/v1/clusters",
        "/api/v1/clusters?status=resolved&members=all",
        "/api/v1/metrics/summary?days=1",
        "/api/v1/metrics/summary?days=30&channel=online",
        "/api/v1/metrics/asks?days=7",
        "/api/v1/metrics/asks?days=7&outcome=answered",
        "/api/v1/report?days=7&format=md&lang=zh",
        "/api/v1/report?days=7&format=csv&lang=en",
        "/api/v1/knowledge/health?days=7",
        "/api/v1/knowledge/health?days=90&filter=cold&sort=helpful_rate&order=asc",
        "/api/v1/knowledge/conflicts",
        "/api/v1/knowledge/conflicts?recompute=true",
        "/api/v1/knowledge/duplicates?question=%E5%AE%BD%E5%B8%A6%E6%96%AD%E7%BD%91%E4%BA%86",
        "/api/v1/knowledge/duplicates?question=card%20not%20arrived",
        "/api/v1/model",
    ] {
        let r = call(&b.router, "GET", path, &b.admin, Value::Null).await;
        assert_eq!(r.status, StatusCode::OK, "{stage}: GET {path}: {}", r.text);
    }
}

async fn a_new_bot_collects_its_misses_and_learns_its_first_answer(b: Bench) {
    // Nothing yet: not a point, not a miss, not an ask.
    every_reading_route_answers(&b, "an empty database").await;
    let summary =
        ok(&call(&b.router, "GET", "/api/v1/metrics/summary?days=7", &b.admin, Value::Null).await, "summary");
    assert_eq!(summary["asks"], 0, "{summary}");
    let health =
        ok(&call(&b.router, "GET", "/api/v1/knowledge/health", &b.admin, Value::Null).await, "health");
    assert_eq!(health["total"], 0, "{health}");
    let conflicts =
        ok(&call(&b.router, "GET", "/api/v1/knowledge/conflicts", &b.admin, Value::Null).await, "conflicts");
    assert_eq!(conflicts["conflicts"], json!([]), "{conflicts}");
    let duplicates = ok(
        &call(
            &b.router,
            "GET",
            "/api/v1/knowledge/duplicates?question=where%20is%20my%20card",
            &b.admin,
            Value::Null,
        )
        .await,
        "duplicates",
    );
    assert_eq!(duplicates, json!([]));
    let rebuilt = call(&b.router, "POST", "/api/v1/clusters/rebuild?wait=true", &b.lead, Value::Null).await;
    assert_eq!(ok(&rebuilt, "regrouping nothing")["clusters"], 0);

    // A dry run answers like any other ask and records nothing.
    let r = call(
        &b.router,
        "POST",
        "/api/v1/ask",
        &b.bot,
        json!({"question": "where is my card", "dry_run": true}),
    )
    .await;
    let dry = ok(&r, "a dry run");
    assert_eq!(
        (dry["outcome"].as_str(), dry["candidates"].as_array().map(Vec::len)),
        (Some("miss"), Some(0))
    );

    // 30 clients at once, 4 asks each, English and Chinese, on three channels.
    let questions = questions();
    let channels = ["bot", "online", "hotline"];
    let clients: Vec<_> = questions
        .chunks(ASKS_PER_CLIENT)
        .enumerate()
        .map(|(c, mine)| {
            let (router, bot, mine) = (b.router.clone(), b.bot.clone(), mine.to_vec());
            tokio::spawn(async move {
                let mut replies = Vec::new();
                for q in mine {
                    let body =
                        json!({"question": q, "channel": channels[c % 3], "session_id": format!("s-{c}")});
                    replies.push(call(&router, "POST", "/api/v1/ask", &bot, body).await);
                }
                replies
            })
        })
        .collect();
    let mut replies = Vec::new();
    for client in clients {
        replies.extend(client.await.unwrap());
    }
    let statuses: Vec<StatusCode> = replies.iter().map(|r| r.status).collect();
    assert!(statuses.iter().all(|s| *s == StatusCode::OK), "{statuses:?}: {}", replies[0].text);
    for r in &replies {
        let j = r.json();
        assert_eq!(j["outcome"], "miss", "{j}");
        assert_eq!(j["candidates"], json!([]), "{j}");
        assert!(j["answer"].is_null(), "{j}");
    }

    // Every one of them lands in the inbox (the server places new misses every second).
    b.services.inbox.assign_pending().await.unwrap();
    let page = ok(
        &call(&b.router, "GET", "/api/v1/clusters?limit=200&members=all", &b.lead, Value::Null).await,
        "the inbox",
    );
    let groups = page["clusters"].as_array().unwrap();
    let in_inbox: HashSet<String> = groups
        .iter()
        .flat_map(|g| g["members"].as_array().unwrap())
        .map(|m| m["question"].as_str().unwrap().to_string())
        .collect();
    let asked: HashSet<String> = questions.iter().cloned().collect();
    assert_eq!(in_inbox, asked, "every ask is a miss in the inbox, once");
    assert_eq!(groups.iter().map(|g| g["volume"].as_i64().unwrap()).sum::<i64>(), 120);
    assert!(groups.iter().all(|g| g["suggestions"] == json!([])), "no point to suggest yet");
    // Misses and no knowledge: regrouping, the figures and the reports all answer.
    let rebuilt = ok(
        &call(&b.router, "POST", "/api/v1/clusters/rebuild?wait=true", &b.lead, Value::Null).await,
        "regroup",
    );
    assert_eq!(rebuilt["misses"], 120, "{rebuilt}");
    every_reading_route_answers(&b, "misses and no knowledge").await;
    let summary =
        ok(&call(&b.router, "GET", "/api/v1/metrics/summary?days=7", &b.admin, Value::Null).await, "summary");
    assert_eq!(summary["asks"], 120, "{summary}");
    // Nothing published: nothing to learn from, said as such, and nothing changes.
    let r = call(&b.router, "POST", "/api/v1/model/train", &b.admin, json!({"wait": true})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("publish"), "{}", r.text);
    let model = ok(&call(&b.router, "GET", "/api/v1/model", &b.admin, Value::Null).await, "model");
    assert_eq!(model["versions"], json!([]), "{model}");

    // A trainer writes the first point from a Chinese group (as regrouped), with the group's own
    // words as its question; it is published and served.
    let page = ok(
        &call(&b.router, "GET", "/api/v1/clusters?limit=200&members=all", &b.lead, Value::Null).await,
        "the regrouped inbox",
    );
    let chinese = page["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["label"].as_str().unwrap().chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)))
        .expect("a group of Chinese questions");
    let (id, label) = (chinese["id"].as_str().unwrap(), chinese["label"].as_str().unwrap());
    let created = ok(
        &call(
            &b.router,
            "POST",
            &format!("/api/v1/clusters/{id}/resolve"),
            &b.lead,
            json!({"action": "create", "category": "宽带业务/报修", "question": label,
                   "answer": "请重启光猫，仍不行请报修。"}),
        )
        .await,
        "the first point",
    );
    let kid = created["knowledge_id"].as_str().unwrap();
    let published =
        call(&b.router, "POST", &format!("/api/v1/knowledge/{kid}/publish"), &b.lead, json!({})).await;
    ok(&published, "the first publish");
    b.services.matcher.refresh().await.unwrap();
    let r = call(&b.router, "POST", "/api/v1/ask", &b.bot, json!({"question": label})).await;
    let first = ok(&r, "an ask after the first publish");
    assert_eq!(first["outcome"], "answered", "{first}");
    assert_eq!(first["answer"]["knowledge_id"], kid, "{first}");
    every_reading_route_answers(&b, "one published point").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_new_bot_on_sqlite_collects_its_misses_and_learns_its_first_answer() {
    a_new_bot_collects_its_misses_and_learns_its_first_answer(fresh(None).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_new_bot_on_postgres_collects_its_misses_and_learns_its_first_answer() {
    let Some(url) = common::fresh_postgres::url("empty_start").await else { return };
    a_new_bot_collects_its_misses_and_learns_its_first_answer(fresh(Some(url)).await).await;
}
