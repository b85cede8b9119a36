//! Knowledge health from the ask log, with the real model on a real SQLite file: a point's
//! figures match the asks logged for it, and a 👎 after its answer counts against it.

mod common;

use chrono::{Duration, Utc};
use model::matching::asks::entity as asks;
use model::matching::{AskRequest, Feedback};
use model::views::Outcome;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

const KNOWLEDGE: &str = "category,question,answer,phrasings\n\
    Cards,Where is my card?,On its way.,card not arrived|still waiting for my card\n\
    Top-ups,How do I top up?,In the app.,add money|put money in my account\n";

/// The services over `db` with `csv` imported and published, the real model serving.
async fn services_over(db: sea_orm::DatabaseConnection, csv: &str) -> model::Services {
    use model::knowledge::transfer::Format;
    common::services_on(
        db,
        Format::Csv,
        csv.as_bytes(),
        common::embedder(),
        Default::default(),
        Default::default(),
    )
    .await
}

/// Logs a clarification that offered `offered` (point id and question, best first) and in which
/// the customer chose `chosen`.
async fn log_clarification(
    services: &model::Services,
    ask_id: &str,
    question: &str,
    offered: &[(i32, &str)],
    chosen: i32,
) {
    let candidates: Vec<serde_json::Value> = offered
        .iter()
        .enumerate()
        .map(|(i, (id, q))| {
            let score = 0.45 - 0.01 * i as f32;
            serde_json::json!({"knowledge_id": id.to_string(), "question": q, "score": score,
                "semantic": score, "lexical": 0.0, "answer": "", "clicks": 0})
        })
        .collect();
    asks::ActiveModel {
        ask_id: Set(ask_id.into()),
        question: Set(question.into()),
        channel: Set(Default::default()),
        outcome: Set(Outcome::Clarify),
        candidates: Set(serde_json::Value::from(candidates).to_string()),
        chosen_knowledge_id: Set(Some(chosen)),
        miss_recorded: Set(false),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&services.db)
    .await
    .unwrap();
}

fn ask(question: &str) -> AskRequest {
    AskRequest { question: question.into(), channel: Default::default(), session_id: None, dry_run: false }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_points_figures_are_the_asks_logged_for_it() {
    let dir = tempfile::tempdir().unwrap();
    for db in common::databases(dir.path(), "health").await {
        let services = services_over(db, KNOWLEDGE).await;
        figures_match_the_log(&services).await;
    }
}

async fn figures_match_the_log(services: &model::Services) {
    let card_questions = [
        "my card still has not arrived",
        "where is my new card",
        "card not arrived yet",
        "still waiting for the card",
    ];
    let mut answered = Vec::new();
    for q in card_questions {
        let r = services.matcher.ask(ask(q)).await.unwrap();
        if r.outcome == Outcome::Answered {
            answered.push(r);
        }
    }
    assert!(answered.len() >= 3, "the card point answers most of them");
    let card: i32 = answered[0].answer.as_ref().unwrap().knowledge_id.parse().unwrap();
    let top_up = services.matcher.ask(ask("how can I add money to my account")).await.unwrap();
    assert_eq!(top_up.outcome, Outcome::Answered);

    // A 👎 on one answer, a handoff after another.
    let verdict = |i: usize, helpful: bool, handoff: bool| Feedback {
        ask_id: answered[i].ask_id.clone(),
        helpful,
        handoff,
        chosen_knowledge_id: None,
        agent_answer: None,
    };
    services.matcher.feedback(verdict(0, false, false)).await.unwrap();
    services.matcher.feedback(verdict(1, true, true)).await.unwrap();

    // A clarification that offered the point, and the customer chose it.
    let other: i32 = top_up.answer.as_ref().unwrap().knowledge_id.parse().unwrap();
    let offered = [(card, "Where is my card?"), (other, "How do I top up?")];
    log_clarification(services, "ask_clarified", "card or top up?", &offered, card).await;

    let now = Utc::now() + Duration::seconds(1);
    let stats = model::health::point_stats(&services.db, card, 7, now).await.unwrap();
    assert_eq!(stats.answered, answered.len() as u64);
    assert_eq!((stats.rated, stats.unhelpful, stats.handoffs), (2, 1, 1));
    assert_eq!(stats.helpful_rate, Some(0.5));
    assert_eq!((stats.offered, stats.chosen), (1, 1));
    // The latest ask it answered or was offered in: here the clarification, logged last.
    let latest = asks::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(asks::Column::KnowledgeId.eq(card))
                .add(asks::Column::AskId.eq("ask_clarified")),
        )
        .all(&services.db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.created_at)
        .max();
    assert_eq!(stats.last_asked, latest);

    // The other point has only its own ask, and the clarification that offered it unchosen.
    let theirs = model::health::point_stats(&services.db, other, 7, now).await.unwrap();
    assert_eq!((theirs.answered, theirs.offered, theirs.chosen, theirs.rated), (1, 1, 0, 0));

    // An answer ten days old counts over 30 days, not over 7.
    asks::Entity::update_many()
        .col_expr(asks::Column::CreatedAt, sea_orm::sea_query::Expr::value(Utc::now() - Duration::days(10)))
        .filter(asks::Column::AskId.eq(answered[2].ask_id.as_str()))
        .exec(&services.db)
        .await
        .unwrap();
    let week = model::health::point_stats(&services.db, card, 7, now).await.unwrap();
    let month = model::health::point_stats(&services.db, card, 30, now).await.unwrap();
    assert_eq!((week.answered, month.answered), (answered.len() as u64 - 1, answered.len() as u64));

    // A period the dashboard does not offer is refused.
    assert!(model::health::point_stats(&services.db, card, 0, now).await.is_err());
}

const RIVALS: &str = "category,question,answer,phrasings\n\
    Security,How do I reset my password?,Use the reset link.,I forgot my password|cannot remember my password\n\
    Security,How can I change my password?,Open the settings.,password reset please|I need a new password\n\
    Cards,Where is my card?,On its way.,card not arrived|still waiting for my card\n\
    Top-ups,How do I top up?,In the app.,add money|put money in my account\n";

fn lead() -> model::views::Actor {
    model::views::Actor::new("lead", model::views::Role::Reviewer)
}

async fn id_of(services: &model::Services, question: &str) -> i32 {
    let filter = model::knowledge::queries::Filter { text: Some(question.into()), ..Default::default() };
    let found = model::knowledge::queries::list(&services.db, &filter).await.unwrap();
    found.iter().find(|p| p.question == question).unwrap().id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn near_duplicates_are_a_conflict_with_evidence_and_merging_keeps_every_phrasing_and_the_history() {
    let dir = tempfile::tempdir().unwrap();
    for db in common::databases(dir.path(), "conflicts").await {
        let services = services_over(db, RIVALS).await;
        conflicts_and_merge(&services).await;
    }
}

async fn conflicts_and_merge(services: &model::Services) {
    let reset = id_of(services, "How do I reset my password?").await;
    let change = id_of(services, "How can I change my password?").await;
    let card = id_of(services, "Where is my card?").await;
    let top_up = id_of(services, "How do I top up?").await;
    let now = Utc::now();
    let report = services.conflicts.report(&services.db, &services.matcher, false, None, now).await.unwrap();
    assert_eq!((report.points, report.texts), (4, 12));
    let top = &report.conflicts[0];
    let pair =
        (top.first.knowledge_id.parse::<i32>().unwrap(), top.second.knowledge_id.parse::<i32>().unwrap());
    assert_eq!(pair, (reset.min(change), reset.max(change)), "{report:#?}");
    assert!(top.crossing_count >= 1 && !top.crossings.is_empty());
    let texts = [
        "How do I reset my password?",
        "I forgot my password",
        "cannot remember my password",
        "How can I change my password?",
        "password reset please",
        "I need a new password",
    ];
    for c in &top.crossings {
        assert!(texts.contains(&c.text.as_str()), "{c:?}");
        assert!(c.own.is_none_or(|own| c.other > own), "a crossing is nearer the other point: {c:?}");
    }
    // Cards and top-ups compete with nothing by meaning.
    assert!(
        report.conflicts.iter().all(|c| ![card, top_up].contains(&c.first.knowledge_id.parse().unwrap())
            || ![card, top_up].contains(&c.second.knowledge_id.parse().unwrap())),
        "{report:#?}"
    );

    // Customers choosing either of two points in clarifications is evidence too.
    let offered = [(card, "Where is my card?"), (top_up, "How do I top up?")];
    for (i, chosen) in [card, top_up, card].into_iter().enumerate() {
        log_clarification(services, &format!("ask_clarified_{i}"), "money for the card", &offered, chosen)
            .await;
    }
    let report = services.conflicts.report(&services.db, &services.matcher, false, None, now).await.unwrap();
    let cards = report
        .conflicts
        .iter()
        .find(|c| {
            c.first.knowledge_id == card.min(top_up).to_string()
                && c.second.knowledge_id == card.max(top_up).to_string()
        })
        .expect("the clarification pair");
    let evidence = cards.clarifications.as_ref().unwrap();
    let (card_chosen, top_up_chosen) = if card < top_up {
        (evidence.chose_first, evidence.chose_second)
    } else {
        (evidence.chose_second, evidence.chose_first)
    };
    assert_eq!((card_chosen, top_up_chosen), (2, 1));
    assert_eq!(evidence.questions, vec!["money for the card".to_string()]);

    // "Not a conflict" is remembered: recomputing, or another instance, does not bring it back.
    model::health::conflicts::dismiss(&services.db, &lead(), top_up, card).await.unwrap();
    // Again, the other way round: still one dismissal.
    model::health::conflicts::dismiss(&services.db, &lead(), card, top_up).await.unwrap();
    let fresh = model::health::Conflicts::default();
    for report in [
        services.conflicts.report(&services.db, &services.matcher, true, None, now).await.unwrap(),
        fresh.report(&services.db, &services.matcher, false, None, now).await.unwrap(),
    ] {
        assert_eq!(report.dismissed, 1);
        assert!(report.conflicts.iter().all(|c| c.first.knowledge_id != card.min(top_up).to_string()
            || c.second.knowledge_id != card.max(top_up).to_string()));
        assert!(report.conflicts.iter().any(|c| c.first.knowledge_id == reset.min(change).to_string()));
    }

    // An ask answered with the point about to be absorbed: its history stays with it.
    let before = services.matcher.ask(ask("How can I change my password?")).await.unwrap();
    assert_eq!(before.answer.as_ref().unwrap().knowledge_id, change.to_string());

    // Merging: every text of both stays, the absorbed point is archived with its history.
    let kept = model::knowledge::merge::merge(&services.db, &lead(), reset, change).await.unwrap();
    let mut all: Vec<String> = std::iter::once(kept.head.content.question.clone())
        .chain(kept.head.content.phrasings.clone())
        .collect();
    all.sort();
    let mut expected: Vec<String> = texts.iter().map(|t| t.to_string()).collect();
    expected.sort();
    assert_eq!(all, expected);
    assert_eq!(kept.status, model::views::PointStatus::Published);
    let gone = model::knowledge::queries::detail(&services.db, change).await.unwrap();
    assert_eq!(gone.status, model::views::PointStatus::Archived);
    let history = model::knowledge::queries::history(&services.db, change).await.unwrap();
    assert!(
        history.iter().any(|h| h.revision.state == model::views::RevisionState::Published),
        "{history:?}"
    );
    let stats =
        model::health::point_stats(&services.db, change, 7, Utc::now() + Duration::seconds(1)).await.unwrap();
    assert_eq!(stats.answered, 1, "the absorbed point's asks are kept");
    // Merging an archived point again is refused, and changes nothing.
    let again = model::knowledge::merge::merge(&services.db, &lead(), reset, change).await;
    assert!(again.is_err());
    assert_eq!(model::knowledge::queries::detail(&services.db, reset).await.unwrap().version, kept.version);

    // The bot answers the absorbed question with the point kept, and the conflict is gone.
    services.knowledge_changed().await;
    let after = services.matcher.ask(ask("How can I change my password?")).await.unwrap();
    assert_eq!(after.answer.as_ref().unwrap().knowledge_id, reset.to_string());
    let report =
        services.conflicts.report(&services.db, &services.matcher, false, None, Utc::now()).await.unwrap();
    assert_eq!(report.points, 3);
    assert!(report
        .conflicts
        .iter()
        .all(|c| c.first.knowledge_id != change.to_string() && c.second.knowledge_id != change.to_string()));

    // Moving one phrasing: it leaves one point and joins the other, both published.
    model::knowledge::merge::move_phrasing(&services.db, &lead(), top_up, card, "add money").await.unwrap();
    let (from, to) = (
        model::knowledge::queries::detail(&services.db, top_up).await.unwrap(),
        model::knowledge::queries::detail(&services.db, card).await.unwrap(),
    );
    assert!(!from.head.content.phrasings.contains(&"add money".to_string()));
    // ...and stays with the point it left as a counter-example, so that point does not answer it.
    assert_eq!(from.head.content.counter_examples, vec!["add money".to_string()]);
    assert!(to.head.content.phrasings.contains(&"add money".to_string()));
    assert_eq!(
        (from.status, to.status),
        (model::views::PointStatus::Published, model::views::PointStatus::Published)
    );
    let missing =
        model::knowledge::merge::move_phrasing(&services.db, &lead(), top_up, card, "no such text").await;
    assert!(missing.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_health_list_flags_cold_points_and_points_customers_rate_down() {
    let dir = tempfile::tempdir().unwrap();
    for db in common::databases(dir.path(), "health_list").await {
        let services = services_over(db, KNOWLEDGE).await;
        health_list(&services).await;
    }
}

async fn health_list(services: &model::Services) {
    use model::health::{health_list, HealthQuery};
    use model::views::{HealthFilter, HealthSort, Verdict, Weakness};
    let questions = [
        "my card still has not arrived",
        "where is my new card",
        "card not arrived yet",
        "still waiting for the card",
        "has my card been sent",
        "my card has not come",
    ];
    let mut answered = Vec::new();
    for q in questions {
        let r = services.matcher.ask(ask(q)).await.unwrap();
        if r.outcome == Outcome::Answered {
            answered.push(r);
        }
    }
    assert!(answered.len() >= 5, "the card point answers most of them");
    let card = answered[0].answer.as_ref().unwrap().knowledge_id.clone();
    for r in &answered {
        let f = Feedback {
            ask_id: r.ask_id.clone(),
            helpful: false,
            handoff: false,
            chosen_knowledge_id: None,
            agent_answer: None,
        };
        services.matcher.feedback(f).await.unwrap();
    }
    // A clarification in which the customer chose the card point.
    log_clarification(services, "ask_chose_card", "card?", &[], card.parse().unwrap()).await;
    let now = Utc::now() + Duration::seconds(1);
    // Nobody asked for top-ups: a new point, not cold yet...
    let list = health_list(&services.db, &HealthQuery::default(), now).await.unwrap();
    assert_eq!((list.published, list.cold, list.needs_work, list.total), (2, 0, 1, 2));
    assert_eq!(list.rows[1].verdict, Verdict::New);
    // ...until it has been published for longer than the cold period.
    use model::knowledge::entity::point;
    point::Entity::update_many()
        .col_expr(point::Column::CreatedAt, sea_orm::sea_query::Expr::value(Utc::now() - Duration::days(100)))
        .exec(&services.db)
        .await
        .unwrap();
    let list = health_list(&services.db, &HealthQuery::default(), now).await.unwrap();
    assert_eq!((list.published, list.cold, list.needs_work, list.total), (2, 1, 1, 2));
    let first = &list.rows[0];
    assert_eq!(first.knowledge_id, card, "most answered first");
    assert_eq!((first.chosen, list.rows[1].chosen), (1, 0));
    let stats = model::health::point_stats(&services.db, card.parse().unwrap(), 30, now).await.unwrap();
    assert_eq!(
        (first.answered, first.rated, first.unhelpful, first.helpful_rate),
        (stats.answered, stats.rated, stats.unhelpful, stats.helpful_rate)
    );
    assert_eq!(
        first.verdict,
        Verdict::NeedsWork {
            weaknesses: vec![Weakness::LowHelpfulRate { rate: 0.0, rated: answered.len() as u64 }]
        }
    );
    assert_eq!(list.rows[1].verdict, Verdict::Cold);

    let cold = HealthQuery { filter: HealthFilter::Cold, ..Default::default() };
    let cold = health_list(&services.db, &cold, now).await.unwrap();
    assert_eq!(cold.rows.len(), 1);
    assert_eq!(cold.rows[0].question, "How do I top up?");
    let by_name = HealthQuery { sort: HealthSort::Question, descending: false, ..Default::default() };
    let by_name = health_list(&services.db, &by_name, now).await.unwrap();
    assert_eq!(
        by_name.rows.iter().map(|r| r.question.as_str()).collect::<Vec<_>>(),
        ["How do I top up?", "Where is my card?"]
    );
    // Asks older than the period do not count in it, but still keep the point warm.
    asks::Entity::update_many()
        .col_expr(asks::Column::CreatedAt, sea_orm::sea_query::Expr::value(Utc::now() - Duration::days(10)))
        .filter(asks::Column::KnowledgeId.eq(card.parse::<i32>().unwrap()))
        .exec(&services.db)
        .await
        .unwrap();
    let week = HealthQuery { days: 7, ..Default::default() };
    let week = health_list(&services.db, &week, now).await.unwrap();
    let row = week.rows.iter().find(|r| r.knowledge_id == card).unwrap();
    assert_eq!((row.answered, row.verdict.clone()), (0, Verdict::Healthy));
    assert!(health_list(&services.db, &HealthQuery { page: 0, ..Default::default() }, now).await.is_err());

    // The voice-of-customer report names the period's weakest points.
    use model::metrics::report;
    let voc = report::topics(&services.db, 30, 10).await.unwrap();
    assert_eq!(voc.weakest.iter().map(|w| w.knowledge_id.as_str()).collect::<Vec<_>>(), [card.as_str()]);
    let md = report::render(&voc, report::Format::Markdown, report::Lang::En).unwrap();
    assert!(md.contains("## Weakest knowledge points") && md.contains("| 1 | Where is my card? |"), "{md}");
    let zh = report::render(&voc, report::Format::Markdown, report::Lang::Zh).unwrap();
    assert!(zh.contains("## 效果最差的知识点"), "{zh}");

    // An import is checked row by row: a new point the bot already answers is named, an
    // existing point's row (an update) and an unrelated question are not.
    let csv = "category,question,answer,phrasings\n\
        Cards,Where is my card?,Updated answer.,\n\
        Cards/Delivery,My card still has not arrived,Soon.,\n\
        Branches,Is the branch open on Sunday?,No.,\n";
    let (rows, _) =
        model::knowledge::transfer::parse(model::knowledge::transfer::Format::Csv, csv.as_bytes()).unwrap();
    let found = model::health::duplicates::in_import(&services.db, &services.matcher, &rows).await.unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].line, found[0].near[0].knowledge_id.as_str()), (3, card.as_str()));
}
