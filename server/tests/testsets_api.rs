//! Test sets over HTTP as a bot team's script uses them: create a set, run it and wait, read
//! each case's result exactly as the contract says (`got` is what `/ask` answers), and a
//! publish refused with the test cases it would break.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use model::accounts::tokens;
use model::views::Role;
use tower::ServiceExt;

async fn call(
    router: &axum::Router,
    method: &str,
    path: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> (StatusCode, serde_json::Value) {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json");
    let body = body.map_or_else(Body::empty, |b| Body::from(serde_json::to_vec(&b).unwrap()));
    let response = router.clone().oneshot(request.body(body).unwrap()).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let json =
        if bytes.is_empty() { serde_json::Value::Null } else { serde_json::from_slice(&bytes).unwrap() };
    (status, json)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_set_runs_as_ask_answers_and_guards_a_publish() {
    let dir = tempfile::tempdir().unwrap();
    let config = common::config_in(dir.path());
    let services = server::startup::services(&config).await.unwrap();
    let db = services.db.clone();
    let bot = tokens::create(&db, "bot", Role::Bot).await.unwrap();
    let trainer = tokens::create(&db, "script", Role::Trainer).await.unwrap();
    let reviewer = tokens::create(&db, "lead", Role::Reviewer).await.unwrap();
    let router = server::http::router(&config, services);

    let knowledge = serde_json::json!([
        {"category": "Cards", "question": "My card was stolen, what do I do?", "answer": "Freeze it in the app.",
         "phrasings": ["someone stole my debit card", "report a stolen card"]},
        {"category": "Cards", "question": "How do I order a new card?", "answer": "In the app, under Cards.",
         "phrasings": ["I need a replacement card", "get a new debit card"]},
        {"category": "宽带业务", "question": "宽带断了怎么办？", "answer": "请拨打客服热线报修。", "phrasings": ["网断了", "宽带报修"]}
    ]);
    let (status, _) =
        call(&router, "POST", "/api/v1/knowledge/import?publish=true", &reviewer, Some(knowledge)).await;
    assert_eq!(status, StatusCode::OK);
    let (_, feed) = call(&router, "GET", "/api/v1/knowledge?since=0", &bot, None).await;
    let id = |q: &str| {
        feed["items"].as_array().unwrap().iter().find(|i| i["question"] == q).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (stolen, order) = (id("My card was stolen, what do I do?"), id("How do I order a new card?"));
    let taken = "my card is gone, somebody took it";

    // A bot may not touch test sets; a bad expectation is refused and nothing is made.
    let new = serde_json::json!({"name": "nightly", "cases": [
        {"question": taken, "expect": stolen},
        {"question": "网断了", "channel": "hotline", "expect": id("宽带断了怎么办？")},
        {"question": "Tell me a joke about penguins", "expect": "unanswered"},
        {"question": "How do I order a new card?", "expect": stolen.parse::<i64>().unwrap()}
    ]});
    assert_eq!(
        call(&router, "POST", "/api/v1/testsets", &bot, Some(new.clone())).await.0,
        StatusCode::FORBIDDEN
    );
    let bad = serde_json::json!({"name": "bad", "cases": [{"question": "hi", "expect": "sometimes"}]});
    assert_eq!(
        call(&router, "POST", "/api/v1/testsets", &trainer, Some(bad)).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let (status, created) = call(&router, "POST", "/api/v1/testsets", &trainer, Some(new)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let set = created["id"].as_str().unwrap().to_string();
    let (_, list) = call(&router, "GET", "/api/v1/testsets", &trainer, None).await;
    assert!(list.as_array().unwrap().iter().any(|s| s["name"] == "nightly" && s["cases"] == 4), "{list}");

    let (status, run) =
        call(&router, "POST", &format!("/api/v1/testsets/{set}/run?wait=true"), &trainer, None).await;
    assert_eq!(status, StatusCode::OK, "{run}");
    assert!(run["run_id"].is_i64());
    assert_eq!(run["total"], 4);
    assert_eq!(run["passed"], 3, "{run}");
    for case in run["cases"].as_array().unwrap() {
        let q = case["question"].as_str().unwrap();
        let (_, asked) = call(
            &router,
            "POST",
            "/api/v1/ask",
            &bot,
            Some(serde_json::json!({"question": q, "dry_run": true})),
        )
        .await;
        let got = asked["answer"]["knowledge_id"].clone();
        assert_eq!(case["got"], got, "{q}: {case} against {asked}");
        assert!(case["score"].is_f64() && case["passed"].is_boolean());
    }
    assert_eq!(run["cases"][0]["passed"], false, "failures first: {run}");

    // A draft of another point that would take a passing case over: 409, the case named.
    // (Saved as the editor saves it: the HTTP API has no edit route.)
    let order_id: i32 = order.parse().unwrap();
    let detail = model::knowledge::queries::detail(&db, order_id).await.unwrap();
    let mut content = detail.head.content.clone();
    content.phrasings.push(taken.into());
    let tina = model::views::Actor::new("tina", Role::Trainer);
    model::knowledge::points::save(&db, &tina, order_id, detail.version, content).await.unwrap();
    let (status, refused) =
        call(&router, "POST", &format!("/api/v1/knowledge/{order}/publish"), &reviewer, None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert_eq!(refused["error"]["code"], "regressions");
    let broken = refused["test_regressions"].as_array().unwrap();
    assert!(
        broken
            .iter()
            .any(|t| t["question"] == taken && t["passed_before"] == true && t["passed_after"] == false),
        "{refused}"
    );
    let (status, published) =
        call(&router, "POST", &format!("/api/v1/knowledge/{order}/publish?force=true"), &reviewer, None)
            .await;
    assert_eq!(status, StatusCode::OK, "{published}");
    let (_, again) =
        call(&router, "POST", &format!("/api/v1/testsets/{set}/run?wait=true"), &trainer, None).await;
    assert_eq!(again["passed"], 2, "{again}");
    assert_eq!(again["newly_failing"], 1, "{again}");
}
