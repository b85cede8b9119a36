//! Trained versions: each one's card (scores, thresholds, how it was trained) and its adapter's
//! weights in the database, so every instance on the database can serve it and a rollback needs
//! nothing but a row. At most one version per base model serves; none means the base model.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::adapter::Adapter;
use super::LearnError;
use crate::views::{ModelVersion, Problem, VersionState};

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "model_versions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        /// The base model's name (its stored vectors' model), e.g. the fused model's.
        pub base: String,
        pub version: i32,
        pub state: crate::views::VersionState,
        /// `ModelVersion` as JSON.
        pub card: String,
        pub dimension: i32,
        /// The adapter matrix, f32 little-endian.
        pub weights: Vec<u8>,
        pub created_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

fn card(json: &str, state: VersionState) -> Result<ModelVersion, LearnError> {
    let mut card: ModelVersion =
        serde_json::from_str(json).map_err(|e| LearnError::Internal(format!("version card: {e}")))?;
    card.state = state;
    Ok(card)
}

/// Every version of `base`, newest first: the cards only, not the weights (the schedule reads
/// this every minute).
pub async fn list(db: &impl ConnectionTrait, base: &str) -> Result<Vec<ModelVersion>, LearnError> {
    let rows: Vec<(String, VersionState)> = entity::Entity::find()
        .select_only()
        .column(entity::Column::Card)
        .column(entity::Column::State)
        .filter(entity::Column::Base.eq(base))
        .order_by_desc(entity::Column::Version)
        .into_tuple()
        .all(db)
        .await?;
    rows.iter().map(|(json, state)| card(json, *state)).collect()
}

/// The version serving `base`, if a trained one does (reads the number only: every instance
/// asks this every few seconds).
pub async fn serving_version(db: &impl ConnectionTrait, base: &str) -> Result<Option<i32>, LearnError> {
    Ok(entity::Entity::find()
        .select_only()
        .column(entity::Column::Version)
        .filter(entity::Column::Base.eq(base))
        .filter(entity::Column::State.eq(VersionState::Serving))
        .into_tuple()
        .one(db)
        .await?)
}

fn adapter(row: &entity::Model) -> Result<Adapter, LearnError> {
    Adapter::from_bytes(row.dimension as usize, &row.weights)
        .ok_or_else(|| LearnError::Internal(format!("version {} has weights of the wrong size", row.version)))
}

/// The version numbered `version` of `base` with its adapter.
pub async fn get(
    db: &impl ConnectionTrait,
    base: &str,
    version: i32,
) -> Result<(ModelVersion, Adapter), LearnError> {
    let row = entity::Entity::find()
        .filter(entity::Column::Base.eq(base))
        .filter(entity::Column::Version.eq(version))
        .one(db)
        .await?
        .ok_or_else(|| Problem::NoSuchVersion { base: base.to_string(), version })?;
    Ok((card(&row.card, row.state)?, adapter(&row)?))
}

/// Stores a trained candidate (promoted or refused) under the next number; a promoted one does
/// not serve until [`make_serving`] says so, once its vectors are stored.
pub async fn store(
    db: &sea_orm::DatabaseConnection,
    mut version: ModelVersion,
    adapter: &Adapter,
) -> Result<ModelVersion, LearnError> {
    let txn = crate::storage::write(db).await?;
    let last: Option<i32> = entity::Entity::find()
        .select_only()
        .column_as(entity::Column::Version.max(), "v")
        .filter(entity::Column::Base.eq(version.base.as_str()))
        .into_tuple()
        .one(&txn)
        .await?
        .flatten();
    version.version = last.unwrap_or(0) + 1;
    // A promoted candidate waits as `kept` until it takes over.
    version.state = if version.refusal.is_some() { VersionState::Refused } else { VersionState::Kept };
    entity::ActiveModel {
        base: Set(version.base.clone()),
        version: Set(version.version),
        state: Set(version.state),
        card: Set(serde_json::to_string(&version).map_err(|e| LearnError::Internal(e.to_string()))?),
        dimension: Set(adapter.dim() as i32),
        weights: Set(adapter.to_bytes()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(version)
}

/// Makes `version` (0: the base model) the one serving `base`; with `expected`, only if that
/// version (0: none) still serves, and says whether it did. A refused version never serves.
pub async fn make_serving(
    db: &sea_orm::DatabaseConnection,
    base: &str,
    version: i32,
    expected: Option<i32>,
) -> Result<bool, LearnError> {
    let txn = crate::storage::write(db).await?;
    if version != 0 {
        let (card, _) = get(&txn, base, version).await?;
        if card.state == VersionState::Refused {
            return Err(Problem::RefusedVersion { version }.into());
        }
    }
    if let Some(expected) = expected {
        if serving_version(&txn, base).await?.unwrap_or(0) != expected {
            return Ok(false);
        }
    }
    entity::Entity::update_many()
        .col_expr(entity::Column::State, Expr::value(VersionState::Kept))
        .filter(entity::Column::Base.eq(base))
        .filter(entity::Column::State.eq(VersionState::Serving))
        .exec(&txn)
        .await?;
    if version != 0 {
        entity::Entity::update_many()
            .col_expr(entity::Column::State, Expr::value(VersionState::Serving))
            .filter(entity::Column::Base.eq(base))
            .filter(entity::Column::Version.eq(version))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(true)
}
