//! Embeddings stored with the text and model they came from: a text is embedded once per
//! model, and a restart reads vectors instead of recomputing them.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Utc;
use std::collections::HashSet;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use sha2::{Digest, Sha256};

use super::{EmbedError, Embedder};

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "embeddings")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub model: String,
        pub text_hash: String,
        pub text: String,
        /// f32 little-endian, `dimension` of them.
        pub vector: Vec<u8>,
        pub created_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error(transparent)]
    Embed(#[from] EmbedError),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    #[error("embedding task failed: {0}")]
    Task(String),
}

/// The cache key of a text.
pub fn key(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The model's name and dimension, which together say whether a stored vector is usable.
pub fn model_key(embedder: &dyn Embedder) -> String {
    let info = embedder.info();
    format!("{}/{}", info.name, info.dimension)
}

fn to_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn from_bytes(b: &[u8]) -> Vec<f32> {
    b.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
}

/// The distinct texts the model reads for `texts` (see [`Embedder::rewrite`]) that have no
/// stored vector for `embedder`'s model.
pub async fn missing(
    db: &impl ConnectionTrait,
    embedder: &dyn Embedder,
    texts: &[String],
) -> Result<Vec<String>, CacheError> {
    let model = model_key(embedder);
    let read: Vec<String> = texts.iter().map(|t| embedder.rewrite(t).into_owned()).collect();
    let mut by_key: Vec<(String, &String)> = read.iter().map(|t| (key(t), t)).collect();
    by_key.sort();
    by_key.dedup_by(|a, b| a.0 == b.0);
    let mut stored: HashSet<String> = HashSet::new();
    for chunk in by_key.chunks(500) {
        let rows: Vec<String> = entity::Entity::find()
            .select_only()
            .column(entity::Column::TextHash)
            .filter(entity::Column::Model.eq(model.as_str()))
            .filter(entity::Column::TextHash.is_in(chunk.iter().map(|(k, _)| k.clone())))
            .into_tuple()
            .all(db)
            .await?;
        stored.extend(rows);
    }
    Ok(by_key.into_iter().filter(|(k, _)| !stored.contains(k)).map(|(_, t)| t.clone()).collect())
}

/// Stores `vectors` of `texts` for the model keyed `model` (see [`model_key`]); a text stored
/// already keeps its vector.
pub async fn store(
    db: &impl ConnectionTrait,
    model: &str,
    texts: &[String],
    vectors: &[Vec<f32>],
) -> Result<(), CacheError> {
    let now = Utc::now();
    for (chunk_texts, chunk_vecs) in texts.chunks(200).zip(vectors.chunks(200)) {
        let rows = chunk_texts.iter().zip(chunk_vecs).map(|(t, v)| entity::ActiveModel {
            model: Set(model.to_string()),
            text_hash: Set(key(t)),
            text: Set(t.clone()),
            vector: Set(to_bytes(v)),
            created_at: Set(now),
            ..Default::default()
        });
        // Another instance may have stored the same text meanwhile: theirs is as good.
        entity::Entity::insert_many(rows)
            .on_conflict_do_nothing_on([entity::Column::Model, entity::Column::TextHash])
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Vectors for `texts` in order: stored ones read, the others embedded (on a blocking thread)
/// and stored. A text is stored as the model reads it ([`Embedder::rewrite`]).
pub async fn embed_cached(
    db: &impl ConnectionTrait,
    embedder: &Arc<dyn Embedder>,
    texts: &[String],
) -> Result<Vec<Vec<f32>>, CacheError> {
    let model = model_key(embedder.as_ref());
    let dim = embedder.info().dimension;
    let read: Vec<String> = texts.iter().map(|t| embedder.rewrite(t).into_owned()).collect();
    let texts = &read;
    let keys: Vec<String> = texts.iter().map(|t| key(t)).collect();
    let mut found: HashMap<String, Vec<f32>> = HashMap::with_capacity(texts.len());
    for chunk in keys.chunks(500) {
        let rows = entity::Entity::find()
            .filter(entity::Column::Model.eq(model.as_str()))
            .filter(entity::Column::TextHash.is_in(chunk.to_vec()))
            .all(db)
            .await?;
        for r in rows {
            let v = from_bytes(&r.vector);
            if v.len() == dim {
                found.insert(r.text_hash, v);
            }
        }
    }
    let mut missing: Vec<(String, String)> = Vec::new();
    for (t, k) in texts.iter().zip(&keys) {
        if !found.contains_key(k) && !missing.iter().any(|(mk, _)| mk == k) {
            missing.push((k.clone(), t.clone()));
        }
    }
    if !missing.is_empty() {
        // Similar lengths together: less padding per batch.
        missing.sort_by_key(|(_, t)| t.len());
        let embedder = embedder.clone();
        let batch: Vec<String> = missing.iter().map(|(_, t)| t.clone()).collect();
        let vectors = tokio::task::spawn_blocking(move || -> Result<Vec<Vec<f32>>, EmbedError> {
            let mut out = Vec::with_capacity(batch.len());
            for chunk in batch.chunks(64) {
                let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
                out.extend(embedder.embed(&refs)?);
            }
            Ok(out)
        })
        .await
        .map_err(|e| CacheError::Task(e.to_string()))??;
        let texts: Vec<String> = missing.iter().map(|(_, t)| t.clone()).collect();
        store(db, &model, &texts, &vectors).await?;
        tracing::debug!(embedded = missing.len(), cached = found.len(), "embeddings");
        for ((k, _), v) in missing.into_iter().zip(vectors) {
            found.insert(k, v);
        }
    }
    Ok(keys.iter().map(|k| found[k].clone()).collect())
}
