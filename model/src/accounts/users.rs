//! Users and their passwords (argon2id hashes, never the password itself).

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use super::{check_name, AccountError, Role};
use crate::views::{Problem, Thing};

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "users")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(unique)]
        pub name: String,
        pub password_hash: String,
        pub role: crate::views::Role,
        pub lang: Option<String>,
        pub created_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;

pub async fn add(
    db: &impl ConnectionTrait,
    name: &str,
    password: &str,
    role: Role,
) -> Result<i32, AccountError> {
    check_name(name)?;
    if role == Role::Bot {
        return Err(Problem::BotAccount.into());
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Problem::ShortPassword { min: MIN_PASSWORD_CHARS }.into());
    }
    if find(db, name).await?.is_some() {
        return Err(Problem::UserExists { name: name.to_string() }.into());
    }
    let salt = SaltString::generate(&mut OsRng);
    let hash = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| AccountError::Hash(e.to_string()))?
        .to_string();
    let user = entity::ActiveModel {
        name: Set(name.to_string()),
        password_hash: Set(hash),
        role: Set(role),
        lang: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    tracing::info!(user = %name, %role, "user added");
    Ok(user.id)
}

pub async fn find(db: &impl ConnectionTrait, name: &str) -> Result<Option<entity::Model>, AccountError> {
    Ok(entity::Entity::find().filter(entity::Column::Name.eq(name)).one(db).await?)
}

/// The names of the users who can work on the inbox (trainers and up), in order.
pub async fn trainers(db: &impl ConnectionTrait) -> Result<Vec<String>, AccountError> {
    let users = entity::Entity::find().order_by_asc(entity::Column::Name).all(db).await?;
    Ok(users.into_iter().filter(|u| u.role.includes(Role::Trainer)).map(|u| u.name).collect())
}

/// The user's role when the name and password match, else `None` (no hint which was wrong).
pub async fn verify(
    db: &impl ConnectionTrait,
    name: &str,
    password: &str,
) -> Result<Option<Role>, AccountError> {
    let user = find(db, name).await?;
    // An unknown name is checked against a hash too: answering faster would tell which names
    // exist. Argon2 takes tens of milliseconds of CPU: off the async threads.
    let stored = match &user {
        Some(u) => u.password_hash.clone(),
        None => dummy_hash()?.to_string(),
    };
    let password = password.to_string();
    let matches = tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&stored).map_err(|e| AccountError::Hash(e.to_string()))?;
        Ok::<_, AccountError>(Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .map_err(|e| AccountError::Hash(format!("password check failed: {e}")))??;
    match user {
        Some(u) if matches => Ok(Some(u.role)),
        _ => Ok(None),
    }
}

/// A hash of a random password, made once, for names that do not exist.
fn dummy_hash() -> Result<&'static str, AccountError> {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(h) = DUMMY.get() {
        return Ok(h);
    }
    let salt = SaltString::generate(&mut OsRng);
    let secret = super::tokens::random_password()?;
    let hash = Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map_err(|e| AccountError::Hash(e.to_string()))?
        .to_string();
    Ok(DUMMY.get_or_init(|| hash))
}

/// Remembers the user's interface language (`en` or `zh`).
pub async fn set_lang(db: &impl ConnectionTrait, user_id: i32, lang: &str) -> Result<(), AccountError> {
    if !matches!(lang, "en" | "zh") {
        return Err(Problem::Unknown {
            what: "language".into(),
            value: lang.to_string(),
            expected: "en, zh".into(),
        }
        .into());
    }
    let user = entity::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or_else(|| Problem::not_found(Thing::User, user_id))?;
    let mut user: entity::ActiveModel = user.into();
    user.lang = Set(Some(lang.to_string()));
    user.update(db).await?;
    Ok(())
}
