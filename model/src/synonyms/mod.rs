//! The synonym dictionary trainers keep for the words the model does not know: product names,
//! abbreviations, what customers call things ("CX卡" is "畅享卡"). Trainers propose entries as
//! drafts; a reviewer publishes them; the serving model then reads every question, miss and
//! stored text through the published entries (see [`WithSynonyms`]), after the texts the change
//! rewrites are embedded again in the background (`Services::publish_synonyms`).

mod dictionary;
mod embedder;
pub mod suggestions;
pub mod transfer;

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, EntityTrait, QueryOrder, Set, TransactionSession, TransactionTrait,
};
use serde_json::json;

pub use dictionary::Dictionary;
pub use embedder::WithSynonyms;

use crate::audit;
pub(crate) use crate::knowledge::require;
use crate::knowledge::{has_control, KnowledgeError};
use crate::storage::meta;
use crate::views::{
    Actor, Field, Problem, Role, SynonymChange, SynonymDraft, SynonymEntry, SynonymItem, SynonymProposal,
    SynonymsPublished, Thing,
};

type Result<T> = std::result::Result<T, KnowledgeError>;

pub mod limits {
    /// Characters in one term: a word or a product name, not a sentence.
    pub const TERM_CHARS: usize = 40;
    pub const VARIANTS: usize = 50;
    /// Entries in the dictionary: each is looked for in every question and stored text.
    pub const ENTRIES: usize = 5_000;
}

/// Bumped by every publish: instances compare it to know their dictionary is behind.
const REVISION: &str = "synonyms_revision";

pub mod entity {
    /// The published dictionary.
    pub mod entry {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "synonyms")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub canonical: String,
            /// A JSON array of texts.
            pub variants: String,
            pub updated_at: ChronoDateTimeUtc,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    /// Changes waiting for review: at most one per published entry.
    pub mod draft {
        use sea_orm::entity::prelude::*;

        use crate::views::SynonymChange;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "synonym_drafts")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            /// The published entry changed or removed; none for a new one.
            pub synonym_id: Option<i32>,
            pub change: SynonymChange,
            pub canonical: String,
            pub variants: String,
            pub author: String,
            pub created_at: ChronoDateTimeUtc,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }
}

use entity::{draft, entry};

pub(crate) fn variants_of(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

fn to_json(variants: &[String]) -> String {
    serde_json::to_string(variants).unwrap_or_else(|_| "[]".into())
}

pub(crate) fn fold(term: &str) -> String {
    term.trim().to_lowercase()
}

/// Trims an entry, drops empty and repeated variants and ones equal to its canonical term, and
/// checks the limits. The error names the field.
pub fn normalize(entry: SynonymEntry) -> std::result::Result<SynonymEntry, Problem> {
    let canonical = entry.canonical.trim().to_string();
    let mut seen = vec![fold(&canonical)];
    let mut variants = Vec::new();
    for v in entry.variants {
        let v = v.trim().to_string();
        if !v.is_empty() && !seen.contains(&fold(&v)) {
            seen.push(fold(&v));
            variants.push(v);
        }
    }
    if canonical.is_empty() {
        return Err(Problem::Empty { field: Field::Canonical });
    }
    for (field, term) in
        std::iter::once((Field::Canonical, &canonical)).chain(variants.iter().map(|v| (Field::Variant, v)))
    {
        let chars = term.chars().count();
        if chars > limits::TERM_CHARS {
            return Err(Problem::TooLong { field, chars, max: limits::TERM_CHARS });
        }
        if has_control(term) || term.contains('\n') {
            return Err(Problem::ControlCharacters { field });
        }
    }
    if variants.is_empty() {
        return Err(Problem::NoVariants);
    }
    if variants.len() > limits::VARIANTS {
        return Err(Problem::TooManyVariants { count: variants.len(), max: limits::VARIANTS });
    }
    Ok(SynonymEntry { canonical, variants })
}

/// A dictionary in which every term (canonical or variant) belongs to one entry only: otherwise
/// which canonical a text gets would depend on the order of the entries.
pub fn check(entries: &[SynonymEntry]) -> std::result::Result<(), Problem> {
    let mut owner: HashMap<String, &str> = HashMap::new();
    for e in entries {
        for term in std::iter::once(&e.canonical).chain(&e.variants) {
            if let Some(other) = owner.insert(fold(term), &e.canonical) {
                let canonical = if fold(other) == fold(&e.canonical) { &e.canonical } else { other };
                return Err(Problem::SynonymTaken { term: term.clone(), canonical: canonical.to_string() });
            }
        }
    }
    if entries.len() > limits::ENTRIES {
        return Err(Problem::TooManySynonyms { max: limits::ENTRIES });
    }
    Ok(())
}

fn live(m: &entry::Model) -> SynonymEntry {
    SynonymEntry { canonical: m.canonical.clone(), variants: variants_of(&m.variants) }
}

fn drafted(m: &draft::Model) -> SynonymDraft {
    SynonymDraft {
        id: m.id,
        change: m.change,
        entry: SynonymEntry { canonical: m.canonical.clone(), variants: variants_of(&m.variants) },
        author: m.author.clone(),
        created_at: m.created_at,
    }
}

/// The published entries, oldest first.
pub async fn published(db: &impl ConnectionTrait) -> Result<Vec<SynonymEntry>> {
    Ok(entry::Entity::find().order_by_asc(entry::Column::Id).all(db).await?.iter().map(live).collect())
}

/// The published dictionary, ready to rewrite text.
pub async fn load(db: &impl ConnectionTrait) -> Result<Dictionary> {
    let revision = revision(db).await?;
    let mut dictionary = Dictionary::new(&published(db).await?);
    dictionary.revision = revision;
    Ok(dictionary)
}

/// Which publish the dictionary is at (0 before the first).
pub async fn revision(db: &impl ConnectionTrait) -> Result<i64> {
    Ok(meta::get(db, REVISION).await?.and_then(|v| v.parse().ok()).unwrap_or(0))
}

/// The dictionary page: every published entry with its pending change, then new entries.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<SynonymItem>> {
    let entries = entry::Entity::find().order_by_asc(entry::Column::Canonical).all(db).await?;
    let mut drafts = draft::Entity::find().order_by_asc(draft::Column::Id).all(db).await?;
    let mut items: Vec<SynonymItem> = entries
        .iter()
        .map(|e| {
            let pending = drafts.iter().position(|d| d.synonym_id == Some(e.id)).map(|i| drafts.remove(i));
            SynonymItem { id: Some(e.id), live: Some(live(e)), draft: pending.as_ref().map(drafted) }
        })
        .collect();
    items.extend(drafts.iter().map(|d| SynonymItem { id: None, live: None, draft: Some(drafted(d)) }));
    Ok(items)
}

/// The dictionary as it would be with `drafts` published.
pub(crate) fn with_drafts(entries: &[entry::Model], drafts: &[draft::Model]) -> Vec<SynonymEntry> {
    let mut out: Vec<(Option<i32>, SynonymEntry)> = entries.iter().map(|e| (Some(e.id), live(e))).collect();
    for d in drafts {
        let proposed = drafted(d).entry;
        match (d.change, d.synonym_id) {
            (SynonymChange::Remove, Some(id)) => out.retain(|(e, _)| *e != Some(id)),
            (SynonymChange::Edit, Some(id)) => {
                if let Some((_, e)) = out.iter_mut().find(|(e, _)| *e == Some(id)) {
                    *e = proposed;
                }
            }
            _ => out.push((None, proposed)),
        }
    }
    out.into_iter().map(|(_, e)| e).collect()
}

/// Records a trainer's proposed change as a draft (replacing the entry's earlier draft); it
/// must fit the dictionary with every other pending draft published too.
pub async fn propose(
    db: &impl TransactionTrait,
    actor: &Actor,
    proposal: SynonymProposal,
) -> Result<SynonymItem> {
    require(actor, Role::Trainer, "changing synonyms")?;
    let txn = crate::storage::write(db).await?;
    let mut state = Pending::load(&txn).await?;
    let (target, saved) = state.propose(&txn, actor, proposal).await?;
    check(&with_drafts(&state.entries, &state.drafts))?;
    txn.commit().await?;
    Ok(SynonymItem {
        id: target.as_ref().map(|t| t.id),
        live: target.as_ref().map(live),
        draft: Some(drafted(&saved)),
    })
}

/// The published entries and the pending drafts, read inside one write transaction.
pub(crate) struct Pending {
    pub(crate) entries: Vec<entry::Model>,
    pub(crate) drafts: Vec<draft::Model>,
}

impl Pending {
    pub(crate) async fn load(txn: &impl ConnectionTrait) -> Result<Pending> {
        Ok(Pending {
            entries: entry::Entity::find().order_by_asc(entry::Column::Id).all(txn).await?,
            drafts: draft::Entity::find().order_by_asc(draft::Column::Id).all(txn).await?,
        })
    }

    /// The published entry whose canonical term is `canonical` (case aside).
    pub(crate) fn entry_named(&self, canonical: &str) -> Option<&entry::Model> {
        self.entries.iter().find(|e| fold(&e.canonical) == fold(canonical))
    }

    /// Saves `proposal` as a draft, replacing the entry's pending one; the caller checks the
    /// dictionary with [`with_drafts`] before committing.
    pub(crate) async fn propose(
        &mut self,
        txn: &impl ConnectionTrait,
        actor: &Actor,
        proposal: SynonymProposal,
    ) -> Result<(Option<entry::Model>, draft::Model)> {
        let target = match proposal.id {
            Some(id) => Some(
                self.entries
                    .iter()
                    .find(|e| e.id == id)
                    .cloned()
                    .ok_or_else(|| Problem::not_found(Thing::Synonym, id))?,
            ),
            None => None,
        };
        let proposed = match (&target, proposal.remove) {
            (Some(t), true) => live(t),
            (None, true) => return Err(Problem::not_found(Thing::Synonym, "").into()),
            _ => normalize(SynonymEntry { canonical: proposal.canonical, variants: proposal.variants })?,
        };
        let change = match (&target, proposal.remove) {
            (Some(_), true) => SynonymChange::Remove,
            (Some(_), false) => SynonymChange::Edit,
            (None, _) => SynonymChange::Add,
        };
        // One draft per entry: a new entry's draft is known by its canonical term.
        let earlier = match &target {
            Some(t) => self.drafts.iter().position(|d| d.synonym_id == Some(t.id)),
            None => self
                .drafts
                .iter()
                .position(|d| d.synonym_id.is_none() && fold(&d.canonical) == fold(&proposed.canonical)),
        };
        if let Some(i) = earlier {
            let old = self.drafts.remove(i);
            draft::Entity::delete_by_id(old.id).exec(txn).await?;
        }
        let saved = draft::ActiveModel {
            synonym_id: Set(target.as_ref().map(|t| t.id)),
            change: Set(change),
            canonical: Set(proposed.canonical.clone()),
            variants: Set(to_json(&proposed.variants)),
            author: Set(actor.name.clone()),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        audit::record(
            txn,
            actor,
            "synonyms.propose",
            &format!("synonym_draft:{}", saved.id),
            Some(json!({ "change": change, "canonical": proposed.canonical, "variants": proposed.variants })),
        )
        .await?;
        self.drafts.push(saved.clone());
        Ok((target, saved))
    }
}

/// Drops a pending draft; its author or a reviewer may.
pub async fn discard(db: &impl TransactionTrait, actor: &Actor, draft_id: i32) -> Result<()> {
    require(actor, Role::Trainer, "changing synonyms")?;
    let txn = crate::storage::write(db).await?;
    let d = draft::Entity::find_by_id(draft_id)
        .one(&txn)
        .await?
        .ok_or_else(|| Problem::not_found(Thing::Synonym, draft_id))?;
    if d.author != actor.name {
        require(actor, Role::Reviewer, "discarding another trainer's synonym draft")?;
    }
    draft::Entity::delete_by_id(draft_id).exec(&txn).await?;
    audit::record(&txn, actor, "synonyms.discard", &format!("synonym_draft:{draft_id}"), None).await?;
    txn.commit().await?;
    Ok(())
}

/// Puts the drafts `ids` (every draft when empty) live in one step. The caller then moves the
/// serving model to the new dictionary (`Services::publish_synonyms`).
pub async fn publish(db: &impl TransactionTrait, actor: &Actor, ids: &[i32]) -> Result<SynonymsPublished> {
    require(actor, Role::Reviewer, "publishing synonyms")?;
    let txn = crate::storage::write(db).await?;
    let entries = entry::Entity::find().order_by_asc(entry::Column::Id).all(&txn).await?;
    let drafts = draft::Entity::find().order_by_asc(draft::Column::Id).all(&txn).await?;
    if let Some(missing) = ids.iter().find(|id| !drafts.iter().any(|d| d.id == **id)) {
        return Err(Problem::not_found(Thing::Synonym, missing).into());
    }
    let chosen: Vec<draft::Model> =
        drafts.into_iter().filter(|d| ids.is_empty() || ids.contains(&d.id)).collect();
    if chosen.is_empty() {
        // Nothing changes: the instances have nothing to embed again.
        return Ok(SynonymsPublished { published: 0, entries: entries.len() });
    }
    check(&with_drafts(&entries, &chosen))?;
    let now = Utc::now();
    for d in &chosen {
        match (d.change, d.synonym_id) {
            (SynonymChange::Remove, Some(id)) => {
                entry::Entity::delete_by_id(id).exec(&txn).await?;
            }
            (SynonymChange::Edit, Some(id)) => {
                entry::ActiveModel {
                    id: Set(id),
                    canonical: Set(d.canonical.clone()),
                    variants: Set(d.variants.clone()),
                    updated_at: Set(now),
                }
                .update(&txn)
                .await?;
            }
            _ => {
                entry::ActiveModel {
                    canonical: Set(d.canonical.clone()),
                    variants: Set(d.variants.clone()),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
            }
        }
        draft::Entity::delete_by_id(d.id).exec(&txn).await?;
    }
    let revision = revision(&txn).await? + 1;
    meta::set(&txn, REVISION, &revision.to_string()).await?;
    let count = entry::Entity::find().all(&txn).await?.len();
    audit::record(
        &txn,
        actor,
        "synonyms.publish",
        "synonyms",
        Some(json!({ "drafts": chosen.iter().map(|d| d.id).collect::<Vec<_>>(), "revision": revision })),
    )
    .await?;
    txn.commit().await?;
    Ok(SynonymsPublished { published: chosen.len(), entries: count })
}
