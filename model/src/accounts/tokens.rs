//! API tokens for bots and scripts. The token is shown once; only its SHA-256 is stored (a
//! token is 256 random bits, so a fast hash is enough, unlike a password).

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
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
        pub role: String,
        #[sea_orm(unique)]
        pub token_hash: String,
        pub created_at: ChronoDateTimeUtc,
        pub last_used_at: Option<ChronoDateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Every token starts with this, so a leaked one is easy to recognise in logs and scanners.
pub const PREFIX: &str = "bc_";

/// Creates a token and returns it; this is the only time it exists in clear.
pub async fn create(db: &impl ConnectionTrait, name: &str, role: Role) -> Result<String, AccountError> {
    check_name(name)?;
    let token = random_secret(PREFIX)?;
    entity::ActiveModel {
        name: Set(name.to_string()),
        role: Set(role.to_string()),
        token_hash: Set(hash(&token)),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    tracing::info!(token = %name, %role, "API token created");
    Ok(token)
}

/// The token's name and role, or `None` for an unknown token.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<(String, Role)>, AccountError> {
    let found = entity::Entity::find().filter(entity::Column::TokenHash.eq(hash(token))).one(db).await?;
    match found {
        Some(t) => Ok(Some((t.name, t.role.parse::<Role>()?))),
        None => Ok(None),
    }
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
