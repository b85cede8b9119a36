//! A run: every case of a set asked as a dry-run `/ask` (through the ask queue, in steps), each
//! result kept, compared with the set's previous run.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::entity::{case, run, set};
use super::{expect_of, find_set, live_cases, Points, Result};
use crate::knowledge::require;
use crate::matching::batch::Decided;
use crate::services::Services;
use crate::views::{
    Actor, CaseChange, CaseResult, CategoryResult, Problem, Role, RunReport, RunState, RunSummary, SetKind,
    Thing,
};

/// A run still `running` after this long was cut off (its instance stopped): it no longer
/// blocks a new run of its set and shows as failed.
const CUT_OFF_MINUTES: i64 = 30;

fn state_of(r: &run::Model) -> RunState {
    if r.state == RunState::Running && r.started_at < Utc::now() - Duration::minutes(CUT_OFF_MINUTES) {
        RunState::Failed
    } else {
        r.state
    }
}

fn summary(r: &run::Model) -> RunSummary {
    let n = |v: i32| usize::try_from(v).unwrap_or(0);
    RunSummary {
        run_id: r.id,
        state: state_of(r),
        started_at: r.started_at,
        finished_at: r.finished_at,
        started_by: r.started_by.clone(),
        total: n(r.total),
        done: n(r.done),
        passed: n(r.passed),
        answered: n(r.answered),
        answered_right: n(r.answered_right),
    }
}

/// Set `set_id`'s latest `limit` runs, newest first.
pub async fn runs(db: &impl ConnectionTrait, set_id: i32, limit: u64) -> Result<Vec<RunSummary>> {
    Ok(run::Entity::find()
        .filter(run::Column::SetId.eq(set_id))
        .order_by_desc(run::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .iter()
        .map(summary)
        .collect())
}

/// A run in full.
pub async fn report(db: &impl ConnectionTrait, run_id: i32) -> Result<RunReport> {
    let r = run::Entity::find_by_id(run_id)
        .one(db)
        .await?
        .ok_or_else(|| Problem::not_found(Thing::TestRun, run_id))?;
    let s = find_set(db, r.set_id).await?;
    let cases: Vec<CaseResult> = serde_json::from_str(&r.results).unwrap_or_else(|e| {
        tracing::error!(run = run_id, error = %e, "a test run's results do not read back");
        Vec::new()
    });
    let previous = previous(db, &r).await?;
    let count = |c: CaseChange| cases.iter().filter(|x| x.change == Some(c)).count();
    Ok(RunReport {
        run: summary(&r),
        set_id: s.id,
        set_name: s.name.clone(),
        kind: s.kind,
        previous_run_id: previous.as_ref().map(|p| p.id),
        newly_failing: count(CaseChange::NewlyFailing),
        newly_passing: count(CaseChange::NewlyPassing),
        categories: categories(&cases),
        cases,
    })
}

/// The set's last finished run before `r`.
async fn previous(db: &impl ConnectionTrait, r: &run::Model) -> Result<Option<run::Model>> {
    Ok(run::Entity::find()
        .filter(run::Column::SetId.eq(r.set_id))
        .filter(run::Column::Id.lt(r.id))
        .filter(run::Column::State.eq(RunState::Done))
        .order_by_desc(run::Column::Id)
        .one(db)
        .await?)
}

fn categories(cases: &[CaseResult]) -> Vec<CategoryResult> {
    let mut by: BTreeMap<Option<String>, (usize, usize)> = BTreeMap::new();
    for c in cases {
        let e = by.entry(c.category.clone()).or_default();
        e.0 += 1;
        e.1 += usize::from(c.passed);
    }
    let mut out: Vec<CategoryResult> = by
        .into_iter()
        .map(|(category, (total, passed))| CategoryResult { category, total, passed })
        .collect();
    // The weakest first: that is where a trainer looks.
    out.sort_by(|a, b| {
        let share = |c: &CategoryResult| c.passed as f64 / c.total.max(1) as f64;
        share(a).total_cmp(&share(b)).then(b.total.cmp(&a.total))
    });
    out
}

/// A run begun: its row, and the cases it asks.
struct Begun {
    run: run::Model,
    cases: Vec<case::Model>,
}

impl Services {
    /// Starts a run of set `set_id` and returns its id; the run goes on in the background
    /// (see [`crate::testsets::run::report`] for its progress).
    pub async fn start_test_run(&self, actor: &Actor, set_id: i32) -> Result<i32> {
        let begun = self.begin_test_run(actor, set_id).await?;
        let id = begun.run.id;
        let services = self.clone();
        tokio::spawn(async move {
            if let Err(e) = services.finish_test_run(begun).await {
                tracing::error!(run = id, error = %e, "test run failed");
            }
        });
        Ok(id)
    }

    /// Runs set `set_id` and waits for its report.
    pub async fn run_test_set(&self, actor: &Actor, set_id: i32) -> Result<RunReport> {
        let begun = self.begin_test_run(actor, set_id).await?;
        let id = begun.run.id;
        self.finish_test_run(begun).await?;
        report(&self.db, id).await
    }

    async fn begin_test_run(&self, actor: &Actor, set_id: i32) -> Result<Begun> {
        require(actor, Role::Trainer, "run a test set")?;
        let s = find_set(&self.db, set_id).await?;
        if s.kind != SetKind::Manual {
            super::fill::fill(self, Some(s.kind)).await?;
        }
        let txn = crate::storage::write(&self.db).await?;
        let running = run::Entity::find()
            .filter(run::Column::SetId.eq(set_id))
            .filter(run::Column::State.eq(RunState::Running))
            .all(&txn)
            .await?
            .iter()
            .any(|r| state_of(r) == RunState::Running);
        if running {
            return Err(Problem::TestRunRunning.into());
        }
        let cases = live_cases(&txn, set_id).await?;
        let total = i32::try_from(cases.len()).unwrap_or(i32::MAX);
        let row = run::ActiveModel {
            set_id: Set(set_id),
            state: Set(RunState::Running),
            started_by: Set(actor.name.clone()),
            started_at: Set(Utc::now()),
            finished_at: Set(None),
            total: Set(total),
            done: Set(0),
            passed: Set(0),
            answered: Set(0),
            answered_right: Set(0),
            results: Set("[]".into()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(Begun { run: row, cases })
    }

    async fn finish_test_run(&self, begun: Begun) -> Result<()> {
        let id = begun.run.id;
        match self.ask_cases(&begun).await {
            Ok(()) => Ok(()),
            Err(e) => {
                let mut row: run::ActiveModel = begun.run.into();
                row.state = Set(RunState::Failed);
                row.finished_at = Set(Some(Utc::now()));
                if let Err(write) = row.update(&self.db).await {
                    tracing::error!(run = id, error = %write, "cannot mark a failed test run");
                }
                Err(e)
            }
        }
    }

    async fn ask_cases(&self, begun: &Begun) -> Result<()> {
        let questions: Vec<String> = begun.cases.iter().map(|c| c.question.clone()).collect();
        let mut asking = self.matcher.asking(&questions);
        let mut decided: Vec<Decided> = Vec::with_capacity(questions.len());
        while let Some(step) = asking.step().await {
            decided.extend(step.map_err(super::TestSetError::Matching)?);
            run::Entity::update_many()
                .col_expr(run::Column::Done, sea_orm::sea_query::Expr::value(decided.len() as i32))
                .filter(run::Column::Id.eq(begun.run.id))
                .exec(&self.db)
                .await?;
        }
        let points = Points::of(&self.db, &begun.cases).await?;
        let got_points =
            Points::of_ids(&self.db, decided.iter().filter_map(Decided::answered_with).collect()).await?;
        let paths: HashMap<i32, String> =
            crate::knowledge::categories::tree(&self.db).await?.into_iter().map(|c| (c.id, c.path)).collect();
        let before: HashMap<i32, bool> = match previous(&self.db, &begun.run).await? {
            Some(p) => serde_json::from_str::<Vec<CaseResult>>(&p.results)
                .unwrap_or_default()
                .into_iter()
                .map(|c| (c.case_id, c.passed))
                .collect(),
            None => HashMap::new(),
        };
        let had_previous = !before.is_empty();
        let mut results: Vec<CaseResult> = begun
            .cases
            .iter()
            .zip(&decided)
            .map(|(c, d)| {
                let expect = expect_of(c);
                let got = d.answered_with();
                let passed = expect.passes(d.outcome, got);
                let change = match before.get(&c.id) {
                    Some(&was) if was && !passed => Some(CaseChange::NewlyFailing),
                    Some(&was) if !was && passed => Some(CaseChange::NewlyPassing),
                    Some(_) => None,
                    None => had_previous.then_some(CaseChange::New),
                };
                CaseResult {
                    case_id: c.id,
                    question: c.question.clone(),
                    channel: c.channel,
                    expect,
                    expect_question: points.question(expect),
                    passed,
                    outcome: d.outcome,
                    got: got.map(|id| id.to_string()),
                    got_question: got.and_then(|id| got_points.question(crate::views::Expect::Point(id))),
                    score: d.score(),
                    category: points.category_id(expect).and_then(|id| paths.get(&id).cloned()),
                    flag: points.flag(expect),
                    change,
                }
            })
            .collect();
        // Failures first, newly failing ones at the top.
        results.sort_by_key(|c| (c.passed, c.change != Some(CaseChange::NewlyFailing), c.case_id));
        let answered = results.iter().filter(|c| c.got.is_some()).count();
        let right = results.iter().filter(|c| c.got.is_some() && c.passed).count();
        let passed = results.iter().filter(|c| c.passed).count();
        let json = serde_json::to_string(&results)
            .map_err(|e| crate::matching::MatchError::Internal(e.to_string()))?;
        let mut row: run::ActiveModel = begun.run.clone().into();
        row.state = Set(RunState::Done);
        row.finished_at = Set(Some(Utc::now()));
        row.done = Set(decided.len() as i32);
        row.passed = Set(passed as i32);
        row.answered = Set(answered as i32);
        row.answered_right = Set(right as i32);
        row.results = Set(json);
        row.update(&self.db).await?;
        Ok(())
    }
}

/// Sets' latest runs for the dashboard: every set with at least one run.
pub async fn latest(db: &impl ConnectionTrait) -> Result<Vec<(set::Model, RunSummary)>> {
    let mut out = Vec::new();
    for s in set::Entity::find().order_by_asc(set::Column::Id).all(db).await? {
        if let Some(r) = runs(db, s.id, 1).await?.into_iter().next() {
            out.push((s, r));
        }
    }
    Ok(out)
}
