//! Who an error is for. Every domain error says whether its message is for the caller (bad
//! input, a missing or busy thing, a missing role: they can act on it) or for the operator (a
//! database or model failure: its text may hold SQL, paths or data, so it goes to the log and
//! the caller hears only that it was not their fault). The HTTP API and the browser's server
//! functions both decide by this.

use crate::accounts::AccountError;
use crate::idempotency::IdempotencyError;
use crate::inbox::InboxError;
use crate::knowledge::KnowledgeError;
use crate::matching::MatchError;
use crate::metrics::MetricsError;
use crate::publishing::PublishError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Invalid,
    NotFound,
    Conflict,
    Forbidden,
    /// Ours, not the caller's: logged, never shown.
    Internal,
}

pub trait Kind {
    fn kind(&self) -> ErrorKind;
}

impl Kind for KnowledgeError {
    fn kind(&self) -> ErrorKind {
        match self {
            KnowledgeError::Invalid(_) => ErrorKind::Invalid,
            KnowledgeError::NotFound(_) => ErrorKind::NotFound,
            KnowledgeError::Conflict(_) => ErrorKind::Conflict,
            KnowledgeError::Forbidden(_) => ErrorKind::Forbidden,
            KnowledgeError::Storage(_) => ErrorKind::Internal,
        }
    }
}

impl Kind for IdempotencyError {
    fn kind(&self) -> ErrorKind {
        match self {
            IdempotencyError::BadKey | IdempotencyError::Reused => ErrorKind::Invalid,
            IdempotencyError::Db(_) | IdempotencyError::Storage(_) => ErrorKind::Internal,
        }
    }
}

impl Kind for MatchError {
    fn kind(&self) -> ErrorKind {
        match self {
            MatchError::Invalid(_) => ErrorKind::Invalid,
            MatchError::NotFound(_) => ErrorKind::NotFound,
            MatchError::Knowledge(k) => k.kind(),
            MatchError::Idempotency(i) => i.kind(),
            MatchError::Internal(_)
            | MatchError::Cache(_)
            | MatchError::Embed(_)
            | MatchError::Storage(_) => ErrorKind::Internal,
        }
    }
}

impl Kind for InboxError {
    fn kind(&self) -> ErrorKind {
        match self {
            InboxError::Invalid(_) => ErrorKind::Invalid,
            InboxError::NotFound(_) => ErrorKind::NotFound,
            InboxError::Conflict(_) => ErrorKind::Conflict,
            InboxError::Knowledge(k) => k.kind(),
            InboxError::Matching(m) => m.kind(),
            InboxError::Embedding(_)
            | InboxError::Storage(_)
            | InboxError::Meta(_)
            | InboxError::Internal(_) => ErrorKind::Internal,
        }
    }
}

impl Kind for PublishError {
    fn kind(&self) -> ErrorKind {
        match self {
            PublishError::Regressions(_) => ErrorKind::Conflict,
            PublishError::Knowledge(k) => k.kind(),
            PublishError::Embedding(_) | PublishError::Storage(_) | PublishError::Store(_) => {
                ErrorKind::Internal
            }
        }
    }
}

impl Kind for MetricsError {
    fn kind(&self) -> ErrorKind {
        match self {
            MetricsError::Invalid(_) => ErrorKind::Invalid,
            MetricsError::Knowledge(k) => k.kind(),
            MetricsError::Storage(_) => ErrorKind::Internal,
        }
    }
}

impl Kind for AccountError {
    fn kind(&self) -> ErrorKind {
        match self {
            AccountError::Invalid(_) | AccountError::Role(_) => ErrorKind::Invalid,
            AccountError::UserExists(_) => ErrorKind::Conflict,
            AccountError::Hash(_) | AccountError::Random(_) | AccountError::Storage(_) => ErrorKind::Internal,
        }
    }
}

impl Kind for crate::storage::StorageError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Internal
    }
}

impl Kind for sea_orm::DbErr {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Internal
    }
}
