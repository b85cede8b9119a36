//! Grouping quality on Banking77: 3,000 questions (a fixed sample over all 77 intents) as misses,
//! grouped without being told the number of intents; NMI and ARI against the true intents, and
//! the number of groups found. Compares average linkage alone (a threshold sweep) with the
//! two-stage method that attaches small groups to the nearest large one. The two-stage grid is
//! searched on this sample and its choice then checked on a second, disjoint sample of 3,000.
//!
//! Run: `cargo bench -p model --bench clustering`.

mod common;

use std::collections::BTreeSet;
use std::time::Instant;

use common::{banking_by_intent, embed_all, shuffle};
use model::clustering::linkage::{cut, dendrogram};
use model::clustering::metrics::{ari, nmi};
use model::clustering::{attach_small, Grouping};

const SAMPLE: usize = 3_000;

fn main() {
    let mut all: Vec<(String, usize)> = Vec::new();
    for (i, (_, questions)) in banking_by_intent().into_iter().enumerate() {
        all.extend(questions.into_iter().map(|q| (q, i)));
    }
    shuffle(&mut all, 3000);
    let other: Vec<(String, usize)> = all[SAMPLE..2 * SAMPLE].to_vec();
    all.truncate(SAMPLE);
    let intents = all.iter().map(|(_, i)| *i).collect::<BTreeSet<_>>().len();
    let texts: Vec<String> = all.iter().map(|(q, _)| q.clone()).collect();
    let truth: Vec<usize> = all.iter().map(|(_, i)| *i).collect();
    let vectors = embed_all(&common::embedder(), &texts);

    let started = Instant::now();
    let merges = dendrogram(&vectors);
    eprintln!("dendrogram of {SAMPLE} in {:.2} s", started.elapsed().as_secs_f64());
    let groups = |l: &[usize]| l.iter().collect::<BTreeSet<_>>().len();

    println!("## {SAMPLE} Banking77 questions from {intents} intents\n");
    println!("| method | parameters | groups | NMI | ARI |\n| --- | --- | ---: | ---: | ---: |");
    for t in [0.4f32, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7] {
        let l = cut(vectors.len(), &merges, t);
        println!(
            "| average linkage | threshold {t} | {} | {:.3} | {:.3} |",
            groups(&l),
            nmi(&truth, &l),
            ari(&truth, &l)
        );
    }
    let mut best = (f64::MIN, Grouping::default(), 0, 0.0, 0.0);
    for merge in [0.45f32, 0.5, 0.55, 0.6, 0.65] {
        let base = cut(vectors.len(), &merges, merge);
        for small in [2usize, 3, 5, 8, 12] {
            for attach in [0.35f32, 0.4, 0.45, 0.5, 0.55, 0.6] {
                let l = attach_small(&vectors, base.clone(), small, attach);
                let (n, a) = (nmi(&truth, &l), ari(&truth, &l));
                if n + a > best.0 {
                    best = (n + a, Grouping { merge, small, attach }, groups(&l), n, a);
                }
            }
        }
    }
    let (_, p, g, n, a) = best;
    println!(
        "| two-stage (best of the grid) | merge {}, small < {}, attach {} | {g} | {n:.3} | {a:.3} |",
        p.merge, p.small, p.attach
    );
    let (o_texts, o_truth): (Vec<String>, Vec<usize>) = other.into_iter().unzip();
    let o_vectors = embed_all(&common::embedder(), &o_texts);
    let l = model::clustering::group(&o_vectors, &p);
    println!(
        "| two-stage, the same parameters on a second sample | merge {}, small < {}, attach {} | {} | {:.3} | {:.3} |",
        p.merge,
        p.small,
        p.attach,
        groups(&l),
        nmi(&o_truth, &l),
        ari(&o_truth, &l)
    );
    let d = Grouping::default();
    let l = model::clustering::group(&vectors, &d);
    println!(
        "| two-stage (shipped defaults) | merge {}, small < {}, attach {} | {} | {:.3} | {:.3} |",
        d.merge,
        d.small,
        d.attach,
        groups(&l),
        nmi(&truth, &l),
        ari(&truth, &l)
    );
}
