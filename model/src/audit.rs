//! The audit log: every change records who did what to which target, and when. Callers write
//! it inside the same transaction as the change, so there is no change without its record.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::views::Actor;

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_log")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub actor: String,
        pub action: String,
        pub target: String,
        pub detail: Option<String>,
        pub created_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Records one action; `target` is `kind:id` (e.g. `knowledge:12`).
pub async fn record(
    db: &impl ConnectionTrait,
    actor: &Actor,
    action: &str,
    target: &str,
    detail: Option<serde_json::Value>,
) -> Result<(), DbErr> {
    entity::ActiveModel {
        actor: Set(format!("{} ({})", actor.name, actor.role)),
        action: Set(action.to_string()),
        target: Set(target.to_string()),
        detail: Set(detail.map(|d| d.to_string())),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    tracing::info!(actor = %actor.name, action, target, "audit");
    Ok(())
}

/// The log of one target, oldest first.
pub async fn for_target(db: &impl ConnectionTrait, target: &str) -> Result<Vec<entity::Model>, DbErr> {
    use sea_orm::ColumnTrait;
    entity::Entity::find()
        .filter(entity::Column::Target.eq(target))
        .order_by_asc(entity::Column::Id)
        .all(db)
        .await
}
