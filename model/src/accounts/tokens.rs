//! API tokens for bots and scripts. The token is shown once; only its SHA-256 is stored (a
//! token is 256 random bits, so a fast hash is enough, unlike a password).

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use sha2::{Digest, Sha256};

use super::{check_name, AccountError, Role};

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "api_tokens")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
        pub role: crate::views::Role,
        #[sea_orm(unique)]
        pub token_hash: String,
        pub created_at: ChronoDateTimeUtc,
        pub last_used_at: Option<ChronoDateTimeUtc>,
        /// After this the token is refused; `None`: it does not expire.
        pub expires_at: Option<ChronoDateTimeUtc>,
        /// Revoked tokens stay listed (who had access, until when) but are refused.
        pub revoked_at: Option<ChronoDateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Every token starts with this, so a leaked one is easy to recognise in logs and scanners.
pub const PREFIX: &str = "bc_";

/// Creates a token that does not expire; see [`create_expiring`].
pub async fn create(db: &impl ConnectionTrait, name: &str, role: Role) -> Result<String, AccountError> {
    create_expiring(db, name, role, None).await
}

/// Creates a token and returns it; this is the only time it exists in clear. `expires_in`:
/// refused after that long (`None`: never).
pub async fn create_expiring(
    db: &impl ConnectionTrait,
    name: &str,
    role: Role,
    expires_in: Option<Duration>,
) -> Result<String, AccountError> {
    check_name(name)?;
    let token = random_secret(PREFIX)?;
    let now = Utc::now();
    entity::ActiveModel {
        name: Set(name.to_string()),
        role: Set(role),
        token_hash: Set(hash(&token)),
        created_at: Set(now),
        last_used_at: Set(None),
        expires_at: Set(expires_in.map(|d| now + d)),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    tracing::info!(token = %name, %role, "API token created");
    Ok(token)
}

/// The token's name and role, or `None` for an unknown, revoked or expired token.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<(String, Role)>, AccountError> {
    let found = entity::Entity::find().filter(entity::Column::TokenHash.eq(hash(token))).one(db).await?;
    let now = Utc::now();
    match found {
        Some(t) if is_live(&t, now) => {
            // For `token list` (is this token still in use?): to the minute, not every request.
            if t.last_used_at.is_none_or(|u| now - u > Duration::minutes(1)) {
                entity::Entity::update_many()
                    .col_expr(entity::Column::LastUsedAt, Expr::value(now))
                    .filter(entity::Column::Id.eq(t.id))
                    .exec(db)
                    .await?;
            }
            Ok(Some((t.name, t.role)))
        }
        _ => Ok(None),
    }
}

fn is_live(t: &entity::Model, now: DateTime<Utc>) -> bool {
    t.revoked_at.is_none() && t.expires_at.is_none_or(|e| e > now)
}

/// Every token ever created, oldest first (none in clear: they are not stored).
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<entity::Model>, AccountError> {
    Ok(entity::Entity::find().order_by_asc(entity::Column::Id).all(db).await?)
}

async fn live(db: &impl ConnectionTrait) -> Result<Vec<entity::Model>, AccountError> {
    let now = Utc::now();
    Ok(list(db).await?.into_iter().filter(|t| is_live(t, now)).collect())
}

/// Revokes the live tokens named `name`; every instance refuses them from the next request
/// (to rotate without a gap, give the new token another name). Returns whether there were any.
pub async fn revoke(db: &impl ConnectionTrait, name: &str) -> Result<bool, AccountError> {
    let ids: Vec<i32> = live(db).await?.into_iter().filter(|t| t.name == name).map(|t| t.id).collect();
    if ids.is_empty() {
        return Ok(false);
    }
    entity::Entity::update_many()
        .col_expr(entity::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(entity::Column::Id.is_in(ids))
        .exec(db)
        .await?;
    tracing::info!(token = %name, "API token revoked");
    Ok(true)
}

/// `prefix` followed by 256 random bits in hex.
pub(super) fn random_secret(prefix: &str) -> Result<String, AccountError> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| AccountError::Random(e.to_string()))?;
    Ok(format!("{prefix}{}", hex(&secret)))
}

/// A random password for generated accounts: 16 characters from 96 bits.
pub fn random_password() -> Result<String, AccountError> {
    Ok(random_secret("")?[..16].to_string())
}

pub fn hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
