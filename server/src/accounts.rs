//! `botcoach user add` and `botcoach token create`.

use std::io::BufRead;

use anyhow::Context;
use model::accounts::{tokens, users, Role};

use crate::config::Config;

pub async fn migrated_database(config: &Config) -> anyhow::Result<sea_orm::DatabaseConnection> {
    let db = crate::startup::open_database(config).await?;
    crate::startup::migrate(&db).await?;
    Ok(db)
}

/// Reads the password from the first line of stdin, so it never appears in shell history.
pub async fn user_add(config: &Config, name: &str, role: Role) -> anyhow::Result<()> {
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password).context("cannot read the password from stdin")?;
    let password = password.trim_end_matches(['\n', '\r']);
    let db = migrated_database(config).await?;
    users::add(&db, name, password, role).await?;
    println!("added user {name} with role {role}");
    Ok(())
}

/// Prints only the token, so `TOKEN=$(botcoach token create ...)` works.
pub async fn token_create(config: &Config, name: &str, role: Role) -> anyhow::Result<()> {
    let db = migrated_database(config).await?;
    println!("{}", tokens::create(&db, name, role).await?);
    Ok(())
}
