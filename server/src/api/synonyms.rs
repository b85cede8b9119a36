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

use super::error::{ApiError, ErrorResponse};
use super::json::ApiJson;

#[utoipa::path(
    get,
    path = "/api/v1/synonyms",
    tag = "synonyms",
    summary = "The synonym dictionary: published entries with their pending drafts, then new entries",
    description = "Needs role trainer+.",
    responses(
        (status = 200, description = "Every entry", body = Vec<model::views::SynonymItem>),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
    ),
    security(("bearer" = []))
)]
pub async fn list(State(services): State<Services>) -> Result<Response, ApiError> {
    Ok(Json(synonyms::list(&services.db).await?).into_response())
}

/// A proposal as the contract documents it: the derived schema of [`SynonymProposal`] with
/// unknown fields refused.
// Contract as documented: `SynonymProposal` does not refuse unknown fields (they are ignored).
pub struct ProposalBody;

impl utoipa::PartialSchema for ProposalBody {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AdditionalProperties, Schema};
        use utoipa::openapi::RefOr;
        let mut schema = <SynonymProposal as utoipa::PartialSchema>::schema();
        if let RefOr::T(Schema::Object(object)) = &mut schema {
            object.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
        }
        schema
    }
}

impl utoipa::ToSchema for ProposalBody {}

#[utoipa::path(
    post,
    path = "/api/v1/synonyms",
    tag = "synonyms",
    summary = "Propose a synonym entry, a change to entry `id`, or its removal, for review",
    description = "Needs role trainer+. Replaces the entry's pending draft. A term (canonical or variant) belongs to one entry only, counting pending drafts (422 `synonym_taken`). Latin terms match whole words, Chinese ones inside text.",
    request_body = inline(ProposalBody),
    responses(
        (status = 201, description = "The entry with its draft", body = model::views::SynonymItem),
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
pub async fn propose(
    State(services): State<Services>,
    Extension(principal): Extension<Principal>,
    ApiJson(proposal): ApiJson<SynonymProposal>,
) -> Result<Response, ApiError> {
    let item = synonyms::propose(&services.db, &principal.actor, proposal).await?;
    Ok((StatusCode::CREATED, Json(item)).into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/synonyms/drafts/{id}/discard",
    tag = "synonyms",
    summary = "Drop a pending synonym draft",
    description = "Needs role trainer+ (another trainer's draft: reviewer+).",
    params(("id" = String, Path)),
    responses(
        (status = 204, description = "Dropped"),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
        (status = 404, response = ErrorResponse),
        (status = 422, response = ErrorResponse),
    ),
    security(("bearer" = []))
)]
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

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishRequest {
    /// The drafts to publish; all of them when left out or empty.
    #[serde(default)]
    ids: Vec<i32>,
}

#[utoipa::path(
    post,
    path = "/api/v1/synonyms/publish",
    tag = "synonyms",
    summary = "Publish pending synonym drafts",
    description = "Needs role reviewer+. Publishes the drafts `ids` (all of them when empty or left out). The texts the new dictionary rewrites are embedded in the background, then every instance serves it (within 5 s); progress on the status page.",
    request_body = inline(PublishRequest),
    responses(
        (status = 200, description = "What was published", body = inline(model::views::SynonymsPublished)),
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
pub async fn publish(
    State(services): State<Services>,
    Extension(principal): Extension<Principal>,
    ApiJson(req): ApiJson<PublishRequest>,
) -> Result<Response, ApiError> {
    let published = synonyms::publish(&services.db, &principal.actor, &req.ids).await?;
    services.follow_synonyms_soon();
    Ok(Json(published).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/synonyms/export",
    tag = "synonyms",
    summary = "The published synonyms as CSV",
    description = "Needs role trainer+. Header canonical,variants; variants separated by |.",
    responses(
        (status = 200, description = "CSV", body = String, content_type = "text/csv"),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
    ),
    security(("bearer" = []))
)]
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

#[utoipa::path(
    post,
    path = "/api/v1/synonyms/import",
    tag = "synonyms",
    summary = "Propose the entries of a CSV file for review",
    description = "Needs role trainer+. Header canonical,variants; variants separated by |. A known canonical term replaces that entry's variants. With any line in error nothing is proposed and `errors` lists the lines.",
    request_body(content = String, content_type = "text/csv"),
    responses(
        (status = 200, description = "What was proposed, and the refused lines", body = model::views::ImportReport),
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

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SuggestionsQuery {
    #[serde(default = "twenty")]
    #[param(minimum = 1, maximum = 200, default = 20)]
    limit: usize,
    /// Only suggestions that mention this text.
    q: Option<String>,
}

fn twenty() -> usize {
    20
}

#[utoipa::path(
    get,
    path = "/api/v1/synonyms/suggestions",
    tag = "synonyms",
    summary = "Words worth a synonym entry, with their evidence",
    description = "Needs role trainer+. Variant pairs (two texts of one point differing by one word; `canonical` named) first, then words of open misses no published text contains.",
    params(SuggestionsQuery),
    responses(
        (status = 200, description = "Suggestions", body = inline(Vec<model::views::SynonymSuggestion>)),
        (status = 400, response = ErrorResponse),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
        (status = 422, response = ErrorResponse),
    ),
    security(("bearer" = []))
)]
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
