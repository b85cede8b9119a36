//! Migrations that rewrite stored rows, on a real SQLite file and PostgreSQL: the rows an older
//! release wrote read back as the new code expects.

mod common;

use migrations::{Migrator, MigratorTrait};
use model::misses::entity::miss;
use model::views::Language;
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn misses_stored_before_languages_existed_are_filed_by_language() {
    let dir = tempfile::tempdir().unwrap();
    for db in common::databases(dir.path(), "migration_language").await {
        let on = model::storage::backend_name(&db);
        // Back to the release before the column, and misses as it stored them. Counted by name:
        // every later migration is undone too, however many there are by now.
        let names: Vec<String> = Migrator::migrations().iter().map(|m| m.name().to_owned()).collect();
        let at = names.iter().position(|n| n == "m20261203_000017_miss_language").expect("migration 17");
        Migrator::down(&db, Some((names.len() - at) as u32)).await.unwrap();
        let insert =
            "INSERT INTO misses (question, normalized, count, status, first_seen_at, last_seen_at) VALUES \
             ('我的CX卡还没寄到', 'a', 1, 'open', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP), \
             ('where is my card', 'b', 1, 'open', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP), \
             ('my 卡 is lost', 'c', 1, 'open', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)";
        db.execute_unprepared(insert).await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        let rows = miss::Entity::find().order_by_asc(miss::Column::Normalized).all(&db).await.unwrap();
        let languages: Vec<Language> = rows.iter().map(|m| m.language).collect();
        assert_eq!(languages, [Language::Zh, Language::En, Language::En], "{on}");
    }
}
