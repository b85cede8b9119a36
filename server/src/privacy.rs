//! `botcoach privacy export|erase --session ID` (a customer's access or erasure request) and
//! `botcoach privacy retention` (delete what is past `retention_days` now, without waiting for
//! the daily run). Results go to stdout as JSON.

use crate::accounts::cli_actor;
use crate::config::Config;

pub async fn export(config: &Config, session_id: &str) -> anyhow::Result<()> {
    let db = crate::accounts::migrated_database(config).await?;
    let data = model::privacy::sessions::export(&db, &cli_actor(), session_id).await?;
    println!("{}", serde_json::to_string_pretty(&data)?);
    Ok(())
}

/// A server running on this database forgets the erased misses at its next regrouping; until
/// then they are gone from every list, as they are from the database.
pub async fn erase(config: &Config, session_id: &str) -> anyhow::Result<()> {
    let db = crate::accounts::migrated_database(config).await?;
    let erasure = model::privacy::sessions::erase(&db, &cli_actor(), session_id).await?;
    println!("{}", serde_json::to_string_pretty(&erasure.erased)?);
    Ok(())
}

pub async fn retention(config: &Config) -> anyhow::Result<()> {
    let db = crate::accounts::migrated_database(config).await?;
    let days = config.privacy.retention_days;
    let run = model::privacy::retention::run(&db, days, chrono::Utc::now()).await?;
    println!("{}", serde_json::to_string_pretty(&run)?);
    Ok(())
}
