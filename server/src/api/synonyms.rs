//! The synonym dictionary over HTTP: `GET /api/v1/synonyms` (entries with their pending
//! drafts), `POST /api/v1/synonyms` (propose a draft), `POST /api/v1/synonyms/drafts/{id}/discard`,
//! `POST /api/v1/synonyms/publish` (a reviewer puts drafts live; the model moves to them in the
//! background), `GET /api/v1/synonyms/export` and `POST /api/v1/synonyms/import` (CSV),
//! `GET /api/v1/synonyms/suggestions`.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use model::accounts::Principal;
use model::synonyms;
use model::views::SynonymProposal;
use model::Services;
use serde::Deserialize;

use super::error::ApiError;
use super::json::ApiJson;

pub async fn list(State(services): State<Services>) -> Result<Response, ApiError> {
    Ok(Json(synonyms::list(&services.db).await?).into_response())
}

pub async fn propose(
    State(services): State<Services>,
    Extension(principal): Extension<Principal>,
    ApiJson(proposal): ApiJson<SynonymProposal>,
) -> Result<Response, ApiError> {
    let item = synonyms::propose(&services.db, &principal.actor, proposal).await?;
    Ok((StatusCode::CREATED, Json(item)).into_response())
}

pub async fn discard(
    State(services): State<Services>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: i32 = id.parse().map_err(|_| model::views::Problem::NotAnId {
        thing: model::views::Thing::Synonym,
        value: id.clone(),
    })?;
    synonyms::discard(&services.db, &principal.actor, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishRequest {
    /// The drafts to publish; all of them when left out or empty.
    #[serde(default)]
    ids: Vec<i32>,
}

pub async fn publish(
    State(services): State<Services>,
    Extension(principal): Extension<Principal>,
    ApiJson(req): ApiJson<PublishRequest>,
) -> Result<Response, ApiError> {
    let published = synonyms::publish(&services.db, &principal.actor, &req.ids).await?;
    services.follow_synonyms_soon();
    Ok(Json(published).into_response())
}

pub async fn export(State(services): State<Services>) -> Result<Response, ApiError> {
    let csv = synonyms::transfer::export_csv(&services.db).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"synonyms.csv\""),
        ],
        csv,
    )
        .into_response())
}

pub async fn import(
    State(services): State<Services>,
    Extension(principal): Extension<Principal>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body?;
    let text = std::str::from_utf8(&body).map_err(|_| ApiError::bad_request("the CSV file is not UTF-8"))?;
    if text.trim().is_empty() {
        return Err(ApiError::bad_request(
            "the body is empty: send a CSV file with the columns canonical,variants",
        ));
    }
    let report = synonyms::transfer::import_csv(&services.db, &principal.actor, text).await?;
    Ok(Json(report).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuggestionsQuery {
    #[serde(default = "twenty")]
    limit: usize,
    /// Only suggestions that mention this text.
    q: Option<String>,
}

fn twenty() -> usize {
    20
}

pub async fn suggestions(
    State(services): State<Services>,
    query: Result<Query<SuggestionsQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query?;
    if !(1..=200).contains(&q.limit) {
        return Err(model::views::Problem::Limit { max: 200 }.into());
    }
    Ok(Json(synonyms::suggestions::suggest(&services.db, q.limit, q.q.as_deref()).await?).into_response())
}
