//! Accounts: users who sign in to the browser and API tokens for bots and scripts. Each has
//! one role; roles are ordered, and a higher role may do what a lower one may.

pub mod sessions;
pub mod throttle;
pub mod tokens;
pub mod users;

use crate::storage::StorageError;
use crate::views::Problem;
pub use crate::views::{Actor, Role, UnknownState};

/// What the web layer knows of a request's connection, for sign-in: where it comes from (for
/// the per-address throttle) and whether cookies must be `Secure` (served over TLS).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientInfo {
    pub address: Option<String>,
    pub secure_cookies: bool,
}

/// Who made a request, as the server's access check found it; handlers and server functions
/// read it from the request's extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub actor: Actor,
    /// Set for a signed-in browser user, `None` for an API token.
    pub user_id: Option<i32>,
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Refused(#[from] crate::views::Problem),
    #[error("cannot hash the password: {0}")]
    Hash(String),
    #[error("cannot read random bytes for a token: {0}")]
    Random(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<UnknownState> for AccountError {
    fn from(e: UnknownState) -> Self {
        AccountError::Refused(e.into())
    }
}

impl From<sea_orm::DbErr> for AccountError {
    fn from(e: sea_orm::DbErr) -> Self {
        AccountError::Storage(StorageError::Db(e))
    }
}

/// A name for a user or token: 1 to 64 characters, no surrounding spaces, no control characters.
fn check_name(name: &str) -> Result<(), AccountError> {
    let ok = !name.is_empty()
        && name.chars().count() <= 64
        && name.trim() == name
        && !name.chars().any(char::is_control);
    if ok {
        Ok(())
    } else {
        Err(Problem::UserName { name: name.to_string() }.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_and_order() {
        assert_eq!("reviewer".parse::<Role>().unwrap(), Role::Reviewer);
        assert!("root".parse::<Role>().unwrap_err().to_string().contains("one of bot"));
        assert!(Role::Admin.includes(Role::Trainer));
        assert!(Role::Reviewer.includes(Role::Reviewer));
        assert!(!Role::Trainer.includes(Role::Reviewer));
        assert!(!Role::Bot.includes(Role::Trainer));
    }

    #[test]
    fn names_are_checked() {
        assert!(check_name("王小明").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name(" alice").is_err());
        assert!(check_name("a\u{7}b").is_err());
        assert!(check_name(&"x".repeat(65)).is_err());
    }
}
