//! The lexical side of matching: TF-IDF cosine between a question and each stored text. Latin
//! script is split into lower-case words; Chinese (where the embedding model is weak) into
//! single characters and character bigrams, so "宽带报修" meets "报修宽带" without a dictionary.

use std::collections::HashMap;

/// Tokens of a text: words for Latin script and digits, character unigrams and bigrams for CJK.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut prev_cjk: Option<char> = None;
    for c in text.chars() {
        if is_cjk(c) {
            flush(&mut word, &mut out);
            out.push(c.to_string());
            if let Some(p) = prev_cjk {
                out.push(format!("{p}{c}"));
            }
            prev_cjk = Some(c);
        } else {
            prev_cjk = None;
            if c.is_alphanumeric() {
                word.extend(c.to_lowercase());
            } else {
                flush(&mut word, &mut out);
            }
        }
    }
    flush(&mut word, &mut out);
    out
}

fn flush(word: &mut String, out: &mut Vec<String>) {
    if !word.is_empty() && !STOP_WORDS.contains(&word.as_str()) {
        out.push(std::mem::take(word));
    }
    word.clear();
}

pub use crate::script::{cjk_share, is_cjk};

/// English function words carry no meaning for matching; Chinese needs no list (IDF handles 的/了).
const STOP_WORDS: &[&str] = &[
    "a", "an", "the", "i", "my", "me", "is", "are", "am", "to", "of", "and", "or", "it", "in", "on", "for",
    "do", "does", "can", "you", "your", "be", "this", "that", "with", "have", "has", "was", "what", "how",
    "why", "there", "at", "by", "from", "so", "if", "please", "would", "could", "will",
];

/// An inverted index of texts with sublinear TF-IDF weights, normalised per text.
#[derive(Debug, Default)]
pub struct Lexical {
    /// token → (text, weight)
    postings: HashMap<String, Vec<(u32, f32)>>,
    idf: HashMap<String, f32>,
    /// The weight a token the base never saw gets (the rarest token's).
    unseen_idf: f32,
    texts: usize,
}

impl Lexical {
    pub fn build<'a>(texts: impl ExactSizeIterator<Item = &'a str>) -> Lexical {
        let n = texts.len().max(1) as f32;
        let docs: Vec<HashMap<String, f32>> = texts
            .map(|t| {
                let mut tf: HashMap<String, f32> = HashMap::new();
                for tok in tokens(t) {
                    *tf.entry(tok).or_default() += 1.0;
                }
                tf
            })
            .collect();
        let mut df: HashMap<&str, f32> = HashMap::new();
        for d in &docs {
            for tok in d.keys() {
                *df.entry(tok.as_str()).or_default() += 1.0;
            }
        }
        let idf: HashMap<String, f32> =
            df.into_iter().map(|(t, df)| (t.to_string(), (1.0 + n / df).ln())).collect();
        let mut postings: HashMap<String, Vec<(u32, f32)>> = HashMap::new();
        for (i, d) in docs.iter().enumerate() {
            let weights: Vec<(&String, f32)> =
                d.iter().map(|(t, tf)| (t, (1.0 + tf.ln()) * idf[t])).collect();
            let norm = weights.iter().map(|(_, w)| w * w).sum::<f32>().sqrt().max(1e-6);
            for (t, w) in weights {
                postings.entry(t.clone()).or_default().push((i as u32, w / norm));
            }
        }
        let unseen_idf = idf.values().copied().fold(1.0, f32::max);
        Lexical { postings, idf, unseen_idf, texts: docs.len() }
    }

    /// Cosine of the question with every text that shares a token with it: (text, score).
    pub fn scores(&self, question: &str) -> Vec<(u32, f32)> {
        let mut tf: HashMap<String, f32> = HashMap::new();
        for tok in tokens(question) {
            *tf.entry(tok).or_default() += 1.0;
        }
        // Unknown tokens still count in the question's norm: a question about something the base
        // never mentions should not look like a perfect match on its one known word.
        let weights: Vec<(&String, f32)> = tf
            .iter()
            .map(|(t, f)| (t, (1.0 + f.ln()) * self.idf.get(t).copied().unwrap_or(self.unseen_idf)))
            .collect();
        let norm = weights.iter().map(|(_, w)| w * w).sum::<f32>().sqrt().max(1e-6);
        // Sums in a dense array: a common word's postings reach a good part of 100k texts,
        // where hashing every one of them cost milliseconds per question.
        let mut sums = vec![0f32; self.texts];
        let mut touched = Vec::new();
        for (t, w) in weights {
            if let Some(list) = self.postings.get(t) {
                for &(doc, dw) in list {
                    let sum = &mut sums[doc as usize];
                    if *sum == 0.0 {
                        touched.push(doc);
                    }
                    *sum += w / norm * dw;
                }
            }
        }
        touched.into_iter().map(|doc| (doc, sums[doc as usize])).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_becomes_characters_and_bigrams_latin_becomes_words() {
        assert_eq!(tokens("宽带报修"), ["宽", "带", "宽带", "报", "带报", "修", "报修"]);
        assert_eq!(tokens("My 5G card!"), ["5g", "card"]);
        assert_eq!(tokens("5G套餐"), ["5g", "套", "餐", "套餐"]);
        assert!((cjk_share("宽带 ok") - 0.5).abs() < 1e-6);
    }

    #[test]
    fn the_closest_text_scores_highest_and_identical_is_one() {
        let texts = ["宽带断网了怎么办", "怎么交话费", "where is my card"];
        let lex = Lexical::build(texts.iter().copied());
        let s = lex.scores("家里宽带断网");
        let best = s.iter().max_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
        assert_eq!(best.0, 0);
        let same = lex.scores("where is my card");
        let card = same.iter().find(|(text, _)| *text == 2).unwrap().1;
        assert!((card - 1.0).abs() < 1e-4, "{same:?}");
        assert!(lex.scores("mortgage").is_empty());
    }
}
