//! Liveness and readiness for load balancers and orchestrators.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use model::Services;

/// The process is up and answering.
pub async fn live() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

/// 200 when the database answers (the model is loaded before the server listens), else 503.
pub async fn ready(State(services): State<Services>) -> impl IntoResponse {
    let readiness = services.readiness().await;
    let code = if readiness.is_ready() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (code, Json(readiness))
}
