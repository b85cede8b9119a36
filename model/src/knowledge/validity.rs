//! Validity windows at work: a published point enters the bot's index at its `valid_from` and
//! leaves it at its `valid_until`. Each boundary is announced once, as a new feed revision of
//! the point (the item at the start, `deleted` at the end), so every instance's matcher and
//! every bot following the feed see it the way they see a publish. Each instance runs
//! [`follow_boundaries`]: a timer set to the next boundary, not a poll, re-armed whenever the
//! knowledge changes; whichever instance gets the write lock first stamps a boundary, the others
//! find nothing left to do and pick the change up from the feed.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
};
use tokio::sync::Notify;

use super::entity::point;
use super::points::next_feed_revision;
use super::Result;
use crate::views::{PointStatus, Validity};

/// Published points with a bound: (id, from, until, state last announced).
type Windowed = (i32, Option<DateTime<Utc>>, Option<DateTime<Utc>>, Validity);

async fn windowed(db: &impl ConnectionTrait) -> Result<Vec<Windowed>> {
    Ok(point::Entity::find()
        .select_only()
        .column(point::Column::Id)
        .column(point::Column::ValidFrom)
        .column(point::Column::ValidUntil)
        .column(point::Column::Validity)
        .filter(point::Column::Status.eq(PointStatus::Published))
        .filter(
            Condition::any()
                .add(point::Column::ValidFrom.is_not_null())
                .add(point::Column::ValidUntil.is_not_null()),
        )
        .into_tuple()
        .all(db)
        .await?)
}

/// The next moment a published point's state changes; a boundary already passed but not yet
/// announced is due now. `None` when no point has a boundary ahead.
pub async fn next_boundary(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>> {
    let mut next: Option<DateTime<Utc>> = None;
    for (_, from, until, stamped) in windowed(db).await? {
        let due = if Validity::at(from, until, now) != stamped {
            Some(now)
        } else {
            [from, until].into_iter().flatten().filter(|t| *t > now).min()
        };
        next = next.into_iter().chain(due).min();
    }
    Ok(next)
}

/// Announces every boundary passed by `now`: the point's state and a new feed revision, in one
/// write. Returns how many points changed state.
pub async fn stamp_due(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<usize> {
    let txn = crate::storage::write(db).await?;
    let mut changed = 0;
    // Read under the write lock: an instance that got here first leaves nothing due.
    for (id, from, until, stamped) in windowed(&txn).await? {
        let state = Validity::at(from, until, now);
        if state == stamped {
            continue;
        }
        let feed = next_feed_revision(&txn).await?;
        point::Entity::update_many()
            .col_expr(point::Column::Validity, Expr::value(state))
            .col_expr(point::Column::FeedRevision, Expr::value(feed))
            .filter(point::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        tracing::info!(point = id, from = %stamped, to = %state, feed, "validity boundary");
        changed += 1;
    }
    txn.commit().await?;
    Ok(changed)
}

/// Longest sleep without a boundary in sight: a clock step or a lost wake-up costs at most this.
const REARM: Duration = Duration::from_secs(600);

/// Runs until the process ends: sleeps until the next boundary (or until `rearm` is notified,
/// when knowledge changed), stamps what is due and calls `changed` so this instance's matcher
/// serves it at once, whichever instance stamped it. Errors are logged and retried a moment later.
pub async fn follow_boundaries<F, Fut>(db: DatabaseConnection, rearm: Arc<Notify>, changed: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    loop {
        let now = Utc::now();
        let wait = match stamp_due(&db, now).await {
            Ok(_) => {
                // Also when another instance stamped this boundary first: it committed before
                // the stamp above could read, so the refresh finds its revision.
                changed().await;
                match next_boundary(&db, now).await {
                    Ok(Some(next)) => (next - Utc::now()).to_std().unwrap_or(Duration::ZERO).min(REARM),
                    Ok(None) => REARM,
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot read the next validity boundary");
                        Duration::from_secs(5)
                    }
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot announce validity boundaries");
                Duration::from_secs(5)
            }
        };
        // A few milliseconds past the boundary, so that `now` is on its far side on waking.
        let wait = wait + Duration::from_millis(5);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = rearm.notified() => {}
        }
    }
}
