//! The matcher's exact scan alone, without the model: one question and batches of 8 and 32
//! against 10k and 100k stored texts of the default model's dimension (768), lexical side
//! included. Medians of 15 runs, same process.
//!
//! Run: `cargo bench -p model --bench scan` (options: `-- --dim 384 --sizes 10000,100000`).

use std::time::Instant;

use model::matching::{Index, PointDoc, Rows, Scoring};

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

/// The median time of 15 runs of `f`, in milliseconds.
fn median_ms<T>(mut f: impl FnMut() -> T) -> f64 {
    let mut times: Vec<f64> = (0..15)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(|a, b| a.total_cmp(b));
    times[times.len() / 2]
}

fn main() {
    let mut dim = 768usize;
    let mut sizes = vec![10_000usize, 100_000];
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--dim" => dim = it.next().unwrap().parse().unwrap(),
            "--sizes" => sizes = it.next().unwrap().split(',').map(|s| s.parse().unwrap()).collect(),
            _ => {}
        }
    }
    let words =
        ["card", "account", "transfer", "money", "pin", "top", "up", "cash", "fee", "refund", "atm", "why"];
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    println!("dim {dim}\n");
    println!(
        "| texts | questions per product | ms per product | ms per question | ms per product, vectors only |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: |");
    for &size in &sizes {
        let docs: Vec<PointDoc> = (0..size / 10)
            .map(|p| {
                let texts: Vec<String> = (0..10)
                    .map(|j| format!("{} {} my {p}-{j}", words[(p + j) % 12], words[(p * 7 + j) % 12]))
                    .collect();
                let vectors: Vec<Vec<f32>> = (0..10).map(|_| random_unit(&mut seed, dim)).collect();
                PointDoc {
                    knowledge_id: p as i32,
                    category: "C".into(),
                    question: texts[0].clone(),
                    answer: String::new(),
                    answers: Default::default(),
                    related: Vec::new(),
                    texts,
                    vectors: Rows::new(&vectors),
                    counters: Rows::default(),
                }
            })
            .collect();
        let index = Index::build(&docs, dim);
        drop(docs);
        let scoring = Scoring::default();
        for b in [1usize, 8, 32] {
            let queries: Vec<(Vec<f32>, String)> = (0..b)
                .map(|i| (random_unit(&mut seed, dim), format!("my card {} money", words[i % 12])))
                .collect();
            let refs: Vec<(&[f32], &str)> = queries.iter().map(|(v, q)| (v.as_slice(), q.as_str())).collect();
            let total = median_ms(|| index.rank_many(&refs, &scoring, 5).unwrap());
            // The same without the lexical side: a question with no words.
            let bare: Vec<(&[f32], &str)> = refs.iter().map(|(v, _)| (*v, "")).collect();
            let vectors_only = median_ms(|| index.rank_many(&bare, &scoring, 5).unwrap());
            println!("| {size} | {b} | {total:.2} | {:.2} | {vectors_only:.2} |", total / b as f64);
        }
    }
}
