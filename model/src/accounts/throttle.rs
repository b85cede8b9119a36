//! Slows password guessing, across every instance sharing the database: each sign-in attempt
//! counts against its name and its address before the password is checked (in one write
//! transaction, so parallel attempts cannot all pass the check), and a success takes its
//! attempts back. Past [`PER_NAME`] failures for a name, or [`PER_ADDRESS`] from an address,
//! within [`WINDOW_MINUTES`], attempts are refused until the oldest leaves the window.

use chrono::{Duration, Utc};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};

use super::AccountError;

/// Failures allowed per name within the window.
pub const PER_NAME: u64 = 5;
/// Failures allowed per address within the window, whatever the names: a whole office behind
/// one address signs in (and mistypes) every morning, so this is far above [`PER_NAME`].
pub const PER_ADDRESS: u64 = 100;
pub const WINDOW_MINUTES: i64 = 15;

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "sign_in_attempts")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        /// `name:<name>` or `address:<address>`.
        pub subject: String,
        pub at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// An attempt let through, counted until [`succeeded`] takes it back.
#[derive(Debug)]
pub struct Admitted {
    name: String,
    rows: Vec<i64>,
}

fn subjects(name: &str, address: Option<&str>) -> Vec<(String, u64)> {
    let mut out = vec![(format!("name:{}", name.to_lowercase()), PER_NAME)];
    out.extend(address.map(|a| (format!("address:{a}"), PER_ADDRESS)));
    out
}

/// Counts an attempt for `name` from `address`, or `Ok(Err(wait))` when either has failed too
/// often lately.
pub async fn admit(
    db: &DatabaseConnection,
    name: &str,
    address: Option<&str>,
) -> Result<Result<Admitted, std::time::Duration>, AccountError> {
    let now = Utc::now();
    let since = now - Duration::minutes(WINDOW_MINUTES);
    let txn = crate::storage::write(db).await?;
    for (subject, limit) in subjects(name, address) {
        let recent = entity::Entity::find()
            .filter(entity::Column::Subject.eq(subject.as_str()))
            .filter(entity::Column::At.gt(since));
        if recent.clone().count(&txn).await? >= limit {
            let oldest = recent.order_by_asc(entity::Column::At).one(&txn).await?.map_or(now, |r| r.at);
            let wait = (oldest - since).to_std().unwrap_or_default();
            tracing::warn!(%subject, "sign-in refused: too many failures");
            return Ok(Err(wait));
        }
    }
    let mut rows = Vec::new();
    for (subject, _) in subjects(name, address) {
        let row = entity::ActiveModel { subject: Set(subject), at: Set(now), ..Default::default() };
        rows.push(entity::Entity::insert(row).exec(&txn).await?.last_insert_id);
    }
    txn.commit().await?;
    Ok(Ok(Admitted { name: name.to_string(), rows }))
}

/// The password was right: this attempt does not count, nor do the name's earlier failures.
pub async fn succeeded(db: &DatabaseConnection, admitted: Admitted) -> Result<(), AccountError> {
    entity::Entity::delete_many().filter(entity::Column::Id.is_in(admitted.rows)).exec(db).await?;
    entity::Entity::delete_many()
        .filter(entity::Column::Subject.eq(format!("name:{}", admitted.name.to_lowercase())))
        .exec(db)
        .await?;
    Ok(())
}

/// Forgets attempts older than the window; returns how many.
pub async fn sweep(db: &DatabaseConnection) -> Result<u64, DbErr> {
    Ok(entity::Entity::delete_many()
        .filter(entity::Column::At.lt(Utc::now() - Duration::minutes(WINDOW_MINUTES)))
        .exec(db)
        .await?
        .rows_affected)
}
