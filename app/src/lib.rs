//! botcoach's browser UI. Rendered on the server, hydrated in the browser; server-only code
//! sits behind the `ssr` feature.

pub mod auth;
mod cookies;
pub mod dashboard;
pub mod errors;
mod guard;
pub mod health;
mod home;
pub mod i18n;
mod icons;
pub mod inbox;
pub mod knowledge;
pub mod labels;
mod layout;
pub mod learning;
mod pages;
pub mod refusals;
pub mod search;
#[cfg(feature = "ssr")]
pub mod server;
pub mod status;
pub mod synonyms;
pub mod testsets;
pub mod time;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use guard::RequireRole;
use i18n::{provide_lang, tr};
use model::views::Role;

/// The HTML document around the app, rendered by the server for every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang={i18n::document_lang()}>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <AutoReload options={options.clone()} />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let lang = provide_lang();
    time::provide_zone();
    auth::provide_me();

    // Runs only in the browser, after hydration: end-to-end tests wait for this marker before
    // they click, and `<html lang>` follows the chosen language for fonts and screen readers.
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
            let _ = root.set_attribute("lang", lang.get().html_code());
        }
    });

    view! {
        <Stylesheet id="leptos" href="/pkg/botcoach.css" />
        <Title text={move || tr(lang.get(), "app.title")} />
        <Router>
            <layout::Shell>
                <Routes fallback={|| view! { <pages::NotFound /> }}>
                    <Route path={path!("/")} view={home::Home} />
                    <Route path={path!("/decisions")} view={inbox::decisions::DecisionsPage} />
                    <Route
                        path={path!("/admin")}
                        view={|| {
                            view! {
                                <RequireRole role={Role::Admin}>
                                    <pages::Admin />
                                </RequireRole>
                            }
                        }}
                    />
                    <Route path={path!("/login")} view={auth::SignIn} />
                    <Route path={path!("/inbox")} view={inbox::InboxPage} />
                    <Route path={path!("/knowledge")} view={knowledge::KnowledgePage} />
                    <Route path={path!("/health")} view={health::HealthPage} />
                    <Route path={path!("/synonyms")} view={synonyms::SynonymsPage} />
                    <Route path={path!("/testsets")} view={testsets::TestSetsPage} />
                    <Route path={path!("/testsets/:id")} view={testsets::TestSetPage} />
                    <Route path={path!("/knowledge/new")} view={knowledge::EditorPage} />
                    <Route path={path!("/knowledge/:id")} view={knowledge::EditorPage} />
                    <Route path={path!("/modules/:id")} view={knowledge::ModuleView} />
                    <Route
                        path={path!("/review")}
                        view={|| {
                            view! {
                                <RequireRole role={Role::Reviewer}>
                                    <knowledge::ReviewPage />
                                </RequireRole>
                            }
                        }}
                    />
                    <Route
                        path={path!("/dashboard")}
                        view={|| {
                            view! {
                                <RequireRole role={Role::Supervisor}>
                                    <dashboard::DashboardPage />
                                </RequireRole>
                            }
                        }}
                    />
                    <Route
                        path={path!("/dashboard/asks")}
                        view={|| {
                            view! {
                                <RequireRole role={Role::Supervisor}>
                                    <dashboard::AsksPage />
                                </RequireRole>
                            }
                        }}
                    />
                    <Route
                        path={path!("/dashboard/model")}
                        view={|| {
                            view! {
                                <RequireRole role={Role::Supervisor}>
                                    <learning::ModelPage />
                                </RequireRole>
                            }
                        }}
                    />
                    <Route path={path!("/search")} view={search::SearchPage} />
                </Routes>
            </layout::Shell>
        </Router>
    }
}

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
