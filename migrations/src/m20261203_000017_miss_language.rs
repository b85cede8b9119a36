//! Each miss's language (`zh` when at least half its letters are Chinese characters, else
//! `en`), so the inbox filters by it in SQL. Existing misses are classified here, once.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Misses {
    Table,
    Id,
    Question,
    Language,
}

/// The product's rule (`model::script::cjk_share` ≥ 0.5) as it stood when this ran: a migration
/// keeps the rule it was written with.
fn chinese(text: &str) -> bool {
    let cjk =
        |c: char| matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}');
    let (mut han, mut letters) = (0usize, 0usize);
    for c in text.chars().filter(|c| c.is_alphanumeric()) {
        letters += 1;
        han += usize::from(cjk(c));
    }
    letters > 0 && 2 * han >= letters
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Misses::Table)
                    .add_column(ColumnDef::new(Misses::Language).string().not_null().default("en"))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        let select = Query::select().columns([Misses::Id, Misses::Question]).from(Misses::Table).to_owned();
        let mut ids: Vec<i64> = Vec::new();
        for row in db.query_all_raw(backend.build(&select)).await? {
            let (id, question): (i64, String) = (row.try_get("", "id")?, row.try_get("", "question")?);
            if chinese(&question) {
                ids.push(id);
            }
        }
        for chunk in ids.chunks(500) {
            let update = Query::update()
                .table(Misses::Table)
                .value(Misses::Language, "zh")
                .and_where(Expr::col(Misses::Id).is_in(chunk.iter().copied()))
                .to_owned();
            db.execute_raw(backend.build(&update)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Misses::Table).drop_column(Misses::Language).to_owned())
            .await
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn half_chinese_letters_or_more_is_chinese() {
        assert!(super::chinese("信用卡年费是多少"));
        assert!(super::chinese("CX卡怎么办"));
        assert!(!super::chinese("how much is the yearly fee"));
        assert!(!super::chinese("my 卡 is lost"));
        assert!(!super::chinese("?!"));
    }
}
