//! The published knowledge as a change feed for bots: every publish and archive moves the
//! point to the next feed revision, so `since=N` returns exactly what changed after N. So does
//! each boundary of a validity window ([`super::validity`]): a point enters the feed at its
//! start and leaves it, `deleted`, at its end.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::categories::Tree;
use super::entity::point;
use super::queries::revisions_by_id;
use super::store::content_of;
use super::Result;
use crate::views::{Feed, FeedItem, PointStatus, Validity};

/// The latest feed revision (0 before anything was published).
pub async fn revision(db: &impl ConnectionTrait) -> Result<i64> {
    let max: Option<Option<i64>> = point::Entity::find()
        .select_only()
        .column_as(point::Column::FeedRevision.max(), "max")
        .into_tuple()
        .one(db)
        .await?;
    Ok(max.flatten().unwrap_or(0))
}

/// Published points changed after `since`, oldest change first; archived ones as deleted.
pub async fn since(db: &impl ConnectionTrait, since: i64) -> Result<Feed> {
    let tree = Tree::load(db).await?;
    let points = point::Entity::find()
        .filter(point::Column::FeedRevision.gt(since))
        .order_by_asc(point::Column::FeedRevision)
        .all(db)
        .await?;
    let revisions = revisions_by_id(db, points.iter().filter_map(|p| p.published_revision_id)).await?;
    let mut items = Vec::with_capacity(points.len());
    let mut latest = since;
    for p in points {
        latest = latest.max(p.feed_revision.unwrap_or(0));
        let Some(r) = p.published_revision_id.and_then(|id| revisions.get(&id)) else { continue };
        let c = content_of(r);
        items.push(FeedItem {
            id: p.id.to_string(),
            category: tree.path(c.category_id),
            question: c.question,
            phrasings: c.phrasings,
            answer: c.answer,
            answers: c.answers,
            valid_from: c.valid_from,
            valid_until: c.valid_until,
            related: c.related.iter().map(i32::to_string).collect(),
            counter_examples: c.counter_examples,
            updated_at: p.updated_at,
            // The state stamped with this feed revision, not the clock: a point leaves or
            // enters with the revision its boundary was announced at.
            deleted: p.status == PointStatus::Archived || p.validity != Validity::Live,
        });
    }
    // Exactly the last revision delivered: a publish committed after the read above comes
    // with the next call, never counted as seen without being sent.
    Ok(Feed { revision: latest, items })
}
