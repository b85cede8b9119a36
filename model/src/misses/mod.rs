//! Questions the bot failed on. Each report is kept as an event (signal, channel, time); the
//! events of one question — the same text after normalisation — count towards one miss.

pub mod entity;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use crate::storage::StorageError;

use crate::views::Outcome;
use crate::views::{Field, Problem};
pub use crate::views::{MissStatus, Signal};

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub question: String,
    pub signal: Signal,
    pub channel: String,
    pub session_id: Option<String>,
    pub ask_id: Option<String>,
    pub reason: Option<String>,
    /// What the human agent replied, when the bot reported it (masked).
    pub agent_answer: Option<String>,
    pub occurred_at: DateTime<Utc>,
}

/// One miss as an external bot reports it (`POST /api/v1/misses`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct External {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 500))]
    pub question: String,
    // Contract as documented: the optional fields are strings, never null.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(nullable = false, max_length = 40))]
    pub channel: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(nullable = false, max_length = 500))]
    pub reason: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(nullable = false, max_length = 200))]
    pub session_id: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub occurred_at: Option<DateTime<Utc>>,
    /// What the human agent replied after the handoff.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(nullable = false, max_length = 5000))]
    pub agent_answer: Option<String>,
}

impl External {
    /// A report of `question` alone.
    pub fn question(question: impl Into<String>) -> External {
        External {
            question: question.into(),
            channel: None,
            reason: None,
            session_id: None,
            occurred_at: None,
            agent_answer: None,
        }
    }
}

/// Longest agent reply kept, in characters: what an answer may hold.
pub const AGENT_ANSWER_CHARS: usize = crate::knowledge::limits::ANSWER_CHARS;

/// An agent's reply as stored: trimmed, checked, masked; empty is none.
pub fn agent_answer(
    masker: &crate::privacy::Masker,
    text: Option<String>,
) -> Result<Option<String>, Problem> {
    let Some(text) = text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let chars = text.chars().count();
    if chars > AGENT_ANSWER_CHARS {
        return Err(Problem::TooLong { field: Field::AgentAnswer, chars, max: AGENT_ANSWER_CHARS });
    }
    if crate::knowledge::has_control(&text) {
        return Err(Problem::ControlCharacters { field: Field::AgentAnswer });
    }
    Ok(Some(masker.mask(&text).into_owned()))
}

impl Report {
    /// A report from an external bot, checked field by field (the error names the field), its
    /// texts masked by `masker`.
    pub fn external(
        masker: &crate::privacy::Masker,
        m: External,
        now: DateTime<Utc>,
    ) -> Result<Report, Problem> {
        use crate::knowledge::{has_control, limits::QUESTION_CHARS};
        let External { question, channel, reason, session_id, occurred_at, agent_answer: agent } = m;
        let question = question.trim().to_string();
        let chars = question.chars().count();
        if question.is_empty() {
            return Err(Problem::Empty { field: Field::Question });
        }
        if chars > QUESTION_CHARS {
            return Err(Problem::TooLong { field: Field::Question, chars, max: QUESTION_CHARS });
        }
        if has_control(&question) {
            return Err(Problem::ControlCharacters { field: Field::Question });
        }
        let channel = channel.unwrap_or_else(|| "bot".into());
        let channel_ok = !channel.is_empty()
            && channel.len() <= 40
            && channel.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !channel_ok {
            return Err(Problem::BadChannel);
        }
        for (field, text, max) in [(Field::Reason, &reason, 500), (Field::SessionId, &session_id, 200)] {
            let chars = text.as_ref().map_or(0, |t| t.chars().count());
            if chars > max {
                return Err(Problem::TooLong { field, chars, max });
            }
        }
        if occurred_at.is_some_and(|t| t > now + Duration::minutes(5)) {
            return Err(Problem::InFuture);
        }
        Ok(Report {
            question: masker.mask(&question).into_owned(),
            signal: Signal::Reported,
            channel,
            session_id,
            ask_id: None,
            reason: reason.map(|r| masker.mask(&r).into_owned()),
            agent_answer: agent_answer(masker, agent)?,
            occurred_at: occurred_at.unwrap_or(now),
        })
    }
}

/// The form two reports of the same question share: full-width forms folded to ASCII, case and
/// punctuation dropped, spaces collapsed.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        let c = match c {
            '\u{3000}' => ' ',
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            _ => c,
        };
        if c.is_alphanumeric() {
            // Chinese is written without spaces: a separator next to it is dropped.
            let last_cjk = out.chars().last().is_some_and(crate::matching::lexical::is_cjk);
            if space && !out.is_empty() && !last_cjk && !crate::matching::lexical::is_cjk(c) {
                out.push(' ');
            }
            space = false;
            out.extend(c.to_lowercase());
        } else {
            space = true;
        }
    }
    out
}

/// Stores the reports in one transaction: when this returns, they are durable. (Bots' reports
/// go through the instance's [`crate::journal`]; this is for loads such as the demo's.)
pub async fn record(db: &DatabaseConnection, reports: &[Report]) -> Result<(), StorageError> {
    let txn = crate::storage::append(db).await?;
    record_in(&txn, reports).await?;
    txn.commit().await?;
    Ok(())
}

/// [`record`] inside the caller's transaction. Each report is an upsert on its question's
/// normalised text, so it needs no lock of botcoach's own: two instances counting the same
/// question at once both count. The reports are written in the order given: new misses get
/// ids in the order the bot reported them, which is the order the inbox places them in. (Two
/// PostgreSQL transactions counting the same two misses in opposite orders can deadlock; the
/// database cancels one, and the journal retries its writes one by one.)
pub async fn record_in(db: &impl ConnectionTrait, reports: &[Report]) -> Result<(), StorageError> {
    let now = Utc::now();
    let mut events = Vec::with_capacity(reports.len());
    for r in reports {
        let miss_id = upsert(db, r, normalize(&r.question)).await?;
        events.push(entity::event::ActiveModel {
            miss_id: Set(miss_id),
            signal: Set(r.signal),
            channel: Set(r.channel.clone()),
            session_id: Set(r.session_id.clone()),
            ask_id: Set(r.ask_id.clone()),
            reason: Set(r.reason.clone()),
            agent_answer: Set(r.agent_answer.clone()),
            occurred_at: Set(r.occurred_at),
            received_at: Set(now),
            ..Default::default()
        });
    }
    for chunk in events.chunks(500) {
        entity::event::Entity::insert_many(chunk.to_vec()).exec(db).await?;
    }
    Ok(())
}

/// Counts one report of a question: a new miss, or one more on the miss of the same normalised
/// text (its first and last times widened). A closed miss — published knowledge had answered
/// it, yet the bot fails on it again (the point was archived or changed) — is work again: open,
/// out of its old group, for the assigner to place. Returns the miss's id.
async fn upsert(db: &impl ConnectionTrait, r: &Report, normalized: String) -> Result<i64, StorageError> {
    use entity::miss;
    use sea_orm::sea_query::OnConflict;
    // Every expression reads the row as it was before this report.
    let reopened = |then: &str, column: &str| {
        Expr::cust(format!("CASE WHEN misses.status = 'closed' THEN {then} ELSE misses.{column} END"))
    };
    let on_conflict = OnConflict::column(miss::Column::Normalized)
        .value(miss::Column::Count, Expr::cust("misses.count + 1"))
        .value(
            miss::Column::FirstSeenAt,
            Expr::cust("CASE WHEN excluded.first_seen_at < misses.first_seen_at THEN excluded.first_seen_at ELSE misses.first_seen_at END"),
        )
        .value(
            miss::Column::LastSeenAt,
            Expr::cust("CASE WHEN excluded.last_seen_at > misses.last_seen_at THEN excluded.last_seen_at ELSE misses.last_seen_at END"),
        )
        .value(miss::Column::Status, reopened("'open'", "status"))
        .value(miss::Column::ClusterId, reopened("NULL", "cluster_id"))
        .value(miss::Column::ClosedAt, reopened("NULL", "closed_at"))
        .to_owned();
    let row = miss::ActiveModel {
        question: Set(r.question.trim().to_string()),
        normalized: Set(normalized),
        count: Set(1),
        status: Set(MissStatus::Open),
        first_seen_at: Set(r.occurred_at),
        last_seen_at: Set(r.occurred_at),
        language: Set(crate::script::language(&r.question)),
        ..Default::default()
    };
    Ok(miss::Entity::insert(row).on_conflict(on_conflict).exec_with_returning(db).await?.id)
}

/// Clarifications the customer answered by choosing none, once `after` has passed: they become
/// misses (signal `clarify_not_taken`). Returns how many.
pub async fn record_untaken_clarifications(
    db: &DatabaseConnection,
    after: Duration,
) -> Result<usize, StorageError> {
    use crate::matching::asks::entity as asks;
    let due = asks::Entity::find()
        .filter(asks::Column::Outcome.eq(Outcome::Clarify))
        .filter(asks::Column::MissRecorded.eq(false))
        .filter(asks::Column::ChosenKnowledgeId.is_null())
        .filter(asks::Column::CreatedAt.lt(Utc::now() - after))
        .all(db)
        .await?;
    let txn = crate::storage::append(db).await?;
    let mut reports = Vec::new();
    for a in &due {
        // Another instance may have turned it into a miss since it was read: once only.
        let mine = asks::Entity::update_many()
            .col_expr(asks::Column::MissRecorded, Expr::value(true))
            .filter(asks::Column::Id.eq(a.id))
            .filter(asks::Column::MissRecorded.eq(false))
            .exec(&txn)
            .await?;
        if mine.rows_affected == 0 {
            continue;
        }
        reports.push(Report {
            question: a.question.clone(),
            signal: Signal::ClarifyNotTaken,
            channel: a.channel.to_string(),
            session_id: a.session_id.clone(),
            ask_id: Some(a.ask_id.clone()),
            reason: None,
            agent_answer: None,
            occurred_at: a.created_at,
        });
    }
    record_in(&txn, &reports).await?;
    let recorded = reports.len();
    txn.commit().await?;
    Ok(recorded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_folds_width_case_space_and_punctuation() {
        assert_eq!(normalize("  Where is   MY card?! "), "where is my card");
        assert_eq!(normalize("ＷＨＥＲＥ　is my card？"), "where is my card");
        assert_eq!(normalize("宽带，断网了！"), "宽带断网了");
        assert_eq!(normalize("5G 套餐"), "5g套餐");
        assert_eq!(normalize("宽带断网了"), "宽带断网了");
    }
}
