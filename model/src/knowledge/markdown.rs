//! Answers are Markdown (paragraphs, lists, bold, links). The UI shows them as HTML cleaned by
//! ammonia (a `<script>` or a `javascript:` link never runs), channels that cannot render get
//! the same answer as plain text, and the hotline's answer must be plain text from the start:
//! an agent reads it out.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::views::Markup;

fn parser(text: &str) -> Parser<'_> {
    Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH)
}

/// The answer as HTML safe to put in a page: raw HTML in the Markdown is shown as text, and
/// only plain tags and http(s)/mailto/tel links survive the sanitiser.
pub fn to_html(text: &str) -> String {
    // Raw HTML is escaped, not passed on: a trainer who writes `<b>` sees `<b>`.
    let events = parser(text).map(|e| match e {
        Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
        e => e,
    });
    let mut html = String::with_capacity(text.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto", "tel"].into())
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&html)
        .to_string()
}

/// The answer as plain text: paragraphs and list items on their own lines, a link as its text
/// followed by its address.
pub fn to_plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut links: Vec<String> = Vec::new();
    let mut ordered: Vec<Option<u64>> = Vec::new();
    for event in parser(text) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => out.push_str(&t),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::Start(Tag::List(start)) => ordered.push(start),
            Event::End(TagEnd::List(_)) => {
                ordered.pop();
            }
            Event::Start(Tag::Item) => {
                new_line(&mut out);
                match ordered.last_mut() {
                    Some(Some(n)) => {
                        out.push_str(&format!("{n}. "));
                        *n += 1;
                    }
                    _ => out.push_str("- "),
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => links.push(dest_url.to_string()),
            Event::End(TagEnd::Link) => {
                if let Some(url) = links.pop().filter(|u| !out.ends_with(u.as_str())) {
                    out.push_str(&format!(" ({url})"));
                }
            }
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::CodeBlock | TagEnd::Item) => {
                new_line(&mut out)
            }
            _ => {}
        }
    }
    out.trim().to_string()
}

fn new_line(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

/// What in `text` is more than plain text, if anything: the first link, list or other
/// Markdown found.
pub fn markup_in(text: &str) -> Option<Markup> {
    let lower = text.to_lowercase();
    if ["http://", "https://", "www.", "mailto:"].iter().any(|l| lower.contains(l)) {
        return Some(Markup::Link);
    }
    for event in parser(text) {
        match event {
            Event::Start(Tag::Link { .. } | Tag::Image { .. }) => return Some(Markup::Link),
            Event::Start(Tag::List(_) | Tag::Item) => return Some(Markup::List),
            Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) => {}
            Event::Text(_) | Event::SoftBreak | Event::HardBreak => {}
            _ => return Some(Markup::Formatting),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_keeps_formatting_and_never_runs_scripts() {
        let html = to_html("**办理**步骤：\n\n1. 登录 [网上营业厅](https://example.com)\n2. 选择套餐");
        assert!(html.contains("<strong>办理</strong>"), "{html}");
        assert!(html.contains("<ol>") && html.contains("<li>"), "{html}");
        assert!(html.contains(r#"href="https://example.com""#), "{html}");
        let html =
            to_html("hi <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>");
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "shown as text: {html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("<img"), "{html}");
    }

    #[test]
    fn plain_text_keeps_the_words_and_the_addresses() {
        let plain =
            to_plain("**Call us** on:\n\n- weekdays\n- weekends\n\nSee [the site](https://example.com).");
        assert_eq!(plain, "Call us on:\n- weekdays\n- weekends\nSee the site (https://example.com).");
        assert_eq!(to_plain("1. 登录\n2. 选择"), "1. 登录\n2. 选择");
    }

    #[test]
    fn markup_is_found_in_what_a_hotline_cannot_say() {
        assert_eq!(markup_in("请拨打10086，按1号键。"), None);
        assert_eq!(markup_in("Press 1, then 2.\nThen wait."), None);
        assert_eq!(markup_in("详见 https://example.com"), Some(Markup::Link));
        assert_eq!(markup_in("see www.example.com"), Some(Markup::Link));
        assert_eq!(markup_in("[here](/help)"), Some(Markup::Link));
        assert_eq!(markup_in("- one\n- two"), Some(Markup::List));
        assert_eq!(markup_in("1. one\n2. two"), Some(Markup::List));
        assert_eq!(markup_in("**bold**"), Some(Markup::Formatting));
        assert_eq!(markup_in("# Title"), Some(Markup::Formatting));
    }
}
