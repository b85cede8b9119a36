//! The `/inbox` page: a toolbar (search, filters, regroup, undo), the group list with the
//! selected group beside it, and the keys. Each part is its own component whose view is erased
//! with `.into_any()`: nested as one `view!`, the page's type was deep enough that the release
//! wasm build ran out of the compiler's query depth.

use leptos::ev;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;

use super::bulk::BulkBar;
use super::detail::GroupDetail;
use super::list::GroupRow;
use super::{
    claim_group, inbox_groups, my_decisions, regroup_inbox, release_group, run, Bench, Done, Op, Panel, PAGE,
};
use crate::i18n::{count, tr, use_lang, Lang};
use crate::labels::Label;
use crate::refusals::error_text;
use model::views::{Channel, Language, Signal};

/// What the list shows: the search and filters, the page, and a counter bumped to reload it.
#[derive(Clone, Copy)]
struct Filters {
    text: RwSignal<String>,
    channel: RwSignal<String>,
    signal: RwSignal<String>,
    /// `cost`, or empty for impact.
    rank: RwSignal<String>,
    /// `zh`, `en`, or empty for both.
    language: RwSignal<String>,
    offset: RwSignal<u64>,
    version: RwSignal<u32>,
}

impl Filters {
    fn new() -> Self {
        Self {
            text: RwSignal::new(String::new()),
            channel: RwSignal::new(String::new()),
            signal: RwSignal::new(String::new()),
            rank: RwSignal::new(String::new()),
            language: RwSignal::new(String::new()),
            offset: RwSignal::new(0),
            version: RwSignal::new(0),
        }
    }

    /// A filter changed: back to the first page.
    fn set(&self, which: RwSignal<String>, value: String) {
        self.offset.set(0);
        which.set(value);
    }

    fn reload(&self) {
        self.version.update(|v| *v += 1);
    }
}

/// The page's loaded list: how many groups match in all, whether a page came, and its error.
#[derive(Clone, Copy)]
struct Listing {
    total: RwSignal<i64>,
    loaded: RwSignal<bool>,
    error: RwSignal<Option<String>>,
}

#[component]
pub fn InboxPage() -> impl IntoView {
    let lang = use_lang();
    let filters = Filters::new();
    let bench = Bench {
        groups: RwSignal::new(Vec::new()),
        selected: RwSignal::new(0),
        engaged: RwSignal::new(false),
        marked: RwSignal::new(Vec::new()),
        checked: RwSignal::new(Vec::new()),
        panel: RwSignal::new(Panel::None),
        help: RwSignal::new(false),
        undoable: RwSignal::new(Vec::new()),
        act: Action::new(|op: &Op| run(op.clone())),
        claim: Action::new(|id: &String| {
            let id = id.clone();
            async move { (id.clone(), claim_group(id).await) }
        }),
    };
    let listing = load_groups(filters, bench);
    latest_undoable(bench);
    claims_follow_selection(bench);
    let notice = report_results(bench, filters, lang);
    bind_keys(bench);

    view! {
        <section class="page wide" data-testid="inbox">
            <header class="row">
                <h1>{move || tr(lang.get(), "inbox.title")}</h1>
                <button
                    class="ghost small"
                    data-testid="keys-open"
                    on:click={move |_| {
                        bench.toggle_help();
                    }}
                >
                    "? "
                    {move || tr(lang.get(), "inbox.keys")}
                </button>
            </header>
            <p class="lead">{move || tr(lang.get(), "inbox.intro")}</p>
            <Toolbar filters bench />
            {move || {
                notice
                    .get()
                    .map(|(ok, m)| {
                        view! {
                            <p
                                class={if ok { "notice ok" } else { "notice error" }}
                                data-testid={if ok { "inbox-message" } else { "inbox-error" }}
                            >
                                {m}
                            </p>
                        }
                    })
            }}
            {move || listing.error.get().map(|e| view! { <p class="error">{e}</p> })}
            <Show when={move || bench.help.get()}>
                <KeyHelp />
            </Show>
            <Show when={move || listing.loaded.get() && bench.groups.with(Vec::is_empty)}>
                <p class="muted" data-testid="inbox-empty">
                    {move || tr(lang.get(), "inbox.empty")}
                </p>
            </Show>
            <Show when={move || !bench.marked.with(Vec::is_empty)}>
                <BulkBar bench />
            </Show>
            <Show when={move || !bench.groups.with(Vec::is_empty)}>
                <Groups filters bench total={listing.total} />
            </Show>
        </section>
    }
    .into_any()
}

/// Loads the page of groups the filters ask for into the bench. The selected group stays
/// selected where it moved to (a merge grows it, a decision reorders the list); when it left the
/// page, the selection stays at its place, in range.
fn load_groups(filters: Filters, bench: Bench) -> Listing {
    let page = Resource::new(
        move || {
            (
                filters.text.get(),
                filters.channel.get(),
                filters.signal.get(),
                filters.rank.get(),
                filters.language.get(),
                filters.offset.get(),
                filters.version.get(),
            )
        },
        |(text, channel, signal, rank, language, offset, _)| {
            inbox_groups(text, channel, signal, rank, language, offset)
        },
    );
    let listing =
        Listing { total: RwSignal::new(0), loaded: RwSignal::new(false), error: RwSignal::new(None) };
    Effect::new(move |_| match page.get() {
        Some(Ok(p)) => {
            listing.total.set(p.total);
            let n = p.clusters.len();
            let kept = bench.current_untracked().map(|g| g.id);
            let at = kept.and_then(|id| p.clusters.iter().position(|g| g.id == id));
            let mut clusters = p.clusters;
            // A digit means the suggestion the trainer saw: a group's suggestions keep their
            // order while it stays in the list, though publishing elsewhere re-ranks them.
            bench.groups.with_untracked(|old| {
                for g in clusters.iter_mut() {
                    if let Some(before) = old.iter().find(|o| o.id == g.id && !o.suggestions.is_empty()) {
                        g.suggestions = before.suggestions.clone();
                    }
                }
            });
            bench.groups.set(clusters);
            bench.selected.update(|s| *s = at.unwrap_or(*s).min(n.saturating_sub(1)));
            listing.loaded.set(true);
            listing.error.set(None);
        }
        Some(Err(e)) => listing.error.set(Some(error_text(&e))),
        None => {}
    });
    listing
}

/// After a reload `u` still takes back the trainer's latest decision, while it can be undone.
fn latest_undoable(bench: Bench) {
    let mine = Resource::new(|| (), |_| my_decisions(false));
    Effect::new(move |_| {
        if let Some(Ok(list)) = mine.get() {
            // The latest decision only: `u` never reaches back past one that cannot be undone.
            if let Some(d) = list.into_iter().next().filter(|d| d.undoable) {
                bench.undoable.update(|u| {
                    if u.is_empty() {
                        u.push(d.id);
                    }
                });
            }
        }
    });
}

/// Once the trainer works here, the selected group is claimed and the one before let go; a
/// refresh of the same group changes nothing (claiming and releasing it again could cross on
/// the way). Leaving the page lets go of the claim.
fn claims_follow_selection(bench: Bench) {
    let current_id = Memo::new(move |_| bench.current().map(|g| g.id));
    let claimed = Memo::new(move |_| if bench.engaged.get() { current_id.get() } else { None });
    on_cleanup(move || {
        if let Some(Some(id)) = claimed.try_get_untracked() {
            leptos::task::spawn_local(async move {
                let _ = release_group(id).await;
            });
        }
    });
    Effect::new(move |before: Option<Option<String>>| {
        let id = claimed.get();
        if let Some(Some(old)) = before.filter(|b| *b != id) {
            leptos::task::spawn_local(async move {
                let _ = release_group(old).await;
            });
        }
        if let Some(id) = id.clone() {
            bench.claim.dispatch(id);
        }
        id
    });
}

/// Turns each finished change into a notice (success or the error), remembers what can be
/// undone, clears the choices and reloads the list.
fn report_results(bench: Bench, filters: Filters, lang: RwSignal<Lang>) -> RwSignal<Option<(bool, String)>> {
    let notice = RwSignal::new(None::<(bool, String)>);
    Effect::new(move |_| {
        let Some(result) = bench.act.value().get() else { return };
        let lang = lang.get_untracked();
        match result {
            Ok(done) => {
                let message = match done {
                    Done::Decided(r, what) => {
                        bench.undoable.update(|u| u.push(r.decision_id.clone()));
                        format!(
                            "{} {}",
                            count(lang, r.resolved_misses as i64, what),
                            tr(lang, "inbox.undo_hint")
                        )
                    }
                    Done::Merged(n) => count(lang, n as i64, "inbox.done_merge"),
                    Done::Split => tr(lang, "inbox.done_split").to_string(),
                    Done::Moved(n) => count(lang, n as i64, "inbox.done_move"),
                    Done::Undone(u) => {
                        bench.undoable.update(|list| {
                            list.pop();
                        });
                        count(lang, u.reopened_misses as i64, "inbox.done_undo")
                    }
                    Done::Bulk(r, what) => {
                        bench.undoable.update(|u| u.push(r.decision_id.clone()));
                        format!("{} {}", count(lang, r.groups as i64, what), tr(lang, "inbox.undo_hint"))
                    }
                    Done::Assigned(a) => {
                        format!("{} {}", count(lang, a.groups as i64, "inbox.done_assign"), a.to)
                    }
                };
                notice.set(Some((true, message)));
                bench.checked.set(Vec::new());
                bench.marked.set(Vec::new());
                bench.panel.set(Panel::None);
                filters.reload();
            }
            Err(e) => notice.set(Some((false, error_text(&e)))),
        }
    });
    notice
}

/// The keys, registered in the browser only; typing in a field is left alone.
fn bind_keys(bench: Bench) {
    Effect::new(move |_| {
        let handle = window_event_listener(ev::keydown, move |ev| {
            if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
                return;
            }
            let typing = ev
                .target()
                .and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok())
                .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
            if typing {
                if ev.key() == "Escape" {
                    bench.panel.set(Panel::None);
                }
                return;
            }
            if bench.key(&ev.key()) {
                ev.prevent_default();
            }
        });
        on_cleanup(move || handle.remove());
    });
}

/// Search, channel, signal and language filters, the order (impact or cost), regroup, and undo of the last decision.
#[component]
fn Toolbar(filters: Filters, bench: Bench) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let regroup = Action::new(|_: &()| regroup_inbox());
    Effect::new(move |_| {
        if regroup.value().get().is_some() {
            filters.reload();
        }
    });
    view! {
        <div class="toolbar">
            <input
                type="search"
                data-testid="inbox-search"
                placeholder={move || t("inbox.search")}
                on:input={move |ev| filters.set(filters.text, event_target_value(&ev))}
            />
            <select
                data-testid="inbox-channel"
                aria-label={move || t("dashboard.channel")}
                on:change={move |ev| filters.set(filters.channel, event_target_value(&ev))}
            >
                <option value="">{move || t("inbox.all_channels")}</option>
                {Channel::ALL
                    .iter()
                    .map(|c| view! { <option value={c.as_str()}>{move || c.label(lang.get())}</option> })
                    .collect_view()}
            </select>
            <select
                data-testid="inbox-signal"
                aria-label={move || t("filter.signal")}
                on:change={move |ev| filters.set(filters.signal, event_target_value(&ev))}
            >
                <option value="">{move || t("inbox.all_signals")}</option>
                {Signal::ALL
                    .iter()
                    .map(|s| view! { <option value={s.as_str()}>{move || s.label(lang.get())}</option> })
                    .collect_view()}
            </select>
            <select
                data-testid="inbox-language"
                aria-label={move || t("inbox.language")}
                on:change={move |ev| filters.set(filters.language, event_target_value(&ev))}
            >
                <option value="">{move || t("inbox.all_languages")}</option>
                {Language::ALL
                    .iter()
                    .map(|l| view! { <option value={l.as_str()}>{move || l.label(lang.get())}</option> })
                    .collect_view()}
            </select>
            <select
                data-testid="inbox-rank"
                aria-label={move || t("inbox.rank")}
                title={move || t("inbox.rank_cost_hint")}
                on:change={move |ev| filters.set(filters.rank, event_target_value(&ev))}
            >
                <option value="">{move || t("inbox.rank_impact")}</option>
                <option value="cost">{move || t("inbox.rank_cost")}</option>
            </select>
            <button
                data-testid="inbox-regroup"
                on:click={move |_| {
                    regroup.dispatch(());
                }}
                disabled={move || regroup.pending().get()}
            >
                {move || t("inbox.regroup")}
            </button>
            {move || {
                bench
                    .undoable
                    .get()
                    .last()
                    .cloned()
                    .map(|id| {
                        view! {
                            <button
                                class="ghost"
                                data-testid="undo"
                                on:click={move |_| {
                                    bench.act.dispatch(Op::Undo(id.clone()));
                                }}
                            >
                                "↶ "
                                {move || t("inbox.undo")}
                                " (u)"
                            </button>
                        }
                    })
            }}
        </div>
    }
    .into_any()
}

/// The page of groups, the selected group beside it, and the pager.
#[component]
fn Groups(filters: Filters, bench: Bench, total: RwSignal<i64>) -> impl IntoView {
    let lang = use_lang();
    let offset = filters.offset;
    view! {
        <p class="small muted" data-testid="inbox-total">
            {move || count(lang.get(), total.get(), "inbox.groups")}
        </p>
        <div class="bench">
            // A list to choose from (keys j/k), scrollable by keyboard too.
            <ul
                class="groups"
                data-testid="groups"
                role="listbox"
                tabindex="0"
                aria-label={move || tr(lang.get(), "inbox.groups_list")}
            >
                <For
                    each={move || bench.groups.get().into_iter().enumerate()}
                    key={|(i, g)| (*i, g.id.clone(), g.size, g.volume, g.claimed_by.clone())}
                    children={move |(i, g)| view! { <GroupRow index={i} group={g} bench /> }}
                />
            </ul>
            {move || bench.current().map(|g| view! { <GroupDetail group={g} bench /> })}
        </div>
        <div class="pager">
            <button
                disabled={move || offset.get() == 0}
                on:click={move |_| offset.update(|o| *o = o.saturating_sub(PAGE))}
            >
                "‹"
            </button>
            <button
                disabled={move || offset.get() + bench.groups.with(Vec::len) as u64 >= total.get() as u64}
                on:click={move |_| offset.update(|o| *o += PAGE)}
            >
                "›"
            </button>
        </div>
    }
    .into_any()
}

#[component]
fn KeyHelp() -> impl IntoView {
    let lang = use_lang();
    let keys = [
        ("j / k", "inbox.key_move"),
        ("1–9", "inbox.key_choose"),
        ("l", "inbox.key_link"),
        ("n", "inbox.key_new"),
        ("d", "inbox.key_dismiss"),
        ("w", "inbox.key_wrong_point"),
        ("a", "inbox.key_poor_answer"),
        ("x", "inbox.key_mark"),
        ("m", "inbox.key_merge"),
        ("s", "inbox.key_split"),
        ("v", "inbox.key_move_question"),
        ("u", "inbox.key_undo"),
        ("Esc", "inbox.key_close"),
        ("?", "inbox.key_help"),
    ];
    view! {
        <div class="panel keys" data-testid="keys">
            <dl>
                {keys
                    .into_iter()
                    .map(|(k, what)| {
                        view! {
                            <dt>
                                <kbd>{k}</kbd>
                            </dt>
                            <dd>{move || tr(lang.get(), what)}</dd>
                        }
                    })
                    .collect_view()}
            </dl>
        </div>
    }
}
