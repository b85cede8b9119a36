//! The model's versions and training runs: `GET /api/v1/model` (supervisor+), `POST
//! /api/v1/model/train` and `POST /api/v1/model/use` (admin).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use model::learning::TrainOptions;
use model::Services;
use serde::Deserialize;

use super::error::ApiError;
use super::json::ApiJson;

pub async fn overview(State(services): State<Services>) -> Result<Response, ApiError> {
    Ok(Json(services.model_overview().await?).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainRequest {
    #[serde(default)]
    epochs: Option<usize>,
    /// Answer when the run is over (with its version) instead of 202 at once.
    #[serde(default)]
    wait: bool,
}

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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UseRequest {
    version: i32,
}

pub async fn use_version(
    State(services): State<Services>,
    ApiJson(req): ApiJson<UseRequest>,
) -> Result<Response, ApiError> {
    services.use_model_version(req.version).await?;
    Ok(Json(services.model_overview().await?).into_response())
}
