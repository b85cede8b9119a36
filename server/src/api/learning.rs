//! The model's versions and training runs: `GET /api/v1/model` (supervisor+), `POST
//! /api/v1/model/train` and `POST /api/v1/model/use` (admin).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use model::learning::TrainOptions;
use model::Services;
use serde::Deserialize;

use super::error::{ApiError, ErrorResponse};
use super::json::ApiJson;

#[utoipa::path(
    get,
    path = "/api/v1/model",
    tag = "model",
    summary = "The model serving, its trained versions with their held-out scores, and the training run under way",
    description = "Needs role supervisor+. Version 0 is the base model as shipped.",
    responses(
        (status = 200, description = "The overview", body = inline(model::views::ModelOverview)),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
    ),
    security(("bearer" = []))
)]
pub async fn overview(State(services): State<Services>) -> Result<Response, ApiError> {
    Ok(Json(services.model_overview().await?).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainRequest {
    #[serde(default)]
    #[schema(minimum = 1, maximum = 100)]
    epochs: Option<usize>,
    /// Answer when the run is over (with its version) instead of 202 at once.
    #[serde(default)]
    wait: bool,
}

/// `{"started": true}`, a run started in the background (202).
// For the OpenAPI document only: the handler writes the body with `json!`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct Started {
    started: bool,
}

#[utoipa::path(
    post,
    path = "/api/v1/model/train",
    tag = "model",
    summary = "Train the model on the published knowledge; promoted only if better on held-out phrasings",
    description = "Needs role admin. One run at a time across instances (409 otherwise). Without wait, 202 and the run goes on in the background (progress in GET /api/v1/model).",
    request_body = inline(TrainRequest),
    responses(
        (status = 200, description = "The run's version, promoted or refused (wait=true)", body = model::views::ModelVersion),
        (status = 202, description = "Started", body = inline(Started)),
        (status = 400, response = ErrorResponse),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
        (status = 409, response = ErrorResponse),
        (status = 413, response = ErrorResponse),
        (status = 415, response = ErrorResponse),
        (status = 422, response = ErrorResponse),
    ),
    security(("bearer" = []))
)]
pub async fn train(
    State(services): State<Services>,
    ApiJson(req): ApiJson<TrainRequest>,
) -> Result<Response, ApiError> {
    let options =
        TrainOptions { epochs: req.epochs.unwrap_or(TrainOptions::default().epochs), ..Default::default() };
    if req.wait {
        return Ok(Json(services.learn(options).await?).into_response());
    }
    services.start_learning(options).await?;
    Ok((StatusCode::ACCEPTED, Json(serde_json::json!({ "started": true }))).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UseRequest {
    #[schema(minimum = 0)]
    version: i32,
}

// Contract as documented: any object (the `ModelOverview` after the change).
#[utoipa::path(
    post,
    path = "/api/v1/model/use",
    tag = "model",
    summary = "Serve a trained version (0: the base model) on every instance: a rollback",
    description = "Needs role admin. A version the promotion guard refused never serves (409).",
    request_body = inline(UseRequest),
    responses(
        (status = 200, description = "The overview after the change", body = Object, content_type = "application/json"),
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
pub async fn use_version(
    State(services): State<Services>,
    ApiJson(req): ApiJson<UseRequest>,
) -> Result<Response, ApiError> {
    services.use_model_version(req.version).await?;
    Ok(Json(services.model_overview().await?).into_response())
}
