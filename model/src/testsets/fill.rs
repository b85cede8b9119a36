//! The sets that fill themselves, each case citing where it came from:
//! - confirmed: asks the bot answered that the customer rated helpful (that point must answer);
//! - chosen: clarifications where the customer picked a point (that point must answer);
//! - out of scope: misses a trainer dismissed as noise, chit-chat or out of scope (they must
//!   stay unanswered); a dismissal undone takes its cases back.
//!
//! A question is taken once per set and channel; a case a trainer removed is not taken again.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use super::entity::{case, set};
use super::{normalized, Result};
use crate::inbox::entity::decision;
use crate::matching::asks::entity as ask;
use crate::misses::entity::{event, miss};
use crate::services::Services;
use crate::storage::meta;
use crate::views::{Action, Channel, MissStatus, Outcome, SetKind};

/// The dismissal reasons that mean "the bot must not answer this" (the workbench's words;
/// "abusive" is left out: such a question may deserve a polite answer).
pub const OUT_OF_SCOPE_REASONS: [&str; 3] = ["noise", "chit-chat", "out of scope"];

/// Feedback and picks arrive after the ask: each fill looks this far behind its last one.
const OVERLAP_HOURS: i64 = 24;

fn watermark(kind: SetKind) -> String {
    format!("testsets_filled_at.{kind}")
}

/// The set of `kind`, made when first needed.
pub(crate) async fn set_of(db: &impl ConnectionTrait, kind: SetKind) -> Result<set::Model> {
    if let Some(s) =
        set::Entity::find().filter(set::Column::Kind.eq(kind)).order_by_asc(set::Column::Id).one(db).await?
    {
        return Ok(s);
    }
    Ok(set::ActiveModel {
        name: Set(String::new()),
        kind: Set(kind),
        created_by: Set("botcoach".into()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// A case a source found.
struct Found {
    question: String,
    channel: Channel,
    expect: Option<i32>,
    ask_id: Option<String>,
    miss_id: Option<i64>,
    at: DateTime<Utc>,
}

/// Fills the sets of `only` (every kind that fills itself when none); returns the cases added.
pub async fn fill(s: &Services, only: Option<SetKind>) -> Result<usize> {
    let mut added = 0;
    for kind in SetKind::FILLED {
        if only.is_some_and(|k| k != kind) {
            continue;
        }
        added += fill_one(s, kind).await?;
    }
    Ok(added)
}

async fn fill_one(s: &Services, kind: SetKind) -> Result<usize> {
    let started = Utc::now();
    let since = match meta::get(&s.db, &watermark(kind)).await? {
        Some(at) => DateTime::parse_from_rfc3339(&at)
            .map(|t| t.with_timezone(&Utc) - Duration::hours(OVERLAP_HOURS))
            .unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
        None => DateTime::<Utc>::UNIX_EPOCH,
    };
    let found = match kind {
        SetKind::Confirmed | SetKind::Chosen => named_by_customers(&s.db, since, kind).await?,
        SetKind::OutOfScope => dismissed(&s.db, since).await?,
        SetKind::Manual => Vec::new(),
    };
    let txn = crate::storage::write(&s.db).await?;
    let target = set_of(&txn, kind).await?;
    let existing = case::Entity::find().filter(case::Column::SetId.eq(target.id)).all(&txn).await?;
    if kind == SetKind::OutOfScope {
        take_back_undone(&txn, &existing).await?;
    }
    let mut keys: HashSet<String> = existing.iter().map(|c| c.normalized.clone()).collect();
    let masker = s.matcher.masker();
    let mut rows = Vec::new();
    for f in found {
        let question = masker.mask(f.question.trim()).into_owned();
        let key = normalized(&question, f.channel);
        if question.is_empty() || !keys.insert(key.clone()) {
            continue;
        }
        rows.push(case::ActiveModel {
            set_id: Set(target.id),
            question: Set(question),
            normalized: Set(key),
            channel: Set(f.channel),
            expect_knowledge_id: Set(f.expect),
            origin: Set(kind),
            origin_ask_id: Set(f.ask_id),
            origin_miss_id: Set(f.miss_id),
            origin_at: Set(Some(f.at)),
            removed_at: Set(None),
            created_at: Set(started),
            ..Default::default()
        });
    }
    let added = rows.len();
    for chunk in rows.chunks(500) {
        case::Entity::insert_many(chunk.to_vec()).exec_without_returning(&txn).await?;
    }
    meta::set(&txn, &watermark(kind), &started.to_rfc3339()).await?;
    txn.commit().await?;
    if added > 0 {
        tracing::info!(set = %kind, added, "test set filled");
    }
    Ok(added)
}

/// Asks where the customer named the right point: an answer rated helpful (`Confirmed`), or a
/// clarification's pick (`Chosen`).
async fn named_by_customers(
    db: &impl ConnectionTrait,
    since: DateTime<Utc>,
    kind: SetKind,
) -> Result<Vec<Found>> {
    let confirmed = kind == SetKind::Confirmed;
    let (outcome, point) = if confirmed {
        (Outcome::Answered, ask::Column::KnowledgeId)
    } else {
        (Outcome::Clarify, ask::Column::ChosenKnowledgeId)
    };
    let mut query = ask::Entity::find()
        .filter(ask::Column::CreatedAt.gte(since))
        .filter(ask::Column::Outcome.eq(outcome))
        .filter(point.is_not_null());
    if confirmed {
        query = query.filter(ask::Column::Helpful.eq(true));
    }
    Ok(query
        .order_by_asc(ask::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|a| Found {
            expect: if confirmed { a.knowledge_id } else { a.chosen_knowledge_id },
            question: a.question,
            channel: a.channel,
            ask_id: Some(a.ask_id),
            miss_id: None,
            at: a.created_at,
        })
        .collect())
}

fn out_of_scope(reason: Option<&str>) -> bool {
    reason.is_some_and(|r| OUT_OF_SCOPE_REASONS.contains(&r.trim().to_lowercase().as_str()))
}

async fn dismissed(db: &impl ConnectionTrait, since: DateTime<Utc>) -> Result<Vec<Found>> {
    let decisions = decision::Entity::find()
        .filter(decision::Column::CreatedAt.gte(since))
        .filter(decision::Column::Action.eq(Action::Dismiss))
        .filter(decision::Column::UndoneAt.is_null())
        .order_by_asc(decision::Column::Id)
        .all(db)
        .await?;
    let mut when: HashMap<i64, DateTime<Utc>> = HashMap::new();
    for d in decisions.iter().filter(|d| out_of_scope(d.reason.as_deref())) {
        for id in serde_json::from_str::<Vec<i64>>(&d.miss_ids).unwrap_or_default() {
            when.insert(id, d.created_at);
        }
    }
    let ids: Vec<i64> = when.keys().copied().collect();
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let misses = miss::Entity::find()
            .filter(miss::Column::Id.is_in(chunk.to_vec()))
            .filter(miss::Column::Status.eq(MissStatus::Dismissed))
            .all(db)
            .await?;
        let channels = channels(db, chunk).await?;
        out.extend(misses.into_iter().map(|m| Found {
            channel: channels.get(&m.id).copied().unwrap_or_default(),
            question: m.question,
            expect: None,
            ask_id: None,
            miss_id: Some(m.id),
            at: when[&m.id],
        }));
    }
    Ok(out)
}

/// Each miss's channel: the latest report's, where it names one of the bot's channels.
async fn channels(db: &impl ConnectionTrait, ids: &[i64]) -> Result<HashMap<i64, Channel>> {
    let events = event::Entity::find()
        .filter(event::Column::MissId.is_in(ids.to_vec()))
        .order_by_asc(event::Column::Id)
        .all(db)
        .await?;
    Ok(events.into_iter().filter_map(|e| Some((e.miss_id, e.channel.parse::<Channel>().ok()?))).collect())
}

/// Out-of-scope cases whose dismissal was undone (the miss is no longer dismissed) go.
async fn take_back_undone(db: &impl ConnectionTrait, existing: &[case::Model]) -> Result<()> {
    let from_misses: Vec<i64> =
        existing.iter().filter(|c| c.removed_at.is_none()).filter_map(|c| c.origin_miss_id).collect();
    for chunk in from_misses.chunks(500) {
        let still: HashSet<i64> = miss::Entity::find()
            .filter(miss::Column::Id.is_in(chunk.to_vec()))
            .filter(miss::Column::Status.eq(MissStatus::Dismissed))
            .all(db)
            .await?
            .into_iter()
            .map(|m| m.id)
            .collect();
        let gone: Vec<i64> = chunk.iter().copied().filter(|id| !still.contains(id)).collect();
        if !gone.is_empty() {
            case::Entity::delete_many()
                .filter(case::Column::OriginMissId.is_in(gone))
                .filter(case::Column::RemovedAt.is_null())
                .exec(db)
                .await?;
        }
    }
    Ok(())
}
