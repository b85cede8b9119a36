//! The router end to end in-process: real model, real SQLite file, no browser.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

async fn get(router: &axum::Router, path: &str, headers: &[(&str, &str)]) -> (StatusCode, String) {
    let mut request = Request::get(path);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = router.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

// Leptos renders inside its own reactive arenas, which need a multi-threaded runtime as in `serve`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_pages_and_language() {
    let dir = tempfile::tempdir().unwrap();
    let config = common::config_in(dir.path());
    let services = server::startup::services(&config).await.unwrap();
    assert!(dir.path().join("data/botcoach.db").is_file(), "SQLite file created under data/");
    let router_services = services.clone();
    let router = server::http::router(&config, services);

    let (status, body) = get(&router, "/healthz", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, r#"{"status":"ok"}"#);

    let (status, body) = get(&router, "/readyz", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let ready: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(ready["database"]["reachable"], true);
    assert_eq!(ready["database"]["backend"], "SQLite");
    // The default model: centred e5 and MiniLM fused, with each one's weights per script.
    assert_eq!(ready["model"]["name"], "e5-small-q4-centred*0.7/1+all-MiniLM-L6-v2*0.3/0");
    assert_eq!(ready["model"]["dimension"], 768);
    assert_eq!(ready["reembedding"], serde_json::Value::Null, "no model change under way");

    // Pages need a signed-in user; anonymous visitors are sent to the sign-in page.
    let (status, _) = get(&router, "/", &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    model::accounts::users::add(
        &services_db(&router_services),
        "ada",
        "correct horse",
        model::views::Role::Admin,
    )
    .await
    .unwrap();
    let (secret, _) =
        model::accounts::sessions::sign_in(&services_db(&router_services), "ada", "correct horse")
            .await
            .unwrap()
            .unwrap();
    let cookie = format!("botcoach_session={secret}");

    // Server-rendered page: navigation and the status panel's data (on System) are in the HTML.
    let (status, html) = get(&router, "/admin", &[("accept-language", "en-US"), ("cookie", &cookie)]).await;
    assert_eq!(status, StatusCode::OK);
    for text in
        ["Inbox", "Knowledge", "Review", "Dashboard", "Search", "System", "all-MiniLM-L6-v2", "/pkg/botcoach"]
    {
        assert!(html.contains(text), "page lacks {text:?}");
    }

    // Chinese from the cookie, and from Accept-Language when there is no cookie.
    let (_, html) = get(&router, "/inbox", &[("cookie", &format!("lang=zh; {cookie}"))]).await;
    assert!(html.contains("待处理问题"), "Chinese page expected");
    let (_, html) = get(&router, "/login", &[("accept-language", "zh-CN,zh;q=0.9")]).await;
    assert!(html.contains("登录"), "Chinese page expected");

    let (status, _) = get(&router, "/no-such-page", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

fn services_db(services: &model::Services) -> sea_orm::DatabaseConnection {
    services.db.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_fails_when_the_database_goes_away() {
    let dir = tempfile::tempdir().unwrap();
    let config = common::config_in(dir.path());
    let services = server::startup::services(&config).await.unwrap();
    services.db.clone().close().await.unwrap();
    let router = server::http::router(&config, services);
    let (status, body) = get(&router, "/readyz", &[]).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    let ready: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(ready["database"]["reachable"], false);
    assert!(ready["database"]["error"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_functions_tell_the_browser_its_errors_but_never_the_databases() {
    use sea_orm::ConnectionTrait;
    let dir = tempfile::tempdir().unwrap();
    let config = common::config_in(dir.path());
    let services = server::startup::services(&config).await.unwrap();
    let db = services.db.clone();
    model::accounts::users::add(&db, "ada", "correct horse", model::views::Role::Admin).await.unwrap();
    let (secret, _) = model::accounts::sessions::sign_in(&db, "ada", "correct horse").await.unwrap().unwrap();
    let router = server::http::router(&config, services);
    let call = |endpoint: &str, body: serde_json::Value| {
        let request = Request::post(format!("/api/{endpoint}"))
            .header("host", "botcoach.test")
            .header("origin", "http://botcoach.test")
            .header("content-type", "application/json")
            .header("cookie", format!("botcoach_session={secret}"))
            .body(Body::from(body.to_string()))
            .unwrap();
        let router = router.clone();
        async move {
            let response = router.oneshot(request).await.unwrap();
            let status = response.status();
            let bytes = response.into_body().collect().await.unwrap().to_bytes();
            (status, String::from_utf8_lossy(&bytes).into_owned())
        }
    };
    // The user's mistake: said as it is.
    let (status, body) = call("knowledge_detail", serde_json::json!({"id": 4242})).await;
    assert!(!status.is_success() && body.contains("4242"), "{status} {body}");

    // Ours: the database fails (here a table is gone). The browser learns nothing of it.
    db.execute_unprepared("DROP TABLE knowledge_points").await.unwrap();
    let (status, body) = call("knowledge_detail", serde_json::json!({"id": 1})).await;
    assert!(!status.is_success(), "{body}");
    assert!(body.contains("internal error; the server log has the cause"), "{body}");
    for leak in ["knowledge_points", "no such table", "SQL", "sqlite"] {
        assert!(!body.to_lowercase().contains(&leak.to_lowercase()), "{leak:?} leaked: {body}");
    }
}
