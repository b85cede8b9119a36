//! What went wrong with the answers customers rejected in the selected group: the answer the
//! bot gave (point, answer, score), the customer's earlier turns and the agent's reply.

use leptos::prelude::*;
use model::views::Rejected;

use crate::i18n::{tr, use_lang};
use crate::labels::Label;
use crate::refusals::error_text;
use crate::time::Time;

/// The point most of the group's rejected answers came from: what "wrong point" takes as wrong.
pub fn wrong_point(rejected: &[Rejected]) -> Option<(String, String)> {
    let mut counts: Vec<(String, String, usize)> = Vec::new();
    for a in rejected.iter().filter_map(|r| r.answered.as_ref()) {
        match counts.iter_mut().find(|(id, ..)| *id == a.knowledge_id) {
            Some(c) => c.2 += 1,
            None => counts.push((a.knowledge_id.clone(), a.question.clone(), 1)),
        }
    }
    // Stable: among equal counts, the newest (listed first) wins.
    counts.iter().rev().max_by_key(|c| c.2).map(|(id, q, _)| (id.clone(), q.clone()))
}

/// The agent reply "new point" starts from: the one given most often, else the newest.
pub fn agent_reply(rejected: &[Rejected]) -> Option<String> {
    let replies: Vec<&str> = rejected.iter().filter_map(|r| r.agent_answer.as_deref()).collect();
    replies.iter().rev().max_by_key(|r| replies.iter().filter(|x| x == r).count()).map(|r| r.to_string())
}

#[component]
pub fn RejectedAnswers(rejected: Vec<Rejected>) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    (!rejected.is_empty()).then(|| {
        view! {
            <section class="rejected" data-testid="rejected">
                <h3>{move || t("inbox.rejected")}</h3>
                <ul class="plain">
                    {rejected
                        .into_iter()
                        .map(|r| {
                            let signal = r.signal;
                            view! {
                                <li data-testid="rejected-item">
                                    <p>
                                        <strong translate="no">{r.question.clone()}</strong>
                                        <span class="muted small">
                                            " · " {move || signal.label(lang.get()).to_string()} " · "
                                            <Time at={r.occurred_at} />
                                        </span>
                                    </p>
                                    {(!r.turns.is_empty())
                                        .then(|| {
                                            view! {
                                                <div class="small" data-testid="rejected-turns">
                                                    <span class="muted">
                                                        {move || t("inbox.rejected_turns")}
                                                    </span>
                                                    <ol>
                                                        {r
                                                            .turns
                                                            .iter()
                                                            .map(|turn| {
                                                                view! { <li translate="no">{turn.question.clone()}</li> }
                                                            })
                                                            .collect_view()}
                                                    </ol>
                                                </div>
                                            }
                                        })}
                                    <div class="small" data-testid="rejected-answer">
                                        <span class="muted">{move || t("inbox.rejected_answered")} " "</span>
                                        {match &r.answered {
                                            Some(a) => {
                                                view! {
                                                    <a
                                                        href={format!("/knowledge/{}", a.knowledge_id)}
                                                        translate="no"
                                                    >
                                                        {a.question.clone()}
                                                    </a>
                                                    <span class="muted">{format!(" {:.2}", a.score)}</span>
                                                    <blockquote translate="no">{a.answer.clone()}</blockquote>
                                                }
                                                    .into_any()
                                            }
                                            None => {
                                                view! {
                                                    <span class="muted">
                                                        {move || t("inbox.rejected_no_answer")}
                                                    </span>
                                                }
                                                    .into_any()
                                            }
                                        }}
                                    </div>
                                    {r
                                        .agent_answer
                                        .clone()
                                        .map(|reply| {
                                            view! {
                                                <div class="small" data-testid="rejected-agent">
                                                    <span class="muted">
                                                        {move || t("inbox.rejected_agent")}
                                                    </span>
                                                    <blockquote translate="no">{reply}</blockquote>
                                                </div>
                                            }
                                        })}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
        }
    })
}

/// Shown when loading the rejected answers failed.
pub fn rejected_error(e: &crate::errors::AppError) -> AnyView {
    view! { <p class="notice error">{error_text(e)}</p> }.into_any()
}
