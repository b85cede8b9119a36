//! Knowledge health over HTTP, with the real model and a real SQLite file: the health list, the
//! conflict report with its evidence, "not a conflict" remembered, a merge, the near-duplicate
//! check, and who may do what.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use model::accounts::tokens;
use model::views::Role;
use tower::ServiceExt;

struct Reply {
    status: StatusCode,
    json: serde_json::Value,
}

async fn call(
    router: &axum::Router,
    method: &str,
    path: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> Reply {
    let mut request =
        Request::builder().method(method).uri(path).header("authorization", format!("Bearer {token}"));
    let body = match body {
        Some(b) => {
            request = request.header("content-type", "application/json");
            Body::from(b.to_string())
        }
        None => Body::empty(),
    };
    let response = router.clone().oneshot(request.body(body).unwrap()).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let json = if bytes.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&bytes).expect("JSON")
    };
    Reply { status, json }
}

const RIVALS: &str = "category,question,answer,phrasings\n\
    Security,How do I reset my password?,Use the reset link.,I forgot my password|cannot remember my password\n\
    Security,How can I change my password?,Open the settings.,password reset please|I need a new password\n\
    Cards,Where is my card?,On its way.,card not arrived|still waiting for my card\n\
    Top-ups,How do I top up?,In the app.,add money|put money in my account\n";

fn pair_of(conflict: &serde_json::Value) -> (String, String) {
    (
        conflict["first"]["question"].as_str().unwrap().to_string(),
        conflict["second"]["question"].as_str().unwrap().to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conflicts_are_reported_dismissed_and_merged_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let config = common::config_in(dir.path());
    let services = server::startup::services(&config).await.unwrap();
    let db = services.db.clone();
    let bot = tokens::create(&db, "bot", Role::Bot).await.unwrap();
    let trainer = tokens::create(&db, "trainer", Role::Trainer).await.unwrap();
    let lead = tokens::create(&db, "lead", Role::Reviewer).await.unwrap();
    let router = server::http::router(&config, services);
    let request = Request::builder()
        .method("POST")
        .uri("/api/v1/knowledge/import?publish=true")
        .header("authorization", format!("Bearer {lead}"))
        .header("content-type", "text/csv")
        .body(Body::from(RIVALS))
        .unwrap();
    assert_eq!(router.clone().oneshot(request).await.unwrap().status(), StatusCode::OK);

    // The two password points conflict, with the texts that cross as evidence.
    let report = call(&router, "GET", "/api/v1/knowledge/conflicts", &trainer, None).await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.json);
    let conflicts = report.json["conflicts"].as_array().unwrap();
    let top = &conflicts[0];
    let (a, b) = pair_of(top);
    let mut pair = [a.as_str(), b.as_str()];
    pair.sort();
    assert_eq!(pair, ["How can I change my password?", "How do I reset my password?"], "{}", report.json);
    assert!(top["crossing_count"].as_u64().unwrap() >= 1);
    assert!(top["crossings"][0]["text"].as_str().unwrap().contains("password"));
    let (first, second) = (
        top["first"]["knowledge_id"].as_str().unwrap().parse::<i32>().unwrap(),
        top["second"]["knowledge_id"].as_str().unwrap().parse::<i32>().unwrap(),
    );

    // Bots see none of it; trainers may dismiss but not merge.
    assert_eq!(
        call(&router, "GET", "/api/v1/knowledge/conflicts", &bot, None).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(&router, "GET", "/api/v1/knowledge/health", &bot, None).await.status,
        StatusCode::FORBIDDEN
    );
    let merge = serde_json::json!({"keep": first, "absorb": second});
    let refused = call(&router, "POST", "/api/v1/knowledge/merge", &trainer, Some(merge.clone())).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.json);

    // "Not a conflict" is remembered, recomputed or not.
    let dismiss = serde_json::json!({"first": second, "second": first});
    let r = call(&router, "POST", "/api/v1/knowledge/conflicts/dismiss", &trainer, Some(dismiss)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.json);
    for path in ["/api/v1/knowledge/conflicts", "/api/v1/knowledge/conflicts?recompute=true"] {
        let after = call(&router, "GET", path, &trainer, None).await;
        assert_eq!(after.json["dismissed"], 1);
        assert!(after.json["conflicts"].as_array().unwrap().iter().all(|c| pair_of(c) != pair_of(top)));
    }
    let same = serde_json::json!({"first": first, "second": first});
    let r = call(&router, "POST", "/api/v1/knowledge/conflicts/dismiss", &trainer, Some(same)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);

    // The near-duplicate check names the existing point, and not the one being edited.
    let q = "/api/v1/knowledge/duplicates?question=How%20do%20I%20reset%20my%20password";
    let dup = call(&router, "GET", q, &trainer, None).await;
    assert_eq!(dup.status, StatusCode::OK, "{}", dup.json);
    assert!(
        dup.json.as_array().unwrap().iter().any(|d| d["question"] == "How do I reset my password?"),
        "{}",
        dup.json
    );
    let unrelated = call(
        &router,
        "GET",
        "/api/v1/knowledge/duplicates?question=Is%20the%20branch%20open%20on%20Sunday",
        &trainer,
        None,
    )
    .await;
    assert_eq!(unrelated.json, serde_json::json!([]));

    // An import is checked before it is written: the new row near a published point is named.
    let request = Request::builder()
        .method("POST")
        .uri("/api/v1/knowledge/import/check")
        .header("authorization", format!("Bearer {trainer}"))
        .header("content-type", "text/csv")
        .body(Body::from("category,question,answer,phrasings\nHelp,I forgot my password,Reset it.,\nHelp,Is the branch open on Sunday?,No.,\n"))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let checked: serde_json::Value =
        serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
    let rows = checked["duplicates"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{checked}");
    assert_eq!(rows[0]["line"], 2);
    let stored = model::knowledge::queries::list(&db, &Default::default()).await.unwrap();
    assert_eq!(stored.len(), 4, "the check wrote nothing");

    // The point being edited is not its own duplicate.
    let reset = stored.iter().find(|p| p.question == "How do I reset my password?").unwrap().id;
    let path = format!(
        "/api/v1/knowledge/duplicates?question=How%20do%20I%20reset%20my%20password%3F&except={reset}"
    );
    let own = call(&router, "GET", &path, &trainer, None).await;
    assert!(
        own.json.as_array().unwrap().iter().all(|d| d["knowledge_id"] != reset.to_string().as_str()),
        "{}",
        own.json
    );

    // A reviewer merges: every text stays, the absorbed point is archived, bots see it gone.
    let merged = call(&router, "POST", "/api/v1/knowledge/merge", &lead, Some(merge.clone())).await;
    assert_eq!(merged.status, StatusCode::OK, "{}", merged.json);
    assert_eq!(merged.json["head"]["content"]["phrasings"].as_array().unwrap().len(), 5, "{}", merged.json);
    let again = call(&router, "POST", "/api/v1/knowledge/merge", &lead, Some(merge)).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.json);
    let ask = call(
        &router,
        "POST",
        "/api/v1/ask",
        &bot,
        Some(serde_json::json!({"question": "How can I change my password?"})),
    )
    .await;
    assert_eq!(ask.json["answer"]["knowledge_id"], first.to_string(), "{}", ask.json);

    // The health list has the three published points left; the one asked for is healthy.
    let list =
        call(&router, "GET", "/api/v1/knowledge/health?days=7&sort=answered&order=desc", &trainer, None)
            .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.json);
    assert_eq!(
        (list.json["published"].as_u64(), list.json["cold"].as_u64()),
        (Some(3), Some(0)),
        "{}",
        list.json
    );
    assert_eq!(list.json["rows"][0]["knowledge_id"], first.to_string());
    assert_eq!(list.json["rows"][0]["verdict"]["verdict"], "healthy");
    // The others were published today and nobody asked for them yet: new, not cold.
    assert_eq!(list.json["rows"][1]["verdict"]["verdict"], "new");
    let bad = call(&router, "GET", "/api/v1/knowledge/health?sort=nonsense", &trainer, None).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.json);
}
