//! Instances sharing one PostgreSQL learn of each publish at once: the transaction that gives
//! knowledge a feed revision also sends `NOTIFY` (delivered when it commits, dropped when it
//! rolls back), and every instance listens. Polling stays as the fallback (and is all SQLite
//! needs: one process writes it).

use std::future::Future;
use std::time::Duration;

use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr};

const FEED: &str = "botcoach_feed";

/// Tells the other instances, when the caller's transaction commits, that the feed moved.
pub async fn feed_changed(txn: &impl ConnectionTrait) -> Result<(), DbErr> {
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_unprepared(&format!("NOTIFY {FEED}")).await?;
    }
    Ok(())
}

/// Calls `changed` after every feed change any instance commits on the PostgreSQL at `url`, and
/// once after each (re)connection, for what was missed while away. Runs until the process ends;
/// a lost connection is retried every few seconds.
pub async fn follow_feed<F, Fut>(url: &str, changed: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    loop {
        match listen(url, &changed).await {
            Ok(()) => {}
            Err(e) => {
                tracing::warn!(error = %e, "not listening for publishes; polling meanwhile, retrying in 5 s")
            }
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}

async fn listen<F, Fut>(url: &str, changed: &F) -> Result<(), sea_orm::sqlx::Error>
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    let mut listener = PgListener::connect(url).await?;
    listener.listen(FEED).await?;
    tracing::info!("listening for publishes of other instances");
    changed().await;
    loop {
        listener.recv().await?;
        changed().await;
    }
}
