//! `/knowledge/new` and `/knowledge/{id}`: the editor of one knowledge point (question, answer,
//! phrasings edited inline, category, template slot), its lifecycle buttons and its history.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use model::views::{
    CategoryNode, Channel, ChannelAnswers, Content, Discarded, NearDuplicate, PointDetail, PointStatus,
    RelatedPoint, Role, Validity, MAX_RELATED,
};

use super::api::{
    archive_knowledge, category_tree, discard_draft, find_personal_data, knowledge_detail, knowledge_history,
    restore_knowledge, save_knowledge, submit_knowledge,
};
use super::try_it::TryIt;
use super::widgets::{AnswerView, DiffView, StatusBadge};
use crate::auth::use_me;
use crate::errors::AppError;
use crate::health::near_duplicates;
use crate::i18n::{tr, use_lang, Lang};
use crate::icons::Comment;
use crate::labels::{revision_note, slot_title, Label};
use crate::refusals::error_text;
use crate::time::Time;

/// The cookie that remembers the category of the last point saved.
const LAST_CATEGORY: &str = "category";

#[component]
pub fn EditorPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let query = use_query_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|s| s.parse::<i32>().ok()));
    let detail = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => knowledge_detail(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let tree = Resource::new(|| (), |_| category_tree());
    view! {
        <section class="page wide">
            <p>
                <a href="/knowledge">"← " {move || tr(lang.get(), "knowledge.title")}</a>
            </p>
            <Suspense fallback={move || {
                view! { <p class="muted">{move || tr(lang.get(), "status.loading")}</p> }
            }}>
                {move || Suspend::new(async move {
                    let (category, template_slot) = query
                        .with_untracked(|q| {
                            (q.get("category").and_then(|c| c.parse::<i32>().ok()), q.get("slot"))
                        });
                    let tree = tree.await.unwrap_or_default();
                    match detail.await {
                        Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                        Ok(detail) => view! { <Editor detail tree category template_slot /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// What the editor holds: the point as loaded, edited in place.
#[derive(Clone, Copy)]
struct Draft {
    /// The point's save counter: the server refuses a save made from an older one. Never shown
    /// (it counts submits and publishes too); people see the revision number of the history.
    version: RwSignal<i32>,
    /// The head revision's number, as the history lists it.
    revision: RwSignal<i32>,
    status: RwSignal<PointStatus>,
    live: RwSignal<bool>,
    comment: RwSignal<Option<String>>,
    question: RwSignal<String>,
    answer: RwSignal<String>,
    phrasings: RwSignal<Vec<String>>,
    counter_examples: RwSignal<Vec<String>>,
    category_id: RwSignal<i32>,
    template_slot: RwSignal<String>,
    answers: RwSignal<ChannelAnswers>,
    valid_from: RwSignal<Option<DateTime<Utc>>>,
    valid_until: RwSignal<Option<DateTime<Utc>>>,
    related: RwSignal<Vec<RelatedPoint>>,
    /// Edited since it was loaded or saved.
    dirty: RwSignal<bool>,
}

impl Draft {
    /// A new point starts in `category` (or the first one) and `template_slot`.
    fn new(detail: Option<&PointDetail>, first: Content) -> Self {
        let head = detail.map(|d| d.head.content.clone()).unwrap_or(first);
        Draft {
            version: RwSignal::new(detail.map(|d| d.version).unwrap_or(0)),
            revision: RwSignal::new(detail.map(|d| d.head.number).unwrap_or(0)),
            status: RwSignal::new(detail.map(|d| d.status).unwrap_or(PointStatus::Draft)),
            live: RwSignal::new(detail.is_some_and(|d| d.published.is_some())),
            comment: RwSignal::new(detail.and_then(|d| d.head.review_comment.clone())),
            question: RwSignal::new(head.question),
            answer: RwSignal::new(head.answer),
            phrasings: RwSignal::new(head.phrasings),
            counter_examples: RwSignal::new(head.counter_examples),
            category_id: RwSignal::new(head.category_id),
            template_slot: RwSignal::new(head.template_slot.unwrap_or_default()),
            answers: RwSignal::new(head.answers),
            valid_from: RwSignal::new(head.valid_from),
            valid_until: RwSignal::new(head.valid_until),
            related: RwSignal::new(detail.map(|d| d.related.clone()).unwrap_or_default()),
            dirty: RwSignal::new(false),
        }
    }

    /// The point as the server now has it.
    fn apply(&self, d: &PointDetail) {
        self.version.set(d.version);
        self.revision.set(d.head.number);
        self.status.set(d.status);
        self.live.set(d.published.is_some());
        self.comment.set(d.head.review_comment.clone());
        self.question.set(d.head.content.question.clone());
        self.answer.set(d.head.content.answer.clone());
        self.phrasings.set(d.head.content.phrasings.clone());
        self.counter_examples.set(d.head.content.counter_examples.clone());
        self.category_id.set(d.head.content.category_id);
        self.template_slot.set(d.head.content.template_slot.clone().unwrap_or_default());
        self.answers.set(d.head.content.answers.clone());
        self.valid_from.set(d.head.content.valid_from);
        self.valid_until.set(d.head.content.valid_until);
        self.related.set(d.related.clone());
        self.dirty.set(false);
    }

    fn content(&self) -> Content {
        Content {
            category_id: self.category_id.get_untracked(),
            question: self.question.get_untracked(),
            answer: self.answer.get_untracked(),
            phrasings: self.phrasings.get_untracked(),
            template_slot: Some(self.template_slot.get_untracked()).filter(|s| !s.is_empty()),
            answers: self.answers.get_untracked(),
            valid_from: self.valid_from.get_untracked(),
            valid_until: self.valid_until.get_untracked(),
            related: self
                .related
                .get_untracked()
                .iter()
                .filter_map(|r| r.knowledge_id.parse().ok())
                .collect(),
            counter_examples: self.counter_examples.get_untracked(),
        }
    }
}

#[component]
fn Editor(
    detail: Option<PointDetail>,
    tree: Vec<CategoryNode>,
    category: Option<i32>,
    template_slot: Option<String>,
) -> impl IntoView {
    let lang = use_lang();
    let navigate = use_navigate();
    let id = detail.as_ref().map(|d| d.id);
    let loop_yield = detail.as_ref().map(|d| d.loop_yield);
    // A new point starts where the trainer last saved one, unless the link says where.
    let last = crate::cookies::read(LAST_CATEGORY)
        .and_then(|c| c.parse::<i32>().ok())
        .filter(|c| tree.iter().any(|n| n.id == *c));
    let first = Content {
        category_id: category.or(last).or_else(|| tree.first().map(|c| c.id)).unwrap_or(0),
        template_slot,
        ..Default::default()
    };
    let draft = Draft::new(detail.as_ref(), first);
    // Kept as what happened, not as text: a switch of language says it again in the other.
    let message = RwSignal::new(None::<Result<&'static str, AppError>>);

    let version = draft.version;
    let save = Action::new(move |c: &Content| save_knowledge(id, version.get_untracked(), c.clone()));
    let submit = Action::new(move |_: &()| submit_knowledge(id.unwrap_or(0), version.get_untracked()));
    let archive = Action::new(move |_: &()| archive_knowledge(id.unwrap_or(0), version.get_untracked()));
    let restore = Action::new(move |n: &i32| restore_knowledge(id.unwrap_or(0), version.get_untracked(), *n));
    let discard = Action::new(move |_: &()| discard_draft(id.unwrap_or(0), version.get_untracked()));
    Effect::new(move |_| match discard.value().get() {
        Some(Ok((_, d))) => {
            draft.apply(&d);
            message.set(Some(Ok("editor.discarded")));
        }
        Some(Err(e)) => message.set(Some(Err(e))),
        None => {}
    });
    // A new or reworded question is first checked against the published points: one the bot
    // would already answer with another point is a near-duplicate, named before anything is saved.
    let saved_question =
        RwSignal::new(detail.as_ref().map(|d| d.head.content.question.clone()).unwrap_or_default());
    Effect::new(move |_| {
        if let Some(Ok(d)) = save.value().get() {
            saved_question.set(d.head.content.question.clone());
        }
    });
    let duplicates = RwSignal::new(Vec::<NearDuplicate>::new());
    let check = Action::new(move |q: &String| near_duplicates(q.clone(), id));
    Effect::new(move |_| match check.value().get() {
        Some(Ok(found)) if !found.is_empty() => duplicates.set(found),
        // Nothing near, or the check itself failed: a warning must never stop a save.
        Some(_) => {
            duplicates.set(Vec::new());
            save.dispatch(draft.content());
        }
        None => {}
    });

    // The four actions return the same thing: the point as it now is, or why nothing changed.
    for (result, what) in [
        (save.value(), "editor.saved"),
        (submit.value(), "editor.submitted"),
        (archive.value(), "editor.archived"),
        (restore.value(), "editor.restored"),
    ] {
        let navigate = navigate.clone();
        Effect::new(move |_| match result.get() {
            Some(Ok(d)) => {
                crate::cookies::write(LAST_CATEGORY, &d.head.content.category_id.to_string());
                if id.is_none() {
                    navigate(&format!("/knowledge/{}", d.id), Default::default());
                    return;
                }
                // A save takes a change waiting for review out of review: say it must go again.
                let left_review = what == "editor.saved"
                    && draft.status.get_untracked() == PointStatus::InReview
                    && d.status != PointStatus::InReview;
                draft.apply(&d);
                message.set(Some(Ok(if left_review { "editor.saved_left_review" } else { what })));
            }
            Some(Err(e)) => message.set(Some(Err(e))),
            None => {}
        });
    }

    view! {
        <EditorHead id loop_yield draft />
        {move || {
            message
                .get()
                .map(|m| match m {
                    Ok(key) => {
                        view! {
                            <p class="notice ok" data-testid="editor-message" data-key={key}>
                                {move || tr(lang.get(), key)}
                            </p>
                        }
                            .into_any()
                    }
                    Err(e) => {
                        view! {
                            <p class="notice error" data-testid="editor-error">
                                {move || error_text(&e)}
                            </p>
                        }
                            .into_any()
                    }
                })
        }}
        {move || (!duplicates.get().is_empty()).then(|| view! { <DuplicateWarning duplicates save draft /> })}
        <PersonalDataWarning draft />
        <form
            class="panel form editor"
            data-testid="editor"
            on:submit={move |ev| {
                ev.prevent_default();
                let question = draft.question.get_untracked();
                if question.trim() == saved_question.get_untracked().trim() {
                    save.dispatch(draft.content());
                } else {
                    check.dispatch(question);
                }
            }}
        >
            <PlaceFields tree draft />
            <label>
                {move || tr(lang.get(), "field.question")}
                <input
                    data-testid="editor-question"
                    bind:value={draft.question}
                    on:input={move |_| draft.dirty.set(true)}
                    required
                    maxlength="500"
                />
            </label>
            <AnswerTabs draft />
            <ValidityFields draft />
            <TextList list={draft.phrasings} dirty={draft.dirty} legend="field.phrasings" testid="phrasing" />
            <TextList
                list={draft.counter_examples}
                dirty={draft.dirty}
                legend="field.counter_examples"
                testid="counter"
                hint="editor.counter_hint"
                add_key="editor.counter_add"
                placeholder="editor.counter_add_hint"
            />
            <RelatedPicker id draft />
            <Lifecycle id draft save submit archive discard />
        </form>
        <TryIt id content={Callback::new(move |_| draft.content())} />
        {id.map(|id| view! { <History id version restore /> })}
    }
}

/// The default answer and one tab per ask channel, each with its preview: an empty channel
/// tab means that channel gets the default answer.
#[component]
fn AnswerTabs(draft: Draft) -> impl IntoView {
    let lang = use_lang();
    // `None` is the default answer.
    let tab = RwSignal::new(None::<Channel>);
    let text = Signal::derive(move || match tab.get() {
        None => draft.answer.get(),
        Some(c) => draft.answers.with(|a| a.get(&c).cloned().unwrap_or_default()),
    });
    let edit = move |value: String| {
        draft.dirty.set(true);
        match tab.get_untracked() {
            None => draft.answer.set(value),
            Some(c) => draft.answers.update(|a| {
                if value.is_empty() {
                    a.remove(&c);
                } else {
                    a.insert(c, value);
                }
            }),
        }
    };
    let tabs = std::iter::once(None).chain(Channel::ALL.iter().copied().map(Some)).map(|c| {
        let name = move || match c {
            None => tr(lang.get(), "editor.answer_default").to_string(),
            Some(c) => c.label(lang.get()).to_string(),
        };
        let set = move || c.is_some_and(|c| draft.answers.with(|a| a.contains_key(&c)));
        let testid = format!("answer-tab-{}", c.map_or("default", |c| c.as_str()));
        view! {
            <button
                type="button"
                role="tab"
                class="tab"
                class:active={move || tab.get() == c}
                aria-selected={move || (tab.get() == c).to_string()}
                data-testid={testid}
                on:click={move |_| tab.set(c)}
            >
                {name}
                {move || {
                    set()
                        .then(|| {
                            view! {
                                <span class="dot" title={tr(lang.get(), "editor.has_variant")}>
                                    " •"
                                </span>
                            }
                        })
                }}
            </button>
        }
    });
    let hint = move || match tab.get() {
        Some(Channel::Hotline) => "editor.answer_hotline_hint",
        Some(_) => "editor.answer_channel_hint",
        None => "editor.answer_markdown_hint",
    };
    view! {
        <fieldset class="answers">
            <legend>{move || tr(lang.get(), "field.answer")}</legend>
            <div class="tabs" role="tablist">
                {tabs.collect_view()}
            </div>
            <textarea
                data-testid="editor-answer"
                aria-label={move || {
                    let field = tr(lang.get(), "field.answer");
                    match tab.get() {
                        None => field.to_string(),
                        Some(c) => format!("{field} · {}", c.label(lang.get())),
                    }
                }}
                rows="5"
                prop:value={move || text.get()}
                on:input={move |ev| edit(event_target_value(&ev))}
                required={move || tab.get().is_none()}
                maxlength="5000"
            ></textarea>
            <p class="muted small">{move || tr(lang.get(), hint())}</p>
            <div class="preview" data-testid="answer-preview">
                <span class="muted small">{move || tr(lang.get(), "editor.preview")}</span>
                {move || {
                    let shown = Signal::derive(move || {
                        let t = text.get();
                        if t.is_empty() { draft.answer.get() } else { t }
                    });
                    let plain = tab.get() == Some(Channel::Hotline);
                    // An empty channel tab previews the default answer it falls back to.
                    view! { <AnswerView text={shown} plain /> }
                }}
            </div>
        </fieldset>
    }
}

/// When the bot serves the point: from, until (either may be open), in the trainer's zone.
#[component]
fn ValidityFields(draft: Draft) -> impl IntoView {
    let lang = use_lang();
    let zone = crate::time::use_zone();
    let field = move |signal: RwSignal<Option<DateTime<Utc>>>, key: &'static str, testid: &'static str| {
        view! {
            <label>
                {move || format!("{} ({})", tr(lang.get(), key), zone.get().label())}
                <input
                    type="datetime-local"
                    data-testid={testid}
                    prop:value={move || signal.get().map(|t| zone.get().input(t)).unwrap_or_default()}
                    on:change={move |ev| {
                        signal.set(zone.get_untracked().parse_input(&event_target_value(&ev)));
                        draft.dirty.set(true);
                    }}
                />
            </label>
        }
    };
    let state = move || Validity::at(draft.valid_from.get(), draft.valid_until.get(), crate::time::now());
    view! {
        <fieldset class="validity" data-testid="editor-validity">
            <legend>
                {move || tr(lang.get(), "knowledge.validity")} " "
                <span class={move || format!("badge va-{}", state().as_str())} data-testid="validity-state">
                    {move || state().label(lang.get())}
                </span>
            </legend>
            <div class="row">
                {field(draft.valid_from, "field.valid_from", "editor-valid-from")}
                {field(draft.valid_until, "field.valid_until", "editor-valid-until")}
            </div>
            <p class="muted small">{move || tr(lang.get(), "editor.validity_hint")}</p>
        </fieldset>
    }
}

/// Up to five points offered after this one's answer, found by search.
#[component]
fn RelatedPicker(id: Option<i32>, draft: Draft) -> impl IntoView {
    let lang = use_lang();
    let query = RwSignal::new(String::new());
    let found = Resource::new(
        move || query.get(),
        |q| async move {
            if q.trim().is_empty() {
                return Ok(Vec::new());
            }
            super::api::list_knowledge(None, q, None, None).await
        },
    );
    let full = move || draft.related.with(|r| r.len() >= MAX_RELATED);
    view! {
        <fieldset class="related" data-testid="editor-related">
            <legend>{move || tr(lang.get(), "field.related")}</legend>
            <p class="muted small">{move || tr(lang.get(), "editor.related_hint")}</p>
            <ul class="plain">
                {move || {
                    let chosen = draft.related.get();
                    if chosen.is_empty() {
                        return view! {
                            <li class="muted">{move || tr(lang.get(), "editor.related_none")}</li>
                        }
                            .into_any();
                    }
                    chosen
                        .into_iter()
                        .map(|r| {
                            let kid = r.knowledge_id.clone();
                            view! {
                                <li data-testid="related-item">
                                    {r.question} " "
                                    <button
                                        type="button"
                                        class="link"
                                        on:click={move |_| {
                                            draft.related.update(|rs| rs.retain(|x| x.knowledge_id != kid));
                                            draft.dirty.set(true);
                                        }}
                                    >
                                        {move || tr(lang.get(), "editor.related_remove")}
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                        .into_any()
                }}
            </ul>
            <input
                type="search"
                data-testid="related-search"
                placeholder={move || tr(lang.get(), "editor.related_search")}
                disabled={full}
                on:change={move |ev| query.set(event_target_value(&ev))}
            />
            <Transition>
                <ul class="plain">
                    {move || {
                        let chosen = draft.related.get();
                        found
                            .get()
                            .and_then(Result::ok)
                            .unwrap_or_default()
                            .into_iter()
                            .filter(|p| {
                                Some(p.id) != id && !chosen.iter().any(|c| c.knowledge_id == p.id.to_string())
                            })
                            .take(8)
                            .map(|p| {
                                let pick = RelatedPoint {
                                    knowledge_id: p.id.to_string(),
                                    question: p.question.clone(),
                                };
                                view! {
                                    <li>
                                        <button
                                            type="button"
                                            class="link"
                                            data-testid="related-add"
                                            disabled={full}
                                            on:click={move |_| {
                                                if !full() {
                                                    draft.related.update(|rs| rs.push(pick.clone()));
                                                    draft.dirty.set(true);
                                                }
                                            }}
                                        >
                                            "+ "
                                            {p.question.clone()}
                                        </button>
                                        <span class="muted small">" " {p.category_path.clone()}</span>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </Transition>
        </fieldset>
    }
}

/// Trainers' text is never masked: when what was saved looks like a customer's personal data
/// (a number pasted from a chat, say), the editor says so until it is gone.
#[component]
fn PersonalDataWarning(draft: Draft) -> impl IntoView {
    let lang = use_lang();
    let found = Resource::new(move || draft.version.get(), move |_| find_personal_data(draft.content()));
    view! {
        <Transition>
            {move || {
                found
                    .get()
                    .and_then(Result::ok)
                    .filter(|f| !f.is_empty())
                    .map(|found| {
                        view! {
                            <p class="notice warn" data-testid="personal-data-warning">
                                {move || {
                                    let l = lang.get();
                                    let list: Vec<String> = found
                                        .iter()
                                        .map(|f| personal_item(l, f))
                                        .collect();
                                    let sep = if l == crate::i18n::Lang::Zh { "、" } else { "; " };
                                    format!("{} {}", tr(l, "editor.personal_data"), list.join(sep))
                                }}
                            </p>
                        }
                    })
            }}
        </Transition>
    }
}

/// "mobile numbers (answer)" / "手机号（答案）".
fn personal_item(lang: crate::i18n::Lang, f: &model::views::PersonalData) -> String {
    use model::views::{Field, PersonalKind};
    let what = match &f.kind {
        PersonalKind::Builtin(d) => crate::labels::detector_name(lang, *d).to_string(),
        PersonalKind::Pattern(name) => name.clone(),
    };
    let field = tr(
        lang,
        match f.field {
            Field::Answer => "field.answer",
            Field::AnswerBot => "field.answer_bot",
            Field::AnswerOnline => "field.answer_online",
            Field::AnswerHotline => "field.answer_hotline",
            Field::Phrasing => "editor.personal_in_phrasing",
            _ => "field.question",
        },
    );
    match lang {
        crate::i18n::Lang::Zh => format!("{what}（{field}）"),
        crate::i18n::Lang::En => format!("{what} ({field})"),
    }
}

/// The published points the question would be answered with, and a way to save anyway.
#[component]
fn DuplicateWarning(
    duplicates: RwSignal<Vec<NearDuplicate>>,
    save: Action<Content, Result<PointDetail, AppError>>,
    draft: Draft,
) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    view! {
        <div class="notice warn" data-testid="duplicate-warning">
            <p>{move || t("editor.duplicate_warning")}</p>
            <ul class="plain">
                {duplicates
                    .get_untracked()
                    .into_iter()
                    .map(|d| {
                        view! {
                            <li data-testid="duplicate">
                                <a href={format!(
                                    "/knowledge/{}",
                                    d.knowledge_id,
                                )}>{format!("#{} ", d.knowledge_id)}{d.question}</a>
                                <small class="muted">{format!(" · {} · {:.2}", d.category, d.score)}</small>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <button
                type="button"
                data-testid="save-anyway"
                on:click={move |_| {
                    duplicates.set(Vec::new());
                    save.dispatch(draft.content());
                }}
            >
                {move || t("editor.save_anyway")}
            </button>
        </div>
    }
    .into_any()
}

/// Title, status, version, loop yield, and why a reviewer sent it back.
#[component]
fn EditorHead(id: Option<i32>, loop_yield: Option<i64>, draft: Draft) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    view! {
        <header class="page-head">
            <h1 data-testid="editor-title">
                {move || if id.is_some() { t("editor.edit") } else { t("editor.new") }}
                {id.map(|id| view! { <small class="muted">" #" {id}</small> })}
            </h1>
            <span data-testid="editor-status">
                {move || view! { <StatusBadge status={draft.status.get()} live={draft.live.get()} /> }}
            </span>
            {move || {
                (draft.revision.get() > 0)
                    .then(|| {
                        view! {
                            <small class="muted" data-testid="editor-version">
                                {move || revision_name(lang.get(), draft.revision.get())}
                            </small>
                        }
                    })
            }}
            {id
                .map(|id| {
                    view! {
                        <a class="small" data-testid="point-health" href={format!("/health?point={id}")}>
                            {move || t("editor.health")}
                        </a>
                    }
                })}
            {loop_yield
                .filter(|n| *n > 0)
                .map(|n| {
                    view! {
                        <span
                            class="badge st-published"
                            data-testid="loop-yield"
                            title={move || t("editor.loop_yield")}
                        >
                            {move || t("editor.loop_yield")}
                            ": "
                            {n}
                        </span>
                    }
                })}
        </header>
        {move || {
            draft
                .comment
                .get()
                .filter(|_| draft.status.get() == PointStatus::Rejected)
                .map(|c| {
                    view! {
                        <p class="notice warn" data-testid="review-comment">
                            {move || t("editor.rejected_because")}
                            " "
                            {c}
                        </p>
                    }
                })
        }}
    }
}

/// Where the point lives: its category, and the template slot it fills when the category's
/// module has a template.
#[component]
fn PlaceFields(tree: Vec<CategoryNode>, draft: Draft) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let options = tree
        .iter()
        .map(|c| view! { <option value={c.id.to_string()}>{c.path.clone()}</option> })
        .collect_view();
    let slots = move || {
        tree.iter()
            .find(|c| c.id == draft.category_id.get())
            .and_then(|c| c.template)
            .map(|t| t.slots().iter().map(|key| (t, *key)).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    view! {
        <label>
            {move || t("field.category")}
            <select
                data-testid="editor-category"
                prop:value={move || draft.category_id.get().to_string()}
                on:change={move |ev| {
                    if let Ok(c) = event_target_value(&ev).parse() {
                        draft.category_id.set(c);
                        draft.dirty.set(true);
                    }
                }}
            >
                {options}
            </select>
        </label>
        {move || {
            let list = slots();
            (!list.is_empty())
                .then(|| {
                    view! {
                        <label>
                            {move || t("field.slot")}
                            <select
                                data-testid="editor-slot"
                                prop:value={move || draft.template_slot.get()}
                                on:change={move |ev| {
                                    draft.template_slot.set(event_target_value(&ev));
                                    draft.dirty.set(true);
                                }}
                            >
                                <option value="">"—"</option>
                                {list
                                    .into_iter()
                                    .map(|(template, key)| {
                                        view! {
                                            <option value={key}>
                                                {move || slot_title(lang.get(), template, key)}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                        </label>
                    }
                })
        }}
    }
}

/// The other ways customers ask it, edited inline.
#[component]
/// An editable list of short texts (phrasings, counter-examples); `testid` names its parts
/// (`{testid}s`, `new-{testid}`, `add-{testid}`, `remove-{testid}`).
fn TextList(
    list: RwSignal<Vec<String>>,
    dirty: RwSignal<bool>,
    legend: &'static str,
    testid: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = "editor.add")] add_key: &'static str,
    #[prop(default = "editor.add_hint")] placeholder: &'static str,
) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let new_text = RwSignal::new(String::new());
    let add = move || {
        let p = new_text.get_untracked().trim().to_string();
        if !p.is_empty() {
            list.update(|l| l.push(p));
            new_text.set(String::new());
            dirty.set(true);
        }
    };
    view! {
        <fieldset class="phrasings" data-testid={format!("editor-{testid}s")}>
            <legend>{move || t(legend)} " (" {move || list.get().len()} ")"</legend>
            {hint.map(|h| view! { <p class="muted small">{move || t(h)}</p> })}
            <ul class="plain" data-testid={format!("{testid}s")}>
                {move || {
                    list.get()
                        .into_iter()
                        .enumerate()
                        .map(|(i, p)| {
                            view! {
                                <li class="row">
                                    <input
                                        data-testid={testid}
                                        value={p}
                                        aria-label={move || format!("{} {}", t(legend), i + 1)}
                                        on:change={move |ev| {
                                            let v = event_target_value(&ev);
                                            list.update(|l| l[i] = v);
                                            dirty.set(true);
                                        }}
                                    />
                                    <button
                                        type="button"
                                        class="ghost"
                                        data-testid={format!("remove-{testid}")}
                                        title={move || t("editor.remove")}
                                        on:click={move |_| {
                                            list.update(|l| {
                                                l.remove(i);
                                            });
                                            dirty.set(true);
                                        }}
                                    >
                                        "×"
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            <div class="row">
                <input
                    data-testid={format!("new-{testid}")}
                    bind:value={new_text}
                    aria-label={move || t(add_key)}
                    placeholder={move || t(placeholder)}
                    on:keydown={move |ev| {
                        if ev.key() == "Enter" {
                            ev.prevent_default();
                            add();
                        }
                    }}
                />
                <button type="button" data-testid={format!("add-{testid}")} on:click={move |_| add()}>
                    {move || t(add_key)}
                </button>
            </div>
        </fieldset>
    }
}

/// Save, submit for review, archive (reviewers), and whether there are unsaved changes.
#[component]
fn Lifecycle(
    id: Option<i32>,
    draft: Draft,
    save: Action<Content, Result<PointDetail, AppError>>,
    submit: Action<(), Result<PointDetail, AppError>>,
    archive: Action<(), Result<PointDetail, AppError>>,
    discard: Action<(), Result<(Discarded, PointDetail), AppError>>,
) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let me = use_me();
    let live = draft.live;
    let is_reviewer = move || me.get().flatten().is_some_and(|m| m.role.includes(Role::Reviewer));
    let (status, dirty) = (draft.status, draft.dirty);
    view! {
        <div class="row actions">
            <button
                type="submit"
                class="primary"
                data-testid="save-draft"
                disabled={move || save.pending().get()}
            >
                {move || t("editor.save")}
            </button>
            {id
                .map(|_| {
                    view! {
                        <button
                            type="button"
                            data-testid="submit-review"
                            disabled={move || {
                                dirty.get()
                                    || !matches!(status.get(), PointStatus::Draft | PointStatus::Rejected)
                            }}
                            title={move || t("editor.submit_hint")}
                            on:click={move |_| {
                                submit.dispatch(());
                            }}
                        >
                            {move || t("editor.submit")}
                        </button>
                        // A draft beside the published revision can be thrown away: the point is
                        // what the bot serves again.
                        <Show when={move || {
                            live.get()
                                && !matches!(status.get(), PointStatus::Published | PointStatus::Archived)
                        }}>
                            <button
                                type="button"
                                class="ghost"
                                data-testid="discard-draft"
                                title={move || t("editor.discard_hint")}
                                disabled={move || discard.pending().get()}
                                on:click={move |_| {
                                    discard.dispatch(());
                                }}
                            >
                                {move || t("editor.discard")}
                            </button>
                        </Show>
                        <Show when={is_reviewer}>
                            <button
                                type="button"
                                class="ghost danger"
                                data-testid="archive"
                                disabled={move || status.get() == PointStatus::Archived}
                                on:click={move |_| {
                                    archive.dispatch(());
                                }}
                            >
                                {move || t("editor.archive")}
                            </button>
                        </Show>
                    }
                })}
            <Show when={move || dirty.get()}>
                <span class="muted small" data-testid="unsaved">
                    {move || t("editor.unsaved")}
                </span>
            </Show>
        </div>
    }
}

/// Every revision with what it changed; any but the current one can be restored as a draft.
#[component]
fn History(
    id: i32,
    version: RwSignal<i32>,
    restore: Action<i32, Result<PointDetail, AppError>>,
) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let history = Resource::new(move || (id, version.get()), |(id, _)| knowledge_history(id));
    view! {
        <section class="panel history" data-testid="history">
            <h2>{move || t("history.title")}</h2>
            <Transition fallback={|| ()}>
                {move || Suspend::new(async move {
                    let entries = history.await.unwrap_or_default();
                    let current = entries.first().map(|e| e.revision.number);
                    entries
                        .into_iter()
                        .map(|e| {
                            let n = e.revision.number;
                            let state = e.revision.state;
                            view! {
                                <article class="revision" data-testid="revision" data-number={n}>
                                    <header class="row">
                                        <strong>{move || revision_name(lang.get(), n)}</strong>
                                        <span class="badge">{move || state.label(lang.get())}</span>
                                        <span class="muted small">
                                            {e.revision.author.clone()} " · "
                                            <Time at={e.revision.created_at} />
                                        </span>
                                        {e
                                            .revision
                                            .reviewed_by
                                            .clone()
                                            .map(|r| {
                                                view! {
                                                    <span class="muted small">
                                                        {move || t("history.reviewed_by")} " " {r.clone()}
                                                    </span>
                                                }
                                            })}
                                        {e
                                            .revision
                                            .note
                                            .clone()
                                            .map(|n| {
                                                view! {
                                                    <em class="small">
                                                        {move || revision_note(lang.get(), &n)}
                                                    </em>
                                                }
                                            })}
                                        {(Some(n) != current)
                                            .then(|| {
                                                view! {
                                                    <button
                                                        class="ghost small"
                                                        data-testid="restore"
                                                        on:click={move |_| {
                                                            restore.dispatch(n);
                                                        }}
                                                    >
                                                        {move || t("history.restore")}
                                                    </button>
                                                }
                                            })}
                                    </header>
                                    {e
                                        .revision
                                        .review_comment
                                        .clone()
                                        .map(|c| {
                                            view! {
                                                <p class="small">
                                                    <Comment />
                                                    " "
                                                    {c}
                                                </p>
                                            }
                                        })}
                                    <DiffView diff={e.changes} />
                                </article>
                            }
                        })
                        .collect_view()
                })}
            </Transition>
        </section>
    }
}

/// "Revision 3" / "第 3 版": the head's number in the editor's header matches its history.
fn revision_name(lang: Lang, n: i32) -> String {
    match lang {
        Lang::En => format!("Revision {n}"),
        Lang::Zh => format!("第 {n} 版"),
    }
}
