//! The inbox at scale, on a real SQLite file with embeddings cached: a full regrouping of 10k and
//! 100k open misses (read, group, write groups and labels), a second one (ids kept, few writes),
//! the cost of placing one new miss beyond its embedding, and the workbench's first page (also
//! with every open miss a group of its own: the listing's worst case).
//!
//! Volume: 10k is all of Banking77's `train.csv` (its distinct questions). 100k adds nine copies
//! of each question, perturbed in embedding space: Gaussian noise of norm 0.48 added to the unit
//! vector and renormalised (cosine ≈ 0.9 to the original, closer than a real rephrasing — about
//! 0.7 — and farther than a typo), with the text suffixed `#k` so each is a distinct miss.
//!
//! Run: `cargo bench -p model --bench inbox` (add `-- --sizes 10000` for the small one only).

mod common;

use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use migrations::{Migrator, MigratorTrait};
use model::clustering::metrics::{ari, nmi};
use model::embedding::cache;
use model::inbox::{Inbox, ListFilter};
use model::matching::{Matcher, Scoring};
use model::misses::entity::{event, miss};
use sea_orm::{EntityTrait, Set};

/// Normal deviates from xorshift (Box–Muller), fixed seed.
struct Noise(u64);

impl Noise {
    fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f32 {
        let (u, v) = (self.uniform().max(1e-12), self.uniform());
        ((-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()) as f32
    }

    fn perturb(&mut self, v: &[f32]) -> Vec<f32> {
        let sigma = 0.48 / (v.len() as f32).sqrt();
        model::clustering::normalized(v.iter().map(|x| x + sigma * self.normal()).collect())
    }
}

/// A row of the embedding cache, as `embed_cached` would have stored it.
fn cached(model_key: &str, text: &str, vector: &[f32]) -> cache::entity::ActiveModel {
    cache::entity::ActiveModel {
        model: Set(model_key.to_string()),
        text_hash: Set(cache::key(text)),
        text: Set(text.to_string()),
        vector: Set(vector.iter().flat_map(|x| x.to_le_bytes()).collect()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn percentile(xs: &mut [f64], p: f64) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[((xs.len() as f64 * p) as usize).min(xs.len() - 1)]
}

async fn list_median(inbox: &Inbox, filter: &ListFilter) -> f64 {
    let mut ms = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        std::hint::black_box(inbox.list(filter).await.unwrap());
        ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    median(&mut ms)
}

fn main() {
    // The regrouping logs its phases (read, index, group, write).
    tracing_subscriber::fmt().with_env_filter("model=info").with_writer(std::io::stderr).init();
    let sizes: Vec<usize> = std::env::args()
        .skip_while(|a| a != "--sizes")
        .nth(1)
        .map(|s| s.split(',').map(|n| n.parse().expect("--sizes 10000,100000")).collect())
        .unwrap_or_else(|| vec![10_000, 100_000]);
    let mut base: Vec<(String, usize)> = Vec::new();
    for (i, (_, questions)) in common::banking_by_intent().into_iter().enumerate() {
        base.extend(questions.into_iter().map(|q| (q, i)));
    }
    // Misses are distinct after normalisation; Banking77 repeats a few questions.
    let mut seen = std::collections::HashSet::new();
    base.retain(|(q, _)| seen.insert(model::misses::normalize(q)));
    common::shuffle(&mut base, 5);
    let embedder = Arc::new(common::embedder());
    let texts: Vec<String> = base.iter().map(|(q, _)| q.clone()).collect();
    let started = Instant::now();
    let vectors = common::embed_all(embedder.as_ref(), &texts);
    eprintln!("embedded {} questions in {:.0} s", texts.len(), started.elapsed().as_secs_f64());
    let embedder: Arc<dyn model::Embedder> = embedder;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();

    println!("| open misses | regroup (first) s | groups | NMI | ARI | regroup again s | ids kept | place one: median µs | p99 µs | assign_pending per miss ms | first page ms | first page, one group per miss ms |");
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for &size in &sizes {
        let mut noise = Noise(0x9e37_79b9_7f4a_7c15);
        let mut rows: Vec<(String, Vec<f32>, usize)> = Vec::with_capacity(size);
        'fill: for copy in 0.. {
            for ((q, intent), v) in base.iter().zip(&vectors) {
                if rows.len() == size {
                    break 'fill;
                }
                if copy == 0 {
                    rows.push((q.clone(), v.clone(), *intent));
                } else {
                    rows.push((format!("{q} #{copy}"), noise.perturb(v), *intent));
                }
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let report = runtime.block_on(async {
            let db = model::storage::connect(&format!("sqlite://{}", dir.path().join("inbox.db").display()))
                .await
                .unwrap();
            Migrator::up(&db, None).await.unwrap();
            let model_key = cache::model_key(embedder.as_ref());
            let now = Utc::now();
            let started = Instant::now();
            let mut stored_rows = 0usize;
            for chunk in rows.chunks(500) {
                cache::entity::Entity::insert_many(chunk.iter().map(|(t, v, _)| cached(&model_key, t, v)))
                    .exec(&db)
                    .await
                    .unwrap();
                // Explicit ids (a fresh table), so the events can name their miss.
                let first = (stored_rows + 1) as i64;
                stored_rows += chunk.len();
                miss::Entity::insert_many(chunk.iter().enumerate().map(|(i, (t, _, _))| miss::ActiveModel {
                    id: Set(first + i as i64),
                    question: Set(t.clone()),
                    normalized: Set(model::misses::normalize(t)),
                    count: Set(1),
                    status: Set(model::views::MissStatus::Open),
                    first_seen_at: Set(now),
                    last_seen_at: Set(now),
                    ..Default::default()
                }))
                .exec(&db)
                .await
                .unwrap();
                event::Entity::insert_many((0..chunk.len() as i64).map(|i| event::ActiveModel {
                    miss_id: Set(first + i),
                    signal: Set(model::views::Signal::NoMatch),
                    channel: Set("bot".into()),
                    occurred_at: Set(now),
                    received_at: Set(now),
                    ..Default::default()
                }))
                .exec(&db)
                .await
                .unwrap();
            }
            eprintln!("{size}: stored in {:.0} s", started.elapsed().as_secs_f64());
            let matcher =
                Arc::new(Matcher::load(db.clone(), embedder.clone(), Scoring::default()).await.unwrap());
            let inbox = Inbox::load(db.clone(), matcher, Default::default()).await.unwrap();
            let first = inbox.regroup().await.unwrap();
            let again = inbox.regroup().await.unwrap();

            // Quality against the source questions' intents, from the stored groups.
            use sea_orm::QueryOrder;
            let stored = miss::Entity::find().order_by_asc(miss::Column::Id).all(&db).await.unwrap();
            let labels: Vec<usize> = stored.iter().map(|m| m.cluster_id.unwrap() as usize).collect();
            let truth: Vec<usize> = rows.iter().map(|r| r.2).collect();
            let quality = (nmi(&truth, &labels), ari(&truth, &labels));

            // Placing a new miss: fresh perturbations of real questions, not stored.
            let mut fresh = Noise(42);
            let probes: Vec<Vec<f32>> = vectors.iter().take(1_000).map(|v| fresh.perturb(v)).collect();
            let mut micros: Vec<f64> = probes
                .iter()
                .map(|v| {
                    let t = Instant::now();
                    std::hint::black_box(inbox.nearest_group(v));
                    t.elapsed().as_secs_f64() * 1e6
                })
                .collect();
            // The whole assigner round for 200 new misses (vectors cached): database included.
            let extra: Vec<(String, Vec<f32>)> = probes
                .iter()
                .take(200)
                .enumerate()
                .map(|(i, v)| (format!("{} (new {i})", texts[i]), v.clone()))
                .collect();
            cache::entity::Entity::insert_many(extra.iter().map(|(t, v)| cached(&model_key, t, v)))
                .exec(&db)
                .await
                .unwrap();
            let reports: Vec<model::misses::Report> = extra
                .iter()
                .map(|(t, _)| model::misses::Report {
                    question: t.clone(),
                    signal: model::misses::Signal::NoMatch,
                    channel: "bot".into(),
                    session_id: None,
                    ask_id: None,
                    reason: None,
                    agent_answer: None,
                    occurred_at: now,
                })
                .collect();
            model::misses::record(&db, &reports).await.unwrap();
            let t = Instant::now();
            let placed = inbox.assign_pending().await.unwrap();
            let per_miss = t.elapsed().as_secs_f64() * 1e3 / placed.max(1) as f64;

            // The workbench's first page (25 groups, all their questions), median of 5.
            let page = ListFilter { limit: Some(25), members: None, ..Default::default() };
            let list_ms = list_median(&inbox, &page).await;
            // The listing's worst case: every open miss a group of its own.
            use sea_orm::ConnectionTrait;
            db.execute_unprepared(
                "INSERT INTO clusters (id, status, label, key_terms, created_at, updated_at) \
                 SELECT id + 10000000, 'open', question, '[]', first_seen_at, last_seen_at FROM misses WHERE status = 'open'",
            )
            .await
            .unwrap();
            db.execute_unprepared("UPDATE misses SET cluster_id = id + 10000000 WHERE status = 'open'").await.unwrap();
            inbox.reload().await.unwrap();
            let singles = inbox.list(&ListFilter { limit: Some(1), ..Default::default() }).await.unwrap().total;
            let singles_ms = list_median(&inbox, &page).await;
            (first, again, quality, median(&mut micros.clone()), percentile(&mut micros, 0.99), per_miss, (list_ms, singles, singles_ms))
        });
        let (first, again, (n, a), med, p99, per_miss, (list_ms, singles, singles_ms)) = report;
        println!(
            "| {} | {:.1} | {} | {n:.3} | {a:.3} | {:.1} | {} | {med:.0} | {p99:.0} | {per_miss:.2} | {list_ms:.0} | {singles_ms:.0} ({singles} groups) |",
            first.misses, first.seconds, first.clusters, again.seconds, again.kept
        );
    }
}
