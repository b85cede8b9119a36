//! `/inbox`: the trainer workbench. Groups of questions the bot failed on, highest impact first,
//! on the left; the selected group on the right with its questions, suggestions and actions.
//! Keyboard first: j/k move, l link, n new, d dismiss, x mark, m merge, s split, v move, u undo,
//! ? shows the keys. Opening a group claims it, so two trainers never work on the same one.

mod api;
mod detail;
mod list;

use leptos::ev;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use model::views::{Claim, ClusterView, Decision, Resolution, Undone};

pub use api::*;
use detail::GroupDetail;
use list::GroupRow;

use crate::auth::error_text;
use crate::i18n::{tr, use_lang};

const SIGNALS: [&str; 5] = ["no_match", "clarify_not_taken", "negative_feedback", "handoff", "reported"];
pub const REASONS: [&str; 4] = ["noise", "chit-chat", "out of scope", "abusive"];

/// The side panel open on the selected group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Panel {
    None,
    Link,
    Create,
    Dismiss,
}

/// One change the workbench asks of the inbox.
#[derive(Debug, Clone)]
pub enum Op {
    Decide(String, Decision),
    Merge(String, Vec<String>),
    Split(String, Vec<String>),
    Move(Vec<String>, String),
    Undo(String),
}

#[derive(Debug, Clone)]
pub enum Done {
    Decided(Resolution, &'static str),
    Merged(usize),
    Split,
    Moved(usize),
    Undone(Undone),
}

async fn run(op: Op) -> Result<Done, ServerFnError> {
    Ok(match op {
        Op::Decide(group, decision) => {
            let what = match decision {
                Decision::Link { .. } => "inbox.done_link",
                Decision::Create { .. } => "inbox.done_create",
                Decision::Dismiss { .. } => "inbox.done_dismiss",
            };
            Done::Decided(decide_group(group, decision).await?, what)
        }
        Op::Merge(into, from) => Done::Merged(merge_groups(into, from).await?),
        Op::Split(group, ids) => {
            split_group(group, ids).await?;
            Done::Split
        }
        Op::Move(ids, to) => Done::Moved(move_questions(ids, to).await?),
        Op::Undo(id) => Done::Undone(undo_decision(id).await?),
    })
}

/// The workbench's state, shared by the list, the detail pane and the keyboard.
#[derive(Clone, Copy)]
pub struct Bench {
    pub groups: RwSignal<Vec<ClusterView>>,
    pub selected: RwSignal<usize>,
    /// Groups marked (x) to merge into the selected one or to move questions to.
    pub marked: RwSignal<Vec<String>>,
    /// Questions of the selected group chosen for link, create, split or move.
    pub checked: RwSignal<Vec<String>>,
    pub panel: RwSignal<Panel>,
    pub help: RwSignal<bool>,
    /// Decisions that can still be undone, newest last.
    pub undoable: RwSignal<Vec<String>>,
    pub act: Action<Op, Result<Done, ServerFnError>>,
    /// The claim on the selected group: which group, and held or refused.
    pub claim: Action<String, (String, Result<Claim, ServerFnError>)>,
}

impl Bench {
    pub fn current(&self) -> Option<ClusterView> {
        self.groups.with(|g| g.get(self.selected.get()).cloned())
    }

    fn current_untracked(&self) -> Option<ClusterView> {
        self.groups.with_untracked(|g| g.get(self.selected.get_untracked()).cloned())
    }

    /// The chosen questions, or none for the whole group.
    pub fn chosen(&self) -> Option<Vec<String>> {
        Some(self.checked.get_untracked()).filter(|c| !c.is_empty())
    }

    fn select(&self, index: usize) {
        let n = self.groups.with_untracked(Vec::len);
        if n > 0 {
            self.selected.set(index.min(n - 1));
            self.checked.set(Vec::new());
            self.panel.set(Panel::None);
        }
    }

    /// What one key does when no field has the focus; whether it was one of ours.
    fn key(&self, key: &str) -> bool {
        // Undo and help work on an empty list too (the undone group comes back into it).
        if key == "u" {
            if let Some(last) = self.undoable.get_untracked().last().cloned() {
                self.act.dispatch(Op::Undo(last));
            }
            return true;
        }
        let Some(group) = self.current_untracked() else { return key == "?" && self.toggle_help() };
        let panel = self.panel.get_untracked();
        let digit = key.parse::<usize>().ok().filter(|d| (1..=9).contains(d));
        match (key, panel, digit) {
            ("j" | "ArrowDown", ..) => self.select(self.selected.get_untracked() + 1),
            ("k" | "ArrowUp", ..) => self.select(self.selected.get_untracked().saturating_sub(1)),
            ("l", ..) => self.panel.set(Panel::Link),
            ("n", ..) => self.panel.set(Panel::Create),
            ("d", ..) => self.panel.set(Panel::Dismiss),
            ("Escape", ..) => {
                self.panel.set(Panel::None);
                self.help.set(false);
            }
            ("?", ..) => return self.toggle_help(),
            ("x", ..) => self.marked.update(|m| match m.iter().position(|id| *id == group.id) {
                Some(i) => {
                    m.remove(i);
                }
                None => m.push(group.id.clone()),
            }),
            ("m", ..) => {
                let from: Vec<String> =
                    self.marked.get_untracked().into_iter().filter(|m| *m != group.id).collect();
                if !from.is_empty() {
                    self.act.dispatch(Op::Merge(group.id, from));
                }
            }
            ("s", ..) => {
                if let Some(ids) = self.chosen() {
                    self.act.dispatch(Op::Split(group.id, ids));
                }
            }
            ("v", ..) => {
                let to = self.marked.get_untracked().into_iter().find(|m| *m != group.id);
                if let (Some(ids), Some(to)) = (self.chosen(), to) {
                    self.act.dispatch(Op::Move(ids, to));
                }
            }
            // In the link panel a digit links to that suggestion; in the dismiss panel it is the
            // reason; otherwise it chooses that question.
            (_, Panel::Link, Some(d)) => {
                if let Some(s) = group.suggestions.get(d - 1) {
                    let decision =
                        Decision::Link { knowledge_id: s.knowledge_id.clone(), miss_ids: self.chosen() };
                    self.act.dispatch(Op::Decide(group.id, decision));
                }
            }
            (_, Panel::Dismiss, Some(d)) => {
                if let Some(reason) = REASONS.get(d - 1) {
                    self.act.dispatch(Op::Decide(group.id, Decision::Dismiss { reason: reason.to_string() }));
                }
            }
            (_, _, Some(d)) => {
                if let Some(m) = group.members.get(d - 1) {
                    let id = m.miss_id.clone();
                    self.checked.update(|c| match c.iter().position(|x| *x == id) {
                        Some(i) => {
                            c.remove(i);
                        }
                        None => c.push(id),
                    });
                }
            }
            _ => return false,
        }
        true
    }

    fn toggle_help(&self) -> bool {
        self.help.update(|h| *h = !*h);
        true
    }
}

#[component]
pub fn InboxPage() -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let text = RwSignal::new(String::new());
    let channel = RwSignal::new(String::new());
    let signal = RwSignal::new(String::new());
    let offset = RwSignal::new(0u64);
    let version = RwSignal::new(0u32);
    let page = Resource::new(
        move || (text.get(), channel.get(), signal.get(), offset.get(), version.get()),
        |(text, channel, signal, offset, _)| inbox_groups(text, channel, signal, offset),
    );
    let bench = Bench {
        groups: RwSignal::new(Vec::new()),
        selected: RwSignal::new(0),
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
    // Selecting a group claims it and lets go of the one before; a refresh of the same group
    // changes nothing (claiming and releasing it again could cross on the way).
    let current_id = Memo::new(move |_| bench.current().map(|g| g.id));
    Effect::new(move |before: Option<Option<String>>| {
        let id = current_id.get();
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
    let total = RwSignal::new(0i64);
    let loaded = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| match page.get() {
        Some(Ok(p)) => {
            total.set(p.total);
            let n = p.clusters.len();
            bench.groups.set(p.clusters);
            bench.selected.update(|s| *s = (*s).min(n.saturating_sub(1)));
            loaded.set(true);
            error.set(None);
        }
        Some(Err(e)) => error.set(Some(error_text(&e))),
        None => {}
    });
    let notice = RwSignal::new(None::<(bool, String)>);
    Effect::new(move |_| {
        let Some(result) = bench.act.value().get() else { return };
        let lang = lang.get_untracked();
        match result {
            Ok(done) => {
                let message = match done {
                    Done::Decided(r, what) => {
                        bench.undoable.update(|u| u.push(r.decision_id.clone()));
                        format!("{} {} {}", r.resolved_misses, tr(lang, what), tr(lang, "inbox.undo_hint"))
                    }
                    Done::Merged(n) => format!("{n} {}", tr(lang, "inbox.done_merge")),
                    Done::Split => tr(lang, "inbox.done_split").to_string(),
                    Done::Moved(n) => format!("{n} {}", tr(lang, "inbox.done_move")),
                    Done::Undone(u) => {
                        bench.undoable.update(|list| {
                            list.pop();
                        });
                        format!("{} {}", u.reopened_misses, tr(lang, "inbox.done_undo"))
                    }
                };
                notice.set(Some((true, message)));
                bench.checked.set(Vec::new());
                bench.marked.set(Vec::new());
                bench.panel.set(Panel::None);
                version.update(|v| *v += 1);
            }
            Err(e) => notice.set(Some((false, error_text(&e)))),
        }
    });
    let regroup = Action::new(|_: &()| regroup_inbox());
    Effect::new(move |_| {
        if regroup.value().get().is_some() {
            version.update(|v| *v += 1);
        }
    });
    // The keys, registered in the browser only; typing in a field is left alone.
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

    view! {
        <section class="page wide" data-testid="inbox">
            <header class="row">
                <h1>{move || t("inbox.title")}</h1>
                <button class="ghost small" data-testid="keys-open" on:click=move |_| { bench.toggle_help(); }>
                    "? " {move || t("inbox.keys")}
                </button>
            </header>
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
                {move || bench.undoable.get().last().cloned().map(|id| view! {
                    <button class="ghost" data-testid="undo" on:click=move |_| { bench.act.dispatch(Op::Undo(id.clone())); }>
                        "↶ " {move || t("inbox.undo")} " (u)"
                    </button>
                })}
            </div>
            {move || notice.get().map(|(ok, m)| view! {
                <p class=if ok { "notice ok" } else { "notice error" } data-testid=if ok { "inbox-message" } else { "inbox-error" }>{m}</p>
            })}
            {move || error.get().map(|e| view! { <p class="error">{e}</p> })}
            <Show when=move || bench.help.get()>
                <KeyHelp/>
            </Show>
            <Show when=move || loaded.get() && bench.groups.with(Vec::is_empty)>
                <p class="muted" data-testid="inbox-empty">{move || t("inbox.empty")}</p>
            </Show>
            <Show when=move || !bench.groups.with(Vec::is_empty)>
                <p class="small muted" data-testid="inbox-total">{move || total.get()} " " {move || t("inbox.groups")}</p>
                <div class="bench">
                    <ul class="groups" data-testid="groups">
                        <For each=move || bench.groups.get().into_iter().enumerate()
                            key=|(i, g)| (*i, g.id.clone(), g.size, g.volume, g.claimed_by.clone())
                            children=move |(i, g)| view! { <GroupRow index=i group=g bench/> }/>
                    </ul>
                    {move || bench.current().map(|g| view! { <GroupDetail group=g bench/> })}
                </div>
                <div class="pager">
                    <button disabled=move || offset.get() == 0
                        on:click=move |_| offset.update(|o| *o = o.saturating_sub(PAGE))>"‹"</button>
                    <button disabled={move || offset.get() + bench.groups.with(Vec::len) as u64 >= total.get() as u64}
                        on:click=move |_| offset.update(|o| *o += PAGE)>"›"</button>
                </div>
            </Show>
        </section>
    }
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
                {keys.into_iter().map(|(k, what)| view! { <dt><kbd>{k}</kbd></dt><dd>{move || tr(lang.get(), what)}</dd> }).collect_view()}
            </dl>
        </div>
    }
}
