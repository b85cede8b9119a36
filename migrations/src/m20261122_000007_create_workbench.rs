//! The trainer workbench and the closed loop: when a miss was closed by published knowledge
//! (loop yield), who holds a group while working on it (claims), and each inbox decision with
//! what it changed, so that it can be undone until the knowledge is published.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Misses {
    Table,
    ClosedAt,
    Status,
    KnowledgeId,
}

#[derive(DeriveIden)]
enum Clusters {
    Table,
    ClaimedBy,
    ClaimedUntil,
}

#[derive(DeriveIden)]
enum Decisions {
    Table,
    Id,
    ClusterId,
    Action,
    KnowledgeId,
    MissIds,
    WholeGroup,
    CreatedPoint,
    RevisionBefore,
    RevisionAfter,
    Actor,
    CreatedAt,
    UndoneAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table(Misses::Table)
                    .add_column(ColumnDef::new(Misses::ClosedAt).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_misses_status_knowledge")
                    .table(Misses::Table)
                    .col(Misses::Status)
                    .col(Misses::KnowledgeId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Clusters::Table)
                    .add_column(ColumnDef::new(Clusters::ClaimedBy).string().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Clusters::Table)
                    .add_column(ColumnDef::new(Clusters::ClaimedUntil).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Decisions::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(Decisions::Id).big_integer().not_null().auto_increment().primary_key(),
                    )
                    .col(ColumnDef::new(Decisions::ClusterId).big_integer().not_null())
                    .col(ColumnDef::new(Decisions::Action).string().not_null())
                    .col(ColumnDef::new(Decisions::KnowledgeId).integer().null())
                    .col(ColumnDef::new(Decisions::MissIds).text().not_null())
                    .col(ColumnDef::new(Decisions::WholeGroup).boolean().not_null())
                    .col(ColumnDef::new(Decisions::CreatedPoint).boolean().not_null())
                    .col(ColumnDef::new(Decisions::RevisionBefore).integer().null())
                    .col(ColumnDef::new(Decisions::RevisionAfter).integer().null())
                    .col(ColumnDef::new(Decisions::Actor).string().not_null())
                    .col(ColumnDef::new(Decisions::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Decisions::UndoneAt).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Decisions::Table).to_owned()).await?;
        manager
            .alter_table(Table::alter().table(Clusters::Table).drop_column(Clusters::ClaimedUntil).to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table(Clusters::Table).drop_column(Clusters::ClaimedBy).to_owned())
            .await?;
        manager
            .drop_index(Index::drop().name("idx_misses_status_knowledge").table(Misses::Table).to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table(Misses::Table).drop_column(Misses::ClosedAt).to_owned())
            .await
    }
}
