//! One line of the workbench's group list: label, size, reports, a two-week sparkline, trend,
//! the top suggestion, and who is working on it.

use leptos::prelude::*;
use model::views::ClusterView;

use super::Bench;
use crate::auth::use_me;
use crate::i18n::{count, counted, tr, use_lang};
use crate::icons::Lock;

#[component]
pub fn GroupRow(index: usize, group: ClusterView, bench: Bench) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let me = use_me();
    let trend = if group.trend > 1.2 {
        "↑"
    } else if group.trend < 0.8 && group.previous_week > 0 {
        "↓"
    } else {
        "→"
    };
    let top = group.suggestions.first().map(|s| (s.question.clone(), format!("{:.2}", s.score)));
    let id = group.id.clone();
    let marked = move || bench.marked.with(|m| m.contains(&id));
    let is_marked = marked.clone();
    let holder = group.claimed_by.clone();
    let held = move || {
        let mine = me.get().flatten().map(|m| m.name);
        holder.clone().filter(|h| Some(h) != mine.as_ref())
    };
    view! {
        <li
            class="group"
            role="option"
            data-testid="group"
            data-id={group.id.clone()}
            class:selected={move || bench.selected.get() == index}
            class:marked={is_marked}
            aria-selected={move || (bench.selected.get() == index).to_string()}
            on:click={move |_| {
                bench.engage();
                bench.selected.set(index)
            }}
        >
            <div class="row">
                // For the mouse: keyboards and screen readers mark with `x`, and the "marked"
                // badge says it. Not a form control: a control inside a listbox option is
                // nested interactive.
                <span
                    class="mark-box"
                    class:on={marked.clone()}
                    data-testid="group-mark"
                    aria-hidden="true"
                    title={move || t("inbox.mark")}
                    on:click={
                        let id = group.id.clone();
                        move |ev| {
                            ev.stop_propagation();
                            let id = id.clone();
                            bench
                                .marked
                                .update(|m| match m.iter().position(|x| *x == id) {
                                    Some(i) => {
                                        m.remove(i);
                                    }
                                    None => m.push(id),
                                });
                        }
                    }
                ></span>
                <strong class="clamp" data-testid="group-label" title={group.label.clone()}>
                    {group.label.clone()}
                </strong>
                {move || {
                    marked()
                        .then(|| {
                            view! {
                                <span class="badge" data-testid="group-marked">
                                    {move || t("inbox.marked")}
                                </span>
                            }
                        })
                }}
                {move || {
                    held()
                        .map(|h| {
                            view! {
                                <span class="badge st-rejected" data-testid="group-claimed">
                                    <Lock />
                                    " "
                                    {h}
                                </span>
                            }
                        })
                }}
            </div>
            <div class="small muted">
                {move || count(lang.get(), group.size, "inbox.questions")} " · "
                <span data-testid="group-volume">{group.volume}</span> " "
                {move || counted(lang.get(), group.volume, "inbox.reports")} " "
                <Sparkline daily={group.daily.clone()} /> " " {trend}
                // The customers' own words, as they wrote them.
                {(!group.key_terms.is_empty())
                    .then(|| {
                        view! {
                            " · "
                            <span translate="no">{group.key_terms.join(" · ")}</span>
                        }
                    })}
            </div>
            {top
                .map(|(question, score)| {
                    view! {
                        <div class="small clamp" title={question.clone()}>
                            {move || t("inbox.suggested")}
                            ": "
                            <span translate="no">{question.clone()}</span>
                            {format!(" ({score})")}
                        </div>
                    }
                })}
        </li>
    }
    // Erased: inside the list's `For` the row's full type made the page too deep to compile.
    .into_any()
}

/// Reports per day as a small line: the shape of the last two weeks at a glance.
#[component]
fn Sparkline(daily: Vec<i64>) -> impl IntoView {
    let (w, h) = (70.0, 16.0);
    let max = daily.iter().copied().max().unwrap_or(0).max(1) as f64;
    let step = if daily.len() > 1 { w / (daily.len() - 1) as f64 } else { w };
    let points: Vec<String> = daily
        .iter()
        .enumerate()
        .map(|(i, &n)| format!("{:.1},{:.1}", i as f64 * step, h - 1.0 - (n as f64 / max) * (h - 2.0)))
        .collect();
    let title = daily.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(" ");
    view! {
        <svg class="spark" data-testid="sparkline" width={w} height={h} viewBox={format!("0 0 {w} {h}")}>
            <title>{title}</title>
            <polyline fill="none" stroke="currentColor" stroke-width="1.5" points={points.join(" ")} />
        </svg>
    }
}
