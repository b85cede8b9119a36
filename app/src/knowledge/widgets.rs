//! Small pieces shared by the knowledge pages: status badges and diffs.

use leptos::prelude::*;
use model::views::{Diff, PointStatus, SpanKind};

use crate::i18n::{tr, use_lang};
use crate::labels::{any_slot_title, Label};

#[component]
pub fn StatusBadge(status: PointStatus, #[prop(optional)] live: bool) -> impl IntoView {
    let lang = use_lang();
    view! {
        <span class={format!("badge st-{}", status.as_str())} data-status={status.as_str()}>
            {move || status.label(lang.get())}
        </span>
        {(live && status != PointStatus::Published)
            .then(|| view! { <span class="badge st-live">{move || tr(lang.get(), "status.live")}</span> })}
    }
}

fn field_key(field: &str) -> &'static str {
    match field {
        "category" => "field.category",
        "question" => "field.question",
        "answer" => "field.answer",
        "answer_bot" => "field.answer_bot",
        "answer_online" => "field.answer_online",
        "answer_hotline" => "field.answer_hotline",
        "valid_from" => "field.valid_from",
        "valid_until" => "field.valid_until",
        "related" => "field.related",
        "counter_examples" => "field.counter_examples",
        _ => "field.slot",
    }
}

/// A diff as inline insertions and deletions, then the phrasings added and removed.
#[component]
pub fn DiffView(diff: Diff) -> impl IntoView {
    let lang = use_lang();
    let zone = crate::time::use_zone();
    let t = move |key| tr(lang.get(), key);
    let empty = diff.is_empty();
    view! {
        <div class="diff" data-testid="diff">
            {diff
                .fields
                .into_iter()
                .map(|f| {
                    let key = field_key(&f.field);
                    let slot = f.field == "template_slot";
                    let time = f.field.starts_with("valid_");
                    let word = move |text: String| move || {
                        if let Some(title) = slot.then(|| any_slot_title(lang.get(), text.trim())).flatten() {
                            return title.to_string();
                        }
                        match chrono::DateTime::parse_from_rfc3339(&text).ok().filter(|_| time) {
                            Some(at) => zone.get().minute(at.with_timezone(&chrono::Utc)),
                            None => text.clone(),
                        }
                    };
                    // A slot is stored by its key ("price"): people read its title; a time is
                    // stored in UTC: people read it in their zone.
                    view! {
                        <div class="diff-field" data-field={f.field.clone()}>
                            <span class="diff-label">{move || t(key)}</span>
                            <p>
                                {f
                                    .spans
                                    .into_iter()
                                    .map(|s| match s.kind {
                                        SpanKind::Same => view! { <span>{word(s.text)}</span> }.into_any(),
                                        SpanKind::Added => view! { <ins>{word(s.text)}</ins> }.into_any(),
                                        SpanKind::Removed => view! { <del>{word(s.text)}</del> }.into_any(),
                                    })
                                    .collect_view()}
                            </p>
                        </div>
                    }
                })
                .collect_view()}
            {(!diff.phrasings_added.is_empty() || !diff.phrasings_removed.is_empty())
                .then(|| {
                    view! {
                        <div class="diff-field" data-field="phrasings">
                            <span class="diff-label">{move || t("field.phrasings")}</span>
                            <ul class="plain">
                                {diff
                                    .phrasings_added
                                    .into_iter()
                                    .map(|p| {
                                        view! {
                                            <li>
                                                <ins>"+ " {p}</ins>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                                {diff
                                    .phrasings_removed
                                    .into_iter()
                                    .map(|p| {
                                        view! {
                                            <li>
                                                <del>"− " {p}</del>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        </div>
                    }
                })}
            {empty.then(|| view! { <p class="muted">{move || t("diff.none")}</p> })}
        </div>
    }
}

/// An answer as its reader sees it: Markdown rendered (through the server's sanitiser), or, for
/// the hotline, the plain text an agent reads out. Until the HTML is there, the text itself.
#[component]
pub fn AnswerView(#[prop(into)] text: Signal<String>, #[prop(optional)] plain: bool) -> impl IntoView {
    if plain {
        return view! {
            <p class="answer plain" data-testid="answer-view">
                {move || text.get()}
            </p>
        }
        .into_any();
    }
    let html = Resource::new(move || text.get(), |t| super::api::render_answer(t));
    view! {
        <Transition fallback={move || {
            view! { <p class="answer plain">{move || text.get()}</p> }
        }}>
            {move || {
                html.get()
                    .map(|h| {
                        let h = h.unwrap_or_default();
                        view! { <div class="answer md" data-testid="answer-view" inner_html={h}></div> }
                    })
            }}
        </Transition>
    }
    .into_any()
}
