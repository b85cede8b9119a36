//! Server functions of the Model page: the same as `GET /api/v1/model`, `POST
//! /api/v1/model/train` and `POST /api/v1/model/use`.

use crate::errors::AppError;
#[cfg(feature = "ssr")]
use crate::server::{fail, services};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use model::views::ModelOverview;

#[server(endpoint = "model_overview", input = Json)]
pub async fn load_model_overview() -> Result<ModelOverview, AppError> {
    services()?.model_overview().await.map_err(fail)
}

/// Starts a run in the background; its progress comes with the overview.
#[server(endpoint = "train_model", input = Json)]
pub async fn train_model(epochs: usize) -> Result<(), AppError> {
    let options = model::learning::TrainOptions { epochs, ..Default::default() };
    services()?.start_learning(options).await.map_err(fail)
}

/// Serves `version` (0: the base model) on every instance.
#[server(endpoint = "use_model_version", input = Json)]
pub async fn use_model_version(version: i32) -> Result<(), AppError> {
    services()?.use_model_version(version).await.map_err(fail)
}
