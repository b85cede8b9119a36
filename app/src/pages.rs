//! One component per section. Sections not built yet say what they will hold.

use leptos::prelude::*;

use crate::i18n::{tr, use_lang};
use crate::status::StatusPanel;

#[component]
fn Planned(title: &'static str, body: &'static str) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="page">
            <h1>{move || tr(lang.get(), title)}</h1>
            <span class="badge">{move || tr(lang.get(), "planned.badge")}</span>
            <p class="lead">{move || tr(lang.get(), body)}</p>
        </section>
    }
}

#[component]
pub fn Home() -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="page">
            <h1>{move || tr(lang.get(), "home.title")}</h1>
            <p class="lead">{move || tr(lang.get(), "home.intro")}</p>
            <StatusPanel/>
        </section>
    }
}

#[component]
pub fn Dashboard() -> impl IntoView {
    view! { <Planned title="dashboard.title" body="dashboard.planned"/> }
}

#[component]
pub fn NotFound() -> impl IntoView {
    let lang = use_lang();
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <section class="page">
            <h1>{move || tr(lang.get(), "notfound.title")}</h1>
        </section>
    }
}
