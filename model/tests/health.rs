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

fn ask(question: &str) -> AskRequest {
    AskRequest { question: question.into(), channel: Default::default(), session_id: None, dry_run: false }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_points_figures_are_the_asks_logged_for_it() {
    let dir = tempfile::tempdir().unwrap();
    for db in common::databases(dir.path(), "health").await {
        let services = common::services_on(
            db,
            model::knowledge::transfer::Format::Csv,
            KNOWLEDGE.as_bytes(),
            common::embedder(),
            Default::default(),
            Default::default(),
        )
        .await;
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
    };
    services.matcher.feedback(verdict(0, false, false)).await.unwrap();
    services.matcher.feedback(verdict(1, true, true)).await.unwrap();

    // A clarification that offered the point, and the customer chose it.
    let offered = serde_json::json!([
        {"knowledge_id": card.to_string(), "question": "Where is my card?", "score": 0.45, "semantic": 0.45,
         "lexical": 0.0, "answer": "On its way.", "clicks": 0},
        {"knowledge_id": top_up.answer.as_ref().unwrap().knowledge_id, "question": "How do I top up?",
         "score": 0.42, "semantic": 0.42, "lexical": 0.0, "answer": "In the app.", "clicks": 0}
    ]);
    asks::ActiveModel {
        ask_id: Set("ask_clarified".into()),
        question: Set("card or top up?".into()),
        channel: Set(Default::default()),
        outcome: Set(Outcome::Clarify),
        candidates: Set(offered.to_string()),
        chosen_knowledge_id: Set(Some(card)),
        miss_recorded: Set(false),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&services.db)
    .await
    .unwrap();

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
    let other: i32 = top_up.answer.as_ref().unwrap().knowledge_id.parse().unwrap();
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
