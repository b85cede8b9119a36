//! The knowledge base: a category tree, knowledge points and their revisions. A point's row
//! carries its current (head) question and category for lookups, the revision being worked on
//! and the one the bot serves; `version` is the optimistic lock, `feed_revision` orders the
//! changes bots pull with `GET /api/v1/knowledge?since=`.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Categories {
    Table,
    Id,
    ParentId,
    Name,
    Template,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum KnowledgePoints {
    Table,
    Id,
    CategoryId,
    Question,
    Status,
    HeadRevisionId,
    PublishedRevisionId,
    Version,
    FeedRevision,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum KnowledgeRevisions {
    Table,
    Id,
    KnowledgeId,
    Number,
    CategoryId,
    Question,
    Answer,
    Phrasings,
    TemplateSlot,
    State,
    Author,
    CreatedAt,
    Note,
    ReviewedBy,
    ReviewedAt,
    ReviewComment,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Categories::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(Categories::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(Categories::ParentId).integer().null())
                    .col(ColumnDef::new(Categories::Name).string().not_null())
                    .col(ColumnDef::new(Categories::Template).string().null())
                    .col(ColumnDef::new(Categories::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Categories::UpdatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(Categories::Table, Categories::ParentId)
                            .to(Categories::Table, Categories::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_categories_parent_name")
                    .table(Categories::Table)
                    .col(Categories::ParentId)
                    .col(Categories::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(KnowledgePoints::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(KnowledgePoints::Id)
                            .integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(KnowledgePoints::CategoryId).integer().not_null())
                    .col(ColumnDef::new(KnowledgePoints::Question).text().not_null())
                    .col(ColumnDef::new(KnowledgePoints::Status).string().not_null())
                    .col(ColumnDef::new(KnowledgePoints::HeadRevisionId).integer().null())
                    .col(ColumnDef::new(KnowledgePoints::PublishedRevisionId).integer().null())
                    .col(ColumnDef::new(KnowledgePoints::Version).integer().not_null())
                    .col(ColumnDef::new(KnowledgePoints::FeedRevision).big_integer().null().unique_key())
                    .col(ColumnDef::new(KnowledgePoints::CreatedBy).string().not_null())
                    .col(ColumnDef::new(KnowledgePoints::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(KnowledgePoints::UpdatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(KnowledgePoints::Table, KnowledgePoints::CategoryId)
                            .to(Categories::Table, Categories::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_knowledge_points_category")
                    .table(KnowledgePoints::Table)
                    .col(KnowledgePoints::CategoryId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(KnowledgeRevisions::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(KnowledgeRevisions::Id)
                            .integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(KnowledgeRevisions::KnowledgeId).integer().not_null())
                    .col(ColumnDef::new(KnowledgeRevisions::Number).integer().not_null())
                    .col(ColumnDef::new(KnowledgeRevisions::CategoryId).integer().not_null())
                    .col(ColumnDef::new(KnowledgeRevisions::Question).text().not_null())
                    .col(ColumnDef::new(KnowledgeRevisions::Answer).text().not_null())
                    .col(ColumnDef::new(KnowledgeRevisions::Phrasings).text().not_null())
                    .col(ColumnDef::new(KnowledgeRevisions::TemplateSlot).string().null())
                    .col(ColumnDef::new(KnowledgeRevisions::State).string().not_null())
                    .col(ColumnDef::new(KnowledgeRevisions::Author).string().not_null())
                    .col(ColumnDef::new(KnowledgeRevisions::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(KnowledgeRevisions::Note).text().null())
                    .col(ColumnDef::new(KnowledgeRevisions::ReviewedBy).string().null())
                    .col(ColumnDef::new(KnowledgeRevisions::ReviewedAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(KnowledgeRevisions::ReviewComment).text().null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(KnowledgeRevisions::Table, KnowledgeRevisions::KnowledgeId)
                            .to(KnowledgePoints::Table, KnowledgePoints::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_knowledge_revisions_point_number")
                    .table(KnowledgeRevisions::Table)
                    .col(KnowledgeRevisions::KnowledgeId)
                    .col(KnowledgeRevisions::Number)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(KnowledgeRevisions::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(KnowledgePoints::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Categories::Table).to_owned()).await
    }
}
