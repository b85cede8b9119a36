//! Test sets: cases (a question and what must happen to it), the sets that hold them, and runs.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TestSets {
    Table,
    Id,
    /// A trainer's name for a manual set; empty for a set that fills itself.
    Name,
    /// manual | confirmed | chosen | out_of_scope
    Kind,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TestCases {
    Table,
    Id,
    SetId,
    Question,
    /// The question folded with its channel: a set holds a question once per channel.
    Normalized,
    Channel,
    /// The point that must answer; null: the question must stay unanswered.
    ExpectKnowledgeId,
    /// The set kind the case came from.
    Origin,
    OriginAskId,
    OriginMissId,
    OriginAt,
    /// A trainer removed it: kept, so the set does not fill it again.
    RemovedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TestRuns {
    Table,
    Id,
    SetId,
    /// running | done | failed
    State,
    StartedBy,
    StartedAt,
    FinishedAt,
    Total,
    Done,
    Passed,
    Answered,
    AnsweredRight,
    /// JSON: each case's result.
    Results,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TestSets::Table)
                    .if_not_exists()
                    .col(pk_auto(TestSets::Id))
                    .col(string(TestSets::Name))
                    .col(string(TestSets::Kind))
                    .col(string(TestSets::CreatedBy))
                    .col(timestamp_with_time_zone(TestSets::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TestCases::Table)
                    .if_not_exists()
                    .col(pk_auto(TestCases::Id))
                    .col(integer(TestCases::SetId))
                    .col(text(TestCases::Question))
                    .col(text(TestCases::Normalized))
                    .col(string(TestCases::Channel))
                    .col(integer_null(TestCases::ExpectKnowledgeId))
                    .col(string(TestCases::Origin))
                    .col(string_null(TestCases::OriginAskId))
                    .col(big_integer_null(TestCases::OriginMissId))
                    .col(timestamp_with_time_zone_null(TestCases::OriginAt))
                    .col(timestamp_with_time_zone_null(TestCases::RemovedAt))
                    .col(timestamp_with_time_zone(TestCases::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_test_cases_set_normalized")
                    .table(TestCases::Table)
                    .col(TestCases::SetId)
                    .col(TestCases::Normalized)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_test_cases_expect")
                    .table(TestCases::Table)
                    .col(TestCases::ExpectKnowledgeId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TestRuns::Table)
                    .if_not_exists()
                    .col(pk_auto(TestRuns::Id))
                    .col(integer(TestRuns::SetId))
                    .col(string(TestRuns::State))
                    .col(string(TestRuns::StartedBy))
                    .col(timestamp_with_time_zone(TestRuns::StartedAt))
                    .col(timestamp_with_time_zone_null(TestRuns::FinishedAt))
                    .col(integer(TestRuns::Total))
                    .col(integer(TestRuns::Done))
                    .col(integer(TestRuns::Passed))
                    .col(integer(TestRuns::Answered))
                    .col(integer(TestRuns::AnsweredRight))
                    .col(text(TestRuns::Results))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_test_runs_set")
                    .table(TestRuns::Table)
                    .col(TestRuns::SetId)
                    .col(TestRuns::Id)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(TestRuns::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(TestCases::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(TestSets::Table).to_owned()).await?;
        Ok(())
    }
}
