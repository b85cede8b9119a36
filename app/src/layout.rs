//! The frame around every page: top bar with the language switch, and the section navigation.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{set_lang, tr, use_lang};

const SECTIONS: [(&str, &str); 6] = [
    ("/", "nav.home"),
    ("/inbox", "nav.inbox"),
    ("/knowledge", "nav.knowledge"),
    ("/review", "nav.review"),
    ("/dashboard", "nav.dashboard"),
    ("/search", "nav.search"),
];

#[component]
pub fn Shell(children: Children) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    view! {
        <div class="app">
            <header class="topbar">
                <a class="brand" href="/">"botcoach"</a>
                <span class="tagline">{move || t("app.tagline")}</span>
                <button
                    class="lang-switch"
                    data-testid="lang-switch"
                    on:click=move |_| set_lang(lang, lang.get_untracked().other())
                >
                    {move || t("lang.switch")}
                </button>
            </header>
            <nav class="sidebar" data-testid="nav">
                {SECTIONS
                    .into_iter()
                    .map(|(href, key)| view! { <A href=href>{move || t(key)}</A> })
                    .collect_view()}
            </nav>
            <main class="content">{children()}</main>
        </div>
    }
}
