//! `/inbox`: the trainer workbench. Groups of questions the bot failed on, highest impact first,
//! on the left; the selected group on the right with its questions, suggestions and actions.
//! Keyboard first: j/k move, l link, n new, d dismiss, w wrong point, a poor answer, x mark, m merge, s split, v move, u undo,
//! ? shows the keys. Marked groups can be dismissed, linked or assigned at once. Working on a group claims it, so two trainers never work on the same one;
//! only looking (a supervisor passing through, the page opening on its top group) claims nothing.

mod api;
mod bulk;
pub mod decisions;
mod detail;
mod list;
mod page;
mod poor_answer;
mod rejected;

use crate::errors::AppError;
use leptos::prelude::*;
use model::views::{Assignment, BulkResolution, Claim, ClusterView, Decision, Resolution, Undone};

pub use api::*;
pub use page::InboxPage;

/// The side panel open on the selected group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Panel {
    None,
    Link,
    Create,
    Dismiss,
    /// The bot answered with the wrong point: a counter-example on it, and a link.
    WrongPoint,
    /// The bot answered with the right point, but its answer did not help: revise it.
    PoorAnswer,
}

/// One change the workbench asks of the inbox.
#[derive(Debug, Clone)]
pub enum Op {
    Decide(String, Decision),
    Merge(String, Vec<String>),
    Split(String, Vec<String>),
    Move(Vec<String>, String),
    Undo(String),
    /// One decision on every marked group.
    Bulk(Vec<String>, Decision),
    /// The marked groups to a trainer.
    Assign(Vec<String>, String),
}

#[derive(Debug, Clone)]
pub enum Done {
    Decided(Resolution, &'static str),
    Merged(usize),
    Split,
    Moved(usize),
    Undone(Undone),
    Bulk(BulkResolution, &'static str),
    Assigned(Assignment),
}

async fn run(op: Op) -> Result<Done, AppError> {
    Ok(match op {
        Op::Decide(group, decision) => {
            let what = match decision {
                Decision::Link { .. } => "inbox.done_link",
                Decision::Create { .. } => "inbox.done_create",
                Decision::Dismiss { .. } => "inbox.done_dismiss",
                Decision::WrongPoint { .. } => "inbox.done_wrong_point",
                Decision::PoorAnswer { .. } => "inbox.done_poor_answer",
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
        Op::Bulk(groups, decision) => {
            let what = match decision {
                Decision::Dismiss { .. } => "inbox.done_bulk_dismiss",
                _ => "inbox.done_bulk_link",
            };
            Done::Bulk(decide_groups(groups, decision).await?, what)
        }
        Op::Assign(groups, to) => Done::Assigned(assign_groups(groups, to).await?),
    })
}

/// The workbench's state, shared by the list, the detail pane and the keyboard.
#[derive(Clone, Copy)]
pub struct Bench {
    pub groups: RwSignal<Vec<ClusterView>>,
    pub selected: RwSignal<usize>,
    /// Whether the trainer has started working here (clicked a group, pressed a key, used the
    /// detail pane): from then on the selected group is claimed.
    pub engaged: RwSignal<bool>,
    /// Groups marked (x) to merge into the selected one or to move questions to.
    pub marked: RwSignal<Vec<String>>,
    /// Questions of the selected group chosen for link, create, split or move.
    pub checked: RwSignal<Vec<String>>,
    pub panel: RwSignal<Panel>,
    pub help: RwSignal<bool>,
    /// Decisions that can still be undone, newest last.
    pub undoable: RwSignal<Vec<String>>,
    pub act: Action<Op, Result<Done, AppError>>,
    /// The claim on the selected group: which group, and held or refused.
    pub claim: Action<String, (String, Result<Claim, AppError>)>,
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

    /// The trainer acts on the workbench: the selected group is theirs from now on.
    pub fn engage(&self) {
        if !self.engaged.get_untracked() {
            self.engaged.set(true);
        }
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
        if !matches!(key, "?" | "Escape") {
            self.engage();
        }
        let panel = self.panel.get_untracked();
        let digit = key.parse::<usize>().ok().filter(|d| (1..=9).contains(d));
        match (key, panel, digit) {
            ("j" | "ArrowDown", ..) => self.select(self.selected.get_untracked() + 1),
            ("k" | "ArrowUp", ..) => self.select(self.selected.get_untracked().saturating_sub(1)),
            ("l", ..) => self.panel.set(Panel::Link),
            ("n", ..) => self.panel.set(Panel::Create),
            ("d", ..) => self.panel.set(Panel::Dismiss),
            ("w", ..) => self.panel.set(Panel::WrongPoint),
            ("a", ..) => self.panel.set(Panel::PoorAnswer),
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
                if let Some((reason, _, _)) = crate::labels::DISMISS_REASONS.get(d - 1) {
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
