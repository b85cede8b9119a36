//! One customer's data, found by the session id their bot sent: exported for an access request,
//! or erased everywhere it is stored (the ask log, miss reports, misses only that session
//! reported, the vectors kept for their texts). Each use is written to the audit log.

use std::collections::{BTreeMap, HashSet};

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use super::PrivacyError;
use crate::inbox::entity::{cluster, decision};
use crate::matching::asks::entity as asks;
use crate::misses::entity::{event, miss};
use crate::views::{
    Actor, Erased, Field, GroupStatus, MissStatus, Problem, SessionAsk, SessionData, SessionReport,
};
use sea_orm::DatabaseConnection;

/// Longest session id a bot may send (as `/ask` and `/misses` accept).
const SESSION_CHARS: usize = 200;

fn check(session_id: &str) -> Result<(), Problem> {
    let chars = session_id.chars().count();
    if session_id.trim().is_empty() {
        return Err(Problem::Empty { field: Field::SessionId });
    }
    if chars > SESSION_CHARS {
        return Err(Problem::TooLong { field: Field::SessionId, chars, max: SESSION_CHARS });
    }
    if crate::knowledge::has_control(session_id) {
        return Err(Problem::ControlCharacters { field: Field::SessionId });
    }
    Ok(())
}

/// Everything stored about the session, oldest first; recorded in the audit log as read.
pub async fn export(
    db: &DatabaseConnection,
    actor: &Actor,
    session_id: &str,
) -> Result<SessionData, PrivacyError> {
    check(session_id)?;
    let txn = crate::storage::write(db).await?;
    let data = read(&txn, session_id).await?;
    let detail = serde_json::json!({ "asks": data.asks.len(), "reports": data.reports.len() });
    crate::audit::record(&txn, actor, "privacy.export", &format!("session:{session_id}"), Some(detail))
        .await?;
    txn.commit().await?;
    Ok(data)
}

async fn read(db: &impl ConnectionTrait, session_id: &str) -> Result<SessionData, PrivacyError> {
    let asked = asks::Entity::find()
        .filter(asks::Column::SessionId.eq(session_id))
        .order_by_asc(asks::Column::Id)
        .all(db)
        .await?;
    let events = event::Entity::find()
        .filter(event::Column::SessionId.eq(session_id))
        .order_by_asc(event::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<i64> = events.iter().map(|e| e.miss_id).collect::<HashSet<_>>().into_iter().collect();
    let mut questions = BTreeMap::new();
    for chunk in ids.chunks(500) {
        for m in miss::Entity::find().filter(miss::Column::Id.is_in(chunk.to_vec())).all(db).await? {
            questions.insert(m.id, m.question);
        }
    }
    Ok(SessionData {
        session_id: session_id.to_string(),
        asks: asked
            .into_iter()
            .map(|a| SessionAsk {
                ask_id: a.ask_id,
                question: a.question,
                channel: a.channel,
                outcome: a.outcome,
                helpful: a.helpful,
                handoff: a.handoff,
                asked_at: a.created_at,
            })
            .collect(),
        reports: events
            .into_iter()
            .map(|e| SessionReport {
                question: questions.get(&e.miss_id).cloned().unwrap_or_default(),
                signal: e.signal,
                channel: e.channel,
                reason: e.reason,
                occurred_at: e.occurred_at,
            })
            .collect(),
    })
}

/// What an erasure removed, with the ids an inbox in memory must forget.
#[derive(Debug, Clone, PartialEq)]
pub struct Erasure {
    pub erased: Erased,
    pub misses: Vec<i64>,
    pub groups: Vec<i64>,
}

/// Deletes the session's asks and miss reports; a miss nobody else reported goes with them,
/// one others reported counts one less per report removed. Audited. A running server's inbox
/// learns of it through `Services::erase_session`, or at its next regrouping.
pub async fn erase(
    db: &DatabaseConnection,
    actor: &Actor,
    session_id: &str,
) -> Result<Erasure, PrivacyError> {
    check(session_id)?;
    let txn = crate::storage::write(db).await?;
    let asked = asks::Entity::find().filter(asks::Column::SessionId.eq(session_id)).all(&txn).await?;
    let events = event::Entity::find().filter(event::Column::SessionId.eq(session_id)).all(&txn).await?;
    let mut per_miss: BTreeMap<i64, i32> = BTreeMap::new();
    for e in &events {
        *per_miss.entry(e.miss_id).or_default() += 1;
    }
    let reports = event::Entity::delete_many()
        .filter(event::Column::SessionId.eq(session_id))
        .exec(&txn)
        .await?
        .rows_affected;
    let asks_gone = asks::Entity::delete_many()
        .filter(asks::Column::SessionId.eq(session_id))
        .exec(&txn)
        .await?
        .rows_affected;
    let ask_ids: Vec<String> = asked.iter().map(|a| a.ask_id.clone()).collect();
    let mut texts: Vec<String> = asked.into_iter().map(|a| a.question).collect();
    let (mut deleted, mut groups) = (Vec::new(), HashSet::new());
    for (&miss_id, &removed) in &per_miss {
        let Some(m) = miss::Entity::find_by_id(miss_id).one(&txn).await? else { continue };
        let left = event::Entity::find().filter(event::Column::MissId.eq(miss_id)).count(&txn).await?;
        if left > 0 {
            miss::Entity::update_many()
                .col_expr(miss::Column::Count, Expr::value((m.count - removed).max(1)))
                .filter(miss::Column::Id.eq(miss_id))
                .exec(&txn)
                .await?;
            continue;
        }
        miss::Entity::delete_by_id(miss_id).exec(&txn).await?;
        deleted.push(miss_id);
        if m.status == MissStatus::Open {
            groups.extend(m.cluster_id);
        }
        texts.push(m.question);
    }
    let emptied = drop_emptied_groups(&txn, &groups).await?;
    // Test cases the session's asks and misses became go with them.
    crate::testsets::forget(&txn, &ask_ids, &deleted).await?;
    forget_vectors(&txn, &texts).await?;
    let erased = Erased { asks: asks_gone, reports, misses: deleted.len() as u64 };
    let detail = serde_json::to_value(erased).ok();
    crate::audit::record(&txn, actor, "privacy.erase", &format!("session:{session_id}"), detail).await?;
    txn.commit().await?;
    Ok(Erasure { erased, misses: deleted, groups: emptied })
}

/// Open groups the erasure left without a question, and no decision refers to: their label
/// and key terms came from the erased questions, so they go too.
async fn drop_emptied_groups(
    db: &impl ConnectionTrait,
    groups: &HashSet<i64>,
) -> Result<Vec<i64>, PrivacyError> {
    let mut emptied = Vec::new();
    for &group in groups {
        let left = miss::Entity::find().filter(miss::Column::ClusterId.eq(group)).count(db).await?;
        let decided =
            decision::Entity::find().filter(decision::Column::ClusterId.eq(group)).count(db).await?;
        if left == 0 && decided == 0 {
            cluster::Entity::delete_many()
                .filter(cluster::Column::Id.eq(group))
                .filter(cluster::Column::Status.eq(GroupStatus::Open))
                .exec(db)
                .await?;
            emptied.push(group);
        }
    }
    Ok(emptied)
}

/// The stored vectors of texts no ask or miss holds any more (a knowledge text's vector is
/// computed again when next needed).
async fn forget_vectors(db: &impl ConnectionTrait, texts: &[String]) -> Result<(), PrivacyError> {
    use crate::embedding::cache::entity as embeddings;
    for text in texts.iter().collect::<HashSet<_>>() {
        let asked = asks::Entity::find().filter(asks::Column::Question.eq(text.as_str())).count(db).await?;
        let missed = miss::Entity::find().filter(miss::Column::Question.eq(text.as_str())).count(db).await?;
        if asked == 0 && missed == 0 {
            embeddings::Entity::delete_many()
                .filter(embeddings::Column::Text.eq(text.as_str()))
                .exec(db)
                .await?;
        }
    }
    Ok(())
}
