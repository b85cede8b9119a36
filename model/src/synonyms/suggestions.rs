//! Words worth a synonym entry, with their evidence:
//! - words customers use in open misses that no published text contains (a new product name,
//!   slang): Latin-script words, and runs of Chinese characters whose every pair of neighbours is
//!   missing from the knowledge;
//! - variant pairs in trainers' own work: two texts of one point (a linked miss becomes a
//!   phrasing) that differ by one substituted word, such as "CX卡怎么充值" beside "畅享卡怎么充值".

use std::collections::{BTreeMap, HashMap, HashSet};

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::dictionary::{fold_char, latin_word_char};
use super::{fold, published, Result};
use crate::knowledge::feed;
use crate::misses::entity::miss;
use crate::script::is_cjk;
use crate::views::{MissStatus, SuggestionEvidence, SynonymSuggestion};

/// A word must come up in this many open misses to be suggested.
const MIN_MISSES: usize = 2;
/// Longest unknown word suggested, in characters.
const MAX_TERM: usize = 8;
/// Longest side of a variant pair, in characters ("credit card").
const MAX_PAIR_TERM: usize = super::limits::TERM_CHARS;
/// Examples shown per unknown word.
const EXAMPLES: usize = 3;
/// Open misses read (the most recent first would need an order; any this many are a sample).
const MISSES_READ: u64 = 20_000;

/// Latin-script words of a folded text (two characters or more, at least one letter).
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !latin_word_char(c))
        .filter(|w| w.chars().count() >= 2 && w.chars().any(char::is_alphabetic))
        .map(str::to_string)
        .collect()
}

fn bigrams(text: &str) -> Vec<[char; 2]> {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(2).filter(|w| is_cjk(w[0]) && is_cjk(w[1])).map(|w| [w[0], w[1]]).collect()
}

/// The maximal runs of a text's Chinese characters whose every bigram is in `unknown`.
fn unknown_runs(text: &str, unknown: &HashSet<[char; 2]>) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut runs = Vec::new();
    let mut start: Option<usize> = None;
    for i in 0..chars.len() {
        let joins = i + 1 < chars.len()
            && is_cjk(chars[i])
            && is_cjk(chars[i + 1])
            && unknown.contains(&[chars[i], chars[i + 1]]);
        match (joins, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                let run: String = chars[s..=i].iter().collect();
                if run.chars().count() <= MAX_TERM {
                    runs.push(run);
                }
                start = None;
            }
            _ => {}
        }
    }
    runs
}

/// What replaced what when `a` became `b`: the one differing stretch of each, on word
/// boundaries for Latin script; none when they differ in more than one place or too much.
pub fn substitution(a: &str, b: &str) -> Option<(String, String)> {
    let (a, b): (Vec<char>, Vec<char>) = (a.trim().chars().collect(), b.trim().chars().collect());
    let mut p = a.iter().zip(&b).take_while(|(x, y)| fold_char(**x) == fold_char(**y)).count();
    let max_s = a.len().min(b.len()) - p;
    let mut s = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| fold_char(**x) == fold_char(**y))
        .count()
        .min(max_s);
    // A Latin word is replaced whole: "card" → "cards" is not a synonym of "s".
    while p > 0
        && (latin_word_char(a[p - 1])
            && (a.get(p).is_some_and(|c| latin_word_char(*c))
                || b.get(p).is_some_and(|c| latin_word_char(*c))))
    {
        p -= 1;
    }
    while s > 0
        && latin_word_char(a[a.len() - s])
        && ((a.len() - s).checked_sub(1).is_some_and(|i| latin_word_char(a[i]))
            || (b.len() - s).checked_sub(1).is_some_and(|i| latin_word_char(b[i])))
    {
        s -= 1;
    }
    let from: String = a[p..a.len() - s].iter().collect::<String>().trim().to_string();
    let to: String = b[p..b.len() - s].iter().collect::<String>().trim().to_string();
    let kept = p + s;
    let fits =
        |t: &str| !t.is_empty() && t.chars().count() <= MAX_PAIR_TERM && t.chars().any(char::is_alphanumeric);
    (fits(&from) && fits(&to) && kept >= 2 && kept >= from.chars().count().max(to.chars().count()))
        .then_some((from, to))
}

/// Whether a suggestion's term, canonical term or evidence mentions `text` (case aside).
fn mentions(s: &SynonymSuggestion, text: &str) -> bool {
    let has = |t: &str| fold(t).contains(text);
    has(&s.term)
        || s.canonical.as_deref().is_some_and(has)
        || match &s.evidence {
            SuggestionEvidence::UnknownWord { examples, .. } => examples.iter().any(|e| has(e)),
            SuggestionEvidence::LinkedVariant { question, phrasing } => has(question) || has(phrasing),
        }
}

/// At most `limit` suggestions, variant pairs first (they name their canonical term), then
/// unknown words by how many misses use them; terms the dictionary has already are left out.
/// With `about`, only those that mention it.
pub async fn suggest(
    db: &impl ConnectionTrait,
    limit: usize,
    about: Option<&str>,
) -> Result<Vec<SynonymSuggestion>> {
    // Terms already published or waiting for review are not suggested again.
    let mut dictionary: HashSet<String> = published(db)
        .await?
        .iter()
        .flat_map(|e| std::iter::once(&e.canonical).chain(&e.variants))
        .map(|t| fold(t))
        .collect();
    for d in super::entity::draft::Entity::find().all(db).await? {
        dictionary.insert(fold(&d.canonical));
        dictionary.extend(super::variants_of(&d.variants).iter().map(|v| fold(v)));
    }
    let points: Vec<Vec<String>> = feed::since(db, 0)
        .await?
        .items
        .into_iter()
        .filter(|i| !i.deleted)
        .map(|i| std::iter::once(i.question).chain(i.phrasings).collect())
        .collect();
    let mut out = Vec::new();

    // Variant pairs within one point's texts: the phrasing's word is the variant of the other's.
    let mut pairs: BTreeMap<(String, String), (usize, String, String)> = BTreeMap::new();
    for texts in &points {
        for (i, phrasing) in texts.iter().enumerate().skip(1) {
            for (j, other) in texts.iter().enumerate() {
                if i == j || phrasing.chars().count().abs_diff(other.chars().count()) > MAX_PAIR_TERM {
                    continue;
                }
                let Some((variant, canonical)) = substitution(phrasing, other) else { continue };
                if dictionary.contains(&fold(&variant)) || dictionary.contains(&fold(&canonical)) {
                    continue;
                }
                let seen = pairs.entry((variant, canonical)).or_insert((0, phrasing.clone(), other.clone()));
                seen.0 += 1;
            }
        }
    }
    let mut pairs: Vec<_> = pairs.into_iter().collect();
    pairs.sort_by(|a, b| b.1 .0.cmp(&a.1 .0));
    out.extend(pairs.into_iter().map(|((term, canonical), (_, question, phrasing))| SynonymSuggestion {
        term,
        canonical: Some(canonical),
        evidence: SuggestionEvidence::LinkedVariant { question, phrasing },
    }));

    // Words of open misses that no published text has.
    let known: Vec<String> = points.iter().flatten().map(|t| fold(t)).collect();
    let known_words: HashSet<String> = known.iter().flat_map(|t| words(t)).collect();
    let known_bigrams: HashSet<[char; 2]> = known.iter().flat_map(|t| bigrams(t)).collect();
    let misses: Vec<String> = miss::Entity::find()
        .select_only()
        .column(miss::Column::Question)
        .filter(miss::Column::Status.eq(MissStatus::Open))
        .limit(MISSES_READ)
        .into_tuple()
        .all(db)
        .await?;
    let mut bigram_misses: HashMap<[char; 2], usize> = HashMap::new();
    for m in &misses {
        let distinct: HashSet<[char; 2]> =
            bigrams(&fold(m)).into_iter().filter(|b| !known_bigrams.contains(b)).collect();
        for b in distinct {
            *bigram_misses.entry(b).or_default() += 1;
        }
    }
    let unknown: HashSet<[char; 2]> =
        bigram_misses.into_iter().filter(|(_, n)| *n >= MIN_MISSES).map(|(b, _)| b).collect();
    let mut terms: HashMap<String, Vec<&String>> = HashMap::new();
    for m in &misses {
        let folded = fold(m);
        let mut found: HashSet<String> =
            words(&folded).into_iter().filter(|w| !known_words.contains(w)).collect();
        found.extend(unknown_runs(&folded, &unknown));
        for t in found {
            terms.entry(t).or_default().push(m);
        }
    }
    let mut terms: Vec<(String, Vec<&String>)> =
        terms.into_iter().filter(|(t, ms)| ms.len() >= MIN_MISSES && !dictionary.contains(t)).collect();
    terms.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    out.extend(terms.into_iter().map(|(term, ms)| SynonymSuggestion {
        term,
        canonical: None,
        evidence: SuggestionEvidence::UnknownWord {
            misses: ms.len(),
            examples: ms.iter().take(EXAMPLES).map(|m| m.to_string()).collect(),
        },
    }));
    if let Some(about) = about.map(fold).filter(|a| !a.is_empty()) {
        out.retain(|s| mentions(s, &about));
    }
    out.truncate(limit);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_substituted_word_is_found_in_chinese_and_english() {
        assert_eq!(substitution("CX卡怎么充值", "畅享卡怎么充值"), Some(("CX".into(), "畅享".into())));
        assert_eq!(
            substitution("my cc was declined", "my credit card was declined"),
            Some(("cc".into(), "credit card".into()))
        );
        assert_eq!(substitution("家里网断了", "家里宽带断了"), Some(("网".into(), "宽带".into())));
    }

    #[test]
    fn texts_that_differ_in_more_than_a_word_give_nothing() {
        assert_eq!(substitution("怎么充值", "如何办理退款"), None);
        assert_eq!(substitution("card", "cards"), None);
        assert_eq!(substitution("same text", "same text"), None);
    }

    #[test]
    fn unknown_chinese_runs_join_their_unknown_bigrams() {
        let unknown: HashSet<[char; 2]> = [['畅', '享'], ['享', '卡']].into_iter().collect();
        assert_eq!(unknown_runs("我的畅享卡怎么用", &unknown), vec!["畅享卡".to_string()]);
    }
}
