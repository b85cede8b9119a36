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

use super::error::{ApiError, ErrorResponse};
use super::json::ApiJson;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    #[serde(default)]
    #[param(inline, default = "open")]
    status: StatusFilter,
    #[param(minimum = 1, maximum = 200, default = 20)]
    limit: Option<u64>,
    #[serde(default)]
    #[param(minimum = 0, default = 0)]
    offset: u64,
    /// `all`, or how many questions per group (default 10).
    members: Option<String>,
    channel: Option<String>,
    // Contract as documented: one of the signals (the handler takes any text).
    #[param(value_type = Option<model::views::Signal>, inline)]
    signal: Option<String>,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    q: Option<String>,
    /// impact (default): reports weighed by age; cost: also by what their signal costs
    /// ([inbox_costs] in the configuration; handoffs 3, 👎 2, others 1 by default)
    #[serde(default)]
    #[param(inline)]
    rank: Rank,
    /// Only questions in this language: zh (at least half the letters Chinese characters), en
    /// (the others)
    #[param(inline)]
    language: Option<Language>,
}

/// Questions shown per group unless `members=` says otherwise.
const MEMBERS: usize = 10;

#[utoipa::path(
    get,
    path = "/api/v1/clusters",
    tag = "inbox",
    summary = "The miss inbox: groups of failed questions, highest impact first",
    description = "Needs role trainer+. Impact weighs each report by age: 3 in the last 24 h, 1 in the 7 days before, 0.25 older. Channel, signal, since and until restrict which reports count; q keeps groups with a question containing the text.",
    params(ListQuery),
    responses(
        (status = 200, description = "One page of groups", body = model::views::ClusterPage),
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

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RebuildQuery {
    #[serde(default)]
    #[param(default = false)]
    wait: bool,
}

/// With `wait=true` answers when the regrouping is done; otherwise starts it and answers 202.
// Contract as documented: the 202 has no body (the handler sends `{"started": true}`).
#[utoipa::path(
    post,
    path = "/api/v1/clusters/rebuild",
    tag = "inbox",
    summary = "Regroup all open misses (one instance at a time: 409 while another runs it)",
    description = "Needs role trainer+. Groups that survive keep their id.",
    params(RebuildQuery),
    responses(
        (status = 200, description = "Done (wait=true)", body = inline(model::views::RegroupReport)),
        (status = 202, description = "Started (wait=false)"),
        (status = 400, response = ErrorResponse),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
        (status = 409, response = ErrorResponse),
    ),
    security(("bearer" = []))
)]
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

#[utoipa::path(
    post,
    path = "/api/v1/clusters/{id}/resolve",
    tag = "inbox",
    summary = "One trainer decision on a group: link, create or dismiss",
    description = "Needs role trainer+. Link and create save a draft and submit it for review; the decided questions leave the inbox. Dismissed questions asked again are only counted.",
    params(("id" = String, Path)),
    request_body = Decision,
    responses(
        (status = 200, description = "Decided", body = inline(model::views::Resolution)),
        (status = 400, response = ErrorResponse),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
        (status = 404, response = ErrorResponse),
        (status = 409, response = ErrorResponse),
        (status = 415, response = ErrorResponse),
        (status = 422, response = ErrorResponse),
    ),
    security(("bearer" = []))
)]
pub async fn resolve(
    State(services): State<Services>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    ApiJson(decision): ApiJson<Decision>,
) -> Result<Response, ApiError> {
    Ok(Json(services.inbox.resolve(&principal.actor, &id, decision).await?).into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/decisions/{id}/undo",
    tag = "inbox",
    summary = "Undo an inbox decision until its knowledge is published",
    description = "Needs role trainer+ (the decision's author, or a reviewer+). The questions return to the inbox (their group reopens if the decision closed it); the draft the decision wrote is taken back (a point it created is archived unseen). 409 once the knowledge was published or edited since, or when undone already.",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "Undone", body = inline(model::views::Undone)),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
        (status = 404, response = ErrorResponse),
        (status = 409, response = ErrorResponse),
    ),
    security(("bearer" = []))
)]
pub async fn undo(
    State(services): State<Services>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(services.inbox.undo(&principal.actor, &id).await?).into_response())
}
