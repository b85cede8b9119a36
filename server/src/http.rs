//! The HTTP surface: health endpoints, the API v1, then the Leptos app (pages and server
//! functions) with the shared [`Services`] handed to every server function through context.
//! Every matched route passes [`crate::access::check`] first.

use app::{shell, App};
use axum::handler::Handler;
use axum::routing::get;
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use model::Services;

use crate::config::Config;
pub use crate::state::AppState;

/// No request body may be larger: a bound on memory per request.
pub const MAX_BODY_BYTES: usize = 12 * 1024 * 1024;

pub fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("botcoach")
        .site_root(config.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(config.bind)
        .build()
}

pub fn router(config: &Config, services: Services) -> Router {
    let leptos = leptos_options(config);
    let routes = generate_route_list(App);
    let state = AppState { leptos: leptos.clone(), services: services.clone() };
    Router::new()
        .route("/healthz", get(crate::health::live))
        .route("/readyz", get(crate::health::ready))
        .route("/metrics", get(crate::telemetry::metrics))
        .merge(crate::api::routes())
        .leptos_routes_with_context(
            &state,
            routes,
            {
                let services = services.clone();
                move || provide_context(services.clone())
            },
            move || shell(leptos.clone()),
        )
        // Only matched routes pass the access check; unknown paths fall through to static files
        // and the 404 page, which knows who asks but refuses nothing.
        .route_layer(axum::middleware::from_fn_with_state(services.clone(), crate::access::check))
        // Outside the access check, so refused requests are counted too.
        .route_layer(axum::middleware::from_fn(crate::telemetry::track))
        .route_layer(axum::middleware::from_fn_with_state(
            crate::access::Web { behind_proxy: config.behind_proxy, secure_cookies: config.secure_cookies },
            crate::access::client_info,
        ))
        .fallback(
            leptos_axum::file_and_error_handler::<AppState, _>(shell)
                .layer(axum::middleware::from_fn_with_state(services, crate::access::identify_only)),
        )
        // A ceiling for every body (the import route has its own, lower, limit in the API).
        .layer(tower_http::limit::RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}
