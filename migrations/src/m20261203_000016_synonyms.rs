//! The synonym dictionary: published entries, and the drafts trainers propose for review.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Synonyms {
    Table,
    Id,
    Canonical,
    /// A JSON array of texts.
    Variants,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SynonymDrafts {
    Table,
    Id,
    /// The published entry changed or removed; null for a new entry.
    SynonymId,
    /// add | edit | remove
    Change,
    Canonical,
    Variants,
    Author,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Synonyms::Table)
                    .if_not_exists()
                    .col(pk_auto(Synonyms::Id))
                    .col(string(Synonyms::Canonical))
                    .col(text(Synonyms::Variants))
                    .col(timestamp_with_time_zone(Synonyms::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SynonymDrafts::Table)
                    .if_not_exists()
                    .col(pk_auto(SynonymDrafts::Id))
                    .col(integer_null(SynonymDrafts::SynonymId))
                    .col(string(SynonymDrafts::Change))
                    .col(string(SynonymDrafts::Canonical))
                    .col(text(SynonymDrafts::Variants))
                    .col(string(SynonymDrafts::Author))
                    .col(timestamp_with_time_zone(SynonymDrafts::CreatedAt))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(SynonymDrafts::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Synonyms::Table).to_owned()).await?;
        Ok(())
    }
}
