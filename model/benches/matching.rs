//! Matching quality on real data, and the calibration of the outcome thresholds.
//!
//! English: Banking77 `train.csv` split 80/20 per intent (fixed seed): the 80% become one
//! knowledge point per intent (first question = typical question, the rest phrasings), the 20%
//! are asked. Reports top-1 accuracy of the plain nearest neighbour over the same embeddings
//! (the baseline), of lexical only and of the fused score; then calibrates `answer_score` and
//! `answer_margin` on one half of the questions (most answered with precision >= 97%) and reports
//! them on the other half; and, with 10 intents left out of the knowledge, how often their
//! questions would be answered anyway (wrongly).
//! Chinese: the telecom demo, each phrasing asked against the base without it (leave one out).
//!
//! Run: `cargo bench -p model --bench matching`.

mod common;

use std::collections::BTreeMap;

use common::quality::{answered, banking_split, build, calibrate, predictions, top1};
use common::{embed_all, manifest_dir};
use model::matching::{Index, Outcome, PointDoc, Scoring};
use model::Embedder;

fn main() {
    let embedder = common::embedder();
    let dim = embedder.info().dimension;

    let split = banking_split();
    let kb_texts: usize = split.knowledge.values().map(Vec::len).sum();
    eprintln!("embedding {kb_texts} knowledge texts and {} questions…", split.asked.len());
    let vectors: BTreeMap<String, Vec<Vec<f32>>> =
        split.knowledge.iter().map(|(intent, texts)| (intent.clone(), embed_all(&embedder, texts))).collect();
    let questions: Vec<String> = split.asked.iter().map(|(q, _)| q.clone()).collect();
    let asked_vectors = embed_all(&embedder, &questions);
    let index = build(&split.knowledge, &vectors, dim, &[]);

    println!(
        "## Banking77: {} intents, {kb_texts} knowledge texts, {} questions asked\n",
        split.knowledge.len(),
        split.asked.len()
    );
    println!("| scoring | neighbour weight | lexical weight | top-1 |\n| --- | ---: | ---: | ---: |");
    let mut best = (0.0, 0.0f32, 0.0f32);
    for (beta, w) in [
        (0.0f32, 0.0f32),
        (0.0, 1.0),
        (0.0, 0.1),
        (0.0, 0.2),
        (0.3, 0.0),
        (0.5, 0.0),
        (0.3, 0.1),
        (0.5, 0.1),
        (0.7, 0.1),
        (0.5, 0.15),
        (0.5, 0.2),
    ] {
        let scoring = Scoring { neighbour_weight: beta, lexical_weight: w, ..Scoring::default() };
        let acc = top1(&predictions(&index, &split.asked, &asked_vectors, &scoring), &split.asked);
        let name = match (beta, w) {
            (0.0, 0.0) => "nearest neighbour (baseline)",
            (_, 1.0) => "lexical only",
            (_, 0.0) => "several neighbours",
            _ => "fused",
        };
        println!("| {name} | {beta} | {w} | {:.2}% |", acc * 100.0);
        if w < 1.0 && acc > best.0 {
            best = (acc, beta, w);
        }
    }
    let best = (best.0, best.2, best.1);
    let scoring = Scoring { neighbour_weight: best.2, lexical_weight: best.1, ..Scoring::default() };
    let preds = predictions(&index, &split.asked, &asked_vectors, &scoring);
    let half = split.asked.len() / 2;
    let (score, margin, p_cal, s_cal) = calibrate(&preds[..half], &split.asked[..half]);
    let (p_test, s_test) = answered(&preds[half..], &split.asked[half..], score, margin);
    let base = Scoring { lexical_weight: 0.0, ..Scoring::default() };
    let base_preds = predictions(&index, &split.asked, &asked_vectors, &base);
    let (bs, bm, _, _) = calibrate(&base_preds[..half], &split.asked[..half]);
    let (bp, bsh) = answered(&base_preds[half..], &split.asked[half..], bs, bm);
    let d = Scoring::default();
    let (dp, dsh) = answered(&preds[half..], &split.asked[half..], d.answer_score, d.answer_margin);
    println!("\nCalibrated on the first half ({half} questions), reported on the other half:\n");
    println!("| scoring | answer_score | answer_margin | answered precision | answered share |\n| --- | ---: | ---: | ---: | ---: |");
    println!("| nearest neighbour | {bs:.2} | {bm:.2} | {:.2}% | {:.2}% |", bp * 100.0, bsh * 100.0);
    println!(
        "| shipped defaults | {:.2} | {:.2} | {:.2}% | {:.2}% |",
        d.answer_score,
        d.answer_margin,
        dp * 100.0,
        dsh * 100.0
    );
    println!(
        "| fused (neighbours {}, lexical {}) | {score:.2} | {margin:.2} | {:.2}% | {:.2}% |  (calibration half: {:.2}% / {:.2}%)",
        best.2,
        best.1,
        p_test * 100.0,
        s_test * 100.0,
        p_cal * 100.0,
        s_cal * 100.0
    );

    // Unknown intents: left out of the knowledge, their questions should not be answered.
    let left_out: Vec<&str> = split.knowledge.keys().step_by(8).map(String::as_str).collect();
    let partial = build(&split.knowledge, &vectors, dim, &left_out);
    let (mut unknown, mut wrongly) = (0, 0);
    let scoring = Scoring {
        neighbour_weight: best.2,
        lexical_weight: best.1,
        answer_score: score,
        answer_margin: margin,
        ..Scoring::default()
    };
    for ((q, intent), v) in split.asked.iter().zip(&asked_vectors) {
        if left_out.contains(&intent.as_str()) {
            unknown += 1;
            let r = partial.rank(v, q, &scoring, 5).expect("ranking");
            wrongly += usize::from(scoring.decide(q, &r) == Outcome::Answered);
        }
    }
    println!(
        "\nWith {} intents left out of the knowledge, {wrongly} of their {unknown} questions are answered anyway ({:.1}%).",
        left_out.len(),
        wrongly as f64 * 100.0 / unknown as f64
    );

    // Chinese: leave one phrasing out, ask it.
    let demo: Vec<serde_json::Value> = serde_json::from_str(
        &std::fs::read_to_string(manifest_dir().join("../demo/telecom-zh.json"))
            .expect("demo/telecom-zh.json"),
    )
    .unwrap();
    let points: Vec<(String, Vec<String>)> = demo
        .iter()
        .map(|p| {
            let mut texts = vec![p["question"].as_str().unwrap().to_string()];
            texts.extend(p["phrasings"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()));
            (p["question"].as_str().unwrap().to_string(), texts)
        })
        .collect();
    let zh_vectors: Vec<Vec<Vec<f32>>> = points.iter().map(|(_, t)| embed_all(&embedder, t)).collect();
    println!(
        "\n## Chinese telecom demo: {} points, each phrasing asked with itself left out\n",
        points.len()
    );
    println!("| lexical weight (Chinese) | top-1 |\n| ---: | ---: |");
    for w in [0.0f32, 0.5, 0.7, 0.8, 0.9, 1.0] {
        let scoring = Scoring { lexical_weight_cjk: w, ..Scoring::default() };
        let (mut n, mut right) = (0, 0);
        for (pi, (_, texts)) in points.iter().enumerate() {
            for ti in 1..texts.len() {
                let docs: Vec<PointDoc> = points
                    .iter()
                    .enumerate()
                    .map(|(i, (q, t))| {
                        let keep: Vec<usize> = (0..t.len()).filter(|&j| !(i == pi && j == ti)).collect();
                        PointDoc {
                            knowledge_id: i as i32,
                            category: q.clone(),
                            question: q.clone(),
                            answer: String::new(),
                            answers: Default::default(),
                            related: Vec::new(),
                            texts: keep.iter().map(|&j| t[j].clone()).collect(),
                            vectors: model::matching::Rows::new(
                                &keep.iter().map(|&j| zh_vectors[i][j].clone()).collect::<Vec<_>>(),
                            ),
                            counters: model::matching::Rows::default(),
                        }
                    })
                    .collect();
                let index = Index::build(&docs, dim);
                let r = index.rank(&zh_vectors[pi][ti], &texts[ti], &scoring, 1).expect("ranking");
                n += 1;
                right += usize::from(r[0].point == pi);
            }
        }
        println!("| {w} | {:.1}% ({right}/{n}) |", right as f64 * 100.0 / n as f64);
    }
}
