//! The health list: a page of published points with their figures over 7, 30 or 90 days,
//! sortable by any figure, filtered to cold or weak points, each figure opening its asks.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use model::views::{HealthFilter, HealthList, HealthRow, HealthSort, PointFigure, Verdict, Weakness};

use super::api::{knowledge_health, point_asks};
use super::conflicts::ConflictsPanel;
use crate::i18n::{tr, use_lang, Lang};
use crate::labels::Label;
use crate::refusals::error_text;
use crate::time::{Day, Time};

fn pct(v: Option<f64>) -> String {
    v.map(|v| format!("{:.0}%", 100.0 * v)).unwrap_or_else(|| "–".into())
}

/// What a verdict says, in `lang`.
fn verdict_text(v: &Verdict, lang: Lang) -> String {
    match v {
        Verdict::Healthy => tr(lang, "health.healthy").to_string(),
        Verdict::Cold => tr(lang, "health.cold").to_string(),
        Verdict::New => tr(lang, "health.new").to_string(),
        Verdict::NeedsWork { weaknesses } => {
            let reasons: Vec<String> = weaknesses
                .iter()
                .map(|w| match (w, lang) {
                    (Weakness::LowHelpfulRate { rate, rated }, Lang::Zh) => {
                        format!("{rated} 次评价中仅 {:.0}% 有帮助", 100.0 * rate)
                    }
                    (Weakness::LowHelpfulRate { rate, rated }, Lang::En) => {
                        format!("only {:.0}% of {rated} ratings helpful", 100.0 * rate)
                    }
                    (Weakness::ManyHandoffs { rate, answered }, Lang::Zh) => {
                        format!("{answered} 次回答后 {:.0}% 转人工", 100.0 * rate)
                    }
                    (Weakness::ManyHandoffs { rate, answered }, Lang::En) => {
                        format!("{:.0}% of {answered} answers handed off", 100.0 * rate)
                    }
                })
                .collect();
            let (colon, separator) = if lang == Lang::Zh { ("：", "；") } else { (": ", "; ") };
            format!("{}{colon}{}", tr(lang, "health.needs_work"), reasons.join(separator))
        }
    }
}

fn verdict_word(v: &Verdict) -> &'static str {
    match v {
        Verdict::Healthy => "healthy",
        Verdict::Cold => "cold",
        Verdict::New => "new",
        Verdict::NeedsWork { .. } => "needs_work",
    }
}

/// Which point's figure the drill-down shows.
#[derive(Debug, Clone, PartialEq)]
struct Drill {
    id: i32,
    question: String,
    figure: PointFigure,
}

#[component]
pub fn HealthPage() -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let days = RwSignal::new(30u32);
    let sort = RwSignal::new(HealthSort::Answered);
    let descending = RwSignal::new(true);
    let filter = RwSignal::new(HealthFilter::All);
    let page = RwSignal::new(1u32);
    let list = Resource::new(
        move || (days.get(), sort.get(), descending.get(), filter.get(), page.get()),
        |(d, s, desc, f, p)| knowledge_health(d, s.to_string(), desc, f.to_string(), p),
    );
    let drill = RwSignal::new(None::<Drill>);
    // `/health?point=ID` (from a point's page): that point's conflicts only.
    let point = use_query_map().with_untracked(|q| q.get("point").and_then(|p| p.parse::<i32>().ok()));
    view! {
        <section class="page wide" data-testid="health">
            <p>
                <a href="/knowledge">"← " {move || t("knowledge.title")}</a>
            </p>
            <h1>{move || t("health.title")}</h1>
            <p class="muted small">{move || t("health.intro")}</p>
            <div class="toolbar">
                <select
                    data-testid="health-days"
                    aria-label={move || t("dashboard.period")}
                    on:change={move |ev| {
                        if let Ok(d) = event_target_value(&ev).parse() {
                            days.set(d);
                            page.set(1);
                        }
                    }}
                >
                    {[7u32, 30, 90]
                        .into_iter()
                        .map(|d| {
                            view! {
                                <option value={d.to_string()} selected={d == 30}>
                                    {move || format!("{d} {}", t("dashboard.days"))}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <select
                    data-testid="health-filter"
                    aria-label={move || t("filter.verdict")}
                    on:change={move |ev| {
                        if let Ok(f) = event_target_value(&ev).parse() {
                            filter.set(f);
                            page.set(1);
                        }
                    }}
                >
                    {HealthFilter::ALL
                        .iter()
                        .map(|f| {
                            let key = match f {
                                HealthFilter::All => "health.all",
                                HealthFilter::Cold => "health.cold",
                                HealthFilter::NeedsWork => "health.needs_work",
                                HealthFilter::Expiring => "health.expiring",
                                HealthFilter::Expired => "health.expired",
                            };
                            view! { <option value={f.as_str()}>{move || t(key)}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
            <Transition fallback={move || {
                view! { <p class="muted">{move || t("status.loading")}</p> }
            }}>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                        Ok(l) => view! { <HealthTable l sort descending page drill /> }.into_any(),
                    }
                })}
            </Transition>
            {move || drill.get().map(|d| view! { <DrillDown d days close={drill} /> })}
            <ConflictsPanel on_change={Callback::new(move |_| list.refetch())} point />
        </section>
    }
}

#[component]
fn HealthTable(
    l: HealthList,
    sort: RwSignal<HealthSort>,
    descending: RwSignal<bool>,
    page: RwSignal<u32>,
    drill: RwSignal<Option<Drill>>,
) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    // A header sorts by its figure; clicking the sorted one again turns the order round.
    let header = move |by: HealthSort, key: &'static str| {
        let arrow = move || match (sort.get() == by, descending.get()) {
            (true, true) => " ↓",
            (true, false) => " ↑",
            _ => "",
        };
        view! {
            <th>
                <button
                    class="link"
                    data-testid={format!("sort-{by}")}
                    on:click={move |_| {
                        if sort.get_untracked() == by {
                            descending.update(|d| *d = !*d)
                        } else {
                            sort.set(by);
                            descending.set(by != HealthSort::Question)
                        }
                        page.set(1);
                    }}
                >
                    {move || t(key)}
                    {arrow}
                </button>
            </th>
        }
        .into_any()
    };
    let pages = l.total.div_ceil(u64::from(l.per_page)).max(1) as u32;
    let current = l.page;
    view! {
        <p class="small" data-testid="health-counts">
            <span data-testid="health-published">{l.published}</span>
            " "
            {move || t("health.published")}
            " · "
            <span data-testid="health-cold">{l.cold}</span>
            " "
            {move || t("health.cold")}
            " · "
            <span data-testid="health-needs-work">{l.needs_work}</span>
            " "
            {move || t("health.needs_work")}
        </p>
        <table class="list" data-testid="health-list">
            <thead>
                <tr>
                    {header(HealthSort::Question, "review.question")}
                    {header(HealthSort::Answered, "health.answered")}
                    {header(HealthSort::Chosen, "health.chosen")}
                    {header(HealthSort::Unhelpful, "health.unhelpful")}
                    {header(HealthSort::HelpfulRate, "health.helpful_rate")}
                    {header(HealthSort::Handoffs, "health.handoffs")}
                    {header(HealthSort::LoopYield, "dashboard.loop_yield")}
                    {header(HealthSort::LastAsked, "health.last_asked")}
                    <th>{move || t("health.verdict")}</th>
                </tr>
            </thead>
            <tbody>{l.rows.into_iter().map(|r| view! { <Row r drill /> }).collect_view()}</tbody>
        </table>
        {(pages > 1)
            .then(|| {
                view! {
                    <p class="row small" data-testid="health-pager">
                        <button
                            class="ghost"
                            disabled={current <= 1}
                            on:click={move |_| page.set(current - 1)}
                        >
                            "←"
                        </button>
                        {format!(" {current} / {pages} ")}
                        <button
                            class="ghost"
                            data-testid="health-next"
                            disabled={current >= pages}
                            on:click={move |_| page.set(current + 1)}
                        >
                            "→"
                        </button>
                    </p>
                }
            })}
    }
    .into_any()
}

#[component]
fn Row(r: HealthRow, drill: RwSignal<Option<Drill>>) -> impl IntoView {
    let lang = use_lang();
    let id: i32 = r.knowledge_id.parse().unwrap_or_default();
    let figure = move |n: u64, figure: PointFigure, question: String| {
        view! {
            <td>
                <button
                    class="link"
                    data-testid={format!("drill-{figure}")}
                    disabled={n == 0}
                    on:click={move |_| {
                        drill
                            .set(
                                Some(Drill {
                                    id,
                                    question: question.clone(),
                                    figure,
                                }),
                            )
                    }}
                >
                    {n}
                </button>
            </td>
        }
        .into_any()
    };
    let verdict = r.verdict.clone();
    view! {
        <tr data-testid="health-row" data-id={id} data-verdict={verdict_word(&r.verdict)}>
            <td>
                <a href={format!("/knowledge/{id}")}>{r.question.clone()}</a>
                <br />
                <small class="muted">{r.category.clone()}</small>
                {r
                    .valid_until
                    .map(|until| {
                        view! {
                            <br />
                            <small class="muted" data-testid="valid-until">
                                {move || tr(lang.get(), "field.valid_until")}
                                " "
                                <Time at={until} />
                            </small>
                        }
                    })}
            </td>
            {figure(r.answered, PointFigure::Answered, r.question.clone())}
            {figure(r.chosen, PointFigure::Chosen, r.question.clone())}
            {figure(r.unhelpful, PointFigure::Unhelpful, r.question.clone())}
            <td>{pct(r.helpful_rate)}</td>
            {figure(r.handoffs, PointFigure::Handoffs, r.question.clone())}
            <td>{r.loop_yield}</td>
            <td class="small muted">
                {match r.last_asked {
                    Some(at) => view! { <Day at /> }.into_any(),
                    None => "–".into_any(),
                }}
            </td>
            <td data-testid="verdict" class={format!("verdict {}", verdict_word(&r.verdict))}>
                {move || verdict_text(&verdict, lang.get())}
            </td>
        </tr>
    }
    .into_any()
}

/// The asks behind one figure of one point.
#[component]
fn DrillDown(d: Drill, days: RwSignal<u32>, close: RwSignal<Option<Drill>>) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let (id, figure) = (d.id, d.figure);
    let asks = Resource::new(move || (id, figure, days.get()), |(id, f, d)| point_asks(id, f.to_string(), d));
    view! {
        <section class="panel" data-testid="drill-down">
            <header class="row">
                <h2>
                    {d.question.clone()} " · "
                    {move || t(
                        match figure {
                            PointFigure::Answered => "health.answered",
                            PointFigure::Chosen => "health.chosen",
                            PointFigure::Unhelpful => "health.unhelpful",
                            PointFigure::Handoffs => "health.handoffs",
                        },
                    )}
                </h2>
                <button class="ghost" on:click={move |_| close.set(None)}>
                    "×"
                </button>
            </header>
            <Transition fallback={move || {
                view! { <p class="muted">{move || t("status.loading")}</p> }
            }}>
                {move || Suspend::new(async move {
                    match asks.await {
                        Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                        Ok(rows) => {
                            view! {
                                <table class="list">
                                    <tbody>
                                        {rows
                                            .into_iter()
                                            .map(|a| {
                                                view! {
                                                    <tr data-testid="drill-ask">
                                                        <td>{a.question}</td>
                                                        <td>{move || a.outcome.label(lang.get())}</td>
                                                        <td class="small muted">
                                                            <Time at={a.created_at} />
                                                        </td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            }
                                .into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}
