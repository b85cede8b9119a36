//! The knowledge API as bots and scripts use it: import (JSON, CSV, line errors, publish
//! rights), the change feed with ETag/304 and deletions, and the JSON error format.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use model::accounts::tokens;
use model::views::{Actor, Role};
use tower::ServiceExt;

struct Reply {
    status: StatusCode,
    etag: Option<String>,
    json: serde_json::Value,
}

async fn call(
    router: &axum::Router,
    method: &str,
    path: &str,
    token: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Reply {
    let mut request =
        Request::builder().method(method).uri(path).header("authorization", format!("Bearer {token}"));
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = router.clone().oneshot(request.body(Body::from(body)).unwrap()).await.unwrap();
    let status = response.status();
    let etag = response.headers().get("etag").map(|v| v.to_str().unwrap().to_string());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let json = if bytes.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&bytes).expect("JSON body")
    };
    Reply { status, etag, json }
}

fn assert_error(reply: &Reply, status: StatusCode, code: &str, says: &str) {
    assert_eq!(reply.status, status, "{}", reply.json);
    assert_eq!(reply.json["error"]["code"], code, "{}", reply.json);
    let message = reply.json["error"]["message"].as_str().unwrap();
    assert!(message.contains(says), "{message:?} should say {says:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_then_bots_pull_changes_with_etags() {
    let dir = tempfile::tempdir().unwrap();
    let config = common::config_in(dir.path());
    let services = server::startup::services(&config).await.unwrap();
    let db = services.db.clone();
    let bot = tokens::create(&db, "bot", Role::Bot).await.unwrap();
    let trainer = tokens::create(&db, "script", Role::Trainer).await.unwrap();
    let reviewer = tokens::create(&db, "lead", Role::Reviewer).await.unwrap();
    let router = server::http::router(&config, services);

    let json = serde_json::json!([
        {"category": "Cards/Delivery", "question": "Where is my card?", "answer": "On its way.", "phrasings": ["card not arrived"]},
        {"category": "Cards/Delivery", "question": "", "answer": "x"},
        {"category": "宽带业务/报修", "question": "宽带断了怎么办？", "answer": "请拨打10000报修。", "phrasings": ["网断了", "宽带报修"]}
    ]);
    let body = serde_json::to_vec_pretty(&json).unwrap();
    // The line where the second item (the bad one) opens.
    let bad_line = String::from_utf8(body.clone())
        .unwrap()
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == "{")
        .nth(1)
        .unwrap()
        .0
        + 1;
    let ct = [("content-type", "application/json")];

    // Publishing needs a reviewer; a bot may not import at all. Nothing was written.
    let r = call(&router, "POST", "/api/v1/knowledge/import?publish=true", &trainer, &ct, body.clone()).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden", "reviewer");
    let r = call(&router, "POST", "/api/v1/knowledge/import", &bot, &ct, body.clone()).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden", "trainer");
    let r = call(&router, "GET", "/api/v1/knowledge?since=0", &bot, &[], vec![]).await;
    assert_eq!((r.json["revision"].as_i64(), r.json["items"].as_array().unwrap().len()), (Some(0), 0));

    let r =
        call(&router, "POST", "/api/v1/knowledge/import?publish=true", &reviewer, &ct, body.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!((r.json["created"].as_u64(), r.json["updated"].as_u64()), (Some(2), Some(0)));
    assert_eq!(r.json["errors"][0]["line"], bad_line, "{}", r.json);
    assert_eq!(r.json["errors"][0]["message"], "the question is empty");
    // Idempotent.
    let r = call(&router, "POST", "/api/v1/knowledge/import?publish=true", &reviewer, &ct, body).await;
    assert_eq!((r.json["created"].as_u64(), r.json["updated"].as_u64()), (Some(0), Some(0)));

    let all = call(&router, "GET", "/api/v1/knowledge?since=0", &bot, &[], vec![]).await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(all.json["revision"], 2);
    let items = all.json["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[1]["category"], "宽带业务/报修");
    assert_eq!(items[1]["phrasings"], serde_json::json!(["网断了", "宽带报修"]));
    assert_eq!(items[1]["deleted"], false);
    let etag = all.etag.clone().unwrap();
    let same =
        call(&router, "GET", "/api/v1/knowledge?since=0", &bot, &[("if-none-match", &etag)], vec![]).await;
    assert_eq!(same.status, StatusCode::NOT_MODIFIED);

    // A CSV import by a trainer changes an answer as a draft: bots see nothing new.
    let csv = "category,question,answer,phrasings\nCards/Delivery,Where is my card?,Arrives tomorrow.,card not arrived\n";
    let r = call(
        &router,
        "POST",
        "/api/v1/knowledge/import",
        &trainer,
        &[("content-type", "text/csv")],
        csv.into(),
    )
    .await;
    assert_eq!(r.json["updated"], 1, "{}", r.json);
    let same =
        call(&router, "GET", "/api/v1/knowledge?since=2", &bot, &[("if-none-match", &etag)], vec![]).await;
    assert_eq!(same.status, StatusCode::NOT_MODIFIED);

    // Archiving reaches bots as a deletion after the last revision they saw.
    let id: i32 = items[0]["id"].as_str().unwrap().parse().unwrap();
    let point = model::knowledge::queries::detail(&db, id).await.unwrap();
    model::knowledge::points::archive(&db, &Actor::new("lead", Role::Reviewer), id, point.version)
        .await
        .unwrap();
    let changed =
        call(&router, "GET", "/api/v1/knowledge?since=2", &bot, &[("if-none-match", &etag)], vec![]).await;
    assert_eq!(changed.status, StatusCode::OK);
    assert_ne!(changed.etag.unwrap(), etag);
    assert_eq!(changed.json["revision"], 3);
    assert_eq!(changed.json["items"].as_array().unwrap().len(), 1);
    assert_eq!(changed.json["items"][0]["deleted"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_clear_json_errors_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = common::config_in(dir.path());
    let services = server::startup::services(&config).await.unwrap();
    let db = services.db.clone();
    let token = tokens::create(&db, "lead", Role::Reviewer).await.unwrap();
    let router = server::http::router(&config, services);

    let r = call(&router, "GET", "/api/v1/knowledge?since=abc", &token, &[], vec![]).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request", "since");
    let r = call(&router, "GET", "/api/v1/knowledge?since=-1", &token, &[], vec![]).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request", "since");
    let r = call(&router, "POST", "/api/v1/knowledge/import", &token, &[], vec![]).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request", "empty");
    let r = call(
        &router,
        "POST",
        "/api/v1/knowledge/import",
        &token,
        &[("content-type", "application/json")],
        b"{\"not\": \"a list\"}".to_vec(),
    )
    .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request", "JSON array");
    let r = call(
        &router,
        "POST",
        "/api/v1/knowledge/import",
        &token,
        &[("content-type", "text/csv")],
        b"q,a\nx,y\n".to_vec(),
    )
    .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request", "header");
    let r = call(
        &router,
        "POST",
        "/api/v1/knowledge/import",
        &token,
        &[("content-type", "text/csv")],
        vec![0xff, 0xfe, 0x00],
    )
    .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request", "UTF-8");
    let r =
        call(&router, "POST", "/api/v1/knowledge/import?publish=maybe", &token, &[], b"[]".to_vec()).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request", "publish");
    let huge = format!("category,question,answer,phrasings\n{}", "A,q,a,p\n".repeat(1_400_000));
    let r = call(
        &router,
        "POST",
        "/api/v1/knowledge/import",
        &token,
        &[("content-type", "text/csv")],
        huge.into(),
    )
    .await;
    assert_error(&r, StatusCode::PAYLOAD_TOO_LARGE, "too_large", "");
    let long = serde_json::json!([{"category": "A", "question": "q".repeat(501), "answer": "a"}]);
    let r =
        call(&router, "POST", "/api/v1/knowledge/import", &token, &[], serde_json::to_vec(&long).unwrap())
            .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.json["errors"][0]["message"].as_str().unwrap().contains("question is too long"));

    let r = call(&router, "GET", "/api/v1/knowledge?since=0", &token, &[], vec![]).await;
    assert_eq!(r.json["items"].as_array().unwrap().len(), 0, "nothing was written");
    assert!(model::knowledge::categories::tree(&db).await.unwrap().is_empty(), "no category left behind");
}
