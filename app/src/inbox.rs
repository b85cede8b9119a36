//! `/inbox`: the groups of questions the bot failed on, highest impact first, and one decision
//! per group — link to a suggested knowledge point, create a new one, or dismiss. The same
//! inbox service as `GET /api/v1/clusters` and `POST /api/v1/clusters/{id}/resolve`.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use model::views::{ClusterPage, ClusterView, Decision, Resolution};

use crate::auth::error_text;
use crate::i18n::{tr, use_lang};

/// Groups per page.
const PAGE: u64 = 25;

#[server(endpoint = "inbox_groups", input = Json)]
pub async fn inbox_groups(
    text: String,
    channel: String,
    signal: String,
    offset: u64,
) -> Result<ClusterPage, ServerFnError> {
    use crate::auth::ssr::{fail, services};
    let some = |s: String| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let filter = model::inbox::ListFilter {
        limit: Some(PAGE),
        offset,
        members: None,
        text: some(text),
        channel: some(channel),
        signal: some(signal),
        ..Default::default()
    };
    services()?.inbox.list(&filter).await.map_err(fail)
}

#[server(endpoint = "decide_group", input = Json)]
pub async fn decide_group(cluster_id: String, decision: Decision) -> Result<Resolution, ServerFnError> {
    use crate::auth::ssr::{actor, fail, services};
    services()?.inbox.resolve(&actor()?, &cluster_id, decision).await.map_err(fail)
}

#[server(endpoint = "regroup_inbox", input = Json)]
pub async fn regroup_inbox() -> Result<usize, ServerFnError> {
    use crate::auth::ssr::{fail, services};
    Ok(services()?.inbox.regroup().await.map_err(fail)?.clusters)
}

const SIGNALS: [&str; 5] = ["no_match", "clarify_not_taken", "negative_feedback", "handoff", "reported"];
const REASONS: [&str; 4] = ["noise", "chit-chat", "out of scope", "abusive"];

#[component]
pub fn InboxPage() -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let text = RwSignal::new(String::new());
    let channel = RwSignal::new(String::new());
    let signal = RwSignal::new(String::new());
    let offset = RwSignal::new(0u64);
    let version = RwSignal::new(0u32);
    let groups = Resource::new(
        move || (text.get(), channel.get(), signal.get(), offset.get(), version.get()),
        |(text, channel, signal, offset, _)| inbox_groups(text, channel, signal, offset),
    );
    let regroup = Action::new(|_: &()| regroup_inbox());
    Effect::new(move |_| {
        if regroup.value().get().is_some() {
            version.update(|v| *v += 1);
        }
    });
    let changed = Callback::new(move |_: ()| version.update(|v| *v += 1));

    view! {
        <section class="page wide" data-testid="inbox">
            <h1>{move || t("inbox.title")}</h1>
            <p class="lead">{move || t("inbox.intro")}</p>
            <div class="toolbar">
                <input type="search" data-testid="inbox-search" placeholder=move || t("inbox.search")
                    on:input=move |ev| { offset.set(0); text.set(event_target_value(&ev)); }/>
                <select data-testid="inbox-channel" on:change=move |ev| { offset.set(0); channel.set(event_target_value(&ev)); }>
                    <option value="">{move || t("inbox.all_channels")}</option>
                    {["bot", "online", "hotline"].into_iter().map(|c| view! { <option value=c>{c}</option> }).collect_view()}
                </select>
                <select data-testid="inbox-signal" on:change=move |ev| { offset.set(0); signal.set(event_target_value(&ev)); }>
                    <option value="">{move || t("inbox.all_signals")}</option>
                    {SIGNALS.into_iter().map(|s| view! { <option value=s>{s.replace('_', " ")}</option> }).collect_view()}
                </select>
                <button data-testid="inbox-regroup" on:click=move |_| { regroup.dispatch(()); }
                    disabled=move || regroup.pending().get()>{move || t("inbox.regroup")}</button>
            </div>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match groups.await {
                        Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                        Ok(page) if page.clusters.is_empty() => view! {
                            <p class="muted" data-testid="inbox-empty">{move || t("inbox.empty")}</p>
                        }.into_any(),
                        Ok(page) => {
                            let total = page.total;
                            let shown = page.clusters.len() as u64;
                            view! {
                                <p class="small muted" data-testid="inbox-total">{total} " " {move || t("inbox.groups")}</p>
                                <ul class="groups">
                                    {page.clusters.into_iter().map(|c| view! { <Group group=c changed=changed/> }).collect_view()}
                                </ul>
                                <div class="pager">
                                    <button disabled=move || offset.get() == 0
                                        on:click=move |_| offset.update(|o| *o = o.saturating_sub(PAGE))>"‹"</button>
                                    <button disabled={move || offset.get() + shown >= total as u64}
                                        on:click=move |_| offset.update(|o| *o += PAGE)>"›"</button>
                                </div>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

/// One group: its summary, and when opened its questions, suggestions and the three decisions.
#[component]
fn Group(group: ClusterView, changed: Callback<()>) -> AnyView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let open = RwSignal::new(false);
    let id = group.id.clone();
    let decide = Action::new(move |d: &Decision| decide_group(id.clone(), d.clone()));
    Effect::new(move |_| {
        if let Some(Ok(_)) = decide.value().get() {
            changed.run(());
        }
    });
    let trend = if group.trend > 1.2 {
        "↑"
    } else if group.trend < 0.8 && group.previous_week > 0 {
        "↓"
    } else {
        "→"
    };
    let top = group.suggestions.first().map(|s| format!("{} ({:.2})", s.question, s.score));
    let category = RwSignal::new(String::new());
    let question = RwSignal::new(group.label.clone());
    let answer = RwSignal::new(String::new());
    let reason = RwSignal::new(REASONS[0].to_string());
    let suggestions = group.suggestions.clone();

    view! {
        <li class="group" data-testid="group" data-id=group.id.clone()>
            <button class="link group-head" data-testid="group-open" on:click=move |_| open.update(|o| *o = !*o)>
                <strong data-testid="group-label">{group.label.clone()}</strong>
            </button>
            <span class="small muted">
                " " {group.key_terms.join(" · ")} " — " {group.size} " " {move || t("inbox.questions")} ", "
                <span data-testid="group-volume">{group.volume}</span> " " {move || t("inbox.reports")} " " {trend}
            </span>
            {top.map(|s| view! { <div class="small">{move || t("inbox.suggested")} ": " {s.clone()}</div> })}
            <Show when=move || open.get()>
                <ul class="members" data-testid="group-members">
                    {group.members.iter().map(|m| view! {
                        <li>{m.question.clone()} <span class="muted small">" ×" {m.count}</span></li>
                    }).collect_view()}
                </ul>
                <div class="decisions">
                    {suggestions.iter().map(|s| {
                        let kid = s.knowledge_id.clone();
                        view! {
                            <button data-testid="group-link" on:click=move |_| {
                                decide.dispatch(Decision::Link { knowledge_id: kid.clone(), miss_ids: None });
                            }>{move || t("inbox.link")} " → " {s.question.clone()}</button>
                        }
                    }).collect_view()}
                    <details class="create">
                        <summary data-testid="group-create-open">{move || t("inbox.create")}</summary>
                        <input data-testid="create-category" placeholder=move || t("inbox.category") bind:value=category/>
                        <input data-testid="create-question" bind:value=question/>
                        <textarea data-testid="create-answer" placeholder=move || t("inbox.answer") bind:value=answer/>
                        <button data-testid="create-run" on:click=move |_| {
                            decide.dispatch(Decision::Create {
                                category: category.get(),
                                question: question.get(),
                                answer: answer.get(),
                                miss_ids: None,
                            });
                        }>{move || t("inbox.create")}</button>
                    </details>
                    <select data-testid="dismiss-reason" on:change=move |ev| reason.set(event_target_value(&ev))>
                        {REASONS.into_iter().map(|r| view! { <option value=r>{r}</option> }).collect_view()}
                    </select>
                    <button data-testid="group-dismiss" on:click=move |_| {
                        decide.dispatch(Decision::Dismiss { reason: reason.get() });
                    }>{move || t("inbox.dismiss")}</button>
                </div>
                {move || decide.value().get().and_then(|r| r.err()).map(|e| view! {
                    <p class="error" data-testid="group-error">{error_text(&e)}</p>
                })}
            </Show>
        </li>
    }
    // A type-erased view: the group's full type is deep enough to exhaust the compiler's limit.
    .into_any()
}
