//! The admin page (the system's status) and the 404 page.

use leptos::prelude::*;

use crate::i18n::{tr, use_lang};
use crate::status::StatusPanel;

#[component]
pub fn Admin() -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="page">
            <h1>{move || tr(lang.get(), "admin.title")}</h1>
            <p class="lead">{move || tr(lang.get(), "admin.intro")}</p>
            <StatusPanel />
        </section>
    }
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
