//! Pages for some roles only. The server's access rules are what keep data from other roles
//! (they refuse the page with 403 and every server function behind it); this shows that
//! refusal inside the layout, in the user's language, instead of the page.

use leptos::prelude::*;
use model::views::Role;

use crate::auth::{use_me, Me};
use crate::i18n::{tr, use_lang};
use crate::labels::Label;

/// `children` for a user whose role includes `role`; for anyone else, why not.
#[component]
pub fn RequireRole(role: Role, children: ChildrenFn) -> impl IntoView {
    let me = use_me();
    view! {
        <Suspense fallback={|| ()}>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match me.await {
                        Some(me) if me.role.includes(role) => children().into_any(),
                        Some(me) => view! { <Forbidden needed={role} me /> }.into_any(),
                        None => {
                            // Not signed in (the server sends such a browser to sign in first).
                            view! {
                                <p>
                                    <a href="/login">{move || tr(use_lang().get(), "signin.title")}</a>
                                </p>
                            }
                                .into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn Forbidden(needed: Role, me: Me) -> impl IntoView {
    let lang = use_lang();
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::FORBIDDEN);
    }
    let text = move || {
        let lang = lang.get();
        tr(lang, "forbidden.needs")
            .replace("{needed}", needed.label(lang))
            .replace("{name}", &me.name)
            .replace("{has}", me.role.label(lang))
    };
    view! {
        <section class="page">
            <h1>{move || tr(lang.get(), "forbidden.title")}</h1>
            <p class="notice warn" data-testid="forbidden">
                {text}
            </p>
            <p>
                <a href="/">{move || tr(lang.get(), "nav.home")}</a>
            </p>
        </section>
    }
}
