//! The HTTP API v1 for bots and scripts (see PRODUCT.md). Handlers call the same services as
//! the browser's server functions; errors map to HTTP in [`error`].

mod bot;
pub mod error;
mod health;
mod inbox;
mod json;
mod knowledge;
mod learning;
mod metrics;
mod openapi;
mod privacy;
pub mod synonyms;
mod testsets;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

/// Every API route; each needs a rule in [`crate::access::RULES`].
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/ask", post(bot::ask).layer(DefaultBodyLimit::max(SMALL_BODY_BYTES)))
        .route("/api/v1/feedback", post(bot::feedback).layer(DefaultBodyLimit::max(SMALL_BODY_BYTES)))
        .route("/api/v1/misses", post(bot::report_misses).layer(DefaultBodyLimit::max(MISSES_BODY_BYTES)))
        .route("/api/v1/knowledge", get(knowledge::changes))
        .route("/api/v1/clusters", get(inbox::list))
        .route("/api/v1/clusters/rebuild", post(inbox::rebuild))
        .route(
            "/api/v1/clusters/{id}/resolve",
            post(inbox::resolve).layer(DefaultBodyLimit::max(MISSES_BODY_BYTES)),
        )
        .route("/api/v1/knowledge/{id}/publish", post(knowledge::publish))
        .route("/api/v1/knowledge/{id}/stats", get(knowledge::stats))
        .route("/api/v1/knowledge/health", get(health::list))
        .route("/api/v1/knowledge/conflicts", get(health::conflicts))
        .route(
            "/api/v1/knowledge/conflicts/dismiss",
            post(health::dismiss).layer(DefaultBodyLimit::max(SMALL_BODY_BYTES)),
        )
        .route("/api/v1/knowledge/merge", post(health::merge).layer(DefaultBodyLimit::max(SMALL_BODY_BYTES)))
        .route(
            "/api/v1/knowledge/{id}/phrasings/move",
            post(health::move_phrasing).layer(DefaultBodyLimit::max(SMALL_BODY_BYTES)),
        )
        .route("/api/v1/knowledge/duplicates", get(health::duplicates))
        .route("/api/v1/decisions/{id}/undo", post(inbox::undo))
        .route("/api/v1/metrics/summary", get(metrics::summary))
        .route("/api/v1/metrics/asks", get(metrics::asks))
        .route("/api/v1/report", get(metrics::voc_report))
        .route("/api/v1/privacy/sessions/{id}", get(privacy::export))
        .route("/api/v1/privacy/sessions/{id}/erase", post(privacy::erase))
        .route("/api/v1/model", get(learning::overview))
        .route("/api/v1/model/train", post(learning::train).layer(DefaultBodyLimit::max(SMALL_BODY_BYTES)))
        .route(
            "/api/v1/model/use",
            post(learning::use_version).layer(DefaultBodyLimit::max(SMALL_BODY_BYTES)),
        )
        .route(
            "/api/v1/knowledge/import",
            post(knowledge::import).layer(DefaultBodyLimit::max(knowledge::IMPORT_LIMIT_BYTES)),
        )
        .route(
            "/api/v1/knowledge/import/check",
            post(knowledge::check_import).layer(DefaultBodyLimit::max(knowledge::IMPORT_LIMIT_BYTES)),
        )
        .route(
            "/api/v1/synonyms",
            get(synonyms::list).post(synonyms::propose).layer(DefaultBodyLimit::max(SMALL_BODY_BYTES)),
        )
        .route("/api/v1/synonyms/drafts/{id}/discard", post(synonyms::discard))
        .route(
            "/api/v1/synonyms/publish",
            post(synonyms::publish).layer(DefaultBodyLimit::max(SMALL_BODY_BYTES)),
        )
        .route("/api/v1/synonyms/export", get(synonyms::export))
        .route(
            "/api/v1/synonyms/import",
            post(synonyms::import).layer(DefaultBodyLimit::max(knowledge::IMPORT_LIMIT_BYTES)),
        )
        .route("/api/v1/synonyms/suggestions", get(synonyms::suggestions))
        .route(
            "/api/v1/testsets",
            get(testsets::list).post(testsets::create).layer(DefaultBodyLimit::max(testsets::BODY_BYTES)),
        )
        .route(
            "/api/v1/testsets/import",
            post(testsets::import).layer(DefaultBodyLimit::max(testsets::BODY_BYTES)),
        )
        .route("/api/v1/testsets/runs/{id}", get(testsets::run_report))
        .route("/api/v1/testsets/{id}", get(testsets::detail))
        .route("/api/v1/testsets/{id}/run", post(testsets::run))
        .route("/api/v1/testsets/{id}/export", get(testsets::export))
        .route("/api/v1/testsets/{id}/cases/{case_id}", axum::routing::delete(testsets::remove_case))
}

/// An ask or a feedback is a few hundred bytes; 64 KiB leaves room and bounds abuse.
const SMALL_BODY_BYTES: usize = 64 * 1024;
/// 1,000 misses of up to 1,000 characters (3 bytes each in UTF-8) and their fields.
const MISSES_BODY_BYTES: usize = 4 * 1024 * 1024;

/// The API contract as OpenAPI 3.1, derived from the handlers and the types they send (see
/// [`openapi::ApiDoc`]); built once.
static OPENAPI: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    use utoipa::OpenApi;
    openapi::ApiDoc::openapi().to_pretty_json().expect("the OpenAPI document serializes")
});

/// The document served at `/api/v1/openapi.json`.
pub fn openapi_document() -> &'static str {
    OPENAPI.as_str()
}

#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    summary = "This document",
    responses((status = 200, description = "OpenAPI 3.1"))
)]
async fn openapi() -> impl axum::response::IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], OPENAPI.as_str())
}
