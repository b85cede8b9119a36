//! What every server function starts from: the shared services, the caller the access check
//! found, and turning domain errors into what the browser may see. Server-only.

use leptos::prelude::*;
use model::accounts::Principal;
use model::errors::{ErrorKind, Kind, Problem};
use model::views::Actor;

use crate::errors::AppError;

pub fn services() -> Result<model::Services, AppError> {
    use_context::<model::Services>().ok_or_else(|| {
        tracing::error!("server state is missing from the request context");
        internal()
    })
}

/// The caller the server's access check found, if any.
pub fn principal() -> Option<Principal> {
    use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<Principal>().cloned())
}

/// The acting user; the access rules let no anonymous call reach a guarded function, so a
/// missing one is refused here too rather than trusted.
pub fn actor() -> Result<Actor, AppError> {
    principal().map(|p| p.actor).ok_or_else(|| refuse(Problem::SignIn))
}

/// A domain error as the browser sees it: a refusal as its typed problem (the page words it
/// in the user's language); our own failures (database, model) only as internal — the cause
/// may hold SQL or data, so it goes to the server log. The HTTP status follows the kind.
pub fn fail<E: Kind + std::fmt::Display>(e: E) -> AppError {
    match e.problem() {
        Some(p) => refuse(p.clone()),
        None if e.kind() == ErrorKind::Internal => {
            tracing::error!(error = %e, "server function failed");
            internal()
        }
        None => {
            set_status(e.kind());
            AppError { code: e.kind(), message: e.to_string(), problem: None }
        }
    }
}

/// A refusal decided here rather than in a service.
pub fn refuse(p: Problem) -> AppError {
    set_status(p.kind());
    p.into()
}

fn internal() -> AppError {
    set_status(ErrorKind::Internal);
    AppError {
        code: ErrorKind::Internal,
        message: "internal error; the server log has the cause".into(),
        problem: None,
    }
}

fn set_status(kind: ErrorKind) {
    let status = http::StatusCode::from_u16(kind.http_status()).expect("a valid status");
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
}
