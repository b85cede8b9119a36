//! Retried requests answered once (`Idempotency-Key`): a bot that lost the answer to `/ask` or
//! `/misses` sends the same request with the same key, and gets the first answer again instead of
//! the miss being counted twice. The key is stored in the transaction of the write it guards, so
//! "written" and "remembered" are one fact; keys are honoured for [`KEEP_HOURS`].

use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};

/// How long a key is honoured.
pub const KEEP_HOURS: i64 = 24;

/// Longest key accepted (UUIDs and ULIDs are far shorter).
pub const KEY_CHARS: usize = 200;

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "idempotency_keys")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        /// The route and who called it: two bots never share keys.
        pub route: String,
        pub key: String,
        /// SHA-256 of the request body: the same key with another request is refused.
        pub request_hash: String,
        pub status: i16,
        pub body: String,
        pub created_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

#[derive(Debug, thiserror::Error)]
pub enum IdempotencyError {
    #[error("the Idempotency-Key must be 1 to {KEY_CHARS} visible ASCII characters")]
    BadKey,
    #[error("this Idempotency-Key was used for another request in the last {KEEP_HOURS} hours; use a new key for a new request")]
    Reused,
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error(transparent)]
    Storage(#[from] crate::storage::StorageError),
}

/// A request's key, checked, with the scope and the request it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    route: String,
    key: String,
    request_hash: String,
}

impl Key {
    /// `route` names the endpoint and the caller (e.g. `misses:bot-1`); `request` is the body.
    pub fn new(route: &str, key: &str, request: &[u8]) -> Result<Key, IdempotencyError> {
        let ok = !key.is_empty() && key.len() <= KEY_CHARS && key.bytes().all(|b| b.is_ascii_graphic());
        if !ok {
            return Err(IdempotencyError::BadKey);
        }
        let request_hash = Sha256::digest(request).iter().map(|b| format!("{b:02x}")).collect();
        Ok(Key { route: route.to_string(), key: key.to_string(), request_hash })
    }
}

/// The first answer to a request, kept for its retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

/// The stored answer to `key`'s request, if it was answered in the last [`KEEP_HOURS`]. Inside
/// a write transaction (which runs alone) nothing can store it meanwhile.
pub async fn find(db: &impl ConnectionTrait, key: &Key) -> Result<Option<Answer>, IdempotencyError> {
    let found = entity::Entity::find()
        .filter(entity::Column::Route.eq(key.route.as_str()))
        .filter(entity::Column::Key.eq(key.key.as_str()))
        .filter(entity::Column::CreatedAt.gt(Utc::now() - Duration::hours(KEEP_HOURS)))
        .one(db)
        .await?;
    match found {
        Some(f) if f.request_hash != key.request_hash => Err(IdempotencyError::Reused),
        Some(f) => Ok(Some(Answer { status: f.status as u16, body: f.body })),
        None => Ok(None),
    }
}

/// Keeps `answer` for `key`, in the transaction that did the work. An expired row with the same
/// key is replaced.
pub async fn remember(db: &impl ConnectionTrait, key: &Key, answer: &Answer) -> Result<(), IdempotencyError> {
    entity::Entity::delete_many()
        .filter(entity::Column::Route.eq(key.route.as_str()))
        .filter(entity::Column::Key.eq(key.key.as_str()))
        .exec(db)
        .await?;
    entity::ActiveModel {
        route: Set(key.route.clone()),
        key: Set(key.key.clone()),
        request_hash: Set(key.request_hash.clone()),
        status: Set(answer.status as i16),
        body: Set(answer.body.clone()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Forgets keys older than [`KEEP_HOURS`]; returns how many.
pub async fn sweep(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    Ok(entity::Entity::delete_many()
        .filter(entity::Column::CreatedAt.lt(Utc::now() - Duration::hours(KEEP_HOURS)))
        .exec(db)
        .await?
        .rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_visible_ascii_of_bounded_length() {
        assert!(Key::new("misses:bot", "3f2a-11ee-b9d1", b"{}").is_ok());
        for bad in ["", "with space", "中文", &"k".repeat(KEY_CHARS + 1), "tab\tkey"] {
            assert!(matches!(Key::new("misses:bot", bad, b"{}"), Err(IdempotencyError::BadKey)), "{bad:?}");
        }
        let (a, b) = (Key::new("r", "k", b"one").unwrap(), Key::new("r", "k", b"two").unwrap());
        assert_ne!(a.request_hash, b.request_hash);
    }
}
