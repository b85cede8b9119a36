//! The synonyms page: propose an entry (or a change, or a removal), see what waits for review,
//! publish it as a reviewer, take a suggestion in one click, import or export the CSV.

use leptos::prelude::*;
use model::views::{
    ImportReport, Role, SuggestionEvidence, SynonymChange, SynonymItem, SynonymProposal, SynonymSuggestion,
    SynonymsPublished,
};

use super::api::{
    discard_synonym, import_synonyms, propose_synonym, publish_synonyms, synonym_suggestions, synonyms_list,
};
use crate::auth::use_me;
use crate::errors::AppError;
use crate::i18n::{tr, use_lang, Lang};
use crate::refusals::error_text;
use crate::time::Time;

const CSV_HEADER: &str = "canonical,variants";

/// Variants as a trainer types them: separated by commas (either width), 、, | or new lines.
fn split_variants(text: &str) -> Vec<String> {
    text.split([',', '，', '、', '|', '\n'])
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

fn separator(lang: Lang) -> &'static str {
    if lang == Lang::Zh {
        "、"
    } else {
        ", "
    }
}

fn change_key(change: SynonymChange) -> &'static str {
    match change {
        SynonymChange::Add => "synonyms.pending_add",
        SynonymChange::Edit => "synonyms.pending_edit",
        SynonymChange::Remove => "synonyms.pending_remove",
    }
}

/// The proposal a suggestion makes: its term as a variant of the entry of its canonical term
/// (added to that entry's variants when it is published already).
fn accept(s: &SynonymSuggestion, canonical: &str, items: &[SynonymItem]) -> SynonymProposal {
    let existing = items.iter().find_map(|i| {
        let live = i.live.as_ref()?;
        (live.canonical.to_lowercase() == canonical.to_lowercase()).then(|| (i.id, live.variants.clone()))
    });
    match existing {
        Some((id, mut variants)) => {
            variants.push(s.term.clone());
            SynonymProposal { id, canonical: canonical.to_string(), variants, remove: false }
        }
        None => SynonymProposal {
            id: None,
            canonical: canonical.to_string(),
            variants: vec![s.term.clone()],
            remove: false,
        },
    }
}

#[component]
pub fn SynonymsPage() -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let me = use_me();
    let reviewer = move || me.get().flatten().is_some_and(|m| m.role.includes(Role::Reviewer));
    let list = Resource::new(|| (), |_| synonyms_list());
    let about = RwSignal::new(String::new());
    let suggestions = Resource::new(move || about.get(), synonym_suggestions);
    // The form: a new entry, or the published entry `editing`.
    let editing = RwSignal::new(None::<i32>);
    let canonical = RwSignal::new(String::new());
    let variants = RwSignal::new(String::new());
    let propose: Action<SynonymProposal, Result<SynonymItem, AppError>> =
        Action::new(|p: &SynonymProposal| propose_synonym(p.clone()));
    let discard: Action<i32, Result<(), AppError>> = Action::new(|id: &i32| discard_synonym(*id));
    let publish: Action<(), Result<SynonymsPublished, AppError>> = Action::new(|_: &()| publish_synonyms());
    Effect::new(move |_| {
        let proposed = matches!(propose.value().get(), Some(Ok(_)));
        if proposed {
            editing.set(None);
            canonical.set(String::new());
            variants.set(String::new());
        }
        if proposed
            || matches!(discard.value().get(), Some(Ok(_)))
            || matches!(publish.value().get(), Some(Ok(_)))
        {
            list.refetch();
            suggestions.refetch();
        }
    });
    let submit = move || {
        propose.dispatch(SynonymProposal {
            id: editing.get_untracked(),
            canonical: canonical.get_untracked(),
            variants: split_variants(&variants.get_untracked()),
            remove: false,
        });
    };
    let edit = move |item: &SynonymItem| {
        let shown = item.draft.as_ref().map(|d| d.entry.clone()).or_else(|| item.live.clone());
        if let Some(e) = shown {
            editing.set(item.id);
            canonical.set(e.canonical);
            variants.set(e.variants.join(separator(lang.get_untracked())));
        }
    };
    view! {
        <section class="page wide" data-testid="synonyms">
            <p>
                <a href="/knowledge">"← " {move || t("knowledge.title")}</a>
            </p>
            <h1>{move || t("synonyms.title")}</h1>
            <p class="muted small">{move || t("synonyms.intro")}</p>
            <form
                class="panel synonym-form"
                data-testid="synonym-form"
                on:submit={move |ev| {
                    ev.prevent_default();
                    submit();
                }}
            >
                <h2>{move || t(if editing.get().is_some() { "synonyms.edit" } else { "synonyms.new" })}</h2>
                <label>
                    {move || t("synonyms.canonical")}
                    <input data-testid="synonym-canonical" bind:value={canonical} required />
                </label>
                <label>
                    {move || t("synonyms.variants")}
                    <input
                        data-testid="synonym-variants"
                        bind:value={variants}
                        placeholder={move || t("synonyms.variants_hint")}
                    />
                </label>
                <div class="row">
                    <button type="submit" data-testid="synonym-propose">
                        {move || t("synonyms.propose")}
                    </button>
                    {move || {
                        editing
                            .get()
                            .is_some()
                            .then(|| {
                                view! {
                                    <button
                                        type="button"
                                        class="secondary"
                                        on:click={move |_| {
                                            editing.set(None);
                                            canonical.set(String::new());
                                            variants.set(String::new());
                                        }}
                                    >
                                        {move || t("synonyms.cancel")}
                                    </button>
                                }
                            })
                    }}
                </div>
                {move || {
                    propose
                        .value()
                        .get()
                        .and_then(Result::err)
                        .map(|e| {
                            view! {
                                <p class="notice error" data-testid="synonym-error">
                                    {error_text(&e)}
                                </p>
                            }
                        })
                }}
            </form>
            {move || match publish.value().get() {
                Some(Ok(done)) => {
                    view! {
                        <p class="notice ok" data-testid="synonyms-published">
                            {move || {
                                tr(lang.get(), "synonyms.published")
                                    .replace("{n}", &done.published.to_string())
                                    .replace("{entries}", &done.entries.to_string())
                            }}
                        </p>
                    }
                        .into_any()
                }
                Some(Err(e)) => view! { <p class="notice error">{error_text(&e)}</p> }.into_any(),
                None => ().into_any(),
            }}
            <Transition fallback={move || {
                view! { <p class="muted">{move || t("status.loading")}</p> }
            }}>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                        Ok(items) => {
                            let pending = items.iter().filter(|i| i.draft.is_some()).count();
                            view! {
                                <div class="row">
                                    <h2>{move || t("synonyms.dictionary")}</h2>
                                    <span class="spacer"></span>
                                    <a
                                        href="/api/v1/synonyms/export"
                                        download="synonyms.csv"
                                        data-testid="synonyms-export"
                                    >
                                        {move || t("synonyms.export")}
                                    </a>
                                    {move || {
                                        (reviewer() && pending > 0)
                                            .then(|| {
                                                view! {
                                                    <button
                                                        data-testid="synonyms-publish"
                                                        on:click={move |_| {
                                                            publish.dispatch(());
                                                        }}
                                                    >
                                                        {move || {
                                                            tr(lang.get(), "synonyms.publish")
                                                                .replace("{n}", &pending.to_string())
                                                        }}
                                                    </button>
                                                }
                                            })
                                    }}
                                </div>
                                <SynonymTable items edit discard />
                            }
                                .into_any()
                        }
                    }
                })}
            </Transition>
            <SuggestionList suggestions list propose canonical variants about />
            <ImportPanel on_done={move || list.refetch()} />
        </section>
    }
}

#[component]
fn SynonymTable(
    items: Vec<SynonymItem>,
    edit: impl Fn(&SynonymItem) + Copy + Send + Sync + 'static,
    discard: Action<i32, Result<(), AppError>>,
) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let propose: Action<SynonymProposal, Result<SynonymItem, AppError>> =
        Action::new(|p: &SynonymProposal| propose_synonym(p.clone()));
    if items.is_empty() {
        return view! {
            <p class="muted" data-testid="synonyms-empty">
                {move || t("synonyms.empty")}
            </p>
        }
        .into_any();
    }
    view! {
        <table class="table" data-testid="synonym-table">
            <thead>
                <tr>
                    <th>{move || t("synonyms.canonical")}</th>
                    <th>{move || t("synonyms.variants")}</th>
                    <th>{move || t("synonyms.state")}</th>
                    <th>{move || t("synonyms.actions")}</th>
                </tr>
            </thead>
            <tbody>
                {items
                    .into_iter()
                    .map(|item| {
                        let shown = item
                            .draft
                            .as_ref()
                            .map(|d| d.entry.clone())
                            .or_else(|| item.live.clone());
                        let shown = shown
                            .unwrap_or(model::views::SynonymEntry {
                                canonical: String::new(),
                                variants: vec![],
                            });
                        let draft = item.draft.clone();
                        let live_id = item.id;
                        let canonical = shown.canonical.clone();
                        let row = item.clone();
                        view! {
                            <tr data-testid="synonym-row" data-canonical={canonical.clone()}>
                                <td translate="no">
                                    <strong>{canonical.clone()}</strong>
                                </td>
                                <td translate="no">{move || shown.variants.join(separator(lang.get()))}</td>
                                <td>
                                    {match draft.clone() {
                                        None => {
                                            view! {
                                                <span class="badge ok">{move || t("synonyms.live")}</span>
                                            }
                                                .into_any()
                                        }
                                        Some(d) => {
                                            view! {
                                                <span class="badge warn" data-testid="synonym-pending">
                                                    {move || t(change_key(d.change))}
                                                </span>
                                                <small class="muted">
                                                    " " <span translate="no">{d.author.clone()}</span> " · "
                                                    <Time at={d.created_at} />
                                                </small>
                                            }
                                                .into_any()
                                        }
                                    }}
                                </td>
                                <td class="actions">
                                    <button
                                        class="link"
                                        data-testid="synonym-edit"
                                        on:click={move |_| edit(&row)}
                                    >
                                        {move || t("synonyms.edit_one")}
                                    </button>
                                    {live_id
                                        .map(|id| {
                                            let canonical = canonical.clone();
                                            view! {
                                                <button
                                                    class="link"
                                                    data-testid="synonym-remove"
                                                    on:click={move |_| {
                                                        propose
                                                            .dispatch(SynonymProposal {
                                                                id: Some(id),
                                                                canonical: canonical.clone(),
                                                                variants: vec![],
                                                                remove: true,
                                                            });
                                                    }}
                                                >
                                                    {move || t("synonyms.remove")}
                                                </button>
                                            }
                                        })}
                                    {draft
                                        .map(|d| {
                                            view! {
                                                <button
                                                    class="link"
                                                    data-testid="synonym-discard"
                                                    on:click={move |_| {
                                                        discard.dispatch(d.id);
                                                    }}
                                                >
                                                    {move || t("synonyms.discard")}
                                                </button>
                                            }
                                        })}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        {move || {
            match (propose.value().get(), discard.value().get()) {
                (Some(Err(e)), _) | (_, Some(Err(e))) => {
                    Some(view! { <p class="notice error">{error_text(&e)}</p> })
                }
                _ => None,
            }
        }}
        {move || {
            matches!(propose.value().get(), Some(Ok(_)))
                .then(|| {
                    // A removal proposed here: show it in the list.
                    view! { <p class="notice ok">{move || t("synonyms.proposed")}</p> }
                })
        }}
    }
    .into_any()
}

#[component]
fn SuggestionList(
    suggestions: Resource<Result<Vec<SynonymSuggestion>, AppError>>,
    list: Resource<Result<Vec<SynonymItem>, AppError>>,
    propose: Action<SynonymProposal, Result<SynonymItem, AppError>>,
    canonical: RwSignal<String>,
    variants: RwSignal<String>,
    about: RwSignal<String>,
) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    view! {
        <section class="panel" data-testid="synonym-suggestions">
            <h2>{move || t("synonyms.suggestions")}</h2>
            <p class="muted small">{move || t("synonyms.suggestions_intro")}</p>
            <input
                type="search"
                data-testid="suggestion-search"
                placeholder={move || t("synonyms.suggestion_search")}
                aria-label={move || t("synonyms.suggestion_search")}
                on:change={move |ev| about.set(event_target_value(&ev))}
            />
            <Transition fallback={move || {
                view! { <p class="muted">{move || t("status.loading")}</p> }
            }}>
                {move || Suspend::new(async move {
                    let items = list.await.unwrap_or_default();
                    match suggestions.await {
                        Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                        Ok(found) if found.is_empty() => {
                            view! { <p class="muted">{move || t("synonyms.no_suggestions")}</p> }.into_any()
                        }
                        Ok(found) => {
                            view! {
                                <ul class="plain">
                                    {found
                                        .into_iter()
                                        .map(|s| {
                                            let evidence = match &s.evidence {
                                                SuggestionEvidence::UnknownWord { misses, examples } => {
                                                    let (misses, examples) = (*misses, examples.clone());
                                                    view! {
                                                        <small class="muted">
                                                            {move || {
                                                                tr(lang.get(), "synonyms.unknown_word")
                                                                    .replace("{n}", &misses.to_string())
                                                            }} " " <span translate="no">{examples.join(" / ")}</span>
                                                        </small>
                                                    }
                                                        .into_any()
                                                }
                                                SuggestionEvidence::LinkedVariant { question, phrasing } => {
                                                    let (q, p) = (question.clone(), phrasing.clone());
                                                    view! {
                                                        <small class="muted">
                                                            {move || t("synonyms.linked_variant")} " “"
                                                            <span translate="no">{q}</span> "” ≈ “"
                                                            <span translate="no">{p}</span> "”"
                                                        </small>
                                                    }
                                                        .into_any()
                                                }
                                            };
                                            let term = s.term.clone();
                                            let named = s.canonical.clone();
                                            let items = items.clone();
                                            let on_use = move |_| match &s.canonical {
                                                Some(c) => {
                                                    propose.dispatch(accept(&s, c, &items));
                                                }
                                                None => {
                                                    canonical.set(String::new());
                                                    variants.set(s.term.clone());
                                                }
                                            };
                                            view! {
                                                <li data-testid="synonym-suggestion" data-term={term.clone()}>
                                                    <strong translate="no">{term.clone()}</strong>
                                                    {named
                                                        .map(|c| {
                                                            view! {
                                                                " → "
                                                                <span translate="no">{c}</span>
                                                            }
                                                        })}
                                                    " "
                                                    <button
                                                        class="link"
                                                        data-testid="suggestion-use"
                                                        on:click={on_use}
                                                    >
                                                        {move || t("synonyms.use")}
                                                    </button>
                                                    <br />
                                                    {evidence}
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ImportPanel(on_done: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let text = RwSignal::new(String::new());
    let action: Action<String, Result<ImportReport, AppError>> =
        Action::new(|csv: &String| import_synonyms(csv.clone()));
    Effect::new(move |_| {
        if let Some(Ok(r)) = action.value().get() {
            if r.errors.is_empty() {
                on_done();
            }
        }
    });
    view! {
        <details class="panel import" data-testid="synonym-import">
            <summary>{move || t("synonyms.import")}</summary>
            <p class="muted small">
                {move || t("import.hint_before")} " " <code>{CSV_HEADER}</code> " "
                {move || t("synonyms.import_hint")}
            </p>
            <textarea
                data-testid="synonym-import-text"
                rows="5"
                bind:value={text}
                translate="no"
                placeholder={CSV_HEADER}
                aria-label={move || t("synonyms.import")}
            ></textarea>
            <button
                data-testid="synonym-import-run"
                on:click={move |_| {
                    action.dispatch(text.get_untracked());
                }}
            >
                {move || t("import.run")}
            </button>
            {move || match action.value().get() {
                Some(Ok(r)) if r.errors.is_empty() => {
                    view! {
                        <p class="notice ok" data-testid="synonym-import-done">
                            {move || {
                                tr(lang.get(), "synonyms.imported")
                                    .replace("{created}", &r.created.to_string())
                                    .replace("{updated}", &r.updated.to_string())
                                    .replace("{unchanged}", &r.unchanged.to_string())
                            }}
                        </p>
                    }
                        .into_any()
                }
                Some(Ok(r)) => {
                    let errors = r.errors.clone();
                    view! {
                        <div class="notice error" data-testid="synonym-import-errors">
                            <p>{move || t("synonyms.import_refused")}</p>
                            <ul class="plain">
                                {errors
                                    .into_iter()
                                    .map(|e| {
                                        let line = e.line;
                                        let problem = AppError::from(e.problem);
                                        view! {
                                            <li>
                                                {move || {
                                                    format!("{} {line}: ", tr(lang.get(), "import.line"))
                                                }} {error_text(&problem)}
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        </div>
                    }
                        .into_any()
                }
                Some(Err(e)) => view! { <p class="notice error">{error_text(&e)}</p> }.into_any(),
                None => ().into_any(),
            }}
        </details>
    }
}
