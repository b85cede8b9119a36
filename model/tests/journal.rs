//! The journal's group commit on a real SQLite file and PostgreSQL, with the real model: many
//! asks and reports at once on two instances, in batches small enough that they cross batch
//! boundaries, are each counted exactly once; retries of one ask share its first answer; and a
//! write that cannot be stored fails alone, the rest of its batch stored.

mod common;

use std::sync::Arc;
use std::time::Duration;

use model::journal::{Entry, Journal, JournalError, LoggedAsk, Write, Written};
use model::knowledge::transfer::{self, Format};
use model::matching::asks::entity as asks;
use model::matching::{AskRequest, Batching, Matcher};
use model::misses::entity::{event, miss};
use model::views::{Actor, Channel, Outcome, Role};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, Set,
};

const CSV: &str = "category,question,answer,phrasings\n\
                   Cards,Where is my card?,On its way.,card not arrived\n";

async fn instance(db: &DatabaseConnection, log_batch: usize) -> Arc<Matcher> {
    let batching = Batching { log_batch, ..Batching::default() };
    let embedder: Arc<dyn model::Embedder> = common::embedder();
    Arc::new(Matcher::load_with(db.clone(), embedder, Default::default(), batching).await.unwrap())
}

fn ask(question: &str) -> AskRequest {
    AskRequest { question: question.into(), channel: Channel::default(), session_id: None, dry_run: false }
}

async fn miss_of(db: &DatabaseConnection, normalized: &str) -> (i32, u64) {
    let m = miss::Entity::find().filter(miss::Column::Normalized.eq(normalized)).one(db).await.unwrap();
    let m = m.unwrap_or_else(|| panic!("no miss {normalized:?}"));
    let events = event::Entity::find().filter(event::Column::MissId.eq(m.id)).count(db).await.unwrap();
    (m.count, events)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn asks_and_reports_on_two_instances_at_once_are_counted_exactly_across_batches() {
    let dir = tempfile::tempdir().unwrap();
    for db in common::databases(dir.path(), "journal_counts").await {
        let on = model::storage::backend_name(&db);
        let lead = Actor::new("lead", Role::Reviewer);
        transfer::import(&db, &lead, transfer::parse(Format::Csv, CSV.as_bytes()).unwrap(), true)
            .await
            .unwrap();
        // Four writes a transaction at most: seventy at once cross many batch boundaries.
        let (a, b) = (instance(&db, 4).await, instance(&db, 4).await);
        let key = model::idempotency::Key::new(
            "ask:bot",
            "retry-1",
            b"{\"question\":\"may I ride a horse to the branch\"}",
        )
        .unwrap();
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..40 {
            let m = if i % 2 == 0 { a.clone() } else { b.clone() };
            // Three spellings of one question: one miss, whatever the batch.
            let q = ["Can I keep a goat?", "can I keep a goat", "CAN I KEEP A GOAT!!"][i % 3];
            tasks.spawn(async move { ("ask", m.ask(ask(q)).await.map(|r| (r.outcome, r.ask_id))) });
        }
        for i in 0..20 {
            let m = if i % 2 == 0 { a.clone() } else { b.clone() };
            let reports =
                vec![common::no_match("can I keep a goat"), common::no_match("Do you sell tractors")];
            tasks.spawn(async move {
                let written = m.journal().misses(reports, None).await.map_err(|e| e.to_string());
                assert_eq!(written, Ok(Written::Stored));
                ("report", Ok((Outcome::Miss, String::new())))
            });
        }
        for i in 0..10 {
            let (m, key) = (if i % 2 == 0 { a.clone() } else { b.clone() }, key.clone());
            tasks.spawn(async move {
                (
                    "retry",
                    m.ask_once(ask("may I ride a horse to the branch"), Some(&key))
                        .await
                        .map(|r| (r.outcome, r.ask_id)),
                )
            });
        }
        let mut retried = std::collections::HashSet::new();
        while let Some(done) = tasks.join_next().await {
            let (what, result) = done.unwrap();
            let (outcome, ask_id) = result.unwrap_or_else(|e| panic!("{on}: {what} failed: {e}"));
            assert_eq!(outcome, Outcome::Miss, "{on}: {what}");
            if what == "retry" {
                retried.insert(ask_id);
            }
        }
        assert_eq!(retried.len(), 1, "{on}: the ten retries share the first answer: {retried:?}");

        let logged = asks::Entity::find().count(&db).await.unwrap();
        assert_eq!(logged, 41, "{on}: forty asks and one retried ask are logged");
        assert_eq!(miss_of(&db, "can i keep a goat").await, (60, 60), "{on}: 40 asks + 20 reports");
        assert_eq!(miss_of(&db, "do you sell tractors").await, (20, 20), "{on}");
        assert_eq!(
            miss_of(&db, "may i ride a horse to the branch").await,
            (1, 1),
            "{on}: the retries count once"
        );
        let writes = 40 + 20 + 1;
        let commits = a.journal().commits() + b.journal().commits();
        assert!(commits >= writes / 4, "{on}: at most four writes a commit ({commits} commits)");
        assert!(commits < writes, "{on}: writes waiting together share a commit ({commits} commits)");
        eprintln!("{on}: {writes} writes in {commits} commits");
    }
}

fn row(ask_id: &str) -> asks::ActiveModel {
    asks::ActiveModel {
        ask_id: Set(ask_id.into()),
        question: Set(format!("question of {ask_id}")),
        channel: Set(Channel::default()),
        session_id: Set(None),
        outcome: Set(Outcome::Clarify),
        knowledge_id: Set(None),
        score: Set(None),
        candidates: Set("[]".into()),
        helpful: Set(None),
        handoff: Set(None),
        chosen_knowledge_id: Set(None),
        top_knowledge_id: Set(None),
        miss_recorded: Set(false),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
}

fn logged(ask_id: &str) -> Write {
    Write {
        entry: Entry::Ask(Box::new(LoggedAsk { row: row(ask_id), vector: None, miss: None })),
        once: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_write_that_cannot_be_stored_fails_alone_and_its_batch_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    for db in common::databases(dir.path(), "journal_failure").await {
        let on = model::storage::backend_name(&db);
        let journal = Journal::start(db.clone(), 64);
        assert_eq!(journal.write(logged("first")).await.unwrap(), Written::Stored);

        // Another transaction holds the ask log: the next batch waits, and everything handed over
        // meanwhile waits for the batch after it, together.
        let blocker = model::storage::write(&db).await.unwrap();
        if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            blocker.execute_unprepared("LOCK TABLE asks IN EXCLUSIVE MODE").await.unwrap();
        }
        let waiting = {
            let j = journal.clone();
            tokio::spawn(async move { j.write(logged("waiting")).await })
        };
        tokio::time::sleep(Duration::from_millis(200)).await;
        let mut batch = Vec::new();
        for i in 0..10 {
            let j = journal.clone();
            batch.push(tokio::spawn(async move { j.write(logged(&format!("good-{i}"))).await }));
        }
        // The same ask id again: the unique index refuses it.
        let bad = {
            let j = journal.clone();
            tokio::spawn(async move { j.write(logged("first")).await })
        };
        tokio::time::sleep(Duration::from_millis(300)).await;
        let before = journal.commits();
        blocker.commit().await.unwrap();

        assert_eq!(waiting.await.unwrap().unwrap(), Written::Stored, "{on}");
        for (i, good) in batch.into_iter().enumerate() {
            assert_eq!(good.await.unwrap().unwrap(), Written::Stored, "{on}: good-{i}");
        }
        let refused = bad.await.unwrap();
        assert!(matches!(refused, Err(JournalError::Storage(_))), "{on}: {refused:?}");
        // The batch of eleven failed as a whole, then each write ran alone: ten commits.
        assert_eq!(journal.commits() - before, 1 + 10, "{on}");
        let ids: Vec<String> =
            asks::Entity::find().all(&db).await.unwrap().into_iter().map(|a| a.ask_id).collect();
        assert_eq!(ids.len(), 12, "{on}: {ids:?}");
        assert_eq!(ids.iter().filter(|i| *i == "first").count(), 1, "{on}");
    }
}
