//! Synonyms, on a real SQLite file and PostgreSQL with the real model: a variant in a question
//! is read as its canonical term only once the entry is published (a draft changes nothing),
//! the texts it rewrites are embedded before the switch, and drafts are checked against the
//! dictionary they would make.

mod common;

use model::knowledge::{transfer, KnowledgeError};
use model::matching::AskRequest;
use model::synonyms;
use model::views::{Actor, Channel, Outcome, Problem, Role, SynonymProposal};
use model::Services;

/// Two cards topped up the same way: only the product name tells them apart.
const KNOWLEDGE: &str = r#"[
  {"category": "充值", "question": "畅享卡怎么充值？", "answer": "在掌上营业厅选择畅享卡充值。"},
  {"category": "充值", "question": "燃气卡怎么充值？", "answer": "在燃气公司网点或App为燃气卡充值。"},
  {"category": "Cards", "question": "How do I top up my travel card?", "answer": "Top it up in the app under Travel card."},
  {"category": "Cards", "question": "How do I top up my gift card?", "answer": "Gift cards are topped up at the till."}
]"#;

fn trainer() -> Actor {
    Actor::new("tina", Role::Trainer)
}

fn lead() -> Actor {
    Actor::new("lead", Role::Reviewer)
}

async fn services(db: sea_orm::DatabaseConnection) -> Services {
    common::services_on(
        db,
        transfer::Format::Json,
        KNOWLEDGE.as_bytes(),
        common::embedder(),
        Default::default(),
        Default::default(),
    )
    .await
}

async fn answer(s: &Services, question: &str) -> (Outcome, Option<String>, f32) {
    let req =
        AskRequest { question: question.into(), channel: Channel::Bot, session_id: None, dry_run: true };
    let r = s.matcher.ask(req).await.unwrap();
    (r.outcome, r.answer.as_ref().map(|a| a.question.clone()), r.candidates.first().map_or(0.0, |c| c.score))
}

fn proposal(canonical: &str, variants: &[&str]) -> SynonymProposal {
    SynonymProposal {
        id: None,
        canonical: canonical.into(),
        variants: variants.iter().map(|v| v.to_string()).collect(),
        remove: false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_variant_is_answered_like_its_canonical_term_only_after_the_synonym_is_published() {
    let dir = tempfile::tempdir().unwrap();
    for db in common::databases(dir.path(), "synonyms_publish").await {
        let on = model::storage::backend_name(&db);
        let s = services(db).await;
        let cases = [
            ("CX卡怎么充值？", "畅享卡怎么充值？"),
            ("How do I top up my TC?", "How do I top up my travel card?"),
        ];
        for (asked, _) in cases {
            let (outcome, answered, _) = answer(&s, asked).await;
            assert_ne!(outcome, Outcome::Answered, "{on}: {asked} answered before: {answered:?}");
        }

        synonyms::propose(&s.db, &trainer(), proposal("畅享卡", &["CX卡", "畅享"])).await.unwrap();
        synonyms::propose(&s.db, &trainer(), proposal("travel card", &["TC"])).await.unwrap();
        // A draft is not served.
        assert!(!s.follow_synonyms().await.unwrap(), "{on}");
        for (asked, _) in cases {
            assert_ne!(answer(&s, asked).await.0, Outcome::Answered, "{on}: {asked} answered from a draft");
        }

        // A trainer cannot publish; a reviewer can.
        let refused = synonyms::publish(&s.db, &trainer(), &[]).await.unwrap_err();
        assert!(matches!(refused, KnowledgeError::Refused(Problem::RoleNeeded { .. })), "{on}: {refused:?}");
        let done = synonyms::publish(&s.db, &lead(), &[]).await.unwrap();
        assert_eq!((done.published, done.entries), (2, 2), "{on}");
        assert!(s.follow_synonyms().await.unwrap(), "{on}");
        assert!(!s.follow_synonyms().await.unwrap(), "{on}: a second follow has nothing to do");
        let nothing = synonyms::publish(&s.db, &lead(), &[]).await.unwrap();
        assert_eq!((nothing.published, nothing.entries), (0, 2), "{on}");
        assert!(!s.follow_synonyms().await.unwrap(), "{on}: publishing no draft changes nothing");
        for (asked, point) in cases {
            let (outcome, answered, score) = answer(&s, asked).await;
            assert_eq!(outcome, Outcome::Answered, "{on}: {asked}");
            assert_eq!(answered.as_deref(), Some(point), "{on}: {asked}");
            assert!(score > 0.95, "{on}: {asked} scored {score}: read as the point's own question");
        }
        // The other card is still told apart.
        let (_, answered, _) = answer(&s, "燃气卡怎么充值？").await;
        assert_eq!(answered.as_deref(), Some("燃气卡怎么充值？"), "{on}");

        // Removing the entry, once published, brings the old reading back.
        let items = synonyms::list(&s.db).await.unwrap();
        let travel =
            items.iter().find(|i| i.live.as_ref().is_some_and(|l| l.canonical == "travel card")).unwrap();
        let removal =
            SynonymProposal { id: travel.id, canonical: String::new(), variants: vec![], remove: true };
        synonyms::propose(&s.db, &trainer(), removal).await.unwrap();
        synonyms::publish(&s.db, &lead(), &[]).await.unwrap();
        assert!(s.follow_synonyms().await.unwrap(), "{on}");
        assert_ne!(answer(&s, "How do I top up my TC?").await.0, Outcome::Answered, "{on}");
        assert_eq!(synonyms::published(&s.db).await.unwrap().len(), 1, "{on}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_term_belongs_to_one_entry_and_a_bad_import_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for db in common::databases(dir.path(), "synonyms_checks").await {
        let on = model::storage::backend_name(&db);
        let s = services(db).await;
        synonyms::propose(&s.db, &trainer(), proposal("宽带", &["网", "家里的网"])).await.unwrap();
        // The same variant for another canonical term, even as a pending draft, is refused.
        let taken = synonyms::propose(&s.db, &trainer(), proposal("网络", &["网"])).await.unwrap_err();
        assert!(
            matches!(&taken, KnowledgeError::Refused(Problem::SynonymTaken { term, canonical }) if term == "网" && canonical == "宽带"),
            "{on}: {taken:?}"
        );
        let empty = synonyms::propose(&s.db, &trainer(), proposal("  ", &["x"])).await.unwrap_err();
        assert!(matches!(empty, KnowledgeError::Refused(Problem::Empty { .. })), "{on}: {empty:?}");
        let lonely = synonyms::propose(&s.db, &trainer(), proposal("宽带", &["宽带"])).await.unwrap_err();
        assert!(matches!(lonely, KnowledgeError::Refused(Problem::NoVariants)), "{on}: {lonely:?}");

        // An import with one bad line proposes nothing.
        let csv = "canonical,variants\n畅享卡,CX卡|畅享\n,空的\n";
        let report = synonyms::transfer::import_csv(&s.db, &trainer(), csv).await.unwrap();
        assert_eq!(report.errors.len(), 1, "{on}: {report:?}");
        assert_eq!(synonyms::list(&s.db).await.unwrap().len(), 1, "{on}");
        // A good one proposes its entries; importing it again replaces its drafts.
        let csv = "canonical,variants\n畅享卡,CX卡|畅享\ncredit card,cc|creditcard\n";
        for _ in 0..2 {
            let report = synonyms::transfer::import_csv(&s.db, &trainer(), csv).await.unwrap();
            assert_eq!((report.created, report.errors.len()), (2, 0), "{on}: {report:?}");
        }
        assert_eq!(synonyms::list(&s.db).await.unwrap().len(), 3, "{on}");
        synonyms::publish(&s.db, &lead(), &[]).await.unwrap();
        // Exported, it reads back as unchanged.
        let exported = synonyms::transfer::export_csv(&s.db).await.unwrap();
        assert!(exported.contains("畅享卡,CX卡|畅享"), "{on}: {exported}");
        let again = synonyms::transfer::import_csv(&s.db, &trainer(), &exported).await.unwrap();
        assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 3), "{on}: {again:?}");
    }
}
