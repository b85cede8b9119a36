//! Work on the marked groups at once: dismiss them with one reason, link them all to one point,
//! or hand them to a trainer. A bulk decision is one entry in "My decisions", undone as one.

use leptos::prelude::*;
use model::views::Decision;

use super::{trainer_names, Bench, Op};
use crate::i18n::{count, tr, use_lang};
use crate::labels::{reason, DISMISS_REASONS};

#[component]
pub fn BulkBar(bench: Bench) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let why = RwSignal::new(DISMISS_REASONS[0].0.to_string());
    let point = RwSignal::new(String::new());
    let trainer = RwSignal::new(String::new());
    let trainers = Resource::new(|| (), |_| trainer_names());
    // The points suggested for any marked group on this page: marked groups about one thing
    // share them.
    let points = move || {
        let marked = bench.marked.get();
        let mut out: Vec<(String, String)> = Vec::new();
        bench.groups.with(|groups| {
            for g in groups.iter().filter(|g| marked.contains(&g.id)) {
                for s in &g.suggestions {
                    if !out.iter().any(|(id, _)| *id == s.knowledge_id) {
                        out.push((s.knowledge_id.clone(), s.question.clone()));
                    }
                }
            }
        });
        out
    };
    // A point no longer offered (the marks changed) is not linked to unseen.
    Effect::new(move |_| {
        let offered = points();
        if !point.with_untracked(|p| p.is_empty() || offered.iter().any(|(id, _)| id == p)) {
            point.set(String::new());
        }
    });
    let marked = move || bench.marked.get_untracked();
    view! {
        <div class="panel inset bulk row" data-testid="bulk-bar">
            <strong data-testid="bulk-count">
                {move || count(lang.get(), bench.marked.with(Vec::len) as i64, "inbox.marked_groups")}
            </strong>
            <label>
                {move || t("inbox.bulk_dismiss_as")}
                <select data-testid="bulk-reason" on:change={move |ev| why.set(event_target_value(&ev))}>
                    {DISMISS_REASONS
                        .iter()
                        .map(|(r, _, _)| {
                            view! { <option value={*r}>{move || reason(lang.get(), r)}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
            <button
                data-testid="bulk-dismiss"
                on:click={move |_| {
                    bench
                        .act
                        .dispatch(
                            Op::Bulk(
                                marked(),
                                Decision::Dismiss {
                                    reason: why.get_untracked(),
                                },
                            ),
                        );
                }}
            >
                {move || t("inbox.bulk_dismiss")}
            </button>
            <label>
                {move || t("inbox.bulk_link_to")}
                <select
                    data-testid="bulk-point"
                    prop:value={move || point.get()}
                    on:change={move |ev| point.set(event_target_value(&ev))}
                >
                    <option value="">{move || t("inbox.bulk_choose_point")}</option>
                    {move || {
                        points()
                            .into_iter()
                            .map(|(id, q)| view! { <option value={id}>{q}</option> })
                            .collect_view()
                    }}
                </select>
            </label>
            <button
                data-testid="bulk-link"
                disabled={move || point.with(String::is_empty)}
                on:click={move |_| {
                    let knowledge_id = point.get_untracked();
                    bench
                        .act
                        .dispatch(
                            Op::Bulk(
                                marked(),
                                Decision::Link {
                                    knowledge_id,
                                    miss_ids: None,
                                },
                            ),
                        );
                }}
            >
                {move || t("inbox.bulk_link")}
            </button>
            <label>
                {move || t("inbox.bulk_assign_to")}
                <select data-testid="bulk-trainer" on:change={move |ev| trainer.set(event_target_value(&ev))}>
                    <option value="">{move || t("inbox.bulk_choose_trainer")}</option>
                    <Transition fallback={|| ()}>
                        {move || {
                            trainers
                                .get()
                                .and_then(Result::ok)
                                .unwrap_or_default()
                                .into_iter()
                                .map(|n| view! { <option value={n.clone()}>{n.clone()}</option> })
                                .collect_view()
                        }}
                    </Transition>
                </select>
            </label>
            <button
                data-testid="bulk-assign"
                disabled={move || trainer.with(String::is_empty)}
                on:click={move |_| {
                    bench.act.dispatch(Op::Assign(marked(), trainer.get_untracked()));
                }}
            >
                {move || t("inbox.bulk_assign")}
            </button>
            <button class="ghost" data-testid="bulk-clear" on:click={move |_| bench.marked.set(Vec::new())}>
                {move || t("inbox.bulk_clear")}
            </button>
        </div>
    }
    .into_any()
}
