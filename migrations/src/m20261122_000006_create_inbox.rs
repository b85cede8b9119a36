//! The miss inbox: groups of open misses (`clusters`, ids kept across regroupings), each miss's
//! group and the decision that closed it, and named locks so that one instance at a time runs
//! a regrouping.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Clusters {
    Table,
    Id,
    Status,
    Label,
    KeyTerms,
    Action,
    KnowledgeId,
    Reason,
    ResolvedBy,
    ResolvedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Misses {
    Table,
    ClusterId,
    KnowledgeId,
    Status,
}

#[derive(DeriveIden)]
enum MissEvents {
    Table,
    OccurredAt,
}

#[derive(DeriveIden)]
enum Locks {
    Table,
    Name,
    Holder,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Clusters::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(Clusters::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(Clusters::Status).string().not_null())
                    .col(ColumnDef::new(Clusters::Label).text().not_null())
                    .col(ColumnDef::new(Clusters::KeyTerms).text().not_null())
                    .col(ColumnDef::new(Clusters::Action).string().null())
                    .col(ColumnDef::new(Clusters::KnowledgeId).integer().null())
                    .col(ColumnDef::new(Clusters::Reason).text().null())
                    .col(ColumnDef::new(Clusters::ResolvedBy).string().null())
                    .col(ColumnDef::new(Clusters::ResolvedAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(Clusters::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Clusters::UpdatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        // SQLite adds one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table(Misses::Table)
                    .add_column(ColumnDef::new(Misses::ClusterId).big_integer().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Misses::Table)
                    .add_column(ColumnDef::new(Misses::KnowledgeId).integer().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_misses_status_cluster")
                    .table(Misses::Table)
                    .col(Misses::Status)
                    .col(Misses::ClusterId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_miss_events_occurred_at")
                    .table(MissEvents::Table)
                    .col(MissEvents::OccurredAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Locks::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(Locks::Name).string().not_null().primary_key())
                    .col(ColumnDef::new(Locks::Holder).string().not_null())
                    .col(ColumnDef::new(Locks::ExpiresAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Locks::Table).to_owned()).await?;
        manager
            .drop_index(Index::drop().name("idx_miss_events_occurred_at").table(MissEvents::Table).to_owned())
            .await?;
        manager
            .drop_index(Index::drop().name("idx_misses_status_cluster").table(Misses::Table).to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table(Misses::Table).drop_column(Misses::KnowledgeId).to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table(Misses::Table).drop_column(Misses::ClusterId).to_owned())
            .await?;
        manager.drop_table(Table::drop().table(Clusters::Table).to_owned()).await
    }
}
