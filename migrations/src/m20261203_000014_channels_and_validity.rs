//! Answers per channel, validity windows and related points on every revision; on each point
//! its published window and the validity state last announced in the feed, so the boundary
//! timer finds what is due with one query and stamps each boundary exactly once.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum KnowledgeRevisions {
    Table,
    /// A JSON object of channel → answer.
    Answers,
    ValidFrom,
    ValidUntil,
    /// A JSON array of point ids.
    Related,
}

#[derive(DeriveIden)]
enum KnowledgePoints {
    Table,
    ValidFrom,
    ValidUntil,
    /// `scheduled`, `live` or `expired`, as last announced in the feed.
    Validity,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for column in [
            ColumnDef::new(KnowledgeRevisions::Answers).text().not_null().default("{}").to_owned(),
            ColumnDef::new(KnowledgeRevisions::ValidFrom).timestamp_with_time_zone().null().to_owned(),
            ColumnDef::new(KnowledgeRevisions::ValidUntil).timestamp_with_time_zone().null().to_owned(),
            ColumnDef::new(KnowledgeRevisions::Related).text().not_null().default("[]").to_owned(),
        ] {
            manager
                .alter_table(Table::alter().table(KnowledgeRevisions::Table).add_column(column).to_owned())
                .await?;
        }
        for column in [
            ColumnDef::new(KnowledgePoints::ValidFrom).timestamp_with_time_zone().null().to_owned(),
            ColumnDef::new(KnowledgePoints::ValidUntil).timestamp_with_time_zone().null().to_owned(),
            ColumnDef::new(KnowledgePoints::Validity).string().not_null().default("live").to_owned(),
        ] {
            manager
                .alter_table(Table::alter().table(KnowledgePoints::Table).add_column(column).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for iden in [
            KnowledgeRevisions::Answers,
            KnowledgeRevisions::ValidFrom,
            KnowledgeRevisions::ValidUntil,
            KnowledgeRevisions::Related,
        ] {
            manager
                .alter_table(Table::alter().table(KnowledgeRevisions::Table).drop_column(iden).to_owned())
                .await?;
        }
        for iden in [KnowledgePoints::ValidFrom, KnowledgePoints::ValidUntil, KnowledgePoints::Validity] {
            manager
                .alter_table(Table::alter().table(KnowledgePoints::Table).drop_column(iden).to_owned())
                .await?;
        }
        Ok(())
    }
}
