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

use super::error::{ApiError, BusyResponse, ErrorResponse};
use super::json::ApiJson;

/// The `Idempotency-Key` header the ask and the misses take (read from the headers by
/// [`idempotency_key`]; this type only describes it).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct IdempotencyKey {
    /// Makes a retry safe: the same key with the same request within 24 hours returns the first
    /// answer, and nothing is counted again. 1 to 200 visible ASCII characters (a UUID, for
    /// example). The same key with another request is refused (422).
    #[param(
        rename = "Idempotency-Key",
        nullable = false,
        min_length = 1,
        max_length = 200,
        pattern = "^[!-~]+$"
    )]
    key: Option<String>,
}

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

#[utoipa::path(
    post,
    path = "/api/v1/ask",
    tag = "bot",
    summary = "Match a customer question to published knowledge",
    description = "Needs role bot+.",
    params(IdempotencyKey),
    request_body = model::matching::AskRequest,
    responses(
        (status = 200, description = "The outcome and the ranked candidates", body = model::matching::AskResponse),
        (status = 400, response = ErrorResponse),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
        (status = 413, response = ErrorResponse),
        (status = 415, response = ErrorResponse),
        (status = 422, response = ErrorResponse),
        (status = 503, response = BusyResponse),
    ),
    security(("bearer" = []))
)]
pub async fn ask(
    State(services): State<Services>,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<AskRequest>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers, "ask", &principal, &req)?;
    Ok(Json(services.matcher.ask_once(req, key.as_ref()).await?).into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/feedback",
    tag = "bot",
    summary = "The customer's verdict on an answer; not helpful or a handoff records a miss",
    description = "Needs role bot+.",
    request_body = Feedback,
    responses(
        (status = 204, description = "Recorded"),
        (status = 400, response = ErrorResponse),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
        (status = 404, response = ErrorResponse),
        (status = 413, response = ErrorResponse),
        (status = 415, response = ErrorResponse),
        (status = 422, response = ErrorResponse),
    ),
    security(("bearer" = []))
)]
pub async fn feedback(
    State(services): State<Services>,
    ApiJson(f): ApiJson<Feedback>,
) -> Result<StatusCode, ApiError> {
    services.matcher.feedback(f).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = Misses)]
#[serde(deny_unknown_fields)]
pub struct MissBatch {
    #[schema(inline, min_items = 1, max_items = 1000)]
    misses: Vec<misses::External>,
}

/// `{"accepted": n}`, the misses stored (202).
// For the OpenAPI document only: the handler writes the body with `json!`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct Accepted {
    // Contract as documented: not required.
    #[schema(required = false)]
    accepted: i64,
}

/// Most reports accepted in one call.
pub const MISSES_PER_CALL: usize = 1_000;

/// Checks every item first: one bad item refuses the call and nothing is stored.
#[utoipa::path(
    post,
    path = "/api/v1/misses",
    tag = "bot",
    summary = "Report questions another bot failed on (stored durably before 202)",
    description = "Needs role bot+.",
    params(IdempotencyKey),
    request_body = MissBatch,
    responses(
        (status = 202, description = "Stored", body = inline(Accepted)),
        (status = 400, response = ErrorResponse),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
        (status = 413, response = ErrorResponse),
        (status = 415, response = ErrorResponse),
        (status = 422, response = ErrorResponse),
    ),
    security(("bearer" = []))
)]
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
