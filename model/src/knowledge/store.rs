//! Reading a point and its revisions as stored: what editing, publishing, the queries and the
//! feed all start from (and the reason none of them needs another).

use sea_orm::{ConnectionTrait, EntityTrait};

use super::entity::{point, revision};
use super::{KnowledgeError, Result};
use crate::views::Content;
use crate::views::{Problem, Thing};

pub(crate) async fn load(db: &impl ConnectionTrait, id: i32) -> Result<point::Model> {
    point::Entity::find_by_id(id).one(db).await?.ok_or_else(|| Problem::not_found(Thing::Point, id).into())
}

pub(crate) async fn head(db: &impl ConnectionTrait, p: &point::Model) -> Result<revision::Model> {
    let id = p
        .head_revision_id
        .ok_or_else(|| KnowledgeError::from(Problem::RevisionNotFound { point: p.id, number: None }))?;
    revision(db, id).await
}

pub(crate) async fn revision(db: &impl ConnectionTrait, id: i32) -> Result<revision::Model> {
    revision::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Problem::not_found(Thing::Revision, id).into())
}

pub(crate) fn content_of(r: &revision::Model) -> Content {
    Content {
        category_id: r.category_id,
        question: r.question.clone(),
        answer: r.answer.clone(),
        phrasings: serde_json::from_str(&r.phrasings).unwrap_or_default(),
        template_slot: r.template_slot.clone(),
        answers: serde_json::from_str(&r.answers).unwrap_or_default(),
        valid_from: r.valid_from,
        valid_until: r.valid_until,
        related: serde_json::from_str(&r.related).unwrap_or_default(),
        counter_examples: serde_json::from_str(&r.counter_examples).unwrap_or_default(),
    }
}
