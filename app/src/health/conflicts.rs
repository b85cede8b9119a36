//! The conflict report on the health page: each pair of competing points with its evidence,
//! and the ways out — merge into either, move a phrasing across, or "not a conflict".

use leptos::prelude::*;
use model::views::{ClarifyEvidence, Conflict, ConflictReport, Crossing, Relinked};

use super::api::{dismiss_conflict, knowledge_conflicts, merge_points, move_phrasing};
use crate::errors::AppError;
use crate::i18n::{count, tr, use_lang, Lang};
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
                <button
                    class="ghost"
                    data-testid="recompute"
                    on:click={move |_| recompute.update(|n| *n += 1)}
                >
                    {move || t("health.recompute")}
                </button>
            </header>
            <p class="muted small">{move || t("health.conflicts_intro")}</p>
            {point
                .map(|p| {
                    view! {
                        <p class="small" data-testid="conflicts-of" data-point={p}>
                            {move || t("health.conflicts_of")}
                            " · "
                            <a href="/health">{move || t("health.all_conflicts")}</a>
                        </p>
                    }
                })}
            {move || match steps.value().get() {
                Some(Err(e)) => {
                    view! {
                        <p class="notice error" data-testid="conflict-error">
                            {error_text(&e)}
                        </p>
                    }
                        .into_any()
                }
                Some(Ok(())) => {
                    view! {
                        <p class="notice ok" data-testid="conflict-done">
                            {move || t("health.done")}
                        </p>
                    }
                        .into_any()
                }
                None => ().into_any(),
            }}
            <Transition fallback={move || {
                view! { <p class="muted">{move || t("status.loading")}</p> }
            }}>
                {move || Suspend::new(async move {
                    match report.await {
                        Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                        Ok(r) => view! { <Report r steps open_all={point.is_some()} /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Pairs shown per page: the strongest first, so weak pairs fall to later pages.
const PER_PAGE: usize = 10;

#[component]
fn Report(r: ConflictReport, steps: Steps, open_all: bool) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let summary = move || match lang.get() {
        Lang::Zh => format!(
            "比较了 {} 个知识点的 {} 条问法，用时 {} 毫秒；{} 对已标记为不冲突。",
            r.points, r.texts, r.took_ms, r.dismissed
        ),
        Lang::En => format!(
            "{} of {} compared in {} ms; {} marked not a conflict.",
            count(Lang::En, r.texts as i64, "health.texts"),
            count(Lang::En, r.points as i64, "health.points"),
            r.took_ms,
            count(Lang::En, r.dismissed as i64, "health.pairs"),
        ),
    };
    let total = r.conflicts.len();
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page = RwSignal::new(1usize);
    let conflicts = r.conflicts;
    view! {
        <p class="small muted" data-testid="conflicts-summary">
            {summary}
        </p>
        {(total == 0)
            .then(|| {
                view! {
                    <p class="muted" data-testid="conflicts-none">
                        {move || t("health.no_conflicts")}
                    </p>
                }
            })}
        <div class="conflicts">
            {move || {
                let current = page.get();
                conflicts
                    .iter()
                    .cloned()
                    .enumerate()
                    .skip((current - 1) * PER_PAGE)
                    .take(PER_PAGE)
                    .map(|(i, c)| view! { <ConflictCard c steps open={open_all || i == 0} /> })
                    .collect_view()
            }}
        </div>
        {(pages > 1)
            .then(|| {
                view! {
                    <p class="row small" data-testid="conflicts-pager">
                        <button
                            class="ghost"
                            data-testid="conflicts-previous"
                            aria-label={move || t("pager.previous")}
                            disabled={move || page.get() <= 1}
                            on:click={move |_| page.update(|p| *p -= 1)}
                        >
                            "←"
                        </button>
                        <span>{move || format!(" {} / {pages} ", page.get())}</span>
                        <button
                            class="ghost"
                            data-testid="conflicts-next"
                            aria-label={move || t("pager.next")}
                            disabled={move || page.get() >= pages}
                            on:click={move |_| page.update(|p| *p += 1)}
                        >
                            "→"
                        </button>
                    </p>
                }
            })}
    }
    .into_any()
}

/// A pair on one line, both questions side by side and the evidence in words; opened, what each
/// figure means and the ways out. The questions are the points' own words (`translate="no"`).
#[component]
fn ConflictCard(c: Conflict, steps: Steps, open: bool) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let (a, b): (i32, i32) =
        (c.first.knowledge_id.parse().unwrap_or_default(), c.second.knowledge_id.parse().unwrap_or_default());
    let (qa, qb) = (c.first.question.clone(), c.second.question.clone());
    let chosen = c.clarifications.as_ref().map_or(0, |e| e.chose_first + e.chose_second);
    let (crossing, relinked) = (c.crossing_count, c.relinked.len() as u64);
    let evidence = move || evidence_words(lang.get(), crossing, chosen, relinked);
    let (texts_a, texts_b) = (c.first.texts, c.second.texts);
    let sizes = {
        let (sa, sb) = (short(&qa), short(&qb));
        move || {
            let (sa, sb) = (sa.clone(), sb.clone());
            match lang.get() {
                Lang::Zh => view! {
                    "“"
                    <span translate="no">{sa}</span>
                    {format!("”有 {texts_a} 条问法，“")}
                    <span translate="no">{sb}</span>
                    {format!("”有 {texts_b} 条（含标准问题）。")}
                }
                .into_any(),
                Lang::En => view! {
                    "“"
                    <span translate="no">{sa}</span>
                    {format!("” has {}, “", count(Lang::En, texts_a as i64, "health.texts"))}
                    <span translate="no">{sb}</span>
                    {format!(
                        "” has {} (typical question included).",
                        count(Lang::En, texts_b as i64, "health.texts"),
                    )}
                }
                .into_any(),
            }
        }
    };
    let (short_a, short_b) = (short(&qa), short(&qb));
    view! {
        // The summary opens the pair: no link inside it (a control inside a control); the
        // questions link to their points below.
        <details class="conflict" data-testid="conflict" data-first={a} data-second={b} open={open}>
            <summary class="conflict-line">
                <span class="clamp" data-testid="conflict-first" translate="no" title={qa.clone()}>
                    {qa.clone()}
                </span>
                <span class="muted" aria-hidden="true">
                    "⇄"
                </span>
                <span class="clamp" data-testid="conflict-second" translate="no" title={qb.clone()}>
                    {qb.clone()}
                </span>
                <span class="small muted" data-testid="conflict-evidence">
                    {evidence}
                </span>
            </summary>
            <p class="small" translate="no">
                <a href={format!("/knowledge/{a}")}>{qa.clone()}</a>
                " · "
                <a href={format!("/knowledge/{b}")}>{qb.clone()}</a>
            </p>
            <p class="small muted">
                <span translate="no">{c.first.category.clone()}</span>
                " · "
                {sizes}
            </p>
            <Crossings crossings={c.crossings} a b qa={qa.clone()} qb={qb.clone()} steps />
            <Evidence clarify={c.clarifications} relinked={c.relinked} a b qa={qa.clone()} qb={qb.clone()} />
            <div class="row actions">
                <button
                    class="primary"
                    data-testid="merge-into-first"
                    on:click={move |_| {
                        steps.dispatch(Step::Merge { keep: a, absorb: b });
                    }}
                >
                    {move || t("health.merge_into")}
                    " “"
                    <span translate="no">{short_a}</span>
                    "”"
                </button>
                <button
                    class="ghost"
                    data-testid="merge-into-second"
                    on:click={move |_| {
                        steps.dispatch(Step::Merge { keep: b, absorb: a });
                    }}
                >
                    {move || t("health.merge_into")}
                    " “"
                    <span translate="no">{short_b}</span>
                    "”"
                </button>
                <button
                    class="ghost"
                    data-testid="not-a-conflict"
                    on:click={move |_| {
                        steps
                            .dispatch(Step::Dismiss {
                                first: a,
                                second: b,
                            });
                    }}
                >
                    {move || t("health.not_a_conflict")}
                </button>
            </div>
        </details>
    }
    .into_any()
}

/// Why a pair is listed, in words: "2 phrasings nearer the other point · chosen between in 3
/// clarifications · 1 answer relinked after a thumbs-down".
fn evidence_words(lang: Lang, crossing: u64, chosen: u64, relinked: u64) -> String {
    let mut parts = Vec::new();
    match lang {
        Lang::Zh => {
            if crossing > 0 {
                parts.push(format!("{crossing} 条问法更接近对方"));
            }
            if chosen > 0 {
                parts.push(format!("澄清时被混选 {chosen} 次"));
            }
            if relinked > 0 {
                parts.push(format!("{relinked} 个差评回答后被改关联"));
            }
        }
        Lang::En => {
            if crossing > 0 {
                parts.push(format!(
                    "{} nearer the other point",
                    count(lang, crossing as i64, "health.phrasings")
                ));
            }
            if chosen > 0 {
                parts.push(format!(
                    "chosen between in {}",
                    count(lang, chosen as i64, "health.clarifications")
                ));
            }
            if relinked > 0 {
                parts.push(format!(
                    "{} relinked after a thumbs-down",
                    count(lang, relinked as i64, "health.answers")
                ));
            }
        }
    }
    parts.join(if lang == Lang::Zh { "；" } else { " · " })
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
            <thead>
                <tr>
                    <th>{move || t("health.crossing")}</th>
                    <th>{move || t("health.own")}</th>
                    <th>{move || t("health.other")}</th>
                    <th>{move || t("model.action")}</th>
                </tr>
            </thead>
            <tbody>
                {crossings
                    .into_iter()
                    .map(|x| {
                        let from: i32 = x.knowledge_id.parse().unwrap_or_default();
                        let to = if from == a { b } else { a };
                        let to_question = short(if from == a { &qb } else { &qa });
                        let is_question = x.text == qa || x.text == qb;
                        let text = x.text.clone();
                        let mover = (!is_question)
                            .then(|| {
                                view! {
                                    <button
                                        class="ghost small"
                                        data-testid="move-phrasing"
                                        on:click={move |_| {
                                            steps
                                                .dispatch(Step::Move {
                                                    from,
                                                    to,
                                                    text: text.clone(),
                                                });
                                        }}
                                    >
                                        {move || t("health.move")}
                                        " “"
                                        <span translate="no">{to_question.clone()}</span>
                                        "”"
                                    </button>
                                }
                                    .into_any()
                            });
                        view! {
                            <tr data-testid="crossing">
                                <td translate="no">{x.text.clone()}</td>
                                <td>{x.own.map(|s| format!("{s:.2}")).unwrap_or_else(|| "–".into())}</td>
                                <td>{format!("{:.2}", x.other)}</td>
                                <td>{mover}</td>
                            </tr>
                        }
                            .into_any()
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// What the ask log says: choices in clarifications, and answers rated not helpful relinked.
#[component]
fn Evidence(
    clarify: Option<ClarifyEvidence>,
    relinked: Vec<Relinked>,
    a: i32,
    b: i32,
    qa: String,
    qb: String,
) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let name = |id: &str| {
        short(if id == a.to_string() {
            qa.as_str()
        } else if id == b.to_string() {
            qb.as_str()
        } else {
            id
        })
    };
    let clarify = clarify.map(|e| {
        view! {
            <p class="small" data-testid="clarify-evidence">
                {move || t("health.clarify_evidence")}
                " “"
                <span translate="no">{short(&qa)}</span>
                {format!("” {} · “", e.chose_first)}
                <span translate="no">{short(&qb)}</span>
                {format!("” {}", e.chose_second)}
                {(!e.questions.is_empty())
                    .then(|| {
                        view! {
                            " — "
                            <span translate="no">{e.questions.join(" · ")}</span>
                        }
                    })}
            </p>
        }
        .into_any()
    });
    let relinked = (!relinked.is_empty()).then(|| {
        view! {
            <ul class="small plain" data-testid="relinked" translate="no">
                {relinked
                    .into_iter()
                    .map(|r| {
                        view! {
                            <li>
                                {r.question.clone()}
                                {format!(
                                    " (“{}” → “{}”)",
                                    name(&r.answered_with),
                                    name(&r.linked_to),
                                )}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    });
    view! {
        {clarify}
        {relinked}
    }
    .into_any()
}

/// A point's question short enough for a button or a line of evidence (the whole text is on
/// the card's title).
fn short(question: &str) -> String {
    const CHARS: usize = 24;
    if question.chars().count() <= CHARS {
        return question.to_string();
    }
    format!("{}…", question.chars().take(CHARS - 1).collect::<String>())
}
