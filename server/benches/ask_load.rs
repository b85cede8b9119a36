//! `POST /api/v1/ask` over real HTTP under concurrent load, on a knowledge base of 10k and 100k
//! phrasings, next to the bare embedder measured in the same process: one question per call
//! (the latency a lone client cannot beat) and batches of 32 (the rate concurrent clients can
//! at best reach); the peak memory of the process; and the time to bring one published change
//! live at that size. Each size runs in a process of its own, so its memory is its own.
//!
//! The knowledge base is synthetic in content but real in shape: Banking77 questions with a
//! numbered suffix, 10 texts per point, imported and published through the product's import.
//! Their vectors are written to the embedding cache as random unit vectors first (embedding
//! 100k texts would take minutes and does not change the cost of matching, which depends on the
//! number of vectors, not on their values). Asked questions are real Banking77 questions,
//! embedded by the model for every request (no two requests ask the same question).
//!
//! Run: `cargo bench -p server --bench ask_load` (options: `-- --sizes 10000,100000
//! --requests 300 --rounds 3 --model fused|minilm|e5`; requests are per round and level, a
//! third of them for the lone client).

mod common;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use model::accounts::tokens;
use model::embedding::cache;
use model::views::{Actor, Role};
use model::Embedder;
use sea_orm::{EntityTrait, Set};

fn random_unit(seed: &mut u64, dim: usize) -> Vec<f32> {
    let mut v: Vec<f32> = (0..dim)
        .map(|_| {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            (*seed % 20_000) as f32 / 10_000.0 - 1.0
        })
        .collect();
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.iter_mut().for_each(|x| *x /= n);
    v
}

/// Kilobytes of a `/proc/self/status` line (`VmRSS`, `VmHWM`).
fn memory_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Writes `size` phrasings to the database (10 per point, published) and random unit vectors
/// for them to the embedding cache.
async fn fill(
    db: &sea_orm::DatabaseConnection,
    embedder: &Arc<dyn Embedder>,
    size: usize,
    questions: &[String],
) {
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let model_key = cache::model_key(embedder.as_ref());
    let mut rows = Vec::new();
    let mut csv = String::from("category,question,answer,phrasings\n");
    for p in 0..size / 10 {
        let texts: Vec<String> =
            (0..10).map(|j| format!("{} #{p}-{j}", questions[(p * 10 + j) % 5000])).collect();
        for t in &texts {
            rows.push((t.clone(), random_unit(&mut seed, embedder.info().dimension)));
        }
        let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        let phrasings = texts[1..].join("|");
        csv.push_str(&format!("Bench/C{},{},Answer {p}.,{}\n", p % 50, quote(&texts[0]), quote(&phrasings)));
    }
    for chunk in rows.chunks(2000) {
        let models = chunk.iter().map(|(t, v)| cache::entity::ActiveModel {
            model: Set(model_key.clone()),
            text_hash: Set(cache::key(t)),
            text: Set(t.clone()),
            vector: Set(v.iter().flat_map(|x| x.to_le_bytes()).collect()),
            created_at: Set(chrono::Utc::now()),
            ..Default::default()
        });
        cache::entity::Entity::insert_many(models).exec(db).await.unwrap();
    }
    let format = model::knowledge::transfer::Format::Csv;
    let parsed = model::knowledge::transfer::parse(format, csv.as_bytes()).unwrap();
    let admin = Actor::new("bench", Role::Admin);
    let report = model::knowledge::transfer::import(db, &admin, parsed, true).await.unwrap();
    assert_eq!(report.created, size / 10, "{:?}", report.errors.first());
}

fn main() {
    // As the `botcoach` binary does (its memory is what is measured).
    server::cli::fewer_malloc_arenas();
    let mut sizes = vec![10_000usize, 100_000];
    let mut requests = 300usize;
    let mut rounds = 3usize;
    // Every client asks one question: its vector comes from the query cache, so the rate is
    // what the API costs without the model.
    let mut same = false;
    let mut model = "fused".to_string();
    let mut one = false;
    let mut prepare = false;
    let mut given_dir: Option<PathBuf> = None;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--sizes" => sizes = it.next().unwrap().split(',').map(|s| s.parse().unwrap()).collect(),
            "--requests" => requests = it.next().unwrap().parse().unwrap(),
            "--rounds" => rounds = it.next().unwrap().parse().unwrap(),
            "--same" => same = true,
            "--model" => model = it.next().unwrap(),
            "--one" => one = true,
            "--prepare" => prepare = true,
            "--dir" => given_dir = Some(it.next().unwrap().into()),
            _ => {}
        }
    }
    if !one && !prepare {
        // Each size in a fresh process: its peak memory is its own, not the sum of the sizes.
        let mut tables = Vec::new();
        for size in &sizes {
            // The knowledge base is written by one process and served by another, as in
            // production: the serving process's memory holds no trace of the import.
            let dir = tempfile::tempdir().unwrap();
            let dir_arg = dir.path().to_str().unwrap();
            let status = std::process::Command::new(std::env::current_exe().unwrap())
                .args([
                    "--prepare",
                    "--dir",
                    dir_arg,
                    "--sizes",
                    &size.to_string(),
                    "--model",
                    &model,
                    "--bench",
                ])
                .status()
                .unwrap();
            assert!(status.success(), "preparing {size} phrasings failed");
            let out = std::process::Command::new(std::env::current_exe().unwrap())
                .args([
                    "--one",
                    "--dir",
                    dir_arg,
                    "--sizes",
                    &size.to_string(),
                    "--requests",
                    &requests.to_string(),
                ])
                .args(["--model", &model, "--bench", "--rounds", &rounds.to_string()])
                .args(if same { &["--same"][..] } else { &[][..] })
                .stderr(std::process::Stdio::inherit())
                .output()
                .unwrap();
            assert!(out.status.success(), "the run at {size} phrasings failed");
            tables.push(String::from_utf8(out.stdout).unwrap());
        }
        println!("model: {model}\n");
        println!("| phrasings | clients | requests | p50 ms | p99 ms | asks/s (median of rounds) | bare, 1 per call: p50 ms | bare, batches of 32: texts/s | asks/s ÷ batch-32 rate (median of rounds) | p99 bound 2×clients÷rate, ms | peak RSS MB |");
        println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for t in &tables {
            t.lines().filter(|l| l.starts_with('|')).for_each(|l| println!("{l}"));
        }
        println!();
        for t in &tables {
            t.lines().filter(|l| !l.starts_with('|') && !l.is_empty()).for_each(|l| println!("{l}"));
        }
        return;
    }
    let choice = model::ModelChoice::parse(&model).expect("--model fused, minilm or e5");
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let questions = common::banking();
    let mut rows_out = Vec::new();
    let mut live = Vec::new();
    for &size in &sizes {
        let temporary = tempfile::tempdir().unwrap();
        let dir = given_dir.clone().unwrap_or_else(|| temporary.path().to_path_buf());
        let mut config = server::config::Config {
            database_url: format!("sqlite://{}", dir.join("bench.db").display()),
            ..server::config::Config::for_model(choice)
        };
        if let Some(m) = std::env::var_os("BOTCOACH_MODEL_DIR") {
            config.model_dir = m.into();
        }
        let serving = runtime.block_on(async {
            let db = server::startup::open_database(&config).await.unwrap();
            server::startup::migrate(&db).await.unwrap();
            let embedder: Arc<dyn Embedder> = server::startup::load_embedder(&config).await.unwrap();
            if !prepare {
                eprintln!("RSS with the model loaded: {:.0} MB", memory_kb("VmRSS") as f64 / 1024.0);
            }
            if prepare || given_dir.is_none() {
                fill(&db, &embedder, size, &questions).await;
            }
            if prepare {
                return None;
            }
            let started = Instant::now();
            let matcher = model::matching::Matcher::load_with(
                db.clone(),
                embedder.clone(),
                config.matching,
                config.batching,
            )
            .await
            .unwrap();
            eprintln!(
                "{size} phrasings: matcher loaded from the cache in {:.2} s; RSS {:.0} MB",
                started.elapsed().as_secs_f64(),
                memory_kb("VmRSS") as f64 / 1024.0
            );
            let matcher = Arc::new(matcher);
            let inbox =
                model::inbox::Inbox::load(db.clone(), matcher.clone(), Default::default()).await.unwrap();
            let services = model::Services::new(db.clone(), matcher, Arc::new(inbox));
            let token = tokens::create(&db, "bench", Role::Bot).await.unwrap();
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap().to_string();
            let router = server::http::router(&config, services.clone());
            tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
            Some((services, token, addr))
        });
        let Some((services, token, addr)) = serving else { return };

        // Publishing one change: from the publish to the matcher serving it.
        let took = runtime.block_on(async {
            let csv = "category,question,answer,phrasings\nBench/New,Is there a brand new question?,Yes.,a new way to ask\n";
            let format = model::knowledge::transfer::Format::Csv;
            let parsed = model::knowledge::transfer::parse(format, csv.as_bytes()).unwrap();
            let lead = Actor::new("lead", Role::Reviewer);
            model::knowledge::transfer::import(&services.db, &lead, parsed, true).await.unwrap();
            let started = Instant::now();
            services.knowledge_changed().await;
            started.elapsed()
        });
        assert_eq!(services.matcher.stats().points, size / 10 + 1);
        live.push((size, took));

        // Rounds of: the bare embedder on the same kind of questions (one per call, then 32 per
        // call), then the API with 1, 8 and 32 clients. Each round's ratios compare numbers
        // taken a minute apart; their medians over rounds resist this machine's noise.
        let embedder = services.embedder();
        let mut fresh = {
            let pool = &questions[5000..];
            let mut next = 0usize;
            move |n: usize| -> Vec<String> {
                let out = (0..n).map(|i| pool[(next + i) % pool.len()].clone()).collect();
                next += n;
                out
            }
        };
        let levels = [1usize, 8, 32];
        let mut singles = Vec::new();
        let mut batch_rates = Vec::new();
        let mut latencies: Vec<Vec<f64>> = vec![Vec::new(); levels.len()];
        let mut rates: Vec<Vec<f64>> = vec![Vec::new(); levels.len()];
        let mut ratios: Vec<Vec<f64>> = vec![Vec::new(); levels.len()];
        for _ in 0..rounds {
            let texts = fresh(160);
            let started = Instant::now();
            for chunk in texts.chunks(32) {
                let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
                embedder.embed(&refs).unwrap();
            }
            let batch_rate = texts.len() as f64 / started.elapsed().as_secs_f64();
            batch_rates.push(batch_rate);
            for (level, &clients) in levels.iter().enumerate() {
                let n = if clients == 1 { requests / 3 } else { requests };
                let asked = if same { vec![questions[5000].clone(); n] } else { fresh(n) };
                // The lone client alternates with the bare embedder, question by question: the
                // two latencies compared see the same moments of this machine.
                let bare = (clients == 1).then(|| (embedder.clone(), fresh(n)));
                let work = Arc::new(Mutex::new(asked));
                let got = Arc::new(Mutex::new(Vec::new()));
                let bare_got = Arc::new(Mutex::new(Vec::new()));
                let started = Instant::now();
                let threads: Vec<_> = (0..clients)
                    .map(|_| {
                        let (work, got, addr, token) =
                            (work.clone(), got.clone(), addr.clone(), token.clone());
                        let (mut bare, bare_got) = (bare.clone(), bare_got.clone());
                        std::thread::spawn(move || {
                            let mut conn = common::Conn::open(&addr);
                            loop {
                                let Some(q) = work.lock().unwrap().pop() else { break };
                                if let Some((embedder, texts)) = bare.as_mut() {
                                    let text = texts.pop().unwrap();
                                    let t = Instant::now();
                                    embedder.embed(&[text.as_str()]).unwrap();
                                    bare_got.lock().unwrap().push(t.elapsed().as_secs_f64() * 1000.0);
                                }
                                let body = serde_json::json!({ "question": q }).to_string();
                                let t = Instant::now();
                                assert_eq!(conn.post(&addr, &token, &body), 200);
                                got.lock().unwrap().push(t.elapsed().as_secs_f64() * 1000.0);
                            }
                        })
                    })
                    .collect();
                for t in threads {
                    t.join().unwrap();
                }
                let mut rate = n as f64 / started.elapsed().as_secs_f64();
                if clients == 1 {
                    singles.push(common::median(bare_got.lock().unwrap().clone()));
                    // Its own time only, not the bare embedder's turns.
                    rate = n as f64 / (got.lock().unwrap().iter().sum::<f64>() / 1000.0);
                }
                latencies[level].extend(got.lock().unwrap().iter().copied());
                rates[level].push(rate);
                ratios[level].push(rate / batch_rate);
            }
        }
        for (level, &clients) in levels.iter().enumerate() {
            let mut l = latencies[level].clone();
            l.sort_by(|a, b| a.total_cmp(b));
            let rate = common::median(rates[level].clone());
            rows_out.push(format!(
                "| {size} | {clients} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.2} | {:.0} | {:.0} |",
                l.len(),
                common::percentile(&l, 0.5),
                common::percentile(&l, 0.99),
                rate,
                common::median(singles.clone()),
                common::median(batch_rates.clone()),
                common::median(ratios[level].clone()),
                2000.0 * clients as f64 / rate,
                memory_kb("VmHWM") as f64 / 1024.0,
            ));
        }
    }
    for r in rows_out {
        println!("{r}");
    }
    println!();
    for (size, took) in live {
        println!(
            "{size} phrasings: one published change served {:.0} ms after the publish; RSS now {:.0} MB.",
            took.as_secs_f64() * 1000.0,
            memory_kb("VmRSS") as f64 / 1024.0
        );
    }
}
