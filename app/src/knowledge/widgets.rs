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
        _ => "field.slot",
    }
}

/// A diff as inline insertions and deletions, then the phrasings added and removed.
#[component]
pub fn DiffView(diff: Diff) -> impl IntoView {
    let lang = use_lang();
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
                    let word = move |text: String| move || match slot
                        .then(|| any_slot_title(lang.get(), text.trim()))
                        .flatten()
                    {
                        Some(title) => title.to_string(),
                        None => text.clone(),
                    };
                    // A slot is stored by its key ("price"): people read its title.
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
