//! The published synonyms as a rewrite of text: every variant becomes its canonical term before
//! the model or the lexical side reads a question or a stored text. Latin-script terms match as
//! whole words (case-insensitive); Chinese ones as substrings, since Chinese has no spaces; at
//! each position the longest term wins, so "畅享卡套餐" is not cut at "卡".

use std::borrow::Cow;
use std::collections::HashMap;

use crate::script::is_cjk;
use crate::views::SynonymEntry;

/// How many times a text is rewritten until it stops changing. One pass is enough unless a
/// canonical term next to other text forms another variant; the passes make the rewrite
/// idempotent, which embedding twice relies on (the cache keys on the rewritten text).
const PASSES: usize = 4;

#[derive(Debug, Default, Clone)]
pub struct Dictionary {
    /// Lower-cased term (variant or canonical) → its canonical.
    terms: HashMap<Vec<char>, String>,
    /// Distinct term lengths in characters, longest first.
    lengths: Vec<usize>,
    entries: usize,
    /// The publish it is from (see `synonyms::revision`).
    pub revision: i64,
}

/// A character as terms are compared: lower case.
pub(super) fn fold_char(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// A letter or digit of a Latin-script word (Chinese characters are not).
pub(super) fn latin_word_char(c: char) -> bool {
    c.is_alphanumeric() && !is_cjk(c)
}

impl Dictionary {
    /// The rewrite for `entries` (already checked: see `synonyms::check`). A term listed twice
    /// keeps its first canonical.
    pub fn new(entries: &[SynonymEntry]) -> Dictionary {
        let mut terms = HashMap::new();
        for e in entries {
            for term in std::iter::once(&e.canonical).chain(&e.variants) {
                let key: Vec<char> = term.trim().chars().map(fold_char).collect();
                if !key.is_empty() {
                    terms.entry(key).or_insert_with(|| e.canonical.trim().to_string());
                }
            }
        }
        let mut lengths: Vec<usize> = terms.keys().map(Vec::len).collect();
        lengths.sort_unstable_by(|a, b| b.cmp(a));
        lengths.dedup();
        Dictionary { terms, lengths, entries: entries.len(), revision: 0 }
    }

    pub fn is_empty(&self) -> bool {
        self.entries == 0
    }

    pub fn len(&self) -> usize {
        self.entries
    }

    /// `text` with every variant replaced by its canonical term; borrowed when nothing changes.
    pub fn apply<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if self.terms.is_empty() {
            return Cow::Borrowed(text);
        }
        let mut current: Cow<'a, str> = Cow::Borrowed(text);
        for _ in 0..PASSES {
            match self.pass(&current) {
                Some(next) if next != current.as_ref() => current = Cow::Owned(next),
                _ => break,
            }
        }
        current
    }

    /// One left-to-right pass; `None` when no term occurs.
    fn pass(&self, text: &str) -> Option<String> {
        let chars: Vec<char> = text.chars().collect();
        let folded: Vec<char> = chars.iter().copied().map(fold_char).collect();
        let mut out = String::with_capacity(text.len());
        let mut found = false;
        let mut i = 0;
        while i < chars.len() {
            match self.longest_at(&folded, i) {
                Some((len, canonical)) => {
                    out.push_str(canonical);
                    found = true;
                    i += len;
                }
                None => {
                    out.push(chars[i]);
                    i += 1;
                }
            }
        }
        found.then_some(out)
    }

    fn longest_at(&self, folded: &[char], i: usize) -> Option<(usize, &str)> {
        for &len in &self.lengths {
            let Some(slice) = folded.get(i..i + len) else { continue };
            let Some(canonical) = self.terms.get(slice) else { continue };
            // A Latin-script end of a term must be a word's end: "card" is not in "cardigan".
            let starts_word = !latin_word_char(slice[0]) || i == 0 || !latin_word_char(folded[i - 1]);
            let ends_word =
                !latin_word_char(slice[len - 1]) || folded.get(i + len).is_none_or(|&c| !latin_word_char(c));
            if starts_word && ends_word {
                return Some((len, canonical));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(canonical: &str, variants: &[&str]) -> SynonymEntry {
        SynonymEntry {
            canonical: canonical.into(),
            variants: variants.iter().map(|v| v.to_string()).collect(),
        }
    }

    fn dictionary() -> Dictionary {
        Dictionary::new(&[
            entry("畅享卡", &["CX卡", "畅享"]),
            entry("宽带", &["网", "家里的网"]),
            entry("credit card", &["cc", "creditcard"]),
            entry("Wi-Fi", &["wifi"]),
        ])
    }

    #[test]
    fn chinese_terms_match_inside_words_and_the_longest_wins() {
        let d = dictionary();
        assert_eq!(d.apply("我的CX卡怎么充值"), "我的畅享卡怎么充值");
        assert_eq!(d.apply("家里的网断了"), "宽带断了");
        assert_eq!(d.apply("网断了"), "宽带断了");
        // The canonical term itself is kept whole, not rewritten from its "畅享" part.
        assert_eq!(d.apply("畅享卡多少钱"), "畅享卡多少钱");
        assert_eq!(d.apply("畅享多少钱"), "畅享卡多少钱");
    }

    #[test]
    fn latin_terms_match_whole_words_in_any_case() {
        let d = dictionary();
        assert_eq!(d.apply("My CC was declined"), "My credit card was declined");
        assert_eq!(d.apply("my wifi is down"), "my Wi-Fi is down");
        assert_eq!(d.apply("accept my card"), "accept my card");
        assert_eq!(d.apply("WIFI密码"), "Wi-Fi密码");
        assert!(matches!(d.apply("nothing to see"), Cow::Borrowed(_)));
    }

    #[test]
    fn the_rewrite_is_idempotent() {
        let d = dictionary();
        for text in ["CX卡家里的网", "cc wifi 畅享", "网网网", "creditcard cc CC", "畅享卡卡", ""]
        {
            let once = d.apply(text).into_owned();
            assert_eq!(d.apply(&once), once, "{text}");
        }
    }

    #[test]
    fn an_empty_dictionary_changes_nothing() {
        assert_eq!(Dictionary::default().apply("CX卡"), "CX卡");
    }
}
