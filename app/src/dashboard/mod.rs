//! `/dashboard` (supervisor+): whether the loop works and where it stalls — coverage and its
//! trend, the inbox's backlog, loop yield, trainer throughput, coverage by part of the business,
//! the state of the knowledge, and the voice-of-customer report. Every figure links to the list
//! behind it (`/dashboard/asks`, the inbox, the review queue, a knowledge point).

mod api;
pub(crate) mod charts;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use model::views::{Channel, MetricsSummary, VocReport};

pub use api::*;
use charts::{Meter, PairedBars, ShareLine, StackedBars};

use crate::i18n::{count, tr, use_lang, Lang};
use crate::labels::Label;
use crate::refusals::error_text;
use crate::time::Time;

fn pct(v: f64) -> String {
    format!("{:.0}%", 100.0 * v)
}

fn asks_link(days: u32, channel: &str, extra: &str) -> String {
    format!("/dashboard/asks?days={days}&channel={channel}{extra}")
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    // The period and channel live in the address, so a supervisor can share the view.
    let query = use_query_map();
    let navigate = use_navigate();
    let days = Memo::new(move |_| {
        query.with(|q| {
            q.get("days").and_then(|d| d.parse().ok()).filter(|d| [7u32, 30, 90].contains(d)).unwrap_or(7)
        })
    });
    let channel = Memo::new(move |_| query.with(|q| q.get("channel").unwrap_or_default()));
    let go = move |d: u32, c: String| {
        let c = if c.is_empty() { String::new() } else { format!("&channel={c}") };
        navigate(
            &format!("/dashboard?days={d}{c}"),
            NavigateOptions { replace: true, scroll: false, ..Default::default() },
        );
    };
    let go2 = go.clone();
    let summary = Resource::new(move || (days.get(), channel.get()), |(d, c)| dashboard_summary(d, c));
    let voc = Resource::new(move || days.get(), voc_topics);
    view! {
        <section class="page wide" data-testid="dashboard">
            <h1>{move || t("dashboard.title")}</h1>
            <div class="toolbar">
                <select
                    data-testid="dashboard-days"
                    aria-label={move || t("dashboard.period")}
                    on:change={move |ev| {
                        if let Ok(d) = event_target_value(&ev).parse() {
                            go(d, channel.get_untracked());
                        }
                    }}
                >
                    {[7u32, 30, 90]
                        .into_iter()
                        .map(|d| {
                            view! {
                                <option value={d.to_string()} selected={move || days.get() == d}>
                                    {move || format!("{d} {}", t("dashboard.days"))}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <select
                    data-testid="dashboard-channel"
                    aria-label={move || t("dashboard.channel")}
                    on:change={move |ev| go2(days.get_untracked(), event_target_value(&ev))}
                >
                    <option value="" selected={move || channel.get().is_empty()}>
                        {move || t("inbox.all_channels")}
                    </option>
                    {Channel::ALL
                        .iter()
                        .map(|c| {
                            view! {
                                <option value={c.as_str()} selected={move || channel.get() == c.as_str()}>
                                    {move || c.label(lang.get())}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <Transition fallback={move || {
                view! { <p class="muted">{move || t("status.loading")}</p> }
            }}>
                {move || Suspend::new(async move {
                    match summary.await {
                        Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                        Ok(s) => view! { <Figures s channel={channel.get_untracked()} /> }.into_any(),
                    }
                })}
            </Transition>
            <TestRuns />
            <h2>{move || t("dashboard.voc")}</h2>
            <p class="small">
                {move || t("dashboard.voc_download")} " "
                {move || {
                    let d = days.get();
                    let l = if lang.get() == Lang::Zh { "zh" } else { "en" };
                    view! {
                        <a
                            data-testid="voc-md"
                            rel="external"
                            download=""
                            href={format!("/api/v1/report?days={d}&format=md&lang={l}")}
                        >
                            "Markdown"
                        </a>
                        " · "
                        <a
                            data-testid="voc-csv"
                            rel="external"
                            download=""
                            href={format!("/api/v1/report?days={d}&format=csv&lang={l}")}
                        >
                            "CSV"
                        </a>
                    }
                }}
            </p>
            <Transition fallback={|| ()}>
                {move || Suspend::new(async move {
                    match voc.await {
                        Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                        Ok(r) => view! { <VocTable r /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The latest run of each test set: whether the bot still answers what it must.
#[component]
fn TestRuns() -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let runs = Resource::new(|| (), |_| api::test_set_runs());
    view! {
        <h2>{move || t("dashboard.test_runs")}</h2>
        <Transition fallback={|| ()}>
            {move || Suspend::new(async move {
                match runs.await {
                    Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                    Ok(sets) if sets.is_empty() => {
                        view! {
                            <p class="muted" data-testid="dashboard-test-runs-none">
                                {move || t("dashboard.test_runs_none")}
                                " "
                                <a href="/testsets">{move || t("testsets.title")}</a>
                            </p>
                        }
                            .into_any()
                    }
                    Ok(sets) => {
                        view! {
                            <table class="list" data-testid="dashboard-test-runs">
                                <tbody>
                                    {sets
                                        .into_iter()
                                        .filter_map(|s| Some((s.last_run.clone()?, s)))
                                        .map(|(r, s)| {
                                            let (name, kind, id) = (s.name.clone(), s.kind, s.id);
                                            let ok = r.passed == r.total;
                                            view! {
                                                <tr data-testid="dashboard-test-run">
                                                    <td>
                                                        <a href={format!("/testsets/{id}")} translate="no">
                                                            {move || crate::testsets::set_name(lang.get(), &name, kind)}
                                                        </a>
                                                    </td>
                                                    <td>
                                                        <Time at={r.started_at} />
                                                    </td>
                                                    <td class="num">{format!("{}/{}", r.passed, r.total)}</td>
                                                    <td>
                                                        <span class={if ok {
                                                            "badge st-published"
                                                        } else {
                                                            "badge st-rejected"
                                                        }}>
                                                            {move || t(
                                                                if ok { "testset.passed" } else { "testset.failed" },
                                                            )}
                                                        </span>
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
    }
}

/// The figures of a period: headline cards, charts, breakdowns and the days. Each part is its
/// own component (the page's whole view type is too deep for the compiler in one).
#[component]
fn Figures(s: MetricsSummary, channel: String) -> impl IntoView {
    view! {
        <Kpis s={s.clone()} channel={channel.clone()} />
        <Charts s={s.clone()} />
        <Breakdowns s={s.clone()} channel={channel.clone()} />
        <PerDay s channel />
    }
}

/// Coverage, clarifications, misses, backlog, loop yield and the knowledge base, each a link to
/// the asks or page behind it.
#[component]
fn Kpis(s: MetricsSummary, channel: String) -> AnyView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let d = s.days;
    let share = |n: i64| if s.asks > 0 { n as f64 / s.asks as f64 } else { 0.0 };
    let ch = channel;
    view! {
        <div class="cards">
            <a class="card" data-testid="kpi-coverage" href={asks_link(d, &ch, "&outcome=answered")}>
                <strong>{pct(s.coverage)}</strong>
                <span>{move || t("dashboard.coverage")}</span>
                <small>{s.answered} " / " {move || count(lang.get(), s.asks, "dashboard.asks")}</small>
            </a>
            <a class="card" href={asks_link(d, &ch, "&outcome=clarify")}>
                <strong>{pct(share(s.clarified))}</strong>
                <span>{move || t("dashboard.clarified")}</span>
                <small>{s.clarified}</small>
            </a>
            <a class="card" data-testid="kpi-missed" href={asks_link(d, &ch, "&outcome=miss")}>
                <strong>{pct(share(s.missed))}</strong>
                <span>{move || t("dashboard.missed")}</span>
                <small>{s.missed}</small>
            </a>
            <a class="card" data-testid="kpi-open" href="/inbox">
                <strong>{s.open_misses}</strong>
                <span>{move || t("dashboard.open_misses")}</span>
                <small>{move || count(lang.get(), s.open_clusters, "inbox.groups")}</small>
            </a>
            <div class="card" data-testid="kpi-yield">
                <strong>{s.loop_yield}</strong>
                <span>{move || t("dashboard.loop_yield")}</span>
                <small>
                    {s.hours_to_answer.map(|h| format!("{h:.1} h")).unwrap_or_else(|| "—".into())} " "
                    {move || t("dashboard.to_answer")}
                </small>
            </div>
            <a class="card" href="/review">
                <strong>{s.published_knowledge}</strong>
                <span>{move || t("dashboard.published")}</span>
                <small>
                    {move || {
                        [
                            count(lang.get(), s.in_review, "dashboard.in_review"),
                            count(lang.get(), s.drafts, "dashboard.drafts"),
                            count(lang.get(), s.stale, "dashboard.stale"),
                        ]
                            .join(" · ")
                    }}
                </small>
            </a>
        </div>
    }
    .into_any()
}

/// Coverage, outcomes, backlog flow and loop yield per day.
#[component]
fn Charts(s: MetricsSummary) -> AnyView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let days: Vec<String> = s.per_day.iter().map(|f| f.day.clone()).collect();
    let series = |f: fn(&model::views::DayFigures) -> i64| s.per_day.iter().map(f).collect::<Vec<i64>>();
    let coverage: Vec<f64> = s.per_day.iter().map(|f| f.coverage).collect();
    let (answered, clarified, missed) =
        (series(|f| f.answered), series(|f| f.clarified), series(|f| f.missed));
    let (inflow, resolved, loop_yield) =
        (series(|f| f.inflow), series(|f| f.resolved), series(|f| f.loop_yield));
    // Redrawn when the language changes: the names on hover are the reader's words.
    view! {
        <div class="charts">
            <figure>
                <figcaption>{move || t("dashboard.coverage_per_day")}</figcaption>
                {
                    let days = days.clone();
                    move || {
                        view! {
                            <ShareLine
                                testid="chart-coverage"
                                label={t("dashboard.coverage")}
                                days={days.clone()}
                                values={coverage.clone()}
                            />
                        }
                    }
                }
            </figure>
            <figure>
                <figcaption>
                    {move || t("dashboard.outcomes_per_day")} <span class="legend">
                        <i class="answered"></i>
                        {move || t("dashboard.answered")}
                        <i class="clarify"></i>
                        {move || t("dashboard.clarified")}
                        <i class="miss"></i>
                        {move || t("dashboard.missed")}
                    </span>
                </figcaption>
                {
                    let days = days.clone();
                    move || {
                        view! {
                            <StackedBars
                                testid="chart-outcomes"
                                label={t("dashboard.outcomes_per_day")}
                                days={days.clone()}
                                series={vec![
                                    ("answered", t("dashboard.answered").into(), answered.clone()),
                                    ("clarify", t("dashboard.clarified").into(), clarified.clone()),
                                    ("miss", t("dashboard.missed").into(), missed.clone()),
                                ]}
                            />
                        }
                    }
                }
            </figure>
            <figure>
                <figcaption>
                    {move || t("dashboard.backlog_flow")} <span class="legend">
                        <i class="inflow"></i>
                        {move || t("dashboard.inflow")}
                        <i class="resolved"></i>
                        {move || t("dashboard.resolved")}
                    </span>
                </figcaption>
                {
                    let days = days.clone();
                    move || {
                        view! {
                            <PairedBars
                                testid="chart-backlog"
                                label={t("dashboard.backlog_flow")}
                                days={days.clone()}
                                first={("inflow", t("dashboard.inflow").into(), inflow.clone())}
                                second={("resolved", t("dashboard.resolved").into(), resolved.clone())}
                            />
                        }
                    }
                }
            </figure>
            <figure>
                <figcaption>{move || t("dashboard.yield_per_day")}</figcaption>
                {move || {
                    view! {
                        <StackedBars
                            testid="chart-yield"
                            label={t("dashboard.yield_per_day")}
                            days={days.clone()}
                            series={vec![("yield", t("dashboard.loop_yield").into(), loop_yield.clone())]}
                        />
                    }
                }}
            </figure>
        </div>
    }
    .into_any()
}

/// By business category, the backlog by age, trainers, and what each point closed.
#[component]
fn Breakdowns(s: MetricsSummary, channel: String) -> AnyView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let d = s.days;
    let ch = channel;
    view! {
        <div class="columns">
            <section>
                <h2>{move || t("dashboard.by_category")}</h2>
                <table class="list" data-testid="by-category">
                    <thead>
                        <tr>
                            <th>{move || t("field.category")}</th>
                            <th>{move || t("dashboard.asks")}</th>
                            <th>{move || t("dashboard.coverage")}</th>
                            <th>{move || t("dashboard.missed")}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {s
                            .by_category
                            .iter()
                            .map(|c| {
                                let key = c
                                    .category_id
                                    .map(|i| i.to_string())
                                    .unwrap_or_else(|| "none".into());
                                let name = c.category.clone();
                                let named = format!(
                                    "&category={key}&name={}",
                                    encode(name.as_deref().unwrap_or_default()),
                                );
                                view! {
                                    <tr data-testid="category-row">
                                        <td>
                                            <a data-testid="category-link" href={asks_link(d, &ch, &named)}>
                                                {move || category_name(lang.get(), name.as_deref())}
                                            </a>
                                        </td>
                                        <td>{c.asks}</td>
                                        <td>
                                            <Meter value={c.coverage} />
                                            " "
                                            {pct(c.coverage)}
                                        </td>
                                        <td>
                                            <a href={asks_link(
                                                d,
                                                &ch,
                                                &format!("{named}&outcome=miss"),
                                            )}>{c.missed}</a>
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </section>
            <section>
                <h2>{move || t("dashboard.backlog_age")}</h2>
                <table class="list" data-testid="backlog-age">
                    <tbody>
                        <tr>
                            <td>{move || t("dashboard.age_day")}</td>
                            <td>{s.backlog_age.under_a_day}</td>
                        </tr>
                        <tr>
                            <td>{move || t("dashboard.age_week")}</td>
                            <td>{s.backlog_age.under_a_week}</td>
                        </tr>
                        <tr>
                            <td>{move || t("dashboard.age_month")}</td>
                            <td>{s.backlog_age.under_a_month}</td>
                        </tr>
                        <tr>
                            <td>{move || t("dashboard.age_older")}</td>
                            <td>{s.backlog_age.older}</td>
                        </tr>
                    </tbody>
                </table>
                <h2>{move || t("dashboard.trainers")}</h2>
                <table class="list" data-testid="trainers">
                    <thead>
                        <tr>
                            <th>{move || t("dashboard.trainer")}</th>
                            <th>{move || t("dashboard.decisions")}</th>
                            <th>{move || t("dashboard.per_day")}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {s
                            .trainers
                            .iter()
                            .map(|tr_| {
                                view! {
                                    <tr>
                                        <td>{tr_.trainer.clone()}</td>
                                        <td>{tr_.decisions}</td>
                                        <td class="small muted">
                                            {tr_
                                                .per_day
                                                .iter()
                                                .map(|n| n.to_string())
                                                .collect::<Vec<_>>()
                                                .join(" ")}
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
                <h2>{move || t("dashboard.yield_by_point")}</h2>
                <table class="list" data-testid="yield-by-point">
                    <tbody>
                        {s
                            .yield_by_point
                            .iter()
                            .map(|p| {
                                view! {
                                    <tr>
                                        <td>
                                            <a href={format!(
                                                "/knowledge/{}",
                                                p.knowledge_id,
                                            )}>{p.question.clone()}</a>
                                        </td>
                                        <td>{p.closed}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </section>
        </div>
    }
    .into_any()
}

/// Every day of the period, newest first.
#[component]
fn PerDay(s: MetricsSummary, channel: String) -> AnyView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let d = s.days;
    let ch = channel;
    view! {
        <h2>{move || t("dashboard.per_day")}</h2>
        <table class="list small" data-testid="per-day">
            <thead>
                <tr>
                    <th>{move || t("dashboard.day")}</th>
                    <th>{move || t("dashboard.asks")}</th>
                    <th>{move || t("dashboard.coverage")}</th>
                    <th>{move || t("dashboard.missed")}</th>
                    <th>{move || t("dashboard.inflow")}</th>
                    <th>{move || t("dashboard.resolved")}</th>
                    <th>{move || t("dashboard.loop_yield")}</th>
                    <th>{move || t("dashboard.decisions")}</th>
                </tr>
            </thead>
            <tbody>
                {s
                    .per_day
                    .iter()
                    .rev()
                    .map(|f| {
                        view! {
                            <tr>
                                <td>
                                    <a href={asks_link(
                                        d,
                                        &ch,
                                        &format!("&day={}", f.day),
                                    )}>{f.day.clone()}</a>
                                </td>
                                <td>{f.asks}</td>
                                <td>{pct(f.coverage)}</td>
                                <td>
                                    <a href={asks_link(
                                        d,
                                        &ch,
                                        &format!("&day={}&outcome=miss", f.day),
                                    )}>{f.missed}</a>
                                </td>
                                <td>{f.inflow}</td>
                                <td>{f.resolved}</td>
                                <td>{f.loop_yield}</td>
                                <td>{f.decisions}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn VocTable(r: VocReport) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    view! {
        <table class="list" data-testid="voc">
            <thead>
                <tr>
                    <th>{move || t("dashboard.topic")}</th>
                    <th>{move || t("dashboard.reports")}</th>
                    <th>{move || t("dashboard.before")}</th>
                    <th>{move || t("dashboard.share")}</th>
                    <th>{move || t("dashboard.examples")}</th>
                </tr>
            </thead>
            <tbody>
                {r
                    .topics
                    .into_iter()
                    .map(|topic| {
                        view! {
                            <tr>
                                <td>{topic.label}</td>
                                <td>{topic.volume}</td>
                                <td>{topic.previous}</td>
                                <td>{format!("{:.1}%", 100.0 * topic.share)}</td>
                                <td class="small" translate="no">
                                    {topic.examples.join(" · ")}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// `/dashboard/asks`: the asks behind a figure (period, channel, outcome, category, day from the
/// address).
#[component]
pub fn AsksPage() -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let query = use_query_map();
    let param = move |k: &str| query.with(|q| q.get(k).unwrap_or_default());
    let asks = Resource::new(
        move || (param("days"), param("channel"), param("outcome"), param("category"), param("day")),
        |(days, channel, outcome, category, day)| {
            dashboard_asks(days.parse().unwrap_or(7), channel, outcome, category, day)
        },
    );
    view! {
        <section class="page wide" data-testid="dashboard-asks">
            <p>
                <a href="/dashboard">"← " {move || t("dashboard.title")}</a>
            </p>
            <h1>{move || t("dashboard.asks_title")}</h1>
            <p class="muted small" data-testid="asks-filter">
                {move || filter_line(lang.get(), &param)}
            </p>
            <Transition fallback={move || {
                view! { <p class="muted">{move || t("status.loading")}</p> }
            }}>
                {move || Suspend::new(async move {
                    match asks.await {
                        Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                        Ok(rows) => {
                            view! {
                                <table class="list" data-testid="asks">
                                    <thead>
                                        <tr>
                                            <th>{move || t("review.question")}</th>
                                            <th>{move || t("dashboard.outcome")}</th>
                                            <th>{move || t("dashboard.channel")}</th>
                                            <th>{move || t("dashboard.point")}</th>
                                            <th>{move || t("dashboard.when")}</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {rows
                                            .into_iter()
                                            .map(|a| {
                                                view! {
                                                    <tr data-testid="ask-row">
                                                        <td>{a.question}</td>
                                                        <td data-outcome={a
                                                            .outcome
                                                            .as_str()}>{move || a.outcome.label(lang.get())}</td>
                                                        <td>{move || a.channel.label(lang.get())}</td>
                                                        <td>
                                                            {a
                                                                .knowledge_id
                                                                .map(|id| {
                                                                    view! {
                                                                        <a href={format!(
                                                                            "/knowledge/{id}",
                                                                        )}>{a.knowledge_question.unwrap_or_default()}</a>
                                                                    }
                                                                })}
                                                        </td>
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
}

/// The drill-down's filters in words: "Outcome: Miss · Category: Cards · Day: 2026-12-01".
fn filter_line(lang: Lang, param: &impl Fn(&str) -> String) -> String {
    let mut parts = Vec::new();
    if let Ok(o) = param("outcome").parse::<model::views::Outcome>() {
        parts.push(format!("{}: {}", tr(lang, "dashboard.outcome"), o.label(lang)));
    }
    match (param("category").as_str(), param("name")) {
        ("", _) => {}
        ("none", _) => {
            parts.push(format!("{}: {}", tr(lang, "field.category"), tr(lang, "dashboard.no_category")))
        }
        (_, name) => parts.push(format!("{}: {name}", tr(lang, "field.category"))),
    }
    if !param("day").is_empty() {
        parts.push(format!("{}: {}", tr(lang, "dashboard.day"), param("day")));
    }
    if let Ok(c) = param("channel").parse::<Channel>() {
        parts.push(format!("{}: {}", tr(lang, "dashboard.channel"), c.label(lang)));
    }
    parts.join(" · ")
}

/// Percent-encodes a query value (a category name may hold any character).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A business category's name, or what stands for asks no knowledge point came near.
fn category_name(lang: Lang, name: Option<&str>) -> String {
    name.map(str::to_string).unwrap_or_else(|| tr(lang, "dashboard.no_category").to_string())
}
