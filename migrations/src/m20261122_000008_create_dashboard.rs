//! The supervisor dashboard's figures as SQL aggregates that stay fast at a million asks: each
//! ask's nearest knowledge point (its category says which part of the business it was about, even
//! when it was missed), when a miss was decided, and indexes the per-day queries read from.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Asks {
    Table,
    TopKnowledgeId,
    CreatedAt,
    Channel,
    Outcome,
    KnowledgeId,
}

#[derive(DeriveIden)]
enum Misses {
    Table,
    DecidedAt,
    ClosedAt,
}

#[derive(DeriveIden)]
enum Decisions {
    Table,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Asks::Table)
                    .add_column(ColumnDef::new(Asks::TopKnowledgeId).integer().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Misses::Table)
                    .add_column(ColumnDef::new(Misses::DecidedAt).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        // Covering: the per-day and per-category counts read only the index.
        manager
            .create_index(
                Index::create()
                    .name("idx_asks_created_channel_outcome")
                    .table(Asks::Table)
                    .col(Asks::CreatedAt)
                    .col(Asks::Channel)
                    .col(Asks::Outcome)
                    .col(Asks::TopKnowledgeId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_asks_knowledge_created")
                    .table(Asks::Table)
                    .col(Asks::KnowledgeId)
                    .col(Asks::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_misses_closed_at")
                    .table(Misses::Table)
                    .col(Misses::ClosedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_misses_decided_at")
                    .table(Misses::Table)
                    .col(Misses::DecidedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_decisions_created_at")
                    .table(Decisions::Table)
                    .col(Decisions::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table) in [
            ("idx_decisions_created_at", Decisions::Table.into_iden()),
            ("idx_misses_decided_at", Misses::Table.into_iden()),
            ("idx_misses_closed_at", Misses::Table.into_iden()),
            ("idx_asks_knowledge_created", Asks::Table.into_iden()),
            ("idx_asks_created_channel_outcome", Asks::Table.into_iden()),
        ] {
            manager.drop_index(Index::drop().name(name).table(table).to_owned()).await?;
        }
        manager
            .alter_table(Table::alter().table(Misses::Table).drop_column(Misses::DecidedAt).to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table(Asks::Table).drop_column(Asks::TopKnowledgeId).to_owned())
            .await
    }
}
