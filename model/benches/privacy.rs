//! What masking adds to each question at intake: every Banking77 question and every Chinese
//! call-centre question of `benches/data`, as typed and with personal data put in (a phone
//! number, an ID number, a card number split in blocks, an e-mail address, full-width digits).
//! Each question is masked alone and timed alone; the report gives the median, 99th percentile
//! and worst time per question, and how many questions were changed. 5 passes, same process.
//!
//! Run: `cargo bench -p model --bench privacy`.

mod common;

use std::time::Instant;

use model::privacy::Masker;

fn main() {
    let mut questions: Vec<String> = common::banking_by_intent().into_values().flatten().collect();
    let zh = std::fs::read_to_string(common::manifest_dir().join("benches/data/zh-callcentre.csv")).unwrap();
    questions.extend(zh.lines().skip(1).filter_map(|l| l.split_once(',')).map(|(_, q)| q.to_string()));
    let plain = questions.len();
    let with_data: Vec<String> = questions
        .iter()
        .enumerate()
        .map(|(i, q)| match i % 5 {
            0 => format!("我的手机号1381234{:04}，{q}", i % 10_000),
            1 => format!("{q} ID 11010519491231002X"),
            2 => format!("卡号6222 0212 3456 7894 {q}"),
            3 => format!("{q} mail me at user{i}@example.com"),
            _ => format!("{q} 手机１３９１２３４５６７８"),
        })
        .collect();
    questions.extend(with_data);
    let masker = Masker::default();
    let mut times_us: Vec<f64> = Vec::with_capacity(questions.len() * 5);
    let mut changed = 0;
    for pass in 0..5 {
        for q in &questions {
            let t = Instant::now();
            let masked = std::hint::black_box(masker.mask(std::hint::black_box(q)));
            times_us.push(t.elapsed().as_secs_f64() * 1e6);
            if pass == 0 && masked.as_ref() != q.as_str() {
                changed += 1;
            }
        }
    }
    times_us.sort_by(f64::total_cmp);
    let at = |p: f64| times_us[((times_us.len() - 1) as f64 * p) as usize];
    println!(
        "masking {} questions ({plain} as typed, {plain} with personal data), 5 passes: \
         median {:.1} µs, p99 {:.1} µs, max {:.1} µs per question; {changed} changed",
        questions.len(),
        at(0.5),
        at(0.99),
        times_us[times_us.len() - 1],
    );
}
