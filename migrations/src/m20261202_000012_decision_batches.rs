//! Bulk decisions: the decisions one bulk action wrote share a batch (the id of its first), so
//! they are listed and undone as one. A decision keeps its group's label and its dismissal
//! reason as they were (the group's own change with undo and regrouping). Indexes for "my
//! decisions" (by author, newest first) and for finding a batch.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Decisions {
    Table,
    Id,
    Actor,
    BatchId,
    Label,
    Reason,
}

const BY_ACTOR: &str = "idx_decisions_actor";
const BY_BATCH: &str = "idx_decisions_batch";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one at a time.
        for column in
            [big_integer_null(Decisions::BatchId), text_null(Decisions::Label), text_null(Decisions::Reason)]
        {
            manager.alter_table(Table::alter().table(Decisions::Table).add_column(column).to_owned()).await?;
        }
        manager
            .create_index(
                Index::create()
                    .name(BY_ACTOR)
                    .table(Decisions::Table)
                    .col(Decisions::Actor)
                    .col(Decisions::Id)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(BY_BATCH)
                    .table(Decisions::Table)
                    .col(Decisions::BatchId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name(BY_BATCH).table(Decisions::Table).to_owned()).await?;
        manager.drop_index(Index::drop().name(BY_ACTOR).table(Decisions::Table).to_owned()).await?;
        for column in [Decisions::Reason, Decisions::Label, Decisions::BatchId] {
            manager
                .alter_table(Table::alter().table(Decisions::Table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
