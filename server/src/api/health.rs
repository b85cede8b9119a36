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

use super::error::{ApiError, ErrorResponse};
use super::json::ApiJson;
use super::knowledge::point_id;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    #[serde(default = "thirty")]
    #[param(minimum = 1, maximum = 366, default = 30)]
    days: u32,
    #[serde(default = "answered")]
    #[param(inline, default = "answered")]
    sort: HealthSort,
    #[serde(default = "descending")]
    #[param(inline, default = "desc")]
    order: Order,
    #[serde(default = "all")]
    #[param(inline, default = "all")]
    filter: HealthFilter,
    #[serde(default = "first")]
    #[param(minimum = 1, default = 1)]
    page: u32,
}

#[derive(Debug, Deserialize, PartialEq, utoipa::ToSchema)]
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
#[utoipa::path(
    get,
    path = "/api/v1/knowledge/health",
    tag = "health",
    summary = "The health list: every published point's figures over a period, with a verdict",
    description = "Needs role trainer+. Per published point: asks answered with it, clarifications in which it was chosen, ratings, handoffs, helpful rate, latest ask, misses it closed; `cold` when no ask was answered with it in 90 days, `needs_work` (with the reason) when at least 5 ratings are under 60% helpful or at least 5 answers were followed by a handoff a quarter of the time or more. 50 rows a page.",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of the list", body = model::views::HealthList),
        (status = 400, response = ErrorResponse),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
        (status = 422, response = ErrorResponse),
    ),
    security(("bearer" = []))
)]
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

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ConflictsQuery {
    #[serde(default)]
    #[param(default = false)]
    recompute: bool,
    /// Only the conflicts of this point.
    point: Option<i32>,
}

/// The conflict report (compared again after a publish, or when `recompute`).
#[utoipa::path(
    get,
    path = "/api/v1/knowledge/conflicts",
    tag = "health",
    summary = "Pairs of published points that compete for the same questions, with the evidence",
    description = "Needs role trainer+. Evidence: texts of one point the model puts nearer to the other than to the rest of their own, clarifications in which customers chose either (last 90 days), questions answered with one, rated not helpful or handed off, then linked to the other. Pairs marked not a conflict are left out. The texts are compared again after each publish (or with `recompute=true`).",
    params(ConflictsQuery),
    responses(
        (status = 200, description = "The report, strongest first", body = model::views::ConflictReport),
        (status = 400, response = ErrorResponse),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
    ),
    security(("bearer" = []))
)]
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

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Pair {
    first: i32,
    second: i32,
}

/// Marks two points "not a conflict".
#[utoipa::path(
    post,
    path = "/api/v1/knowledge/conflicts/dismiss",
    tag = "health",
    summary = "Mark two points not a conflict (remembered)",
    description = "Needs role trainer+.",
    request_body = inline(Pair),
    responses(
        (status = 204, description = "Dismissed"),
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
pub async fn dismiss(
    State(services): State<Services>,
    Extension(principal): Extension<Principal>,
    ApiJson(pair): ApiJson<Pair>,
) -> Result<Response, ApiError> {
    health::conflicts::dismiss(&services.db, &principal.actor, pair.first, pair.second).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    keep: i32,
    absorb: i32,
}

/// Merges `absorb` into `keep`, published at once; answers with `keep` as it is now.
// Contract as documented: any object (the point's `PointDetail`).
#[utoipa::path(
    post,
    path = "/api/v1/knowledge/merge",
    tag = "health",
    summary = "Merge two published points",
    description = "Needs role reviewer+. `absorb`'s question and phrasings become phrasings of `keep`, which is published at once; `absorb` is archived, its history and asks kept. Refused (409) if either has a change waiting for review or is not published.",
    request_body = inline(MergeRequest),
    responses(
        (status = 200, description = "The point kept, as it is now", body = Object, content_type = "application/json"),
        (status = 400, response = ErrorResponse),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
        (status = 404, response = ErrorResponse),
        (status = 409, response = ErrorResponse),
        (status = 413, response = ErrorResponse),
        (status = 415, response = ErrorResponse),
        (status = 422, response = ErrorResponse),
    ),
    security(("bearer" = []))
)]
pub async fn merge(
    State(services): State<Services>,
    Extension(principal): Extension<Principal>,
    ApiJson(req): ApiJson<MergeRequest>,
) -> Result<Response, ApiError> {
    let kept = model::knowledge::merge::merge(&services.db, &principal.actor, req.keep, req.absorb).await?;
    services.knowledge_changed().await;
    Ok(Json(kept).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveRequest {
    text: String,
    to: i32,
}

/// Moves a phrasing of point `id` to point `to`; both are published at once.
#[utoipa::path(
    post,
    path = "/api/v1/knowledge/{id}/phrasings/move",
    tag = "health",
    summary = "Move a phrasing to another published point",
    description = "Needs role reviewer+. Both points are published with the change.",
    params(("id" = String, Path)),
    request_body = inline(MoveRequest),
    responses(
        (status = 204, description = "Moved"),
        (status = 400, response = ErrorResponse),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
        (status = 404, response = ErrorResponse),
        (status = 409, response = ErrorResponse),
        (status = 413, response = ErrorResponse),
        (status = 415, response = ErrorResponse),
        (status = 422, response = ErrorResponse),
    ),
    security(("bearer" = []))
)]
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

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DuplicatesQuery {
    question: String,
    except: Option<i32>,
}

/// The published points a question would be answered with: a near-duplicate warning before a
/// point is created.
#[utoipa::path(
    get,
    path = "/api/v1/knowledge/duplicates",
    tag = "health",
    summary = "Published points a question would be answered with (a near-duplicate warning)",
    description = "Needs role trainer+. At most 3, those the bot would answer the question with outright; `except` leaves out the point being edited.",
    params(DuplicatesQuery),
    responses(
        (status = 200, description = "Near-duplicates, best first", body = Vec<model::views::NearDuplicate>),
        (status = 400, response = ErrorResponse),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
        (status = 422, response = ErrorResponse),
        (status = 500, response = ErrorResponse),
        (status = 503, response = ErrorResponse),
    ),
    security(("bearer" = []))
)]
pub async fn duplicates(
    State(services): State<Services>,
    query: Result<Query<DuplicatesQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query?;
    let found = health::near_duplicates(&services.matcher, &q.question, q.except).await?;
    Ok(Json(found).into_response())
}
