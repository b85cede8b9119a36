//! What a trainer reads at a glance: a group's most typical question and its key terms. Terms
//! are English words and, for Chinese, words from the jieba segmenter (the embedding model cannot
//! judge Chinese, so words are what a Chinese label can stand on); a term is key when many of the
//! group's questions use it and few of the other open misses do (TF-IDF).

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use jieba_rs::Jieba;

use crate::matching::lexical::is_cjk;

static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// Words a label gains nothing from.
const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "been",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "for",
    "from",
    "get",
    "got",
    "had",
    "has",
    "have",
    "how",
    "i",
    "if",
    "in",
    "is",
    "it",
    "its",
    "just",
    "me",
    "my",
    "no",
    "not",
    "of",
    "on",
    "or",
    "please",
    "should",
    "so",
    "that",
    "the",
    "there",
    "this",
    "to",
    "was",
    "what",
    "when",
    "where",
    "which",
    "who",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "tell",
    "know",
    "hi",
    "hello",
    "thanks",
    "thank",
    "help",
    "today",
    "i'm",
    "can't",
    "don't",
    "still",
    "yet",
    "we",
    "our",
    "us",
    "need",
    "want",
    "like",
    "some",
    "one",
    "it's",
    "im",
    "的",
    "了",
    "吗",
    "呢",
    "吧",
    "啊",
    "我",
    "你",
    "是",
    "在",
    "有",
    "怎么",
    "什么",
    "为什么",
    "如何",
    "一下",
    "可以",
    "能",
    "要",
    "请问",
    "这个",
    "那个",
    "还",
    "就",
    "都",
    "和",
    "么",
];

/// The distinct terms of one question.
pub fn terms(text: &str) -> HashSet<String> {
    let lower = text.to_lowercase();
    let mut out = HashSet::new();
    let mut word = String::new();
    let mut cjk = String::new();
    let flush_word = |w: &mut String, out: &mut HashSet<String>| {
        let t = w.trim_matches('\'');
        if t.chars().count() >= 2 && !STOPWORDS.contains(&t) && !t.chars().all(|c| c.is_ascii_digit()) {
            out.insert(t.to_string());
        }
        w.clear();
    };
    let flush_cjk = |s: &mut String, out: &mut HashSet<String>| {
        for token in JIEBA.cut(s, true) {
            let w = token.word;
            if w.chars().count() >= 2 && !STOPWORDS.contains(&w) {
                out.insert(w.to_string());
            }
        }
        s.clear();
    };
    for c in lower.chars() {
        if is_cjk(c) {
            flush_word(&mut word, &mut out);
            cjk.push(c);
        } else if c.is_alphanumeric() || c == '\'' {
            flush_cjk(&mut cjk, &mut out);
            word.push(c);
        } else {
            flush_word(&mut word, &mut out);
            flush_cjk(&mut cjk, &mut out);
        }
    }
    flush_word(&mut word, &mut out);
    flush_cjk(&mut cjk, &mut out);
    out
}

/// How many open questions use each term: the "IDF" side of key terms.
#[derive(Debug, Default, Clone)]
pub struct TermCounts {
    pub questions: u32,
    pub with: HashMap<String, u32>,
}

impl TermCounts {
    pub fn add(&mut self, terms: &HashSet<String>) {
        self.questions += 1;
        for t in terms {
            *self.with.entry(t.clone()).or_default() += 1;
        }
    }

    /// Up to `k` terms, most characteristic first: used by many of the group's questions and
    /// by few others. In a group of three or more, a term must be used by two of them.
    pub fn key_terms(&self, group: &[&HashSet<String>], k: usize) -> Vec<String> {
        let mut used: HashMap<&str, u32> = HashMap::new();
        for terms in group {
            for t in terms.iter() {
                *used.entry(t.as_str()).or_default() += 1;
            }
        }
        let min = if group.len() >= 3 { 2 } else { 1 };
        let total = f64::from(self.questions.max(1));
        let mut scored: Vec<(&str, f64)> = used
            .into_iter()
            .filter(|&(_, n)| n >= min)
            .map(|(t, n)| {
                let df = f64::from(self.with.get(t).copied().unwrap_or(0).max(n));
                (t, f64::from(n) * (1.0 + total / df).ln())
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        scored.into_iter().take(k).map(|(t, _)| t.to_string()).collect()
    }
}

/// The member closest to the group's centre (by `dot` with the vector sum); on a tie, the more
/// often asked. Positions into `vectors`.
pub fn most_typical(vectors: &[&[f32]], counts: &[i64]) -> usize {
    let dim = vectors.first().map_or(0, |v| v.len());
    let mut sum = vec![0f32; dim];
    for v in vectors {
        for (s, x) in sum.iter_mut().zip(v.iter()) {
            *s += x;
        }
    }
    (0..vectors.len())
        .max_by(|&a, &b| {
            let (da, db) =
                (crate::clustering::dot(vectors[a], &sum), crate::clustering::dot(vectors[b], &sum));
            da.total_cmp(&db).then(counts[a].cmp(&counts[b])).then(b.cmp(&a))
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_words_without_stopwords_and_chinese_words_from_the_segmenter() {
        let t = terms("Where is my new card? It hasn't arrived");
        assert!(t.contains("card") && t.contains("arrived") && t.contains("new"), "{t:?}");
        assert!(!t.contains("my") && !t.contains("is"), "{t:?}");
        assert_eq!(terms("tell me a joke"), HashSet::from(["joke".to_string()]));
        let t = terms("宽带断网了怎么办");
        assert!(t.contains("宽带") && t.contains("断网"), "{t:?}");
        assert!(!t.contains("了"), "{t:?}");
    }

    #[test]
    fn key_terms_are_shared_by_the_group_and_rare_elsewhere() {
        let questions = [
            "my card has not arrived",
            "when will my card arrive",
            "card still not arrived",
            "how do I top up",
            "top up failed",
            "exchange rate for euros",
        ];
        let sets: Vec<HashSet<String>> = questions.iter().map(|q| terms(q)).collect();
        let mut counts = TermCounts::default();
        sets.iter().for_each(|s| counts.add(s));
        let group: Vec<&HashSet<String>> = sets[..3].iter().collect();
        let key = counts.key_terms(&group, 3);
        assert_eq!(key[0], "card");
        assert!(key.contains(&"arrived".to_string()), "{key:?}");
        assert!(!key.contains(&"arrive".to_string()), "used once in a group of three: {key:?}");
    }

    #[test]
    fn the_most_typical_member_is_the_one_nearest_the_centre() {
        let a = [1.0f32, 0.0];
        let b = [0.8f32, 0.6];
        let c = [0.6f32, 0.8];
        assert_eq!(most_typical(&[&a, &b, &c], &[1, 1, 1]), 1);
    }
}
