//! How the UI says an error: a refusal in the user's language, our own failures without their
//! cause.

use leptos::prelude::*;
use model::views::{ErrorKind, Field, Problem, Thing};

use crate::errors::AppError;
use crate::i18n::{use_lang, Lang};
use crate::labels::Label;
use crate::time::{use_zone, Zone};

impl AppError {
    /// What went wrong, in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        self.text_in(lang, Zone::default())
    }

    /// [`AppError::text`] with its times in `zone`. In English the server's message is said as
    /// it is (API callers read the same), except where it names internal numbers or a UTC time
    /// a person should not have to read.
    pub fn text_in(&self, lang: Lang, zone: Zone) -> String {
        match (&self.problem, lang) {
            (Some(p), Lang::Zh) => zh(p, zone),
            (None, Lang::Zh) => match self.code {
                ErrorKind::Internal => "服务器出错，未做任何更改；原因已记入服务器日志。".into(),
                _ => format!("请求未被接受：{}", self.message),
            },
            (Some(p), Lang::En) => en(p, zone).unwrap_or_else(|| self.message.clone()),
            (None, Lang::En) => self.message.clone(),
        }
    }
}

/// A server function's error as the page shows it, in the user's language.
pub fn error_text(e: &AppError) -> String {
    e.text_in(use_lang().get(), use_zone().get())
}

fn field(f: Field) -> &'static str {
    match f {
        Field::Question => "问题",
        Field::Answer => "答案",
        Field::AnswerBot => "机器人渠道的答案",
        Field::AnswerOnline => "在线客服渠道的答案",
        Field::AnswerHotline => "热线渠道的答案",
        Field::Phrasing => "相似问法",
        Field::CounterExample => "反例",
        Field::AgentAnswer => "人工坐席的回复",
        Field::Canonical => "标准词",
        Field::Variant => "同义词",
        Field::TestSetName => "测试集名称",
        Field::Category => "分类",
        Field::CategoryName => "分类名称",
        Field::TemplateSlot => "模板栏目",
        Field::Comment => "意见",
        Field::SessionId => "会话 ID",
        Field::Reason => "原因",
    }
}

fn thing(t: Thing) -> &'static str {
    match t {
        Thing::Category => "分类",
        Thing::Point => "知识点",
        Thing::Revision => "版本",
        Thing::Ask => "提问记录",
        Thing::Group => "分组",
        Thing::Question => "问题",
        Thing::Decision => "处理记录",
        Thing::User => "用户",
        Thing::Synonym => "同义词条目",
        Thing::TestSet => "测试集",
        Thing::TestCase => "测试用例",
        Thing::TestRun => "测试运行",
    }
}

/// The kinds of value an unknown word was given for (`UnknownState::what`, report options).
fn word(what: &str) -> &str {
    match what {
        "language" => "语言",
        "format" => "格式",
        "channel" => "渠道",
        "outcome" => "结果",
        "role" => "角色",
        "template" => "模板",
        "point status" => "知识点状态",
        "signal" => "信号",
        "validity" => "生效状态",
        other => other,
    }
}

/// Every refusal in Chinese. A new [`Problem`] does not compile until it is worded here.
/// The English of the problems whose server message a person should not read as it is.
fn en(p: &Problem, zone: Zone) -> Option<String> {
    use Problem::*;
    Some(match p {
        WindowOrder { from, until } => {
            format!("the end of validity ({}) must be after its start ({})", zone.minute(*until), zone.minute(*from))
        }
        Stale { by, at, .. } => format!(
            "This point was changed by {by} at {} after you opened it. Nothing was saved: reload to see the change, then edit again.",
            zone.minute(*at)
        ),
        Claimed { by, until, .. } => format!(
            "{by} is working on this group until {}; nothing was changed — pick another group",
            zone.minute(*until)
        ),
        GroupClosed { status, .. } => format!("this group is already {}; nothing was changed", status.label(Lang::En)),
        NothingToDecide { .. } => "this group has no open question to decide on".into(),
        NoneChosen { .. } => "choose at least one question of this group".into(),
        NotInGroup { .. } => "a chosen question is no longer an open question of this group; reload".into(),
        AlreadyInGroup { .. } => "a chosen question is already in that group".into(),
        AlreadyUndone { .. } => "this decision was undone already".into(),
        NotYourDecision { by, .. } => format!("only {by} or a reviewer can undo this decision"),
        NoDraftToDiscard { .. } => {
            "this point has no draft beside a published version to go back to; nothing was changed".into()
        }
        _ => return None,
    })
}

fn zh(p: &Problem, zone: Zone) -> String {
    use Problem::*;
    let status = |s: model::views::PointStatus| s.label(Lang::Zh);
    match p {
        Empty { field: f } => format!("{}不能为空。", field(*f)),
        TooLong { field: f, chars, max } => format!("{}太长：{chars} 个字符（最多 {max} 个）。", field(*f)),
        ControlCharacters { field: f } => format!("{}包含控制字符（如 NUL、转义码），请删除。", field(*f)),
        TooManyPhrasings { count, max } => format!("相似问法太多：{count} 条（最多 {max} 条）。"),
        NotPlainText { channel, found } => format!(
            "{}的答案必须是坐席可以直接念出的纯文本（不能有链接、列表或 Markdown 格式），其中含有{}。",
            channel.label(Lang::Zh),
            match found {
                model::views::Markup::Link => "链接",
                model::views::Markup::List => "列表",
                model::views::Markup::Formatting => "Markdown 格式",
            }
        ),
        WindowOrder { from, until } => {
            format!("失效时间（{}）必须晚于生效时间（{}）。", zone.minute(*until), zone.minute(*from))
        }
        TooManyRelated { count, max } => format!("关联问题太多：{count} 个（最多 {max} 个）。"),
        RelatedToItself => "知识点不能关联它自己。".into(),
        WrongIsRight => "答错的知识点和正确的知识点是同一个，请选择另一个正确的知识点。".into(),
        AnswerUnchanged => "修改后的答案和原答案一样，请修改答案，或选择其他处理方式。".into(),
        TooManyCounterExamples { count, max } => format!("反例太多：{count} 条（最多 {max} 条）。"),
        SynonymTaken { term, canonical } => {
            format!("“{term}”已经属于同义词条目“{canonical}”，一个词只能属于一个条目。")
        }
        TooManyVariants { count, max } => format!("同义词太多：{count} 个（最多 {max} 个）。"),
        NoVariants => "请至少填写一个与标准词不同的同义词。".to_string(),
        BadExpect { value } => {
            format!("预期结果必须是知识点编号或“unanswered”（不应回答），而不是“{value}”。")
        }
        TooManyCases { max } => format!("一个测试集最多 {max} 条用例。"),
        TestSetExists { name } => format!("已有名为“{name}”的测试集。"),
        FilledSet => "这个测试集自动收集用例，不能手动添加；请添加到自建的测试集。".to_string(),
        TestRunRunning => "这个测试集正在运行，请等本次运行结束。".to_string(),
        BadWorkbook { .. } => "无法读取这个 Excel 文件：请另存为 .xlsx 格式后再导入。".to_string(),
        AtLine { line, problem } => format!("第 {line} 行：{}", zh(problem, zone)),
        TooManySynonyms { max } => format!("同义词条目太多（最多 {max} 条）。"),
        CounterIsPhrasing { text } => {
            format!("“{text}”既是这个知识点的相似问法，又是它的反例，请只保留一处。")
        }
        Unknown { what, value, expected } => format!("无法识别的{}“{value}”，可选：{expected}。", word(what)),
        NotAnId { thing: t, value } => format!("“{value}”不是有效的{}编号。", thing(*t)),
        NotFound { thing: t, id } => format!("找不到{} {id}。", thing(*t)),
        RevisionNotFound { point, number: Some(n) } => format!("知识点 #{point} 没有第 {n} 版。"),
        RevisionNotFound { point, number: None } => format!("知识点 #{point} 没有任何版本。"),
        RoleNeeded { needed, who, has } => {
            format!("此操作需要“{}”角色；{who} 的角色是“{}”。", needed.label(Lang::Zh), has.label(Lang::Zh))
        }
        SignIn => "请先登录。".into(),
        WrongCredentials => "用户名或密码错误".into(),
        Throttled { minutes } => format!("登录失败次数过多，请 {minutes} 分钟后再试"),
        Busy { waiting, retry_after_s } => {
            format!("机器人正忙：{waiting} 个问题正在等待模型，请 {retry_after_s} 秒后再试。")
        }
        ModelTimedOut { ms } => format!("模型处理这个问题超过了 {ms} 毫秒，请再试一次。"),
        BadChannel => "渠道名须为 1 到 40 个 a-z、0-9、_ 或 - 字符。".into(),
        InFuture => "发生时间（occurred_at）不能晚于现在。".into(),
        CategorySlash { name } => format!("分类名称“{name}”不能包含“/”（它用于分隔层级）。"),
        CategoryExists { name, path } => format!("这里已经有名为“{name}”的分类（{path}）。"),
        TooDeep { max } => format!("分类最多 {max} 层。"),
        CategoryCycle { path } => format!("不能把“{path}”移到它自己或它的子分类下面。"),
        DuplicateQuestion { point } => format!("知识点 #{point} 在这个分类里已经有这个问题。"),
        Stale { by, at, .. } => format!(
            "这个知识点在你打开之后已被 {by} 于 {} 修改。未保存任何内容：请刷新查看修改后再编辑。",
            zone.minute(*at)
        ),
        ChangedWhileSaving { point } => format!("知识点 #{point} 在保存时被修改，未保存任何内容。"),
        NoDraftToSubmit { point, status: s } => {
            format!("知识点 #{point} 没有可提交的草稿（当前为“{}”）。", status(*s))
        }
        NoDraftToPublish { point, status: s } => {
            format!("知识点 #{point} 没有待发布的草稿（当前为“{}”）。", status(*s))
        }
        NotInReview { point, status: s } => format!("知识点 #{point} 不在审核中（当前为“{}”）。", status(*s)),
        AlreadyArchived { point } => format!("知识点 #{point} 已经归档。"),
        Archived { point } => format!("知识点 #{point} 已归档：请先恢复，或关联到其他知识点。"),
        AlreadyCurrent { revision } => format!("第 {revision} 版就是当前内容。"),
        ChangedSinceDecision { point } => {
            format!("知识点 #{point} 在这次处理之后已被发布或编辑；请在编辑器中修改。")
        }
        ChangedDuringCheck { point } => {
            format!("知识点 #{point} 在检查期间有了新草稿，未发布任何内容：请重新检查。")
        }
        CommentNeeded => "请写明原因：意见会退回给作者。".into(),
        UnknownFileFormat { name } => format!("无法识别 {name} 的格式：请使用 .json 或 .csv 文件。"),
        NotUtf8 { byte } => format!("文件不是 UTF-8 文本（第 {byte} 字节）。"),
        NotJsonArray { detail } => format!("不是知识点的 JSON 数组：{detail}"),
        CsvHeader { expected, found } => format!("CSV 表头应为“{expected}”，实际是“{found}”。"),
        FieldCount { expected, found } => format!("应有 {expected} 列，实际 {found} 列。"),
        BadRow { detail } => format!("这一行无法读取：{detail}"),
        Claimed { by, until, .. } => {
            format!("{by} 正在处理这个分组（到 {}）；未做任何更改，请选择其他分组。", zone.minute(*until))
        }
        GroupClosed { status: s, .. } => {
            format!("这个分组已经是“{}”状态，未做任何更改。", s.label(Lang::Zh))
        }
        NothingToDecide { .. } => "这个分组没有待处理的问题。".into(),
        NoneChosen { .. } => "请至少选择这个分组中的一个问题。".into(),
        NotInGroup { .. } => "所选问题已不是这个分组中待处理的问题，请刷新。".into(),
        NotGrouped { question } => format!("没有属于任何分组的待处理问题 {question}。"),
        AlreadyInGroup { .. } => "所选问题已经在那个分组中。".into(),
        MergeIntoItself => "合并需要选择目标分组以外的其他分组。".into(),
        SplitAll => "拆分后原分组中至少要留下一个问题。".into(),
        DismissReason { max } => {
            format!("忽略需要填写 1 到 {max} 个字符的原因（无意义、闲聊、超出范围、辱骂…）。")
        }
        AlreadyUndone { .. } => "这条处理记录已经撤销过了。".into(),
        NotYourDecision { by, .. } => format!("这条处理记录只能由 {by} 或审核员撤销。"),
        NotInBulk => "批量操作只能关联或忽略整个分组；新建知识点请逐个分组进行。".into(),
        TryQuestions { max } => format!("一次最多测试 {max} 个问题。"),
        BulkGroups { max } => format!("批量操作请标记 1 到 {max} 个分组。"),
        NotATrainer { name } => format!("不能把分组分配给“{name}”：没有这个训练师。"),
        NoDraftToDiscard { .. } => {
            "这个知识点没有可放弃的草稿（需要有已发布的版本可以退回）；未做任何更改。".into()
        }
        RegroupRunning { instance: None } => "本实例正在重新分组，请等它完成后再试。".into(),
        RegroupRunning { instance: Some(i) } => format!("实例 {i} 正在重新分组，请等它完成后再试。"),
        Limit { max } => format!("每页数量须为 1 到 {max}。"),
        Range => "开始时间必须早于结束时间。".into(),
        Days { max } => format!("天数须为 1 到 {max}。"),
        Day { value } => format!("日期“{value}”不是 YYYY-MM-DD 格式。"),
        Page => "页码须为 1 或以上。".into(),
        SamePoint => "不能把知识点与自己合并，也不能把相似问法移到它自己的知识点。".into(),
        PendingChange { point } => {
            format!("知识点 #{point} 有一处修改在等待审核：请先发布或撤回它，再合并或移动相似问法。")
        }
        NotPublished { point, status: s } => {
            format!("知识点 #{point} 未发布（当前为“{}”）：只有已发布的知识点之间才会冲突。", status(*s))
        }
        NoSuchPhrasing { point, text } => {
            format!("知识点 #{point} 没有相似问法“{text}”（标准问题不能移动）。")
        }
        BotAccount => "机器人使用 API 令牌，而不是用户账号：请选择训练师、审核员、主管或管理员。".into(),
        ShortPassword { min } => format!("密码至少需要 {min} 个字符。"),
        UserName { name } => format!("用户名“{name}”无效：1 到 64 个字符，首尾不能有空格。"),
        UserExists { name } => format!("已经有名为“{name}”的用户。"),
        TrainingRunning { instance: None } => "本实例正在训练模型，请等它完成。".into(),
        TrainingRunning { instance: Some(i) } => format!("实例 {i} 正在训练模型，请等它完成。"),
        ModelChanging { model } => format!("正在切换模型（为 {model} 重新计算向量），请在完成后再训练。"),
        NoSuchVersion { base, version } => format!("{base} 没有第 {version} 版模型。"),
        RefusedVersion { version } => format!("第 {version} 版模型未通过晋升检查，从未上线，不能启用。"),
        Epochs { max } => format!("训练轮数须为 1 到 {max}。"),
        NothingToLearn { points, min_points, min_texts } => format!(
            "还没有可学习的内容：模型从已发布的知识学习，至少需要 {min_points} 个已发布的知识点，\
             其中一些要有 {min_texts} 条或以上的问法用于检验（现已发布 {points} 个）。请先发布知识。"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};

    #[test]
    fn a_refusal_reads_in_chinese_and_keeps_its_english_message() {
        let e = AppError::from(Problem::Claimed { group: 12, by: "ana".into(), until: Utc::now() });
        assert_eq!(e.code, ErrorKind::Conflict);
        // API callers read the group's id; people read words, in their language.
        assert!(e.message.starts_with("ana is working on group 12"), "{}", e.message);
        assert!(e.text(Lang::Zh).starts_with("ana 正在处理这个分组"), "{}", e.text(Lang::Zh));
        assert!(e.text(Lang::En).starts_with("ana is working on this group until"), "{}", e.text(Lang::En));
        let e = AppError::from(Problem::Epochs { max: 100 });
        assert_eq!(e.text(Lang::En), e.message, "the server's words where they suit a person");
    }

    #[test]
    fn the_wire_form_carries_the_code_and_the_values() {
        let e = AppError::from(Problem::TooLong { field: Field::Question, chars: 501, max: 500 });
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["code"], "invalid");
        assert_eq!(json["problem"]["code"], "too_long");
        assert_eq!(json["problem"]["field"], "question");
        let back: AppError = serde_json::from_value(json).unwrap();
        assert_eq!(back, e);
        assert_eq!(back.text(Lang::Zh), "问题太长：501 个字符（最多 500 个）。");
    }

    #[test]
    fn our_own_failures_say_nothing_of_their_cause() {
        let e = AppError::from_server_fn_error(ServerFnErrorErr::ServerError("db is down".into()));
        assert_eq!(e.code, ErrorKind::Internal);
        assert!(!e.text(Lang::Zh).contains("db"));
    }
}
