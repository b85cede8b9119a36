//! The home page, one per role: a trainer sees their own work (the groups they hold, their
//! drafts and what was sent back, what their published points closed this week); a reviewer
//! the review queue, oldest first; a supervisor the week's coverage and backlog. The system's
//! status is on the admin page.

use leptos::prelude::*;
use model::views::{RevisionState, Role};

use crate::auth::use_me;
use crate::dashboard::dashboard_summary;
use crate::i18n::{count, tr, use_lang};
use crate::inbox::my_queue;
use crate::knowledge::api::{my_desk, review_waiting};
use crate::labels::Label;
use crate::refusals::error_text;
use crate::time::Time;

#[component]
pub fn Home() -> impl IntoView {
    let lang = use_lang();
    let me = use_me();
    view! {
        <section class="page" data-testid="home">
            <h1>{move || tr(lang.get(), "home.title")}</h1>
            <p class="lead">{move || tr(lang.get(), "home.intro")}</p>
            <Transition fallback={|| ()}>
                {move || {
                    me.get()
                        .flatten()
                        .map(|m| match m.role {
                            Role::Reviewer => view! { <ReviewerHome /> }.into_any(),
                            Role::Supervisor | Role::Admin => view! { <SupervisorHome /> }.into_any(),
                            _ => view! { <TrainerHome /> }.into_any(),
                        })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn TrainerHome() -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let queue = Resource::new(|| (), |_| my_queue());
    let desk = Resource::new(|| (), |_| my_desk());
    view! {
        <HomePanel testid="home-queue" title="home.my_queue" href="/inbox" link="home.open_inbox">
            <Transition fallback={|| ()}>
                {move || {
                    queue
                        .get()
                        .map(|r| match r {
                            Ok(page) if page.clusters.is_empty() => {
                                view! { <p class="muted">{move || t("home.queue_empty")}</p> }.into_any()
                            }
                            Ok(page) => {
                                view! {
                                    <ul class="plain">
                                        {page
                                            .clusters
                                            .into_iter()
                                            .map(|g| {
                                                let (size, volume) = (g.size, g.volume);
                                                view! {
                                                    <li data-testid="home-group">
                                                        <span class="clamp">{g.label}</span>
                                                        " · "
                                                        {move || count(lang.get(), size, "inbox.questions")}
                                                        " · "
                                                        {move || count(lang.get(), volume, "inbox.reports")}
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }
                            Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                        })
                }}
            </Transition>
        </HomePanel>
        <Transition fallback={|| ()}>
            {move || {
                desk.get()
                    .map(|r| match r {
                        Ok(d) => {
                            let closed = d.closed_this_week;
                            view! {
                                <HomePanel
                                    testid="home-drafts"
                                    title="home.my_drafts"
                                    href="/decisions"
                                    link="nav.decisions"
                                >
                                    {if d.drafts.is_empty() {
                                        view! { <p class="muted">{move || t("home.no_drafts")}</p> }
                                            .into_any()
                                    } else {
                                        view! {
                                            <ul class="plain">
                                                {d
                                                    .drafts
                                                    .into_iter()
                                                    .map(|draft| {
                                                        let state = draft.state;
                                                        let back = state == RevisionState::Rejected;
                                                        view! {
                                                            <li data-testid="home-draft" class:sent-back={back}>
                                                                <a href={format!(
                                                                    "/knowledge/{}",
                                                                    draft.knowledge_id,
                                                                )}>{draft.question}</a>
                                                                " · "
                                                                <span class="badge">{move || state.label(lang.get())}</span>
                                                                " · "
                                                                <Time at={draft.saved_at} />
                                                                {draft
                                                                    .review_comment
                                                                    .filter(|_| back)
                                                                    .map(|c| {
                                                                        view! {
                                                                            <p class="small" data-testid="home-comment">
                                                                                {draft.reviewed_by.unwrap_or_default()}
                                                                                ": "
                                                                                {c}
                                                                            </p>
                                                                        }
                                                                    })}
                                                            </li>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </ul>
                                        }
                                            .into_any()
                                    }}
                                </HomePanel>
                                <section class="panel" data-testid="home-closed">
                                    <p>
                                        <strong class="figure" data-testid="home-closed-count">
                                            {closed}
                                        </strong>
                                        " "
                                        {move || t("home.closed_this_week")}
                                    </p>
                                </section>
                            }
                                .into_any()
                        }
                        Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                    })
            }}
        </Transition>
    }
}

#[component]
fn ReviewerHome() -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let waiting = Resource::new(|| (), |_| review_waiting());
    view! {
        <HomePanel testid="home-review" title="home.review_queue" href="/review" link="home.open_review">
            <Transition fallback={|| ()}>
                {move || {
                    waiting
                        .get()
                        .map(|r| match r {
                            Ok(items) if items.is_empty() => {
                                view! { <p class="muted">{move || t("home.review_empty")}</p> }.into_any()
                            }
                            Ok(items) => {
                                view! {
                                    <ul class="plain">
                                        {items
                                            .into_iter()
                                            .map(|i| {
                                                view! {
                                                    <li data-testid="home-review-item">
                                                        <a href="/review">{i.point.question}</a>
                                                        " · "
                                                        {i.submitted.author}
                                                        " · "
                                                        <Time at={i.submitted.created_at} />
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }
                            Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                        })
                }}
            </Transition>
        </HomePanel>
    }
}

#[component]
fn SupervisorHome() -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let week = Resource::new(|| (), |_| dashboard_summary(7, String::new()));
    view! {
        <HomePanel testid="home-week" title="home.week" href="/dashboard" link="home.open_dashboard">
            <Transition fallback={|| ()}>
                {move || {
                    week.get()
                        .map(|r| match r {
                            Ok(s) => {
                                let coverage = format!("{:.1}%", s.coverage * 100.0);
                                let (asks, open_misses, open_groups, closed) = (
                                    s.asks,
                                    s.open_misses,
                                    s.open_clusters,
                                    s.loop_yield,
                                );
                                view! {
                                    <dl class="figures">
                                        <dt>{move || t("home.coverage")}</dt>
                                        <dd data-testid="home-coverage">{coverage}</dd>
                                        <dt>{move || t("home.asks")}</dt>
                                        <dd>{asks}</dd>
                                        <dt>{move || t("home.backlog")}</dt>
                                        <dd data-testid="home-backlog">
                                            {move || count(lang.get(), open_misses, "inbox.questions")} " · "
                                            {move || count(lang.get(), open_groups, "inbox.groups")}
                                        </dd>
                                        <dt>{move || t("home.closed_week")}</dt>
                                        <dd>{closed}</dd>
                                    </dl>
                                }
                                    .into_any()
                            }
                            Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                        })
                }}
            </Transition>
        </HomePanel>
    }
}

/// A panel of the home page: its title, and a link to the page where its work is done.
#[component]
fn HomePanel(
    testid: &'static str,
    title: &'static str,
    href: &'static str,
    link: &'static str,
    children: Children,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="panel" data-testid={testid}>
            <header class="panel-head">
                <h2>{move || tr(lang.get(), title)}</h2>
                <a href={href}>{move || tr(lang.get(), link)}</a>
            </header>
            {children()}
        </section>
    }
}
