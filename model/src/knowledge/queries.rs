//! Reading the knowledge base: one point, lists and search, history, the review queue, a
//! module's knowledge page and a trainer's own drafts.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::categories::{self, Tree};
use super::diff::{diff, Side};
use super::entity::{point, revision};
use super::store::{content_of, head, load};
use super::{fold, Result};
use crate::views::MissStatus;
use crate::views::{
    HistoryEntry, ModulePage, MyDraft, PointDetail, PointStatus, PointSummary, PublishedPoint, RelatedPoint,
    ReviewItem, RevisionState, RevisionView, SlotView, TrainerDesk, Validity,
};

pub async fn detail(db: &impl ConnectionTrait, id: i32) -> Result<PointDetail> {
    let p = load(db, id).await?;
    let tree = Tree::load(db).await?;
    let head = head(db, &p).await?;
    let published = match p.published_revision_id {
        Some(r) if r == head.id => Some(head.clone()),
        Some(r) => revision::Entity::find_by_id(r).one(db).await?,
        None => None,
    };
    let head = view(&tree, &head);
    let questions = if head.content.related.is_empty() { HashMap::new() } else { questions(db).await? };
    let related = head
        .content
        .related
        .iter()
        .filter_map(|id| {
            let question = questions.get(id)?.clone();
            Some(RelatedPoint { knowledge_id: id.to_string(), question })
        })
        .collect();
    Ok(PointDetail {
        id: p.id,
        version: p.version,
        status: p.status,
        head,
        published: published.map(|r| view(&tree, &r)),
        loop_yield: loop_yield(db, id).await?,
        related,
    })
}

/// Misses this point closed once published.
async fn loop_yield(db: &impl ConnectionTrait, id: i32) -> Result<i64> {
    use crate::misses::entity::miss;
    use sea_orm::PaginatorTrait;
    Ok(miss::Entity::find()
        .filter(miss::Column::Status.eq(MissStatus::Closed))
        .filter(miss::Column::KnowledgeId.eq(id))
        .count(db)
        .await? as i64)
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only points in this category and the categories below it.
    pub category_id: Option<i32>,
    /// Every word must occur in the question, a phrasing or the answer (any case; Chinese
    /// works as substrings, so no segmenter is needed to find a term).
    pub text: Option<String>,
    pub status: Option<PointStatus>,
    /// Only points whose latest content is in this state of its validity window.
    pub validity: Option<Validity>,
    pub include_archived: bool,
}

/// Points matching the filter, those whose question matches first, then by last change.
pub async fn list(db: &impl ConnectionTrait, filter: &Filter) -> Result<Vec<PointSummary>> {
    let tree = Tree::load(db).await?;
    let mut q = point::Entity::find();
    if let Some(s) = filter.status {
        q = q.filter(point::Column::Status.eq(s.as_str()));
    } else if !filter.include_archived {
        q = q.filter(point::Column::Status.ne(PointStatus::Archived));
    }
    let points = q.order_by_desc(point::Column::UpdatedAt).all(db).await?;
    let points: Vec<point::Model> = match filter.category_id {
        Some(c) => points.into_iter().filter(|p| within(&tree, p.category_id, c)).collect(),
        None => points,
    };
    let heads = heads(db, &points).await?;
    let terms: Vec<String> =
        filter.text.as_deref().map(|t| t.split_whitespace().map(fold).collect()).unwrap_or_default();
    let mut scored: Vec<(u8, PointSummary)> = Vec::new();
    let now = Utc::now();
    for p in &points {
        let Some(h) = p.head_revision_id.and_then(|id| heads.get(&id)) else { continue };
        let c = content_of(h);
        if filter.validity.is_some_and(|v| v != c.validity(now)) {
            continue;
        }
        let score = if terms.is_empty() {
            1
        } else {
            let question = fold(&c.question);
            let everything = format!("{question}\n{}\n{}", fold(&c.phrasings.join("\n")), fold(&c.answer));
            if !terms.iter().all(|t| everything.contains(t.as_str())) {
                continue;
            }
            if terms.iter().all(|t| question.contains(t.as_str())) {
                2
            } else {
                1
            }
        };
        scored.push((score, summary(&tree, p, h)));
    }
    scored.sort_by(|a, b| b.0.cmp(&a.0));
    Ok(scored.into_iter().map(|(_, s)| s).collect())
}

/// Every revision, newest first, each with what it changed against the one before.
pub async fn history(db: &impl ConnectionTrait, id: i32) -> Result<Vec<HistoryEntry>> {
    load(db, id).await?;
    let tree = Tree::load(db).await?;
    let questions = questions(db).await?;
    let revs = revision::Entity::find()
        .filter(revision::Column::KnowledgeId.eq(id))
        .order_by_asc(revision::Column::Number)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(revs.len());
    let mut before: Option<(String, revision::Model)> = None;
    for r in revs {
        let path = tree.path(r.category_id);
        let changes = {
            let prev = before.as_ref().map(|(path, r)| (path.as_str(), content_of(r)));
            let cur = content_of(&r);
            let prev_side = prev.as_ref().map(|(path, c)| side(path, c, &questions));
            diff(prev_side.as_ref(), &side(&path, &cur, &questions))
        };
        out.push(HistoryEntry { revision: view(&tree, &r), changes });
        before = Some((path, r));
    }
    out.reverse();
    Ok(out)
}

/// Everything waiting for a reviewer, oldest submission first, each as a diff against what
/// the bot serves now.
pub async fn review_queue(db: &impl ConnectionTrait) -> Result<Vec<ReviewItem>> {
    let tree = Tree::load(db).await?;
    let questions = questions(db).await?;
    let points = point::Entity::find()
        .filter(point::Column::Status.eq(PointStatus::InReview))
        .order_by_asc(point::Column::UpdatedAt)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(points.len());
    for p in points {
        let head = head(db, &p).await?;
        let published = match p.published_revision_id {
            Some(r) => revision::Entity::find_by_id(r).one(db).await?,
            None => None,
        };
        let now = content_of(&head);
        let now_path = tree.path(now.category_id);
        let was = published.as_ref().map(|r| (tree.path(r.category_id), content_of(r)));
        let was_side = was.as_ref().map(|(path, c)| side(path, c, &questions));
        out.push(ReviewItem {
            point: summary(&tree, &p, &head),
            diff: diff(was_side.as_ref(), &side(&now_path, &now, &questions)),
            first_publication: published.is_none(),
            submitted: view(&tree, &head),
        });
    }
    Ok(out)
}

/// A module's page: its published points in order, its template's slots and which are filled.
pub async fn module_page(db: &impl ConnectionTrait, category_id: i32) -> Result<ModulePage> {
    let category = categories::get(db, category_id).await?;
    let tree = Tree::load(db).await?;
    let points = point::Entity::find()
        .filter(point::Column::CategoryId.eq(category_id))
        .filter(point::Column::Status.ne(PointStatus::Archived))
        .order_by_asc(point::Column::Id)
        .all(db)
        .await?;
    let heads = heads(db, &points).await?;
    let published = revisions_by_id(db, points.iter().filter_map(|p| p.published_revision_id)).await?;
    let mut page_points = Vec::new();
    let mut unpublished = Vec::new();
    for p in &points {
        if let Some(r) = p.published_revision_id.and_then(|id| published.get(&id)) {
            let c = content_of(r);
            page_points.push(PublishedPoint {
                id: p.id,
                validity: c.validity(Utc::now()),
                question: c.question,
                answer: c.answer,
                answers: c.answers,
                phrasings: c.phrasings,
                template_slot: c.template_slot,
                valid_from: c.valid_from,
                valid_until: c.valid_until,
                updated_at: r.reviewed_at.unwrap_or(r.created_at),
            });
        }
        if p.status != PointStatus::Published {
            if let Some(h) = p.head_revision_id.and_then(|id| heads.get(&id)) {
                unpublished.push(summary(&tree, p, h));
            }
        }
    }
    let slots = category
        .template
        .map(|t| {
            t.slots()
                .iter()
                .map(|key| SlotView {
                    key: key.to_string(),
                    filled_by: page_points
                        .iter()
                        .filter(|p| p.template_slot.as_deref() == Some(*key))
                        .map(|p| p.id)
                        .collect(),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(ModulePage { category, slots, points: page_points, unpublished })
}

fn within(tree: &Tree, category: i32, ancestor: i32) -> bool {
    let mut cur = Some(category);
    while let Some(c) = cur {
        if c == ancestor {
            return true;
        }
        cur = tree.get(c).and_then(|c| c.parent_id);
    }
    false
}

async fn heads(db: &impl ConnectionTrait, points: &[point::Model]) -> Result<HashMap<i32, revision::Model>> {
    revisions_by_id(db, points.iter().filter_map(|p| p.head_revision_id)).await
}

/// Revisions by id, read in bounded batches (SQLite limits the bound parameters of a statement).
pub(crate) async fn revisions_by_id(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i32>,
) -> Result<HashMap<i32, revision::Model>> {
    let ids: Vec<i32> = ids.into_iter().collect();
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        for r in revision::Entity::find().filter(revision::Column::Id.is_in(chunk.to_vec())).all(db).await? {
            out.insert(r.id, r);
        }
    }
    Ok(out)
}

fn summary(tree: &Tree, p: &point::Model, head: &revision::Model) -> PointSummary {
    let phrasings: Vec<String> = serde_json::from_str(&head.phrasings).unwrap_or_default();
    PointSummary {
        id: p.id,
        category_id: p.category_id,
        category_path: tree.path(p.category_id),
        question: p.question.clone(),
        status: p.status,
        live: p.published_revision_id.is_some()
            && p.status != PointStatus::Archived
            && p.validity == Validity::Live,
        validity: Validity::at(head.valid_from, head.valid_until, Utc::now()),
        version: p.version,
        phrasings: phrasings.len(),
        updated_at: p.updated_at,
        updated_by: head.reviewed_by.clone().unwrap_or_else(|| head.author.clone()),
    }
}

pub(crate) fn view(tree: &Tree, r: &revision::Model) -> RevisionView {
    RevisionView {
        number: r.number,
        state: r.state,
        author: r.author.clone(),
        created_at: r.created_at,
        note: r.note.clone(),
        reviewed_by: r.reviewed_by.clone(),
        reviewed_at: r.reviewed_at,
        review_comment: r.review_comment.clone(),
        category_path: tree.path(r.category_id),
        content: content_of(r),
    }
}

fn side<'a>(path: &'a str, c: &'a crate::views::Content, questions: &'a HashMap<i32, String>) -> Side<'a> {
    Side {
        category: path,
        question: &c.question,
        answer: &c.answer,
        answers: Some(&c.answers),
        phrasings: &c.phrasings,
        template_slot: c.template_slot.as_deref(),
        valid_from: c.valid_from,
        valid_until: c.valid_until,
        related: c.related.iter().map(|id| questions.get(id).map_or("?", String::as_str)).collect(),
        counter_examples: &c.counter_examples,
    }
}

/// Every point's current question by id: how a diff names related points.
async fn questions(db: &impl ConnectionTrait) -> Result<HashMap<i32, String>> {
    let rows: Vec<(i32, String)> = point::Entity::find()
        .select_only()
        .column(point::Column::Id)
        .column(point::Column::Question)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Trainer `name`'s own work: the pending drafts they wrote (sent back first, then the newest)
/// and the questions their published revisions closed in the last 7 days.
pub async fn trainer_desk(db: &impl ConnectionTrait, name: &str) -> Result<TrainerDesk> {
    let pending = revision::Entity::find()
        .filter(revision::Column::Author.eq(name))
        .filter(revision::Column::State.is_in([
            RevisionState::Draft,
            RevisionState::InReview,
            RevisionState::Rejected,
        ]))
        .order_by_desc(revision::Column::Id)
        .limit(200)
        .all(db)
        .await?;
    let heads: std::collections::HashSet<i32> = point::Entity::find()
        .filter(point::Column::HeadRevisionId.is_in(pending.iter().map(|r| r.id).collect::<Vec<_>>()))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|p| p.head_revision_id)
        .collect();
    let mut drafts: Vec<MyDraft> = pending
        .into_iter()
        .filter(|r| heads.contains(&r.id))
        .map(|r| MyDraft {
            knowledge_id: r.knowledge_id,
            question: r.question,
            state: r.state,
            saved_at: r.created_at,
            reviewed_by: r.reviewed_by,
            review_comment: r.review_comment,
        })
        .collect();
    drafts.sort_by_key(|d| d.state != RevisionState::Rejected);
    let mine: Vec<i32> = revision::Entity::find()
        .select_only()
        .column(revision::Column::KnowledgeId)
        .filter(revision::Column::Author.eq(name))
        .filter(revision::Column::State.eq(RevisionState::Published))
        .into_tuple()
        .all(db)
        .await?;
    let closed_this_week = if mine.is_empty() {
        0
    } else {
        crate::misses::entity::miss::Entity::find()
            .filter(crate::misses::entity::miss::Column::KnowledgeId.is_in(mine))
            .filter(
                crate::misses::entity::miss::Column::ClosedAt
                    .gte(chrono::Utc::now() - chrono::Duration::days(7)),
            )
            .count(db)
            .await? as i64
    };
    Ok(TrainerDesk { drafts, closed_this_week })
}
