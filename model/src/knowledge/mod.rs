//! The knowledge base: a category tree of atomic knowledge points (TQ, TA, phrasings), each
//! change a revision, drafts reviewed before the bot serves them.

pub mod categories;
pub mod diff;
pub mod entity;
pub mod feed;
pub mod markdown;
pub mod merge;
pub mod points;
pub mod queries;
pub(crate) mod store;
pub mod transfer;
pub mod validity;

use crate::storage::StorageError;
use crate::views::{Channel, ChannelAnswers, Content, Role, MAX_RELATED};
use crate::views::{Field, Problem};

#[derive(Debug, thiserror::Error)]
pub enum KnowledgeError {
    /// Bad input, a missing thing, a stale edit or a state that does not allow the action;
    /// nothing was changed.
    #[error(transparent)]
    Refused(#[from] crate::views::Problem),
    /// An export could not be written.
    #[error("cannot write the export: {0}")]
    Export(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sea_orm::DbErr> for KnowledgeError {
    fn from(e: sea_orm::DbErr) -> Self {
        KnowledgeError::Storage(StorageError::Db(e))
    }
}

impl From<sea_orm::TransactionError<KnowledgeError>> for KnowledgeError {
    fn from(e: sea_orm::TransactionError<KnowledgeError>) -> Self {
        match e {
            sea_orm::TransactionError::Connection(e) => e.into(),
            sea_orm::TransactionError::Transaction(e) => e,
        }
    }
}

pub type Result<T, E = KnowledgeError> = std::result::Result<T, E>;

/// Field limits, checked before anything is written.
pub mod limits {
    pub const QUESTION_CHARS: usize = 500;
    pub const ANSWER_CHARS: usize = 5_000;
    pub const PHRASING_CHARS: usize = 500;
    pub const PHRASINGS: usize = 500;
    /// Counter-examples a point keeps: each is compared with every ask ranked near the point.
    pub const COUNTER_EXAMPLES: usize = 100;
    pub const CATEGORY_NAME_CHARS: usize = 60;
    pub const CATEGORY_DEPTH: usize = 4;
    pub const COMMENT_CHARS: usize = 2_000;
}

pub(crate) fn require(actor: &crate::views::Actor, role: Role, what: &str) -> Result<()> {
    if actor.role.includes(role) {
        Ok(())
    } else {
        tracing::debug!(actor = %actor.name, %role, what, "refused: role");
        Err(Problem::RoleNeeded { needed: role, who: actor.name.clone(), has: actor.role }.into())
    }
}

/// Trims the content, drops empty and repeated phrasings (and ones equal to the question),
/// and checks every limit. The error names the field.
pub fn normalize(mut content: Content) -> Result<Content> {
    content.question = content.question.trim().to_string();
    content.answer = content.answer.trim().to_string();
    check_text(Field::Question, &content.question, limits::QUESTION_CHARS)?;
    check_text(Field::Answer, &content.answer, limits::ANSWER_CHARS)?;
    let mut seen = vec![fold(&content.question)];
    let mut phrasings = Vec::with_capacity(content.phrasings.len());
    for p in content.phrasings {
        let p = p.trim().to_string();
        if p.is_empty() {
            continue;
        }
        check_text(Field::Phrasing, &p, limits::PHRASING_CHARS)?;
        let key = fold(&p);
        if !seen.contains(&key) {
            seen.push(key);
            phrasings.push(p);
        }
    }
    if phrasings.len() > limits::PHRASINGS {
        return Err(Problem::TooManyPhrasings { count: phrasings.len(), max: limits::PHRASINGS }.into());
    }
    content.phrasings = phrasings;
    content.template_slot = content.template_slot.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let mut answers = ChannelAnswers::new();
    for (channel, text) in content.answers {
        let text = text.trim().to_string();
        // An empty variant is no variant: the channel gets the default answer.
        if text.is_empty() || text == content.answer {
            continue;
        }
        check_text(Field::answer_for(channel), &text, limits::ANSWER_CHARS)?;
        if channel == Channel::Hotline {
            if let Some(found) = markdown::markup_in(&text) {
                return Err(Problem::NotPlainText { channel, found }.into());
            }
        }
        answers.insert(channel, text);
    }
    content.answers = answers;
    if let (Some(from), Some(until)) = (content.valid_from, content.valid_until) {
        if until <= from {
            return Err(Problem::WindowOrder { from, until }.into());
        }
    }
    let mut related = Vec::with_capacity(content.related.len());
    for id in content.related {
        if !related.contains(&id) {
            related.push(id);
        }
    }
    if related.len() > MAX_RELATED {
        return Err(Problem::TooManyRelated { count: related.len(), max: MAX_RELATED }.into());
    }
    content.related = related;
    let mut counters = Vec::with_capacity(content.counter_examples.len());
    let mut counter_keys = Vec::new();
    for c in content.counter_examples {
        let c = c.trim().to_string();
        if c.is_empty() {
            continue;
        }
        check_text(Field::CounterExample, &c, limits::PHRASING_CHARS)?;
        let key = fold(&c);
        // `seen` holds the question and the phrasings: a text cannot be both.
        if seen.contains(&key) {
            return Err(Problem::CounterIsPhrasing { text: c }.into());
        }
        if !counter_keys.contains(&key) {
            counter_keys.push(key);
            counters.push(c);
        }
    }
    if counters.len() > limits::COUNTER_EXAMPLES {
        return Err(
            Problem::TooManyCounterExamples { count: counters.len(), max: limits::COUNTER_EXAMPLES }.into()
        );
    }
    content.counter_examples = counters;
    Ok(content)
}

fn check_text(field: Field, text: &str, max: usize) -> Result<()> {
    if text.is_empty() {
        return Err(Problem::Empty { field }.into());
    }
    let n = text.chars().count();
    if n > max {
        return Err(Problem::TooLong { field, chars: n, max }.into());
    }
    if has_control(text) {
        return Err(Problem::ControlCharacters { field }.into());
    }
    Ok(())
}

/// Control characters (NUL, escape codes…) other than line breaks and tabs. One rule for every
/// text that enters — an ask, a reported miss, a knowledge point — so that whatever a miss holds
/// can become a question or a phrasing as it is (PostgreSQL also refuses NUL in text).
pub fn has_control(text: &str) -> bool {
    text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
}

/// Case- and space-insensitive form used to spot repeated phrasings.
pub(crate) fn fold(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(q: &str, a: &str, p: &[&str]) -> Content {
        Content {
            category_id: 1,
            question: q.into(),
            answer: a.into(),
            phrasings: p.iter().map(|s| s.to_string()).collect(),
            template_slot: None,
            ..Default::default()
        }
    }

    #[test]
    fn normalize_trims_and_dedupes() {
        let c = normalize(content(" How? ", "So.", &["how?", "", " Why ", "why", "为什么"])).unwrap();
        assert_eq!(c.question, "How?");
        assert_eq!(c.phrasings, vec!["Why", "为什么"]);
    }

    #[test]
    fn normalize_names_the_bad_field() {
        assert!(normalize(content("", "a", &[])).unwrap_err().to_string().contains("question is empty"));
        let long = "x".repeat(limits::ANSWER_CHARS + 1);
        assert!(normalize(content("q", &long, &[])).unwrap_err().to_string().contains("answer is too long"));
        let e = normalize(content("q", "a", &[&"y".repeat(501)])).unwrap_err();
        assert!(e.to_string().contains("phrasing is too long"));
    }
}
