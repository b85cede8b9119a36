//! `/modules/{id}`: a module's knowledge page, generated from its published points, for agents
//! who read by topic; and its template's slots, showing which are still missing.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::api::knowledge_module;
use model::views::{Channel, Validity};

use super::widgets::{AnswerView, StatusBadge};
use crate::i18n::{tr, use_lang};
use crate::labels::{slot_title, Label};
use crate::refusals::error_text;

#[component]
pub fn ModuleView() -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|s| s.parse::<i32>().ok()).unwrap_or(0));
    let page = Resource::new(move || id.get(), knowledge_module);
    // Whose answers the page shows: the default, or a channel's (its variant where it has one).
    let channel = RwSignal::new(None::<Channel>);
    view! {
        <section class="page">
            <Suspense fallback={move || {
                view! { <p class="muted">{move || t("status.loading")}</p> }
            }}>
                {move || Suspend::new(async move {
                    let page = match page.await {
                        Ok(p) => p,
                        Err(e) => return view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                    };
                    let cid = page.category.id;
                    let missing = page.slots.iter().filter(|s| s.filled_by.is_empty()).count();
                    view! {
                        <p>
                            <a href={format!(
                                "/knowledge?category={cid}",
                            )}>"← " {move || t("knowledge.title")}</a>
                        </p>
                        <h1 data-testid="module-title">{page.category.path.clone()}</h1>
                        {(!page.slots.is_empty())
                            .then(|| {
                                view! {
                                    <section class="panel" data-testid="template-slots">
                                        <h2>
                                            {move || t("module.template")} " · "
                                            <span data-testid="missing-count">{missing}</span> " "
                                            {move || t("module.missing")}
                                        </h2>
                                        <ul class="plain slots">
                                            {page
                                                .slots
                                                .iter()
                                                .map(|s| {
                                                    let (template, slot) = (
                                                        page.category.template,
                                                        s.key.clone(),
                                                    );
                                                    let filled = !s.filled_by.is_empty();
                                                    let key = s.key.clone();
                                                    view! {
                                                        <li
                                                            data-testid="slot"
                                                            data-slot={key.clone()}
                                                            data-filled={filled.to_string()}
                                                        >
                                                            <span class={if filled {
                                                                "dot ok"
                                                            } else {
                                                                "dot down"
                                                            }}></span>
                                                            {move || {
                                                                template
                                                                    .map(|t| slot_title(lang.get(), t, &slot))
                                                                    .unwrap_or_else(|| slot.clone())
                                                            }}
                                                            {(!filled)
                                                                .then(|| {
                                                                    view! {
                                                                        " "
                                                                        <a
                                                                            class="small"
                                                                            href={format!("/knowledge/new?category={cid}&slot={key}")}
                                                                        >
                                                                            {move || t("module.write")}
                                                                        </a>
                                                                    }
                                                                })}
                                                        </li>
                                                    }
                                                })
                                                .collect_view()}
                                        </ul>
                                    </section>
                                }
                            })}
                        <ChannelPicker channel />
                        <article class="knowledge-page" data-testid="knowledge-page">
                            {page
                                .points
                                .is_empty()
                                .then(|| view! { <p class="muted">{move || t("module.empty")}</p> })}
                            {page
                                .points
                                .into_iter()
                                .map(|p| {
                                    let validity = p.validity;
                                    let (answer, answers) = (p.answer.clone(), p.answers.clone());
                                    view! {
                                        <section class="kp" data-testid="kp">
                                            <h3>
                                                <a href={format!(
                                                    "/knowledge/{}",
                                                    p.id,
                                                )}>{p.question.clone()}</a>
                                                {(validity != Validity::Live)
                                                    .then(|| {
                                                        view! {
                                                            " "
                                                            <span class={format!(
                                                                "badge va-{}",
                                                                validity.as_str(),
                                                            )}>{move || validity.label(lang.get())}</span>
                                                        }
                                                    })}
                                            </h3>
                                            {move || {
                                                let c = channel.get();
                                                let text = c
                                                    .and_then(|c| answers.get(&c).cloned())
                                                    .unwrap_or_else(|| answer.clone());
                                                let plain = c == Some(Channel::Hotline)
                                                    && answers.contains_key(&Channel::Hotline);
                                                view! { <AnswerView text={Signal::stored(text)} plain /> }
                                            }}
                                            {(!p.phrasings.is_empty())
                                                .then(|| {
                                                    view! {
                                                        <p class="muted small">
                                                            {move || t("module.also_asked")} " "
                                                            {p.phrasings.join(" · ")}
                                                        </p>
                                                    }
                                                })}
                                        </section>
                                    }
                                })
                                .collect_view()}
                        </article>
                        {(!page.unpublished.is_empty())
                            .then(|| {
                                view! {
                                    <section class="panel">
                                        <h2>{move || t("module.unpublished")}</h2>
                                        <ul class="plain">
                                            {page
                                                .unpublished
                                                .into_iter()
                                                .map(|p| {
                                                    view! {
                                                        <li>
                                                            <a href={format!(
                                                                "/knowledge/{}",
                                                                p.id,
                                                            )}>{p.question.clone()}</a>
                                                            " "
                                                            <StatusBadge status={p.status} />
                                                        </li>
                                                    }
                                                })
                                                .collect_view()}
                                        </ul>
                                    </section>
                                }
                            })}
                    }
                        .into_any()
                })}
            </Suspense>
        </section>
    }
}

/// Which channel's answers a page shows.
#[component]
pub(crate) fn ChannelPicker(channel: RwSignal<Option<Channel>>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <label class="channel-picker">
            {move || tr(lang.get(), "channel.answer_for")} " "
            <select
                data-testid="channel-picker"
                on:change={move |ev| channel.set(event_target_value(&ev).parse::<Channel>().ok())}
            >
                <option value="" selected={move || channel.get().is_none()}>
                    {move || tr(lang.get(), "editor.answer_default")}
                </option>
                {Channel::ALL
                    .iter()
                    .copied()
                    .map(|c| {
                        view! {
                            <option value={c.as_str()} selected={move || channel.get() == Some(c)}>
                                {move || c.label(lang.get())}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}
