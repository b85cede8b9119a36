//! Reading a point and its revisions as stored: what editing, publishing, the queries and the
//! feed all start from (and the reason none of them needs another).

use sea_orm::{ConnectionTrait, EntityTrait};

use super::entity::{point, revision};
use super::{KnowledgeError, Result};
use crate::views::Content;

pub(crate) async fn load(db: &impl ConnectionTrait, id: i32) -> Result<point::Model> {
    point::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| KnowledgeError::NotFound(format!("knowledge point {id}")))
}

pub(crate) async fn head(db: &impl ConnectionTrait, p: &point::Model) -> Result<revision::Model> {
    let id = p
        .head_revision_id
        .ok_or_else(|| KnowledgeError::NotFound(format!("revisions of knowledge point {}", p.id)))?;
    revision::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| KnowledgeError::NotFound(format!("revision {id}")))
}

pub(crate) fn content_of(r: &revision::Model) -> Content {
    Content {
        category_id: r.category_id,
        question: r.question.clone(),
        answer: r.answer.clone(),
        phrasings: serde_json::from_str(&r.phrasings).unwrap_or_default(),
        template_slot: r.template_slot.clone(),
    }
}
