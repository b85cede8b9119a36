//! Chinese and English UI text. The language comes from a `lang` cookie (set when the user
//! switches), else the browser's Accept-Language, else English; server and browser agree on
//! it, so hydration sees the same text the server rendered.

use crate::errors::AppError;
#[cfg(feature = "ssr")]
use crate::server::{fail, principal, services};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

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

/// The page's language for `<html lang>`, before the app's context exists: from the request, as
/// the app will pick it.
pub(crate) fn document_lang() -> &'static str {
    initial_lang().html_code()
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

/// Switches the language and remembers it in a cookie for a year, and for a signed-in user
/// on the server too, so it follows them to another browser.
pub fn set_lang(lang: RwSignal<Lang>, to: Lang) {
    lang.set(to);
    leptos::task::spawn_local(async move {
        let _ = remember_language(to.cookie_value().to_string()).await;
    });
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

/// `n` and the word `key` counts, in `lang`: English takes `key.one` (where there is one) for
/// a single thing; Chinese has one form.
pub fn count(lang: Lang, n: i64, key: &'static str) -> String {
    format!("{n} {}", counted(lang, n, key))
}

/// The word of [`count`] alone, for a page that shows the number apart.
pub fn counted(lang: Lang, n: i64, key: &'static str) -> &'static str {
    let singular = (lang == Lang::En && n == 1)
        .then(|| TEXTS.iter().find(|(k, _, _)| k.strip_suffix(".one") == Some(key)))
        .flatten();
    match singular {
        Some((_, en, _)) => en,
        None => tr(lang, key),
    }
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
    ("nav.model", "Model", "模型"),
    ("model.title", "The model", "语义模型"),
    ("model.serving", "Serving", "当前服务"),
    ("model.version", "Version", "版本"),
    ("model.versions", "Versions", "历史版本"),
    ("model.trained", "Trained", "训练于"),
    ("model.texts", "texts", "条文本"),
    ("model.texts.one", "text", "条文本"),
    ("model.top1", "Top-1 on held-out phrasings", "保留问法首位命中率"),
    ("model.share", "Answered", "直接回答比例"),
    ("model.precision", "Answered correctly", "回答准确率"),
    ("model.was", "version", "版本"),
    ("model.held_out", "held-out phrasings, never trained on", "条保留问法（从未用于训练）"),
    ("model.held_out.one", "held-out phrasing, never trained on", "条保留问法（从未用于训练）"),
    ("model.epochs", "Epochs", "训练轮数"),
    ("model.train", "Train now", "立即训练"),
    ("model.epoch", "epoch", "轮"),
    ("model.step", "step", "步"),
    ("model.promoted", "Promoted: it serves now, version", "已晋升并上线：版本"),
    ("model.refused", "Not promoted, the serving model stays: version", "未晋升，当前模型继续服务：版本"),
    ("model.base", "base model as shipped", "出厂基础模型"),
    ("model.use", "Serve this version", "启用此版本"),
    ("model.state", "State", "状态"),
    ("model.texts_trained", "Texts trained on", "训练文本数"),
    ("model.action", "Action", "操作"),
    ("model.loss", "loss", "损失"),
    ("version.serving", "serving", "服务中"),
    ("version.kept", "kept", "已保留"),
    ("version.refused", "refused", "已拒绝"),
    ("phase.reading", "Reading the knowledge", "读取知识库"),
    ("phase.embedding", "Embedding new texts", "计算新文本向量"),
    ("phase.training", "Training", "训练中"),
    ("phase.scoring", "Scoring on held-out phrasings", "在保留问法上评分"),
    ("phase.storing", "Storing the new vectors", "保存新向量"),
    ("phase.finished", "Finished", "已完成"),
    ("phase.failed", "Failed", "失败"),
    ("refusal.no_better_top1", "top-1 not better", "首位命中率没有提高"),
    ("refusal.less_answered", "answers fewer", "直接回答更少"),
    ("refusal.less_precise", "less precise", "准确率更低"),
    ("refusal.too_little_data", "too few held-out phrasings to judge", "保留问法太少，无法判断"),
    ("refusal.breaks_test_cases", "fails test cases the serving version passes", "有测试用例在当前版本通过、在新版本失败"),
    ("home.title", "Overview", "概览"),
    ("nav.decisions", "My decisions", "我的处理记录"),
    ("nav.admin", "System", "系统"),
    ("admin.title", "System", "系统"),
    ("admin.intro", "Whether the database is reachable, which model serves, how far a change of model has come, and what happens to customers' personal data.", "数据库是否可用、正在使用哪个模型、模型切换的进度，以及客户个人信息的处理方式。"),
    ("home.my_queue", "Groups I hold", "我处理中的分组"),
    ("home.open_inbox", "Open the inbox", "打开待处理问题"),
    ("home.queue_empty", "No group is yours right now: open the inbox and pick the top one.", "目前没有分配给你的分组：打开待处理问题，从最上面的开始。"),
    ("home.my_drafts", "My drafts", "我的草稿"),
    ("home.no_drafts", "No draft of yours is waiting.", "你没有待处理的草稿。"),
    ("home.closed_this_week", "customer questions closed this week by points I published", "个客户问题本周由我发布的知识点解决"),
    ("home.review_queue", "Waiting for review, oldest first", "待审核（最早的在前）"),
    ("home.open_review", "Open review", "去审核"),
    ("home.review_empty", "Nothing is waiting for review.", "没有待审核的修改。"),
    ("home.week", "The last 7 days", "最近 7 天"),
    ("home.open_dashboard", "Open the dashboard", "打开看板"),
    ("home.coverage", "Coverage", "覆盖率"),
    ("home.asks", "Questions asked", "提问数"),
    ("home.backlog", "Waiting in the inbox", "待处理积压"),
    ("home.closed_week", "Closed by new knowledge", "由新知识解决"),
    ("decisions.title", "My decisions", "我的处理记录"),
    ("decisions.intro", "Every group you linked, turned into a new point or dismissed, newest first. A decision can be undone until its knowledge is published.", "你关联、新建或忽略的每个分组，最新的在前。知识发布之前都可以撤销。"),
    ("decisions.everyone", "Everyone's decisions", "所有人的处理记录"),
    ("decisions.empty", "No decisions yet.", "还没有处理记录。"),
    ("decisions.when", "When", "时间"),
    ("decisions.what", "What", "操作"),
    ("decisions.group", "Group", "分组"),
    ("decisions.questions", "Questions", "问题数"),
    ("decisions.by", "By", "处理人"),
    ("decisions.state", "Undo", "撤销"),
    ("decisions.undone", "Undone", "已撤销"),
    ("decisions.final", "Published or edited since", "已发布或已再次编辑"),
    ("inbox.done_bulk_dismiss", "groups dismissed.", "个分组已忽略。"),
    ("inbox.done_bulk_dismiss.one", "group dismissed.", "个分组已忽略。"),
    ("inbox.done_bulk_link", "groups linked, waiting for review.", "个分组已关联，等待审核。"),
    ("inbox.done_bulk_link.one", "group linked, waiting for review.", "个分组已关联，等待审核。"),
    ("inbox.done_assign", "groups assigned to", "个分组已分配给"),
    ("inbox.done_assign.one", "group assigned to", "个分组已分配给"),
    ("inbox.marked_groups", "groups marked", "个分组已标记"),
    ("inbox.marked_groups.one", "group marked", "个分组已标记"),
    ("inbox.bulk_dismiss_as", "Dismiss as", "忽略原因"),
    ("inbox.bulk_dismiss", "Dismiss marked", "忽略已标记的"),
    ("inbox.bulk_link_to", "Link to", "关联到"),
    ("inbox.bulk_choose_point", "Choose a suggested point", "选择推荐的知识点"),
    ("inbox.bulk_link", "Link marked", "关联已标记的"),
    ("inbox.bulk_assign_to", "Assign to", "分配给"),
    ("inbox.bulk_choose_trainer", "Choose a trainer", "选择训练师"),
    ("inbox.bulk_assign", "Assign marked", "分配已标记的"),
    ("inbox.bulk_clear", "Clear marks", "清除标记"),
    ("inbox.mark", "Mark this group", "标记本组"),
    ("inbox.category_pick", "Category", "分类"),
    ("inbox.choose_category", "Choose a category", "请选择分类"),
    ("inbox.similar_exists", "The bot already answers this with", "机器人已经可以用这个知识点回答："),
    ("inbox.try_link_hint", "What would answer these questions after linking, and what else would change", "关联之后这些问题会由谁回答，以及其他会改变的回答"),
    ("inbox.link_instead", "Link to it instead", "改为关联到它"),
    ("inbox.create_anyway", "Create anyway", "仍然新建"),
    ("editor.discarded", "Draft discarded: the point is its published version again.", "草稿已放弃：知识点已恢复为已发布的版本。"),
    ("editor.discard", "Discard draft", "放弃草稿"),
    ("editor.discard_hint", "Go back to the published version; questions the inbox put into this draft return to the inbox.", "退回到已发布的版本；从待处理问题加入这个草稿的问题会回到待处理。"),
    ("try.title", "Try it", "测试"),
    ("try.intro", "How the bot would answer with this draft as it is in the form, beside what it answers now. Nothing is recorded.", "按表单中当前的草稿，机器人会如何回答，并与现在的回答对比。不会记录任何内容。"),
    ("try.questions", "Questions to try, one per line (the draft's own question and phrasings are always tried)", "要测试的问题，每行一个（草稿自己的问题和相似问法总会测试）"),
    ("try.run", "Try", "测试"),
    ("try.question", "Question", "问题"),
    ("try.now", "Now", "现在"),
    ("try.with_draft", "With this draft", "使用本草稿后"),
    ("try.regressions", "Other answers this draft would change", "本草稿会改变的其他回答"),
    ("try.no_regressions", "No other question's answer changes.", "其他问题的回答都不会改变。"),
    ("try.regression_count", "questions would get another answer; the reviewer will see them too.", "个问题的回答会改变；审核员也会看到。"),
    ("try.regression_count.one", "question would get another answer; the reviewer will see it too.", "个问题的回答会改变；审核员也会看到。"),
    ("try.no_answer", "no answer", "无回答"),
    ("try.this_draft", "this draft", "本草稿"),
    ("home.intro",
     "botcoach collects every question the bot failed on, groups them by meaning and lets trainers turn each group into a knowledge point. Reviewers publish, the bot answers at once, and the misses it now answers close by themselves.",
     "botcoach 收集机器人没有答好的每一个问题，按语义聚类，由训练师把每一组问题整理成知识点。审核发布后机器人立即生效，新知识能回答的未命中问题会自动关闭。"),
    ("inbox.title", "Inbox", "待处理问题"),
    ("inbox.intro",
     "Groups of questions the bot failed on (no match, clarification not taken, negative feedback, handoff, reported), biggest impact first. Open a group to link it to a suggested question, write a new question and answer, or dismiss it.",
     "机器人未能回答的问题（未匹配、澄清未选择、差评、转人工、机器人上报）按语义分组，影响最大的排在最前。打开一组即可关联到推荐的标准问、新建标准问和答案，或忽略。"),
    ("inbox.search", "Find a question…", "查找问题…"),
    ("inbox.all_channels", "All channels", "全部渠道"),
    ("inbox.all_signals", "All signals", "全部信号"),
    ("inbox.regroup", "Regroup", "重新聚类"),
    ("inbox.empty", "Nothing waiting: no open misses match.", "没有待处理的问题。"),
    ("inbox.groups", "groups", "组"),
    ("inbox.groups.one", "group", "组"),
    ("inbox.questions", "questions", "个问题"),
    ("inbox.questions.one", "question", "个问题"),
    ("inbox.reports", "reports", "次"),
    ("inbox.reports.one", "report", "次"),
    ("inbox.suggested", "Suggested", "推荐"),
    ("inbox.link", "Link", "关联"),
    ("inbox.create", "New knowledge point", "新建知识点"),
    ("inbox.category", "Category, e.g. Cards/Delivery", "分类，例如 宽带业务/报修"),
    ("inbox.answer", "Answer", "答案"),
    ("inbox.dismiss", "Dismiss", "忽略"),
    ("inbox.keys", "Keys", "快捷键"),
    ("inbox.key_move", "next / previous group", "下一组 / 上一组"),
    ("inbox.key_choose", "choose a question (in the link panel: a suggestion; in dismiss: a reason)", "选择问题（关联面板中选推荐，忽略面板中选原因）"),
    ("inbox.key_link", "link to a knowledge point", "关联到知识点"),
    ("inbox.key_new", "new knowledge point from the group", "用本组新建知识点"),
    ("inbox.key_dismiss", "dismiss with a reason", "忽略并注明原因"),
    ("inbox.key_wrong_point", "the bot answered with the wrong point: counter-example, then link to the right one", "机器人答错了知识点：记为反例，再关联到正确的知识点"),
    ("inbox.wrong_point", "Wrong point", "答错了"),
    ("inbox.wrong_point_of", "The bot answered with", "机器人用这个知识点回答了"),
    ("inbox.wrong_point_pick", "Choose the point that should have answered: the questions become its phrasings and counter-examples of the one above, both for review.", "请选择本应回答的知识点：这些问题会成为它的相似问法，同时成为上面知识点的反例，两者都提交审核。"),
    ("inbox.key_poor_answer", "the bot answered with the right point, but a poor answer: revise the answer", "知识点对但答案不好：修改答案"),
    ("inbox.poor_answer", "Poor answer", "答案不好"),
    ("inbox.poor_answer_hint", "Revise the point's answer: it goes to review, and these questions close once it is published.", "修改这个知识点的答案：修改提交审核，发布后这些问题自动关闭。"),
    ("inbox.poor_answer_submit", "Submit the revised answer", "提交修改后的答案"),
    ("inbox.poor_answer_use_agent", "Start from the agent's reply", "用人工客服的回复"),
    ("inbox.poor_answer_editor", "Open in the editor", "在编辑器中打开"),
    ("inbox.done_poor_answer", "questions wait for the revised answer, which is waiting for review.", "个问题等待修改后的答案，答案已提交审核。"),
    ("inbox.done_poor_answer.one", "question waits for the revised answer, which is waiting for review.", "个问题等待修改后的答案，答案已提交审核。"),
    ("inbox.rank", "Order", "排序"),
    ("inbox.language", "Language", "语言"),
    ("inbox.all_languages", "All languages", "全部语言"),
    ("language.zh", "Chinese", "中文"),
    ("language.en", "English and others", "英文及其他"),
    ("inbox.rank_impact", "By impact", "按影响"),
    ("inbox.rank_cost", "By cost", "按成本"),
    ("inbox.rank_cost_hint", "By cost: handoffs and negative feedback weigh more than questions the bot could not match (weights in the configuration).", "按成本：转人工和差评比机器人没匹配上的问题权重更高（权重在配置中设置）。"),
    ("inbox.poor_answer_none", "No answered question in this group: there is no answer to revise.", "本组没有被机器人回答过的问题，没有可修改的答案。"),
    ("inbox.wrong_point_none", "No answered question in this group: the bot did not answer with a point.", "本组没有被机器人回答过的问题，无法判定答错的知识点。"),
    ("inbox.done_wrong_point", "questions recorded as counter-examples and linked, waiting for review.", "个问题已记为反例并关联，等待审核。"),
    ("inbox.done_wrong_point.one", "question recorded as a counter-example and linked, waiting for review.", "个问题已记为反例并关联，等待审核。"),
    ("inbox.rejected", "What went wrong", "出了什么问题"),
    ("inbox.rejected_answered", "Bot answered", "机器人的回答"),
    ("inbox.rejected_turns", "Earlier in the conversation", "之前的对话"),
    ("inbox.rejected_agent", "Agent replied", "人工坐席的回复"),
    ("inbox.rejected_no_answer", "The bot gave no answer.", "机器人没有给出答案。"),
    ("inbox.key_mark", "mark the group (to merge, or to move questions to)", "标记本组（用于合并或移入问题）"),
    ("inbox.key_merge", "merge the marked groups into this one", "把标记的组合并到本组"),
    ("inbox.key_split", "split the chosen questions into a new group", "把选中的问题拆成新组"),
    ("inbox.key_move_question", "move the chosen questions to the marked group", "把选中的问题移到标记的组"),
    ("inbox.key_undo", "undo the last decision (until published)", "撤销上一个决定（发布前）"),
    ("inbox.key_close", "close the panel", "关闭面板"),
    ("inbox.key_help", "show or hide these keys", "显示或隐藏快捷键"),
    ("inbox.marked", "marked", "已标记"),
    ("inbox.claimed_until", "You hold this group until", "本组由你处理，至"),
    ("inbox.channels", "Channels · signals", "渠道 · 信号"),
    ("inbox.seen", "First – last seen", "首次 – 最近"),
    ("inbox.split", "Split off", "拆分"),
    ("inbox.merge", "Merge marked here", "合并标记的组"),
    ("inbox.move", "Move to marked", "移到标记的组"),
    ("inbox.undo", "Undo", "撤销"),
    ("inbox.undo_hint", "Press u to undo.", "按 u 撤销。"),
    ("inbox.link_search", "Search any knowledge point…", "搜索任意知识点…"),
    ("inbox.become_phrasings", "questions become its phrasings", "个问题将成为相似问法"),
    ("inbox.become_phrasings.one", "question becomes a phrasing", "个问题将成为相似问法"),
    ("inbox.done_link", "questions linked, waiting for review.", "个问题已关联，等待审核。"),
    ("inbox.done_link.one", "question linked, waiting for review.", "个问题已关联，等待审核。"),
    ("inbox.done_create", "questions in a new point, waiting for review.", "个问题已建为新知识点，等待审核。"),
    ("inbox.done_create.one", "question in a new point, waiting for review.", "个问题已建为新知识点，等待审核。"),
    ("inbox.done_dismiss", "questions dismissed.", "个问题已忽略。"),
    ("inbox.done_dismiss.one", "question dismissed.", "个问题已忽略。"),
    ("inbox.done_merge", "questions merged into this group.", "个问题已合并到本组。"),
    ("inbox.done_merge.one", "question merged into this group.", "个问题已合并到本组。"),
    ("inbox.done_split", "The chosen questions are a group of their own now.", "选中的问题已拆为新组。"),
    ("inbox.done_move", "questions moved.", "个问题已移动。"),
    ("inbox.done_move.one", "question moved.", "个问题已移动。"),
    ("inbox.done_undo", "questions are back in the inbox.", "个问题已回到待处理。"),
    ("inbox.done_undo.one", "question is back in the inbox.", "个问题已回到待处理。"),
    ("knowledge.title", "Knowledge", "知识库"),
    ("review.title", "Review", "审核"),
    ("nav.health", "Health", "知识健康"),
    ("health.title", "Knowledge health", "知识健康"),
    ("health.intro", "What each published point does for customers, and where points compete for the same questions.", "每个已发布知识点对客户的效果，以及哪些知识点在争抢同一类问题。"),
    ("health.all", "All points", "全部知识点"),
    ("health.healthy", "Healthy", "良好"),
    ("health.cold", "Cold", "冷门"),
    ("health.new", "New: not asked yet", "新：尚无提问"),
    ("health.needs_work", "Needs work", "需改进"),
    ("health.published", "published", "已发布"),
    ("health.answered", "Answered", "回答次数"),
    ("health.chosen", "Chosen in clarifications", "澄清中被选"),
    ("health.unhelpful", "Not helpful", "无帮助"),
    ("health.helpful_rate", "Helpful", "有帮助率"),
    ("health.handoffs", "Handoffs", "转人工"),
    ("health.last_asked", "Last asked", "最近提问"),
    ("health.verdict", "Verdict", "结论"),
    ("health.conflicts", "Conflicts", "知识冲突"),
    ("health.conflicts_intro", "Pairs of points that compete: phrasings nearer the other point, customers choosing either in clarifications, or answers rated not helpful, then linked to the other.", "相互竞争的知识点：相似问法更接近另一个知识点、客户在澄清中两者混选，或被点踩的回答后来被关联到另一个知识点。"),
    ("health.recompute", "Compare again", "重新比较"),
    ("health.conflicts_of", "Only this point's conflicts", "只显示这个知识点的冲突"),
    ("health.all_conflicts", "all conflicts", "全部冲突"),
    ("editor.health", "Health and conflicts", "健康与冲突"),
    ("health.no_conflicts", "No conflicts between published points.", "已发布的知识点之间没有冲突。"),
    ("health.texts", "texts", "条问法"),
    ("health.texts.one", "text", "条问法"),
    ("health.points", "points", "个知识点"),
    ("health.points.one", "point", "个知识点"),
    ("health.pairs", "pairs", "对"),
    ("health.pairs.one", "pair", "对"),
    ("health.phrasings", "phrasings", "条问法"),
    ("health.phrasings.one", "phrasing", "条问法"),
    ("health.clarifications", "clarifications", "次澄清"),
    ("health.clarifications.one", "clarification", "次澄清"),
    ("health.answers", "answers", "个回答"),
    ("health.answers.one", "answer", "个回答"),
    ("pager.previous", "Previous page", "上一页"),
    ("pager.next", "Next page", "下一页"),
    ("health.crossing", "Nearer the other point", "更接近另一知识点的问法"),
    ("health.own", "Own point", "本知识点"),
    ("health.other", "Other point", "另一知识点"),
    ("health.move", "Move to", "移到"),
    ("health.clarify_evidence", "Chosen in the same clarifications:", "在同一澄清中被选："),
    ("health.merge_into", "Merge into", "合并到"),
    ("health.not_a_conflict", "Not a conflict", "不是冲突"),
    ("health.done", "Done: the bot serves the change now.", "已完成：机器人已使用新的知识。"),
    ("editor.duplicate_warning", "This question means the same as an existing point:", "这个问题与已有知识点意思相同："),
    ("editor.save_anyway", "Save anyway", "仍然保存"),
    ("import.duplicates", "These rows mean the same as published points:", "以下行与已发布的知识点意思相同："),
    ("import.anyway", "Import anyway", "仍然导入"),
    ("dashboard.title", "Dashboard", "看板"),
    ("dashboard.days", "days", "天"),
    ("dashboard.coverage", "Coverage", "覆盖率"),
    ("dashboard.asks", "asks", "次提问"),
    ("dashboard.asks.one", "ask", "次提问"),
    ("dashboard.answered", "answered", "已回答"),
    ("dashboard.clarified", "Clarify", "澄清"),
    ("dashboard.missed", "Missed", "未回答"),
    ("dashboard.open_misses", "Open misses", "待处理问题"),
    ("dashboard.loop_yield", "Loop yield", "闭环收益"),
    ("dashboard.to_answer", "median from first miss to published answer", "从首次未答到发布答案（中位数）"),
    ("dashboard.published", "Published knowledge", "已发布知识"),
    ("dashboard.in_review", "in review", "审核中"),
    ("dashboard.drafts", "drafts", "草稿"),
    ("dashboard.drafts.one", "draft", "草稿"),
    ("dashboard.stale", "stale", "久未命中"),
    ("dashboard.coverage_per_day", "Coverage per day", "每日覆盖率"),
    ("dashboard.outcomes_per_day", "Asks per day", "每日提问"),
    ("dashboard.backlog_flow", "Inbox: inflow and resolved per day", "待处理：每日新增与解决"),
    ("dashboard.inflow", "inflow", "新增"),
    ("dashboard.resolved", "resolved", "已解决"),
    ("dashboard.yield_per_day", "Misses closed by published knowledge, per day", "每日因发布知识而关闭的问题"),
    ("dashboard.by_category", "Coverage by business category", "各业务类别覆盖率"),
    ("dashboard.no_category", "(no knowledge point near)", "（无相近知识点）"),
    ("dashboard.period", "Period", "统计周期"),
    ("filter.status", "Status", "状态"),
    ("filter.signal", "Signal", "信号"),
    ("filter.verdict", "Show", "显示"),
    ("inbox.choose_question", "Choose question", "选择问题"),
    ("inbox.groups_list", "Groups of unanswered questions", "未回答问题的分组"),
    ("dashboard.backlog_age", "Open misses by age", "待处理问题的时长"),
    ("dashboard.age_day", "under a day", "一天内"),
    ("dashboard.age_week", "1–7 days", "1–7 天"),
    ("dashboard.age_month", "7–30 days", "7–30 天"),
    ("dashboard.age_older", "older", "更早"),
    ("dashboard.trainers", "Trainer throughput", "训练师处理量"),
    ("dashboard.trainer", "Trainer", "训练师"),
    ("dashboard.decisions", "Decisions", "决定"),
    ("dashboard.per_day", "Per day", "每日"),
    ("dashboard.yield_by_point", "Loop yield by knowledge point", "各知识点的闭环收益"),
    ("dashboard.day", "Day (UTC)", "日期（UTC）"),
    ("dashboard.voc", "Voice of the customer: top topics", "客户之声：热门话题"),
    ("dashboard.voc_download", "Download the report:", "下载报告："),
    ("dashboard.topic", "Topic", "话题"),
    ("dashboard.reports", "Reports", "次数"),
    ("dashboard.before", "Period before", "上期"),
    ("dashboard.share", "Share of traffic", "占流量"),
    ("dashboard.examples", "Example questions", "问题示例"),
    ("dashboard.asks_title", "The asks behind the figure", "数据背后的提问"),
    ("dashboard.outcome", "Outcome", "结果"),
    ("dashboard.channel", "Channel", "渠道"),
    ("dashboard.point", "Knowledge point", "知识点"),
    ("dashboard.when", "When", "时间"),
    ("search.title", "Search", "搜索"),
    ("status.title", "System status", "系统状态"),
    ("status.database", "Database", "数据库"),
    ("status.model", "Embedding model", "向量模型"),
    ("status.dimension", "Dimension", "向量维度"),
    ("status.max_tokens", "Max tokens", "最大长度"),
    ("status.load_time", "Load time", "加载耗时"),
    ("status.reembedding", "Moving to", "正在切换到"),
    ("status.reembedding_failed", "stopped; the current model keeps serving", "已中止，当前模型继续服务"),
    ("status.ready", "ready", "就绪"),
    ("editor.personal_data", "This point seems to hold a customer's personal data, which knowledge should not keep (your company's own numbers are fine):", "此知识点疑似含有客户的个人信息，知识中不应保存（公司自己的号码可以保留）："),
    ("editor.personal_in_phrasing", "a phrasing", "相似问法"),
    ("status.masking", "Personal data masked", "个人信息脱敏"),
    ("status.masking_off", "off: questions are stored as customers typed them", "未开启：问题按客户原文保存"),
    ("status.retention", "Retention", "数据保留"),
    ("status.retention_never", "has not run yet", "尚未执行"),
    ("status.retention_days", "days kept", "天"),
    ("status.retention_days.one", "day kept", "天"),
    ("status.retention_forever", "kept forever", "永久保留"),
    ("status.retention_last", "last run", "上次执行"),
    ("status.retention_removed", "removed", "删除了"),
    ("status.retention_asks", "asks", "条提问记录"),
    ("status.retention_asks.one", "ask", "条提问记录"),
    ("status.retention_misses", "misses", "条未答问题"),
    ("status.retention_misses.one", "miss", "条未答问题"),
    ("status.retention_reports", "reports", "条上报"),
    ("status.retention_reports.one", "report", "条上报"),
    ("detector.phone", "mobile numbers", "手机号"),
    ("detector.landline", "landline numbers", "固定电话"),
    ("detector.id_card", "ID card numbers", "身份证号"),
    ("detector.bank_card", "bank card numbers", "银行卡号"),
    ("detector.email", "e-mail addresses", "邮箱"),
    ("detector.ip", "IP addresses", "IP地址"),
    ("status.down", "unavailable", "不可用"),
    ("status.loading", "Checking…", "检查中…"),
    ("status.refresh", "Refresh", "刷新"),
    ("status.error", "Status could not be read", "无法读取状态"),
    ("notfound.title", "Page not found", "页面不存在"),
    ("signin.title", "Sign in", "登录"),
    ("signin.name", "Name", "用户名"),
    ("signin.password", "Password", "密码"),
    ("signin.submit", "Sign in", "登录"),
    ("signin.out", "Sign out", "退出"),
    ("signin.wrong", "wrong name or password", "用户名或密码错误"),
    ("signin.throttled", "too many failed sign-ins: try again in {n} minutes", "登录失败次数过多，请 {n} 分钟后再试"),
    ("role.bot", "bot", "机器人"),
    ("role.trainer", "trainer", "训练师"),
    ("role.reviewer", "reviewer", "审核员"),
    ("role.supervisor", "supervisor", "主管"),
    ("role.admin", "admin", "管理员"),
    ("outcome.answered", "answered", "已回答"),
    ("outcome.clarify", "clarified", "已澄清"),
    ("outcome.miss", "missed", "未回答"),
    ("forbidden.title", "Not for your role", "无权访问"),
    ("forbidden.needs", "This page needs the {needed} role; {name} has the {has} role.", "此页面需要“{needed}”角色；{name} 的角色是“{has}”。"),
    ("channel.bot", "bot", "机器人"),
    ("channel.online", "online chat", "在线客服"),
    ("channel.hotline", "hotline", "热线"),
    ("group.open", "open", "待处理"),
    ("group.resolved", "resolved", "已解决"),
    ("group.dismissed", "dismissed", "已忽略"),
    ("group.merged", "merged", "已合并"),
    ("action.link", "linked to a point", "关联到知识点"),
    ("action.wrong_point", "wrong point: counter-example and link", "答错了：记为反例并关联到正确的知识点"),
    ("action.poor_answer", "right point, poor answer: answer revised", "知识点对，答案不好：修改了答案"),
    ("action.create", "new point", "新建知识点"),
    ("action.dismiss", "dismissed", "已忽略"),
    ("action.answered", "answered by published knowledge", "已由发布的知识回答"),
    ("signal.no_match", "no match", "未匹配"),
    ("signal.clarify_not_taken", "clarification not taken", "澄清未选择"),
    ("signal.negative_feedback", "thumbs down", "差评"),
    ("signal.handoff", "handed to an agent", "转人工"),
    ("signal.reported", "reported by a bot", "机器人上报"),
    ("knowledge.new", "New knowledge point", "新建知识点"),
    ("knowledge.categories", "Categories", "分类"),
    ("knowledge.all", "All knowledge", "全部知识"),
    ("knowledge.search_hint", "Search questions, phrasings and answers", "搜索标准问、相似问法和答案"),
    ("knowledge.search", "Search", "搜索"),
    ("knowledge.any_status", "Any state", "全部状态"),
    ("knowledge.none", "No knowledge points here yet.", "这里还没有知识点。"),
    ("knowledge.state", "State", "状态"),
    ("knowledge.updated", "Last change", "最近修改"),
    ("field.category", "Category", "分类"),
    ("field.question", "Typical question", "标准问"),
    ("field.answer", "Answer", "标准答案"),
    ("field.phrasings", "Other phrasings", "相似问法"),
    ("field.slot", "Template slot", "模板条目"),
    ("status.draft", "Draft", "草稿"),
    ("status.in_review", "In review", "审核中"),
    ("status.rejected", "Rejected", "已退回"),
    ("status.published", "Published", "已发布"),
    ("status.archived", "Archived", "已归档"),
    ("status.superseded", "Superseded", "已被替代"),
    ("status.live", "Live", "线上生效"),
    ("validity.scheduled", "Scheduled", "待生效"),
    ("validity.live", "In effect", "生效中"),
    ("validity.expired", "Expired", "已失效"),
    ("validity.any", "Any validity", "全部生效状态"),
    ("health.expiring", "Expires within 7 days", "7 天内失效"),
    ("health.expired", "Expired", "已失效"),
    ("knowledge.validity", "Validity", "生效时间段"),
    ("field.valid_from", "Valid from", "生效时间"),
    ("field.valid_until", "Valid until", "失效时间"),
    ("editor.validity_hint", "Leave empty for no limit. The bot serves the point only inside this window.", "留空表示不限。机器人只在这个时间段内使用该知识点回答。"),
    ("editor.answer_default", "Default", "默认"),
    ("editor.answer_channel_hint", "Leave empty and this channel gets the default answer.", "留空则此渠道使用默认答案。"),
    ("editor.answer_hotline_hint", "Plain text an agent can read out: no links, lists or Markdown.", "坐席可直接念出的纯文本：不能有链接、列表或 Markdown 格式。"),
    ("editor.answer_markdown_hint", "Markdown: **bold**, lists (- item), links [text](https://…).", "支持 Markdown：**加粗**、列表（- 条目）、链接 [文字](网址)。"),
    ("editor.preview", "Preview", "预览"),
    ("editor.has_variant", "has its own answer", "有单独的答案"),
    ("field.related", "Related questions", "关联问题"),
    ("field.counter_examples", "Counter-examples", "反例"),
    ("editor.counter_hint", "Questions this point must not answer: a question closer to one of them than to this point's phrasings is never answered with it (it may still be offered as a choice).", "这个知识点不应回答的问题：与某条反例比与本知识点的问法更接近的提问，机器人不会直接用它回答（仍可作为候选供客户选择）。"),
    ("editor.counter_add", "Add counter-example", "添加反例"),
    ("editor.counter_add_hint", "A question this point must not answer (Enter adds it)", "这个知识点不应回答的问题（回车添加）"),
    ("editor.related_hint", "Up to 5 points the bot offers next (“you may also want to know…”).", "最多 5 个，机器人回答后推荐给客户（“您可能还想了解……”）。"),
    ("editor.related_search", "Find a point to relate", "搜索要关联的知识点"),
    ("editor.related_none", "No related questions.", "没有关联问题。"),
    ("editor.related_add", "Add", "添加"),
    ("editor.related_remove", "Remove", "移除"),
    ("field.answer_bot", "Answer for the bot", "机器人渠道答案"),
    ("field.answer_online", "Answer for online chat", "在线客服渠道答案"),
    ("field.answer_hotline", "Answer for the hotline", "热线渠道答案"),
    ("channel.answer_for", "Answers for", "按渠道查看答案"),
    ("category.new", "New category", "新建分类"),
    ("category.edit", "Rename / move", "重命名 / 移动"),
    ("category.name", "Name", "名称"),
    ("category.parent", "Inside", "上级分类"),
    ("category.top", "(top level)", "（顶级）"),
    ("category.template", "Module template", "模块模板"),
    ("category.no_template", "none", "无"),
    ("template.promotion", "Promotion", "促销活动"),
    ("template.product", "Product", "产品"),
    ("template.pricing", "Pricing", "资费"),
    ("template.service", "Service", "服务"),
    ("template.update", "Update", "变更通知"),
    ("action.save", "Save", "保存"),
    ("import.title", "Import knowledge (JSON or CSV)", "导入知识（JSON 或 CSV）"),
    ("import.hint_before", "Paste a JSON array or CSV with the header", "粘贴 JSON 数组，或表头为"),
    ("import.hint_after",
     "(phrasings separated by |). Rows are matched on category and question; bad rows are listed, good rows kept.",
     "的 CSV（相似问法用 | 分隔）。按分类和标准问匹配已有知识；错误行会列出，正确行照常导入。"),
    ("import.publish", "Publish at once (reviewers)", "立即发布（需审核员权限）"),
    ("import.run", "Import", "导入"),
    ("import.created", "created", "新建"),
    ("import.updated", "updated", "更新"),
    ("import.unchanged", "unchanged", "未变化"),
    ("import.line", "Line", "第"),
    ("module.open", "Open this module's knowledge page", "查看本模块的知识页面"),
    ("module.template", "Template", "模板"),
    ("module.missing", "missing", "项缺失"),
    ("module.write", "Write it", "去编写"),
    ("module.empty", "Nothing published in this module yet.", "本模块还没有已发布的知识。"),
    ("module.also_asked", "Also asked as:", "其他问法："),
    ("module.unpublished", "Not published yet", "尚未发布"),
    ("editor.new", "New knowledge point", "新建知识点"),
    ("editor.edit", "Knowledge point", "知识点"),
    ("editor.rejected_because", "Sent back by the reviewer:", "审核退回意见："),
    ("editor.save", "Save draft", "保存草稿"),
    ("editor.submit", "Submit for review", "提交审核"),
    ("editor.submit_hint", "Save your changes first; then a reviewer can publish them.", "请先保存修改，然后提交给审核员发布。"),
    ("editor.archive", "Archive", "归档"),
    ("editor.unsaved", "Unsaved changes", "有未保存的修改"),
    ("editor.add", "Add", "添加"),
    ("editor.add_hint", "Another way customers ask this (Enter adds it)", "客户的另一种问法（回车添加）"),
    ("editor.remove", "Remove", "删除"),
    ("editor.saved", "Draft saved.", "草稿已保存。"),
    ("editor.saved_left_review", "Draft saved. It is no longer in review: submit it again when it is ready.", "草稿已保存，已退出审核：改好后请重新提交审核。"),
    ("editor.submitted", "Submitted for review.", "已提交审核。"),
    ("editor.archived", "Archived: bots no longer serve it.", "已归档：机器人不再使用该知识点。"),
    ("editor.restored", "Restored as a new draft.", "已恢复为新草稿。"),
    ("history.title", "History", "修改历史"),
    ("history.restore", "Restore as draft", "恢复为草稿"),
    ("history.reviewed_by", "reviewed by", "审核人"),
    ("diff.none", "No change.", "无变化。"),
    ("review.empty", "Nothing waiting for review.", "没有待审核的内容。"),
    ("review.new_point", "New", "新知识点"),
    ("review.approve", "Approve and publish", "通过并发布"),
    ("review.reject", "Send back", "退回"),
    ("review.comment_hint", "Why it goes back (required)", "退回原因（必填）"),
    ("review.published", "published", "已发布"),
    ("review.rejected", "sent back to its author", "已退回作者"),
    ("review.no_regressions", "No answer the bot gives today would change.", "机器人现有的回答都不会改变。"),
    ("review.regressions", "These questions would get a different answer:", "以下问题的回答会改变："),
    ("review.question", "Question", "问题"),
    ("review.was", "Answered now by", "当前回答"),
    ("review.now", "After publishing", "发布后"),
    ("review.unanswered", "(not answered)", "（无回答）"),
    ("review.publish_anyway", "Publish anyway", "仍然发布"),
    ("review.closed", "questions from the inbox now answered and closed", "个待处理问题已被回答并关闭"),
    ("editor.loop_yield", "Inbox questions this point answered and closed", "此知识点回答并关闭的待处理问题"),
    ("search.intro",
     "Type a customer's question: the best knowledge points appear as you type, with what the bot would answer. Nothing is recorded; opening a point counts, and breaks ties.",
     "输入客户的问题：边输入边显示最匹配的知识点，以及机器人会给出的结果。不会留下记录；打开知识点会计入点击，并在得分相同时优先显示。"),
    ("search.hint", "Ask as a customer would…", "像客户一样提问…"),
    ("search.answered", "The bot would answer", "机器人会直接回答"),
    ("search.clarify", "The bot would ask which one is meant", "机器人会请客户选择"),
    ("search.miss", "The bot would not know", "机器人无法回答"),
    ("search.semantic", "meaning", "语义"),
    ("search.lexical", "words", "字词"),
    ("search.clicks", "opened", "打开次数"),
    ("nav.synonyms", "Synonyms", "同义词"),
    ("nav.testsets", "Test sets", "测试集"),
    ("testsets.title", "Test sets", "测试集"),
    (
        "testsets.intro",
        "Questions with what the bot must do with each: answer with a given point, or not answer. Three sets fill themselves from what customers confirmed and what trainers dismissed; every publish is checked against every case.",
        "每条用例是一个问题，以及机器人应有的处理：用指定的知识点回答，或不回答。三个测试集会根据客户的确认和训练师的忽略自动收集用例；每次发布都会用全部用例检查。",
    ),
    ("testsets.kind.confirmed", "Confirmed by customers", "客户确认有用的回答"),
    ("testsets.kind.chosen", "Chosen in clarifications", "客户在澄清中选择的知识点"),
    ("testsets.kind.out_of_scope", "Must stay unanswered", "不应回答的问题"),
    ("testsets.col.name", "Set", "测试集"),
    ("testsets.col.cases", "Cases", "用例数"),
    ("testsets.col.last_run", "Last run", "最近运行"),
    ("testsets.col.result", "Result", "结果"),
    ("testsets.never", "never run", "尚未运行"),
    ("testsets.flagged", "{n} to check", "{n} 条需处理"),
    ("testsets.run", "Run", "运行"),
    ("testsets.running", "Running…", "运行中…"),
    ("testsets.open", "Open the set", "打开测试集"),
    ("testsets.import.title", "Import a set", "导入测试集"),
    (
        "testsets.import.hint",
        "A CSV, JSON or Excel file; a set of the same name has its cases replaced. Columns:",
        "支持 CSV、JSON 或 Excel 文件；同名测试集的用例会被替换。列名：",
    ),
    ("testsets.import.name", "Name", "名称"),
    ("testsets.import.file", "File", "文件"),
    ("testsets.import.run", "Import", "导入"),
    ("testsets.import.done", "Imported {n} cases.", "已导入 {n} 条用例。"),
    ("testset.figures", "{passed}/{total} passed ({accuracy}), answered {answered} at {precision} precision", "通过 {passed}/{total}（{accuracy}），直接回答 {answered}，准确率 {precision}"),
    ("testset.no_runs", "Not run yet: press Run.", "尚未运行：请点击“运行”。"),
    ("testset.progress", "{done} of {total} cases asked", "已运行 {done}/{total} 条用例"),
    ("testset.failed_run", "The run stopped on an error; the server log has the cause. Run it again.", "运行因错误中断，原因见服务器日志。请重新运行。"),
    ("testset.latest", "Latest run,", "最近一次运行："),
    ("testset.accuracy", "Passed", "通过率"),
    ("testset.answered", "Answered", "直接回答"),
    ("testset.precision", "Precision of answers", "回答准确率"),
    ("testset.since_previous", "Since the run before", "与上次运行相比"),
    ("testset.failing_passing", "newly failing / newly passing", "新失败 / 新通过"),
    ("testset.history", "Pass rate per run, oldest first", "每次运行的通过率（从早到晚）"),
    ("testset.categories", "By category, weakest first", "按分类（通过率低的在前）"),
    ("testset.results", "Cases, failures first", "用例结果（失败的在前）"),
    ("testset.col.question", "Question", "问题"),
    ("testset.col.expected", "Expected", "预期"),
    ("testset.col.got", "Answered with", "实际回答"),
    ("testset.col.score", "Score", "得分"),
    ("testset.col.result", "Result", "结果"),
    ("testset.expect_unanswered", "not answered", "不回答"),
    ("testset.passed", "passed", "通过"),
    ("testset.failed", "failed", "失败"),
    ("testset.change.newly_failing", "newly failing", "新失败"),
    ("testset.change.newly_passing", "newly passing", "新通过"),
    ("testset.change.new", "new case", "新用例"),
    ("testset.flag.point_archived", "its point was archived", "预期的知识点已归档"),
    ("testset.flag.point_missing", "its point no longer exists", "预期的知识点已不存在"),
    ("testset.cases", "All {n} cases", "全部 {n} 条用例"),
    ("testset.empty", "No cases yet.", "还没有用例。"),
    ("testset.remove", "Remove", "移除"),
    ("review.test_set", "Test set", "测试集"),
    ("dashboard.test_runs", "Test sets, latest runs", "测试集最近一次运行"),
    ("dashboard.test_runs_none", "No test set has been run yet.", "还没有运行过测试集。"),
    (
        "review.test_regressions",
        "Test cases whose result this change would change. Publishing over a newly failing case needs Publish anyway.",
        "这次修改会改变以下测试用例的结果。若有用例新失败，需点击“仍然发布”。",
    ),
    ("status.reembedding_synonyms", "Applying the new synonyms to", "正在应用新同义词，模型"),
    ("synonyms.title", "Synonyms", "同义词"),
    ("synonyms.intro", "Words customers write for the same thing: product names, abbreviations, slang. Once published, every question and every stored text is read with the canonical term, so the bot and the grouping understand the variants.", "客户对同一事物的不同说法：产品名、缩写、口语。发布后，每个问题和已存的文本都会先换成标准词再匹配，机器人和归类都能理解这些说法。"),
    ("synonyms.new", "New entry", "新建条目"),
    ("synonyms.edit", "Change the entry", "修改条目"),
    ("synonyms.canonical", "Canonical term", "标准词"),
    ("synonyms.variants", "Variants", "同义词"),
    ("synonyms.variants_hint", "separated by commas", "用逗号或顿号分隔"),
    ("synonyms.propose", "Propose for review", "提交审核"),
    ("synonyms.cancel", "Cancel", "取消"),
    ("synonyms.dictionary", "Dictionary", "词典"),
    ("synonyms.export", "Export CSV", "导出 CSV"),
    ("synonyms.publish", "Publish {n} change(s)", "发布 {n} 项更改"),
    ("synonyms.published", "Published {n} change(s); the dictionary has {entries} entries. The texts they change are embedded again in the background; the status page shows the progress.", "已发布 {n} 项更改，词典现有 {entries} 个条目。受影响的文本正在后台重新计算向量，进度见系统状态。"),
    ("synonyms.empty", "No synonyms yet. Add the product names and abbreviations your customers use.", "还没有同义词。请添加客户常用的产品名和缩写。"),
    ("synonyms.state", "State", "状态"),
    ("synonyms.actions", "Actions", "操作"),
    ("synonyms.live", "Published", "已发布"),
    ("synonyms.pending_add", "New, waiting for review", "新增，待审核"),
    ("synonyms.pending_edit", "Changed, waiting for review", "修改，待审核"),
    ("synonyms.pending_remove", "Removal waiting for review", "删除，待审核"),
    ("synonyms.edit_one", "Edit", "编辑"),
    ("synonyms.remove", "Remove", "删除"),
    ("synonyms.discard", "Discard the change", "撤销更改"),
    ("synonyms.proposed", "Proposed for review.", "已提交审核。"),
    ("synonyms.suggestions", "Suggestions", "建议"),
    ("synonyms.suggestions_intro", "Words in open misses that no published text contains, and words trainers swapped when they linked a question to a point.", "未解决问题中出现、但已发布知识里没有的词，以及训练师关联问题时替换过的词。"),
    ("synonyms.no_suggestions", "No suggestions right now.", "暂无建议。"),
    ("synonyms.unknown_word", "in {n} open misses, in no published text:", "出现在 {n} 个未解决问题中，已发布知识里没有："),
    ("synonyms.linked_variant", "in one point's texts:", "同一知识点的两种说法："),
    ("synonyms.use", "Use", "采用"),
    ("synonyms.suggestion_search", "Only suggestions about…", "只看包含此内容的建议…"),
    ("synonyms.import", "Import synonyms (CSV)", "导入同义词（CSV）"),
    ("synonyms.import_hint", "(variants separated by |). The entries are proposed for review; a line in error imports nothing.", "（同义词之间用 | 分隔）。导入的条目需要审核；任何一行有错则全部不导入。"),
    ("synonyms.imported", "Proposed: {created} new, {updated} changed, {unchanged} unchanged.", "已提交：新增 {created} 条，修改 {updated} 条，未变化 {unchanged} 条。"),
    ("synonyms.import_refused", "Nothing was imported:", "未导入任何内容："),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_the_singular_in_english_only() {
        assert_eq!(count(Lang::En, 1, "inbox.questions"), "1 question");
        assert_eq!(count(Lang::En, 2, "inbox.questions"), "2 questions");
        assert_eq!(count(Lang::En, 0, "inbox.questions"), "0 questions");
        assert_eq!(count(Lang::Zh, 1, "inbox.questions"), "1 个问题");
        assert_eq!(count(Lang::En, 1, "dashboard.stale"), "1 stale", "no singular form: the one word");
    }

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

/// Keeps the signed-in user's language for their next sign-in; nothing for anonymous users.
#[server(endpoint = "remember_language", input = Json)]
pub async fn remember_language(lang: String) -> Result<(), AppError> {
    let Some(user_id) = principal().and_then(|p| p.user_id) else { return Ok(()) };
    model::accounts::users::set_lang(&services()?.db, user_id, &lang).await.map_err(fail)
}
