//! Privacy: the daily figures of asks and misses that retention deletes are kept as rollups
//! first (the dashboard adds them to what is left, so its history survives), and indexes that
//! find one customer's session for export and erasure, and old closed misses for retention.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Asks deleted by retention, counted by UTC day and what the dashboard groups them by.
#[derive(DeriveIden)]
enum AskRollups {
    Table,
    Id,
    Day,
    Channel,
    Outcome,
    KnowledgeId,
    TopKnowledgeId,
    Asks,
}

/// Miss reports and closed misses deleted by retention, by UTC day and figure.
#[derive(DeriveIden)]
enum MissRollups {
    Table,
    Id,
    Day,
    Figure,
    Channel,
    KnowledgeId,
    Misses,
}

#[derive(DeriveIden)]
enum Asks {
    Table,
    SessionId,
}

#[derive(DeriveIden)]
enum MissEvents {
    Table,
    SessionId,
}

#[derive(DeriveIden)]
enum Misses {
    Table,
    Status,
    ClosedAt,
}

const ASK_ROLLUPS_DAY: &str = "idx_ask_rollups_day";
const MISS_ROLLUPS_DAY: &str = "idx_miss_rollups_day";
const ASKS_SESSION: &str = "idx_asks_session";
const EVENTS_SESSION: &str = "idx_miss_events_session";
const MISSES_CLOSED: &str = "idx_misses_status_closed";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AskRollups::Table)
                    .if_not_exists()
                    .col(big_pk_auto(AskRollups::Id))
                    .col(string(AskRollups::Day))
                    .col(string(AskRollups::Channel))
                    .col(string(AskRollups::Outcome))
                    .col(integer_null(AskRollups::KnowledgeId))
                    .col(integer_null(AskRollups::TopKnowledgeId))
                    .col(big_integer(AskRollups::Asks))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MissRollups::Table)
                    .if_not_exists()
                    .col(big_pk_auto(MissRollups::Id))
                    .col(string(MissRollups::Day))
                    .col(string(MissRollups::Figure))
                    .col(string_null(MissRollups::Channel))
                    .col(integer_null(MissRollups::KnowledgeId))
                    .col(big_integer(MissRollups::Misses))
                    .to_owned(),
            )
            .await?;
        let indexes = [
            Index::create().name(ASK_ROLLUPS_DAY).table(AskRollups::Table).col(AskRollups::Day).to_owned(),
            Index::create().name(MISS_ROLLUPS_DAY).table(MissRollups::Table).col(MissRollups::Day).to_owned(),
            Index::create().name(ASKS_SESSION).table(Asks::Table).col(Asks::SessionId).to_owned(),
            Index::create()
                .name(EVENTS_SESSION)
                .table(MissEvents::Table)
                .col(MissEvents::SessionId)
                .to_owned(),
            Index::create()
                .name(MISSES_CLOSED)
                .table(Misses::Table)
                .col(Misses::Status)
                .col(Misses::ClosedAt)
                .to_owned(),
        ];
        for mut index in indexes {
            manager.create_index(index.if_not_exists().to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name(MISSES_CLOSED).table(Misses::Table).to_owned()).await?;
        manager.drop_index(Index::drop().name(EVENTS_SESSION).table(MissEvents::Table).to_owned()).await?;
        manager.drop_index(Index::drop().name(ASKS_SESSION).table(Asks::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(MissRollups::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(AskRollups::Table).to_owned()).await
    }
}
