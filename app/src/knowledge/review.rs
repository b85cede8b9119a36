//! `/review`: the queue of submitted changes, each as a diff against what the bot serves now and
//! the regression check (every question whose answer would change); publish, or reject with a
//! comment back to the author.

use leptos::prelude::*;
use model::views::{PointDetail, PublishReport, Regression};

use super::api::{publish_knowledge, review_knowledge, review_queue, Checked};
use super::widgets::DiffView;
use crate::errors::AppError;
use crate::i18n::{tr, use_lang};
use crate::refusals::error_text;
use crate::time::Time;

type Publish = Action<(i32, i32, bool), Result<PublishReport, AppError>>;
type Reject = Action<(i32, i32, String), Result<PointDetail, AppError>>;

#[component]
pub fn ReviewPage() -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let queue = Resource::new(|| (), |_| review_queue());
    let publish: Publish =
        Action::new(|(id, version, force): &(i32, i32, bool)| publish_knowledge(*id, *version, *force));
    let reject: Reject = Action::new(|(id, version, comment): &(i32, i32, String)| {
        review_knowledge(*id, *version, false, comment.clone())
    });
    Effect::new(move |_| {
        if matches!(publish.value().get(), Some(Ok(_))) || matches!(reject.value().get(), Some(Ok(_))) {
            queue.refetch();
        }
    });
    view! {
        <section class="page wide">
            <h1>{move || t("review.title")}</h1>
            {move || match publish.value().get() {
                Some(Err(e)) => {
                    view! {
                        <p class="notice error" data-testid="review-error">
                            {error_text(&e)}
                        </p>
                    }
                        .into_any()
                }
                Some(Ok(r)) => {
                    view! {
                        <p class="notice ok" data-testid="review-message">
                            {format!("#{} · ", r.knowledge_id)}
                            {move || t("review.published")}
                            " · "
                            <strong data-testid="closed-misses">{r.closed_misses}</strong>
                            " "
                            {move || t("review.closed")}
                        </p>
                    }
                        .into_any()
                }
                None => ().into_any(),
            }}
            {move || match reject.value().get() {
                Some(Err(e)) => {
                    view! {
                        <p class="notice error" data-testid="review-error">
                            {error_text(&e)}
                        </p>
                    }
                        .into_any()
                }
                Some(Ok(d)) => {
                    view! {
                        <p class="notice ok" data-testid="review-message">
                            {format!("#{} · ", d.id)}
                            {move || t("review.rejected")}
                        </p>
                    }
                        .into_any()
                }
                None => ().into_any(),
            }}
            <Transition fallback={move || {
                view! { <p class="muted">{move || t("status.loading")}</p> }
            }}>
                {move || Suspend::new(async move {
                    match queue.await {
                        Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                        Ok(items) if items.is_empty() => {
                            view! {
                                <p class="muted" data-testid="review-empty">
                                    {move || t("review.empty")}
                                </p>
                            }
                                .into_any()
                        }
                        Ok(items) => {
                            items
                                .into_iter()
                                .map(|checked| view! { <ReviewCard checked publish reject /> })
                                .collect_view()
                                .into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ReviewCard(checked: Checked, publish: Publish, reject: Reject) -> impl IntoView {
    let Checked { item, regressions, test_regressions } = checked;
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let comment = RwSignal::new(String::new());
    let (id, version) = (item.point.id, item.point.version);
    // Publishing despite changed answers or failing test cases needs the reviewer to have seen
    // them here.
    let changes = regressions.len() + test_regressions.iter().filter(|r| !r.passed_after).count();
    view! {
        <article class="panel review-item" data-testid="review-item" data-id={id}>
            <header class="row">
                <h2>
                    <a href={format!("/knowledge/{id}")}>{item.point.question.clone()}</a>
                </h2>
                {item
                    .first_publication
                    .then(|| view! { <span class="badge st-draft">{move || t("review.new_point")}</span> })}
            </header>
            <p class="muted small">
                {item.point.category_path.clone()} " · " {item.submitted.author.clone()} " · "
                <Time at={item.submitted.created_at} /> " · #" {item.submitted.number}
            </p>
            <DiffView diff={item.diff} />
            {if regressions.is_empty() {
                view! {
                    <p class="notice ok small" data-testid="regressions-none">
                        {move || t("review.no_regressions")}
                    </p>
                }
                    .into_any()
            } else {
                view! { <RegressionList list={regressions} /> }.into_any()
            }}
            {(!test_regressions.is_empty())
                .then(|| view! { <TestRegressionList list={test_regressions} /> }.into_any())}
            <div class="row actions">
                <button
                    class="primary"
                    data-testid="approve"
                    on:click={move |_| {
                        publish.dispatch((id, version, changes > 0));
                    }}
                >
                    {move || t(if changes > 0 { "review.publish_anyway" } else { "review.approve" })}
                </button>
                <input
                    data-testid="reject-comment"
                    bind:value={comment}
                    placeholder={move || t("review.comment_hint")}
                />
                <button
                    class="ghost danger"
                    data-testid="reject"
                    on:click={move |_| {
                        reject.dispatch((id, version, comment.get_untracked()));
                    }}
                >
                    {move || t("review.reject")}
                </button>
            </div>
        </article>
    }
}

#[component]
fn RegressionList(list: Vec<Regression>) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let answer = move |q: Option<String>| q.unwrap_or_else(|| t("review.unanswered").to_string());
    view! {
        <div class="regressions" data-testid="regressions">
            <p class="notice warn small">{move || t("review.regressions")}</p>
            <table class="list">
                <thead>
                    <tr>
                        <th>{move || t("review.question")}</th>
                        <th>{move || t("review.was")}</th>
                        <th>{move || t("review.now")}</th>
                    </tr>
                </thead>
                <tbody>
                    {list
                        .into_iter()
                        .map(|r| {
                            view! {
                                <tr data-testid="regression">
                                    <td>{r.question}</td>
                                    <td>{answer(r.was)}</td>
                                    <td>{answer(r.now)}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The test cases whose result the draft changes: was → after, newly failing first.
#[component]
fn TestRegressionList(list: Vec<model::views::TestRegression>) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let answer = move |q: Option<String>| q.unwrap_or_else(|| t("review.unanswered").to_string());
    view! {
        <div class="regressions" data-testid="test-regressions">
            <p class="notice warn small">{move || t("review.test_regressions")}</p>
            <table class="list">
                <thead>
                    <tr>
                        <th>{move || t("review.test_set")}</th>
                        <th>{move || t("review.question")}</th>
                        <th>{move || t("testset.col.expected")}</th>
                        <th>{move || t("review.was")}</th>
                        <th>{move || t("review.now")}</th>
                    </tr>
                </thead>
                <tbody>
                    {list
                        .into_iter()
                        .map(|r| {
                            let (name, kind, set_id) = (r.set_name.clone(), r.kind, r.set_id);
                            let expected = match (r.expect, r.expect_question.clone()) {
                                (model::views::Expect::Unanswered, _) => None,
                                (_, q) => q,
                            };
                            let after = r.passed_after;
                            view! {
                                <tr data-testid="test-regression" data-passed-after={after.to_string()}>
                                    <td>
                                        <a href={format!("/testsets/{set_id}")} translate="no">
                                            {move || crate::testsets::set_name(lang.get(), &name, kind)}
                                        </a>
                                    </td>
                                    <td translate="no">{r.question.clone()}</td>
                                    <td translate="no">
                                        {move || {
                                            expected
                                                .clone()
                                                .unwrap_or_else(|| t("testset.expect_unanswered").to_string())
                                        }}
                                    </td>
                                    <td translate="no">{answer(r.was.clone())}</td>
                                    <td translate="no">
                                        {answer(r.now.clone())} " "
                                        <span class={if after {
                                            "badge st-published"
                                        } else {
                                            "badge st-rejected"
                                        }}>
                                            {move || t(
                                                if after {
                                                    "testset.change.newly_passing"
                                                } else {
                                                    "testset.change.newly_failing"
                                                },
                                            )}
                                        </span>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
