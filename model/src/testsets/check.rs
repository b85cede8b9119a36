//! Every publish checked against the test cases: the cases whose result a knowledge change
//! would change, beside the phrasings the regression check compares today.

use std::collections::HashMap;

use sea_orm::EntityTrait;

use super::entity::set;
use super::{expect_of, Points, Result};
use crate::matching::PointDoc;
use crate::services::Services;
use crate::views::{Outcome, TestRegression, TriedAnswer};

fn answered_with(t: &TriedAnswer) -> Option<i32> {
    t.knowledge_id.as_deref().filter(|_| t.outcome == Outcome::Answered).and_then(|id| id.parse().ok())
}

/// The cases of every set whose result changes if `change` is published: newly failing ones
/// first (those block a publish without force), then newly passing ones.
pub async fn regressions(s: &Services, change: &PointDoc) -> Result<Vec<TestRegression>> {
    let cases = super::all_live_cases(&s.db).await?;
    if cases.is_empty() {
        return Ok(Vec::new());
    }
    let sets: HashMap<i32, set::Model> =
        set::Entity::find().all(&s.db).await?.into_iter().map(|x| (x.id, x)).collect();
    let questions: Vec<String> = cases.iter().map(|c| c.question.clone()).collect();
    let probes = s.matcher.probes(&questions).await?;
    let tried = s.matcher.try_change_reachable(change, &probes).await;
    let points = Points::of(&s.db, &cases).await?;
    let mut out: Vec<TestRegression> = Vec::new();
    for (i, before, after) in tried {
        let c = &cases[i];
        let expect = expect_of(c);
        let (was, now) = (answered_with(&before), answered_with(&after));
        let passed_before = expect.passes(before.outcome, was);
        let passed_after = expect.passes(after.outcome, now);
        if passed_before == passed_after {
            continue;
        }
        let Some(owner) = sets.get(&c.set_id) else { continue };
        let named = |t: &TriedAnswer, id: Option<i32>| id.and(t.question.clone());
        out.push(TestRegression {
            set_id: owner.id,
            set_name: owner.name.clone(),
            kind: owner.kind,
            case_id: c.id,
            question: c.question.clone(),
            expect,
            expect_question: points.question(expect),
            was: named(&before, was),
            was_knowledge_id: was.map(|id| id.to_string()),
            now: named(&after, now),
            now_knowledge_id: now.map(|id| id.to_string()),
            passed_before,
            passed_after,
        });
    }
    out.sort_by_key(|r| (r.passed_after, r.set_id, r.case_id));
    Ok(out)
}
