//! `/dashboard/model` (supervisor+; training and rollback admin): the model in service, how it
//! scored on held-out phrasings against the version before, every version, and a training run
//! with its progress.

mod api;

use leptos::prelude::*;
use model::views::{
    HeldOutScores, ModelOverview, ModelVersion, Role, TrainingPhase, TrainingRun, VersionState,
};

pub use api::*;

use crate::auth::use_me;
use crate::errors::AppError;
use crate::i18n::{count, tr, use_lang};
use crate::labels::{model_name, Label};
use crate::refusals::error_text;
use crate::time::Time;

fn pct(v: f64) -> String {
    format!("{:.1}%", 100.0 * v)
}

fn running(run: &Option<TrainingRun>) -> bool {
    run.as_ref().is_some_and(|r| !matches!(r.phase, TrainingPhase::Finished | TrainingPhase::Failed))
}

#[component]
pub fn ModelPage() -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let tick = RwSignal::new(0u32);
    let active = RwSignal::new(false);
    let overview = Resource::new(move || tick.get(), |_| load_model_overview());
    // While a run is under way, its progress is fetched every second.
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(
            move || {
                if active.get_untracked() {
                    tick.update(|n| *n += 1)
                }
            },
            std::time::Duration::from_secs(1),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    let train = Action::new(|epochs: &usize| train_model(*epochs));
    // Here, not in the trainer: the overview is drawn again every second while a run goes on.
    let epochs = RwSignal::new(8usize);
    let choose = Action::new(|version: &i32| use_model_version(*version));
    Effect::new(move |_| {
        if train.value().get().is_some_and(|r| r.is_ok()) || choose.value().get().is_some_and(|r| r.is_ok()) {
            active.set(true);
            tick.update(|n| *n += 1);
        }
    });
    let failure = move || {
        let e = |r: Option<Result<(), AppError>>| r.and_then(Result::err);
        e(train.value().get()).or_else(|| e(choose.value().get())).map(|e| {
            view! {
                <p class="error" data-testid="model-error">
                    {error_text(&e)}
                </p>
            }
        })
    };
    view! {
        <section class="page wide" data-testid="model-page">
            <h1>{move || t("model.title")}</h1>
            {failure}
            <Transition fallback={move || {
                view! { <p class="muted">{move || t("status.loading")}</p> }
            }}>
                {move || Suspend::new(async move {
                    match overview.await {
                        Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                        Ok(o) => {
                            active.set(running(&o.training));
                            view! { <Overview o train choose epochs /> }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

#[component]
fn Overview(
    o: ModelOverview,
    train: Action<usize, Result<(), AppError>>,
    choose: Action<i32, Result<(), AppError>>,
    epochs: RwSignal<usize>,
) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let serving = o.versions.iter().find(|v| v.state == VersionState::Serving).cloned();
    let busy = running(&o.training);
    view! {
        <div class="cards">
            <div class="card" data-testid="model-serving">
                <div class="muted small">{move || t("model.serving")}</div>
                <div class="big">
                    {
                        let n = o.serving_name.clone();
                        move || model_name(lang.get(), &n)
                    }
                </div>
                <div class="small">{move || format!("{} {}", t("model.version"), o.serving_version)}</div>
            </div>
            {serving.map(|v| view! { <ServingCard v /> }.into_any())}
        </div>
        <Trainer busy train epochs />
        {o.training.map(|run| view! { <RunProgress run /> }.into_any())}
        <h2>{move || t("model.versions")}</h2>
        <Versions versions={o.versions} serving={o.serving_version} choose />
    }
    .into_any()
}

#[component]
fn ServingCard(v: ModelVersion) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    view! {
        <div class="card" data-testid="model-scores">
            <div class="muted small">
                {move || t("model.trained")} " " <Time at={v.created_at} />
                {move || format!(" · {}", count(lang.get(), v.trained_on as i64, "model.texts"))}
            </div>
            <Scores now={v.scores} before={v.previous} previous={v.previous_version} />
        </div>
    }
    .into_any()
}

/// A version's held-out scores beside those of the version serving when it was trained.
#[component]
fn Scores(now: HeldOutScores, before: HeldOutScores, previous: i32) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let line = move |key: &'static str, a: f64, b: f64| {
        view! {
            <div class="small">
                {move || t(key)} ": " <b>{pct(a)}</b>
                {move || format!(" ({} {previous}: {})", t("model.was"), pct(b))}
            </div>
        }
    };
    view! {
        {line("model.top1", now.top1, before.top1)}
        {line("model.share", now.share, before.share)}
        {line("model.precision", now.precision, before.precision)}
        <div class="muted small">{move || count(lang.get(), now.questions as i64, "model.held_out")}</div>
    }
    .into_any()
}

/// "Train now" for admins.
#[component]
fn Trainer(busy: bool, train: Action<usize, Result<(), AppError>>, epochs: RwSignal<usize>) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let me = use_me();
    let is_admin = move || me.get().flatten().is_some_and(|m| m.role.includes(Role::Admin));
    view! {
        <Show when={is_admin}>
            <div class="row actions">
                <label>
                    {move || t("model.epochs")} " "
                    <input
                        type="number"
                        min="1"
                        max="100"
                        data-testid="model-epochs"
                        prop:value={move || epochs.get().to_string()}
                        on:input={move |ev| {
                            if let Ok(n) = event_target_value(&ev).parse() {
                                epochs.set(n)
                            }
                        }}
                    />
                </label>
                <button
                    type="button"
                    class="primary"
                    data-testid="train-now"
                    disabled={move || busy || train.pending().get()}
                    on:click={move |_| {
                        train.dispatch(epochs.get_untracked());
                    }}
                >
                    {move || t("model.train")}
                </button>
            </div>
        </Show>
    }
    .into_any()
}

#[component]
fn RunProgress(run: TrainingRun) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let share =
        if run.phase == TrainingPhase::Finished { 1.0 } else { run.step as f64 / run.steps.max(1) as f64 };
    let phase = run.phase;
    let (epoch, epochs, step, steps, loss, left) =
        (run.epoch, run.epochs, run.step, run.steps, run.loss, run.seconds_left);
    let detail = move || {
        let lang = lang.get();
        format!(
            "{} {epoch}/{epochs} · {} {step}/{steps}{}{}",
            tr(lang, "model.epoch"),
            tr(lang, "model.step"),
            loss.map(|l| format!(" · {} {l:.3}", tr(lang, "model.loss"))).unwrap_or_default(),
            left.filter(|_| phase != TrainingPhase::Finished)
                .map(|s| format!(" · {s:.0} s"))
                .unwrap_or_default(),
        )
    };
    let outcome = run.result.map(|v| match v.refusal {
        None => view! { <p data-testid="run-promoted">{move || format!("{} {}", t("model.promoted"), v.version)}</p> }.into_any(),
        Some(why) => view! {
            <p data-testid="run-refused">
                {move || format!("{} {}: {}", t("model.refused"), v.version, why.label(lang.get()))}
            </p>
        }.into_any(),
    });
    view! {
        <div class="panel" data-testid="training-run">
            <div class="small">
                <b data-testid="run-phase">{move || phase.label(lang.get())}</b>
                " · "
                {detail}
            </div>
            <progress max="1" value={share.to_string()}></progress>
            {outcome}
            {run.error.map(|e| view! { <p class="error">{e}</p> })}
        </div>
    }
    .into_any()
}

#[component]
fn Versions(
    versions: Vec<ModelVersion>,
    serving: i32,
    choose: Action<i32, Result<(), AppError>>,
) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let me = use_me();
    let is_admin = move || me.get().flatten().is_some_and(|m| m.role.includes(Role::Admin));
    let base_row = (serving != 0).then(|| {
        view! {
            <tr>
                <td>"0"</td>
                <td>{move || t("model.base")}</td>
                <td></td>
                <td></td>
                <td></td>
                <td></td>
                <td>
                    <Show when={is_admin}>
                        <button
                            type="button"
                            class="ghost"
                            data-testid="use-version-0"
                            on:click={move |_| {
                                choose.dispatch(0);
                            }}
                        >
                            {move || t("model.use")}
                        </button>
                    </Show>
                </td>
            </tr>
        }
    });
    view! {
        <table class="list" data-testid="model-versions">
            <thead>
                <tr>
                    <th>{move || t("model.version")}</th>
                    <th>{move || t("model.state")}</th>
                    <th>{move || t("model.trained")}</th>
                    <th class="num">{move || t("model.texts_trained")}</th>
                    <th>{move || t("model.top1")}</th>
                    <th>{move || t("model.share")}</th>
                    <th>{move || t("model.action")}</th>
                </tr>
            </thead>
            <tbody>
                {versions
                    .into_iter()
                    .map(|v| {
                        let n = v.version;
                        let usable = v.state == VersionState::Kept;
                        let state = v.state;
                        let why = v.refusal;
                        view! {
                            <tr data-testid={format!("version-{n}")}>
                                <td>{n}</td>
                                <td>
                                    {move || state.label(lang.get())}
                                    {move || why.map(|w| format!(" ({})", w.label(lang.get())))}
                                </td>
                                <td>
                                    <Time at={v.created_at} />
                                </td>
                                <td class="num">{v.trained_on}</td>
                                <td>{format!("{} → {}", pct(v.previous.top1), pct(v.scores.top1))}</td>
                                <td>{format!("{} → {}", pct(v.previous.share), pct(v.scores.share))}</td>
                                <td>
                                    <Show when={move || usable && is_admin()}>
                                        <button
                                            type="button"
                                            class="ghost"
                                            data-testid={format!("use-version-{n}")}
                                            on:click={move |_| {
                                                choose.dispatch(n);
                                            }}
                                        >
                                            {move || t("model.use")}
                                        </button>
                                    </Show>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()} {base_row}
            </tbody>
        </table>
    }
    .into_any()
}
