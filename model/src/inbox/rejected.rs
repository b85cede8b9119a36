//! What went wrong with an answer: for a group's open questions that customers rejected (👎 or
//! a handoff), the answer the bot gave, the customer's earlier turns in the session and the
//! human agent's reply — read from the ask log and the miss events, nothing stored twice.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::workbench::group_id;
use super::{Inbox, Result};
use crate::matching::asks::entity as asks;
use crate::misses::entity::{event, miss};
use crate::views::{AnsweredWith, AskCandidate, MissStatus, Rejected, Signal, Turn};

/// Rejected answers shown per group, newest first.
pub const REJECTED_SHOWN: u64 = 20;
/// Earlier turns of a session shown with each.
pub const TURNS_SHOWN: u64 = 5;

impl Inbox {
    /// The group's open questions customers rejected an answer to, newest first.
    pub async fn rejected(&self, cluster_id: &str) -> Result<Vec<Rejected>> {
        let id = group_id(cluster_id)?;
        let open: Vec<miss::Model> = miss::Entity::find()
            .filter(miss::Column::ClusterId.eq(id))
            .filter(miss::Column::Status.eq(MissStatus::Open))
            .all(&self.db)
            .await?;
        if open.is_empty() {
            return Ok(Vec::new());
        }
        let events = event::Entity::find()
            .filter(event::Column::MissId.is_in(open.iter().map(|m| m.id).collect::<Vec<_>>()))
            .filter(event::Column::Signal.is_in([
                Signal::NegativeFeedback,
                Signal::Handoff,
                Signal::Reported,
            ]))
            .order_by_desc(event::Column::OccurredAt)
            .order_by_desc(event::Column::Id)
            .limit(REJECTED_SHOWN * 4)
            .all(&self.db)
            .await?;
        let mut out = Vec::new();
        for e in events {
            // A bot's report says something only with an agent's reply.
            if e.signal == Signal::Reported && e.agent_answer.is_none() {
                continue;
            }
            let Some(m) = open.iter().find(|m| m.id == e.miss_id) else { continue };
            let ask = match &e.ask_id {
                Some(a) => {
                    asks::Entity::find().filter(asks::Column::AskId.eq(a.as_str())).one(&self.db).await?
                }
                None => None,
            };
            let answered = ask.as_ref().and_then(answered_with);
            let turns = match (&ask, &e.session_id) {
                (Some(a), Some(s)) => turns_before(&self.db, s, a.created_at).await?,
                (None, Some(s)) => turns_before(&self.db, s, e.occurred_at).await?,
                _ => Vec::new(),
            };
            out.push(Rejected {
                miss_id: m.id.to_string(),
                question: m.question.clone(),
                signal: e.signal,
                channel: e.channel.clone(),
                occurred_at: e.occurred_at,
                answered,
                turns,
                agent_answer: e.agent_answer.clone(),
            });
            if out.len() as u64 >= REJECTED_SHOWN {
                break;
            }
        }
        Ok(out)
    }
}

/// The point an ask was answered with, as its logged candidates have it.
fn answered_with(ask: &asks::Model) -> Option<AnsweredWith> {
    let kid = ask.knowledge_id?.to_string();
    let candidates: Vec<AskCandidate> = serde_json::from_str(&ask.candidates).unwrap_or_default();
    let c = candidates.into_iter().find(|c| c.knowledge_id == kid)?;
    Some(AnsweredWith { knowledge_id: kid, question: c.question, answer: c.answer, score: c.score })
}

/// The session's questions before `before`, oldest first (the last [`TURNS_SHOWN`]).
async fn turns_before(
    db: &sea_orm::DatabaseConnection,
    session: &str,
    before: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<Turn>> {
    let mut rows = asks::Entity::find()
        .filter(asks::Column::SessionId.eq(session))
        .filter(asks::Column::CreatedAt.lt(before))
        .order_by_desc(asks::Column::CreatedAt)
        .order_by_desc(asks::Column::Id)
        .limit(TURNS_SHOWN)
        .all(db)
        .await?;
    rows.reverse();
    Ok(rows
        .into_iter()
        .map(|a| Turn { question: a.question, outcome: a.outcome, at: a.created_at })
        .collect())
}
