//! The bot's endpoints: `ask`, `feedback` and `misses`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use model::matching::{AskRequest, Feedback};
use model::misses::{self, Report, Signal};
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
        let question = m.question.trim();
        let chars = question.chars().count();
        if question.is_empty() || chars > model::matching::service::QUESTION_CHARS {
            return Err(ApiError::invalid(format!(
                "misses[{i}]: the question must have 1 to {} characters (has {chars})",
                model::matching::service::QUESTION_CHARS
            )));
        }
        let channel = m.channel.unwrap_or_else(|| "bot".into());
        if channel.is_empty()
            || channel.len() > 40
            || !channel.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(ApiError::invalid(format!(
                "misses[{i}]: channel must be 1 to 40 of a-z, 0-9, _ and -"
            )));
        }
        if m.reason.as_ref().is_some_and(|r| r.chars().count() > 500)
            || m.session_id.as_ref().is_some_and(|s| s.chars().count() > 200)
        {
            return Err(ApiError::invalid(format!("misses[{i}]: reason (500) or session_id (200) too long")));
        }
        if m.occurred_at.is_some_and(|t| t > now + chrono::Duration::minutes(5)) {
            return Err(ApiError::invalid(format!("misses[{i}]: occurred_at is in the future")));
        }
        reports.push(Report {
            question: question.to_string(),
            signal: Signal::Reported,
            channel,
            session_id: m.session_id,
            ask_id: None,
            reason: m.reason,
            occurred_at: m.occurred_at.unwrap_or(now),
        });
    }
    misses::record(&services.db, &reports).await.map_err(ApiError::storage)?;
    Ok((StatusCode::ACCEPTED, Json(serde_json::json!({ "accepted": n }))).into_response())
}
