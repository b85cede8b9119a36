//! What changed between two revisions, field by field, as inline spans a reviewer reads at a
//! glance. Text with Chinese characters is compared character by character, other text by words.

use similar::{ChangeTag, TextDiff};

use crate::views::{Diff, FieldChange, Span, SpanKind};

/// The parts of a revision a diff compares (the category by its path, so moves are readable).
pub struct Side<'a> {
    pub category: &'a str,
    pub question: &'a str,
    pub answer: &'a str,
    pub phrasings: &'a [String],
    pub template_slot: Option<&'a str>,
}

/// `before` is `None` for a first revision: everything is added.
pub fn diff(before: Option<&Side>, after: &Side) -> Diff {
    let empty = Side { category: "", question: "", answer: "", phrasings: &[], template_slot: None };
    let before = before.unwrap_or(&empty);
    let mut fields = Vec::new();
    for (field, a, b) in [
        ("category", before.category, after.category),
        ("question", before.question, after.question),
        ("answer", before.answer, after.answer),
        ("template_slot", before.template_slot.unwrap_or(""), after.template_slot.unwrap_or("")),
    ] {
        if a != b {
            fields.push(FieldChange { field: field.to_string(), spans: spans(a, b) });
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
        Side { category: "Cards", question: q, answer: a, phrasings: p, template_slot: None }
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
