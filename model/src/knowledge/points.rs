//! The lifecycle of a knowledge point: draft → in review → published (→ archived), every step
//! a new revision or a state change of one, under an optimistic lock (`version`), in one
//! transaction with its audit record.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::json;

use super::entity::{point, revision};
pub(crate) use super::store::{content_of, head, load, revision};
use super::{categories, limits, normalize, queries, require, KnowledgeError, Result};
use crate::audit;
use crate::views::{Actor, Content, PointDetail, PointStatus, RevisionNote, RevisionState, Role, Validity};
use crate::views::{Field, Problem, Thing};

/// Creates a knowledge point as a draft.
pub async fn create(db: &DatabaseConnection, actor: &Actor, content: Content) -> Result<PointDetail> {
    let txn = crate::storage::write(db).await?;
    let id = create_in(&txn, actor, content).await?;
    txn.commit().await?;
    queries::detail(db, id).await
}

pub(crate) async fn create_in(db: &impl ConnectionTrait, actor: &Actor, content: Content) -> Result<i32> {
    require(actor, Role::Trainer, "writing knowledge")?;
    let content = normalize(content)?;
    check_category(db, content.category_id).await?;
    check_unique(db, content.category_id, &content.question, None).await?;
    check_related(db, &content.related, None).await?;
    let now = Utc::now();
    let p = point::ActiveModel {
        category_id: Set(content.category_id),
        question: Set(content.question.clone()),
        status: Set(PointStatus::Draft),
        head_revision_id: Set(None),
        published_revision_id: Set(None),
        version: Set(1),
        feed_revision: Set(None),
        created_by: Set(actor.name.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let rev = insert_revision(db, p.id, 1, &content, actor, Some(&RevisionNote::Created.to_string())).await?;
    point::Entity::update_many()
        .col_expr(point::Column::HeadRevisionId, Expr::value(rev.id))
        .filter(point::Column::Id.eq(p.id))
        .exec(db)
        .await?;
    audit::record(
        db,
        actor,
        "knowledge.create",
        &target(p.id),
        Some(json!({ "question": content.question })),
    )
    .await?;
    Ok(p.id)
}

/// Saves an edit as a new draft revision. `version` is the one the editor loaded: if someone
/// changed the point since, nothing is saved and the error says who and when.
pub async fn save(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    version: i32,
    content: Content,
) -> Result<PointDetail> {
    let txn = crate::storage::write(db).await?;
    save_in(&txn, actor, id, Some(version), content, None).await?;
    txn.commit().await?;
    queries::detail(db, id).await
}

/// Returns whether anything changed. `version: None` edits whatever is current (imports).
pub(crate) async fn save_in(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i32,
    version: Option<i32>,
    content: Content,
    note: Option<&str>,
) -> Result<bool> {
    require(actor, Role::Trainer, "writing knowledge")?;
    let content = normalize(content)?;
    let p = load(db, id).await?;
    let version = version.unwrap_or(p.version);
    check_version(db, &p, version).await?;
    check_category(db, content.category_id).await?;
    check_unique(db, content.category_id, &content.question, Some(id)).await?;
    check_related(db, &content.related, Some(id)).await?;
    let head = head(db, &p).await?;
    if p.status != PointStatus::Archived && content_of(&head) == content {
        return Ok(false);
    }
    if head_is_pending(&head) {
        set_state(db, head.id, RevisionState::Superseded).await?;
    }
    // Not the head's number + 1: a withdrawn draft (an undone inbox decision) keeps its number
    // after the head went back to the revision before it.
    let rev = insert_revision(db, id, last_number(db, id).await? + 1, &content, actor, note).await?;
    bump(
        db,
        &p,
        version,
        point::ActiveModel {
            category_id: Set(content.category_id),
            question: Set(content.question.clone()),
            status: Set(PointStatus::Draft),
            head_revision_id: Set(Some(rev.id)),
            ..Default::default()
        },
    )
    .await?;
    audit::record(
        db,
        actor,
        "knowledge.save",
        &target(id),
        Some(json!({ "revision": rev.number, "note": note })),
    )
    .await?;
    Ok(true)
}

/// Sends the current draft to the review queue.
pub async fn submit(db: &DatabaseConnection, actor: &Actor, id: i32, version: i32) -> Result<PointDetail> {
    let txn = crate::storage::write(db).await?;
    submit_in(&txn, actor, id, Some(version)).await?;
    txn.commit().await?;
    queries::detail(db, id).await
}

/// [`submit`] in the caller's transaction; `version: None` submits whatever is current (a
/// trainer's inbox decision that has just saved the draft).
pub(crate) async fn submit_in(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i32,
    version: Option<i32>,
) -> Result<()> {
    require(actor, Role::Trainer, "submitting knowledge for review")?;
    let version = match version {
        Some(v) => v,
        None => load(db, id).await?.version,
    };
    let (p, head) = locked(db, id, version).await?;
    if !matches!(head.state, RevisionState::Draft | RevisionState::Rejected) {
        return Err(Problem::NoDraftToSubmit { point: id, status: p.status }.into());
    }
    set_state(db, head.id, RevisionState::InReview).await?;
    bump(db, &p, version, status(PointStatus::InReview)).await?;
    audit::record(db, actor, "knowledge.submit", &target(id), Some(json!({ "revision": head.number })))
        .await?;
    Ok(())
}

/// Approves the revision in review and publishes it: the bot serves it from now on.
pub async fn approve(db: &DatabaseConnection, actor: &Actor, id: i32, version: i32) -> Result<PointDetail> {
    require(actor, Role::Reviewer, "approving knowledge")?;
    let txn = crate::storage::write(db).await?;
    let (p, head) = locked(&txn, id, version).await?;
    expect_in_review(&p, &head)?;
    publish_head(&txn, actor, &p, &head).await?;
    txn.commit().await?;
    queries::detail(db, id).await
}

/// Publishes the head revision whatever its state: for `import --publish` by a reviewer.
pub(crate) async fn publish_in(db: &impl ConnectionTrait, actor: &Actor, id: i32) -> Result<()> {
    require(actor, Role::Reviewer, "publishing knowledge")?;
    let p = load(db, id).await?;
    let head = head(db, &p).await?;
    if p.published_revision_id == Some(head.id) && p.status == PointStatus::Published {
        return Ok(());
    }
    publish_head(db, actor, &p, &head).await
}

/// Takes back the pending revision `after` that an inbox decision wrote (its undo). The point
/// returns to revision `before` — what it was, published or a draft (a draft the decision had
/// replaced comes back as a draft) — or, when the decision created it, is archived unseen.
/// Refused once `after` was published or edited over.
pub(crate) async fn withdraw_in(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i32,
    after: i32,
    before: Option<i32>,
) -> Result<()> {
    let p = load(db, id).await?;
    let head = head(db, &p).await?;
    if head.id != after || !head_is_pending(&head) {
        return Err(Problem::ChangedSinceDecision { point: id }.into());
    }
    set_state(db, after, RevisionState::Superseded).await?;
    let changes = match before {
        None => status(PointStatus::Archived),
        Some(b) => {
            let prev = revision::Entity::find_by_id(b)
                .one(db)
                .await?
                .ok_or_else(|| KnowledgeError::from(Problem::not_found(Thing::Revision, b)))?;
            let live = p.published_revision_id == Some(b);
            if !live {
                set_state(db, b, RevisionState::Draft).await?;
            }
            point::ActiveModel {
                category_id: Set(prev.category_id),
                question: Set(prev.question.clone()),
                status: Set(if live { PointStatus::Published } else { PointStatus::Draft }),
                head_revision_id: Set(Some(b)),
                ..Default::default()
            }
        }
    };
    bump(db, &p, p.version, changes).await?;
    audit::record(db, actor, "knowledge.withdraw", &target(id), Some(json!({ "revision": head.number })))
        .await?;
    Ok(())
}

/// Throws away the pending draft (in review or sent back included): the point is its published
/// revision again. Refused when nothing is published to go back to (archive such a point) or
/// nothing is pending. Returns the published revision. The inbox takes back the decisions that
/// wrote into the draft (see `Inbox::discard_draft`).
pub(crate) async fn discard_in(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i32,
    version: i32,
) -> Result<i32> {
    require(actor, Role::Trainer, "writing knowledge")?;
    let (p, head) = locked(db, id, version).await?;
    let published = match p.published_revision_id {
        Some(live) if live != head.id && head_is_pending(&head) => live,
        _ => return Err(Problem::NoDraftToDiscard { point: id, status: p.status }.into()),
    };
    let live = revision(db, published).await?;
    set_state(db, head.id, RevisionState::Superseded).await?;
    bump(
        db,
        &p,
        version,
        point::ActiveModel {
            category_id: Set(live.category_id),
            question: Set(live.question.clone()),
            status: Set(PointStatus::Published),
            head_revision_id: Set(Some(published)),
            ..Default::default()
        },
    )
    .await?;
    audit::record(db, actor, "knowledge.discard", &target(id), Some(json!({ "revision": head.number })))
        .await?;
    Ok(published)
}

/// Publishes the pending draft (in review or not) as the caller last saw it (`version`, when
/// given); returns the feed revision bots see it at. For the publish route and the workbench.
pub(crate) async fn publish_pending_in(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i32,
    version: Option<i32>,
) -> Result<i64> {
    require(actor, Role::Reviewer, "publishing knowledge")?;
    let p = load(db, id).await?;
    if let Some(v) = version {
        check_version(db, &p, v).await?;
    }
    let head = head(db, &p).await?;
    if !matches!(head.state, RevisionState::Draft | RevisionState::InReview) {
        return Err(Problem::NoDraftToPublish { point: id, status: p.status }.into());
    }
    publish_head(db, actor, &p, &head).await?;
    Ok(load(db, id).await?.feed_revision.unwrap_or_default())
}

async fn publish_head(
    db: &impl ConnectionTrait,
    actor: &Actor,
    p: &point::Model,
    head: &revision::Model,
) -> Result<()> {
    if let Some(old) = p.published_revision_id.filter(|old| *old != head.id) {
        set_state(db, old, RevisionState::Superseded).await?;
    }
    let now = Utc::now();
    revision::ActiveModel {
        id: Set(head.id),
        state: Set(RevisionState::Published),
        reviewed_by: Set(Some(actor.name.clone())),
        reviewed_at: Set(Some(now)),
        ..Default::default()
    }
    .update(db)
    .await?;
    let feed = next_feed_revision(db).await?;
    bump(
        db,
        p,
        p.version,
        point::ActiveModel {
            status: Set(PointStatus::Published),
            published_revision_id: Set(Some(head.id)),
            feed_revision: Set(Some(feed)),
            valid_from: Set(head.valid_from),
            valid_until: Set(head.valid_until),
            validity: Set(Validity::at(head.valid_from, head.valid_until, now)),
            ..Default::default()
        },
    )
    .await?;
    audit::record(
        db,
        actor,
        "knowledge.publish",
        &target(p.id),
        Some(json!({ "revision": head.number, "feed": feed })),
    )
    .await?;
    Ok(())
}

/// Sends the revision in review back to its author with a comment.
pub async fn reject(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    version: i32,
    comment: &str,
) -> Result<PointDetail> {
    require(actor, Role::Reviewer, "rejecting knowledge")?;
    let comment = comment.trim();
    if comment.is_empty() {
        return Err(Problem::CommentNeeded.into());
    }
    let chars = comment.chars().count();
    if chars > limits::COMMENT_CHARS {
        return Err(Problem::TooLong { field: Field::Comment, chars, max: limits::COMMENT_CHARS }.into());
    }
    let txn = crate::storage::write(db).await?;
    let (p, head) = locked(&txn, id, version).await?;
    expect_in_review(&p, &head)?;
    revision::ActiveModel {
        id: Set(head.id),
        state: Set(RevisionState::Rejected),
        reviewed_by: Set(Some(actor.name.clone())),
        reviewed_at: Set(Some(Utc::now())),
        review_comment: Set(Some(comment.to_string())),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    bump(&txn, &p, version, status(PointStatus::Rejected)).await?;
    audit::record(
        &txn,
        actor,
        "knowledge.reject",
        &target(id),
        Some(json!({ "revision": head.number, "comment": comment })),
    )
    .await?;
    txn.commit().await?;
    queries::detail(db, id).await
}

/// Takes a point out of service: bots see it as deleted; its history stays.
pub async fn archive(db: &DatabaseConnection, actor: &Actor, id: i32, version: i32) -> Result<PointDetail> {
    require(actor, Role::Reviewer, "archiving knowledge")?;
    let txn = crate::storage::write(db).await?;
    archive_in(&txn, actor, id, Some(version), None).await?;
    txn.commit().await?;
    queries::detail(db, id).await
}

/// [`archive`] in the caller's transaction; `version: None` archives whatever is current.
pub(crate) async fn archive_in(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i32,
    version: Option<i32>,
    note: Option<serde_json::Value>,
) -> Result<()> {
    require(actor, Role::Reviewer, "archiving knowledge")?;
    let version = match version {
        Some(v) => v,
        None => load(db, id).await?.version,
    };
    let (p, head) = locked(db, id, version).await?;
    if p.status == PointStatus::Archived {
        return Err(Problem::AlreadyArchived { point: id }.into());
    }
    if head_is_pending(&head) {
        set_state(db, head.id, RevisionState::Superseded).await?;
    }
    let feed = match p.published_revision_id {
        Some(_) => Some(next_feed_revision(db).await?),
        None => p.feed_revision,
    };
    bump(
        db,
        &p,
        version,
        point::ActiveModel {
            status: Set(PointStatus::Archived),
            feed_revision: Set(feed),
            ..Default::default()
        },
    )
    .await?;
    audit::record(db, actor, "knowledge.archive", &target(id), note).await?;
    Ok(())
}

/// Makes an earlier revision the current draft again (a new revision: history only grows).
pub async fn restore(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    version: i32,
    number: i32,
) -> Result<PointDetail> {
    let txn = crate::storage::write(db).await?;
    let old = revision::Entity::find()
        .filter(revision::Column::KnowledgeId.eq(id))
        .filter(revision::Column::Number.eq(number))
        .one(&txn)
        .await?
        .ok_or_else(|| KnowledgeError::from(Problem::RevisionNotFound { point: id, number: Some(number) }))?;
    let note = RevisionNote::Restored { revision: number }.to_string();
    let changed = save_in(&txn, actor, id, Some(version), content_of(&old), Some(&note)).await?;
    if !changed {
        return Err(Problem::AlreadyCurrent { revision: number }.into());
    }
    txn.commit().await?;
    queries::detail(db, id).await
}

/// The point as the caller last saw it (`version`), with its head revision; a stale version is
/// refused before anything is read further.
async fn locked(db: &impl ConnectionTrait, id: i32, version: i32) -> Result<(point::Model, revision::Model)> {
    let p = load(db, id).await?;
    check_version(db, &p, version).await?;
    let head = head(db, &p).await?;
    Ok((p, head))
}

fn expect_in_review(p: &point::Model, head: &revision::Model) -> Result<()> {
    if head.state == RevisionState::InReview {
        Ok(())
    } else {
        Err(Problem::NotInReview { point: p.id, status: p.status }.into())
    }
}

pub(crate) fn target(id: i32) -> String {
    format!("knowledge:{id}")
}

fn head_is_pending(r: &revision::Model) -> bool {
    matches!(r.state, RevisionState::Draft | RevisionState::InReview | RevisionState::Rejected)
}

fn status(s: PointStatus) -> point::ActiveModel {
    point::ActiveModel { status: Set(s), ..Default::default() }
}

async fn insert_revision(
    db: &impl ConnectionTrait,
    knowledge_id: i32,
    number: i32,
    c: &Content,
    actor: &Actor,
    note: Option<&str>,
) -> Result<revision::Model> {
    Ok(revision::ActiveModel {
        knowledge_id: Set(knowledge_id),
        number: Set(number),
        category_id: Set(c.category_id),
        question: Set(c.question.clone()),
        answer: Set(c.answer.clone()),
        phrasings: Set(serde_json::to_string(&c.phrasings).unwrap_or_else(|_| "[]".into())),
        template_slot: Set(c.template_slot.clone()),
        state: Set(RevisionState::Draft),
        author: Set(actor.name.clone()),
        created_at: Set(Utc::now()),
        note: Set(note.map(str::to_string)),
        reviewed_by: Set(None),
        reviewed_at: Set(None),
        review_comment: Set(None),
        answers: Set(serde_json::to_string(&c.answers).unwrap_or_else(|_| "{}".into())),
        valid_from: Set(c.valid_from),
        valid_until: Set(c.valid_until),
        related: Set(serde_json::to_string(&c.related).unwrap_or_else(|_| "[]".into())),
        counter_examples: Set(serde_json::to_string(&c.counter_examples).unwrap_or_else(|_| "[]".into())),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

async fn set_state(db: &impl ConnectionTrait, revision_id: i32, s: RevisionState) -> Result<()> {
    revision::Entity::update_many()
        .col_expr(revision::Column::State, Expr::value(s))
        .filter(revision::Column::Id.eq(revision_id))
        .exec(db)
        .await?;
    Ok(())
}

async fn check_version(db: &impl ConnectionTrait, p: &point::Model, version: i32) -> Result<()> {
    if p.version == version {
        return Ok(());
    }
    let last = head(db, p).await.ok();
    let (who, when) = last
        .map(|r| (r.reviewed_by.unwrap_or(r.author), r.reviewed_at.unwrap_or(r.created_at)))
        .unwrap_or_else(|| ("someone".into(), p.updated_at));
    Err(Problem::Stale { point: p.id, by: who, at: when, yours: version, now: p.version }.into())
}

/// Writes `changes` only if the point is still at `version`, and moves the version on.
async fn bump(
    db: &impl ConnectionTrait,
    p: &point::Model,
    version: i32,
    mut changes: point::ActiveModel,
) -> Result<()> {
    changes.version = Set(version + 1);
    changes.updated_at = Set(Utc::now());
    let done = point::Entity::update_many()
        .set(changes)
        .filter(point::Column::Id.eq(p.id))
        .filter(point::Column::Version.eq(version))
        .exec(db)
        .await?;
    if done.rows_affected == 1 {
        Ok(())
    } else {
        check_version(db, &load(db, p.id).await?, version)
            .await
            .and(Err(Problem::ChangedWhileSaving { point: p.id }.into()))
    }
}

async fn check_category(db: &impl ConnectionTrait, id: i32) -> Result<()> {
    if categories::exists(db, id).await? {
        Ok(())
    } else {
        Err(Problem::not_found(Thing::Category, id).into())
    }
}

/// The highest revision number point `id` has used.
async fn last_number(db: &impl ConnectionTrait, id: i32) -> Result<i32> {
    let last: Option<Option<i32>> = revision::Entity::find()
        .select_only()
        .column_as(revision::Column::Number.max(), "last")
        .filter(revision::Column::KnowledgeId.eq(id))
        .into_tuple()
        .one(db)
        .await?;
    Ok(last.flatten().unwrap_or(0))
}

/// Related points exist, are not archived and are not the point itself.
async fn check_related(db: &impl ConnectionTrait, related: &[i32], itself: Option<i32>) -> Result<()> {
    if itself.is_some_and(|id| related.contains(&id)) {
        return Err(Problem::RelatedToItself.into());
    }
    if related.is_empty() {
        return Ok(());
    }
    let found: Vec<i32> = point::Entity::find()
        .select_only()
        .column(point::Column::Id)
        .filter(point::Column::Id.is_in(related.iter().copied()))
        .filter(point::Column::Status.ne(PointStatus::Archived))
        .into_tuple()
        .all(db)
        .await?;
    match related.iter().find(|id| !found.contains(id)) {
        Some(missing) => Err(Problem::not_found(Thing::Point, missing).into()),
        None => Ok(()),
    }
}

/// One live knowledge point per (category, question): that pair is what imports match on.
async fn check_unique(
    db: &impl ConnectionTrait,
    category_id: i32,
    question: &str,
    except: Option<i32>,
) -> Result<()> {
    let mut q = point::Entity::find()
        .filter(point::Column::CategoryId.eq(category_id))
        .filter(point::Column::Question.eq(question))
        .filter(point::Column::Status.ne(PointStatus::Archived));
    if let Some(id) = except {
        q = q.filter(point::Column::Id.ne(id));
    }
    match q.one(db).await? {
        Some(other) => Err(Problem::DuplicateQuestion { point: other.id }.into()),
        None => Ok(()),
    }
}

pub(crate) async fn find_by_question(
    db: &impl ConnectionTrait,
    category_id: i32,
    question: &str,
) -> Result<Option<point::Model>> {
    Ok(point::Entity::find()
        .filter(point::Column::CategoryId.eq(category_id))
        .filter(point::Column::Question.eq(question))
        .filter(point::Column::Status.ne(PointStatus::Archived))
        .order_by_desc(point::Column::Id)
        .one(db)
        .await?)
}

/// The revision the change being written gets in the feed. Write transactions run one at a time
/// (`storage::write`), so revisions are given in commit order and none is given twice.
pub(crate) async fn next_feed_revision(db: &impl ConnectionTrait) -> Result<i64> {
    crate::storage::notify::feed_changed(db).await?;
    Ok(super::feed::revision(db).await? + 1)
}
