//! A JSON body extractor whose rejections speak the API's error format.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use super::error::ApiError;

pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(r) => Err(match &r {
                // Valid JSON of the wrong shape: a missing field, a wrong type, an unknown field.
                JsonRejection::JsonDataError(_) => {
                    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", r.body_text())
                }
                JsonRejection::MissingJsonContentType(_) => {
                    ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", r.body_text())
                }
                _ if r.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", r.body_text())
                }
                _ => ApiError::bad_request(r.body_text()),
            }),
        }
    }
}
