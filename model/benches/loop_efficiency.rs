//! How fast the loop closes the gap: Banking77 with part of its intents as knowledge, traffic
//! of all intents through the real matcher (misses recorded, grouped by the real inbox), and a
//! scripted trainer who takes groups in the inbox's order and decides by the true intent — link
//! the group's questions of its majority intent to that intent's point if there is one, else
//! create the point from them — each decision published at once (reviewer with `force`).
//!
//! Coverage is measured on held-out questions (never traffic, never knowledge): the share the
//! bot answers with the point of their own intent. The gap is full knowledge (every intent
//! seeded the same way) minus the start; the benchmark reports how much of it 25 decisions
//! recover.
//!
//! Split per intent of `train.csv` (fixed shuffle): 8 questions as knowledge (the first the typical
//! question), 10 held out, the rest (at most 40) as traffic. Intents known at the start: a fixed
//! shuffle's first share (`--known 0.5,0.7` to pick; default 0.5 and 0.7).
//!
//! Each share runs twice: the model never learning, and learning after every 5 decisions
//! (`--learn-every N`; every run goes through the promotion guard, which may refuse it).
//!
//! Run: `cargo bench -p model --bench loop_efficiency`.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use migrations::{Migrator, MigratorTrait};
use model::inbox::{Decision, Inbox, ListFilter};
use model::knowledge::{queries, transfer};
use model::matching::{AskRequest, Matcher, Scoring};
use model::views::{Actor, Outcome, Role};
use model::{Embedder, Services};

const KNOWLEDGE: usize = 8;
const HELD_OUT: usize = 10;
const TRAFFIC: usize = 40;

struct Intent {
    name: String,
    knowledge: Vec<String>,
    held_out: Vec<String>,
    traffic: Vec<String>,
}

fn split() -> Vec<Intent> {
    let mut out = Vec::new();
    for (i, (name, mut questions)) in common::banking_by_intent().into_iter().enumerate() {
        common::shuffle(&mut questions, 77 + i as u64);
        let held_out = questions[KNOWLEDGE..KNOWLEDGE + HELD_OUT].to_vec();
        let traffic = questions[KNOWLEDGE + HELD_OUT..].iter().take(TRAFFIC).cloned().collect();
        out.push(Intent { name, knowledge: questions[..KNOWLEDGE].to_vec(), held_out, traffic });
    }
    common::shuffle(&mut out, 2026);
    out
}

fn answer_of(intent: &str) -> String {
    format!("What an agent says about {}.", intent.replace('_', " "))
}

async fn services(
    dir: &std::path::Path,
    name: &str,
    embedder: Arc<dyn Embedder>,
    seed: &[&Intent],
) -> Services {
    let db = model::storage::connect(&format!("sqlite://{}", dir.join(name).display())).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    let rows: Vec<serde_json::Value> = seed
        .iter()
        .map(|i| {
            serde_json::json!({"category": i.name, "question": i.knowledge[0], "answer": answer_of(&i.name),
                               "phrasings": i.knowledge[1..]})
        })
        .collect();
    let body = serde_json::to_vec(&rows).unwrap();
    let rows = transfer::parse(transfer::Format::Json, &body).unwrap();
    transfer::import(&db, &reviewer(), rows, true).await.unwrap();
    let matcher = Arc::new(Matcher::load(db.clone(), embedder.clone(), Scoring::default()).await.unwrap());
    let inbox = Arc::new(Inbox::load(db.clone(), matcher.clone(), Default::default()).await.unwrap());
    Services::new(db, matcher, inbox)
}

fn reviewer() -> Actor {
    Actor::new("rita", Role::Reviewer)
}

/// Held-out questions answered with a point of their own intent (points are filed under their
/// intent's name).
async fn coverage(services: &Services, intents: &[Intent]) -> f64 {
    let points = queries::list(&services.db, &Default::default()).await.unwrap();
    let intent_of: HashMap<String, String> =
        points.into_iter().map(|p| (p.id.to_string(), p.category_path)).collect();
    let (mut right, mut all) = (0usize, 0usize);
    for intent in intents {
        for q in &intent.held_out {
            let r = services.matcher.ask(ask(q, true)).await.unwrap();
            all += 1;
            if r.outcome == Outcome::Answered
                && r.answer.is_some_and(|a| intent_of.get(&a.knowledge_id) == Some(&intent.name))
            {
                right += 1;
            }
        }
    }
    right as f64 / all as f64
}

fn ask(q: &str, dry_run: bool) -> AskRequest {
    AskRequest { question: q.to_string(), channel: Default::default(), session_id: None, dry_run }
}

struct Run {
    start: f64,
    after: f64,
    misses: usize,
    groups: i64,
    links: usize,
    creates: usize,
    closed: usize,
    open_after: i64,
    /// Training runs the guard promoted.
    promoted: usize,
    seconds: f64,
}

async fn run(
    dir: &std::path::Path,
    embedder: Arc<dyn Embedder>,
    intents: &[Intent],
    known: usize,
    decisions: usize,
    learn_every: usize,
) -> Run {
    let started = Instant::now();
    let seed: Vec<&Intent> = intents[..known].iter().collect();
    let services = services(dir, &format!("loop-{known}-{learn_every}.db"), embedder, &seed).await;
    let start = coverage(&services, intents).await;

    // Traffic of every intent, interleaved; misses and untaken clarifications are recorded.
    let mut traffic: Vec<(&str, &str)> =
        intents.iter().flat_map(|i| i.traffic.iter().map(move |q| (q.as_str(), i.name.as_str()))).collect();
    common::shuffle(&mut traffic, 7);
    let intent_of: HashMap<&str, &str> = traffic.iter().copied().collect();
    for (q, _) in &traffic {
        services.matcher.ask(ask(q, false)).await.unwrap();
    }
    model::misses::record_untaken_clarifications(&services.db, chrono::Duration::zero()).await.unwrap();
    let mut misses = 0;
    loop {
        let placed = services.inbox.assign_pending().await.unwrap();
        misses += placed;
        if placed == 0 {
            break;
        }
    }
    services.inbox.regroup().await.unwrap();
    let groups = services.inbox.list(&ListFilter::default()).await.unwrap().total;

    let trainer = Actor::new("tom", Role::Trainer);
    let mut point_of: HashMap<String, String> = HashMap::new();
    for p in queries::list(&services.db, &Default::default()).await.unwrap() {
        point_of.insert(p.category_path, p.id.to_string());
    }
    let (mut links, mut creates, mut closed) = (0, 0, 0);
    let mut promoted = 0;
    for made in 1..=decisions {
        let page = services
            .inbox
            .list(&ListFilter { limit: Some(1), members: None, ..Default::default() })
            .await
            .unwrap();
        let Some(group) = page.clusters.into_iter().next() else { break };
        let mut votes: HashMap<&str, usize> = HashMap::new();
        for m in &group.members {
            *votes.entry(intent_of.get(m.question.as_str()).copied().unwrap_or("?")).or_default() += 1;
        }
        let (intent, _) = votes
            .iter()
            .max_by_key(|(name, n)| (**n, std::cmp::Reverse(**name)))
            .map(|(k, v)| (*k, *v))
            .unwrap();
        let chosen: Vec<_> =
            group.members.iter().filter(|m| intent_of.get(m.question.as_str()) == Some(&intent)).collect();
        let miss_ids = Some(chosen.iter().map(|m| m.miss_id.clone()).collect());
        let decision = match point_of.get(intent) {
            Some(kid) => {
                links += 1;
                Decision::Link { knowledge_id: kid.clone(), miss_ids }
            }
            None => {
                creates += 1;
                let question = if chosen.iter().any(|m| m.question == group.label) {
                    group.label.clone()
                } else {
                    chosen[0].question.clone()
                };
                Decision::Create {
                    category: intent.to_string(),
                    question,
                    answer: answer_of(intent),
                    miss_ids,
                }
            }
        };
        let done = services.inbox.resolve(&trainer, &group.id, decision).await.unwrap();
        let kid = done.knowledge_id.expect("link and create name a point");
        point_of.insert(intent.to_string(), kid.clone());
        let id: i32 = kid.parse().unwrap();
        // A link that added nothing new leaves nothing to publish.
        match model::publishing::publish(&services, &reviewer(), id, None, true).await {
            Ok(r) => closed += r.closed_misses,
            Err(model::publishing::PublishError::Knowledge(model::knowledge::KnowledgeError::Refused(
                model::views::Problem::NoDraftToPublish { .. },
            ))) => {}
            Err(e) => panic!("publishing {id}: {e}"),
        }
        // The model learns from what was published so far; the guard may refuse the run.
        if learn_every > 0 && made % learn_every == 0 {
            let version = services.learn(Default::default()).await.expect("a training run");
            promoted += usize::from(version.refusal.is_none());
        }
    }
    let after = coverage(&services, intents).await;
    let open_after = services.inbox.list(&ListFilter::default()).await.unwrap().total;
    Run {
        start,
        after,
        misses,
        groups,
        links,
        creates,
        closed,
        open_after,
        promoted,
        seconds: started.elapsed().as_secs_f64(),
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let shares: Vec<f64> = arg("--known")
        .unwrap_or_else(|| "0.5,0.7".into())
        .split(',')
        .map(|s| s.parse().expect("--known 0.5,0.7"))
        .collect();
    let decisions: usize = arg("--decisions").map(|d| d.parse().expect("--decisions N")).unwrap_or(25);
    let learn_every: usize = arg("--learn-every").map(|d| d.parse().expect("--learn-every N")).unwrap_or(5);
    let intents = split();
    let embedder: Arc<dyn Embedder> = Arc::new(common::embedder());
    let dir = tempfile::tempdir().unwrap();

    let all: Vec<&Intent> = intents.iter().collect();
    let full = services(dir.path(), "full.db", embedder.clone(), &all).await;
    let full_coverage = coverage(&full, &intents).await;
    println!(
        "Banking77: {} intents, {} held-out questions; full knowledge coverage {:.3}",
        intents.len(),
        intents.len() * HELD_OUT,
        full_coverage
    );
    println!("| known intents | model learns | traffic misses | groups | decisions (link/create) | misses closed | coverage start → after | gap recovered | open groups after | seconds |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for (share, every) in shares.iter().flat_map(|s| [(*s, 0), (*s, learn_every)]) {
        let known = ((intents.len() as f64) * share).round() as usize;
        let r = run(dir.path(), embedder.clone(), &intents, known, decisions, every).await;
        let learns =
            if every == 0 { "never".to_string() } else { format!("every {every} ({} promoted)", r.promoted) };
        let recovered = (r.after - r.start) / (full_coverage - r.start);
        println!(
            "| {known} of {} | {learns} | {} | {} | {} ({}/{}) | {} | {:.3} → {:.3} | {:.0}% | {} | {:.0} |",
            intents.len(),
            r.misses,
            r.groups,
            r.links + r.creates,
            r.links,
            r.creates,
            r.closed,
            r.start,
            r.after,
            100.0 * recovered,
            r.open_after,
            r.seconds
        );
    }
}
