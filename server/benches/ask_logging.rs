//! What logging costs the bot API, with the model out of the way: `POST /api/v1/ask` over real
//! HTTP from 32 clients asking 60 repeated questions (their vectors come from the query cache
//! after a first pass), logged against dry-run asks in the same round, on SQLite and on
//! PostgreSQL; and on PostgreSQL, two instances (each with its own pool, matcher and journal, in
//! this one process) against one. Also the CPU time per ask: the model's for a question
//! (embedded in batches of 32, as the ask queue does under load) and the rest of a logged ask's
//! (HTTP, ranking, the log; this process only: the load generator is counted, PostgreSQL's own
//! processes are not).
//!
//! Knowledge: the first `--phrasings` Banking77 questions of each of the 77 intents (5 by
//! default: 385 texts; 200 takes them all, 9,926 texts). Asked: the last question of each of 60
//! intents, never in the knowledge, so asks end answered, clarified or missed as real ones do.
//!
//! Run: `cargo bench -p server --bench ask_logging` (options: `-- --requests 1200 --rounds 3
//! --clients 32 --phrasings 5`). PostgreSQL runs when BOTCOACH_TEST_POSTGRES_URL names a server it may create
//! databases on (`scripts/postgres.sh start DIR` prints one).

mod common;

use std::sync::{Arc, Mutex};
use std::time::Instant;

use model::accounts::tokens;
use model::views::{Actor, Role};
use sea_orm::ConnectionTrait;

/// CPU seconds this process has used (user + system; Linux counts in hundredths).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    ticks as f64 / 100.0
}

struct Instance {
    services: model::Services,
    addr: String,
}

async fn instance(config: &server::config::Config) -> Instance {
    let services = server::startup::services(config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let router = server::http::router(config, services.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    Instance { services, addr }
}

/// A new, empty PostgreSQL database on the server `BOTCOACH_TEST_POSTGRES_URL` names.
async fn fresh_postgres(name: &str) -> Option<String> {
    let base = std::env::var("BOTCOACH_TEST_POSTGRES_URL").ok()?;
    let admin = model::storage::connect(&base).await.unwrap();
    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await.unwrap();
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
    Some(format!("{}/{name}", &base[..base.rfind('/').unwrap()]))
}

/// One round at one setting: `n` asks from `clients` clients spread over the instances.
struct Round {
    rate: f64,
    latencies: Vec<f64>,
    cpu_ms_per_ask: f64,
    commits: u64,
}

fn round(
    instances: &[Instance],
    token: &str,
    questions: &[String],
    n: usize,
    clients: usize,
    dry_run: bool,
) -> Round {
    let work: Arc<Mutex<Vec<String>>> =
        Arc::new(Mutex::new((0..n).map(|i| questions[i % questions.len()].clone()).collect()));
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(n)));
    let commits = || instances.iter().map(|i| i.services.matcher.journal().commits()).sum::<u64>();
    let (commits_before, cpu_before, started) = (commits(), cpu_seconds(), Instant::now());
    let threads: Vec<_> = (0..clients)
        .map(|c| {
            let (work, latencies, token) = (work.clone(), latencies.clone(), token.to_string());
            let addr = instances[c % instances.len()].addr.clone();
            std::thread::spawn(move || {
                let mut conn = common::Conn::open(&addr);
                loop {
                    let Some(q) = work.lock().unwrap().pop() else { break };
                    let body = serde_json::json!({ "question": q, "dry_run": dry_run }).to_string();
                    let t = Instant::now();
                    assert_eq!(conn.post(&addr, &token, &body), 200);
                    latencies.lock().unwrap().push(t.elapsed().as_secs_f64() * 1000.0);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut latencies = latencies.lock().unwrap().clone();
    latencies.sort_by(|a, b| a.total_cmp(b));
    Round {
        rate: n as f64 / elapsed,
        latencies,
        cpu_ms_per_ask: (cpu_seconds() - cpu_before) * 1000.0 / n as f64,
        commits: commits() - commits_before,
    }
}

fn main() {
    server::cli::fewer_malloc_arenas();
    let (mut requests, mut rounds, mut clients, mut phrasings) = (1200usize, 3usize, 32usize, 5usize);
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--requests" => requests = it.next().unwrap().parse().unwrap(),
            "--rounds" => rounds = it.next().unwrap().parse().unwrap(),
            "--clients" => clients = it.next().unwrap().parse().unwrap(),
            "--phrasings" => phrasings = it.next().unwrap().parse().unwrap(),
            _ => {}
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let all = common::banking_with_intents();
    let mut by_intent: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for (q, intent) in &all {
        by_intent.entry(intent.as_str()).or_default().push(q.as_str());
    }
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut csv = String::from("category,question,answer,phrasings\n");
    let mut texts = 0;
    for (intent, qs) in &by_intent {
        let known = &qs[..phrasings.min(qs.len() - 1)];
        texts += known.len();
        csv.push_str(&format!(
            "Bank/{intent},{},Answer about {intent}.,{}\n",
            quote(known[0]),
            quote(&known[1..].join("|"))
        ));
    }
    let questions: Vec<String> = by_intent.values().take(60).map(|qs| qs[qs.len() - 1].to_string()).collect();

    let dir = tempfile::tempdir().unwrap();
    let mut databases = vec![("SQLite", format!("sqlite://{}", dir.path().join("bench.db").display()))];
    match runtime.block_on(fresh_postgres("botcoach_ask_logging")) {
        Some(url) => databases.push(("PostgreSQL", url)),
        None => eprintln!("PostgreSQL skipped: set BOTCOACH_TEST_POSTGRES_URL"),
    }
    let mut model_line = String::new();
    let mut rows = Vec::new();
    for (name, url) in databases {
        let mut config = server::config::Config {
            database_url: url,
            ..server::config::Config::for_model(model::ModelChoice::parse("fused").unwrap())
        };
        if let Some(m) = std::env::var_os("BOTCOACH_MODEL_DIR") {
            config.model_dir = m.into();
        }
        let (first, token) = runtime.block_on(async {
            let first = instance(&config).await;
            let admin = Actor::new("bench", Role::Admin);
            let parsed =
                model::knowledge::transfer::parse(model::knowledge::transfer::Format::Csv, csv.as_bytes())
                    .unwrap();
            model::knowledge::transfer::import(&first.services.db, &admin, parsed, true).await.unwrap();
            first.services.knowledge_changed().await;
            let token = tokens::create(&first.services.db, "bench", Role::Bot).await.unwrap();
            (first, token)
        });
        let mut instances = vec![first];
        if name == "PostgreSQL" {
            // Started after the import: it loads the knowledge as a second instance would.
            instances.push(runtime.block_on(instance(&config)));
        }
        // Each instance embeds each question once: from here on they come from its query cache.
        for i in 0..instances.len() {
            round(&instances[i..=i], &token, &questions, questions.len(), 1, true);
        }
        if model_line.is_empty() {
            let embedder = instances[0].services.embedder();
            let fresh: Vec<&str> = by_intent
                .values()
                .flat_map(|qs| qs[qs.len() - 3..qs.len() - 1].iter().copied())
                .take(150)
                .collect();
            let (cpu, started) = (cpu_seconds(), Instant::now());
            for chunk in fresh.chunks(32) {
                embedder.embed(chunk).unwrap();
            }
            model_line = format!(
                "The model ({}): {:.1} ms of CPU per question, {:.0} questions/s on this machine (batches of 32).",
                embedder.info().name,
                (cpu_seconds() - cpu) * 1000.0 / fresh.len() as f64,
                fresh.len() as f64 / started.elapsed().as_secs_f64()
            );
        }
        let settings: Vec<(usize, bool)> = if instances.len() > 1 {
            vec![(1, true), (1, false), (2, true), (2, false)]
        } else {
            vec![(1, true), (1, false)]
        };
        let mut results: Vec<Vec<Round>> = settings.iter().map(|_| Vec::new()).collect();
        for _ in 0..rounds {
            for (s, &(count, dry_run)) in settings.iter().enumerate() {
                results[s].push(round(&instances[..count], &token, &questions, requests, clients, dry_run));
            }
        }
        let median_rate = |s: usize| common::median(results[s].iter().map(|r| r.rate).collect());
        for (s, &(count, dry_run)) in settings.iter().enumerate() {
            let mut latencies: Vec<f64> = results[s].iter().flat_map(|r| r.latencies.clone()).collect();
            latencies.sort_by(|a, b| a.total_cmp(b));
            // Ratios within each round (the settings of a round run a second apart), then the median.
            let vs_dry = (!dry_run).then(|| {
                common::median(results[s].iter().zip(&results[s - 1]).map(|(l, d)| l.rate / d.rate).collect())
            });
            let vs_one = (count == 2 && !dry_run).then(|| {
                common::median(
                    results[s].iter().zip(&results[1]).map(|(two, one)| two.rate / one.rate).collect(),
                )
            });
            let commits: u64 = results[s].iter().map(|r| r.commits).sum();
            let asks = (requests * rounds) as f64;
            rows.push(format!(
                "| {name} | {count} | {} | {:.0} | {} | {} | {:.1} | {:.1} | {:.2} | {} |",
                if dry_run { "dry run" } else { "logged" },
                median_rate(s),
                vs_dry.map_or("".into(), |r| format!("{r:.2}")),
                vs_one.map_or("".into(), |r| format!("{r:.2}")),
                common::percentile(&latencies, 0.5),
                common::percentile(&latencies, 0.99),
                common::median(results[s].iter().map(|r| r.cpu_ms_per_ask).collect()),
                if dry_run { String::new() } else { format!("{:.1}", asks / commits.max(1) as f64) },
            ));
        }
    }
    println!(
        "{texts} knowledge texts; {clients} clients, {} repeated questions, {requests} asks a round, {rounds} rounds (medians).\n",
        questions.len()
    );
    println!("| database | instances | asks | asks/s | ÷ dry run | ÷ one instance | p50 ms | p99 ms | CPU ms per ask | asks per commit |");
    println!("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for r in rows {
        println!("{r}");
    }
    println!("\n{model_line}");
}
