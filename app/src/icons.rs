//! The product's own icons, inline SVG drawn with the text colour: an emoji that carries
//! meaning shows as an empty box on a machine without an emoji font (most call-centre PCs).
//! Each icon is named for screen readers by the text beside it or by `label`.

use leptos::prelude::*;

/// An icon of 24×24 units drawn with strokes; `label` names it when no text stands beside it.
#[component]
fn Icon(paths: &'static [&'static str], label: Option<String>) -> impl IntoView {
    let hidden = label.is_none().then_some("true");
    let role = label.is_some().then_some("img");
    let title = label.clone();
    view! {
        <svg
            class="icon"
            viewBox="0 0 24 24"
            width="1em"
            height="1em"
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            stroke-linecap="round"
            stroke-linejoin="round"
            aria-hidden={hidden}
            role={role}
            aria-label={label.clone()}
        >
            {title.map(|l| view! { <title>{l}</title> })}
            {paths.iter().map(|d| view! { <path d={*d} /> }).collect_view()}
        </svg>
    }
}

/// Held by someone else (a claimed inbox group).
#[component]
pub fn Lock(#[prop(optional)] label: Option<String>) -> impl IntoView {
    view! { <Icon paths={&["M5 11h14v10H5z", "M8 11V7a4 4 0 0 1 8 0v4"]} label /> }
}

/// A reviewer's comment.
#[component]
pub fn Comment(#[prop(optional)] label: Option<String>) -> impl IntoView {
    view! { <Icon paths={&["M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z"]} label /> }
}
