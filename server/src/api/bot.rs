//! The bot's endpoints: `ask`, `feedback` and `misses`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use model::matching::{AskRequest, Feedback};
use model::misses::{self, Report};
use model::Services;
use serde::Deserialize;

use super::error::ApiError;
use super::json::ApiJson;

pub async fn ask(
    State(services): State<Services>,
    ApiJson(req): ApiJson<AskRequest>,
) -> Result<Response, ApiError> {
    Ok(Json(services.matcher.ask(req).await?).into_response())
}

pub async fn feedback(
    State(services): State<Services>,
    ApiJson(f): ApiJson<Feedback>,
) -> Result<StatusCode, ApiError> {
    services.matcher.feedback(f).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MissBatch {
    misses: Vec<MissItem>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MissItem {
    question: String,
    #[serde(default)]
    channel: Option<String>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    session_id: Option<String>,
    #[serde(default)]
    occurred_at: Option<DateTime<Utc>>,
}

/// Most reports accepted in one call.
pub const MISSES_PER_CALL: usize = 1_000;

/// Checks every item first: one bad item refuses the call and nothing is stored.
pub async fn report_misses(
    State(services): State<Services>,
    ApiJson(batch): ApiJson<MissBatch>,
) -> Result<Response, ApiError> {
    let n = batch.misses.len();
    if n == 0 || n > MISSES_PER_CALL {
        return Err(ApiError::invalid(format!("send 1 to {MISSES_PER_CALL} misses per call, not {n}")));
    }
    let now = Utc::now();
    let mut reports = Vec::with_capacity(n);
    for (i, m) in batch.misses.into_iter().enumerate() {
        let report = Report::external(m.question, m.channel, m.reason, m.session_id, m.occurred_at, now)
            .map_err(|e| ApiError::invalid(format!("misses[{i}]: {e}")))?;
        reports.push(report);
    }
    misses::record(&services.db, &reports).await.map_err(ApiError::storage)?;
    Ok((StatusCode::ACCEPTED, Json(serde_json::json!({ "accepted": n }))).into_response())
}
