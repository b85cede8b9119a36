//! The miss inbox over HTTP: `GET /api/v1/clusters`, `POST /api/v1/clusters/rebuild` and
//! `POST /api/v1/clusters/{id}/resolve`, `POST /api/v1/decisions/{id}/undo` — the same services
//! the workbench uses.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use model::accounts::Principal;
use model::inbox::{Decision, ListFilter, Rank, StatusFilter};
use model::views::Language;
use model::Services;
use serde::Deserialize;

use super::error::ApiError;
use super::json::ApiJson;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    #[serde(default)]
    status: StatusFilter,
    limit: Option<u64>,
    #[serde(default)]
    offset: u64,
    /// `all`, or how many questions per group (default 10).
    members: Option<String>,
    channel: Option<String>,
    signal: Option<String>,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    q: Option<String>,
    #[serde(default)]
    rank: Rank,
    language: Option<Language>,
}

/// Questions shown per group unless `members=` says otherwise.
const MEMBERS: usize = 10;

pub async fn list(
    State(services): State<Services>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query?;
    let members = match q.members.as_deref() {
        None => Some(MEMBERS),
        Some("all") => None,
        Some(n) => Some(
            n.parse::<usize>()
                .ok()
                .filter(|&n| n >= 1)
                .ok_or_else(|| ApiError::bad_request("members must be `all` or a number from 1"))?,
        ),
    };
    let filter = ListFilter {
        status: q.status,
        limit: q.limit,
        offset: q.offset,
        members,
        channel: q.channel,
        signal: q.signal,
        since: q.since,
        until: q.until,
        text: q.q,
        claimed_by: None,
        rank: q.rank,
        language: q.language,
    };
    Ok(Json(services.inbox.list(&filter).await?).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RebuildQuery {
    #[serde(default)]
    wait: bool,
}

/// With `wait=true` answers when the regrouping is done; otherwise starts it and answers 202.
pub async fn rebuild(
    State(services): State<Services>,
    query: Result<Query<RebuildQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query?;
    if q.wait {
        return Ok(Json(services.inbox.regroup().await?).into_response());
    }
    if services.inbox.is_regrouping() {
        return Err(model::errors::Problem::RegroupRunning { instance: None }.into());
    }
    tokio::spawn(async move {
        if let Err(e) = services.inbox.regroup().await {
            tracing::warn!(error = %e, "requested regrouping failed");
        }
    });
    Ok((StatusCode::ACCEPTED, Json(serde_json::json!({ "started": true }))).into_response())
}

pub async fn resolve(
    State(services): State<Services>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    ApiJson(decision): ApiJson<Decision>,
) -> Result<Response, ApiError> {
    Ok(Json(services.inbox.resolve(&principal.actor, &id, decision).await?).into_response())
}

pub async fn undo(
    State(services): State<Services>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(services.inbox.undo(&principal.actor, &id).await?).into_response())
}
