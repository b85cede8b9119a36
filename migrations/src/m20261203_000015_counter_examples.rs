//! Counter-examples on every revision (questions the point must not answer), the point a
//! "wrong point" decision wrote them into, and on each miss event what the human agent replied
//! when the bot handed the customer over.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum KnowledgeRevisions {
    Table,
    /// A JSON array of texts.
    CounterExamples,
}

#[derive(DeriveIden)]
enum Decisions {
    Table,
    CounterKnowledgeId,
    CounterRevisionBefore,
    CounterRevisionAfter,
}

#[derive(DeriveIden)]
enum MissEvents {
    Table,
    AgentAnswer,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(KnowledgeRevisions::Table)
                    .add_column(
                        ColumnDef::new(KnowledgeRevisions::CounterExamples).text().not_null().default("[]"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(MissEvents::Table)
                    .add_column(ColumnDef::new(MissEvents::AgentAnswer).text().null())
                    .to_owned(),
            )
            .await?;
        // SQLite adds one column per ALTER TABLE.
        for column in
            [Decisions::CounterKnowledgeId, Decisions::CounterRevisionBefore, Decisions::CounterRevisionAfter]
        {
            manager
                .alter_table(
                    Table::alter()
                        .table(Decisions::Table)
                        .add_column(ColumnDef::new(column).integer().null())
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(KnowledgeRevisions::Table)
                    .drop_column(KnowledgeRevisions::CounterExamples)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter().table(MissEvents::Table).drop_column(MissEvents::AgentAnswer).to_owned(),
            )
            .await?;
        for column in
            [Decisions::CounterKnowledgeId, Decisions::CounterRevisionBefore, Decisions::CounterRevisionAfter]
        {
            manager
                .alter_table(Table::alter().table(Decisions::Table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
