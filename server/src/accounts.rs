//! `botcoach user add` and `botcoach token create|list|revoke`.

use std::io::BufRead;

use anyhow::Context;
use model::accounts::{tokens, users, Role};
use model::audit;
use model::views::Actor;

use crate::config::Config;

pub async fn migrated_database(config: &Config) -> anyhow::Result<sea_orm::DatabaseConnection> {
    let db = crate::startup::open_database(config).await?;
    crate::startup::migrate(&db).await?;
    Ok(db)
}

/// Whoever runs the binary holds the database: they act as an admin, under their login name
/// in the audit log.
pub fn cli_actor() -> Actor {
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    Actor::new(format!("cli:{user}"), Role::Admin)
}

/// Reads the password from the first line of stdin, so it never appears in shell history.
pub async fn user_add(config: &Config, name: &str, role: Role) -> anyhow::Result<()> {
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password).context("cannot read the password from stdin")?;
    let password = password.trim_end_matches(['\n', '\r']);
    let db = migrated_database(config).await?;
    let txn = model::storage::write(&db).await?;
    let id = users::add(&txn, name, password, role).await?;
    audit::record(
        &txn,
        &cli_actor(),
        "user.add",
        &format!("user:{id}"),
        Some(serde_json::json!({ "role": role })),
    )
    .await?;
    txn.commit().await?;
    println!("added user {name} with role {role}");
    Ok(())
}

/// Prints only the token, so `TOKEN=$(botcoach token create ...)` works.
pub async fn token_create(
    config: &Config,
    name: &str,
    role: Role,
    expires_days: Option<u32>,
) -> anyhow::Result<()> {
    let db = migrated_database(config).await?;
    let txn = model::storage::write(&db).await?;
    let expires_in = expires_days.map(|d| chrono::Duration::days(i64::from(d)));
    let token = tokens::create_expiring(&txn, name, role, expires_in).await?;
    audit::record(
        &txn,
        &cli_actor(),
        "token.create",
        &format!("token:{name}"),
        Some(serde_json::json!({ "role": role, "expires_days": expires_days })),
    )
    .await?;
    txn.commit().await?;
    println!("{token}");
    Ok(())
}

/// One line per token, tab-separated under a header, for people and for `cut`.
pub async fn token_list(config: &Config) -> anyhow::Result<()> {
    let db = migrated_database(config).await?;
    let time = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_else(|| "-".into())
    };
    println!("name\trole\tcreated\tlast_used\texpires\trevoked");
    for t in tokens::list(&db).await? {
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}",
            t.name,
            t.role,
            time(Some(t.created_at)),
            time(t.last_used_at),
            time(t.expires_at),
            time(t.revoked_at)
        );
    }
    Ok(())
}

pub async fn token_revoke(config: &Config, name: &str) -> anyhow::Result<()> {
    let db = migrated_database(config).await?;
    let txn = model::storage::write(&db).await?;
    if !tokens::revoke(&txn, name).await? {
        anyhow::bail!("there is no live token named {name:?}; `botcoach token list` shows them");
    }
    audit::record(&txn, &cli_actor(), "token.revoke", &format!("token:{name}"), None).await?;
    txn.commit().await?;
    println!("revoked token {name}");
    Ok(())
}
