//! The selected group: its questions (with counts, channels, signals, first and last seen), the
//! suggested knowledge points, and the actions, each also on a key. Opening it claims it.

use leptos::prelude::*;
use model::views::{ClusterMember, ClusterView, Decision, Signal as MissSignal};

use super::api::rejected_answers;
use super::poor_answer::PoorAnswerPanel;
use super::rejected::{agent_reply, rejected_error, wrong_point, RejectedAnswers};
use super::{try_link, Bench, Op, Panel};
use crate::health::near_duplicates;
use crate::i18n::{count, tr, use_lang};
use crate::knowledge::api::{category_tree, list_knowledge};
use crate::knowledge::Tried;
use crate::labels::{channels, list, reason, DISMISS_REASONS};
use crate::refusals::error_text;
use crate::time::Time;

#[component]
pub fn GroupDetail(group: ClusterView, bench: Bench) -> AnyView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let id = group.id.clone();
    let decide = {
        let id = id.clone();
        move |d: Decision| {
            bench.act.dispatch(Op::Decide(id.clone(), d));
        }
    };
    let marked_other = {
        let id = id.clone();
        move || bench.marked.with(|m| m.iter().any(|x| *x != id))
    };
    // Only groups with a rejected answer or an agent's reply have something to show.
    let has_rejected = group
        .signals
        .iter()
        .any(|s| matches!(s, MissSignal::NegativeFeedback | MissSignal::Handoff | MissSignal::Reported));
    let rejected = {
        let id = id.clone();
        Resource::new(
            move || id.clone(),
            move |id| async move {
                if has_rejected {
                    rejected_answers(id).await
                } else {
                    Ok(Vec::new())
                }
            },
        )
    };
    let loaded = move || rejected.get().and_then(Result::ok).unwrap_or_default();
    let prefill = Signal::derive(move || agent_reply(&loaded()));
    view! {
        <article
            class="panel group-detail"
            data-testid="group-detail"
            data-id={id.clone()}
            on:focusin={move |_| bench.engage()}
            on:click={move |_| bench.engage()}
        >
            <header>
                <h2 data-testid="detail-label">{group.label.clone()}</h2>
                <p class="small muted">
                    {move || count(lang.get(), group.size, "inbox.questions")} " · "
                    {move || count(lang.get(), group.volume, "inbox.reports")} " · "
                    {
                        let c = group.channels.clone();
                        move || channels(&c, lang.get())
                    } " · "
                    {
                        let s = group.signals.clone();
                        move || list(&s, lang.get())
                    }
                </p>
                {
                    let id = id.clone();
                    move || {
                        bench
                            .claim
                            .value()
                            .get()
                            .filter(|(of, _)| *of == id)
                            .map(|(_, result)| match result {
                                Ok(c) => {
                                    view! {
                                        <p class="small muted" data-testid="claim">
                                            {move || t("inbox.claimed_until")}
                                            " "
                                            <Time at={c.until} />
                                        </p>
                                    }
                                        .into_any()
                                }
                                Err(e) => {
                                    view! {
                                        <p class="notice warn" data-testid="claim-refused">
                                            {error_text(&e)}
                                        </p>
                                    }
                                        .into_any()
                                }
                            })
                    }
                }
            </header>
            <Members members={group.members.clone()} bench />
            <Transition fallback={|| ()}>
                {move || Suspend::new(async move {
                    match rejected.await {
                        Ok(list) => view! { <RejectedAnswers rejected={list} /> }.into_any(),
                        Err(e) => rejected_error(&e),
                    }
                })}
            </Transition>
            <div class="row actions">
                <button data-testid="action-link" on:click={move |_| bench.panel.set(Panel::Link)}>
                    <kbd>"l"</kbd>
                    " "
                    {move || t("inbox.link")}
                </button>
                <button data-testid="action-new" on:click={move |_| bench.panel.set(Panel::Create)}>
                    <kbd>"n"</kbd>
                    " "
                    {move || t("inbox.create")}
                </button>
                <button data-testid="action-dismiss" on:click={move |_| bench.panel.set(Panel::Dismiss)}>
                    <kbd>"d"</kbd>
                    " "
                    {move || t("inbox.dismiss")}
                </button>
                {has_rejected
                    .then(|| {
                        view! {
                            <button
                                data-testid="action-wrong-point"
                                on:click={move |_| bench.panel.set(Panel::WrongPoint)}
                            >
                                <kbd>"w"</kbd>
                                " "
                                {move || t("inbox.wrong_point")}
                            </button>
                            <button
                                data-testid="action-poor-answer"
                                on:click={move |_| bench.panel.set(Panel::PoorAnswer)}
                            >
                                <kbd>"a"</kbd>
                                " "
                                {move || t("inbox.poor_answer")}
                            </button>
                        }
                    })}
                <button
                    data-testid="action-split"
                    disabled={move || bench.checked.with(Vec::is_empty)}
                    on:click={
                        let id = id.clone();
                        move |_| {
                            if let Some(ids) = bench.chosen() {
                                bench.act.dispatch(Op::Split(id.clone(), ids));
                            }
                        }
                    }
                >
                    <kbd>"s"</kbd>
                    " "
                    {move || t("inbox.split")}
                </button>
                <button
                    data-testid="action-merge"
                    disabled={
                        let m = marked_other.clone();
                        move || !m()
                    }
                    on:click={
                        let id = id.clone();
                        move |_| {
                            let from: Vec<String> = bench
                                .marked
                                .get_untracked()
                                .into_iter()
                                .filter(|m| *m != id)
                                .collect();
                            bench.act.dispatch(Op::Merge(id.clone(), from));
                        }
                    }
                >
                    <kbd>"m"</kbd>
                    " "
                    {move || t("inbox.merge")}
                </button>
                <button
                    data-testid="action-move"
                    disabled={
                        let m = marked_other.clone();
                        move || !m() || bench.checked.with(Vec::is_empty)
                    }
                    on:click={
                        let id = id.clone();
                        move |_| {
                            let to = bench.marked.get_untracked().into_iter().find(|m| *m != id);
                            if let (Some(ids), Some(to)) = (bench.chosen(), to) {
                                bench.act.dispatch(Op::Move(ids, to));
                            }
                        }
                    }
                >
                    <kbd>"v"</kbd>
                    " "
                    {move || t("inbox.move")}
                </button>
            </div>
            {move || match bench.panel.get() {
                Panel::Link => {
                    view! { <LinkPanel group={group.clone()} decide={decide.clone()} bench /> }.into_any()
                }
                Panel::Create => {
                    view! { <CreatePanel group={group.clone()} decide={decide.clone()} bench prefill /> }
                        .into_any()
                }
                Panel::WrongPoint => {
                    match wrong_point(&loaded()) {
                        Some(wrong) => {
                            view! { <LinkPanel group={group.clone()} decide={decide.clone()} bench wrong /> }
                                .into_any()
                        }
                        None => {
                            view! {
                                <p class="notice" data-testid="wrong-point-none">
                                    {move || t("inbox.wrong_point_none")}
                                </p>
                            }
                                .into_any()
                        }
                    }
                }
                Panel::PoorAnswer => {
                    match wrong_point(&loaded()) {
                        Some(point) => {
                            view! {
                                <PoorAnswerPanel
                                    point
                                    decide={decide.clone()}
                                    agent_reply={prefill}
                                    chosen={move || bench.chosen()}
                                />
                            }
                                .into_any()
                        }
                        None => {
                            view! {
                                <p class="notice" data-testid="poor-answer-none">
                                    {move || t("inbox.poor_answer_none")}
                                </p>
                            }
                                .into_any()
                        }
                    }
                }
                Panel::Dismiss => view! { <DismissPanel decide={decide.clone()} /> }.into_any(),
                Panel::None => ().into_any(),
            }}
        </article>
    }
    // Type-erased: the full view type is deep enough to exhaust the compiler's limit.
    .into_any()
}

/// The group's questions, with counts, where and how they came, and when; ticked ones are what
/// split, move and a partial decision act on.
#[component]
fn Members(members: Vec<ClusterMember>, bench: Bench) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let checked = move |miss: &str| bench.checked.with(|c| c.iter().any(|x| x == miss));
    let toggle = move |miss: String| {
        bench.checked.update(|c| match c.iter().position(|x| *x == miss) {
            Some(i) => {
                c.remove(i);
            }
            None => c.push(miss),
        })
    };
    view! {
        <table class="list members" data-testid="group-members">
            <thead>
                <tr>
                    <th></th>
                    <th>"#"</th>
                    <th>{move || t("review.question")}</th>
                    <th>"×"</th>
                    <th>{move || t("inbox.channels")}</th>
                    <th>{move || t("inbox.seen")}</th>
                </tr>
            </thead>
            <tbody>
                {members
                    .iter()
                    .enumerate()
                    .map(|(i, m)| {
                        let miss = m.miss_id.clone();
                        let miss2 = m.miss_id.clone();
                        view! {
                            <tr data-testid="member" data-id={m.miss_id.clone()}>
                                <td>
                                    <input
                                        type="checkbox"
                                        data-testid="member-check"
                                        prop:checked={move || checked(&miss)}
                                        aria-label={move || {
                                            format!("{} {}", t("inbox.choose_question"), i + 1)
                                        }}
                                        on:change={move |_| toggle(miss2.clone())}
                                    />
                                </td>
                                <td class="muted">{(i < 9).then(|| (i + 1).to_string())}</td>
                                <td>{m.question.clone()}</td>
                                <td>{m.count}</td>
                                <td class="small">
                                    {
                                        let c = m.channels.clone();
                                        move || channels(&c, lang.get())
                                    } " · "
                                    {
                                        let s = m.signals.clone();
                                        move || list(&s, lang.get())
                                    }
                                </td>
                                <td class="small muted">
                                    <Time at={m.first_seen} />
                                    " – "
                                    <Time at={m.last_seen} />
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// Link to one of the suggestions (keys 1–3) or to any point found by a search.
#[component]
fn LinkPanel(
    group: ClusterView,
    decide: impl Fn(Decision) + Clone + Send + Sync + 'static,
    bench: Bench,
    /// "Wrong point": the point the bot answered with (id, question); linking then also makes
    /// the questions its counter-examples.
    #[prop(optional)]
    wrong: Option<(String, String)>,
) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let query = RwSignal::new(String::new());
    let found = Resource::new(
        move || query.get(),
        |q| async move {
            if q.trim().is_empty() {
                Ok(Vec::new())
            } else {
                list_knowledge(None, q, None, None).await
            }
        },
    );
    let wrong_id = wrong.as_ref().map(|(id, _)| id.clone());
    let link = move |kid: String| {
        let decide = decide.clone();
        let wrong_id = wrong_id.clone();
        move |_| {
            let miss_ids = bench.chosen();
            decide(match &wrong_id {
                Some(w) => Decision::WrongPoint {
                    wrong_knowledge_id: w.clone(),
                    knowledge_id: kid.clone(),
                    miss_ids,
                },
                None => Decision::Link { knowledge_id: kid.clone(), miss_ids },
            })
        }
    };
    let is_wrong = wrong.is_some();
    let link2 = link.clone();
    // "What would answer these after linking": the suggestion with the questions as phrasings,
    // tried as a draft (nothing recorded).
    let questions: Vec<String> = group.members.iter().map(|m| m.question.clone()).collect();
    let trial = Action::new(move |kid: &String| {
        let (kid, questions) = (kid.clone(), questions.clone());
        async move { try_link(kid, questions).await }
    });
    view! {
        <div class="panel inset" data-testid={if is_wrong { "wrong-point-panel" } else { "link-panel" }}>
            {wrong
                .map(|(_, question)| {
                    view! {
                        <p data-testid="wrong-point-of">
                            <span class="muted">{move || t("inbox.wrong_point_of")} " "</span>
                            <strong>{question}</strong>
                        </p>
                        <p class="small muted">{move || t("inbox.wrong_point_pick")}</p>
                    }
                })}
            <ol class="suggestions">
                {group
                    .suggestions
                    .iter()
                    .map(|s| {
                        let kid = s.knowledge_id.clone();
                        view! {
                            <li>
                                <button
                                    class="link"
                                    data-testid="suggestion"
                                    on:click={link(s.knowledge_id.clone())}
                                >
                                    {s.question.clone()}
                                    <span class="muted small">
                                        " " {format!("{:.2}", s.score)} " · " {s.category.clone()}
                                    </span>
                                </button>
                                " "
                                <button
                                    class="ghost small"
                                    data-testid="suggestion-try"
                                    title={move || t("inbox.try_link_hint")}
                                    on:click={move |_| {
                                        trial.dispatch(kid.clone());
                                    }}
                                >
                                    {move || t("try.run")}
                                </button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
            {move || {
                trial
                    .value()
                    .get()
                    .map(|r| match r {
                        Ok(report) => view! { <Tried report /> }.into_any(),
                        Err(e) => view! { <p class="notice error">{error_text(&e)}</p> }.into_any(),
                    })
            }}
            <input
                type="search"
                data-testid="link-search"
                placeholder={move || t("inbox.link_search")}
                on:input={move |ev| query.set(event_target_value(&ev))}
            />
            <Transition fallback={|| ()}>
                {move || {
                    let link = link2.clone();
                    Suspend::new(async move {
                        match found.await {
                            Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                            Ok(list) => {
                                view! {
                                    <ul class="found">
                                        {list
                                            .into_iter()
                                            .take(8)
                                            .map(|p| {
                                                view! {
                                                    <li>
                                                        <button
                                                            class="link"
                                                            data-testid="link-result"
                                                            on:click={link(p.id.to_string())}
                                                        >
                                                            {p.question}
                                                            <span class="muted small">" · " {p.category_path}</span>
                                                        </button>
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }
                        }
                    })
                }}
            </Transition>
        </div>
    }
}

/// A new point prefilled from the group: its most typical question, the nearest point's
/// category; the group's questions (or the chosen ones) become its phrasings. The category comes
/// from the tree (the nearest suggestion's preselected), never typed, so a typo cannot make one.
/// Before creating, the question is checked against the published knowledge: a near-duplicate
/// offers linking to it instead, one key (Enter) away. The answer starts from the agents' reply
/// to these questions, when the bot reported one.
#[component]
fn CreatePanel(
    group: ClusterView,
    decide: impl Fn(Decision) + Clone + Send + Sync + 'static,
    bench: Bench,
    prefill: Signal<Option<String>>,
) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let category = RwSignal::new(group.suggestions.first().map(|s| s.category.clone()).unwrap_or_default());
    let tree = Resource::new(|| (), |_| category_tree());
    let question = RwSignal::new(group.label.clone());
    let answer = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(reply) = prefill.get() {
            if answer.get_untracked().is_empty() {
                answer.set(reply);
            }
        }
    });
    let answer_ref = NodeRef::<leptos::html::Textarea>::new();
    let instead_ref = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(el) = answer_ref.get() {
            let _ = el.focus();
        }
    });
    // The near-duplicate found for the question as it was checked; a changed question is
    // checked again.
    let check = Action::new(|q: &String| near_duplicates(q.clone(), None));
    let checked_for = RwSignal::new(None::<String>);
    let similar = move || {
        check.value().get().and_then(Result::ok).and_then(|mut found| {
            (checked_for.get() == Some(question.get())).then(|| found.drain(..).next()).flatten()
        })
    };
    Effect::new(move |_| {
        if similar().is_some() {
            if let Some(el) = instead_ref.get() {
                let _ = el.focus();
            }
        }
    });
    let phrasings = move || bench.checked.with(|c| if c.is_empty() { group.size as usize } else { c.len() });
    let create_now = {
        let decide = decide.clone();
        move || {
            decide(Decision::Create {
                category: category.get_untracked(),
                question: question.get_untracked(),
                answer: answer.get_untracked(),
                miss_ids: bench.chosen(),
            })
        }
    };
    // First press: the check; a near-duplicate stops here. Pressed again on the same
    // question: create anyway. Each question is created at most once from here (a key pressed
    // twice, a check answered twice).
    let created_for = RwSignal::new(None::<String>);
    let create_once = {
        let create_now = create_now.clone();
        move |q: String| {
            if created_for.get_untracked().as_deref() != Some(q.as_str()) {
                created_for.set(Some(q));
                create_now();
            }
        }
    };
    let create = {
        let create_once = create_once.clone();
        move || {
            if check.pending().get_untracked() || missing_untracked(category, question) {
                return;
            }
            let q = question.get_untracked();
            if checked_for.get_untracked().as_deref() == Some(q.as_str()) {
                create_once(q);
            } else {
                checked_for.set(Some(q.clone()));
                check.dispatch(q);
            }
        }
    };
    // A clean check creates at once.
    Effect::new({
        let create_once = create_once.clone();
        move |_| {
            if let Some(Ok(found)) = check.value().get() {
                let q = question.get_untracked();
                if found.is_empty() && checked_for.get_untracked().as_deref() == Some(q.as_str()) {
                    create_once(q);
                }
            }
        }
    });
    let create2 = create.clone();
    let missing = move || category.with(String::is_empty) || question.with(|q| q.trim().is_empty());
    view! {
        <div class="panel inset form" data-testid="create-panel">
            <label>
                {move || t("inbox.category_pick")}
                <select
                    data-testid="create-category"
                    on:change={move |ev| category.set(event_target_value(&ev))}
                >
                    <option value="" selected={move || category.with(String::is_empty)}>
                        {move || t("inbox.choose_category")}
                    </option>
                    <Transition fallback={|| ()}>
                        {move || {
                            tree.get()
                                .and_then(Result::ok)
                                .unwrap_or_default()
                                .into_iter()
                                .map(|c| {
                                    let path = c.path.clone();
                                    let chosen = path.clone();
                                    view! {
                                        <option
                                            value={path.clone()}
                                            selected={move || category.get() == chosen}
                                        >
                                            {path.clone()}
                                        </option>
                                    }
                                })
                                .collect_view()
                        }}
                    </Transition>
                </select>
            </label>
            <label>
                {move || t("field.question")}<input data-testid="create-question" bind:value={question} />
            </label>
            <label>
                {move || t("field.answer")}
                <textarea
                    data-testid="create-answer"
                    node_ref={answer_ref}
                    bind:value={answer}
                    on:keydown={move |ev| {
                        if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
                            ev.prevent_default();
                            create2();
                        }
                    }}
                />
            </label>
            <p class="small muted">
                {move || count(lang.get(), phrasings() as i64, "inbox.become_phrasings")}
            </p>
            {move || {
                check
                    .value()
                    .get()
                    .and_then(Result::err)
                    .map(|e| {
                        view! {
                            <p class="notice error" data-testid="create-check-error">
                                {error_text(&e)}
                            </p>
                        }
                    })
            }}
            {move || {
                similar()
                    .map(|d| {
                        let kid = d.knowledge_id.clone();
                        let decide = decide.clone();
                        view! {
                            <div class="notice warn" data-testid="create-similar">
                                <p>
                                    {move || t("inbox.similar_exists")} " “"
                                    <span translate="no">{d.question.clone()}</span> "” ("
                                    {format!("{:.2}", d.score)} " · " {d.category.clone()} ")"
                                </p>
                                <button
                                    class="primary"
                                    data-testid="create-link-instead"
                                    node_ref={instead_ref}
                                    on:click={move |_| decide(Decision::Link {
                                        knowledge_id: kid.clone(),
                                        miss_ids: bench.chosen(),
                                    })}
                                >
                                    {move || t("inbox.link_instead")}
                                    " (Enter)"
                                </button>
                            </div>
                        }
                    })
            }}
            <button
                class="primary"
                data-testid="create-run"
                disabled={move || missing() || check.pending().get()}
                on:click={move |_| create()}
            >
                {move || if similar().is_some() { t("inbox.create_anyway") } else { t("inbox.create") }}
                " (Ctrl+Enter)"
            </button>
        </div>
    }
}

/// Whether the new point lacks its category or question (the create button is off).
fn missing_untracked(category: RwSignal<String>, question: RwSignal<String>) -> bool {
    category.with_untracked(String::is_empty) || question.with_untracked(|q| q.trim().is_empty())
}

/// Dismiss with a reason (keys 1–4).
#[component]
fn DismissPanel(decide: impl Fn(Decision) + Clone + Send + Sync + 'static) -> impl IntoView {
    let lang = use_lang();
    view! {
        <div class="panel inset" data-testid="dismiss-panel">
            {DISMISS_REASONS
                .iter()
                .enumerate()
                .map(|(i, (r, _, _))| {
                    let decide = decide.clone();
                    view! {
                        <button
                            data-testid="dismiss-reason"
                            data-reason={*r}
                            on:click={move |_| decide(Decision::Dismiss {
                                reason: r.to_string(),
                            })}
                        >
                            <kbd>{(i + 1).to_string()}</kbd>
                            " "
                            {move || reason(lang.get(), r)}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}
