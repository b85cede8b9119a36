//! The test set pages: every set with its latest run and an import (`/testsets`), and one set
//! (`/testsets/:id`) — run it with a progress bar, its latest run (figures, per category, per
//! case with failures first, what changed since the run before), the run history, its cases.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use model::views::{
    CaseChange, CaseFlag, CaseResult, Expect, RunReport, RunState, RunSummary, SetKind, TestCase,
    TestSetImported, TestSetSummary,
};

#[cfg(feature = "hydrate")]
use super::api::import_test_set;
use super::api::{remove_test_case, run_test_set, test_run, test_set, test_sets};
use crate::dashboard::charts::ShareLine;
use crate::errors::AppError;
use crate::i18n::{tr, use_lang, Lang};
use crate::labels::Label;
use crate::refusals::error_text;
use crate::time::Time;

fn pct(x: f64) -> String {
    format!("{:.0}%", 100.0 * x)
}

/// A set's name as people read it: a trainer's name, or what a set that fills itself holds.
pub fn set_name(lang: Lang, name: &str, kind: SetKind) -> String {
    match kind {
        SetKind::Manual => name.to_string(),
        SetKind::Confirmed => tr(lang, "testsets.kind.confirmed").to_string(),
        SetKind::Chosen => tr(lang, "testsets.kind.chosen").to_string(),
        SetKind::OutOfScope => tr(lang, "testsets.kind.out_of_scope").to_string(),
    }
}

fn flag_key(f: CaseFlag) -> &'static str {
    match f {
        CaseFlag::PointArchived => "testset.flag.point_archived",
        CaseFlag::PointMissing => "testset.flag.point_missing",
    }
}

fn change_key(c: CaseChange) -> &'static str {
    match c {
        CaseChange::NewlyFailing => "testset.change.newly_failing",
        CaseChange::NewlyPassing => "testset.change.newly_passing",
        CaseChange::New => "testset.change.new",
    }
}

/// What a case expects, in words: the point's question, or "not answered".
fn expected(lang: Lang, expect: Expect, question: &Option<String>) -> String {
    match (expect, question) {
        (Expect::Unanswered, _) => tr(lang, "testset.expect_unanswered").to_string(),
        (Expect::Point(_), Some(q)) => q.clone(),
        (Expect::Point(_), None) => tr(lang, "testset.flag.point_missing").to_string(),
    }
}

/// A run's figures in a line: passed of total, answered share, precision.
fn figures(lang: Lang, r: &RunSummary) -> String {
    tr(lang, "testset.figures")
        .replace("{passed}", &r.passed.to_string())
        .replace("{total}", &r.total.to_string())
        .replace("{accuracy}", &pct(r.accuracy()))
        .replace("{answered}", &pct(r.answered_share()))
        .replace("{precision}", &pct(r.precision()))
}

#[component]
pub fn TestSetsPage() -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let list = Resource::new(|| (), |_| test_sets());
    let imported: RwSignal<Option<Result<TestSetImported, AppError>>> = RwSignal::new(None);
    Effect::new(move |_| {
        if matches!(imported.get(), Some(Ok(_))) {
            list.refetch();
        }
    });
    view! {
        <section class="page wide" data-testid="testsets">
            <p>
                <a href="/knowledge">"← " {move || t("knowledge.title")}</a>
            </p>
            <h1>{move || t("testsets.title")}</h1>
            <p class="muted small">{move || t("testsets.intro")}</p>
            <Transition fallback={move || {
                view! { <p class="muted">{move || t("status.loading")}</p> }
            }}>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                        Ok(sets) => view! { <SetTable sets /> }.into_any(),
                    }
                })}
            </Transition>
            <ImportPanel imported />
        </section>
    }
}

#[component]
fn SetTable(sets: Vec<TestSetSummary>) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    view! {
        <table class="list" data-testid="testset-list">
            <thead>
                <tr>
                    <th>{move || t("testsets.col.name")}</th>
                    <th class="num">{move || t("testsets.col.cases")}</th>
                    <th>{move || t("testsets.col.last_run")}</th>
                    <th>{move || t("testsets.col.result")}</th>
                </tr>
            </thead>
            <tbody>
                {sets
                    .into_iter()
                    .map(|s| {
                        let (name, kind, id) = (s.name.clone(), s.kind, s.id);
                        let flagged = s.flagged;
                        let last = s.last_run.clone();
                        let last_for_result = s.last_run.clone();
                        view! {
                            <tr data-testid="testset-row" data-kind={kind.as_str()}>
                                <td>
                                    // A trainer's name is people's words; the others are ours.
                                    <a
                                        href={format!("/testsets/{id}")}
                                        translate={(kind == SetKind::Manual).then_some("no")}
                                    >
                                        {move || set_name(lang.get(), &name, kind)}
                                    </a>
                                    {(flagged > 0)
                                        .then(|| {
                                            view! {
                                                <span class="badge st-rejected" data-testid="testset-flagged">
                                                    {move || {
                                                        t("testsets.flagged").replace("{n}", &flagged.to_string())
                                                    }}
                                                </span>
                                            }
                                        })}
                                </td>
                                <td class="num">{s.cases}</td>
                                <td>
                                    {match last {
                                        Some(r) => view! { <Time at={r.started_at} /> }.into_any(),
                                        None => {
                                            view! { <span class="muted">{move || t("testsets.never")}</span> }
                                                .into_any()
                                        }
                                    }}
                                </td>
                                <td data-testid="testset-result">
                                    {last_for_result.map(|r| move || figures(lang.get(), &r))}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// The bytes of the file chosen in `input`, with its name.
#[cfg(feature = "hydrate")]
async fn chosen_file(input: web_sys::HtmlInputElement) -> Option<(String, Vec<u8>)> {
    let file = input.files()?.get(0)?;
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await.ok()?;
    Some((file.name(), js_sys::Uint8Array::new(&buffer).to_vec()))
}

#[component]
fn ImportPanel(imported: RwSignal<Option<Result<TestSetImported, AppError>>>) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let name = RwSignal::new(String::new());
    let file_input = NodeRef::<leptos::html::Input>::new();
    let busy = RwSignal::new(false);
    let import = move || {
        #[cfg(feature = "hydrate")]
        {
            let Some(input) = file_input.get_untracked() else { return };
            busy.set(true);
            leptos::task::spawn_local(async move {
                let result = match chosen_file(input).await {
                    Some((file_name, bytes)) => import_test_set(name.get_untracked(), file_name, bytes).await,
                    None => import_test_set(name.get_untracked(), String::new(), Vec::new()).await,
                };
                busy.set(false);
                imported.set(Some(result));
            });
        }
    };
    view! {
        <form
            class="panel import"
            data-testid="testset-import"
            on:submit={move |ev| {
                ev.prevent_default();
                import();
            }}
        >
            <h2>{move || t("testsets.import.title")}</h2>
            <p class="muted small">
                {move || t("testsets.import.hint")} " " <code>"question,channel,expect"</code> " / "
                <code>"问题,渠道,预期"</code>
            </p>
            <label>
                {move || t("testsets.import.name")}
                <input
                    type="text"
                    required
                    maxlength="80"
                    data-testid="testset-import-name"
                    translate="no"
                    bind:value={name}
                />
            </label>
            <label>
                {move || t("testsets.import.file")}
                <input
                    type="file"
                    accept=".csv,.json,.xlsx"
                    data-testid="testset-import-file"
                    node_ref={file_input}
                />
            </label>
            <button
                class="primary"
                type="submit"
                data-testid="testset-import-run"
                disabled={move || busy.get()}
            >
                {move || t("testsets.import.run")}
            </button>
            {move || match imported.get() {
                Some(Ok(done)) => {
                    view! {
                        <p class="notice ok" data-testid="testset-import-done">
                            {t("testsets.import.done").replace("{n}", &done.cases.to_string())}
                            " "
                            <a href={format!("/testsets/{}", done.id)}>{t("testsets.open")}</a>
                        </p>
                    }
                        .into_any()
                }
                Some(Err(e)) => {
                    view! {
                        <p class="notice error" data-testid="testset-import-error">
                            {error_text(&e)}
                        </p>
                    }
                        .into_any()
                }
                None => ().into_any(),
            }}
        </form>
    }
}

#[component]
pub fn TestSetPage() -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|s| s.parse::<i32>().ok()).unwrap_or(0));
    let tick = RwSignal::new(0u32);
    let detail = Resource::new(move || (id.get(), tick.get()), |(id, _)| test_set(id));
    // The run shown: the latest one, or the one started here (followed every second while it runs).
    let shown = RwSignal::new(None::<i32>);
    let report = Resource::new(
        move || (shown.get(), tick.get()),
        |(run, _)| async move {
            match run {
                Some(run) => test_run(run).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let running = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(d)) = detail.get() {
            if shown.get_untracked().is_none() {
                shown.set(d.runs.first().map(|r| r.run_id));
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(Some(r))) = report.get() {
            let still = r.run.state == RunState::Running;
            if running.get_untracked() && !still {
                // Finished: the set's history and the list of cases follow.
                tick.update(|n| *n += 1);
            }
            running.set(still);
        }
    });
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(
            move || {
                if running.get_untracked() {
                    tick.update(|n| *n += 1)
                }
            },
            std::time::Duration::from_secs(1),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    let run: Action<i32, Result<i32, AppError>> = Action::new(|id: &i32| run_test_set(*id));
    Effect::new(move |_| {
        if let Some(Ok(run_id)) = run.value().get() {
            shown.set(Some(run_id));
            running.set(true);
        }
    });
    view! {
        <section class="page wide" data-testid="testset">
            <p>
                <a href="/testsets">"← " {move || t("testsets.title")}</a>
            </p>
            <Transition fallback={move || {
                view! { <p class="muted">{move || t("status.loading")}</p> }
            }}>
                {move || Suspend::new(async move {
                    match detail.await {
                        Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                        Ok(d) => {
                            let (name, kind, set_id) = (d.set.name.clone(), d.set.kind, d.set.id);
                            let runs = d.runs.clone();
                            let cases = d.cases.clone();
                            view! {
                                <header class="page-head">
                                    <h1 translate={(kind == SetKind::Manual)
                                        .then_some("no")}>{move || set_name(lang.get(), &name, kind)}</h1>
                                    <button
                                        class="primary"
                                        data-testid="testset-run"
                                        disabled={move || running.get() || run.pending().get()}
                                        on:click={move |_| {
                                            run.dispatch(set_id);
                                        }}
                                    >
                                        {move || t(
                                            if running.get() { "testsets.running" } else { "testsets.run" },
                                        )}
                                    </button>
                                    <a
                                        class="button"
                                        rel="external"
                                        download=""
                                        data-testid="testset-export-csv"
                                        href={format!("/api/v1/testsets/{set_id}/export?format=csv")}
                                    >
                                        "CSV"
                                    </a>
                                    <a
                                        class="button"
                                        rel="external"
                                        download=""
                                        data-testid="testset-export-xlsx"
                                        href={format!("/api/v1/testsets/{set_id}/export?format=xlsx")}
                                    >
                                        "Excel"
                                    </a>
                                </header>
                                {move || {
                                    run.value()
                                        .get()
                                        .and_then(Result::err)
                                        .map(|e| {
                                            view! {
                                                <p class="notice error" data-testid="testset-run-error">
                                                    {error_text(&e)}
                                                </p>
                                            }
                                        })
                                }}
                                <History runs />
                                <CaseList set_id cases on_removed={move || tick.update(|n| *n += 1)} />
                            }
                                .into_any()
                        }
                    }
                })}
            </Transition>
            <Transition fallback={|| ()}>
                {move || Suspend::new(async move {
                    match report.await {
                        Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                        Ok(None) => {
                            view! {
                                <p class="muted" data-testid="testset-no-run">
                                    {move || t("testset.no_runs")}
                                </p>
                            }
                                .into_any()
                        }
                        Ok(Some(r)) => view! { <Report report={r} /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Pass rate per run, oldest first, with the runs' times on hover.
#[component]
fn History(runs: Vec<RunSummary>) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let done: Vec<RunSummary> = runs.into_iter().rev().filter(|r| r.state == RunState::Done).collect();
    (done.len() > 1).then(|| {
        let labels: Vec<String> = (1..=done.len()).map(|i| i.to_string()).collect();
        let values: Vec<f64> = done.iter().map(RunSummary::accuracy).collect();
        view! {
            <figure class="panel">
                <figcaption>{move || t("testset.history")}</figcaption>
                {move || {
                    view! {
                        <ShareLine
                            testid="testset-history"
                            label={t("testset.accuracy")}
                            days={labels.clone()}
                            values={values.clone()}
                        />
                    }
                }}
            </figure>
        }
    })
}

#[component]
fn Report(report: RunReport) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let summary = report.run.clone();
    if summary.state == RunState::Running {
        let share = summary.done as f64 / summary.total.max(1) as f64;
        let (done, total) = (summary.done, summary.total);
        return view! {
            <div class="panel" data-testid="testset-progress">
                <p>
                    {move || {
                        t("testset.progress")
                            .replace("{done}", &done.to_string())
                            .replace("{total}", &total.to_string())
                    }}
                </p>
                <progress max="1" value={share}></progress>
            </div>
        }
        .into_any();
    }
    if summary.state == RunState::Failed {
        return view! {
            <p class="notice error" data-testid="testset-run-failed">
                {move || t("testset.failed_run")}
            </p>
        }
        .into_any();
    }
    let (newly_failing, newly_passing) = (report.newly_failing, report.newly_passing);
    let compared = report.previous_run_id.is_some();
    let figures_summary = summary.clone();
    view! {
        <section data-testid="testset-report">
            <h2>{move || t("testset.latest")} " " <Time at={summary.started_at} /></h2>
            <div class="cards">
                <div class="card" data-testid="testset-accuracy">
                    <span class="muted small">{move || t("testset.accuracy")}</span>
                    <strong>{pct(summary.accuracy())}</strong>
                    <span class="muted small">{format!("{}/{}", summary.passed, summary.total)}</span>
                </div>
                <div class="card">
                    <span class="muted small">{move || t("testset.answered")}</span>
                    <strong>{pct(figures_summary.answered_share())}</strong>
                </div>
                <div class="card">
                    <span class="muted small">{move || t("testset.precision")}</span>
                    <strong>{pct(figures_summary.precision())}</strong>
                </div>
                {compared
                    .then(|| {
                        view! {
                            <div class="card" data-testid="testset-changes">
                                <span class="muted small">{move || t("testset.since_previous")}</span>
                                <strong>{format!("-{newly_failing} / +{newly_passing}")}</strong>
                                <span class="muted small">{move || t("testset.failing_passing")}</span>
                            </div>
                        }
                    })}
            </div>
            <h3>{move || t("testset.categories")}</h3>
            <table class="list" data-testid="testset-categories">
                <tbody>
                    {report
                        .categories
                        .iter()
                        .map(|c| {
                            let category = c.category.clone();
                            let share = c.passed as f64 / c.total.max(1) as f64;
                            view! {
                                <tr>
                                    <td translate="no">
                                        {move || {
                                            category
                                                .clone()
                                                .unwrap_or_else(|| t("testset.expect_unanswered").to_string())
                                        }}
                                    </td>
                                    <td class="num">{format!("{}/{}", c.passed, c.total)}</td>
                                    <td>{pct(share)}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <h3>{move || t("testset.results")}</h3>
            <table class="list" data-testid="testset-results">
                <thead>
                    <tr>
                        <th>{move || t("testset.col.question")}</th>
                        <th>{move || t("testset.col.expected")}</th>
                        <th>{move || t("testset.col.got")}</th>
                        <th class="num">{move || t("testset.col.score")}</th>
                        <th>{move || t("testset.col.result")}</th>
                    </tr>
                </thead>
                <tbody>{report.cases.into_iter().map(|c| view! { <ResultRow c /> }).collect_view()}</tbody>
            </table>
        </section>
    }
    .into_any()
}

#[component]
fn ResultRow(c: CaseResult) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let (expect, expect_question) = (c.expect, c.expect_question.clone());
    let got = match (&c.got_question, c.outcome) {
        (Some(q), _) => q.clone(),
        (None, _) => String::new(),
    };
    let outcome = c.outcome;
    let (passed, change, flag) = (c.passed, c.change, c.flag);
    view! {
        <tr data-testid="testset-result-row" data-passed={passed.to_string()} class:failed={!passed}>
            <td class="clamp" translate="no">
                {c.question.clone()}
            </td>
            <td translate="no">{move || expected(lang.get(), expect, &expect_question)}</td>
            <td>
                {if got.is_empty() {
                    view! { <span class="muted">{move || outcome.label(lang.get())}</span> }.into_any()
                } else {
                    view! { <span translate="no">{got.clone()}</span> }.into_any()
                }}
            </td>
            <td class="num">{format!("{:.2}", c.score)}</td>
            <td>
                <span class={if passed {
                    "badge st-published"
                } else {
                    "badge st-rejected"
                }}>{move || t(if passed { "testset.passed" } else { "testset.failed" })}</span>
                {change
                    .map(|ch| {
                        view! {
                            <span class="badge" data-testid="testset-change">
                                {move || t(change_key(ch))}
                            </span>
                        }
                    })}
                {flag.map(|f| view! { <span class="badge st-rejected">{move || t(flag_key(f))}</span> })}
            </td>
        </tr>
    }
}

#[component]
fn CaseList(
    set_id: i32,
    cases: Vec<TestCase>,
    on_removed: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let remove: Action<(i32, i32), Result<(), AppError>> =
        Action::new(|(set, case): &(i32, i32)| remove_test_case(*set, *case));
    Effect::new(move |_| {
        if matches!(remove.value().get(), Some(Ok(_))) {
            on_removed();
        }
    });
    let n = cases.len();
    view! {
        <details class="panel" data-testid="testset-cases">
            <summary>{move || t("testset.cases").replace("{n}", &n.to_string())}</summary>
            {(n == 0).then(|| view! { <p class="muted">{move || t("testset.empty")}</p> })}
            <table class="list">
                <tbody>
                    {cases
                        .into_iter()
                        .map(|c| {
                            let (expect, expect_question, flag, case_id) = (
                                c.expect,
                                c.expect_question.clone(),
                                c.flag,
                                c.id,
                            );
                            view! {
                                <tr data-testid="testset-case">
                                    <td class="clamp" translate="no">
                                        {c.question.clone()}
                                    </td>
                                    <td translate="no">
                                        {move || expected(lang.get(), expect, &expect_question)}
                                    </td>
                                    <td>{move || c.channel.label(lang.get())}</td>
                                    <td>
                                        {c.origin_at.map(|at| view! { <Time at /> })}
                                        {flag
                                            .map(|f| {
                                                view! {
                                                    <span
                                                        class="badge st-rejected"
                                                        data-testid="testset-case-flag"
                                                    >
                                                        {move || t(flag_key(f))}
                                                    </span>
                                                }
                                            })}
                                    </td>
                                    <td>
                                        <button
                                            class="link"
                                            data-testid="testset-case-remove"
                                            on:click={move |_| {
                                                remove.dispatch((set_id, case_id));
                                            }}
                                        >
                                            {move || t("testset.remove")}
                                        </button>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            {move || {
                remove
                    .value()
                    .get()
                    .and_then(Result::err)
                    .map(|e| view! { <p class="notice error">{error_text(&e)}</p> })
            }}
        </details>
    }
}
