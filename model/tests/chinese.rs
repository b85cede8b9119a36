//! Chinese by meaning, with the model choice that serves Chinese (`fused`: e5 alone for Chinese
//! text) and its calibrated defaults: customers' rephrasings that share at most two characters
//! with the knowledge point find it first (and at least half are answered outright), and missed
//! questions on different topics are grouped without mixing topics. MiniLM, which knows 244
//! Chinese characters, gets most of the rephrasings wrong.

mod common;

use std::collections::BTreeSet;

use model::clustering::metrics::nmi;
use model::inbox::ListFilter;
use model::knowledge::transfer::Format;
use model::matching::AskRequest;
use model::matching::Scoring;
use model::views::Outcome;
use model::ModelChoice;

/// (a customer's question, the typical question of the demo point that answers it).
const REPHRASINGS: [(&str, &str); 6] = [
    ("家里网络突然连不上了", "宽带断网了怎么办？"),
    ("电话号码的SIM遗失，要重新办一张", "手机卡丢了怎么补卡？"),
    ("我想给手机充值", "怎么交话费？"),
    ("去日本旅游手机还能用吗", "出国怎么开通国际漫游？"),
    ("家里WiFi卡得要命，视频一直缓冲", "宽带网速很慢怎么办？"),
    ("这个月扣的钱比平时多了好多", "话费为什么突然变多了？"),
];

fn han(text: &str) -> BTreeSet<char> {
    text.chars().filter(|&c| model::script::is_cjk(c)).collect()
}

async fn telecom(dir: &std::path::Path, choice: ModelChoice) -> model::Services {
    let demo = std::fs::read(common::workspace_dir().join("demo/telecom-zh.json")).unwrap();
    common::services_with(
        dir,
        Format::Json,
        &demo,
        common::chosen_embedder(choice),
        choice.scoring(),
        choice.grouping(),
    )
    .await
}

fn ask(question: &str) -> AskRequest {
    AskRequest { question: question.into(), channel: Default::default(), session_id: None, dry_run: true }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rephrasings_sharing_almost_no_characters_are_answered_by_meaning() {
    for (q, point) in REPHRASINGS {
        let shared = han(q).intersection(&han(point)).count();
        assert!(shared <= 2, "{q:?} shares {shared} characters with {point:?}");
    }
    let dir = tempfile::tempdir().unwrap();
    let services = telecom(dir.path(), ModelChoice::Fused).await;
    let mut answered = 0;
    for (q, point) in REPHRASINGS {
        let r = services.matcher.ask(ask(q)).await.unwrap();
        let (top, second) = (&r.candidates[0], &r.candidates[1]);
        eprintln!("{q} → {} ({:.3}, next {:.3}, {:?})", top.question, top.score, second.score, r.outcome);
        assert_eq!(top.question, point, "{q:?} was matched to {:?}", top.question);
        // Never a miss: the right point leads, at worst offered among the candidates.
        assert_ne!(r.outcome, Outcome::Miss, "{q:?}");
        answered += usize::from(r.outcome == Outcome::Answered);
    }
    eprintln!("{answered} of {} answered outright", REPHRASINGS.len());
    // Measured 2026-11-26: 3 of 6; the others lead by less than the 0.03 margin calibrated on
    // English, so they are offered first under "clarify". Fewer would be a regression.
    assert!(answered >= 3, "{answered} answered");

    // With the Chinese pair chosen at 98% precision ("Answer thresholds per script") this is
    // no longer answered with "how do I cancel my number" (0.557 under the English pair).
    let strict = Scoring { answer_score_cjk: 0.66, answer_margin_cjk: 0.14, ..ModelChoice::Fused.scoring() };
    let r = services.matcher.ask(ask("怎么拦截骚扰电话")).await.unwrap();
    let ranked_top = &r.candidates[0];
    assert_eq!(ranked_top.question, "怎么注销手机号码？", "the case this guards");
    let second = r.candidates.get(1).map_or(0.0, |c| c.score);
    let (score, margin) = strict.answer_bar("怎么拦截骚扰电话");
    assert!(ranked_top.score < score || ranked_top.score - second < margin, "{r:?}");

    // MiniLM, the previous default, gets most of them wrong: the test measures the model.
    let dir = tempfile::tempdir().unwrap();
    let minilm = telecom(dir.path(), ModelChoice::Minilm).await;
    let mut right = 0;
    for (q, point) in REPHRASINGS {
        right += usize::from(minilm.matcher.ask(ask(q)).await.unwrap().candidates[0].question == point);
    }
    assert!(right <= 3, "MiniLM answered {right} of {}", REPHRASINGS.len());
}

/// Five topics none of the demo's points answers, four ways of asking each.
const TOPICS: [[&str; 4]; 5] = [
    ["可以用APP买比特币吗", "你们支持数字货币交易吗", "怎么投资加密货币", "能不能买以太坊"],
    ["房贷利率现在是多少", "买房贷款怎么申请", "首套房按揭需要什么材料", "提前还房贷有没有违约金"],
    ["宠物生病了保险能报销吗", "猫狗医疗险怎么买", "给狗买保险多少钱", "宠物险理赔流程是什么"],
    ["夫妻可以开联名账户吗", "怎么开一个两人共用的账户", "共同账户需要两个人都到场吗", "联名卡怎么办理"],
    ["航班延误了能赔多少钱", "飞机晚点三个小时有补偿吗", "误机了航空公司管不管", "延误险怎么申请理赔"],
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chinese_misses_are_grouped_by_topic_without_mixing_topics() {
    let dir = tempfile::tempdir().unwrap();
    let services = telecom(dir.path(), ModelChoice::Fused).await;
    let reports: Vec<_> = TOPICS.iter().flatten().map(|q| common::no_match(q)).collect();
    model::misses::record(&services.db, &reports).await.unwrap();
    services.inbox.regroup().await.unwrap();
    let page = services.inbox.list(&ListFilter { members: None, ..Default::default() }).await.unwrap();
    let mut truth = Vec::new();
    let mut found = Vec::new();
    for (t, questions) in TOPICS.iter().enumerate() {
        for q in questions {
            let group =
                page.clusters.iter().position(|c| c.members.iter().any(|m| m.question == *q)).unwrap();
            truth.push(t);
            found.push(group);
        }
    }
    for c in &page.clusters {
        eprintln!("{}: {:?}", c.label, c.members.iter().map(|m| m.question.as_str()).collect::<Vec<_>>());
    }
    let score = nmi(&truth, &found);
    eprintln!("NMI {score:.3}, {} groups for {} topics", page.clusters.len(), TOPICS.len());
    assert!(score >= 0.8, "NMI {score:.3} over {} groups", page.clusters.len());
    // No group mixes topics (groups may split a topic: a trainer merges with one key, while a
    // mixed group would have to be taken apart question by question).
    for g in 0..page.clusters.len() {
        let topics: BTreeSet<usize> =
            found.iter().zip(&truth).filter(|(f, _)| **f == g).map(|(_, t)| *t).collect();
        assert!(topics.len() <= 1, "group {:?} mixes topics {topics:?}", page.clusters[g].label);
    }
    assert!(page.clusters.len() <= 2 * TOPICS.len(), "{} groups", page.clusters.len());
}

/// The demo's Chinese misses (`demo/misses.csv`): five topics the bot missed, three ways of
/// asking each, and the demo point (with its category) a trainer should link each topic to.
const DEMO_TOPICS: [(&str, &str, [&str; 3]); 5] = [
    (
        "国际漫游/出国使用",
        "出国怎么开通国际漫游？",
        [
            "下周要去泰国，手机得先办什么才能在那边用",
            "人在国外手机一点信号都没有，需要开什么",
            "出境以前要开通哪个服务手机才能打电话",
        ],
    ),
    (
        "宽带业务/宽带报修",
        "宽带断网了怎么办？",
        ["家里的网从早上开始就用不了", "路由器一直亮红灯，电脑上不去网", "光纤好像断了，网页都打不开"],
    ),
    (
        "业务办理/补换卡",
        "手机卡丢了怎么补卡？",
        ["电话卡被偷了，怎么重新办一张", "手机连卡一起掉了怎么办", "SIM卡找不到了还能补吗"],
    ),
    (
        "账单与缴费/话费缴纳",
        "充了话费没到账怎么办？",
        ["已经缴费成功了但是余额没有增加", "银行卡扣了款，手机话费却没到", "付了钱话费还是显示欠费"],
    ),
    (
        "宽带业务/移机与拆机",
        "搬家了宽带怎么移机？",
        [
            "下个月搬新家，网线能跟着一起搬过去吗",
            "换了住址，原来的宽带还能继续用吗",
            "搬到别的小区宽带要重新办吗",
        ],
    ),
];

/// What a trainer meets in the demo inbox (all its misses, English ones too, regrouped): no group
/// mixes topics, and each topic's groups offer its point first, or for at most one topic a
/// sibling point of the same category. Measured 2026-11-26: 11 groups for the five topics and
/// the weather question (three topics split, e5-small's Chinese cosines are close); roaming
/// suggests "在国外怎么拨打国内电话？" beside the right point.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_chinese_misses_are_grouped_without_mixing_topics_and_suggest_their_point() {
    let file = std::fs::read_to_string(common::workspace_dir().join("demo/misses.csv")).unwrap();
    for (_, _, questions) in DEMO_TOPICS {
        for q in questions {
            assert!(file.lines().any(|l| l.starts_with(q)), "{q:?} is not in demo/misses.csv");
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let services = telecom(dir.path(), ModelChoice::default()).await;
    let reports: Vec<_> =
        file.lines().skip(1).map(|l| common::no_match(l.rsplit_once(',').unwrap().0)).collect();
    model::misses::record(&services.db, &reports).await.unwrap();
    services.inbox.regroup().await.unwrap();
    let page = services.inbox.list(&ListFilter { members: None, ..Default::default() }).await.unwrap();
    for c in &page.clusters {
        eprintln!(
            "{:?} → {:?}",
            c.members.iter().map(|m| m.question.as_str()).collect::<Vec<_>>(),
            c.suggestions.first().map(|s| s.question.as_str())
        );
    }
    let mut exact = 0;
    for (category, point, questions) in DEMO_TOPICS {
        let groups: Vec<_> = page
            .clusters
            .iter()
            .filter(|c| c.members.iter().any(|m| questions.contains(&m.question.as_str())))
            .collect();
        for g in &groups {
            for m in &g.members {
                assert!(
                    questions.contains(&m.question.as_str()),
                    "{:?} is grouped with {point:?}'s questions",
                    m.question
                );
            }
            let first = g.suggestions.first().unwrap_or_else(|| panic!("no suggestion for {point:?}"));
            assert_eq!(first.category, category, "{point:?}'s group suggests {:?}", first.question);
        }
        exact += usize::from(groups.iter().all(|g| g.suggestions[0].question == point));
    }
    assert!(exact >= DEMO_TOPICS.len() - 1, "only {exact} topics suggest their own point first");
}
