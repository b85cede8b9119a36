//! Knowledge health over HTTP: `GET /api/v1/knowledge/health` (the health list),
//! `GET /api/v1/knowledge/conflicts` (the conflict report), `POST
//! /api/v1/knowledge/conflicts/dismiss`, `POST /api/v1/knowledge/merge`, `POST
//! /api/v1/knowledge/{id}/phrasings/move` and `GET /api/v1/knowledge/duplicates`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use model::accounts::Principal;
use model::health::{self, HealthQuery};
use model::views::{HealthFilter, HealthSort};
use model::Services;
use serde::Deserialize;

use super::error::ApiError;
use super::json::ApiJson;
use super::knowledge::point_id;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    #[serde(default = "thirty")]
    days: u32,
    #[serde(default = "answered")]
    sort: HealthSort,
    #[serde(default = "descending")]
    order: Order,
    #[serde(default = "all")]
    filter: HealthFilter,
    #[serde(default = "first")]
    page: u32,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Order {
    Asc,
    Desc,
}

fn thirty() -> u32 {
    30
}
fn answered() -> HealthSort {
    HealthSort::Answered
}
fn descending() -> Order {
    Order::Desc
}
fn all() -> HealthFilter {
    HealthFilter::All
}
fn first() -> u32 {
    1
}

/// Every published point's figures over `days`, sorted and a page at a time.
pub async fn list(
    State(services): State<Services>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query?;
    let query = HealthQuery {
        days: q.days,
        sort: q.sort,
        descending: q.order == Order::Desc,
        filter: q.filter,
        page: q.page,
    };
    Ok(Json(health::health_list(&services.db, &query, chrono::Utc::now()).await?).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConflictsQuery {
    #[serde(default)]
    recompute: bool,
    /// Only the conflicts of this point.
    point: Option<i32>,
}

/// The conflict report (compared again after a publish, or when `recompute`).
pub async fn conflicts(
    State(services): State<Services>,
    query: Result<Query<ConflictsQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query?;
    let report = services
        .conflicts
        .report(&services.db, &services.matcher, q.recompute, q.point, chrono::Utc::now())
        .await?;
    Ok(Json(report).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pair {
    first: i32,
    second: i32,
}

/// Marks two points "not a conflict".
pub async fn dismiss(
    State(services): State<Services>,
    Extension(principal): Extension<Principal>,
    ApiJson(pair): ApiJson<Pair>,
) -> Result<Response, ApiError> {
    health::conflicts::dismiss(&services.db, &principal.actor, pair.first, pair.second).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    keep: i32,
    absorb: i32,
}

/// Merges `absorb` into `keep`, published at once; answers with `keep` as it is now.
pub async fn merge(
    State(services): State<Services>,
    Extension(principal): Extension<Principal>,
    ApiJson(req): ApiJson<MergeRequest>,
) -> Result<Response, ApiError> {
    let kept = model::knowledge::merge::merge(&services.db, &principal.actor, req.keep, req.absorb).await?;
    services.knowledge_changed().await;
    Ok(Json(kept).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoveRequest {
    text: String,
    to: i32,
}

/// Moves a phrasing of point `id` to point `to`; both are published at once.
pub async fn move_phrasing(
    State(services): State<Services>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<MoveRequest>,
) -> Result<Response, ApiError> {
    let from = point_id(&id)?;
    model::knowledge::merge::move_phrasing(&services.db, &principal.actor, from, req.to, &req.text).await?;
    services.knowledge_changed().await;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DuplicatesQuery {
    question: String,
    except: Option<i32>,
}

/// The published points a question would be answered with: a near-duplicate warning before a
/// point is created.
pub async fn duplicates(
    State(services): State<Services>,
    query: Result<Query<DuplicatesQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query?;
    let found = health::near_duplicates(&services.matcher, &q.question, q.except).await?;
    Ok(Json(found).into_response())
}
