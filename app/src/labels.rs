//! How users read the domain's words: states, outcomes, signals, actions, roles and template
//! slots. The model sends the words (`views::*` enums, slot keys); the app names them in the
//! user's language through the i18n table.

use model::views::{
    Action, Channel, Detector, GroupStatus, Outcome, PointStatus, Refusal, RevisionNote, RevisionState, Role,
    Signal, Template, TrainingPhase, Validity, VersionState,
};

use crate::i18n::{tr, Lang};

/// A domain word users see: its key in the i18n table.
pub trait Label: Copy {
    fn key(self) -> &'static str;

    fn label(self, lang: Lang) -> &'static str {
        tr(lang, self.key())
    }
}

impl Label for Outcome {
    fn key(self) -> &'static str {
        match self {
            Outcome::Answered => "outcome.answered",
            Outcome::Clarify => "outcome.clarify",
            Outcome::Miss => "outcome.miss",
        }
    }
}

impl Label for VersionState {
    fn key(self) -> &'static str {
        match self {
            VersionState::Serving => "version.serving",
            VersionState::Kept => "version.kept",
            VersionState::Refused => "version.refused",
        }
    }
}

impl Label for TrainingPhase {
    fn key(self) -> &'static str {
        match self {
            TrainingPhase::Reading => "phase.reading",
            TrainingPhase::Embedding => "phase.embedding",
            TrainingPhase::Training => "phase.training",
            TrainingPhase::Scoring => "phase.scoring",
            TrainingPhase::Storing => "phase.storing",
            TrainingPhase::Finished => "phase.finished",
            TrainingPhase::Failed => "phase.failed",
        }
    }
}

impl Label for Refusal {
    fn key(self) -> &'static str {
        match self {
            Refusal::NoBetterTop1 => "refusal.no_better_top1",
            Refusal::LessAnswered => "refusal.less_answered",
            Refusal::LessPrecise => "refusal.less_precise",
            Refusal::TooLittleData => "refusal.too_little_data",
            Refusal::BreaksTestCases => "refusal.breaks_test_cases",
        }
    }
}

impl Label for Channel {
    fn key(self) -> &'static str {
        match self {
            Channel::Bot => "channel.bot",
            Channel::Online => "channel.online",
            Channel::Hotline => "channel.hotline",
        }
    }
}

impl Label for Validity {
    fn key(self) -> &'static str {
        match self {
            Validity::Scheduled => "validity.scheduled",
            Validity::Live => "validity.live",
            Validity::Expired => "validity.expired",
        }
    }
}

impl Label for Detector {
    fn key(self) -> &'static str {
        match self {
            Detector::Phone => "detector.phone",
            Detector::Landline => "detector.landline",
            Detector::IdCard => "detector.id_card",
            Detector::BankCard => "detector.bank_card",
            Detector::Email => "detector.email",
            Detector::Ip => "detector.ip",
        }
    }
}

/// What a personal-data detector finds, in `lang`.
pub fn detector_name(lang: Lang, d: Detector) -> &'static str {
    d.label(lang)
}

impl Label for GroupStatus {
    fn key(self) -> &'static str {
        match self {
            GroupStatus::Open => "group.open",
            GroupStatus::Resolved => "group.resolved",
            GroupStatus::Dismissed => "group.dismissed",
            GroupStatus::Merged => "group.merged",
        }
    }
}

impl Label for Action {
    fn key(self) -> &'static str {
        match self {
            Action::Link => "action.link",
            Action::Create => "action.create",
            Action::Dismiss => "action.dismiss",
            Action::Answered => "action.answered",
            Action::WrongPoint => "action.wrong_point",
            Action::PoorAnswer => "action.poor_answer",
        }
    }
}

impl Label for model::views::Language {
    fn key(self) -> &'static str {
        match self {
            model::views::Language::Zh => "language.zh",
            model::views::Language::En => "language.en",
        }
    }
}

impl Label for Signal {
    fn key(self) -> &'static str {
        match self {
            Signal::NoMatch => "signal.no_match",
            Signal::ClarifyNotTaken => "signal.clarify_not_taken",
            Signal::NegativeFeedback => "signal.negative_feedback",
            Signal::Handoff => "signal.handoff",
            Signal::Reported => "signal.reported",
        }
    }
}

impl Label for PointStatus {
    fn key(self) -> &'static str {
        match self {
            PointStatus::Draft => "status.draft",
            PointStatus::InReview => "status.in_review",
            PointStatus::Rejected => "status.rejected",
            PointStatus::Published => "status.published",
            PointStatus::Archived => "status.archived",
        }
    }
}

impl Label for RevisionState {
    fn key(self) -> &'static str {
        match self {
            RevisionState::Draft => "status.draft",
            RevisionState::InReview => "status.in_review",
            RevisionState::Rejected => "status.rejected",
            RevisionState::Published => "status.published",
            RevisionState::Superseded => "status.superseded",
            RevisionState::Archived => "status.archived",
        }
    }
}

impl Label for Role {
    fn key(self) -> &'static str {
        match self {
            Role::Bot => "role.bot",
            Role::Trainer => "role.trainer",
            Role::Reviewer => "role.reviewer",
            Role::Supervisor => "role.supervisor",
            Role::Admin => "role.admin",
        }
    }
}

impl Label for Template {
    fn key(self) -> &'static str {
        match self {
            Template::Promotion => "template.promotion",
            Template::Product => "template.product",
            Template::Pricing => "template.pricing",
            Template::Service => "template.service",
            Template::Update => "template.update",
        }
    }
}

/// Several words, in the user's language, as one line.
pub fn list<L: Label>(items: &[L], lang: Lang) -> String {
    items.iter().map(|i| i.label(lang)).collect::<Vec<_>>().join(if lang == Lang::Zh { "、" } else { ", " })
}

/// A revision's note in the user's language: the product's own notes say what happened without
/// the internal numbers behind it; anything else is a person's words, shown as written.
pub fn revision_note(lang: Lang, stored: &str) -> String {
    let Some(note) = RevisionNote::parse(stored) else { return stored.to_string() };
    match (note, lang) {
        (RevisionNote::Created, Lang::En) => "created".into(),
        (RevisionNote::Created, Lang::Zh) => "新建".into(),
        (RevisionNote::Imported, Lang::En) => "imported".into(),
        (RevisionNote::Imported, Lang::Zh) => "导入".into(),
        (RevisionNote::Restored { revision }, Lang::En) => format!("restored from #{revision}"),
        (RevisionNote::Restored { revision }, Lang::Zh) => format!("从 #{revision} 恢复"),
        (RevisionNote::FromInbox { phrasings: 1, .. }, Lang::En) => "1 phrasing from the inbox".into(),
        (RevisionNote::FromInbox { phrasings, .. }, Lang::En) => {
            format!("{phrasings} phrasings from the inbox")
        }
        (RevisionNote::FromInbox { phrasings, .. }, Lang::Zh) => {
            format!("来自待处理问题的 {phrasings} 条相似问法")
        }
        (RevisionNote::WrongPoint { counter_examples: 1, .. }, Lang::En) => {
            "1 counter-example from the inbox (wrong point)".into()
        }
        (RevisionNote::WrongPoint { counter_examples, .. }, Lang::En) => {
            format!("{counter_examples} counter-examples from the inbox (wrong point)")
        }
        (RevisionNote::WrongPoint { counter_examples, .. }, Lang::Zh) => {
            format!("来自待处理问题的 {counter_examples} 条反例（答错了）")
        }
        (RevisionNote::PoorAnswer { .. }, Lang::En) => "answer revised from the inbox (poor answer)".into(),
        (RevisionNote::PoorAnswer { .. }, Lang::Zh) => "根据待处理问题修改了答案（答案不好）".into(),
        (RevisionNote::MergedWith { .. }, Lang::En) => "merged with another point".into(),
        (RevisionNote::MergedWith { .. }, Lang::Zh) => "与另一个知识点合并".into(),
        (RevisionNote::PhrasingMovedTo { .. }, Lang::En) => "a phrasing moved to another point".into(),
        (RevisionNote::PhrasingMovedTo { .. }, Lang::Zh) => "一条相似问法移到了另一个知识点".into(),
        (RevisionNote::PhrasingMovedFrom { .. }, Lang::En) => {
            "a phrasing moved here from another point".into()
        }
        (RevisionNote::PhrasingMovedFrom { .. }, Lang::Zh) => "一条相似问法从另一个知识点移来".into(),
    }
}

/// The model as people name it, from the name the embedder reports (which composes the parts
/// and their weights, e.g. `e5-small-q4-centred*0.7/1+all-MiniLM-L6-v2*0.3/0+v1`: support reads
/// that in `/readyz` and the log).
pub fn model_name(lang: Lang, reported: &str) -> String {
    let (base, version) = match reported.rsplit_once("+v") {
        Some((base, v)) if v.parse::<u32>().is_ok() => (base, Some(v)),
        _ => (reported, None),
    };
    let (e5, minilm) = (base.contains("e5-small"), base.contains("MiniLM"));
    let family = match (e5, minilm, lang) {
        (true, true, Lang::En) => "Multilingual model (e5-small with MiniLM)",
        (true, true, Lang::Zh) => "多语言融合模型（e5-small 与 MiniLM）",
        (true, false, Lang::En) => "Multilingual model (e5-small)",
        (true, false, Lang::Zh) => "多语言模型（e5-small）",
        (false, true, Lang::En) => "English model (MiniLM)",
        (false, true, Lang::Zh) => "英文模型（MiniLM）",
        (false, false, _) => base,
    };
    match (version, lang) {
        (Some(v), Lang::En) => format!("{family}, trained version {v}"),
        (Some(v), Lang::Zh) => format!("{family}，训练版本 {v}"),
        (None, _) => family.to_string(),
    }
}

/// Channels as the inbox stores them: the product's own by name in the user's language, an
/// external bot's own channel name as it sent it.
pub fn channels(names: &[String], lang: Lang) -> String {
    names
        .iter()
        .map(|n| n.parse::<Channel>().map(|c| c.label(lang).to_string()).unwrap_or_else(|_| n.clone()))
        .collect::<Vec<_>>()
        .join(if lang == Lang::Zh { "、" } else { ", " })
}

/// A dismissal reason as stored (one of [`DISMISS_REASONS`], or a reason an API caller wrote)
/// in the user's language.
pub fn reason(lang: Lang, stored: &str) -> String {
    DISMISS_REASONS
        .iter()
        .find(|(code, _, _)| *code == stored)
        .map(|(_, en, zh)| if lang == Lang::Zh { *zh } else { *en })
        .unwrap_or(stored)
        .to_string()
}

/// The reasons the workbench offers for dismissing a group, keys 1–4: (stored, English, Chinese).
pub const DISMISS_REASONS: [(&str, &str, &str); 4] = [
    ("noise", "Noise", "无意义内容"),
    ("chit-chat", "Chit-chat", "闲聊"),
    ("out of scope", "Out of scope", "超出业务范围"),
    ("abusive", "Abusive", "辱骂或不当内容"),
];

/// The title of slot `key` of a `template` module (the key itself if unknown, so a gap shows).
pub fn slot_title(lang: Lang, template: Template, key: &str) -> String {
    SLOTS
        .iter()
        .find(|(t, k, _, _)| *t == template && *k == key)
        .map(|(_, _, en, zh)| if lang == Lang::Zh { *zh } else { *en })
        .unwrap_or(key)
        .to_string()
}

/// The title of slot `key` in whichever template has it, for a place that does not know the
/// module's template (a diff of the slot a point fills); `None` for text that is no slot key.
pub fn any_slot_title(lang: Lang, key: &str) -> Option<&'static str> {
    SLOTS.iter().find(|(_, k, _, _)| *k == key).map(|(_, _, en, zh)| if lang == Lang::Zh { *zh } else { *en })
}

/// (template, slot key, English, Chinese)
const SLOTS: &[(Template, &str, &str, &str)] = &[
    (Template::Promotion, "what", "What the offer is", "活动内容"),
    (Template::Promotion, "eligibility", "Who can take part", "参与条件"),
    (Template::Promotion, "period", "When it starts and ends", "活动时间"),
    (Template::Promotion, "how_to_join", "How to sign up", "如何参加"),
    (Template::Promotion, "price", "What it costs or saves", "优惠力度与费用"),
    (Template::Promotion, "terms", "Terms, limits and combining offers", "规则与限制"),
    (Template::Promotion, "cancel", "How to leave the offer", "如何退出"),
    (Template::Product, "what", "What the product is", "产品介绍"),
    (Template::Product, "features", "What it includes", "包含内容"),
    (Template::Product, "eligibility", "Who can get it", "办理条件"),
    (Template::Product, "how_to_get", "How to get it", "如何办理"),
    (Template::Product, "price", "What it costs", "资费"),
    (Template::Product, "cancel", "How to cancel it", "如何取消"),
    (Template::Pricing, "price", "What it costs", "价格"),
    (Template::Pricing, "billing", "How and when it is billed", "计费方式"),
    (Template::Pricing, "extra_fees", "Extra fees and charges", "额外费用"),
    (Template::Pricing, "discounts", "Discounts", "优惠"),
    (Template::Pricing, "change_plan", "How to change the price plan", "如何变更"),
    (Template::Service, "what", "What the service does", "服务说明"),
    (Template::Service, "how_to_request", "How to request it", "如何申请"),
    (Template::Service, "documents", "What is needed", "所需材料"),
    (Template::Service, "time", "How long it takes", "办理时长"),
    (Template::Service, "fee", "What it costs", "费用"),
    (Template::Service, "status", "How to follow a request", "进度查询"),
    (Template::Update, "what_changed", "What changed", "变更内容"),
    (Template::Update, "when", "When it takes effect", "生效时间"),
    (Template::Update, "who", "Who is affected", "影响范围"),
    (Template::Update, "action", "What customers need to do", "客户需要做什么"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_are_named_without_their_recipe() {
        let fused = "e5-small-q4-centred*0.7/1+all-MiniLM-L6-v2*0.3/0+v1";
        assert_eq!(
            model_name(Lang::En, fused),
            "Multilingual model (e5-small with MiniLM), trained version 1"
        );
        assert_eq!(model_name(Lang::Zh, fused), "多语言融合模型（e5-small 与 MiniLM），训练版本 1");
        assert_eq!(model_name(Lang::Zh, "all-MiniLM-L6-v2"), "英文模型（MiniLM）");
        assert_eq!(model_name(Lang::En, "e5-small-q4-centred"), "Multilingual model (e5-small)");
        assert_eq!(model_name(Lang::En, "custom-bert"), "custom-bert");
    }

    fn keys() -> Vec<&'static str> {
        let mut keys = Vec::new();
        keys.extend(Outcome::ALL.iter().map(|v| v.key()));
        keys.extend(Channel::ALL.iter().map(|v| v.key()));
        keys.extend(Validity::ALL.iter().map(|v| v.key()));
        keys.extend(GroupStatus::ALL.iter().map(|v| v.key()));
        keys.extend(Action::ALL.iter().map(|v| v.key()));
        keys.extend(Signal::ALL.iter().map(|v| v.key()));
        keys.extend(PointStatus::ALL.iter().map(|v| v.key()));
        keys.extend(RevisionState::ALL.iter().map(|v| v.key()));
        keys.extend(Role::ALL.iter().map(|v| v.key()));
        keys.extend(Template::ALL.iter().map(|v| v.key()));
        keys.extend(VersionState::ALL.iter().map(|v| v.key()));
        keys.extend(TrainingPhase::ALL.iter().map(|v| v.key()));
        keys.extend(Refusal::ALL.iter().map(|v| v.key()));
        keys
    }

    #[test]
    fn every_state_has_a_label_in_both_languages() {
        for key in keys() {
            for lang in [Lang::En, Lang::Zh] {
                assert_ne!(tr(lang, key), key, "{key} has no {lang:?} text");
            }
        }
    }

    #[test]
    fn every_slot_of_every_template_has_a_title_in_both_languages() {
        for t in Template::ALL {
            for key in t.slots() {
                for lang in [Lang::En, Lang::Zh] {
                    assert_ne!(slot_title(lang, *t, key), *key, "{t} {key} {lang:?}");
                }
            }
        }
    }
}
