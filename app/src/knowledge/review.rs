//! `/review`: the queue of submitted changes, each as a diff against what the bot serves now;
//! approve and publish, or reject with a comment back to the author.

use leptos::prelude::*;
use model::views::ReviewItem;

use super::api::{review_knowledge, review_queue};
use super::widgets::{short_time, DiffView};
use crate::auth::error_text;
use crate::i18n::{tr, use_lang};

#[component]
pub fn ReviewPage() -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let queue = Resource::new(|| (), |_| review_queue());
    let decide = Action::new(|(id, version, approve, comment): &(i32, i32, bool, String)| {
        review_knowledge(*id, *version, *approve, comment.clone())
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = decide.value().get() {
            queue.refetch();
        }
    });
    view! {
        <section class="page wide">
            <h1>{move || t("review.title")}</h1>
            {move || match decide.value().get() {
                Some(Err(e)) => view! { <p class="notice error" data-testid="review-error">{error_text(&e)}</p> }.into_any(),
                Some(Ok(d)) => view! {
                    <p class="notice ok" data-testid="review-message">{format!("#{} · ", d.id)} {move || t(if d.status == model::views::PointStatus::Published { "review.published" } else { "review.rejected" })}</p>
                }.into_any(),
                None => ().into_any(),
            }}
            <Transition fallback=move || view! { <p class="muted">{move || t("status.loading")}</p> }>
                {move || Suspend::new(async move {
                    match queue.await {
                        Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                        Ok(items) if items.is_empty() => view! { <p class="muted" data-testid="review-empty">{move || t("review.empty")}</p> }.into_any(),
                        Ok(items) => items.into_iter().map(|item| view! { <ReviewCard item decide/> }).collect_view().into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ReviewCard(
    item: ReviewItem,
    decide: Action<(i32, i32, bool, String), Result<model::views::PointDetail, ServerFnError>>,
) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let comment = RwSignal::new(String::new());
    let (id, version) = (item.point.id, item.point.version);
    view! {
        <article class="panel review-item" data-testid="review-item" data-id=id>
            <header class="row">
                <h2><a href=format!("/knowledge/{id}")>{item.point.question.clone()}</a></h2>
                {item.first_publication.then(|| view! { <span class="badge st-draft">{move || t("review.new_point")}</span> })}
            </header>
            <p class="muted small">
                {item.point.category_path.clone()} " · " {item.submitted.author.clone()} " · " {short_time(item.submitted.created_at)}
                " · #" {item.submitted.number}
            </p>
            <DiffView diff=item.diff/>
            <div class="row actions">
                <button class="primary" data-testid="approve" on:click=move |_| { decide.dispatch((id, version, true, String::new())); }>
                    {move || t("review.approve")}
                </button>
                <input data-testid="reject-comment" bind:value=comment placeholder=move || t("review.comment_hint")/>
                <button class="ghost danger" data-testid="reject" on:click=move |_| { decide.dispatch((id, version, false, comment.get_untracked())); }>
                    {move || t("review.reject")}
                </button>
            </div>
        </article>
    }
}
