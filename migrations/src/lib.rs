//! botcoach's schema history. Each migration is one file named by its creation time; the same
//! files run on SQLite and PostgreSQL, so they use sea-query's portable schema builder only.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_create_app_meta;
mod m20261122_000002_create_accounts;
mod m20261122_000003_create_knowledge;
mod m20261122_000004_create_sessions_and_audit;
mod m20261122_000005_create_matching;
mod m20261122_000006_create_inbox;
mod m20261122_000007_create_workbench;
mod m20261122_000008_create_dashboard;
mod m20261126_000009_reliability;
mod m20261126_000010_model_versions;
mod m20261126_000011_knowledge_health;
mod m20261202_000012_decision_batches;
mod m20261202_000013_privacy;
mod m20261203_000014_channels_and_validity;
mod m20261203_000015_counter_examples;
mod m20261203_000016_synonyms;
mod m20261203_000017_miss_language;
mod m20261203_000018_test_sets;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_app_meta::Migration),
            Box::new(m20261122_000002_create_accounts::Migration),
            Box::new(m20261122_000003_create_knowledge::Migration),
            Box::new(m20261122_000004_create_sessions_and_audit::Migration),
            Box::new(m20261122_000005_create_matching::Migration),
            Box::new(m20261122_000006_create_inbox::Migration),
            Box::new(m20261122_000007_create_workbench::Migration),
            Box::new(m20261122_000008_create_dashboard::Migration),
            Box::new(m20261126_000009_reliability::Migration),
            Box::new(m20261126_000010_model_versions::Migration),
            Box::new(m20261126_000011_knowledge_health::Migration),
            Box::new(m20261202_000012_decision_batches::Migration),
            Box::new(m20261202_000013_privacy::Migration),
            Box::new(m20261203_000014_channels_and_validity::Migration),
            Box::new(m20261203_000015_counter_examples::Migration),
            Box::new(m20261203_000016_synonyms::Migration),
            Box::new(m20261203_000017_miss_language::Migration),
            Box::new(m20261203_000018_test_sets::Migration),
        ]
    }
}
