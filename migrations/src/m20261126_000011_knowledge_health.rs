//! Knowledge health: the pairs of points a trainer marked "not a conflict" (so the report stops
//! raising them), and covering indexes that let the health list count each point's answers,
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

const BY_POINT: &str = "idx_asks_knowledge_health";
const BY_CHOICE: &str = "idx_asks_chosen_health";

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
        // Led by the point, then the time: the health list counts each point's range.
        manager
            .create_index(
                Index::create()
                    .name(BY_POINT)
                    .table(Asks::Table)
                    .col(Asks::KnowledgeId)
                    .col(Asks::CreatedAt)
                    .col(Asks::Helpful)
                    .col(Asks::Handoff)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(BY_CHOICE)
                    .table(Asks::Table)
                    .col(Asks::ChosenKnowledgeId)
                    .col(Asks::CreatedAt)
                    .col(Asks::KnowledgeId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in [BY_CHOICE, BY_POINT] {
            manager.drop_index(Index::drop().name(name).table(Asks::Table).to_owned()).await?;
        }
        manager.drop_table(Table::drop().table(ConflictDismissals::Table).to_owned()).await
    }
}
