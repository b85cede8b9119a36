//! What a run learns from and what judges it: the published points' typical questions and
//! phrasings (texts of one point are positives of each other), the customers' picks after a
//! clarification (weaker positives), and each point's counter-examples (its hard negatives). A fixed share of each point's phrasings is held out: which
//! ones depends on the text alone, so a phrasing held out once is held out in every run and no
//! version ever trains on what the guard scores it with.

use std::collections::HashSet;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use sha2::{Digest, Sha256};

use super::pairs::{Counter, Example, NO_POINT};
use crate::knowledge::feed;
use crate::matching::asks::entity as asks;
use crate::views::Outcome;

/// One phrasing in this many is held out (points with at least [`HELD_OUT_FROM`] texts).
pub const HELD_OUT_EVERY: u8 = 5;
pub const HELD_OUT_FROM: usize = 3;
/// A customer's pick among candidates is evidence, but weaker than a trainer's phrasing.
pub const CHOICE_WEIGHT: f32 = 0.5;

#[derive(Debug, Clone, PartialEq)]
pub struct PointTexts {
    pub knowledge_id: i32,
    pub category: String,
    /// The typical question first, then the phrasings.
    pub texts: Vec<String>,
    /// Questions the point must not answer.
    pub counter_examples: Vec<String>,
}

/// The training texts with their labels, the held-out questions, and the knowledge the guard
/// scores against (every published text except the held-out ones).
#[derive(Debug, Default, Clone)]
pub struct TrainingSet {
    pub points: Vec<PointTexts>,
    pub train: Vec<String>,
    pub examples: Vec<Example>,
    pub held_out: Vec<String>,
    /// The knowledge id each held-out question belongs to.
    pub held_out_truth: Vec<i32>,
    /// Counter-examples, as indices into `train`: a text that is another point's phrasing keeps
    /// that label; one linked nowhere trains as [`NO_POINT`] with no weight of its own.
    pub counters: Vec<Counter>,
}

impl TrainingSet {
    /// The points with their held-out phrasings taken out: what the guard's index holds. A
    /// point left with no text (its every text held out through another point) is left out.
    pub fn known(&self) -> Vec<PointTexts> {
        let held: HashSet<&String> = self.held_out.iter().collect();
        self.points
            .iter()
            .map(|p| PointTexts {
                texts: p.texts.iter().filter(|t| !held.contains(t)).cloned().collect(),
                ..p.clone()
            })
            .filter(|p| !p.texts.is_empty())
            .collect()
    }
}

/// Whether a phrasing (never a typical question) is held out, from its text alone.
pub fn is_held_out(text: &str) -> bool {
    Sha256::digest(text.as_bytes())[0] % HELD_OUT_EVERY == 0
}

/// Splits points (and customers' clarify picks: question, knowledge id) into a training set.
///
/// A text is held out when it is a phrasing (not the typical question) of a point with at least
/// [`HELD_OUT_FROM`] texts and its hash says so; a held-out text is then trained on nowhere,
/// whichever point (or clarify pick) it also appears in. Both depend on the text alone, so a
/// phrasing trained on once is never held out later, nor the other way round.
pub fn split(points: Vec<PointTexts>, choices: Vec<(String, i32)>) -> TrainingSet {
    let mut set = TrainingSet::default();
    let mut held: HashSet<&str> = HashSet::new();
    for p in &points {
        if p.texts.len() >= HELD_OUT_FROM {
            for t in p.texts.iter().skip(1).filter(|t| is_held_out(t)) {
                if held.insert(t.as_str()) {
                    set.held_out.push(t.clone());
                    set.held_out_truth.push(p.knowledge_id);
                }
            }
        }
    }
    for (i, p) in points.iter().enumerate() {
        for t in p.texts.iter().filter(|t| !held.contains(t.as_str())) {
            set.train.push(t.clone());
            set.examples.push(Example { point: i as u32, weight: 1.0 });
        }
    }
    for (question, id) in choices {
        let Some(i) = points.iter().position(|p| p.knowledge_id == id) else { continue };
        if !held.contains(question.as_str()) && !points[i].texts.contains(&question) {
            set.train.push(question);
            set.examples.push(Example { point: i as u32, weight: CHOICE_WEIGHT });
        }
    }
    // A held-out text stays unseen even as a negative; a text the point itself holds is a
    // contradiction the editor refuses, and teaches nothing either way.
    for (i, p) in points.iter().enumerate() {
        for c in p.counter_examples.iter().filter(|c| !held.contains(c.as_str()) && !p.texts.contains(c)) {
            let example = match set.train.iter().position(|t| t == c) {
                Some(at) => at,
                None => {
                    set.train.push(c.clone());
                    set.examples.push(Example { point: NO_POINT, weight: 0.0 });
                    set.train.len() - 1
                }
            };
            set.counters.push(Counter { point: i as u32, example });
        }
    }
    set.points = points;
    set
}

/// The published knowledge and the clarify picks, from the database.
pub async fn read(db: &impl ConnectionTrait) -> Result<TrainingSet, super::LearnError> {
    let points: Vec<PointTexts> = feed::since(db, 0)
        .await?
        .items
        .into_iter()
        .filter(|i| !i.deleted)
        .filter_map(|i| {
            let mut texts = vec![i.question];
            for p in i.phrasings {
                if !texts.contains(&p) {
                    texts.push(p);
                }
            }
            Some(PointTexts {
                knowledge_id: i.id.parse().ok()?,
                category: i.category,
                texts,
                counter_examples: i.counter_examples,
            })
        })
        .collect();
    let choices: Vec<(String, Option<i32>)> = asks::Entity::find()
        .select_only()
        .column(asks::Column::Question)
        .column(asks::Column::ChosenKnowledgeId)
        .filter(asks::Column::Outcome.eq(Outcome::Clarify))
        .filter(asks::Column::ChosenKnowledgeId.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    Ok(split(points, choices.into_iter().filter_map(|(q, id)| Some((q, id?))).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(id: i32, n: usize) -> PointTexts {
        PointTexts {
            knowledge_id: id,
            category: "c".into(),
            texts: (0..n).map(|i| format!("point {id} text {i}")).collect(),
            counter_examples: Vec::new(),
        }
    }

    #[test]
    fn counter_examples_train_as_negatives_of_their_point_only() {
        let mut points: Vec<PointTexts> = (1..=3).map(|id| point(id, 2)).collect();
        // One linked nowhere, one that is point 2's phrasing, one point 1 holds itself.
        points[0].counter_examples =
            vec!["a question of nobody".into(), "point 2 text 1".into(), "point 1 text 0".into()];
        let set = split(points, vec![]);
        assert_eq!(set.counters.len(), 2);
        let nobody = set.counters[0].example;
        assert_eq!(set.train[nobody], "a question of nobody");
        assert_eq!(set.examples[nobody], Example { point: NO_POINT, weight: 0.0 });
        let shared = set.counters[1].example;
        assert_eq!(set.train[shared], "point 2 text 1");
        assert_eq!(set.examples[shared].point, 1, "it stays point 2's phrasing");
        assert!(set.counters.iter().all(|c| c.point == 0));
        assert_eq!(set.train.iter().filter(|t| *t == "point 2 text 1").count(), 1);
    }

    #[test]
    fn held_out_phrasings_are_fixed_by_text_and_never_trained_on() {
        let points: Vec<PointTexts> = (1..=20).map(|id| point(id, 10)).chain([point(21, 2)]).collect();
        let set = split(points.clone(), vec![("point 3 text 4".into(), 3), ("a customer's pick".into(), 5)]);
        assert!(!set.held_out.is_empty());
        for t in &set.held_out {
            assert!(!set.train.contains(t), "{t} is both held out and trained on");
            assert!(is_held_out(t));
        }
        // Typical questions and the texts of a point with two are never held out.
        for p in &points {
            assert!(!set.held_out.contains(&p.texts[0]));
        }
        assert!(set.held_out.iter().all(|t| !t.starts_with("point 21 ")));
        // A text shared by two points is held out for both or trained on by neither.
        let shared = set.held_out[0].clone();
        let mut twice = points.clone();
        twice[20].texts.push(shared.clone());
        let again = split(twice, vec![(shared.clone(), 21)]);
        assert!(again.held_out.contains(&shared) && !again.train.contains(&shared));
        // The same texts give the same split, and a new phrasing does not move the old ones.
        let mut grown = points.clone();
        grown[0].texts.push("point 1 a new way to say it".into());
        let again = split(grown, vec![]);
        for t in &set.held_out {
            assert!(again.held_out.contains(t));
        }
        // About one in five.
        let share = set.held_out.len() as f64 / 180.0;
        assert!((0.08..0.35).contains(&share), "{share}");
        let pick = set.train.iter().position(|t| t == "a customer's pick").expect("the pick trains");
        assert_eq!(set.examples[pick].weight, CHOICE_WEIGHT);
        assert_eq!(set.examples[pick].point, 4);
        for i in 0..20u32 {
            assert!(set.examples.iter().any(|e| e.point == i), "the typical question always trains");
        }
        let known = set.known();
        assert!(known.iter().flat_map(|p| &p.texts).all(|t| !set.held_out.contains(t)));
    }
}
