//! `/search`: agent assist and the trainers' test window in one. Type a question and the best
//! knowledge points appear as you type — the same ask the bot makes, as a dry run, so nothing
//! is recorded — with the outcome the bot would give and each candidate's scores. Opening a
//! candidate counts a click; clicks break ties between equal scores.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use model::views::{AskResponse, Channel, Outcome};

use crate::knowledge::widgets::AnswerView;
use crate::labels::Label;

use crate::errors::AppError;
use crate::i18n::{tr, use_lang};
use crate::refusals::error_text;
#[cfg(feature = "ssr")]
use crate::server::{fail, refuse, services};

#[server(endpoint = "try_question", input = Json)]
pub async fn try_question(question: String, channel: Channel) -> Result<AskResponse, AppError> {
    let request = model::matching::AskRequest { question, channel, session_id: None, dry_run: true };
    services()?.matcher.ask(request).await.map_err(fail)
}

#[server(endpoint = "open_knowledge", input = Json)]
pub async fn open_knowledge(knowledge_id: String) -> Result<i64, AppError> {
    let id: i32 = knowledge_id.parse().map_err(|_| {
        refuse(model::views::Problem::NotAnId {
            thing: model::views::Thing::Point,
            value: knowledge_id.clone(),
        })
    })?;
    services()?.matcher.record_click(id).await.map_err(fail)
}

fn outcome_key(o: Outcome) -> &'static str {
    match o {
        Outcome::Answered => "search.answered",
        Outcome::Clarify => "search.clarify",
        Outcome::Miss => "search.miss",
    }
}

#[component]
pub fn SearchPage() -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let text = RwSignal::new(String::new());
    // Typeahead: ask once the typing pauses, and only show the answer to the latest text.
    let debounced = RwSignal::new(String::new());
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        let value = text.get();
        let mine = generation.get_value() + 1;
        generation.set_value(mine);
        set_timeout(
            move || {
                if generation.get_value() == mine {
                    debounced.set(value);
                }
            },
            std::time::Duration::from_millis(200),
        );
    });
    // Agents answer online by default; the answer shown is that channel's.
    let channel = RwSignal::new(Channel::Online);
    let result = Resource::new(
        move || (debounced.get(), channel.get()),
        |(q, channel)| async move {
            if q.trim().is_empty() {
                Ok(None)
            } else {
                try_question(q, channel).await.map(Some)
            }
        },
    );
    let open = RwSignal::new(None::<String>);
    let click = Action::new(|id: &String| open_knowledge(id.clone()));

    view! {
        <section class="page wide">
            <h1>{move || t("search.title")}</h1>
            <p class="lead">{move || t("search.intro")}</p>
            <input
                type="search"
                class="big"
                data-testid="ask-input"
                autocomplete="off"
                placeholder={move || t("search.hint")}
                bind:value={text}
            />
            <label class="channel-picker">
                {move || t("channel.answer_for")} " "
                <select
                    data-testid="search-channel"
                    on:change={move |ev| {
                        if let Ok(c) = event_target_value(&ev).parse::<Channel>() {
                            channel.set(c);
                        }
                    }}
                >
                    {Channel::ALL
                        .iter()
                        .copied()
                        .map(|c| {
                            view! {
                                <option value={c.as_str()} selected={move || channel.get() == c}>
                                    {move || c.label(lang.get())}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <Transition fallback={|| ()}>
                {move || Suspend::new(async move {
                    match result.await {
                        Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                        Ok(None) => ().into_any(),
                        Ok(Some(r)) => {
                            let outcome = r.outcome;
                            view! {
                                <p class="outcome" data-testid="ask-outcome" data-outcome={outcome.as_str()}>
                                    <span class={format!(
                                        "badge oc-{}",
                                        outcome.as_str(),
                                    )}>{move || t(outcome_key(outcome))}</span>
                                </p>
                                <ol class="candidates" data-testid="candidates">
                                    {r
                                        .candidates
                                        .into_iter()
                                        .map(|c| {
                                            let id = c.knowledge_id.clone();
                                            let shown = id.clone();
                                            let attr = id.clone();
                                            view! {
                                                <li class="candidate" data-testid="candidate" data-id={attr}>
                                                    <button
                                                        class="link"
                                                        data-testid="open-candidate"
                                                        on:click={move |_| {
                                                            open.set(Some(id.clone()));
                                                            click.dispatch(id.clone());
                                                        }}
                                                    >
                                                        {c.question.clone()}
                                                    </button>
                                                    <span class="scores small muted">
                                                        {format!("{:.3}", c.score)} " · "
                                                        {move || t("search.semantic")} " "
                                                        {format!("{:.3}", c.semantic)} " · "
                                                        {move || t("search.lexical")} " "
                                                        {format!("{:.3}", c.lexical)} " · "
                                                        {move || t("search.clicks")} " "
                                                        <span data-testid="clicks">{c.clicks}</span>
                                                    </span>
                                                    <Show when={move || {
                                                        open.get().as_deref() == Some(shown.as_str())
                                                    }}>
                                                        <div data-testid="candidate-answer">
                                                            <AnswerView text={Signal::stored(c.answer.clone())} />
                                                        </div>
                                                    </Show>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ol>
                            }
                                .into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}
