//! What every server function starts from: the shared services, the caller the access check
//! found, and turning domain errors into what the browser may see. Server-only.

use leptos::prelude::*;
use model::accounts::Principal;
use model::errors::{ErrorKind, Kind};
use model::views::Actor;

pub fn services() -> Result<model::Services, ServerFnError> {
    use_context::<model::Services>()
        .ok_or_else(|| ServerFnError::new("server state is missing from the request context"))
}

/// The caller the server's access check found, if any.
pub fn principal() -> Option<Principal> {
    use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<Principal>().cloned())
}

/// The acting user; the access rules let no anonymous call reach a guarded function, so a
/// missing one is refused here too rather than trusted.
pub fn actor() -> Result<Actor, ServerFnError> {
    principal().map(|p| p.actor).ok_or_else(|| ServerFnError::new("sign in first"))
}

/// A domain error as the browser sees it: the message when it is the user's to act on;
/// for our own failures (database, model) only that it was not theirs — the cause may hold
/// SQL or data, so it goes to the server log.
pub fn fail<E: Kind + std::fmt::Display>(e: E) -> ServerFnError {
    if e.kind() == ErrorKind::Internal {
        tracing::error!(error = %e, "server function failed");
        return ServerFnError::new("internal error; the server log has the cause");
    }
    ServerFnError::new(e.to_string())
}
