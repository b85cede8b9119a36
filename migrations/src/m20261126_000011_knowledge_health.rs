//! Knowledge health: the pairs of points a trainer marked "not a conflict" (so the report stops
//! raising them), and a covering index that lets the health list count each point's answers,
//! ratings, handoffs and clarification choices over a period from the index alone.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ConflictDismissals {
    Table,
    FirstId,
    SecondId,
    Actor,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Asks {
    Table,
    CreatedAt,
    KnowledgeId,
    ChosenKnowledgeId,
    Helpful,
    Handoff,
}

const INDEX: &str = "idx_asks_created_health";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ConflictDismissals::Table)
                    .if_not_exists()
                    .col(integer(ConflictDismissals::FirstId))
                    .col(integer(ConflictDismissals::SecondId))
                    .col(string(ConflictDismissals::Actor))
                    .col(timestamp_with_time_zone(ConflictDismissals::CreatedAt))
                    .primary_key(
                        Index::create().col(ConflictDismissals::FirstId).col(ConflictDismissals::SecondId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Asks::Table)
                    .col(Asks::CreatedAt)
                    .col(Asks::KnowledgeId)
                    .col(Asks::ChosenKnowledgeId)
                    .col(Asks::Helpful)
                    .col(Asks::Handoff)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name(INDEX).table(Asks::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(ConflictDismissals::Table).to_owned()).await
    }
}
