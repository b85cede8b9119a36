//! Times as people read them: in the browser's time zone, labelled with it ("UTC+8"). The API
//! keeps UTC. The browser's offset is kept in a `tz` cookie (minutes east of UTC) beside the
//! language, so the server renders the same text the browser will: hydration sees no change, and
//! a first visit (no cookie yet: UTC) switches in place once the browser has said its zone.

use chrono::{DateTime, FixedOffset, Utc};
use leptos::prelude::*;

/// Minutes east of UTC (Asia/Shanghai: 480).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Zone(i32);

/// The furthest any zone is from UTC (UTC+14, UTC−12), in minutes.
const MAX_OFFSET: i32 = 14 * 60;

impl Zone {
    pub fn east(minutes: i32) -> Zone {
        Zone(minutes.clamp(-MAX_OFFSET, MAX_OFFSET))
    }

    /// The zone in a Cookie header value; UTC when there is none or it is not a number.
    pub fn from_cookie(cookie: Option<&str>) -> Zone {
        cookie
            .and_then(|c| c.split(';').find_map(|kv| kv.trim().strip_prefix("tz=")?.parse::<i32>().ok()))
            .map(Zone::east)
            .unwrap_or_default()
    }

    fn offset(self) -> FixedOffset {
        FixedOffset::east_opt(self.0 * 60).unwrap_or(FixedOffset::east_opt(0).expect("UTC"))
    }

    /// "UTC", "UTC+8", "UTC-3:30".
    pub fn label(self) -> String {
        let (sign, m) = if self.0 < 0 { ('-', -self.0) } else { ('+', self.0) };
        match (m / 60, m % 60) {
            (0, 0) => "UTC".into(),
            (h, 0) => format!("UTC{sign}{h}"),
            (h, mm) => format!("UTC{sign}{h}:{mm:02}"),
        }
    }

    /// Date and minute in this zone, with the zone.
    pub fn minute(self, t: DateTime<Utc>) -> String {
        format!("{} {}", t.with_timezone(&self.offset()).format("%Y-%m-%d %H:%M"), self.label())
    }

    /// The value of a `datetime-local` input showing `t` in this zone ("2026-12-02T02:30").
    pub fn input(self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.offset()).format("%Y-%m-%dT%H:%M").to_string()
    }

    /// A `datetime-local` input's value, read in this zone; `None` when empty or not a time.
    pub fn parse_input(self, value: &str) -> Option<DateTime<Utc>> {
        let value = value.trim();
        let local = chrono::NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M")
            .or_else(|_| chrono::NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S"))
            .ok()?;
        local.and_local_timezone(self.offset()).single().map(|t| t.with_timezone(&Utc))
    }

    /// The day in this zone, with the zone.
    pub fn day(self, t: DateTime<Utc>) -> String {
        format!("{} {}", t.with_timezone(&self.offset()).format("%Y-%m-%d"), self.label())
    }
}

/// Now, by the server's clock when rendering there and the browser's once hydrated.
pub fn now() -> DateTime<Utc> {
    #[cfg(feature = "ssr")]
    return Utc::now();
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    return DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default();
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    DateTime::default()
}

pub fn use_zone() -> RwSignal<Zone> {
    expect_context::<RwSignal<Zone>>()
}

pub(crate) fn provide_zone() -> RwSignal<Zone> {
    let zone = RwSignal::new(initial_zone());
    provide_context(zone);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        // getTimezoneOffset is minutes west of UTC, for now (daylight saving included).
        let browser = Zone::east(-(js_sys::Date::new_0().get_timezone_offset() as i32));
        if browser != zone.get_untracked() {
            zone.set(browser);
        }
        use wasm_bindgen::JsCast;
        if let Ok(doc) = document().dyn_into::<web_sys::HtmlDocument>() {
            let _ = doc.set_cookie(&format!("tz={}; path=/; max-age=31536000; samesite=lax", browser.0));
        }
    });
    zone
}

#[cfg(feature = "ssr")]
fn initial_zone() -> Zone {
    let headers = use_context::<http::request::Parts>().map(|p| p.headers);
    Zone::from_cookie(headers.as_ref().and_then(|h| h.get("cookie")).and_then(|v| v.to_str().ok()))
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
fn initial_zone() -> Zone {
    use wasm_bindgen::JsCast;
    let cookie = document().dyn_into::<web_sys::HtmlDocument>().ok().and_then(|d| d.cookie().ok());
    Zone::from_cookie(cookie.as_deref())
}

#[cfg(not(any(feature = "ssr", feature = "hydrate")))]
fn initial_zone() -> Zone {
    Zone::default()
}

/// A moment to the minute in the reader's zone; the exact UTC time in `datetime` and on hover.
#[component]
pub fn Time(at: DateTime<Utc>) -> impl IntoView {
    let zone = use_zone();
    let utc = at.format("%Y-%m-%d %H:%M:%S UTC").to_string();
    view! {
        <time datetime={at.to_rfc3339()} title={utc}>
            {move || zone.get().minute(at)}
        </time>
    }
}

/// The day of a moment in the reader's zone.
#[component]
pub fn Day(at: DateTime<Utc>) -> impl IntoView {
    let zone = use_zone();
    view! { <time datetime={at.to_rfc3339()}>{move || zone.get().day(at)}</time> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_in_the_readers_zone_with_its_name() {
        let t = DateTime::parse_from_rfc3339("2026-12-01T18:30:00Z").unwrap().with_timezone(&Utc);
        let shanghai = Zone::from_cookie(Some("lang=zh; tz=480"));
        assert_eq!(shanghai.minute(t), "2026-12-02 02:30 UTC+8", "past midnight in Shanghai");
        assert_eq!(shanghai.day(t), "2026-12-02 UTC+8");
        assert_eq!(Zone::from_cookie(None).minute(t), "2026-12-01 18:30 UTC");
        assert_eq!(Zone::from_cookie(Some("tz=-210")).minute(t), "2026-12-01 15:00 UTC-3:30");
        assert_eq!(Zone::from_cookie(Some("tz=abc")), Zone::default());
        assert_eq!(Zone::from_cookie(Some("tz=100000")).label(), "UTC+14", "clamped to real zones");
    }

    #[test]
    fn date_inputs_are_read_and_written_in_the_readers_zone() {
        let t = DateTime::parse_from_rfc3339("2026-12-01T18:30:00Z").unwrap().with_timezone(&Utc);
        let shanghai = Zone::east(480);
        assert_eq!(shanghai.input(t), "2026-12-02T02:30");
        assert_eq!(shanghai.parse_input("2026-12-02T02:30"), Some(t));
        assert_eq!(Zone::east(-210).parse_input(&Zone::east(-210).input(t)), Some(t));
        assert_eq!(shanghai.parse_input(""), None);
        assert_eq!(shanghai.parse_input("tomorrow"), None);
    }
}
