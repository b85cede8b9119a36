//! Publishing a knowledge change and closing the loop. Before a draft goes live the regression
//! check lists every question whose answer would change; once it is live the matcher serves it
//! at once, and every open miss it now answers is closed and counted as loop yield.

mod closing;

use chrono::Utc;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::embedding::cache::{embed_cached, CacheError};
use crate::knowledge::{categories::Tree, limits, points, require, KnowledgeError};
use crate::matching::asks::entity as asks;
use crate::matching::preview::Probe;
use crate::matching::PointDoc;
use crate::services::Services;
use crate::views::Outcome;
use crate::views::Problem;
use crate::views::{
    Actor, Content, Field, PublishCheck, PublishReport, Regression, Role, TriedQuestion, TryReport,
};

/// Recently answered questions the regression check replays, beside the knowledge base's own
/// phrasings: the most recent distinct ones of the last `RECENT_DAYS` days.
const RECENT_ASKS: usize = 500;
const RECENT_DAYS: i64 = 30;

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// Nothing was published: the answers to these questions, or these test cases, would change.
    #[error(
        "publishing would change the answer to {} question(s) and fail {} test case(s); check them, then publish with force",
        .0.regressions.len(),
        .0.test_regressions.iter().filter(|t| !t.passed_after).count()
    )]
    Regressions(PublishCheck),
    #[error(transparent)]
    TestSets(#[from] crate::testsets::TestSetError),
    #[error(transparent)]
    Knowledge(#[from] KnowledgeError),
    #[error(transparent)]
    Embedding(#[from] CacheError),
    #[error(transparent)]
    Storage(#[from] sea_orm::DbErr),
    #[error(transparent)]
    Store(#[from] crate::storage::StorageError),
}

pub type Result<T, E = PublishError> = std::result::Result<T, E>;

/// The questions whose answer would change if point `id`'s current draft were published.
pub async fn regressions(services: &Services, id: i32) -> Result<Vec<Regression>> {
    Ok(checked_head(services, id).await?.0.regressions)
}

/// What publishing point `id`'s current draft would change: answers and test cases.
pub async fn check(services: &Services, id: i32) -> Result<PublishCheck> {
    Ok(checked_head(services, id).await?.0)
}

/// [`check`], and the revision it was computed for.
async fn checked_head(services: &Services, id: i32) -> Result<(PublishCheck, i32)> {
    let p = points::load(&services.db, id).await?;
    let head = points::head(&services.db, &p).await?;
    let content = points::content_of(&head);
    let mut texts = vec![content.question.clone()];
    texts.extend(content.phrasings.iter().cloned());
    let vectors = embed_cached(&services.db, &services.matcher.online_embedder(), &texts).await?;
    let tree = Tree::load(&services.db).await?;
    let change = PointDoc {
        knowledge_id: id,
        category: tree.path(content.category_id),
        question: content.question.clone(),
        answer: content.answer.clone(),
        answers: content.answers.clone(),
        related: content.related.clone(),
        texts,
        vectors: crate::matching::Rows::new(&vectors),
        counters: counter_rows(services, &content).await?,
    };
    let recent = recent_answers(services).await?;
    let regressions = services.matcher.regressions(&change, &recent).await;
    let test_regressions = crate::testsets::check::regressions(services, &change).await?;
    Ok((PublishCheck { regressions, test_regressions }, head.id))
}

/// The draft's counter-examples as the serving model sees them: a draft is checked with them.
async fn counter_rows(services: &Services, content: &Content) -> Result<crate::matching::Rows> {
    let texts: Vec<String> =
        content.counter_examples.iter().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect();
    let vectors = embed_cached(&services.db, &services.matcher.online_embedder(), &texts).await?;
    Ok(crate::matching::Rows::new(&vectors))
}

/// Questions one "try it" may ask beside the draft's own texts.
pub const TRY_QUESTIONS: usize = 20;

/// "Try it": how the draft `content` (of point `id`, or of a point not saved yet) would answer
/// its own texts and `questions`, beside how the published knowledge answers them now, and the
/// regression check's list — before the draft goes to review. Nothing is recorded.
pub async fn try_draft(
    services: &Services,
    actor: &Actor,
    id: Option<i32>,
    content: &Content,
    questions: &[String],
) -> Result<TryReport> {
    require(actor, Role::Trainer, "trying knowledge")?;
    if content.phrasings.len() > limits::PHRASINGS {
        let (count, max) = (content.phrasings.len(), limits::PHRASINGS);
        return Err(KnowledgeError::from(Problem::TooManyPhrasings { count, max }).into());
    }
    let mut texts: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for t in std::iter::once(&content.question).chain(&content.phrasings) {
        let t = t.trim();
        if !t.is_empty() && seen.insert(crate::knowledge::fold(t)) {
            texts.push(t.to_string());
        }
    }
    if texts.is_empty() {
        return Err(KnowledgeError::from(Problem::Empty { field: Field::Question }).into());
    }
    let mut asked: Vec<String> = Vec::new();
    for q in questions.iter().map(|q| q.trim()).filter(|q| !q.is_empty()) {
        let n = q.chars().count();
        if n > limits::QUESTION_CHARS {
            return Err(KnowledgeError::from(Problem::TooLong {
                field: Field::Question,
                chars: n,
                max: limits::QUESTION_CHARS,
            })
            .into());
        }
        if crate::knowledge::has_control(q) {
            return Err(KnowledgeError::from(Problem::ControlCharacters { field: Field::Question }).into());
        }
        if seen.insert(crate::knowledge::fold(q)) {
            asked.push(q.to_string());
        }
    }
    if asked.len() > TRY_QUESTIONS {
        return Err(KnowledgeError::from(Problem::TryQuestions { max: TRY_QUESTIONS }).into());
    }
    let embedder = services.matcher.online_embedder();
    let vectors = embed_cached(&services.db, &embedder, &texts).await?;
    let tree = Tree::load(&services.db).await?;
    let change = PointDoc {
        // A point not saved yet takes an id no point has.
        knowledge_id: id.unwrap_or(0),
        category: tree.path(content.category_id),
        question: content.question.trim().to_string(),
        answer: content.answer.clone(),
        answers: content.answers.clone(),
        related: content.related.clone(),
        texts: texts.clone(),
        vectors: crate::matching::Rows::new(&vectors),
        counters: counter_rows(services, content).await?,
    };
    let asked_vectors = embed_cached(&services.db, &embedder, &asked).await?;
    let probes: Vec<Probe> = texts
        .into_iter()
        .zip(vectors)
        .chain(asked.into_iter().zip(asked_vectors))
        .map(|(text, vector)| Probe { text, vector })
        .collect();
    let tried = services.matcher.try_change(&change, &probes).await;
    let recent = recent_answers(services).await?;
    let regressions = services.matcher.regressions(&change, &recent).await;
    Ok(TryReport {
        questions: probes
            .into_iter()
            .zip(tried)
            .map(|(p, (now, with_draft))| TriedQuestion { question: p.text, now, with_draft })
            .collect(),
        regressions,
    })
}

/// "What would answer these after linking": point `id` as it is now with `questions` added as
/// phrasings (those it lacks), tried as a draft; the report holds the rows of `questions` only.
pub async fn try_link(
    services: &Services,
    actor: &Actor,
    id: i32,
    questions: &[String],
) -> Result<TryReport> {
    let mut content =
        points::content_of(&points::head(&services.db, &points::load(&services.db, id).await?).await?);
    let mut known: std::collections::HashSet<String> = std::iter::once(&content.question)
        .chain(&content.phrasings)
        .map(|t| crate::knowledge::fold(t))
        .collect();
    for q in questions {
        if known.insert(crate::knowledge::fold(q)) {
            content.phrasings.push(q.clone());
        }
    }
    let mut report = try_draft(services, actor, Some(id), &content, &[]).await?;
    let asked: std::collections::HashSet<String> =
        questions.iter().map(|q| crate::knowledge::fold(q)).collect();
    report.questions.retain(|q| asked.contains(&crate::knowledge::fold(&q.question)));
    Ok(report)
}

/// Publishes point `id`'s draft (as the caller saw it at `version`, when given) after the
/// regression check — refused with the list unless `force` — then closes the misses it answers.
pub async fn publish(
    services: &Services,
    actor: &Actor,
    id: i32,
    version: Option<i32>,
    force: bool,
) -> Result<PublishReport> {
    require(actor, Role::Reviewer, "publishing knowledge")?;
    let (check, checked) = checked_head(services, id).await?;
    if check.blocks() && !force {
        return Err(PublishError::Regressions(check));
    }
    let txn = crate::storage::write(&services.db).await?;
    // What goes live is what was checked: a draft saved meanwhile is checked again first.
    if points::load(&txn, id).await?.head_revision_id != Some(checked) {
        return Err(KnowledgeError::from(Problem::ChangedDuringCheck { point: id }).into());
    }
    let revision = points::publish_pending_in(&txn, actor, id, version).await?;
    txn.commit().await?;
    services.knowledge_changed().await;
    // Published is published: if closing fails now, the sweep closes them within a minute.
    let closed = match closing::close_answered(services, &[id]).await {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!(error = %e, knowledge = id, "closing the misses it answers failed; the sweep will");
            0
        }
    };
    tracing::info!(
        knowledge = id,
        revision,
        regressions = check.regressions.len(),
        test_regressions = check.test_regressions.len(),
        closed,
        "knowledge published"
    );
    Ok(PublishReport {
        knowledge_id: id.to_string(),
        revision,
        regressions: check.regressions,
        test_regressions: check.test_regressions,
        closed_misses: closed,
    })
}

/// After an import that published `ids`: the misses they answer now are closed, as a publish
/// from the review page would. Returns how many.
pub async fn close_answered(services: &Services, ids: &[i32]) -> Result<usize> {
    closing::close_answered(services, ids).await
}

/// Closes the misses that knowledge published since the last sweep answers (on any instance,
/// through any path: a publish whose closing failed, an import, a crash in between). Closing
/// is idempotent, so a point closed at publish and again here changes nothing. Returns how many.
pub async fn sweep_closing(services: &Services) -> Result<usize> {
    closing::sweep(services).await
}

async fn recent_answers(services: &Services) -> Result<Vec<Probe>> {
    let since = Utc::now() - chrono::Duration::days(RECENT_DAYS);
    let rows: Vec<String> = asks::Entity::find()
        .select_only()
        .column(asks::Column::Question)
        .filter(asks::Column::Outcome.eq(Outcome::Answered))
        .filter(asks::Column::CreatedAt.gte(since))
        .filter(Condition::any().add(asks::Column::Helpful.is_null()).add(asks::Column::Helpful.eq(true)))
        .order_by_desc(asks::Column::Id)
        .limit(RECENT_ASKS as u64 * 4)
        .into_tuple()
        .all(&services.db)
        .await?;
    let mut seen = std::collections::HashSet::new();
    let texts: Vec<String> =
        rows.into_iter().filter(|q| seen.insert(crate::knowledge::fold(q))).take(RECENT_ASKS).collect();
    let vectors = embed_cached(&services.db, &services.matcher.online_embedder(), &texts).await?;
    Ok(texts.into_iter().zip(vectors).map(|(text, vector)| Probe { text, vector }).collect())
}
