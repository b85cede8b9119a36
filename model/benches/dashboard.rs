//! The dashboard at a million logged asks, on a real SQLite file: how long the supervisor's
//! figures take (`metrics::summary` for 7, 30 and 90 days, all channels and one), the list
//! behind a figure, the voice-of-customer report, and the knowledge health list.
//!
//! Data: 1,000,000 asks spread evenly over 90 days (60% answered, 15% clarify, 25% missed; three
//! channels; a fifth of the answers rated, 80% of those helpful, 5% handed off; half the
//! clarifications chosen), each with a best-ranked point among 77 (Banking77's intents, in 11 business
//! categories); 50,000 misses in 1,000 groups with a report each, 30% decided and 20% closed by
//! publishing; 5,000 decisions by 5 trainers. Run: `cargo bench -p model --bench dashboard`
//! (`-- --asks 100000` for a smaller run).

mod common;

use std::time::Instant;

use chrono::{Duration, Utc};
use migrations::{Migrator, MigratorTrait};
use model::health::{health_list, HealthQuery};
use model::inbox::entity::{cluster, decision};
use model::knowledge::transfer;
use model::matching::asks::entity as asks;
use model::metrics::{self, report, AskFilter, Period};
use model::misses::entity::{event, miss};
use model::views::{Action, Actor, Channel, GroupStatus, MissStatus, Outcome, Role, Signal};
use sea_orm::{EntityTrait, Set};

/// xorshift: a fixed, dependency-free stream of numbers.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn median_ms(mut runs: Vec<f64>) -> f64 {
    runs.sort_by(f64::total_cmp);
    runs[runs.len() / 2]
}

async fn time<F, Fut, T>(f: F) -> f64
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let mut runs = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        std::hint::black_box(f().await);
        runs.push(t.elapsed().as_secs_f64() * 1e3);
    }
    median_ms(runs)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n_asks: u64 = args
        .iter()
        .position(|a| a == "--asks")
        .and_then(|i| args.get(i + 1))
        .map(|n| n.parse().expect("--asks N"))
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let db =
        model::storage::connect(&format!("sqlite://{}", dir.path().join("dash.db").display())).await.unwrap();
    Migrator::up(&db, None).await.unwrap();

    // 77 points, one per Banking77 intent, in 11 business categories.
    let intents: Vec<String> = common::banking_by_intent().into_keys().collect();
    let rows: Vec<serde_json::Value> = intents
        .iter()
        .enumerate()
        .map(|(i, name)| serde_json::json!({"category": format!("Area {}/{}", i % 11, name), "question": name.replace('_', " "), "answer": "a", "phrasings": []}))
        .collect();
    let body = serde_json::to_vec(&rows).unwrap();
    let lead = Actor::new("lead", Role::Reviewer);
    transfer::import(&db, &lead, transfer::parse(transfer::Format::Json, &body).unwrap(), true)
        .await
        .unwrap();
    let points: Vec<i32> = model::knowledge::queries::list(&db, &Default::default())
        .await
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();

    let now = Utc::now();
    let span = Duration::days(90).num_seconds() as u64;
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let started = Instant::now();
    let channels = Channel::ALL;
    // Ratings, handoffs and clarification choices for the health list, from a stream of their
    // own so the rest of the data is what it was before they were added.
    let mut rated = Rng(0x9e37_79b9_7f4a_7c15);
    let mut i = 0u64;
    while i < n_asks {
        let batch: Vec<asks::ActiveModel> = (i..(i + 1000).min(n_asks))
            .map(|k| {
                let roll = rng.below(100);
                let outcome = if roll < 60 {
                    Outcome::Answered
                } else if roll < 75 {
                    Outcome::Clarify
                } else {
                    Outcome::Miss
                };
                let top = points[rng.below(points.len() as u64) as usize];
                let answered = outcome == Outcome::Answered;
                let (verdict, chose) = (rated.below(100), rated.below(2) == 0);
                let helpful = (answered && verdict < 20).then_some(verdict < 16);
                let handoff = (answered && verdict >= 95).then_some(true);
                let chosen = (outcome == Outcome::Clarify && chose).then_some(top);
                asks::ActiveModel {
                    ask_id: Set(format!("ask_{k}")),
                    question: Set(format!("question {k}")),
                    channel: Set(channels[rng.below(3) as usize]),
                    session_id: Set(None),
                    outcome: Set(outcome),
                    knowledge_id: Set((outcome == Outcome::Answered).then_some(top)),
                    score: Set(Some(0.5)),
                    candidates: Set("[]".into()),
                    helpful: Set(helpful),
                    handoff: Set(handoff),
                    chosen_knowledge_id: Set(chosen),
                    top_knowledge_id: Set(Some(top)),
                    miss_recorded: Set(outcome == Outcome::Miss),
                    created_at: Set(now - Duration::seconds(rng.below(span) as i64)),
                    ..Default::default()
                }
            })
            .collect();
        asks::Entity::insert_many(batch).exec(&db).await.unwrap();
        i += 1000;
    }
    let clusters = 1_000i64;
    for c in 0..clusters {
        cluster::Entity::insert(cluster::ActiveModel {
            id: Set(c + 1),
            status: Set(GroupStatus::Open),
            label: Set(format!("topic {c}")),
            key_terms: Set("[]".into()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .exec(&db)
        .await
        .unwrap();
    }
    let n_misses = 50_000i64;
    for start in (0..n_misses).step_by(500) {
        let mut misses = Vec::new();
        let mut events = Vec::new();
        for m in start..(start + 500).min(n_misses) {
            let first = now - Duration::seconds(rng.below(span) as i64);
            let roll = rng.below(100);
            let (status, decided, closed) = match roll {
                0..20 => (MissStatus::Closed, None, Some(first + Duration::hours(rng.below(72) as i64))),
                20..50 => (MissStatus::Resolved, Some(first + Duration::hours(rng.below(48) as i64)), None),
                _ => (MissStatus::Open, None, None),
            };
            misses.push(miss::ActiveModel {
                id: Set(m + 1),
                question: Set(format!("missed question {m}")),
                normalized: Set(format!("missed question {m}")),
                count: Set(1),
                status: Set(status),
                first_seen_at: Set(first),
                last_seen_at: Set(first),
                cluster_id: Set(Some(1 + rng.below(clusters as u64) as i64)),
                knowledge_id: Set(closed.map(|_| points[rng.below(points.len() as u64) as usize])),
                closed_at: Set(closed),
                decided_at: Set(decided),
                language: Set(model::views::Language::En),
            });
            events.push(event::ActiveModel {
                miss_id: Set(m + 1),
                signal: Set(Signal::NoMatch),
                channel: Set(channels[rng.below(3) as usize].to_string()),
                occurred_at: Set(first),
                received_at: Set(first),
                ..Default::default()
            });
        }
        miss::Entity::insert_many(misses).exec(&db).await.unwrap();
        event::Entity::insert_many(events).exec(&db).await.unwrap();
    }
    let decisions: Vec<decision::ActiveModel> = (0..5_000)
        .map(|d| decision::ActiveModel {
            cluster_id: Set(1 + d % clusters),
            action: Set(Action::Link),
            knowledge_id: Set(Some(points[0])),
            miss_ids: Set("[1]".into()),
            whole_group: Set(false),
            created_point: Set(false),
            revision_before: Set(None),
            revision_after: Set(None),
            actor: Set(format!("trainer{}", d % 5)),
            created_at: Set(now - Duration::seconds(rng.below(span) as i64)),
            undone_at: Set(None),
            ..Default::default()
        })
        .collect();
    for chunk in decisions.chunks(1000) {
        decision::Entity::insert_many(chunk.to_vec()).exec(&db).await.unwrap();
    }
    eprintln!("stored {n_asks} asks, {n_misses} misses in {:.0} s", started.elapsed().as_secs_f64());

    println!("{n_asks} asks over 90 days, 50,000 misses, SQLite; median of 5, ms");
    println!("| query | 7 days | 30 days | 90 days |");
    println!("| --- | ---: | ---: | ---: |");
    let line = |name: &str, ms: [f64; 3]| println!("| {name} | {:.0} | {:.0} | {:.0} |", ms[0], ms[1], ms[2]);
    let mut all = [0.0; 3];
    let mut bot = [0.0; 3];
    let mut drill = [0.0; 3];
    let mut voc = [0.0; 3];
    let mut health = [0.0; 3];
    for (k, days) in [7u32, 30, 90].into_iter().enumerate() {
        let period = Period { days, channel: None };
        all[k] = time(|| metrics::summary(&db, &period)).await;
        let one = Period { days, channel: Some("bot".into()) };
        bot[k] = time(|| metrics::summary(&db, &one)).await;
        let s = metrics::summary(&db, &period).await.unwrap();
        assert!(
            s.asks > 0 && s.by_category.len() >= 11,
            "{} asks, {} categories",
            s.asks,
            s.by_category.len()
        );
        let filter = AskFilter {
            period: period.clone(),
            outcome: Some("miss".into()),
            category: Some(s.by_category[0].category_id),
            day: None,
            point: None,
            limit: 100,
        };
        drill[k] = time(|| metrics::asks(&db, &filter)).await;
        voc[k] = time(|| report::topics(&db, days, 20)).await;
        let query = HealthQuery { days, ..Default::default() };
        let first_page = health_list(&db, &query, Utc::now()).await.unwrap();
        assert_eq!(first_page.published, points.len() as u64);
        assert!(first_page.rows[0].answered > 0 && first_page.rows[0].rated > 0);
        health[k] = time(|| health_list(&db, &query, Utc::now())).await;
    }
    line("summary, all channels", all);
    line("summary, one channel", bot);
    line("asks behind a category's misses (100)", drill);
    line("voice-of-customer report (20 topics)", voc);
    line("health list, first page (50 points)", health);
}
