//! "Right point, poor answer": the bot answered with the right point and the customer still
//! rejected it. The point's answer opens here beside the group's questions (and the agent's
//! reply, when there is one); the revised answer goes to review, and the questions close once it
//! is published. The full editor is a link away for anything beyond the answer.

use leptos::prelude::*;
use model::views::Decision;

use crate::i18n::{tr, use_lang};
use crate::knowledge::api::knowledge_detail;
use crate::refusals::error_text;

#[component]
pub fn PoorAnswerPanel(
    /// The point the bot answered with: (id, question).
    point: (String, String),
    decide: impl Fn(Decision) + Clone + Send + Sync + 'static,
    /// The human agent's reply to these questions, if the bot reported one.
    agent_reply: Signal<Option<String>>,
    chosen: impl Fn() -> Option<Vec<String>> + Send + Sync + 'static,
) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let (id, question) = point;
    let answer = RwSignal::new(String::new());
    let detail = Resource::new(
        {
            let id = id.clone();
            move || id.clone()
        },
        |id| async move { knowledge_detail(id.parse().unwrap_or_default()).await },
    );
    // The answer as it stands (the draft's, if one is waiting) is where the revision starts.
    Effect::new(move |_| {
        if let Some(Ok(d)) = detail.get() {
            if answer.get_untracked().is_empty() {
                answer.set(d.head.content.answer);
            }
        }
    });
    let submit = {
        let id = id.clone();
        move |_| {
            decide(Decision::PoorAnswer {
                knowledge_id: id.clone(),
                answer: answer.get_untracked(),
                miss_ids: chosen(),
            })
        }
    };
    view! {
        <div class="panel inset" data-testid="poor-answer-panel">
            <p>
                <span class="muted">{move || t("inbox.wrong_point_of")} " "</span>
                <strong translate="no">{question}</strong>
            </p>
            <p class="small muted">{move || t("inbox.poor_answer_hint")}</p>
            <Transition fallback={|| ()}>
                {move || Suspend::new(async move {
                    detail.await.err().map(|e| view! { <p class="notice error">{error_text(&e)}</p> })
                })}
            </Transition>
            <label>
                {move || t("inbox.answer")}
                <textarea
                    data-testid="poor-answer-text"
                    rows="5"
                    prop:value={move || answer.get()}
                    on:input={move |ev| answer.set(event_target_value(&ev))}
                ></textarea>
            </label>
            <div class="row">
                <button class="primary" data-testid="poor-answer-submit" on:click={submit}>
                    {move || t("inbox.poor_answer_submit")}
                </button>
                {move || {
                    agent_reply
                        .get()
                        .map(|reply| {
                            view! {
                                <button
                                    class="ghost"
                                    data-testid="poor-answer-agent"
                                    on:click={move |_| answer.set(reply.clone())}
                                >
                                    {move || t("inbox.poor_answer_use_agent")}
                                </button>
                            }
                        })
                }}
                <a href={format!("/knowledge/{id}")} data-testid="poor-answer-editor">
                    {move || t("inbox.poor_answer_editor")}
                </a>
            </div>
        </div>
    }
}
