//! One rule for a question's text wherever it enters (an ask, a reported miss, a knowledge
//! point), on SQLite and PostgreSQL: whatever intake accepts can be stored and become a
//! knowledge point as it is; whatever it refuses is refused with a clear message, never a 500.

mod common;

use chrono::Utc;
use model::inbox::Decision;
use model::knowledge::limits::QUESTION_CHARS;
use model::knowledge::transfer::Format;
use model::misses::Report;
use model::privacy::Masker;
use model::views::{Actor, Role};

fn external(question: String) -> Result<Report, model::views::Problem> {
    Report::external(&Masker::default(), model::misses::External::question(question), Utc::now())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_longest_question_intake_accepts_is_stored_and_becomes_a_point() {
    let dir = tempfile::tempdir().unwrap();
    for db in common::databases(dir.path(), "intake").await {
        let on = model::storage::backend_name(&db);
        let csv = "category,question,answer,phrasings\nCards,Where is my card?,On its way.,\n";
        let s = common::services_on(
            db,
            Format::Csv,
            csv.as_bytes(),
            common::embedder(),
            Default::default(),
            Default::default(),
        )
        .await;
        // Four-byte characters are the worst case for an index entry; CJK the common one.
        let longest = [
            format!(
                "宽带{}",
                "断网了怎么办".repeat(QUESTION_CHARS).chars().take(QUESTION_CHARS - 2).collect::<String>()
            ),
            "🙂".repeat(QUESTION_CHARS),
            format!("line one\r\nline two\t{}", "x".repeat(QUESTION_CHARS - 19)),
        ];
        for q in &longest {
            assert_eq!(q.chars().count(), QUESTION_CHARS);
        }
        let reports: Vec<Report> = longest.iter().map(|q| external(q.clone()).unwrap()).collect();
        model::misses::record(&s.db, &reports).await.unwrap_or_else(|e| panic!("{on}: {e}"));
        s.inbox.assign_pending().await.unwrap();

        // Each becomes a knowledge point as it is.
        let ana = Actor::new("ana", Role::Trainer);
        let page =
            s.inbox.list(&model::inbox::ListFilter { limit: Some(200), ..Default::default() }).await.unwrap();
        for c in &page.clusters {
            let question = c.members[0].question.clone();
            let decision = Decision::Create {
                category: "Long".into(),
                question,
                answer: "We read every word.".into(),
                miss_ids: None,
            };
            s.inbox.resolve(&ana, &c.id, decision).await.unwrap_or_else(|e| panic!("{on}: {e}"));
        }

        // One character more, a NUL or an escape code is refused at intake with the reason.
        let too_long = "断".repeat(QUESTION_CHARS + 1);
        for bad in [too_long.as_str(), "ok\u{0}then", "bell\u{7}", "\u{1b}[31mred"] {
            let e = external(bad.to_string()).unwrap_err();
            assert!(e.to_string().contains("characters"), "{e}");
            let asked = s
                .matcher
                .ask(model::matching::AskRequest {
                    question: bad.to_string(),
                    channel: Default::default(),
                    session_id: None,
                    dry_run: false,
                })
                .await;
            assert!(
                matches!(&asked, Err(e) if model::errors::Kind::kind(e) == model::errors::ErrorKind::Invalid),
                "{on}: {asked:?}"
            );
        }
    }
}
