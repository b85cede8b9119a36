//! Trained versions of the serving model: each one's card (scores, thresholds, how it was
//! trained) and its adapter's weights, so every instance on the database serves the same one.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ModelVersions {
    Table,
    Id,
    Base,
    Version,
    State,
    Card,
    Dimension,
    Weights,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ModelVersions::Table)
                    .if_not_exists()
                    .col(pk_auto(ModelVersions::Id))
                    .col(string(ModelVersions::Base))
                    .col(integer(ModelVersions::Version))
                    .col(string(ModelVersions::State))
                    .col(text(ModelVersions::Card))
                    .col(integer(ModelVersions::Dimension))
                    .col(blob(ModelVersions::Weights))
                    .col(timestamp_with_time_zone(ModelVersions::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_model_versions_base_version")
                    .table(ModelVersions::Table)
                    .col(ModelVersions::Base)
                    .col(ModelVersions::Version)
                    .unique()
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ModelVersions::Table).to_owned()).await
    }
}
