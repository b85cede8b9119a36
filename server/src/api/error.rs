//! The one place where domain errors become HTTP statuses and the JSON error body of the API
//! contract: `{"error": {"code": "...", "message": "..."}}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use model::accounts::AccountError;
use model::idempotency::IdempotencyError;
use model::inbox::InboxError;
use model::knowledge::KnowledgeError;
use model::matching::MatchError;
use model::metrics::MetricsError;
use model::publishing::PublishError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// A field beside `error` for the caller to act on (the regressions that blocked a publish).
    pub detail: Option<(&'static str, serde_json::Value)>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), detail: None }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message)
    }

    pub fn storage(e: model::storage::StorageError) -> Self {
        Self::internal(&e)
    }

    fn internal(error: &dyn std::error::Error) -> Self {
        // The cause goes to the log; the caller learns only that it was not their fault.
        tracing::error!(error = %error, "request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error; the server log has the cause",
        )
    }
}

impl From<KnowledgeError> for ApiError {
    fn from(e: KnowledgeError) -> Self {
        match e {
            KnowledgeError::Invalid(m) => Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", m),
            KnowledgeError::NotFound(_) => Self::new(StatusCode::NOT_FOUND, "not_found", e.to_string()),
            KnowledgeError::Conflict(m) => Self::new(StatusCode::CONFLICT, "conflict", m),
            KnowledgeError::Forbidden(m) => Self::forbidden(m),
            KnowledgeError::Storage(ref s) => Self::internal(s),
        }
    }
}

impl From<MatchError> for ApiError {
    fn from(e: MatchError) -> Self {
        match e {
            MatchError::Invalid(m) => Self::invalid(m),
            MatchError::NotFound(_) => Self::new(StatusCode::NOT_FOUND, "not_found", e.to_string()),
            MatchError::Knowledge(k) => k.into(),
            MatchError::Idempotency(i) => i.into(),
            other => Self::internal(&other),
        }
    }
}

impl From<IdempotencyError> for ApiError {
    fn from(e: IdempotencyError) -> Self {
        match e {
            IdempotencyError::BadKey | IdempotencyError::Reused => Self::invalid(e.to_string()),
            IdempotencyError::Db(_) | IdempotencyError::Storage(_) => Self::internal(&e),
        }
    }
}

impl From<InboxError> for ApiError {
    fn from(e: InboxError) -> Self {
        match e {
            InboxError::Invalid(m) => Self::invalid(m),
            InboxError::NotFound(m) => Self::new(StatusCode::NOT_FOUND, "not_found", m),
            InboxError::Conflict(m) => Self::new(StatusCode::CONFLICT, "conflict", m),
            InboxError::Knowledge(k) => k.into(),
            other => Self::internal(&other),
        }
    }
}

impl From<PublishError> for ApiError {
    fn from(e: PublishError) -> Self {
        match e {
            PublishError::Regressions(ref list) => {
                let mut err = Self::new(StatusCode::CONFLICT, "regressions", e.to_string());
                err.detail = Some(("regressions", serde_json::to_value(list).unwrap_or_default()));
                err
            }
            PublishError::Knowledge(k) => k.into(),
            other => Self::internal(&other),
        }
    }
}

impl From<MetricsError> for ApiError {
    fn from(e: MetricsError) -> Self {
        match e {
            MetricsError::Invalid(m) => Self::invalid(m),
            MetricsError::Knowledge(k) => k.into(),
            other => Self::internal(&other),
        }
    }
}

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Invalid(m) => Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", m),
            AccountError::UserExists(_) => Self::new(StatusCode::CONFLICT, "conflict", e.to_string()),
            other => Self::internal(&other),
        }
    }
}

impl From<axum::extract::rejection::BytesRejection> for ApiError {
    fn from(r: axum::extract::rejection::BytesRejection) -> Self {
        let status = r.status();
        let code = if status == StatusCode::PAYLOAD_TOO_LARGE { "too_large" } else { "bad_request" };
        Self::new(status, code, r.body_text())
    }
}

impl From<axum::extract::rejection::QueryRejection> for ApiError {
    fn from(r: axum::extract::rejection::QueryRejection) -> Self {
        Self::bad_request(r.body_text())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({ "error": { "code": self.code, "message": self.message } });
        if let Some((key, value)) = self.detail {
            body[key] = value;
        }
        (self.status, Json(body)).into_response()
    }
}
