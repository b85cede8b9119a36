//! One customer's data, by the session id their bot sent (admin): `GET
//! /api/v1/privacy/sessions/{id}` exports it, `POST /api/v1/privacy/sessions/{id}/erase`
//! deletes it everywhere. Both are written to the audit log.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use model::accounts::Principal;
use model::Services;

use super::error::{ApiError, ErrorResponse};

#[utoipa::path(
    get,
    path = "/api/v1/privacy/sessions/{id}",
    tag = "privacy",
    summary = "Everything stored about one customer session (an access request)",
    description = "Needs role admin. Asks with their feedback, and miss reports, oldest first; an unknown session has empty lists. Written to the audit log.",
    params(("id" = String, Path, description = "The session id the bot sent with its asks and reports (1 to 200 characters).", min_length = 1, max_length = 200)),
    responses(
        (status = 200, description = "The session's data", body = model::views::SessionData),
        (status = 400, response = ErrorResponse),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
        (status = 404, response = ErrorResponse),
        (status = 422, response = ErrorResponse),
    ),
    security(("bearer" = []))
)]
pub async fn export(
    State(services): State<Services>,
    Extension(principal): Extension<Principal>,
    Path(session_id): Path<String>,
) -> Result<Response, ApiError> {
    let data = model::privacy::sessions::export(&services.db, &principal.actor, &session_id).await?;
    Ok(Json(data).into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/privacy/sessions/{id}/erase",
    tag = "privacy",
    summary = "Erase one customer session everywhere (an erasure request)",
    description = "Needs role admin. Deletes the session's asks, feedback and miss reports; a miss no other session reported is deleted with them, others count one report less. Written to the audit log. Repeating it erases nothing more.",
    params(("id" = String, Path, description = "The session id the bot sent with its asks and reports (1 to 200 characters).", min_length = 1, max_length = 200)),
    responses(
        (status = 200, description = "What was erased", body = model::views::Erased),
        (status = 400, response = ErrorResponse),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
        (status = 404, response = ErrorResponse),
        (status = 422, response = ErrorResponse),
    ),
    security(("bearer" = []))
)]
pub async fn erase(
    State(services): State<Services>,
    Extension(principal): Extension<Principal>,
    Path(session_id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(services.erase_session(&principal.actor, &session_id).await?).into_response())
}
