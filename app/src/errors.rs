//! The one error every server function returns. A refusal travels as its typed [`Problem`]
//! (`{"code": ..., <its values>}`) beside the English `message`, so the page can word it in the
//! user's language (`refusals.rs`); anything else is only its kind — our own failures never
//! show their cause (it is in the server log).

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use model::views::{ErrorKind, Problem};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppError {
    pub code: ErrorKind,
    /// English, as the HTTP API and the log say it.
    pub message: String,
    #[serde(default)]
    pub problem: Option<Problem>,
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AppError {}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// The framework's own failures: a request that could not be sent, read or answered.
    fn from_server_fn_error(e: ServerFnErrorErr) -> Self {
        let code = match e {
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => ErrorKind::Invalid,
            _ => ErrorKind::Internal,
        };
        AppError { code, message: e.to_string(), problem: None }
    }
}

impl From<Problem> for AppError {
    fn from(p: Problem) -> Self {
        AppError { code: p.kind(), message: p.to_string(), problem: Some(p) }
    }
}
