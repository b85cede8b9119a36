//! The conflict report on real data, and its cost.
//!
//! Quality: Banking77 split as the matching bench splits it (80% of each intent's questions
//! are one knowledge point's texts, 20% held out). The conflict report runs on the knowledge
//! alone; the matcher answers the held-out questions, and their confusion matrix (true intent
//! against the point answered, both ways summed) names the 10 most confused intent pairs. The
//! report's top 10 pairs are compared with them. Nothing of the method was tuned on this: the
//! rule (a text nearer to the other point than to the rest of its own) and its thresholds are
//! the matcher's.
//!
//! Cost: the comparison at 10k and 100k texts: points of 10 texts, each text one of an
//! intent's real vectors with a little noise (so points crowd together as a real base's do).
//!
//! Run: `cargo bench -p model --bench conflicts` (`-- --model minilm|e5|fused`, default fused).

mod common;

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use common::embed_all;
use common::quality::banking_split;
use model::health::crossings::crossings;
use model::matching::{Index, PointDoc, Rows};
use model::ModelChoice;

fn median(mut runs: Vec<f64>) -> f64 {
    runs.sort_by(f64::total_cmp);
    runs[runs.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let name = args
        .iter()
        .position(|a| a == "--model")
        .and_then(|i| args.get(i + 1))
        .cloned()
        .unwrap_or("fused".into());
    let choice = ModelChoice::parse(&name).expect("--model minilm|e5|fused");
    let embedder = common::chosen(choice);
    let scoring = choice.scoring();
    let dim = embedder.info().dimension;

    let split = banking_split();
    let intents: Vec<String> = split.knowledge.keys().cloned().collect();
    let texts: usize = split.knowledge.values().map(Vec::len).sum();
    eprintln!("embedding {texts} knowledge texts and {} held-out questions with {name}…", split.asked.len());
    let vectors: BTreeMap<String, Vec<Vec<f32>>> =
        split.knowledge.iter().map(|(i, t)| (i.clone(), embed_all(embedder.as_ref(), t))).collect();
    let docs: Vec<PointDoc> = intents
        .iter()
        .enumerate()
        .map(|(i, intent)| PointDoc {
            knowledge_id: i as i32,
            category: intent.clone(),
            question: split.knowledge[intent][0].clone(),
            answer: String::new(),
            answers: Default::default(),
            related: Vec::new(),
            texts: split.knowledge[intent].clone(),
            vectors: Rows::new(&vectors[intent]),
            counters: Rows::default(),
        })
        .collect();

    // The held-out confusion matrix, as the matcher answers.
    let index = Index::build(&docs, dim);
    let questions: Vec<String> = split.asked.iter().map(|(q, _)| q.clone()).collect();
    let asked = embed_all(embedder.as_ref(), &questions);
    let mut confused: HashMap<(usize, usize), u64> = HashMap::new();
    for ((q, truth), v) in split.asked.iter().zip(&asked) {
        let top = index.rank(v, q, &scoring, 1).expect("ranking")[0].point;
        let t = intents.iter().position(|i| i == truth).expect("an intent");
        if top != t {
            *confused.entry((t.min(top), t.max(top))).or_default() += 1;
        }
    }
    let mut confused: Vec<((usize, usize), u64)> = confused.into_iter().collect();
    confused.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let most_confused: Vec<(usize, usize)> = confused.iter().take(10).map(|(p, _)| *p).collect();

    let started = Instant::now();
    let report = crossings(&docs, dim, &scoring);
    let took = started.elapsed().as_secs_f64() * 1e3;
    let top: Vec<(usize, usize)> =
        report.iter().take(10).map(|p| (p.first as usize, p.second as usize)).collect();
    let overlap = top.iter().filter(|p| most_confused.contains(p)).count();
    // The 10th place is often shared (a few errors each): every pair with as many held-out errors
    // as the 10th is as much one of "the 10 most confused".
    let tenth = confused.get(9).map(|(_, n)| *n).unwrap_or(0);
    let errors: HashMap<(usize, usize), u64> = confused.iter().copied().collect();
    let tied = confused.iter().filter(|(_, n)| *n >= tenth).count();
    let overlap_ties = top.iter().filter(|p| errors.get(p).copied().unwrap_or(0) >= tenth.max(1)).count();
    let name_of = |(a, b): (usize, usize)| format!("{} / {}", intents[a], intents[b]);
    println!("model {name}: {} points, {texts} texts; {} held-out questions", docs.len(), split.asked.len());
    println!("| rank | most confused held-out pairs (errors) | conflict report's pairs (crossing texts) |");
    println!("| ---: | --- | --- |");
    for k in 0..10 {
        let c = confused.get(k).map(|(p, n)| format!("{} ({n})", name_of(*p))).unwrap_or_default();
        let r = report.get(k).map(|p| {
            let pair = (p.first as usize, p.second as usize);
            let mark = if most_confused.contains(&pair) { " ✓" } else { "" };
            format!("{} ({}){mark}", name_of(pair), p.crossings.len())
        });
        println!("| {} | {c} | {} |", k + 1, r.unwrap_or_default());
    }
    println!(
        "overlap of the top 10: {overlap} of 10 (goal ≥ 7); pairs reported: {}; compared in {took:.0} ms",
        report.len()
    );
    println!(
        "with ties: {tied} pairs have at least the 10th pair's {tenth} held-out errors; {overlap_ties} of the report's top 10 are among them"
    );

    // The cost at 10k and 100k texts.
    println!("\n| texts | points | pairs with crossings | time (median of 3) |");
    println!("| ---: | ---: | ---: | ---: |");
    let pool: Vec<&Vec<Vec<f32>>> = intents.iter().map(|i| &vectors[i]).collect();
    for total in [10_000usize, 100_000] {
        let points = total / 10;
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let synthetic: Vec<PointDoc> = (0..points)
            .map(|p| {
                let of_intent = pool[p % pool.len()];
                let rows: Vec<Vec<f32>> = (0..10)
                    .map(|_| {
                        let base = &of_intent[(next() % of_intent.len() as u64) as usize];
                        let mut v: Vec<f32> =
                            base.iter().map(|x| x + ((next() % 2001) as f32 / 1000.0 - 1.0) * 0.02).collect();
                        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
                        v.iter_mut().for_each(|x| *x /= n);
                        v
                    })
                    .collect();
                PointDoc {
                    knowledge_id: p as i32,
                    category: String::new(),
                    question: String::new(),
                    answer: String::new(),
                    answers: Default::default(),
                    related: Vec::new(),
                    texts: vec![String::new(); 10],
                    vectors: Rows::new(&rows),
                    counters: Rows::default(),
                }
            })
            .collect();
        let mut found = 0;
        let runs: Vec<f64> = (0..3)
            .map(|_| {
                let t = Instant::now();
                found = crossings(&synthetic, dim, &scoring).len();
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        println!("| {total} | {points} | {found} | {:.0} ms |", median(runs));
    }
}
