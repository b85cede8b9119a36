//! Embedder throughput and latency on real questions (Banking77), two work layouts side by
//! side in one run: one worker whose matrix products use every core, and one single-threaded
//! worker per core. Run: `cargo bench -p model --bench embedder` (options: `-- --help`; the
//! default model, `fused`, unless `--model minilm|e5`).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use model::{Embedder, EmbedderOptions, ModelChoice};

struct Args {
    texts: usize,
    repeats: usize,
    latency_runs: usize,
    model: ModelChoice,
}

fn args() -> Args {
    let mut a = Args { texts: 3000, repeats: 3, latency_runs: 200, model: ModelChoice::default() };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().and_then(|v| v.parse().ok()).expect("flag needs a number");
        match flag.as_str() {
            "--texts" => a.texts = value(),
            "--repeats" => a.repeats = value(),
            "--latency-runs" => a.latency_runs = value(),
            "--model" => {
                let name = it.next().unwrap_or_default();
                a.model = ModelChoice::parse(&name).unwrap_or_else(|| panic!("unknown model {name:?}"));
            }
            "--bench" => {}
            "--help" => {
                eprintln!(
                    "options: --texts N (3000) --repeats N (3) --latency-runs N (200) --model minilm|e5|fused (fused)"
                );
                std::process::exit(0);
            }
            other => panic!("unknown option {other}"),
        }
    }
    a
}

fn questions(limit: usize) -> Vec<String> {
    let shared = std::env::var_os("BOTCOACH_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir().join("../../shared"));
    let mut reader =
        csv::Reader::from_path(shared.join("data/banking77/train.csv")).expect("banking77 train.csv");
    reader.records().take(limit).map(|r| r.expect("csv row")[0].to_string()).collect()
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    xs[xs.len() / 2]
}

fn main() {
    let args = args();
    let texts = questions(args.texts);
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let minilm = std::env::var_os("BOTCOACH_MODEL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(model::embedding::default_model_dir);
    let e5 = model::embedding::default_e5_file();
    let load = |options: &EmbedderOptions| -> Arc<dyn Embedder> {
        args.model.load(&minilm, &e5, options).unwrap_or_else(|e| panic!("{e}"))
    };
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    // candle reads RAYON_NUM_THREADS at every matrix product to decide how to split it: all
    // cores for the first layout, one for the second (see EmbedderOptions::workers).
    let threads_per_product = [cores, 1];
    std::env::set_var("RAYON_NUM_THREADS", cores.to_string());
    let layouts = [
        ("one worker, all cores per product", EmbedderOptions { max_batch: 32, workers: 1, kernel: None }),
        ("one single-threaded worker per core", EmbedderOptions { max_batch: 32, workers: 0, kernel: None }),
    ];
    let embedders: Vec<Arc<dyn Embedder>> = layouts.iter().map(|(_, o)| load(o)).collect();

    println!(
        "model {}: {} questions from banking77/train.csv, median of {} runs",
        args.model.as_str(),
        refs.len(),
        args.repeats
    );
    println!("one call per batch of consecutive questions:");
    println!("{:<38} {:>8} {:>14}", "layout", "batch", "sentences/s");
    for batch in [1usize, 32, 128] {
        let mut rates = vec![Vec::new(); embedders.len()];
        // Interleave the layouts run by run so machine noise hits both alike.
        for _ in 0..args.repeats {
            for ((e, rate), threads) in embedders.iter().zip(rates.iter_mut()).zip(threads_per_product) {
                std::env::set_var("RAYON_NUM_THREADS", threads.to_string());
                let start = Instant::now();
                for chunk in refs.chunks(batch) {
                    e.embed(chunk).expect("embed");
                }
                rate.push(refs.len() as f64 / start.elapsed().as_secs_f64());
            }
        }
        let medians: Vec<f64> = rates.into_iter().map(median).collect();
        for ((name, _), m) in layouts.iter().zip(&medians) {
            println!("{name:<38} {batch:>8} {m:>14.1}");
        }
        println!("{:<38} {batch:>8} {:>13.2}x", "ratio per-core / all-cores", medians[1] / medians[0]);
    }

    // The whole list in one call: sorted by length once, then cut into batches of `batch`.
    println!("all {} questions in one call, cut into batches:", refs.len());
    for batch in [32usize, 128] {
        let whole: Vec<Arc<dyn Embedder>> =
            layouts.iter().map(|(_, o)| load(&EmbedderOptions { max_batch: batch, ..o.clone() })).collect();
        let mut rates = vec![Vec::new(); whole.len()];
        for _ in 0..args.repeats {
            for ((e, rate), threads) in whole.iter().zip(rates.iter_mut()).zip(threads_per_product) {
                std::env::set_var("RAYON_NUM_THREADS", threads.to_string());
                let start = Instant::now();
                e.embed(&refs).expect("embed");
                rate.push(refs.len() as f64 / start.elapsed().as_secs_f64());
            }
        }
        for ((name, _), rate) in layouts.iter().zip(rates) {
            println!("{name:<38} {batch:>8} {:>14.1}", median(rate));
        }
    }

    std::env::set_var("RAYON_NUM_THREADS", "1");
    let question = "How do I activate my card?";
    let mut times = Vec::with_capacity(args.latency_runs);
    for _ in 0..args.latency_runs {
        let start = Instant::now();
        embedders[1].embed(&[question]).expect("embed");
        times.push(start.elapsed());
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "latency of one short question, one thread ({:?}): median {:.2} ms, p90 {:.2} ms over {} runs",
        question,
        ms(times[times.len() / 2]),
        ms(times[times.len() * 9 / 10]),
        times.len()
    );
}

/// The crate folder as cargo reports it when it runs this binary; the compile-time value only
/// as a fallback, since a build cached for another clone would point there.
fn manifest_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}
