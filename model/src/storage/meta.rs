//! Small key/value facts about this installation, such as which embedding model produced the
//! vectors stored so far (a different model means they must be recomputed).

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait, Set};

use super::StorageError;
use crate::embedding::{ModelChoice, ModelInfo};

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
const SERVING_MODEL: &str = "serving_model";

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

/// The model serving when it was last recorded; a database from before the model choice
/// existed was served by MiniLM, the only model then.
pub async fn serving_model(db: &impl ConnectionTrait) -> Result<Option<ModelChoice>, StorageError> {
    if let Some(choice) = get(db, SERVING_MODEL).await? {
        return Ok(ModelChoice::parse(&choice));
    }
    Ok(get(db, EMBEDDING_MODEL)
        .await?
        .filter(|m| m.starts_with("all-MiniLM-L6-v2/"))
        .map(|_| ModelChoice::Minilm))
}

/// Records the model now serving: its choice and its name and dimension (what stored vectors
/// depend on).
pub async fn record_serving_model(
    db: &impl ConnectionTrait,
    choice: ModelChoice,
    info: &ModelInfo,
) -> Result<(), StorageError> {
    set(db, SERVING_MODEL, choice.as_str()).await?;
    set(db, EMBEDDING_MODEL, &format!("{}/{}", info.name, info.dimension)).await
}
