//! The bot's endpoints: `ask`, `feedback` and `misses`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::Utc;
use model::accounts::Principal;
use model::idempotency::{self, Key};
use model::journal::Written;
use model::matching::{AskRequest, Feedback};
use model::misses::{self, Report};
use model::Services;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::json::ApiJson;

/// The request's `Idempotency-Key`, scoped to the route and the caller, naming the request.
fn idempotency_key(
    headers: &HeaderMap,
    route: &str,
    principal: &Principal,
    request: &impl Serialize,
) -> Result<Option<Key>, ApiError> {
    let Some(raw) = headers.get("idempotency-key") else { return Ok(None) };
    let raw = raw.to_str().map_err(|_| ApiError::from(idempotency::IdempotencyError::BadKey))?;
    // The parsed request, not its bytes: a retry that re-encodes the same JSON is the same request.
    let body = serde_json::to_vec(request).unwrap_or_default();
    Ok(Some(Key::new(&format!("{route}:{}", principal.actor.name), raw, &body)?))
}

pub async fn ask(
    State(services): State<Services>,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<AskRequest>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers, "ask", &principal, &req)?;
    Ok(Json(services.matcher.ask_once(req, key.as_ref()).await?).into_response())
}

pub async fn feedback(
    State(services): State<Services>,
    ApiJson(f): ApiJson<Feedback>,
) -> Result<StatusCode, ApiError> {
    services.matcher.feedback(f).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MissBatch {
    misses: Vec<misses::External>,
}

/// Most reports accepted in one call.
pub const MISSES_PER_CALL: usize = 1_000;

/// Checks every item first: one bad item refuses the call and nothing is stored.
pub async fn report_misses(
    State(services): State<Services>,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
    ApiJson(batch): ApiJson<MissBatch>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers, "misses", &principal, &batch)?;
    let n = batch.misses.len();
    if n == 0 || n > MISSES_PER_CALL {
        return Err(ApiError::invalid(format!("send 1 to {MISSES_PER_CALL} misses per call, not {n}")));
    }
    let now = Utc::now();
    let masker = services.matcher.masker();
    let mut reports = Vec::with_capacity(n);
    for (i, m) in batch.misses.into_iter().enumerate() {
        let report =
            Report::external(&masker, m, now).map_err(|e| ApiError::invalid(format!("misses[{i}]: {e}")))?;
        reports.push(report);
    }
    let body = serde_json::json!({ "accepted": n });
    let answer = idempotency::Answer { status: StatusCode::ACCEPTED.as_u16(), body: body.to_string() };
    let first = match services.matcher.journal().misses(reports, key.map(|k| (k, answer.clone()))).await? {
        Written::Stored => answer,
        Written::Replayed(first) => first,
    };
    let status = StatusCode::from_u16(first.status).unwrap_or(StatusCode::ACCEPTED);
    Ok((status, [(axum::http::header::CONTENT_TYPE, "application/json")], first.body).into_response())
}
