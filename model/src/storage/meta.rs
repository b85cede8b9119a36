//! Small key/value facts about this installation, such as which embedding model produced the
//! vectors stored so far (a different model means they must be recomputed).

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait, Set};

use super::StorageError;
use crate::embedding::ModelInfo;

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "app_meta")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub key: String,
        pub value: String,
        pub updated_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

const EMBEDDING_MODEL: &str = "embedding_model";

pub async fn get(db: &impl ConnectionTrait, key: &str) -> Result<Option<String>, StorageError> {
    Ok(entity::Entity::find_by_id(key.to_string()).one(db).await?.map(|m| m.value))
}

pub async fn set(db: &impl ConnectionTrait, key: &str, value: &str) -> Result<(), StorageError> {
    let row = entity::ActiveModel {
        key: Set(key.to_string()),
        value: Set(value.to_string()),
        updated_at: Set(Utc::now()),
    };
    entity::Entity::insert(row)
        .on_conflict(
            OnConflict::column(entity::Column::Key)
                .update_columns([entity::Column::Value, entity::Column::UpdatedAt])
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// How the configured model compares with the one recorded at the previous start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelChange {
    First,
    Same,
    Changed { previous: String },
}

/// Records the model now in use, keyed by name and dimension (what stored vectors depend on).
pub async fn record_embedding_model(
    db: &impl ConnectionTrait,
    info: &ModelInfo,
) -> Result<ModelChange, StorageError> {
    let current = format!("{}/{}", info.name, info.dimension);
    let change = match get(db, EMBEDDING_MODEL).await? {
        None => ModelChange::First,
        Some(previous) if previous == current => ModelChange::Same,
        Some(previous) => ModelChange::Changed { previous },
    };
    if change != ModelChange::Same {
        set(db, EMBEDDING_MODEL, &current).await?;
    }
    Ok(change)
}
