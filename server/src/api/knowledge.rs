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

use super::error::{ApiError, ErrorBody, ErrorResponse};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FeedQuery {
    #[serde(default)]
    #[param(minimum = 0, default = 0)]
    since: i64,
}

#[utoipa::path(
    get,
    path = "/api/v1/knowledge",
    tag = "bot",
    summary = "Published knowledge changed after a revision (deletions included)",
    description = "Needs role bot+.",
    params(FeedQuery),
    responses(
        (status = 200, description = "Changes, with an ETag", body = model::views::Feed),
        (status = 304, description = "Nothing changed (If-None-Match)"),
        (status = 400, response = ErrorResponse),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
        (status = 413, response = ErrorResponse),
        (status = 422, response = ErrorResponse),
    ),
    security(("bearer" = []))
)]
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

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    #[serde(default)]
    #[param(default = false)]
    publish: bool,
}

/// Largest import body: about 20,000 knowledge points.
pub const IMPORT_LIMIT_BYTES: usize = 10 * 1024 * 1024;

/// `KnowledgeRow`, an import row as the contract documents it: the derived schema of
/// [`transfer::Row`] without its `additionalProperties: false`.
// Contract as documented: the import does refuse unknown fields; the contract never said so.
pub struct KnowledgeRow;

impl utoipa::PartialSchema for KnowledgeRow {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::Schema;
        use utoipa::openapi::RefOr;
        let mut schema = <transfer::Row as utoipa::PartialSchema>::schema();
        if let RefOr::T(Schema::Object(object)) = &mut schema {
            object.additional_properties = None;
        }
        schema
    }
}

impl utoipa::ToSchema for KnowledgeRow {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("KnowledgeRow")
    }
}

/// Header category,question,answer (required), then any of phrasings, answer_bot, answer_online,
/// answer_hotline, valid_from, valid_until (RFC 3339); phrasings separated by |
// An import's CSV body, for the OpenAPI document (the handlers read the bytes).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct KnowledgeCsv(String);

#[utoipa::path(
    post,
    path = "/api/v1/knowledge/import",
    tag = "knowledge",
    summary = "Import knowledge as JSON or CSV, idempotent on (category, question)",
    description = "Needs role trainer (publish: reviewer)+.",
    params(ImportQuery),
    request_body(content(
        (Vec<KnowledgeRow> = "application/json"),
        (inline(KnowledgeCsv) = "text/csv")
    )),
    responses(
        (status = 200, description = "What was created, updated, and the refused lines", body = model::views::ImportReport),
        (status = 400, response = ErrorResponse),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
        (status = 413, response = ErrorResponse),
        (status = 415, response = ErrorResponse),
        (status = 422, response = ErrorResponse),
    ),
    security(("bearer" = []))
)]
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

/// `{"duplicates": [...]}`, the answer of the import check.
// For the OpenAPI document only: the handler writes the body with `json!`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct ImportCheck {
    #[schema(inline)]
    duplicates: Vec<model::views::ImportDuplicate>,
}

/// What an import would create that the bot already answers with a published point; nothing
/// is written.
#[utoipa::path(
    post,
    path = "/api/v1/knowledge/import/check",
    tag = "knowledge",
    summary = "Which rows of an import would create a point the bot already answers (a near-duplicate warning)",
    description = "Needs role trainer+. The same body as the import. For each row whose category and question are not a live point yet, the published points (at most 3) the bot would answer its question with outright. Nothing is imported.",
    request_body(content(
        (Vec<KnowledgeRow> = "application/json"),
        (inline(KnowledgeCsv) = "text/csv")
    )),
    responses(
        (status = 200, description = "Rows that duplicate published points", body = inline(ImportCheck)),
        (status = 400, response = ErrorResponse),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
        (status = 413, response = ErrorResponse),
        (status = 415, response = ErrorResponse),
        (status = 422, response = ErrorResponse),
        (status = 500, response = ErrorResponse),
        (status = 503, response = ErrorResponse),
    ),
    security(("bearer" = []))
)]
pub async fn check_import(
    State(services): State<Services>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let (rows, _) = parse_body(&headers, body)?;
    let duplicates = model::health::duplicates::in_import(&services.db, &services.matcher, &rows).await?;
    Ok(Json(serde_json::json!({ "duplicates": duplicates })).into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PublishQuery {
    #[serde(default)]
    #[param(default = false)]
    force: bool,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    /// The period: this many days up to now
    #[serde(default = "thirty")]
    #[param(minimum = 1, maximum = 366, default = 30)]
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
#[utoipa::path(
    get,
    path = "/api/v1/knowledge/{id}/stats",
    tag = "health",
    summary = "A knowledge point's figures over a period, from the ask log",
    description = "Needs role trainer+. Asks answered with the point, clarifications that offered it and those in which the customer chose it, ratings of its answers (not helpful, handoffs) and the helpful rate, and the latest ask it answered or was offered in, over the last `days` days up to now.",
    params(("id" = String, Path), StatsQuery),
    responses(
        (status = 200, description = "The point's figures", body = model::views::PointStats),
        (status = 400, response = ErrorResponse),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
        (status = 404, response = ErrorResponse),
        (status = 422, response = ErrorResponse),
    ),
    security(("bearer" = []))
)]
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

/// A publish refused for its regressions (409): the error and the lists beside it.
// For the OpenAPI document only: `ApiError::detail` adds the lists to the error body.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct RefusedPublish {
    #[serde(flatten)]
    error: ErrorBody,
    #[schema(required = false)]
    regressions: Vec<model::views::Regression>,
    #[schema(required = false)]
    test_regressions: Vec<model::views::TestRegression>,
}

/// Publishes a point's draft after the regression check (409 with the list unless `force`).
#[utoipa::path(
    post,
    path = "/api/v1/knowledge/{id}/publish",
    tag = "knowledge",
    summary = "Publish a knowledge point's draft after the regression check",
    description = "Needs role reviewer+. Replays the knowledge base's own phrasings and the recently answered questions with and without the change; if any answer would change or a test case would fail, nothing is published and the answer is 409 with code `regressions` and the list beside the error (`?force=true` publishes anyway). Once published, bots are served the change within a second, and every open miss it now answers is closed (loop yield). Test cases whose result would change are listed in `test_regressions` (newly failing first).",
    params(("id" = String, Path), PublishQuery),
    responses(
        (status = 200, description = "Published", body = model::views::PublishReport),
        (status = 400, response = ErrorResponse),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
        (status = 404, response = ErrorResponse),
        (status = 409, description = "No draft to publish (code `conflict`), a stale edit, or answers would change (code `regressions`, with `regressions` beside `error`)", body = inline(RefusedPublish)),
    ),
    security(("bearer" = []))
)]
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
