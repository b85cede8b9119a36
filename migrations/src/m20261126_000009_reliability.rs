//! What keeps data whole under concurrent users and several instances: one live knowledge point
//! per (category, question) enforced by the database itself, the answers to retried requests
//! (`Idempotency-Key`), sign-in attempts every instance counts, and API tokens that can expire
//! and be revoked.

// sea-orm-migration's `schema::*` helpers: each column in one call, not-null unless `_null`.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Id,
    Route,
    Key,
    RequestHash,
    Status,
    Body,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SignInAttempts {
    Table,
    Id,
    Subject,
    At,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    ExpiresAt,
    RevokedAt,
}

/// Partial: archived points keep their question, so a new point may take it again. The syntax
/// is the same on SQLite and PostgreSQL; sea-query's index builder has no WHERE clause.
const LIVE_QUESTION: &str = "CREATE UNIQUE INDEX IF NOT EXISTS idx_points_live_question \
     ON knowledge_points (category_id, question) WHERE status <> 'archived'";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared(LIVE_QUESTION).await?;
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    .if_not_exists()
                    .col(big_pk_auto(IdempotencyKeys::Id))
                    .col(string(IdempotencyKeys::Route))
                    .col(string(IdempotencyKeys::Key))
                    .col(string(IdempotencyKeys::RequestHash))
                    .col(small_integer(IdempotencyKeys::Status))
                    .col(text(IdempotencyKeys::Body))
                    .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_idempotency_route_key")
                    .table(IdempotencyKeys::Table)
                    .col(IdempotencyKeys::Route)
                    .col(IdempotencyKeys::Key)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Expired keys are swept by age.
        manager
            .create_index(
                Index::create()
                    .name("idx_idempotency_created_at")
                    .table(IdempotencyKeys::Table)
                    .col(IdempotencyKeys::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SignInAttempts::Table)
                    .if_not_exists()
                    .col(big_pk_auto(SignInAttempts::Id))
                    .col(string(SignInAttempts::Subject))
                    .col(timestamp_with_time_zone(SignInAttempts::At))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sign_in_attempts_subject_at")
                    .table(SignInAttempts::Table)
                    .col(SignInAttempts::Subject)
                    .col(SignInAttempts::At)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ApiTokens::Table)
                    .add_column(timestamp_with_time_zone_null(ApiTokens::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ApiTokens::Table)
                    .add_column(timestamp_with_time_zone_null(ApiTokens::RevokedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(ApiTokens::Table).drop_column(ApiTokens::RevokedAt).to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table(ApiTokens::Table).drop_column(ApiTokens::ExpiresAt).to_owned())
            .await?;
        manager.drop_table(Table::drop().table(SignInAttempts::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(IdempotencyKeys::Table).to_owned()).await?;
        manager.get_connection().execute_unprepared("DROP INDEX IF EXISTS idx_points_live_question").await?;
        Ok(())
    }
}
