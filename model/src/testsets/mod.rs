//! Test sets: questions with what the bot must do with each — answer with a given point, or not
//! answer — that trainers write or import, and that fill themselves from what customers
//! confirmed ([`fill`]). A run asks every case as a dry-run `/ask` would ([`run`]); every
//! publish is checked against the cases ([`check`]).

pub mod check;
pub mod fill;
pub mod run;
pub mod transfer;

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::json;

use crate::audit;
use crate::knowledge::entity::point;
use crate::knowledge::{fold, has_control, require};
use crate::matching::MatchError;
use crate::services::Services;
use crate::storage::StorageError;
use crate::views::{
    Actor, CaseFlag, Channel, Expect, Field, NewCase, NewTestSet, PointStatus, Problem, Role, SetKind,
    TestCase, TestSetDetail, TestSetSummary, Thing,
};

pub mod limits {
    /// Cases in one set: a run of this many takes minutes of the model's time.
    pub const CASES: usize = 20_000;
    pub const NAME_CHARS: usize = 80;
}

#[derive(Debug, thiserror::Error)]
pub enum TestSetError {
    /// Bad input, a missing set, a set that does not take the action; nothing was changed.
    #[error(transparent)]
    Refused(#[from] Problem),
    #[error(transparent)]
    Matching(#[from] MatchError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sea_orm::DbErr> for TestSetError {
    fn from(e: sea_orm::DbErr) -> Self {
        TestSetError::Storage(StorageError::Db(e))
    }
}

impl From<crate::knowledge::KnowledgeError> for TestSetError {
    fn from(e: crate::knowledge::KnowledgeError) -> Self {
        match e {
            crate::knowledge::KnowledgeError::Refused(p) => TestSetError::Refused(p),
            other => TestSetError::Matching(MatchError::Knowledge(other)),
        }
    }
}

pub type Result<T, E = TestSetError> = std::result::Result<T, E>;

pub mod entity {
    pub mod set {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "test_sets")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub name: String,
            pub kind: crate::views::SetKind,
            pub created_by: String,
            pub created_at: ChronoDateTimeUtc,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod case {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "test_cases")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub set_id: i32,
            pub question: String,
            /// The question folded, with its channel: one case per question and channel in a set.
            pub normalized: String,
            pub channel: crate::views::Channel,
            /// None: the question must stay unanswered.
            pub expect_knowledge_id: Option<i32>,
            pub origin: crate::views::SetKind,
            pub origin_ask_id: Option<String>,
            pub origin_miss_id: Option<i64>,
            pub origin_at: Option<ChronoDateTimeUtc>,
            /// Removed by a trainer: kept so that a set that fills itself does not take it again.
            pub removed_at: Option<ChronoDateTimeUtc>,
            pub created_at: ChronoDateTimeUtc,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod run {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "test_runs")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub set_id: i32,
            pub state: crate::views::RunState,
            pub started_by: String,
            pub started_at: ChronoDateTimeUtc,
            pub finished_at: Option<ChronoDateTimeUtc>,
            pub total: i32,
            pub done: i32,
            pub passed: i32,
            pub answered: i32,
            pub answered_right: i32,
            /// JSON array of `views::CaseResult`.
            pub results: String,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }
}

use entity::{case, set};

/// The key a set holds a question under: folded text and channel.
pub(crate) fn normalized(question: &str, channel: Channel) -> String {
    format!("{}\u{1f}{}", fold(question), channel.as_str())
}

/// A case's question as `/ask` takes it: the same checks, personal data masked.
fn checked_question(s: &Services, question: &str) -> Result<String> {
    let q = question.trim();
    if q.is_empty() {
        return Err(Problem::Empty { field: Field::Question }.into());
    }
    let max = crate::matching::service::QUESTION_CHARS;
    let chars = q.chars().count();
    if chars > max {
        return Err(Problem::TooLong { field: Field::Question, chars, max }.into());
    }
    if has_control(q) {
        return Err(Problem::ControlCharacters { field: Field::Question }.into());
    }
    Ok(s.matcher.masker().mask(q).into_owned())
}

fn checked_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Problem::Empty { field: Field::TestSetName }.into());
    }
    let chars = name.chars().count();
    if chars > limits::NAME_CHARS {
        return Err(Problem::TooLong { field: Field::TestSetName, chars, max: limits::NAME_CHARS }.into());
    }
    if has_control(name) {
        return Err(Problem::ControlCharacters { field: Field::TestSetName }.into());
    }
    Ok(name.to_string())
}

/// The cases checked and keyed; a question repeated on one channel is kept once (its last
/// expectation wins, as a later line of a file corrects an earlier one). Expected points must
/// exist and not be archived.
async fn checked_cases(s: &Services, cases: &[NewCase]) -> Result<Vec<(String, String, NewCase)>> {
    if cases.len() > limits::CASES {
        return Err(Problem::TooManyCases { max: limits::CASES }.into());
    }
    let mut out: Vec<(String, String, NewCase)> = Vec::with_capacity(cases.len());
    let mut at: HashMap<String, usize> = HashMap::new();
    for c in cases {
        let question = checked_question(s, &c.question)?;
        let key = normalized(&question, c.channel);
        let case = NewCase { question: question.clone(), ..c.clone() };
        match at.get(&key) {
            Some(&i) => out[i] = (key, question, case),
            None => {
                at.insert(key.clone(), out.len());
                out.push((key, question, case));
            }
        }
    }
    let ids: Vec<i32> = out.iter().filter_map(|(_, _, c)| c.expect.point()).collect();
    let points: HashMap<i32, PointStatus> = point::Entity::find()
        .filter(point::Column::Id.is_in(ids.clone()))
        .all(&s.db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.status))
        .collect();
    for id in ids {
        match points.get(&id) {
            None => return Err(Problem::not_found(Thing::Point, id).into()),
            Some(PointStatus::Archived) => return Err(Problem::Archived { point: id }.into()),
            Some(_) => {}
        }
    }
    Ok(out)
}

/// Creates a set of `new.cases`, written by `actor` (trainer or above).
pub async fn create(s: &Services, actor: &Actor, new: &NewTestSet) -> Result<i32> {
    require(actor, Role::Trainer, "create a test set")?;
    let name = checked_name(&new.name)?;
    let cases = checked_cases(s, &new.cases).await?;
    let txn = crate::storage::write(&s.db).await?;
    if manual_named(&txn, &name).await?.is_some() {
        return Err(Problem::TestSetExists { name }.into());
    }
    let now = Utc::now();
    let row = set::ActiveModel {
        name: Set(name.clone()),
        kind: Set(SetKind::Manual),
        created_by: Set(actor.name.clone()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    insert_cases(&txn, row.id, cases).await?;
    audit::record(
        &txn,
        actor,
        "testset.create",
        &format!("testset:{}", row.id),
        Some(json!({ "name": name })),
    )
    .await?;
    txn.commit().await?;
    Ok(row.id)
}

async fn insert_cases(
    db: &impl ConnectionTrait,
    set_id: i32,
    cases: Vec<(String, String, NewCase)>,
) -> Result<()> {
    let now = Utc::now();
    let rows: Vec<case::ActiveModel> = cases
        .into_iter()
        .map(|(key, question, c)| case::ActiveModel {
            set_id: Set(set_id),
            question: Set(question),
            normalized: Set(key),
            channel: Set(c.channel),
            expect_knowledge_id: Set(c.expect.point()),
            origin: Set(SetKind::Manual),
            created_at: Set(now),
            ..Default::default()
        })
        .collect();
    for chunk in rows.chunks(500) {
        case::Entity::insert_many(chunk.to_vec()).exec_without_returning(db).await?;
    }
    Ok(())
}

/// Replaces the cases of manual set `id` with `cases` (an import into an existing set).
pub async fn replace_cases(s: &Services, actor: &Actor, id: i32, cases: &[NewCase]) -> Result<usize> {
    require(actor, Role::Trainer, "change a test set")?;
    let cases = checked_cases(s, cases).await?;
    let n = cases.len();
    let txn = crate::storage::write(&s.db).await?;
    let row = find_set(&txn, id).await?;
    if row.kind != SetKind::Manual {
        return Err(Problem::FilledSet.into());
    }
    case::Entity::delete_many().filter(case::Column::SetId.eq(id)).exec(&txn).await?;
    insert_cases(&txn, id, cases).await?;
    audit::record(&txn, actor, "testset.replace", &format!("testset:{id}"), Some(json!({ "cases": n })))
        .await?;
    txn.commit().await?;
    Ok(n)
}

/// Imports `bytes` (of `format`) as manual set `name`: a new set, or the cases of the manual
/// set of that name replaced. All or nothing; a refusal names the line at fault.
pub async fn import(
    s: &Services,
    actor: &Actor,
    name: &str,
    format: transfer::SetFormat,
    bytes: &[u8],
) -> Result<crate::views::TestSetImported> {
    require(actor, Role::Trainer, "import a test set")?;
    let at_line = |line: usize, problem: Problem| match line {
        0 => problem,
        line => Problem::AtLine { line, problem: Box::new(problem) },
    };
    let cases = transfer::parse(format, bytes).map_err(|(line, p)| at_line(line, p))?;
    let name = checked_name(name)?;
    // By name only: an import named like a filled set's kind or like an id is a new set.
    let id = match manual_named(&s.db, &name).await? {
        Some(set) => {
            replace_cases(s, actor, set.id, &cases).await?;
            set.id
        }
        None => create(s, actor, &NewTestSet { name, cases }).await?,
    };
    Ok(crate::views::TestSetImported { id, cases: live_cases(&s.db, id).await?.len() })
}

/// Set `id`'s cases as a file of `format`.
pub async fn export(db: &impl ConnectionTrait, id: i32, format: transfer::SetFormat) -> Result<Vec<u8>> {
    let d = detail(db, id).await?;
    transfer::write(format, &d.cases).map_err(|e| TestSetError::Matching(MatchError::Internal(e)))
}

/// The manual set of this name (names compare folded).
async fn manual_named(db: &impl ConnectionTrait, name: &str) -> Result<Option<set::Model>> {
    let wanted = fold(name);
    Ok(set::Entity::find()
        .filter(set::Column::Kind.eq(SetKind::Manual))
        .all(db)
        .await?
        .into_iter()
        .find(|s| fold(&s.name) == wanted))
}

pub(crate) async fn find_set(db: &impl ConnectionTrait, id: i32) -> Result<set::Model> {
    set::Entity::find_by_id(id).one(db).await?.ok_or_else(|| Problem::not_found(Thing::TestSet, id).into())
}

/// Removes case `case_id` of set `set_id`; it is kept aside, so a set that fills itself does
/// not take it again.
pub async fn remove(s: &Services, actor: &Actor, set_id: i32, case_id: i32) -> Result<()> {
    require(actor, Role::Trainer, "remove a test case")?;
    let txn = crate::storage::write(&s.db).await?;
    let row = case::Entity::find_by_id(case_id)
        .filter(case::Column::SetId.eq(set_id))
        .filter(case::Column::RemovedAt.is_null())
        .one(&txn)
        .await?
        .ok_or_else(|| Problem::not_found(Thing::TestCase, case_id))?;
    let mut active: case::ActiveModel = row.into();
    active.removed_at = Set(Some(Utc::now()));
    active.update(&txn).await?;
    audit::record(&txn, actor, "testset.remove_case", &format!("testcase:{case_id}"), None).await?;
    txn.commit().await?;
    Ok(())
}

/// What the cases' expected points are now: their typical question, and a flag where a case
/// cannot pass as it stands.
pub(crate) struct Points(HashMap<i32, (String, PointStatus, i32)>);

impl Points {
    pub(crate) async fn of(db: &impl ConnectionTrait, cases: &[case::Model]) -> Result<Self> {
        Self::of_ids(db, cases.iter().filter_map(|c| c.expect_knowledge_id).collect()).await
    }

    pub(crate) async fn of_ids(db: &impl ConnectionTrait, mut ids: Vec<i32>) -> Result<Self> {
        ids.sort_unstable();
        ids.dedup();
        let mut map = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            for p in point::Entity::find().filter(point::Column::Id.is_in(chunk.to_vec())).all(db).await? {
                map.insert(p.id, (p.question, p.status, p.category_id));
            }
        }
        Ok(Points(map))
    }

    pub(crate) fn question(&self, expect: Expect) -> Option<String> {
        expect.point().and_then(|id| self.0.get(&id)).map(|(q, _, _)| q.clone())
    }

    pub(crate) fn category_id(&self, expect: Expect) -> Option<i32> {
        expect.point().and_then(|id| self.0.get(&id)).map(|(_, _, c)| *c)
    }

    pub(crate) fn flag(&self, expect: Expect) -> Option<CaseFlag> {
        let id = expect.point()?;
        match self.0.get(&id) {
            None => Some(CaseFlag::PointMissing),
            Some((_, PointStatus::Archived, _)) => Some(CaseFlag::PointArchived),
            Some(_) => None,
        }
    }
}

/// Every case of every set, removed ones aside.
pub(crate) async fn all_live_cases(db: &impl ConnectionTrait) -> Result<Vec<case::Model>> {
    Ok(case::Entity::find()
        .filter(case::Column::RemovedAt.is_null())
        .order_by_asc(case::Column::Id)
        .all(db)
        .await?)
}

pub(crate) fn expect_of(c: &case::Model) -> Expect {
    c.expect_knowledge_id.map_or(Expect::Unanswered, Expect::Point)
}

pub(crate) async fn live_cases(db: &impl ConnectionTrait, set_id: i32) -> Result<Vec<case::Model>> {
    Ok(case::Entity::find()
        .filter(case::Column::SetId.eq(set_id))
        .filter(case::Column::RemovedAt.is_null())
        .order_by_asc(case::Column::Id)
        .all(db)
        .await?)
}

fn view(c: &case::Model, points: &Points) -> TestCase {
    let expect = expect_of(c);
    TestCase {
        id: c.id,
        question: c.question.clone(),
        channel: c.channel,
        expect,
        expect_question: points.question(expect),
        origin: c.origin,
        origin_ask_id: c.origin_ask_id.clone(),
        origin_at: c.origin_at,
        flag: points.flag(expect),
    }
}

/// Every set (manual ones by name, then the ones that fill themselves), with its latest run.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<TestSetSummary>> {
    let mut sets = set::Entity::find().all(db).await?;
    sets.sort_by_key(|s| (s.kind != SetKind::Manual, s.kind, s.name.to_lowercase()));
    let mut out = Vec::with_capacity(sets.len());
    for row in sets {
        out.push(summary(db, &row).await?);
    }
    Ok(out)
}

async fn summary(db: &impl ConnectionTrait, row: &set::Model) -> Result<TestSetSummary> {
    let cases = live_cases(db, row.id).await?;
    let points = Points::of(db, &cases).await?;
    let flagged = cases.iter().filter(|c| points.flag(expect_of(c)).is_some()).count();
    let last_run = run::runs(db, row.id, 1).await?.into_iter().next();
    Ok(TestSetSummary {
        id: row.id,
        name: row.name.clone(),
        kind: row.kind,
        cases: cases.len(),
        flagged,
        last_run,
    })
}

/// A set with its cases (flagged first) and its runs, newest first.
pub async fn detail(db: &impl ConnectionTrait, id: i32) -> Result<TestSetDetail> {
    let row = find_set(db, id).await?;
    let cases = live_cases(db, id).await?;
    let points = Points::of(db, &cases).await?;
    let mut views: Vec<TestCase> = cases.iter().map(|c| view(c, &points)).collect();
    views.sort_by_key(|c| (c.flag.is_none(), c.id));
    Ok(TestSetDetail { set: summary(db, &row).await?, cases: views, runs: run::runs(db, id, 50).await? })
}

/// A set by name (manual sets) or by kind word (`confirmed`, `chosen`, `out_of_scope`), or by id.
pub async fn find_by_name(db: &impl ConnectionTrait, name: &str) -> Result<set::Model> {
    let sets = set::Entity::find().all(db).await?;
    let wanted = fold(name);
    sets.iter()
        .find(|s| s.kind == SetKind::Manual && fold(&s.name) == wanted)
        .or_else(|| sets.iter().find(|s| s.kind != SetKind::Manual && s.kind.as_str() == wanted))
        .or_else(|| name.trim().parse::<i32>().ok().and_then(|id| sets.iter().find(|s| s.id == id)))
        .cloned()
        .ok_or_else(|| Problem::not_found(Thing::TestSet, name).into())
}

/// Cases expecting `absorbed` now expect `kept`: a merge keeps what the cases ask for.
pub(crate) async fn follow_merge(
    db: &impl ConnectionTrait,
    absorbed: i32,
    kept: i32,
) -> Result<u64, sea_orm::DbErr> {
    let r = case::Entity::update_many()
        .col_expr(case::Column::ExpectKnowledgeId, sea_orm::sea_query::Expr::value(kept))
        .filter(case::Column::ExpectKnowledgeId.eq(absorbed))
        .exec(db)
        .await?;
    Ok(r.rows_affected)
}

/// Deletes the cases taken from these asks and misses (a customer session erased).
pub(crate) async fn forget(
    db: &impl ConnectionTrait,
    ask_ids: &[String],
    miss_ids: &[i64],
) -> Result<(), sea_orm::DbErr> {
    for chunk in ask_ids.chunks(500) {
        case::Entity::delete_many().filter(case::Column::OriginAskId.is_in(chunk.to_vec())).exec(db).await?;
    }
    for chunk in miss_ids.chunks(500) {
        case::Entity::delete_many().filter(case::Column::OriginMissId.is_in(chunk.to_vec())).exec(db).await?;
    }
    Ok(())
}
