//! The supervisor's routes over the router with the real model and a real SQLite file:
//! `GET /api/v1/metrics/summary`, `/api/v1/metrics/asks`, `/api/v1/report` and `/metrics`.

mod common;

use axum::http::StatusCode;
use common::call;
use model::accounts::tokens;
use model::views::Role;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supervisors_read_the_figures_the_report_and_the_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let config = common::config_in(dir.path());
    let services = server::startup::services(&config).await.unwrap();
    let bot = tokens::create(&services.db, "bot", Role::Bot).await.unwrap();
    let lead = tokens::create(&services.db, "lead", Role::Reviewer).await.unwrap();
    let boss = tokens::create(&services.db, "boss", Role::Supervisor).await.unwrap();
    let router = server::http::router(&config, services.clone());
    let kb = serde_json::json!([
        {"category": "Cards/Delivery", "question": "When will my card arrive?", "answer": "Within 5 working days.",
         "phrasings": ["My card has not arrived yet", "How long does card delivery take?"]}
    ]);
    assert_eq!(
        call(&router, "POST", "/api/v1/knowledge/import?publish=true", &lead, kb).await.status,
        StatusCode::OK
    );
    for q in ["My card has not arrived yet", "can I open a joint account", "how do I open a joint account"] {
        let r = call(&router, "POST", "/api/v1/ask", &bot, serde_json::json!({"question": q})).await;
        assert_eq!(r.status, StatusCode::OK);
    }
    services.inbox.assign_pending().await.unwrap();

    // The summary, as the contract names its figures.
    let r = call(&router, "GET", "/api/v1/metrics/summary?days=7", &boss, serde_json::Value::Null).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let s = r.json();
    assert_eq!(
        (s["asks"].as_i64(), s["answered"].as_i64(), s["missed"].as_i64()),
        (Some(3), Some(1), Some(2))
    );
    for key in ["clarified", "coverage", "open_misses", "open_clusters", "loop_yield", "published_knowledge"]
    {
        assert!(s[key].is_number(), "{key} in {s}");
    }
    assert_eq!(s["per_day"].as_array().unwrap().len(), 7);
    assert_eq!(s["published_knowledge"], 1);
    // Only supervisors; bad periods are 4xx.
    let r = call(&router, "GET", "/api/v1/metrics/summary", &lead, serde_json::Value::Null).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    for (path, status) in [
        ("/api/v1/metrics/summary?days=0", StatusCode::UNPROCESSABLE_ENTITY),
        ("/api/v1/metrics/summary?channel=fax", StatusCode::UNPROCESSABLE_ENTITY),
        ("/api/v1/metrics/summary?weeks=2", StatusCode::BAD_REQUEST),
        ("/api/v1/metrics/asks?category=cards", StatusCode::BAD_REQUEST),
        ("/api/v1/metrics/asks?day=yesterday", StatusCode::UNPROCESSABLE_ENTITY),
        ("/api/v1/report?format=pdf", StatusCode::UNPROCESSABLE_ENTITY),
        ("/api/v1/report?lang=fr", StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let r = call(&router, "GET", path, &boss, serde_json::Value::Null).await;
        assert_eq!(r.status, status, "{path}: {}", r.text);
        assert!(r.json()["error"]["message"].is_string(), "{path}");
    }

    // The asks behind "missed".
    let r = call(&router, "GET", "/api/v1/metrics/asks?outcome=miss", &boss, serde_json::Value::Null).await;
    let rows = r.json();
    let questions: Vec<&str> =
        rows.as_array().unwrap().iter().map(|a| a["question"].as_str().unwrap()).collect();
    assert_eq!(questions, vec!["how do I open a joint account", "can I open a joint account"]);

    // The report as files.
    let r = call(&router, "GET", "/api/v1/report?days=7&format=csv&lang=zh", &boss, serde_json::Value::Null)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.content_type.starts_with("text/csv"));
    assert!(r.text.starts_with("\u{FEFF}排名,话题") && r.text.contains("joint account"), "{}", r.text);
    let r = call(&router, "GET", "/api/v1/report", &boss, serde_json::Value::Null).await;
    assert!(r.content_type.starts_with("text/markdown") && r.text.contains("| 1 |"), "{}", r.text);

    // Prometheus: requests by route, the matcher's size, the queues, the model's timings.
    let r = call(&router, "GET", "/metrics", &boss, serde_json::Value::Null).await;
    assert_eq!(r.status, StatusCode::OK);
    for line in [
        "botcoach_http_requests_total{method=\"POST\",route=\"/api/v1/ask\",status=\"200\"} 3",
        "botcoach_matcher_points 1",
        "botcoach_matcher_texts 3",
        "botcoach_open_misses 2",
        "botcoach_unplaced_misses 0",
        "botcoach_review_queue 0",
    ] {
        assert!(r.text.lines().any(|l| l == line), "{line} missing from\n{}", r.text);
    }
    assert!(
        r.text.contains("botcoach_embed_seconds_count")
            && r.text.contains("botcoach_http_request_seconds_bucket")
    );
    assert_eq!(
        call(&router, "GET", "/metrics", &bot, serde_json::Value::Null).await.status,
        StatusCode::FORBIDDEN
    );
}
