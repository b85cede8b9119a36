//! The HTTP API v1 for bots and scripts (see PRODUCT.md). Handlers call the same services as
//! the browser's server functions; errors map to HTTP in [`error`].

pub mod error;
mod knowledge;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

use crate::http::AppState;

/// Every API route; each needs a rule in [`crate::access::RULES`].
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/knowledge", get(knowledge::changes)).route(
        "/api/v1/knowledge/import",
        post(knowledge::import).layer(DefaultBodyLimit::max(knowledge::IMPORT_LIMIT_BYTES)),
    )
}
