//! `GET /api/v1/knowledge?since=` (the bots' change feed), `POST /api/v1/knowledge/import`,
//! `POST /api/v1/knowledge/import/check`, `POST /api/v1/knowledge/{id}/publish` and
//! `GET /api/v1/knowledge/{id}/stats`.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use model::accounts::Principal;
use model::knowledge::{feed, transfer};
use model::publishing;
use model::Services;
use serde::Deserialize;

use super::error::ApiError;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedQuery {
    #[serde(default)]
    since: i64,
}

pub async fn changes(
    State(services): State<Services>,
    query: Result<Query<FeedQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Query(query) = query?;
    if query.since < 0 {
        return Err(ApiError::bad_request("since must be a revision number, 0 or more"));
    }
    let revision = feed::revision(&services.db).await?;
    // The answer depends only on `since` (in the URL) and the latest revision.
    let etag = format!("\"kb-{revision}\"");
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if matches {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    let feed = feed::since(&services.db, query.since).await?;
    Ok(([(header::ETAG, etag), (header::CACHE_CONTROL, "no-cache".to_string())], Json(feed)).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    #[serde(default)]
    publish: bool,
}

/// Largest import body: about 20,000 knowledge points.
pub const IMPORT_LIMIT_BYTES: usize = 10 * 1024 * 1024;

pub async fn import(
    State(services): State<Services>,
    Extension(principal): Extension<Principal>,
    query: Result<Query<ImportQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query?;
    let parsed = parse_body(&headers, body)?;
    let report = transfer::import(&services.db, &principal.actor, parsed, query.publish).await?;
    if query.publish {
        services.knowledge_changed().await;
        let closed = publishing::close_answered(&services, &report.published).await?;
        tracing::info!(closed, "misses closed by imported knowledge");
    }
    Ok(Json(report).into_response())
}

/// An import's rows, in the format the content type says (or, without one, the body looks like).
fn parse_body(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<transfer::Parsed, ApiError> {
    let body = body?;
    if body.is_empty() {
        return Err(ApiError::bad_request("the body is empty: send a JSON array or a CSV file"));
    }
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let format = if content_type.starts_with("application/json") {
        transfer::Format::Json
    } else if content_type.starts_with("text/csv") {
        transfer::Format::Csv
    } else {
        transfer::Format::sniff(&body)
    };
    transfer::parse(format, &body).map_err(|e| ApiError::bad_request(e.to_string()))
}

/// What an import would create that the bot already answers with a published point; nothing
/// is written.
pub async fn check_import(
    State(services): State<Services>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let (rows, _) = parse_body(&headers, body)?;
    let duplicates = model::health::duplicates::in_import(&services.db, &services.matcher, &rows).await?;
    Ok(Json(serde_json::json!({ "duplicates": duplicates })).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishQuery {
    #[serde(default)]
    force: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    #[serde(default = "thirty")]
    days: u32,
}

/// A knowledge point id from the path; anything else names no point (404).
pub(super) fn point_id(id: &str) -> Result<i32, ApiError> {
    id.parse().map_err(|_| {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("there is no knowledge point {id:?}"))
    })
}

fn thirty() -> u32 {
    30
}

/// A point's figures over the last `days` days (30 by default), from the ask log.
pub async fn stats(
    State(services): State<Services>,
    Path(id): Path<String>,
    query: Result<Query<StatsQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query?;
    let id = point_id(&id)?;
    let stats = model::health::point_stats(&services.db, id, query.days, chrono::Utc::now()).await?;
    Ok(Json(stats).into_response())
}

/// Publishes a point's draft after the regression check (409 with the list unless `force`).
pub async fn publish(
    State(services): State<Services>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    query: Result<Query<PublishQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query?;
    let id = point_id(&id)?;
    let report = publishing::publish(&services, &principal.actor, id, None, query.force).await?;
    Ok(Json(report).into_response())
}
