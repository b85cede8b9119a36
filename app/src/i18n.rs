//! Chinese and English UI text. The language comes from a `lang` cookie (set when the user
//! switches), else the browser's Accept-Language, else English; server and browser agree on
//! it, so hydration sees the same text the server rendered.

use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    pub fn html_code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn cookie_value(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Zh,
            Lang::Zh => Lang::En,
        }
    }

    /// Picks the language from a Cookie header value and an Accept-Language header value.
    pub fn negotiate(cookie: Option<&str>, accept_language: Option<&str>) -> Lang {
        let from_cookie = cookie.and_then(|c| {
            c.split(';').filter_map(|kv| kv.trim().strip_prefix("lang=")).find_map(|v| match v {
                "zh" => Some(Lang::Zh),
                "en" => Some(Lang::En),
                _ => None,
            })
        });
        from_cookie.unwrap_or_else(|| {
            let first = accept_language.unwrap_or_default().split(',').next().unwrap_or_default();
            if first.trim().to_ascii_lowercase().starts_with("zh") {
                Lang::Zh
            } else {
                Lang::En
            }
        })
    }
}

/// The UI language, shared by every component through context.
pub fn use_lang() -> RwSignal<Lang> {
    expect_context::<RwSignal<Lang>>()
}

pub(crate) fn provide_lang() -> RwSignal<Lang> {
    let lang = RwSignal::new(initial_lang());
    provide_context(lang);
    lang
}

#[cfg(feature = "ssr")]
fn initial_lang() -> Lang {
    let headers = use_context::<http::request::Parts>().map(|p| p.headers);
    let header = |name: &str| headers.as_ref().and_then(|h| h.get(name)).and_then(|v| v.to_str().ok());
    Lang::negotiate(header("cookie"), header("accept-language"))
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
fn initial_lang() -> Lang {
    use wasm_bindgen::JsCast;
    let cookie = document().dyn_into::<web_sys::HtmlDocument>().ok().and_then(|d| d.cookie().ok());
    let accept = window().navigator().language();
    Lang::negotiate(cookie.as_deref(), accept.as_deref())
}

#[cfg(not(any(feature = "ssr", feature = "hydrate")))]
fn initial_lang() -> Lang {
    Lang::En
}

/// Switches the language and remembers it in a cookie for a year.
pub fn set_lang(lang: RwSignal<Lang>, to: Lang) {
    lang.set(to);
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Ok(doc) = document().dyn_into::<web_sys::HtmlDocument>() {
            let _ = doc
                .set_cookie(&format!("lang={}; path=/; max-age=31536000; samesite=lax", to.cookie_value()));
        }
    }
}

/// The text for `key` in `lang`; an unknown key shows itself, so a gap is visible, not blank.
pub fn tr(lang: Lang, key: &'static str) -> &'static str {
    TEXTS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, en, zh)| if lang == Lang::Zh { *zh } else { *en })
        .unwrap_or(key)
}

/// (key, English, Chinese)
const TEXTS: &[(&str, &str, &str)] = &[
    ("app.title", "botcoach", "botcoach 机器人训练台"),
    ("app.tagline", "Turn the questions your bot missed into knowledge", "把机器人答不上的问题变成知识"),
    ("lang.switch", "中文", "English"),
    ("nav.home", "Overview", "概览"),
    ("nav.inbox", "Inbox", "待处理"),
    ("nav.knowledge", "Knowledge", "知识库"),
    ("nav.review", "Review", "审核"),
    ("nav.dashboard", "Dashboard", "看板"),
    ("nav.search", "Search", "搜索"),
    ("home.title", "Overview", "概览"),
    ("home.intro",
     "botcoach collects every question the bot failed on, groups them by meaning and lets trainers turn each group into a knowledge point. Reviewers publish, the bot answers at once, and the misses it now answers close by themselves.",
     "botcoach 收集机器人没有答好的每一个问题，按语义聚类，由训练师把每一组问题整理成知识点。审核发布后机器人立即生效，新知识能回答的未命中问题会自动关闭。"),
    ("inbox.title", "Inbox", "待处理问题"),
    ("inbox.planned",
     "Groups of questions the bot failed on (no match, low confidence, negative feedback, handoff), biggest impact first. Open a group to link it to an existing question, write a new question and answer, or dismiss it.",
     "机器人未能回答的问题（无匹配、低置信度、差评、转人工）按语义分组，影响最大的排在最前。打开一组即可关联到已有标准问、新建标准问和答案，或忽略。"),
    ("knowledge.title", "Knowledge", "知识库"),
    ("knowledge.planned",
     "The category tree (business category > module > knowledge point). Each knowledge point holds a typical question, its answer and the other phrasings customers use; edits are drafts until reviewed.",
     "分类树（业务类别 > 模块 > 知识点）。每个知识点包含标准问、标准答案以及客户的其他问法；修改在审核前都是草稿。"),
    ("review.title", "Review", "审核"),
    ("review.planned",
     "Drafts waiting for approval, each shown as a difference from the published version, with a regression check of the questions already answered correctly. Approve and publish, or send back with a comment.",
     "等待审核的草稿，逐条显示与已发布版本的差异，并对已能正确回答的问题做回归检查。通过并发布，或附意见退回。"),
    ("dashboard.title", "Dashboard", "看板"),
    ("dashboard.planned",
     "Coverage (answered / asked) over time, open misses and groups, trainer throughput, and the loop yield: misses closed because new knowledge answers them.",
     "随时间变化的覆盖率（已回答 / 提问总数）、未关闭的问题与分组、训练师处理量，以及闭环收益：因新知识而自动关闭的问题数。"),
    ("search.title", "Search", "搜索"),
    ("search.planned",
     "Search knowledge points and collected questions by text, in Chinese and English, and try how the bot would answer a question without recording anything.",
     "按文本搜索知识点和收集到的问题（中英文均可），并可试问机器人会如何回答，且不留下任何记录。"),
    ("planned.badge", "Coming in a later release", "后续版本提供"),
    ("status.title", "System status", "系统状态"),
    ("status.database", "Database", "数据库"),
    ("status.model", "Embedding model", "向量模型"),
    ("status.dimension", "Dimension", "向量维度"),
    ("status.max_tokens", "Max tokens", "最大长度"),
    ("status.load_time", "Load time", "加载耗时"),
    ("status.ready", "ready", "就绪"),
    ("status.down", "unavailable", "不可用"),
    ("status.loading", "Checking…", "检查中…"),
    ("status.refresh", "Refresh", "刷新"),
    ("status.error", "Status could not be read", "无法读取状态"),
    ("notfound.title", "Page not found", "页面不存在"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_has_both_languages_and_keys_are_unique() {
        for (i, (key, en, zh)) in TEXTS.iter().enumerate() {
            assert!(!en.is_empty() && !zh.is_empty(), "{key}");
            assert!(TEXTS[i + 1..].iter().all(|(k, _, _)| k != key), "duplicate key {key}");
        }
        assert_eq!(tr(Lang::Zh, "nav.inbox"), "待处理");
        assert_eq!(tr(Lang::En, "nav.inbox"), "Inbox");
        assert_eq!(tr(Lang::En, "no.such.key"), "no.such.key");
    }

    #[test]
    fn language_comes_from_cookie_then_accept_language() {
        assert_eq!(Lang::negotiate(Some("a=1; lang=zh"), Some("en-US")), Lang::Zh);
        assert_eq!(Lang::negotiate(Some("lang=en"), Some("zh-CN,zh;q=0.9")), Lang::En);
        assert_eq!(Lang::negotiate(None, Some("zh-CN,zh;q=0.9,en;q=0.8")), Lang::Zh);
        assert_eq!(Lang::negotiate(Some("lang=fr"), None), Lang::En);
        assert_eq!(Lang::negotiate(None, None), Lang::En);
    }
}
