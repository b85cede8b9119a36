//! `/knowledge`: the category tree (create, rename, move, template), search, the list of
//! points in the chosen category, and import.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use model::views::{CategoryNode, ImportDuplicate, PointStatus, PointSummary, Template, Validity};

use super::api::{category_tree, check_import, import_knowledge, list_knowledge, save_category};
use super::widgets::StatusBadge;
use crate::errors::AppError;
use crate::i18n::{tr, use_lang};
use crate::labels::Label;
use crate::refusals::error_text;
use crate::time::Time;

/// The header of the CSV import format.
const CSV_HEADER: &str =
    "category,question,answer,phrasings,answer_bot,answer_online,answer_hotline,valid_from,valid_until";

#[component]
pub fn KnowledgePage() -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let query = use_query_map();
    let category = Memo::new(move |_| query.read().get("category").and_then(|c| c.parse::<i32>().ok()));
    let text = Memo::new(move |_| query.read().get("q").unwrap_or_default());
    let status = Memo::new(move |_| query.read().get("status").filter(|s| !s.is_empty()));
    let validity = Memo::new(move |_| query.read().get("validity").filter(|s| !s.is_empty()));
    let tree = Resource::new(|| (), |_| category_tree());
    let points = Resource::new(
        move || (category.get(), text.get(), status.get(), validity.get()),
        |(c, q, s, v)| list_knowledge(c, q, s, v),
    );
    let navigate = use_navigate();
    let search = RwSignal::new(String::new());
    Effect::new(move |_| search.set(text.get()));
    let go = move |category: Option<i32>, q: String, status: Option<String>, validity: Option<String>| {
        let mut url = String::from("/knowledge?");
        if let Some(c) = category {
            url.push_str(&format!("category={c}&"));
        }
        if !q.is_empty() {
            url.push_str(&format!("q={}&", urlencode(&q)));
        }
        if let Some(s) = status {
            url.push_str(&format!("status={s}&"));
        }
        if let Some(v) = validity {
            url.push_str(&format!("validity={v}"));
        }
        navigate(url.trim_end_matches(['&', '?']), Default::default());
    };
    let go_search = go.clone();
    let go_validity = go.clone();

    view! {
        <section class="page wide">
            <header class="page-head">
                <h1>{move || t("knowledge.title")}</h1>
                <a
                    class="button primary"
                    data-testid="new-point"
                    href={move || match category.get() {
                        Some(c) => format!("/knowledge/new?category={c}"),
                        None => "/knowledge/new".into(),
                    }}
                >
                    {move || t("knowledge.new")}
                </a>
                <a class="button" data-testid="health-link" href="/health">
                    {move || t("health.title")}
                </a>
            </header>
            <div class="split">
                <aside class="panel tree" data-testid="category-tree">
                    <h2>{move || t("knowledge.categories")}</h2>
                    <a href="/knowledge" class:active={move || category.get().is_none()}>
                        {move || t("knowledge.all")}
                    </a>
                    <CategoryLinks tree category />
                    <Suspense fallback={|| ()}>
                        {move || Suspend::new(async move {
                            let nodes = tree.await.unwrap_or_default();
                            view! {
                                <CategoryForm
                                    nodes
                                    selected={category.get()}
                                    on_saved={move || tree.refetch()}
                                />
                            }
                        })}
                    </Suspense>
                </aside>
                <div class="main-col">
                    <form
                        class="searchbar"
                        on:submit={move |ev| {
                            ev.prevent_default();
                            go_search(
                                category.get_untracked(),
                                search.get_untracked(),
                                status.get_untracked(),
                                validity.get_untracked(),
                            );
                        }}
                    >
                        <input
                            type="search"
                            data-testid="knowledge-search"
                            bind:value={search}
                            placeholder={move || t("knowledge.search_hint")}
                        />
                        <select
                            data-testid="status-filter"
                            aria-label={move || t("filter.status")}
                            on:change={move |ev| {
                                let v = event_target_value(&ev);
                                go(
                                    category.get_untracked(),
                                    search.get_untracked(),
                                    Some(v).filter(|v| !v.is_empty()),
                                    validity.get_untracked(),
                                );
                            }}
                        >
                            <option value="" selected={move || status.get().is_none()}>
                                {move || t("knowledge.any_status")}
                            </option>
                            {[
                                PointStatus::Draft,
                                PointStatus::InReview,
                                PointStatus::Rejected,
                                PointStatus::Published,
                            ]
                                .into_iter()
                                .map(|s| {
                                    view! {
                                        <option
                                            value={s.as_str()}
                                            selected={move || status.get().as_deref() == Some(s.as_str())}
                                        >
                                            {move || s.label(lang.get())}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                        <select
                            data-testid="validity-filter"
                            aria-label={move || t("knowledge.validity")}
                            on:change={move |ev| {
                                let v = event_target_value(&ev);
                                go_validity(
                                    category.get_untracked(),
                                    search.get_untracked(),
                                    status.get_untracked(),
                                    Some(v).filter(|v| !v.is_empty()),
                                );
                            }}
                        >
                            <option value="" selected={move || validity.get().is_none()}>
                                {move || t("validity.any")}
                            </option>
                            {Validity::ALL
                                .iter()
                                .copied()
                                .map(|v| {
                                    view! {
                                        <option
                                            value={v.as_str()}
                                            selected={move || validity.get().as_deref() == Some(v.as_str())}
                                        >
                                            {move || v.label(lang.get())}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                        <button type="submit">{move || t("knowledge.search")}</button>
                    </form>
                    {move || {
                        category
                            .get()
                            .map(|c| {
                                view! {
                                    <p>
                                        <a href={format!("/modules/{c}")} data-testid="module-page-link">
                                            {move || t("module.open")}
                                        </a>
                                    </p>
                                }
                            })
                    }}
                    <Transition fallback={move || {
                        view! { <p class="muted">{move || t("status.loading")}</p> }
                    }}>
                        {move || Suspend::new(async move {
                            match points.await {
                                Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                                Ok(list) if list.is_empty() => {
                                    view! {
                                        <p class="muted" data-testid="no-points">
                                            {move || t("knowledge.none")}
                                        </p>
                                    }
                                        .into_any()
                                }
                                Ok(list) => view! { <PointTable list /> }.into_any(),
                            }
                        })}
                    </Transition>
                    <ImportPanel on_done={move || {
                        points.refetch();
                        tree.refetch();
                    }} />
                </div>
            </div>
        </section>
    }
}

/// The category tree as links, the selected one marked.
#[component]
fn CategoryLinks(
    tree: Resource<Result<Vec<CategoryNode>, AppError>>,
    category: Memo<Option<i32>>,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <Suspense fallback={|| ()}>
            {move || Suspend::new(async move {
                let nodes = tree.await.unwrap_or_default();
                nodes
                    .into_iter()
                    .map(|n| {
                        let id = n.id;
                        view! {
                            <a
                                href={format!("/knowledge?category={id}")}
                                class={format!("depth-{}", n.depth)}
                                class:active={move || category.get() == Some(id)}
                                data-path={n.path.clone()}
                            >
                                {n.name.clone()}
                                <small>" " {n.points}</small>
                                {n
                                    .template
                                    .map(|tp| {
                                        view! {
                                            <span class="badge tpl">{move || tp.label(lang.get())}</span>
                                        }
                                    })}
                            </a>
                        }
                    })
                    .collect_view()
            })}
        </Suspense>
    }
}

#[component]
fn PointTable(list: Vec<PointSummary>) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    view! {
        <table class="list" data-testid="point-list">
            <thead>
                <tr>
                    <th>{move || t("field.question")}</th>
                    <th>{move || t("field.category")}</th>
                    <th>{move || t("knowledge.state")}</th>
                    <th>{move || t("field.phrasings")}</th>
                    <th>{move || t("knowledge.updated")}</th>
                </tr>
            </thead>
            <tbody>
                {list
                    .into_iter()
                    .map(|p| {
                        view! {
                            <tr data-testid="point-row">
                                <td>
                                    <a href={format!("/knowledge/{}", p.id)}>{p.question.clone()}</a>
                                </td>
                                <td class="muted">{p.category_path.clone()}</td>
                                <td>
                                    <StatusBadge status={p.status} live={p.live} />
                                    {(p.validity != Validity::Live)
                                        .then(|| {
                                            let v = p.validity;
                                            view! {
                                                <span
                                                    class={format!("badge va-{}", v.as_str())}
                                                    data-testid="validity-badge"
                                                >
                                                    {move || v.label(lang.get())}
                                                </span>
                                            }
                                        })}
                                </td>
                                <td>{p.phrasings}</td>
                                <td class="muted small">
                                    {p.updated_by.clone()} " · " <Time at={p.updated_at} />
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// Creates a category under the selected one, or renames / moves / re-templates it.
#[component]
fn CategoryForm(
    nodes: Vec<CategoryNode>,
    selected: Option<i32>,
    on_saved: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let current = selected.and_then(|s| nodes.iter().find(|n| n.id == s).cloned());
    let editing = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let parent = RwSignal::new(String::new());
    let template = RwSignal::new(String::new());
    let start = {
        let current = current.clone();
        move |edit: bool| {
            editing.set(edit);
            match (&current, edit) {
                (Some(c), true) => {
                    name.set(c.name.clone());
                    parent.set(c.parent_id.map(|p| p.to_string()).unwrap_or_default());
                    template.set(c.template.map(|t| t.as_str().to_string()).unwrap_or_default());
                }
                (c, _) => {
                    name.set(String::new());
                    parent.set(c.as_ref().map(|c| c.id.to_string()).unwrap_or_default());
                    template.set(String::new());
                }
            }
        }
    };
    start(false);
    let action = Action::new(
        move |(id, parent, name, template): &(Option<i32>, Option<i32>, String, Option<String>)| {
            save_category(*id, *parent, name.clone(), template.clone())
        },
    );
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            on_saved();
        }
    });
    let current_id = current.as_ref().map(|c| c.id);
    let start_edit = start.clone();
    view! {
        <form
            class="category-form"
            data-testid="category-form"
            on:submit={move |ev| {
                ev.prevent_default();
                let id = if editing.get_untracked() { current_id } else { None };
                let p = parent.get_untracked().parse::<i32>().ok();
                let tpl = Some(template.get_untracked()).filter(|t| !t.is_empty());
                action.dispatch((id, p, name.get_untracked(), tpl));
            }}
        >
            <h3>{move || t(if editing.get() { "category.edit" } else { "category.new" })}</h3>
            <input
                data-testid="category-name"
                bind:value={name}
                placeholder={move || t("category.name")}
                required
            />
            <label class="small">
                {move || t("category.parent")}
                <select
                    data-testid="category-parent"
                    on:change={move |ev| parent.set(event_target_value(&ev))}
                    prop:value={move || parent.get()}
                >
                    <option value="">{move || t("category.top")}</option>
                    {nodes
                        .iter()
                        .filter(|n| Some(n.id) != current_id || !editing.get_untracked())
                        .map(|n| {
                            let v = n.id.to_string();
                            view! { <option value={v.clone()}>{n.path.clone()}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
            <label class="small">
                {move || t("category.template")}
                <select
                    data-testid="category-template"
                    on:change={move |ev| template.set(event_target_value(&ev))}
                    prop:value={move || template.get()}
                >
                    <option value="">{move || t("category.no_template")}</option>
                    {Template::ALL
                        .iter()
                        .copied()
                        .map(|tp| {
                            view! { <option value={tp.as_str()}>{move || tp.label(lang.get())}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
            <div class="row">
                <button type="submit" data-testid="category-save">
                    {move || t("action.save")}
                </button>
                {current_id
                    .map(|_| {
                        let start_edit = start_edit.clone();
                        view! {
                            <button
                                type="button"
                                class="ghost"
                                data-testid="category-edit"
                                on:click={move |_| start_edit(!editing.get_untracked())}
                            >
                                {move || t(if editing.get() { "category.new" } else { "category.edit" })}
                            </button>
                        }
                    })}
            </div>
            {move || match action.value().get() {
                Some(Err(e)) => {
                    view! {
                        <p class="error" data-testid="category-error">
                            {error_text(&e)}
                        </p>
                    }
                        .into_any()
                }
                _ => ().into_any(),
            }}
        </form>
    }
}

#[component]
fn ImportPanel(on_done: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let text = RwSignal::new(String::new());
    let publish = RwSignal::new(false);
    let action = Action::new(|(text, publish): &(String, bool)| import_knowledge(text.clone(), *publish));
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            on_done();
        }
    });
    // Rows that would create a point the bot already answers are named before anything is
    // written; "Import anyway" writes them.
    let check = Action::new(|text: &String| check_import(text.clone()));
    // The text checked: what is imported, even if the box is edited meanwhile.
    let checked = RwSignal::new(String::new());
    let duplicates = RwSignal::new(Vec::<ImportDuplicate>::new());
    Effect::new(move |_| match check.value().get() {
        Some(Ok(found)) if !found.is_empty() => duplicates.set(found),
        // Nothing near, or the check failed (the import reports its own errors): import.
        Some(_) => {
            duplicates.set(Vec::new());
            action.dispatch((checked.get_untracked(), publish.get_untracked()));
        }
        None => {}
    });
    view! {
        <details class="panel import" data-testid="import-panel">
            <summary>{move || t("import.title")}</summary>
            // The CSV header is syntax, the same in every language.
            <p class="muted small">
                {move || t("import.hint_before")} " " <code>{CSV_HEADER}</code> " "
                {move || t("import.hint_after")}
            </p>
            <textarea
                data-testid="import-text"
                rows="6"
                bind:value={text}
                translate="no"
                placeholder={CSV_HEADER}
                aria-label={move || t("import.title")}
            ></textarea>
            <label class="small">
                <input type="checkbox" data-testid="import-publish" bind:checked={publish} />
                {move || t("import.publish")}
            </label>
            <button
                data-testid="import-run"
                on:click={move |_| {
                    checked.set(text.get_untracked());
                    check.dispatch(text.get_untracked());
                }}
            >
                {move || t("import.run")}
            </button>
            {move || {
                (!duplicates.get().is_empty())
                    .then(|| {
                        view! {
                            <div class="notice warn" data-testid="import-duplicates">
                                <p>{move || t("import.duplicates")}</p>
                                <ul class="plain">
                                    {duplicates
                                        .get_untracked()
                                        .into_iter()
                                        .map(|d| {
                                            view! {
                                                <li data-testid="import-duplicate">
                                                    {format!(
                                                        "{} {}: {} → ",
                                                        tr(lang.get_untracked(), "import.line"),
                                                        d.line,
                                                        d.question,
                                                    )}
                                                    {d
                                                        .near
                                                        .into_iter()
                                                        .map(|n| {
                                                            view! {
                                                                <a href={format!(
                                                                    "/knowledge/{}",
                                                                    n.knowledge_id,
                                                                )}>{format!("#{} {} ", n.knowledge_id, n.question)}</a>
                                                            }
                                                        })
                                                        .collect_view()}
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                                <button
                                    data-testid="import-anyway"
                                    on:click={move |_| {
                                        duplicates.set(Vec::new());
                                        action.dispatch((checked.get_untracked(), publish.get_untracked()));
                                    }}
                                >
                                    {move || t("import.anyway")}
                                </button>
                            </div>
                        }
                            .into_any()
                    })
            }}
            {move || {
                action
                    .value()
                    .get()
                    .map(|r| match r {
                        Err(e) => {
                            view! {
                                <p class="error" data-testid="import-error">
                                    {error_text(&e)}
                                </p>
                            }
                                .into_any()
                        }
                        Ok(r) => {
                            view! {
                                <div data-testid="import-report">
                                    <p>
                                        {format!(
                                            "{} {} · {} {} · {} {}",
                                            r.created,
                                            tr(lang.get_untracked(), "import.created"),
                                            r.updated,
                                            tr(lang.get_untracked(), "import.updated"),
                                            r.unchanged,
                                            tr(lang.get_untracked(), "import.unchanged"),
                                        )}
                                    </p>
                                    <ul class="errors">
                                        {r
                                            .errors
                                            .into_iter()
                                            .map(|e| {
                                                let text = AppError::from(e.problem)
                                                    .text(lang.get_untracked());
                                                view! {
                                                    <li data-testid="import-line-error">
                                                        {format!(
                                                            "{} {}: {}",
                                                            tr(lang.get_untracked(), "import.line"),
                                                            e.line,
                                                            text,
                                                        )}
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                </div>
                            }
                                .into_any()
                        }
                    })
            }}
        </details>
    }
}

pub(crate) fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
