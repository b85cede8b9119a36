//! "Try it" in the editor: the bot answering with the draft as it is in the form (saved or
//! not), beside what it answers now: the draft's own question and phrasings, any questions the
//! trainer types, and every other question whose answer the draft would change — the review's
//! regression check, before review. Nothing is recorded.

use leptos::prelude::*;
use model::views::{Content, Outcome, TriedAnswer, TryReport};

use super::api::try_draft;
use crate::i18n::{count, tr, use_lang, Lang};
use crate::labels::Label;
use crate::refusals::error_text;

#[component]
pub fn TryIt(
    id: Option<i32>,
    /// The draft as the form holds it now.
    content: Callback<(), Content>,
) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let typed = RwSignal::new(String::new());
    let run = Action::new(move |questions: &Vec<String>| try_draft(id, content.run(()), questions.clone()));
    view! {
        <section class="panel form" data-testid="try-it">
            <h2>{move || t("try.title")}</h2>
            <p class="small muted">{move || t("try.intro")}</p>
            <label>
                {move || t("try.questions")}
                <textarea data-testid="try-questions" rows="3" bind:value={typed}></textarea>
            </label>
            <button
                type="button"
                data-testid="try-run"
                disabled={move || run.pending().get()}
                on:click={move |_| {
                    let questions = typed
                        .get_untracked()
                        .lines()
                        .map(str::trim)
                        .filter(|q| !q.is_empty())
                        .map(str::to_string)
                        .collect();
                    run.dispatch(questions);
                }}
            >
                {move || t("try.run")}
            </button>
            {move || {
                run.value()
                    .get()
                    .map(|r| match r {
                        Ok(report) => view! { <Tried report /> }.into_any(),
                        Err(e) => {
                            view! {
                                <p class="notice error" data-testid="try-error">
                                    {error_text(&e)}
                                </p>
                            }
                                .into_any()
                        }
                    })
            }}
        </section>
    }
}

/// A try's answers (now and with the draft) and the answers it would change.
#[component]
pub fn Tried(report: TryReport) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let regressions = report.regressions.len() as i64;
    view! {
        <table class="table" data-testid="try-results">
            <thead>
                <tr>
                    <th>{move || t("try.question")}</th>
                    <th>{move || t("try.now")}</th>
                    <th>{move || t("try.with_draft")}</th>
                </tr>
            </thead>
            <tbody>
                {report
                    .questions
                    .into_iter()
                    .map(|q| {
                        let changed = q.now.knowledge_id != q.with_draft.knowledge_id
                            || q.now.outcome != q.with_draft.outcome;
                        let draft_answers = q.with_draft.is_draft
                            && q.with_draft.outcome == Outcome::Answered;
                        view! {
                            <tr
                                data-testid="try-row"
                                class:changed={changed}
                                data-draft-answers={draft_answers.to_string()}
                            >
                                <td translate="no">{q.question}</td>
                                <td>{move || answer_text(lang.get(), &q.now)}</td>
                                <td>{move || answer_text(lang.get(), &q.with_draft)}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <h3>{move || t("try.regressions")}</h3>
        {if report.regressions.is_empty() {
            view! {
                <p class="muted" data-testid="try-no-regressions">
                    {move || t("try.no_regressions")}
                </p>
            }
                .into_any()
        } else {
            view! {
                <p class="notice warn" data-testid="try-regression-count">
                    {move || count(lang.get(), regressions, "try.regression_count")}
                </p>
                <ul class="plain">
                    {report
                        .regressions
                        .into_iter()
                        .map(|r| {
                            let none = move || tr(lang.get(), "try.no_answer").to_string();
                            let (was, now) = (r.was.clone(), r.now.clone());
                            view! {
                                <li data-testid="try-regression">
                                    <span translate="no">{r.question}</span>
                                    ": "
                                    {move || was.clone().unwrap_or_else(none)}
                                    " → "
                                    {move || now.clone().unwrap_or_else(none)}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
                .into_any()
        }}
    }
}

/// How one answer reads: the outcome, and the point (this draft named as such).
fn answer_text(lang: Lang, a: &TriedAnswer) -> String {
    let point = if a.is_draft {
        tr(lang, "try.this_draft").to_string()
    } else {
        a.question.clone().unwrap_or_default()
    };
    match a.outcome {
        Outcome::Miss => a.outcome.label(lang).to_string(),
        _ => format!("{} · {point} ({:.2})", a.outcome.label(lang), a.score),
    }
}
