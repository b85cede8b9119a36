//! Who an error is for. Every domain error is either a refusal — a [`Problem`] the caller can
//! act on (bad input, a missing or busy thing, a missing role) — or a failure of ours (a
//! database or model failure: its text may hold SQL, paths or data, so it goes to the log and
//! the caller hears only that it was not their fault). The HTTP API and the browser's server
//! functions both decide by [`Kind`].

use crate::accounts::AccountError;
use crate::idempotency::IdempotencyError;
use crate::inbox::InboxError;
use crate::knowledge::KnowledgeError;
use crate::learning::LearnError;
use crate::matching::MatchError;
use crate::metrics::MetricsError;
use crate::publishing::PublishError;
pub use crate::views::{ErrorKind, Problem};

pub trait Kind {
    fn kind(&self) -> ErrorKind;

    /// The refusal, when the error is one: what the caller is told, in their language.
    fn problem(&self) -> Option<&Problem> {
        None
    }
}

impl Kind for Problem {
    fn kind(&self) -> ErrorKind {
        Problem::kind(self)
    }

    fn problem(&self) -> Option<&Problem> {
        Some(self)
    }
}

impl Kind for KnowledgeError {
    fn kind(&self) -> ErrorKind {
        self.problem().map_or(ErrorKind::Internal, Problem::kind)
    }

    fn problem(&self) -> Option<&Problem> {
        match self {
            KnowledgeError::Refused(p) => Some(p),
            KnowledgeError::Export(_) | KnowledgeError::Storage(_) => None,
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
            MatchError::Knowledge(k) => k.kind(),
            MatchError::Idempotency(i) => i.kind(),
            MatchError::Journal(j) => j.kind(),
            _ => self.problem().map_or(ErrorKind::Internal, Problem::kind),
        }
    }

    fn problem(&self) -> Option<&Problem> {
        match self {
            MatchError::Refused(p) => Some(p),
            MatchError::Knowledge(k) => k.problem(),
            _ => None,
        }
    }
}

impl Kind for InboxError {
    fn kind(&self) -> ErrorKind {
        match self {
            InboxError::Knowledge(k) => k.kind(),
            InboxError::Matching(m) => m.kind(),
            _ => self.problem().map_or(ErrorKind::Internal, Problem::kind),
        }
    }

    fn problem(&self) -> Option<&Problem> {
        match self {
            InboxError::Refused(p) => Some(p),
            InboxError::Knowledge(k) => k.problem(),
            InboxError::Matching(m) => m.problem(),
            _ => None,
        }
    }
}

impl Kind for PublishError {
    fn kind(&self) -> ErrorKind {
        match self {
            PublishError::Regressions(_) => ErrorKind::Conflict,
            PublishError::Knowledge(k) => k.kind(),
            PublishError::TestSets(t) => t.kind(),
            PublishError::Embedding(_) | PublishError::Storage(_) | PublishError::Store(_) => {
                ErrorKind::Internal
            }
        }
    }

    fn problem(&self) -> Option<&Problem> {
        match self {
            PublishError::Knowledge(k) => k.problem(),
            PublishError::TestSets(t) => t.problem(),
            _ => None,
        }
    }
}

impl Kind for crate::testsets::TestSetError {
    fn kind(&self) -> ErrorKind {
        match self {
            crate::testsets::TestSetError::Matching(m) => m.kind(),
            _ => self.problem().map_or(ErrorKind::Internal, Problem::kind),
        }
    }

    fn problem(&self) -> Option<&Problem> {
        match self {
            crate::testsets::TestSetError::Refused(p) => Some(p),
            crate::testsets::TestSetError::Matching(m) => m.problem(),
            crate::testsets::TestSetError::Storage(_) => None,
        }
    }
}

impl Kind for MetricsError {
    fn kind(&self) -> ErrorKind {
        match self {
            MetricsError::Knowledge(k) => k.kind(),
            _ => self.problem().map_or(ErrorKind::Internal, Problem::kind),
        }
    }

    fn problem(&self) -> Option<&Problem> {
        match self {
            MetricsError::Refused(p) => Some(p),
            MetricsError::Knowledge(k) => k.problem(),
            _ => None,
        }
    }
}

impl Kind for AccountError {
    fn kind(&self) -> ErrorKind {
        self.problem().map_or(ErrorKind::Internal, Problem::kind)
    }

    fn problem(&self) -> Option<&Problem> {
        match self {
            AccountError::Refused(p) => Some(p),
            _ => None,
        }
    }
}

impl Kind for LearnError {
    fn kind(&self) -> ErrorKind {
        self.problem().map_or(ErrorKind::Internal, Problem::kind)
    }

    fn problem(&self) -> Option<&Problem> {
        match self {
            LearnError::Refused(p) => Some(p),
            LearnError::Knowledge(k) => k.problem(),
            _ => None,
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

impl Kind for crate::privacy::PrivacyError {
    fn kind(&self) -> ErrorKind {
        self.problem().map_or(ErrorKind::Internal, Problem::kind)
    }

    fn problem(&self) -> Option<&Problem> {
        match self {
            crate::privacy::PrivacyError::Refused(p) => Some(p),
            crate::privacy::PrivacyError::Storage(_) => None,
        }
    }
}
