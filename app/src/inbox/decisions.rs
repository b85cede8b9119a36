//! `/decisions`, "My decisions": every inbox decision of the signed-in trainer (a reviewer may
//! show everyone's), newest first, with what it did; each can be undone from here, in any
//! session, until its knowledge is published or edited over.

use leptos::prelude::*;
use model::views::{Action as Did, DecisionView, Role};

use super::{my_decisions, undo_decision};
use crate::auth::use_me;
use crate::i18n::{count, tr, use_lang};
use crate::labels::{reason, Label};
use crate::refusals::error_text;
use crate::time::Time;

#[component]
pub fn DecisionsPage() -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let me = use_me();
    let reviewer = move || me.get().flatten().is_some_and(|m| m.role.includes(Role::Reviewer));
    let everyone = RwSignal::new(false);
    let version = RwSignal::new(0u32);
    let list = Resource::new(move || (everyone.get(), version.get()), |(all, _)| my_decisions(all));
    let undo = Action::new(|id: &String| undo_decision(id.clone()));
    let notice = RwSignal::new(None::<(bool, String)>);
    Effect::new(move |_| match undo.value().get() {
        Some(Ok(u)) => {
            notice
                .set(Some((true, count(lang.get_untracked(), u.reopened_misses as i64, "inbox.done_undo"))));
            version.update(|v| *v += 1);
        }
        Some(Err(e)) => notice.set(Some((false, error_text(&e)))),
        None => {}
    });
    view! {
        <section class="page wide" data-testid="decisions">
            <h1>{move || t("decisions.title")}</h1>
            <p class="lead">{move || t("decisions.intro")}</p>
            // Who is signed in is known after the page's first render: read under a Transition
            // so the server and the browser render the same thing.
            <Transition fallback={|| ()}>
                <Show when={reviewer}>
                    <label class="row">
                        <input
                            type="checkbox"
                            data-testid="decisions-everyone"
                            on:change={move |ev| everyone.set(event_target_checked(&ev))}
                        />
                        {move || t("decisions.everyone")}
                    </label>
                </Show>
            </Transition>
            {move || {
                notice
                    .get()
                    .map(|(ok, m)| {
                        view! {
                            <p
                                class={if ok { "notice ok" } else { "notice error" }}
                                data-testid={if ok { "decisions-message" } else { "decisions-error" }}
                            >
                                {m}
                            </p>
                        }
                    })
            }}
            <Transition fallback={move || {
                view! { <p class="muted">{move || t("status.loading")}</p> }
            }}>
                {move || {
                    list.get()
                        .map(|r| match r {
                            Ok(rows) if rows.is_empty() => {
                                view! {
                                    <p class="muted" data-testid="decisions-empty">
                                        {move || t("decisions.empty")}
                                    </p>
                                }
                                    .into_any()
                            }
                            Ok(rows) => view! { <DecisionTable rows undo everyone /> }.into_any(),
                            Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                        })
                }}
            </Transition>
        </section>
    }
    .into_any()
}

#[component]
fn DecisionTable(
    rows: Vec<DecisionView>,
    undo: Action<String, Result<model::views::Undone, crate::errors::AppError>>,
    everyone: RwSignal<bool>,
) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    view! {
        <table class="table" data-testid="decisions-table">
            <thead>
                <tr>
                    <th>{move || t("decisions.when")}</th>
                    <th>{move || t("decisions.what")}</th>
                    <th>{move || t("decisions.group")}</th>
                    <th class="num">{move || t("decisions.questions")}</th>
                    <Show when={move || everyone.get()}>
                        <th>{move || t("decisions.by")}</th>
                    </Show>
                    <th>{move || t("decisions.state")}</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|d| {
                        let id = d.id.clone();
                        let what = d.action;
                        let target = match (&d.point_question, &d.reason) {
                            (Some(q), _) => Some((q.clone(), d.knowledge_id.clone())),
                            _ => None,
                        };
                        let why = d.reason.clone();
                        let groups = d.groups;
                        let by = d.actor.clone();
                        view! {
                            <tr data-testid="decision" data-action={what.as_str()}>
                                <td>
                                    <Time at={d.created_at} />
                                </td>
                                <td>
                                    {move || what.label(lang.get())}
                                    {target
                                        .clone()
                                        .map(|(q, kid)| {
                                            view! {
                                                " → "
                                                <a href={kid
                                                    .map(|k| format!("/knowledge/{k}"))
                                                    .unwrap_or_default()}>{q}</a>
                                            }
                                        })}
                                    {why
                                        .clone()
                                        .filter(|_| what == Did::Dismiss)
                                        .map(|r| {
                                            view! {
                                                " · "
                                                {move || reason(lang.get(), &r)}
                                            }
                                        })}
                                </td>
                                <td class="clamp" title={d.label.clone()}>
                                    {d.label.clone()}
                                    {(groups > 1)
                                        .then(|| {
                                            view! {
                                                " "
                                                <span class="badge" data-testid="decision-groups">
                                                    {move || count(lang.get(), groups as i64, "inbox.groups")}
                                                </span>
                                            }
                                        })}
                                </td>
                                <td class="num">{d.misses}</td>
                                <Show when={move || everyone.get()}>
                                    <td>{by.clone()}</td>
                                </Show>
                                <td>
                                    {if d.undone {
                                        view! {
                                            <span class="muted" data-testid="decision-undone">
                                                {move || t("decisions.undone")}
                                            </span>
                                        }
                                            .into_any()
                                    } else if d.undoable {
                                        view! {
                                            <button
                                                data-testid="decision-undo"
                                                disabled={move || undo.pending().get()}
                                                on:click={move |_| {
                                                    undo.dispatch(id.clone());
                                                }}
                                            >
                                                "↶ "
                                                {move || t("inbox.undo")}
                                            </button>
                                        }
                                            .into_any()
                                    } else {
                                        view! {
                                            <span class="muted" data-testid="decision-final">
                                                {move || t("decisions.final")}
                                            </span>
                                        }
                                            .into_any()
                                    }}
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
