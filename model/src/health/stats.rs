//! One point's figures over a period, counted from the asks logged for it.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};

use crate::matching::asks::entity as asks;
use crate::metrics::{MetricsError, MAX_DAYS};
use crate::views::{AskCandidate, Outcome, PointStats, Problem};

/// The figures of point `knowledge_id` over the last `days` UTC days up to `now` (today
/// included, as on the dashboard).
pub async fn point_stats(
    db: &impl ConnectionTrait,
    knowledge_id: i32,
    days: u32,
    now: DateTime<Utc>,
) -> Result<PointStats, MetricsError> {
    if days == 0 || days > MAX_DAYS {
        return Err(Problem::Days { max: MAX_DAYS }.into());
    }
    crate::knowledge::store::load(db, knowledge_id).await?;
    // Candidates are stored as JSON: a clarification that offered the point holds its id as a
    // quoted string, which the pattern narrows to before the JSON is read to be sure.
    let offered_pattern = format!("%\"knowledge_id\":\"{knowledge_id}\"%");
    let rows = asks::Entity::find()
        .filter(asks::Column::CreatedAt.gte(crate::metrics::Period { days, channel: None }.since(now)))
        .filter(asks::Column::CreatedAt.lte(now))
        .filter(
            Condition::any().add(asks::Column::KnowledgeId.eq(knowledge_id)).add(
                Condition::all()
                    .add(asks::Column::Outcome.eq(Outcome::Clarify))
                    .add(asks::Column::Candidates.like(offered_pattern)),
            ),
        )
        .all(db)
        .await?;
    let id = knowledge_id.to_string();
    let mut stats = PointStats {
        knowledge_id: id.clone(),
        days,
        answered: 0,
        offered: 0,
        chosen: 0,
        rated: 0,
        unhelpful: 0,
        handoffs: 0,
        helpful_rate: None,
        last_asked: None,
    };
    let mut helpful = 0u64;
    for ask in rows {
        let counts = match ask.outcome {
            Outcome::Answered if ask.knowledge_id == Some(knowledge_id) => {
                stats.answered += 1;
                if let Some(h) = ask.helpful {
                    stats.rated += 1;
                    helpful += u64::from(h);
                    stats.unhelpful += u64::from(!h);
                }
                stats.handoffs += u64::from(ask.handoff == Some(true));
                true
            }
            Outcome::Clarify => {
                let candidates: Vec<AskCandidate> = serde_json::from_str(&ask.candidates).unwrap_or_default();
                let offered = candidates.iter().any(|c| c.knowledge_id == id);
                if offered {
                    stats.offered += 1;
                    stats.chosen += u64::from(ask.chosen_knowledge_id == Some(knowledge_id));
                }
                offered
            }
            _ => false,
        };
        if counts && stats.last_asked.is_none_or(|t| ask.created_at > t) {
            stats.last_asked = Some(ask.created_at);
        }
    }
    stats.helpful_rate = (stats.rated > 0).then(|| helpful as f64 / stats.rated as f64);
    Ok(stats)
}
