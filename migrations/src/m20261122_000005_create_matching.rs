//! What matching needs and produces: cached embeddings (by model and text, so a restart does
//! not re-embed), the log of every ask, and the misses the bot reports or makes, each report kept
//! as an event beside the deduplicated question it counts towards; and how often agents open
//! each knowledge point from the search page.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Embeddings {
    Table,
    Id,
    Model,
    TextHash,
    Text,
    Vector,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Asks {
    Table,
    Id,
    AskId,
    Question,
    Channel,
    SessionId,
    Outcome,
    KnowledgeId,
    Score,
    Candidates,
    Helpful,
    Handoff,
    ChosenKnowledgeId,
    MissRecorded,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Misses {
    Table,
    Id,
    Question,
    Normalized,
    Count,
    Status,
    FirstSeenAt,
    LastSeenAt,
}

#[derive(DeriveIden)]
enum MissEvents {
    Table,
    Id,
    MissId,
    Signal,
    Channel,
    SessionId,
    AskId,
    Reason,
    OccurredAt,
    ReceivedAt,
}

#[derive(DeriveIden)]
enum KnowledgeClicks {
    Table,
    KnowledgeId,
    Clicks,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Embeddings::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(Embeddings::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Embeddings::Model).string().not_null())
                    .col(ColumnDef::new(Embeddings::TextHash).string().not_null())
                    .col(ColumnDef::new(Embeddings::Text).text().not_null())
                    .col(ColumnDef::new(Embeddings::Vector).binary().not_null())
                    .col(ColumnDef::new(Embeddings::CreatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_embeddings_model_text")
                    .table(Embeddings::Table)
                    .col(Embeddings::Model)
                    .col(Embeddings::TextHash)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Asks::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(Asks::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(Asks::AskId).string().not_null().unique_key())
                    .col(ColumnDef::new(Asks::Question).text().not_null())
                    .col(ColumnDef::new(Asks::Channel).string().not_null())
                    .col(ColumnDef::new(Asks::SessionId).string().null())
                    .col(ColumnDef::new(Asks::Outcome).string().not_null())
                    .col(ColumnDef::new(Asks::KnowledgeId).integer().null())
                    .col(ColumnDef::new(Asks::Score).float().null())
                    .col(ColumnDef::new(Asks::Candidates).text().not_null())
                    .col(ColumnDef::new(Asks::Helpful).boolean().null())
                    .col(ColumnDef::new(Asks::Handoff).boolean().null())
                    .col(ColumnDef::new(Asks::ChosenKnowledgeId).integer().null())
                    .col(ColumnDef::new(Asks::MissRecorded).boolean().not_null().default(false))
                    .col(ColumnDef::new(Asks::CreatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_asks_created_at")
                    .table(Asks::Table)
                    .col(Asks::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Misses::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(Misses::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(Misses::Question).text().not_null())
                    .col(ColumnDef::new(Misses::Normalized).string().not_null())
                    .col(ColumnDef::new(Misses::Count).integer().not_null())
                    .col(ColumnDef::new(Misses::Status).string().not_null())
                    .col(ColumnDef::new(Misses::FirstSeenAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Misses::LastSeenAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_misses_normalized")
                    .table(Misses::Table)
                    .col(Misses::Normalized)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MissEvents::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(MissEvents::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(MissEvents::MissId).big_integer().not_null())
                    .col(ColumnDef::new(MissEvents::Signal).string().not_null())
                    .col(ColumnDef::new(MissEvents::Channel).string().not_null())
                    .col(ColumnDef::new(MissEvents::SessionId).string().null())
                    .col(ColumnDef::new(MissEvents::AskId).string().null())
                    .col(ColumnDef::new(MissEvents::Reason).text().null())
                    .col(ColumnDef::new(MissEvents::OccurredAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(MissEvents::ReceivedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(MissEvents::Table, MissEvents::MissId)
                            .to(Misses::Table, Misses::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(KnowledgeClicks::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(KnowledgeClicks::KnowledgeId).integer().not_null().primary_key())
                    .col(ColumnDef::new(KnowledgeClicks::Clicks).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_miss_events_miss")
                    .table(MissEvents::Table)
                    .col(MissEvents::MissId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(KnowledgeClicks::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(MissEvents::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Misses::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Asks::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Embeddings::Table).to_owned()).await
    }
}
