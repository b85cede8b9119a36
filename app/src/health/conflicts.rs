//! The conflict report on the health page: each pair of competing points with its evidence,
//! and the ways out — merge into either, move a phrasing across, or "not a conflict".

use leptos::prelude::*;
use model::views::{ClarifyEvidence, Conflict, ConflictReport, Crossing, Relinked};

use super::api::{dismiss_conflict, knowledge_conflicts, merge_points, move_phrasing};
use crate::errors::AppError;
use crate::i18n::{tr, use_lang, Lang};
use crate::refusals::error_text;

/// What a reviewer or trainer does with a conflict.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Merge { keep: i32, absorb: i32 },
    Move { from: i32, to: i32, text: String },
    Dismiss { first: i32, second: i32 },
}

type Steps = Action<Step, Result<(), AppError>>;

#[component]
pub fn ConflictsPanel(on_change: Callback<()>, point: Option<i32>) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let recompute = RwSignal::new(0u32);
    let report = Resource::new(move || recompute.get(), move |n| knowledge_conflicts(n > 0, point));
    let steps: Steps = Action::new(|step: &Step| {
        let step = step.clone();
        async move {
            match step {
                Step::Merge { keep, absorb } => merge_points(keep, absorb).await,
                Step::Move { from, to, text } => move_phrasing(from, to, text).await,
                Step::Dismiss { first, second } => dismiss_conflict(first, second).await,
            }
        }
    });
    Effect::new(move |_| {
        if matches!(steps.value().get(), Some(Ok(()))) {
            report.refetch();
            on_change.run(());
        }
    });
    view! {
        <section class="panel" data-testid="conflicts">
            <header class="row">
                <h2>{move || t("health.conflicts")}</h2>
                <button class="ghost" data-testid="recompute" on:click=move |_| recompute.update(|n| *n += 1)>{move || t("health.recompute")}</button>
            </header>
            <p class="muted small">{move || t("health.conflicts_intro")}</p>
            {point.map(|p| view! {
                <p class="small" data-testid="conflicts-of">{move || t("health.conflicts_of")} {format!(" #{p} · ")}
                    <a href="/health">{move || t("health.all_conflicts")}</a></p>
            })}
            {move || match steps.value().get() {
                Some(Err(e)) => view! { <p class="notice error" data-testid="conflict-error">{error_text(&e)}</p> }.into_any(),
                Some(Ok(())) => view! { <p class="notice ok" data-testid="conflict-done">{move || t("health.done")}</p> }.into_any(),
                None => ().into_any(),
            }}
            <Transition fallback=move || view! { <p class="muted">{move || t("status.loading")}</p> }>
                {move || Suspend::new(async move {
                    match report.await {
                        Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                        Ok(r) => view! { <Report r steps/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Report(r: ConflictReport, steps: Steps) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let summary = move || match lang.get() {
        Lang::Zh => format!(
            "比较了 {} 个知识点的 {} 条问法，用时 {} 毫秒；{} 对已标记为不冲突。",
            r.points, r.texts, r.took_ms, r.dismissed
        ),
        Lang::En => format!(
            "{} texts of {} points compared in {} ms; {} pairs marked not a conflict.",
            r.texts, r.points, r.took_ms, r.dismissed
        ),
    };
    let empty = r.conflicts.is_empty();
    view! {
        <p class="small muted" data-testid="conflicts-summary">{summary}</p>
        {empty.then(|| view! { <p class="muted" data-testid="conflicts-none">{move || t("health.no_conflicts")}</p> })}
        {r.conflicts.into_iter().map(|c| view! { <ConflictCard c steps/> }).collect_view()}
    }
    .into_any()
}

#[component]
fn ConflictCard(c: Conflict, steps: Steps) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let (a, b): (i32, i32) =
        (c.first.knowledge_id.parse().unwrap_or_default(), c.second.knowledge_id.parse().unwrap_or_default());
    let (qa, qb) = (c.first.question.clone(), c.second.question.clone());
    view! {
        <article class="conflict" data-testid="conflict" data-first=a data-second=b>
            <h3>
                <a href=format!("/knowledge/{a}") data-testid="conflict-first">{qa.clone()}</a>
                " ⇄ "
                <a href=format!("/knowledge/{b}") data-testid="conflict-second">{qb.clone()}</a>
            </h3>
            <p class="small muted">
                {c.first.category.clone()} " · " {c.first.texts} " / " {c.second.texts} " " {move || t("health.texts")} " · "
                {move || t("health.strength")} " " <strong>{c.strength}</strong>
            </p>
            <Crossings crossings=c.crossings a b qa=qa.clone() qb=qb.clone() steps/>
            <Evidence clarify=c.clarifications relinked=c.relinked a b/>
            <div class="row actions">
                <button class="primary" data-testid="merge-into-first" on:click=move |_| { steps.dispatch(Step::Merge { keep: a, absorb: b }); }>
                    {move || t("health.merge_into")} {format!(" #{a}")}
                </button>
                <button class="ghost" data-testid="merge-into-second" on:click=move |_| { steps.dispatch(Step::Merge { keep: b, absorb: a }); }>
                    {move || t("health.merge_into")} {format!(" #{b}")}
                </button>
                <button class="ghost" data-testid="not-a-conflict" on:click=move |_| { steps.dispatch(Step::Dismiss { first: a, second: b }); }>
                    {move || t("health.not_a_conflict")}
                </button>
            </div>
        </article>
    }
    .into_any()
}

/// The texts nearer the other point, each movable to it (a typical question is not).
#[component]
fn Crossings(
    crossings: Vec<Crossing>,
    a: i32,
    b: i32,
    qa: String,
    qb: String,
    steps: Steps,
) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    if crossings.is_empty() {
        return ().into_any();
    }
    view! {
        <table class="list small" data-testid="crossings">
            <thead><tr><th>{move || t("health.crossing")}</th><th>{move || t("health.own")}</th><th>{move || t("health.other")}</th><th></th></tr></thead>
            <tbody>
                {crossings.into_iter().map(|x| {
                    let from: i32 = x.knowledge_id.parse().unwrap_or_default();
                    let to = if from == a { b } else { a };
                    let is_question = x.text == qa || x.text == qb;
                    let text = x.text.clone();
                    let mover = (!is_question).then(|| view! {
                        <button class="ghost small" data-testid="move-phrasing" on:click=move |_| { steps.dispatch(Step::Move { from, to, text: text.clone() }); }>
                            {move || t("health.move")} {format!(" #{to}")}
                        </button>
                    }.into_any());
                    view! {
                        <tr data-testid="crossing">
                            <td>{x.text.clone()} <small class="muted">{format!(" #{from} → #{to}")}</small></td>
                            <td>{x.own.map(|s| format!("{s:.2}")).unwrap_or_else(|| "–".into())}</td>
                            <td>{format!("{:.2}", x.other)}</td>
                            <td>{mover}</td>
                        </tr>
                    }.into_any()
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// What the ask log says: choices in clarifications, and 👎 answers relinked.
#[component]
fn Evidence(clarify: Option<ClarifyEvidence>, relinked: Vec<Relinked>, a: i32, b: i32) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let clarify = clarify.map(|e| {
        view! {
            <p class="small" data-testid="clarify-evidence">
                {move || t("health.clarify_evidence")} " "
                {format!("#{a}: {} · #{b}: {}", e.chose_first, e.chose_second)}
                {(!e.questions.is_empty()).then(|| format!(" — {}", e.questions.join(" · ")))}
            </p>
        }
        .into_any()
    });
    let relinked = (!relinked.is_empty()).then(|| {
        view! {
            <ul class="small plain" data-testid="relinked">
                {relinked.into_iter().map(|r| view! {
                    <li>{r.question.clone()} {format!(" (#{} → #{})", r.answered_with, r.linked_to)}</li>
                }).collect_view()}
            </ul>
        }
        .into_any()
    });
    view! { {clarify} {relinked} }.into_any()
}
