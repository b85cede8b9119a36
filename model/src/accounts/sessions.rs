//! Browser sessions. The cookie holds 256 random bits; the database holds only their SHA-256,
//! so neither a database copy nor a log line can be replayed as a live session.

use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
};

use super::tokens::{hash, random_secret};
use super::{users, AccountError, Role};
use crate::audit;
use crate::views::Actor;

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "sessions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(unique)]
        pub token_hash: String,
        pub user_id: i32,
        pub created_at: ChronoDateTimeUtc,
        pub expires_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The name of the cookie that carries the session secret.
pub const COOKIE: &str = "botcoach_session";

/// The session secret in one `Cookie` header value, if it carries one.
pub fn secret_in_cookie(header: &str) -> Option<&str> {
    header.split(';').filter_map(|kv| kv.trim().split_once('=')).find(|(k, _)| *k == COOKIE).map(|(_, v)| v)
}

/// How long a sign-in lasts: one working week.
pub const LIFETIME: Duration = Duration::days(7);

/// The signed-in user behind a session cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionUser {
    pub user_id: i32,
    pub name: String,
    pub role: Role,
    pub lang: Option<String>,
}

impl SessionUser {
    pub fn actor(&self) -> Actor {
        Actor::new(self.name.clone(), self.role)
    }
}

/// Checks the password and opens a session: `(cookie secret, user)`, or `None` when the name or
/// the password is wrong (the caller must not say which).
pub async fn sign_in(
    db: &DatabaseConnection,
    name: &str,
    password: &str,
) -> Result<Option<(String, SessionUser)>, AccountError> {
    if users::verify(db, name, password).await?.is_none() {
        tracing::info!(user = %name, "sign-in refused");
        return Ok(None);
    }
    let Some(user) = users::find(db, name).await? else { return Ok(None) };
    let secret = random_secret("")?;
    let now = Utc::now();
    let txn = crate::storage::write(db).await?;
    entity::ActiveModel {
        token_hash: Set(hash(&secret)),
        user_id: Set(user.id),
        created_at: Set(now),
        expires_at: Set(now + LIFETIME),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let session = SessionUser { user_id: user.id, name: user.name, role: user.role, lang: user.lang };
    audit::record(&txn, &session.actor(), "sign_in", &format!("user:{}", session.user_id), None).await?;
    txn.commit().await?;
    Ok(Some((secret, session)))
}

/// The user of a live session, or `None` for an unknown or expired one.
pub async fn lookup(db: &impl ConnectionTrait, secret: &str) -> Result<Option<SessionUser>, AccountError> {
    let Some(session) =
        entity::Entity::find().filter(entity::Column::TokenHash.eq(hash(secret))).one(db).await?
    else {
        return Ok(None);
    };
    if session.expires_at < Utc::now() {
        entity::Entity::delete_by_id(session.id).exec(db).await?;
        return Ok(None);
    }
    let Some(user) = users::entity::Entity::find_by_id(session.user_id).one(db).await? else {
        return Ok(None);
    };
    Ok(Some(SessionUser { user_id: user.id, name: user.name, role: user.role, lang: user.lang }))
}

pub async fn sign_out(db: &impl ConnectionTrait, secret: &str) -> Result<(), AccountError> {
    entity::Entity::delete_many().filter(entity::Column::TokenHash.eq(hash(secret))).exec(db).await?;
    Ok(())
}
