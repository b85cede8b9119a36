//! What changed between two revisions, field by field, as inline spans a reviewer reads at a
//! glance. Text with Chinese characters is compared character by character, other text by words.

use chrono::{DateTime, SecondsFormat, Utc};
use similar::{ChangeTag, TextDiff};

use crate::views::{Channel, ChannelAnswers, Diff, FieldChange, Span, SpanKind};

/// The parts of a revision a diff compares (the category by its path and related points by
/// their questions, so moves and links are readable).
#[derive(Default)]
pub struct Side<'a> {
    pub category: &'a str,
    pub question: &'a str,
    pub answer: &'a str,
    pub answers: Option<&'a ChannelAnswers>,
    pub phrasings: &'a [String],
    pub template_slot: Option<&'a str>,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
    pub related: Vec<&'a str>,
    pub counter_examples: &'a [String],
}

/// `before` is `None` for a first revision: everything is added.
pub fn diff(before: Option<&Side>, after: &Side) -> Diff {
    let empty = Side::default();
    let before = before.unwrap_or(&empty);
    let variant = |side: &'_ Side, channel| -> String {
        side.answers.and_then(|a| a.get(&channel)).cloned().unwrap_or_default()
    };
    let mut fields = Vec::new();
    for (field, a, b) in [
        ("category", before.category.to_string(), after.category.to_string()),
        ("question", before.question.to_string(), after.question.to_string()),
        ("answer", before.answer.to_string(), after.answer.to_string()),
        ("answer_bot", variant(before, Channel::Bot), variant(after, Channel::Bot)),
        ("answer_online", variant(before, Channel::Online), variant(after, Channel::Online)),
        ("answer_hotline", variant(before, Channel::Hotline), variant(after, Channel::Hotline)),
        (
            "template_slot",
            before.template_slot.unwrap_or("").to_string(),
            after.template_slot.unwrap_or("").to_string(),
        ),
        ("related", before.related.join("\n"), after.related.join("\n")),
        ("counter_examples", before.counter_examples.join("\n"), after.counter_examples.join("\n")),
    ] {
        if a != b {
            fields.push(FieldChange { field: field.to_string(), spans: spans(&a, &b) });
        }
    }
    // Times change whole (the page shows each in the reader's time zone).
    let time = |t: Option<DateTime<Utc>>| t.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true));
    for (field, a, b) in [
        ("valid_from", time(before.valid_from), time(after.valid_from)),
        ("valid_until", time(before.valid_until), time(after.valid_until)),
    ] {
        if a != b {
            let spans = [(SpanKind::Removed, a), (SpanKind::Added, b)]
                .into_iter()
                .filter_map(|(kind, text)| text.map(|text| Span { kind, text }))
                .collect();
            fields.push(FieldChange { field: field.to_string(), spans });
        }
    }
    let phrasings_added = after.phrasings.iter().filter(|p| !before.phrasings.contains(p)).cloned().collect();
    let phrasings_removed =
        before.phrasings.iter().filter(|p| !after.phrasings.contains(p)).cloned().collect();
    Diff { fields, phrasings_added, phrasings_removed }
}

/// Inline spans turning `a` into `b`, neighbours of one kind merged.
pub fn spans(a: &str, b: &str) -> Vec<Span> {
    let cjk = |s: &str| s.chars().any(|c| ('\u{3400}'..='\u{9fff}').contains(&c));
    let diff = if cjk(a) || cjk(b) { TextDiff::from_chars(a, b) } else { TextDiff::from_words(a, b) };
    let mut out: Vec<Span> = Vec::new();
    for change in diff.iter_all_changes() {
        let kind = match change.tag() {
            ChangeTag::Equal => SpanKind::Same,
            ChangeTag::Insert => SpanKind::Added,
            ChangeTag::Delete => SpanKind::Removed,
        };
        match out.last_mut() {
            Some(last) if last.kind == kind => last.text.push_str(change.value()),
            _ => out.push(Span { kind, text: change.value().to_string() }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side<'a>(q: &'a str, a: &'a str, p: &'a [String]) -> Side<'a> {
        Side { category: "Cards", question: q, answer: a, phrasings: p, ..Side::default() }
    }

    #[test]
    fn words_and_phrasings() {
        let p1 = vec!["old way".to_string(), "kept".to_string()];
        let p2 = vec!["kept".to_string(), "new way".to_string()];
        let d = diff(
            Some(&side("Q", "Cards arrive in 5 days.", &p1)),
            &side("Q", "Cards arrive in 3 days.", &p2),
        );
        assert_eq!(d.fields.len(), 1);
        assert_eq!(d.fields[0].field, "answer");
        let removed: String = d.fields[0]
            .spans
            .iter()
            .filter(|s| s.kind == SpanKind::Removed)
            .map(|s| s.text.as_str())
            .collect();
        let added: String =
            d.fields[0].spans.iter().filter(|s| s.kind == SpanKind::Added).map(|s| s.text.as_str()).collect();
        assert_eq!((removed.as_str(), added.as_str()), ("5", "3"));
        assert_eq!(d.phrasings_added, vec!["new way"]);
        assert_eq!(d.phrasings_removed, vec!["old way"]);
    }

    #[test]
    fn chinese_by_character_and_first_revision() {
        let s = spans("月租58元", "月租68元");
        assert!(s.contains(&Span { kind: SpanKind::Removed, text: "5".into() }));
        assert!(s.contains(&Span { kind: SpanKind::Added, text: "6".into() }));
        let d = diff(None, &side("Q", "A", &[]));
        assert_eq!(
            d.fields.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(),
            ["category", "question", "answer"]
        );
    }
}
