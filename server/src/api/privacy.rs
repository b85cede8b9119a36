//! One customer's data, by the session id their bot sent (admin): `GET
//! /api/v1/privacy/sessions/{id}` exports it, `POST /api/v1/privacy/sessions/{id}/erase`
//! deletes it everywhere. Both are written to the audit log.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use model::accounts::Principal;
use model::Services;

use super::error::ApiError;

pub async fn export(
    State(services): State<Services>,
    Extension(principal): Extension<Principal>,
    Path(session_id): Path<String>,
) -> Result<Response, ApiError> {
    let data = model::privacy::sessions::export(&services.db, &principal.actor, &session_id).await?;
    Ok(Json(data).into_response())
}

pub async fn erase(
    State(services): State<Services>,
    Extension(principal): Extension<Principal>,
    Path(session_id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(services.erase_session(&principal.actor, &session_id).await?).into_response())
}
