//! Facts about the installation itself (for now: which embedding model produced stored vectors).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AppMeta {
    Table,
    Key,
    Value,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AppMeta::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(AppMeta::Key).string().not_null().primary_key())
                    .col(ColumnDef::new(AppMeta::Value).text().not_null())
                    .col(ColumnDef::new(AppMeta::UpdatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AppMeta::Table).to_owned()).await
    }
}
