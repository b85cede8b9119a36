//! The frame around every page: top bar with the language switch, and the section navigation.

use leptos::prelude::*;
use leptos_router::components::A;

use model::views::Role;

use crate::auth::{use_me, UserMenu};
use crate::i18n::{set_lang, tr, use_lang};

/// Each section and the role it needs (the server enforces it; the menu only hides what the
/// user could not open).
const SECTIONS: [(&str, &str, Role); 8] = [
    ("/", "nav.home", Role::Trainer),
    ("/inbox", "nav.inbox", Role::Trainer),
    ("/knowledge", "nav.knowledge", Role::Trainer),
    ("/health", "nav.health", Role::Trainer),
    ("/review", "nav.review", Role::Reviewer),
    ("/dashboard", "nav.dashboard", Role::Supervisor),
    ("/dashboard/model", "nav.model", Role::Supervisor),
    ("/search", "nav.search", Role::Trainer),
];

#[component]
pub fn Shell(children: Children) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let me = use_me();
    let may = move |role: Role| me.get().flatten().is_some_and(|m| m.role.includes(role));
    view! {
        <div class="app">
            <header class="topbar">
                <a class="brand" href="/">"botcoach"</a>
                <span class="tagline">{move || t("app.tagline")}</span>
                <span class="spacer"></span>
                <UserMenu/>
                <button
                    class="lang-switch"
                    data-testid="lang-switch"
                    on:click=move |_| set_lang(lang, lang.get_untracked().other())
                >
                    {move || t("lang.switch")}
                </button>
            </header>
            <nav class="sidebar" data-testid="nav">
                <Transition fallback=|| ()>
                    {move || {
                        SECTIONS
                            .into_iter()
                            .filter(|(_, _, role)| may(*role))
                            .map(|(href, key, _)| view! { <A href=href>{move || t(key)}</A> })
                            .collect_view()
                    }}
                </Transition>
            </nav>
            <main class="content">{children()}</main>
        </div>
    }
}
