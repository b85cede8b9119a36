//! Resolving a conflict between two published points: merging them (every text of one becomes
//! a phrasing of the other, which is published at once; the absorbed point is archived with its
//! history and its asks kept) or moving one phrasing from a point to another. Each is one
//! transaction: a refusal (a limit, a change waiting for review) leaves both points as they were.

use serde_json::json;

use super::entity::point;
use super::points::{archive_in, content_of, head, load, publish_in, save_in, target};
use super::{queries, require, Result};
use crate::audit;
use crate::views::{Actor, Content, PointDetail, PointStatus, Problem, RevisionNote, Role};

/// Merges `absorb` into `keep`: `absorb`'s question and phrasings become phrasings of `keep`
/// (those it already has are not repeated), `keep` is published with them, and `absorb` is
/// archived. Returns `keep` as it is now.
pub async fn merge(
    db: &sea_orm::DatabaseConnection,
    actor: &Actor,
    keep: i32,
    absorb: i32,
) -> Result<PointDetail> {
    require(actor, Role::Reviewer, "merging knowledge")?;
    if keep == absorb {
        return Err(Problem::SamePoint.into());
    }
    let txn = crate::storage::write(db).await?;
    let (kept, gone) = (published(&txn, keep).await?, published(&txn, absorb).await?);
    let mut content = content_of(&head(&txn, &kept).await?);
    let theirs = content_of(&head(&txn, &gone).await?);
    let before = content.phrasings.len();
    for text in std::iter::once(theirs.question).chain(theirs.phrasings) {
        if text != content.question && !content.phrasings.contains(&text) {
            content.phrasings.push(text);
        }
    }
    let note = RevisionNote::MergedWith { point: absorb }.to_string();
    save_in(&txn, actor, keep, None, content, Some(&note)).await?;
    // Counted as saved: normalising drops phrasings that differ only in case or spacing.
    let moved =
        content_of(&head(&txn, &load(&txn, keep).await?).await?).phrasings.len().saturating_sub(before);
    publish_in(&txn, actor, keep).await?;
    archive_in(&txn, actor, absorb, None, Some(json!({ "merged_into": keep }))).await?;
    // Test cases asking for the absorbed point now ask for the one kept.
    let cases = crate::testsets::follow_merge(&txn, absorb, keep).await?;
    audit::record(
        &txn,
        actor,
        "knowledge.merge",
        &target(keep),
        Some(json!({ "absorbed": absorb, "phrasings": moved, "test_cases": cases })),
    )
    .await?;
    txn.commit().await?;
    queries::detail(db, keep).await
}

/// Moves phrasing `text` of point `from` to point `to`; both are published with the change.
pub async fn move_phrasing(
    db: &sea_orm::DatabaseConnection,
    actor: &Actor,
    from: i32,
    to: i32,
    text: &str,
) -> Result<()> {
    require(actor, Role::Reviewer, "moving a phrasing")?;
    if from == to {
        return Err(Problem::SamePoint.into());
    }
    let txn = crate::storage::write(db).await?;
    let (source, target_point) = (published(&txn, from).await?, published(&txn, to).await?);
    let mut theirs = content_of(&head(&txn, &source).await?);
    let text = text.trim();
    let Some(at) = theirs.phrasings.iter().position(|p| p == text) else {
        return Err(Problem::NoSuchPhrasing { point: from, text: text.to_string() }.into());
    };
    let moved = theirs.phrasings.remove(at);
    // The point it left must not answer it again from its other texts: it becomes a
    // counter-example there (shown in the editor, removable like any other).
    if !theirs.counter_examples.contains(&moved)
        && theirs.counter_examples.len() < super::limits::COUNTER_EXAMPLES
    {
        theirs.counter_examples.push(moved.clone());
    }
    let mut ours: Content = content_of(&head(&txn, &target_point).await?);
    if moved != ours.question && !ours.phrasings.contains(&moved) {
        ours.phrasings.push(moved.clone());
    }
    save_in(&txn, actor, from, None, theirs, Some(&RevisionNote::PhrasingMovedTo { point: to }.to_string()))
        .await?;
    save_in(&txn, actor, to, None, ours, Some(&RevisionNote::PhrasingMovedFrom { point: from }.to_string()))
        .await?;
    publish_in(&txn, actor, from).await?;
    publish_in(&txn, actor, to).await?;
    audit::record(
        &txn,
        actor,
        "knowledge.move_phrasing",
        &target(from),
        Some(json!({ "to": to, "text": moved })),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The point, if it is published as it stands: merging and moving publish at once, so a
/// change waiting for review (or a point never published, or archived) is refused.
async fn published(db: &impl sea_orm::ConnectionTrait, id: i32) -> Result<point::Model> {
    let p = load(db, id).await?;
    match p.status {
        PointStatus::Published => Ok(p),
        _ if p.published_revision_id.is_some() && p.status != PointStatus::Archived => {
            Err(Problem::PendingChange { point: id }.into())
        }
        status => Err(Problem::NotPublished { point: id, status }.into()),
    }
}
