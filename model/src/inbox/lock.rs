//! A named lock in the database with an expiry, so that one instance at a time runs a
//! regrouping and a crashed holder does not block the others for longer than the lease.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set};

use super::entity::lock;

/// Takes `name` for `holder` until `now + lease` if it is free, expired or already theirs.
pub async fn acquire(
    db: &DatabaseConnection,
    name: &str,
    holder: &str,
    lease: Duration,
) -> Result<bool, DbErr> {
    let now = Utc::now();
    lock::Entity::insert(lock::ActiveModel {
        name: Set(name.to_string()),
        holder: Set(String::new()),
        expires_at: Set(DateTime::<Utc>::UNIX_EPOCH),
    })
    .on_conflict_do_nothing_on([lock::Column::Name])
    .exec(db)
    .await?;
    let taken = lock::Entity::update_many()
        .col_expr(lock::Column::Holder, Expr::value(holder))
        .col_expr(lock::Column::ExpiresAt, Expr::value(now + lease))
        .filter(lock::Column::Name.eq(name))
        .filter(Expr::col(lock::Column::ExpiresAt).lt(now).or(Expr::col(lock::Column::Holder).eq(holder)))
        .exec(db)
        .await?;
    Ok(taken.rows_affected == 1)
}

/// Who holds `name` now, if anyone.
pub async fn holder(db: &DatabaseConnection, name: &str) -> Result<Option<String>, DbErr> {
    Ok(lock::Entity::find_by_id(name.to_string())
        .one(db)
        .await?
        .filter(|l| l.expires_at > Utc::now())
        .map(|l| l.holder))
}

pub async fn release(db: &DatabaseConnection, name: &str, holder: &str) -> Result<(), DbErr> {
    lock::Entity::update_many()
        .col_expr(lock::Column::ExpiresAt, Expr::value(DateTime::<Utc>::UNIX_EPOCH))
        .filter(lock::Column::Name.eq(name))
        .filter(lock::Column::Holder.eq(holder))
        .exec(db)
        .await?;
    Ok(())
}
