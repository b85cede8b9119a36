//! The promotion guard: a candidate serves only if, on phrasings no run ever trained on, it
//! ranks more of them first than the model serving now, and answers no fewer of them, no less
//! precisely, each at the answer thresholds calibrated for it.

use super::data::PointTexts;
use crate::matching::{Index, IndexError, PointDoc, Rows, Scoring};
use crate::views::{HeldOutScores, Refusal};

/// Calibration answers the most held-out questions with at least this precision (the product's
/// target is 97%; aiming above it leaves room for questions the calibration never saw).
pub const PRECISION_TARGET: f64 = 0.98;
/// Fewer held-out questions than this cannot tell two models apart.
pub const MIN_QUESTIONS: usize = 5;
/// Thresholds of a version move with its score scale, but never further than this.
const MAX_SHIFT: f32 = 0.1;

/// The guard's index: the published knowledge without the held-out phrasings (`known`), with
/// `vectors` for every text of it in order.
pub fn index(known: &[PointTexts], vectors: &[Vec<f32>]) -> Index {
    let dim = vectors.first().map_or(0, Vec::len);
    let mut vectors = vectors.iter();
    let docs: Vec<PointDoc> = known
        .iter()
        .map(|p| PointDoc {
            knowledge_id: p.knowledge_id,
            category: p.category.clone(),
            question: p.texts[0].clone(),
            answer: String::new(),
            answers: Default::default(),
            related: Vec::new(),
            texts: p.texts.clone(),
            vectors: Rows::new(&vectors.by_ref().take(p.texts.len()).cloned().collect::<Vec<_>>()),
            counters: Rows::default(),
        })
        .collect();
    Index::build(&docs, dim)
}

/// (the predicted point's knowledge id, top score, lead over the runner-up) per question.
pub type Prediction = (i32, f32, f32);

pub fn predict(
    index: &Index,
    questions: &[String],
    vectors: &[Vec<f32>],
    scoring: &Scoring,
) -> Result<Vec<Prediction>, IndexError> {
    let mut out = Vec::with_capacity(questions.len());
    let pairs: Vec<(&[f32], &str)> =
        vectors.iter().map(Vec::as_slice).zip(questions.iter().map(String::as_str)).collect();
    // In matrix products of a few hundred questions: one per question would read every stored
    // vector once per question.
    for chunk in pairs.chunks(256) {
        for ranked in index.rank_many(chunk, scoring, 2)? {
            let Some(top) = ranked.first() else {
                out.push((-1, 0.0, 0.0));
                continue;
            };
            let lead = top.score - ranked.get(1).map_or(0.0, |s| s.score);
            out.push((index.points()[top.point].knowledge_id, top.score, lead));
        }
    }
    Ok(out)
}

/// (precision of the answered, share answered) at these thresholds; `preds` holds (predicted
/// label, top score, lead) per question, `truth` each one's label.
pub fn answered<T: PartialEq>(preds: &[(T, f32, f32)], truth: &[T], score: f32, margin: f32) -> (f64, f64) {
    let (mut n, mut right) = (0usize, 0usize);
    for (p, t) in preds.iter().zip(truth) {
        if p.1 >= score && p.2 >= margin {
            n += 1;
            right += usize::from(p.0 == *t);
        }
    }
    (if n == 0 { 1.0 } else { right as f64 / n as f64 }, n as f64 / truth.len().max(1) as f64)
}

/// The thresholds (score, margin) answering the most at precision ≥ [`PRECISION_TARGET`], with
/// that precision and share; `None` when no thresholds reach it.
pub fn calibrate<T: PartialEq>(preds: &[(T, f32, f32)], truth: &[T]) -> Option<(f32, f32, f64, f64)> {
    let mut best: Option<(f32, f32, f64, f64)> = None;
    for s in 20..=95 {
        for m in 0..=20 {
            let (score, margin) = (s as f32 / 100.0, m as f32 / 100.0);
            let (precision, share) = answered(preds, truth, score, margin);
            if precision >= PRECISION_TARGET && share > best.map_or(0.0, |b| b.3) {
                best = Some((score, margin, precision, share));
            }
        }
    }
    best
}

/// A model's scores on the held-out questions (`truth`: each one's knowledge id).
pub fn score(preds: &[Prediction], truth: &[i32]) -> HeldOutScores {
    let right = preds.iter().zip(truth).filter(|(p, t)| p.0 == **t).count();
    let (answer_score, answer_margin, precision, share) =
        calibrate(preds, truth).unwrap_or((1.0, 0.0, 1.0, 0.0));
    HeldOutScores {
        questions: truth.len(),
        top1: right as f64 / truth.len().max(1) as f64,
        precision,
        share,
        answer_score,
        answer_margin,
    }
}

/// `None` to promote; otherwise why not.
pub fn verdict(candidate: &HeldOutScores, serving: &HeldOutScores) -> Option<Refusal> {
    // Scores are shares of the same questions: a difference below one question is none.
    let eps = 0.5 / candidate.questions.max(1) as f64;
    if candidate.questions < MIN_QUESTIONS {
        Some(Refusal::TooLittleData)
    } else if candidate.top1 <= serving.top1 + eps {
        Some(Refusal::NoBetterTop1)
    } else if candidate.share < serving.share - eps {
        Some(Refusal::LessAnswered)
    } else if candidate.precision < serving.precision.min(PRECISION_TARGET) - eps {
        Some(Refusal::LessPrecise)
    } else {
        None
    }
}

/// The serving thresholds moved by how far the calibrated answer threshold moved from the
/// serving model to the candidate: an adapter changes the scale of cosines, and the shipped
/// thresholds (set for questions the knowledge cannot answer, which no held-out set has) must
/// follow that scale rather than be replaced by a calibration on known questions alone.
pub fn shifted(serving: &Scoring, before: &HeldOutScores, after: &HeldOutScores) -> Scoring {
    let calibrated = |s: &HeldOutScores| s.share > 0.0;
    let shift = if calibrated(before) && calibrated(after) {
        (after.answer_score - before.answer_score).clamp(-MAX_SHIFT, MAX_SHIFT)
    } else {
        0.0
    };
    serving.shifted_answers(shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scores(questions: usize, top1: f64, precision: f64, share: f64) -> HeldOutScores {
        HeldOutScores { questions, top1, precision, share, answer_score: 0.5, answer_margin: 0.05 }
    }

    #[test]
    fn promotion_needs_better_top1_and_nothing_worse() {
        let serving = scores(100, 0.90, 0.99, 0.80);
        assert_eq!(verdict(&scores(100, 0.93, 0.99, 0.82), &serving), None);
        assert_eq!(verdict(&scores(100, 0.90, 0.99, 0.90), &serving), Some(Refusal::NoBetterTop1));
        assert_eq!(verdict(&scores(100, 0.95, 0.99, 0.70), &serving), Some(Refusal::LessAnswered));
        assert_eq!(verdict(&scores(100, 0.95, 0.95, 0.85), &serving), Some(Refusal::LessPrecise));
        // Above the target, a little less precision is no loss.
        assert_eq!(verdict(&scores(100, 0.95, 0.985, 0.85), &serving), None);
        assert_eq!(
            verdict(&scores(3, 1.0, 1.0, 1.0), &scores(3, 0.0, 1.0, 0.0)),
            Some(Refusal::TooLittleData)
        );
    }

    #[test]
    fn calibration_answers_the_most_at_the_target_precision() {
        // Nine right with high scores, one wrong with a low one.
        let mut preds: Vec<Prediction> = (0..9).map(|i| (i, 0.8, 0.2)).collect();
        preds.push((99, 0.4, 0.2));
        let truth: Vec<i32> = (0..10).collect();
        let (score, _, precision, share) = calibrate(&preds, &truth).unwrap();
        assert!(score > 0.4 && score <= 0.8);
        assert_eq!((precision, share), (1.0, 0.9));
        let s = score_of(&preds, &truth);
        assert_eq!(s.top1, 0.9);
    }

    fn score_of(preds: &[Prediction], truth: &[i32]) -> HeldOutScores {
        score(preds, truth)
    }

    #[test]
    fn thresholds_follow_the_scale_within_bounds() {
        let serving = Scoring { answer_score: 0.5, clarify_score: 0.35, ..Scoring::default() };
        let mut before = scores(50, 0.9, 0.99, 0.8);
        let mut after = before;
        after.answer_score = 0.56;
        let s = shifted(&serving, &before, &after);
        assert!((s.answer_score - 0.56).abs() < 1e-6 && (s.clarify_score - 0.41).abs() < 1e-6);
        after.answer_score = 0.9;
        assert!((shifted(&serving, &before, &after).answer_score - 0.6).abs() < 1e-6);
        before.share = 0.0;
        assert_eq!(shifted(&serving, &before, &after), serving, "nothing calibrated, nothing moves");
    }
}
