//! The one place where domain errors become HTTP statuses and the JSON error body of the API
//! contract: `{"error": {"code": "...", "message": "..."}}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use model::accounts::AccountError;
use model::errors::{ErrorKind, Kind, Problem};
use model::idempotency::IdempotencyError;
use model::inbox::InboxError;
use model::journal::JournalError;
use model::knowledge::KnowledgeError;
use model::learning::LearnError;
use model::matching::MatchError;
use model::metrics::MetricsError;
use model::privacy::PrivacyError;
use model::publishing::PublishError;
use model::testsets::TestSetError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// A field beside `error` for the caller to act on (the regressions that blocked a publish).
    /// Fields added to the body beside `error` (the regression lists of a refused publish).
    pub detail: Vec<(&'static str, serde_json::Value)>,
    /// Seconds for `Retry-After` (the bot is busy for a moment).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), detail: Vec::new(), retry_after: None }
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

impl ApiError {
    /// Any domain error: a refusal with its kind's status and its message; our own failures
    /// as `internal`, the cause logged.
    pub fn from_domain<E: Kind + std::error::Error>(e: &E) -> Self {
        let kind = e.kind();
        if kind == ErrorKind::Internal {
            return Self::internal(e);
        }
        // The kind's word is the contract's error code.
        let status = StatusCode::from_u16(kind.http_status()).expect("a valid status");
        let mut error = Self::new(status, kind.as_str(), e.to_string());
        error.retry_after = match e.problem() {
            Some(Problem::Busy { retry_after_s, .. }) => Some(*retry_after_s),
            Some(Problem::ModelTimedOut { .. }) => Some(1),
            _ => None,
        };
        error
    }
}

/// `?` on a domain result in a handler: one mapping for every domain.
macro_rules! from_domain {
    ($($error:ty),+) => {$(
        impl From<$error> for ApiError {
            fn from(e: $error) -> Self {
                Self::from_domain(&e)
            }
        }
    )+};
}

from_domain!(
    KnowledgeError,
    MatchError,
    IdempotencyError,
    JournalError,
    InboxError,
    MetricsError,
    AccountError,
    LearnError,
    PrivacyError,
    TestSetError,
    Problem
);

impl From<PublishError> for ApiError {
    fn from(e: PublishError) -> Self {
        let mut err = Self::from_domain(&e);
        if let PublishError::Regressions(check) = &e {
            err.code = "regressions";
            err.detail = vec![
                ("regressions", serde_json::to_value(&check.regressions).unwrap_or_default()),
                ("test_regressions", serde_json::to_value(&check.test_regressions).unwrap_or_default()),
            ];
        }
        err
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
        for (key, value) in self.detail {
            body[key] = value;
        }
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

/// The body of every error: `{"error": {"code": "...", "message": "..."}}`.
// For the OpenAPI document only: `IntoResponse for ApiError` writes the body.
#[derive(utoipa::ToSchema)]
#[schema(as = Error)]
#[allow(dead_code)]
pub struct ErrorBody {
    #[schema(inline)]
    error: ErrorCode,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct ErrorCode {
    code: String,
    message: String,
}

/// `components.responses.Error`: any refusal, with the error body.
pub struct ErrorResponse;

impl<'r> utoipa::ToResponse<'r> for ErrorResponse {
    fn response() -> (&'r str, utoipa::openapi::RefOr<utoipa::openapi::Response>) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let response = ResponseBuilder::new().description("An error").content(
            "application/json",
            ContentBuilder::new().schema(Some(Ref::from_schema_name("Error"))).build(),
        );
        ("Error", response.into())
    }
}

/// `components.responses.Busy`: the bot is at capacity (`Problem::Busy`, `Problem::ModelTimedOut`).
pub struct BusyResponse;

impl<'r> utoipa::ToResponse<'r> for BusyResponse {
    fn response() -> (&'r str, utoipa::openapi::RefOr<utoipa::openapi::Response>) {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        use utoipa::openapi::{ContentBuilder, HeaderBuilder, Ref, ResponseBuilder};
        let retry_after = HeaderBuilder::new()
            .schema(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1)))
            .description(Some("Seconds to wait before asking again"))
            .build();
        let response = ResponseBuilder::new()
            .description(
                "The bot is at capacity: more questions wait for the model than the queue holds \
                 (`[batching] queue`), or the model took longer than `[batching] timeout_ms` on this \
                 question's batch. Nothing was logged; ask again after `Retry-After` seconds. Error \
                 code `busy`.",
            )
            .header("Retry-After", retry_after)
            .content(
                "application/json",
                ContentBuilder::new().schema(Some(Ref::from_schema_name("Error"))).build(),
            );
        ("Busy", response.into())
    }
}
