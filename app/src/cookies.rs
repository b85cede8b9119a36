//! Small preferences kept in cookies, so the server renders the page as the browser will
//! (the first paint and the hydrated page agree).

use leptos::prelude::*;

/// The value of cookie `name` in a Cookie header value.
pub fn find(header: Option<&str>, name: &str) -> Option<String> {
    header?.split(';').find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then(|| v.to_string())
    })
}

/// Cookie `name` of the request being rendered, or of the browser.
pub fn read(name: &str) -> Option<String> {
    #[cfg(feature = "ssr")]
    {
        let parts = use_context::<http::request::Parts>()?;
        find(parts.headers.get("cookie").and_then(|v| v.to_str().ok()), name)
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        use wasm_bindgen::JsCast;
        let cookie = document().dyn_into::<web_sys::HtmlDocument>().ok().and_then(|d| d.cookie().ok());
        find(cookie.as_deref(), name)
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        let _ = name;
        None
    }
}

/// Keeps `value` in cookie `name` for a year (in the browser; nothing on the server).
pub fn write(name: &str, value: &str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Ok(doc) = document().dyn_into::<web_sys::HtmlDocument>() {
            let _ = doc.set_cookie(&format!("{name}={value}; path=/; max-age=31536000; samesite=lax"));
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (name, value);
}

#[cfg(test)]
mod tests {
    use super::find;

    #[test]
    fn a_cookie_is_found_by_its_whole_name() {
        let header = Some("lang=zh; tz=480; category=12");
        assert_eq!(find(header, "category").as_deref(), Some("12"));
        assert_eq!(find(header, "tz").as_deref(), Some("480"));
        assert_eq!(find(header, "cat"), None);
        assert_eq!(find(None, "tz"), None);
    }
}
