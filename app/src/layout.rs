//! The frame around every page: top bar with the language switch, and the section navigation.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use model::views::Role;

use crate::auth::{use_me, UserMenu};
use crate::i18n::{set_lang, tr, use_lang};

/// Each section and the role it needs (the server enforces it; the menu only hides what the
/// user could not open).
const SECTIONS: [(&str, &str, Role); 12] = [
    ("/", "nav.home", Role::Trainer),
    ("/inbox", "nav.inbox", Role::Trainer),
    ("/decisions", "nav.decisions", Role::Trainer),
    ("/knowledge", "nav.knowledge", Role::Trainer),
    ("/health", "nav.health", Role::Trainer),
    ("/synonyms", "nav.synonyms", Role::Trainer),
    ("/testsets", "nav.testsets", Role::Trainer),
    ("/review", "nav.review", Role::Reviewer),
    ("/dashboard", "nav.dashboard", Role::Supervisor),
    ("/dashboard/model", "nav.model", Role::Supervisor),
    ("/search", "nav.search", Role::Trainer),
    ("/admin", "nav.admin", Role::Admin),
];

#[component]
pub fn Shell(children: Children) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let me = use_me();
    let may = move |role: Role| me.get().flatten().is_some_and(|m| m.role.includes(role));
    let path = use_location().pathname;
    view! {
        <div class="app">
            <header class="topbar">
                <a class="brand" href="/">
                    "botcoach"
                </a>
                <span class="tagline">{move || t("app.tagline")}</span>
                <span class="spacer"></span>
                <UserMenu />
                // Names the other language in itself ("中文", "English"): marked as that language.
                <button
                    lang={move || lang.get().other().html_code()}
                    class="lang-switch"
                    data-testid="lang-switch"
                    on:click={move |_| set_lang(lang, lang.get_untracked().other())}
                >
                    {move || t("lang.switch")}
                </button>
            </header>
            <nav class="sidebar" data-testid="nav">
                <Transition fallback={|| ()}>
                    {move || {
                        SECTIONS
                            .into_iter()
                            .filter(|(_, _, role)| may(*role))
                            .map(|(href, key, _)| {
                                let current = move || {
                                    (current_section(&path.get()) == Some(href)).then_some("page")
                                };
                                view! {
                                    <a href={href} aria-current={current}>
                                        {move || t(key)}
                                    </a>
                                }
                            })
                            .collect_view()
                    }}
                </Transition>
            </nav>
            <main class="content">{children()}</main>
        </div>
    }
}

/// The section a path belongs to: the longest section path it lies under, so the model page
/// (`/dashboard/model`) is not the dashboard too, and the asks behind a figure
/// (`/dashboard/asks`) still are.
fn current_section(path: &str) -> Option<&'static str> {
    SECTIONS
        .iter()
        .map(|(href, _, _)| *href)
        .filter(|href| match *href {
            "/" => path == "/",
            h => path == h || path.strip_prefix(h).is_some_and(|rest| rest.starts_with('/')),
        })
        .max_by_key(|href| href.len())
}

#[cfg(test)]
mod tests {
    use super::current_section;

    #[test]
    fn one_section_is_current_the_longest_the_path_lies_under() {
        assert_eq!(current_section("/"), Some("/"));
        assert_eq!(current_section("/dashboard"), Some("/dashboard"));
        assert_eq!(current_section("/dashboard/asks"), Some("/dashboard"));
        assert_eq!(current_section("/dashboard/model"), Some("/dashboard/model"));
        assert_eq!(current_section("/knowledge/12"), Some("/knowledge"));
        assert_eq!(current_section("/knowledgebase"), None);
        assert_eq!(current_section("/no-such-page"), None);
    }
}
