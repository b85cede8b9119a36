//! Shared by the server's integration tests: a real model and a real SQLite file.
#![allow(dead_code)]

use std::path::PathBuf;

use server::config::Config;

#[path = "../../../model/tests/common/fresh_postgres.rs"]
pub mod fresh_postgres;
pub mod process;

/// A configuration on a fresh SQLite file inside `dir`, with the fetched model.
pub fn config_in(dir: &std::path::Path) -> Config {
    let mut config = Config {
        database_url: format!("sqlite://{}", dir.join("data/botcoach.db").display()),
        bind: "127.0.0.1:0".parse().unwrap(),
        ..Config::default()
    };
    if let Some(model_dir) = std::env::var_os("BOTCOACH_MODEL_DIR") {
        config.model_dir = PathBuf::from(model_dir);
    }
    config
}

pub fn shared_dir() -> PathBuf {
    std::env::var_os("BOTCOACH_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir().join("../../shared"))
}

/// The crate folder as cargo reports it when it runs this binary; the compile-time value only
/// as a fallback, since a build cached for another clone would point there.
pub fn manifest_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// An answer of the router, as a test reads it.
pub struct Reply {
    pub status: axum::http::StatusCode,
    pub content_type: String,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.text).unwrap_or(serde_json::Value::Null)
    }
}

/// One request to the router with a bearer token and a JSON body (none when `body` is null).
pub async fn call(
    router: &axum::Router,
    method: &str,
    path: &str,
    token: &str,
    body: serde_json::Value,
) -> Reply {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let request = axum::http::Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::from(if body.is_null() {
            Vec::new()
        } else {
            serde_json::to_vec(&body).unwrap()
        }))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let content_type =
        response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Reply { status, content_type, text: String::from_utf8_lossy(&bytes).into_owned() }
}
