//! `botcoach backup` and `botcoach restore` as an operator runs them: a backup taken while bots
//! write to a running server holds every write answered before it began, and restores into a
//! fresh database with the settings; a restore refuses while a server uses the database, and
//! refuses a file that is not a backup, changing nothing either way.

mod common;

use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::process::{migrate, request, token, Server};
use model::views::Role;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

fn botcoach(dir: &Path, database_url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_botcoach"))
        .args(args)
        .current_dir(dir)
        .env("BOTCOACH_DATABASE_URL", database_url)
        .env("BOTCOACH_LOG", "warn")
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// A trained version's row, as the learner writes it: what a backup must carry.
async fn add_model_version(url: &str) {
    use model::learning::versions::entity;
    let db = model::storage::connect(url).await.unwrap();
    entity::ActiveModel {
        base: Set("all-MiniLM-L6-v2".into()),
        version: Set(1),
        state: Set(model::views::VersionState::Kept),
        card: Set("{}".into()),
        dimension: Set(2),
        weights: Set(vec![1, 2, 3, 4, 5, 6, 7, 8]),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&db)
    .await
    .unwrap();
}

struct Stored {
    misses: HashSet<String>,
    asks: HashSet<String>,
    weights: Vec<Vec<u8>>,
}

async fn stored(url: &str) -> Stored {
    let db = model::storage::connect(url).await.unwrap();
    let misses = model::misses::entity::miss::Entity::find().all(&db).await.unwrap();
    let asks = model::matching::asks::entity::Entity::find().all(&db).await.unwrap();
    let versions = model::learning::versions::entity::Entity::find().all(&db).await.unwrap();
    db.close().await.unwrap();
    Stored {
        misses: misses.into_iter().map(|m| m.question).collect(),
        asks: asks.into_iter().map(|a| a.ask_id).collect(),
        weights: versions.into_iter().map(|v| v.weights).collect(),
    }
}

#[test]
fn a_backup_taken_while_bots_write_restores_every_write_answered_before_it() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = common::config_in(dir.path()).database_url;
    migrate(dir.path(), &url);
    let bot = token(&url, "bot", Role::Bot);
    rt.block_on(add_model_version(&url));
    let settings = "[batching]\nlog_batch = 128\n";
    std::fs::write(dir.path().join("botcoach.toml"), settings).unwrap();
    let server = Server::start(dir.path(), &url);

    // Each write with the moment its answer came back.
    let misses: Arc<Mutex<Vec<(Instant, String)>>> = Arc::default();
    let asks: Arc<Mutex<Vec<(Instant, String)>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..8)
        .map(|c| {
            let (stop, misses, asks, bot, port) =
                (stop.clone(), misses.clone(), asks.clone(), bot.clone(), server.port);
            std::thread::spawn(move || {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let question = format!("writer {c} question {n} about the backup");
                    if c % 2 == 0 {
                        let body = serde_json::json!({"misses": [{"question": question}]});
                        let r = request(port, "POST", "/api/v1/misses", &bot, Some(&body), None).unwrap();
                        assert_eq!(r.0, 202, "{}", r.1);
                        misses.lock().unwrap().push((Instant::now(), question));
                    } else {
                        let body = serde_json::json!({"question": question});
                        let r = request(port, "POST", "/api/v1/ask", &bot, Some(&body), None).unwrap();
                        assert_eq!(r.0, 200, "{}", r.1);
                        let id = r.1["ask_id"].as_str().unwrap().to_string();
                        asks.lock().unwrap().push((Instant::now(), id));
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));

    let backup = dir.path().join("nightly.botcoach");
    let began = Instant::now();
    let out = botcoach(dir.path(), &url, &["backup", backup.to_str().unwrap()]);
    let ended = Instant::now();
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, Ordering::Relaxed);
    writers.into_iter().for_each(|w| w.join().unwrap());
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("model versions"), "{}", text(&out));

    let before = |writes: &Arc<Mutex<Vec<(Instant, String)>>>| -> Vec<String> {
        writes.lock().unwrap().iter().filter(|(at, _)| *at < began).map(|(_, w)| w.clone()).collect()
    };
    let after = |writes: &Arc<Mutex<Vec<(Instant, String)>>>| {
        writes.lock().unwrap().iter().filter(|(at, _)| *at > ended).count()
    };
    let (misses_before, asks_before) = (before(&misses), before(&asks));
    assert!(misses_before.len() > 20 && asks_before.len() > 20, "the writers wrote before the backup");
    assert!(after(&misses) > 0 && after(&asks) > 0, "the writers went on after the backup");

    // A second backup to the same name is refused and leaves the first as it was.
    let first = std::fs::read(&backup).unwrap();
    let again = botcoach(dir.path(), &url, &["backup", backup.to_str().unwrap()]);
    assert!(!again.status.success() && text(&again).contains("already exists"), "{}", text(&again));
    assert_eq!(std::fs::read(&backup).unwrap(), first);

    // Restoring over the database the server uses is refused, and changes nothing.
    let live = rt.block_on(stored(&url));
    let refused = botcoach(dir.path(), &url, &["restore", backup.to_str().unwrap()]);
    assert!(!refused.status.success(), "{}", text(&refused));
    assert!(text(&refused).contains("stop every server"), "{}", text(&refused));
    assert_eq!(rt.block_on(stored(&url)).misses, live.misses);
    let ask = serde_json::json!({"question": "still serving?"});
    assert_eq!(request(server.port, "POST", "/api/v1/ask", &bot, Some(&ask), None).unwrap().0, 200);

    // Restored into a fresh place, with no settings file there.
    let fresh = tempfile::tempdir().unwrap();
    let fresh_url = format!("sqlite://{}/restored.db", fresh.path().display());
    let out = botcoach(fresh.path(), &fresh_url, &["restore", backup.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let restored = rt.block_on(stored(&fresh_url));
    let lost: Vec<&String> = misses_before.iter().filter(|q| !restored.misses.contains(*q)).collect();
    assert!(
        lost.is_empty(),
        "{} of {} misses lost: {:?}",
        lost.len(),
        misses_before.len(),
        &lost[..lost.len().min(3)]
    );
    let lost: Vec<&String> = asks_before.iter().filter(|a| !restored.asks.contains(*a)).collect();
    assert!(lost.is_empty(), "{} of {} asks lost", lost.len(), asks_before.len());
    assert!(restored.misses.len() < live.misses.len(), "the backup is of one moment, before the last writes");
    assert_eq!(restored.weights, vec![vec![1, 2, 3, 4, 5, 6, 7, 8]], "the trained version came along");
    assert_eq!(std::fs::read_to_string(fresh.path().join("botcoach.toml")).unwrap(), settings);
    eprintln!(
        "backup took {:?}; {} misses and {} asks answered before it, all restored; {} misses in the live database",
        ended - began,
        misses_before.len(),
        asks_before.len(),
        live.misses.len()
    );

    // A server starts on the restored database and serves what it holds.
    let restored_server = Server::start(fresh.path(), &fresh_url);
    let q = serde_json::json!({"question": "after the restore", "dry_run": true});
    assert_eq!(request(restored_server.port, "POST", "/api/v1/ask", &bot, Some(&q), None).unwrap().0, 200);
    drop(restored_server);

    // Restoring again over it, twice in a row (often within one second), keeps each database
    // that was there.
    for _ in 0..2 {
        let out = botcoach(fresh.path(), &fresh_url, &["restore", backup.to_str().unwrap()]);
        assert!(out.status.success(), "{}", text(&out));
    }
    let kept: Vec<_> = std::fs::read_dir(fresh.path())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| {
            n.starts_with("restored.db.before-restore-") && !n.ends_with("-wal") && !n.ends_with("-shm")
        })
        .collect();
    assert_eq!(kept.len(), 2, "{kept:?}");
}

#[test]
fn a_restore_refuses_a_file_that_is_not_a_whole_backup_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let url = common::config_in(dir.path()).database_url;
    migrate(dir.path(), &url);
    let db_file = model::storage::lock::sqlite_file(&url).unwrap();
    let before = std::fs::read(&db_file).unwrap();

    let not_sqlite = dir.path().join("notes.txt");
    std::fs::write(&not_sqlite, "not a database").unwrap();
    // A database, but not a backup: the live file itself.
    let copy = dir.path().join("copy.db");
    std::fs::copy(&db_file, &copy).unwrap();
    let missing = dir.path().join("missing.botcoach");
    for (file, says) in
        [(&not_sqlite, "not a botcoach backup"), (&copy, "no manifest"), (&missing, "no such file")]
    {
        let out = botcoach(dir.path(), &url, &["restore", file.to_str().unwrap()]);
        assert!(!out.status.success(), "{}", text(&out));
        assert!(text(&out).contains(says), "{file:?}: {}", text(&out));
        assert_eq!(std::fs::read(&db_file).unwrap(), before, "{file:?} changed the database");
    }
    // A damaged backup: bytes flipped in the middle of a real one.
    let backup = dir.path().join("b.botcoach");
    assert!(botcoach(dir.path(), &url, &["backup", backup.to_str().unwrap()]).status.success());
    // The backup's connection checkpointed the write-ahead log into the file on closing.
    let before = std::fs::read(&db_file).unwrap();
    let mut bytes = std::fs::read(&backup).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle..middle + 4096].iter_mut().for_each(|b| *b = !*b);
    std::fs::write(&backup, bytes).unwrap();
    let out = botcoach(dir.path(), &url, &["restore", backup.to_str().unwrap()]);
    assert!(!out.status.success(), "{}", text(&out));
    assert_eq!(std::fs::read(&db_file).unwrap(), before);
}

#[test]
fn postgresql_is_dumped_by_pg_dump_and_restored_by_pg_restore() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(url) = rt.block_on(common::fresh_postgres::url("backup_from")) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    migrate(dir.path(), &url);
    token(&url, "bot", Role::Bot);
    rt.block_on(add_model_version(&url));
    let dump = dir.path().join("botcoach.dump");
    let out = botcoach(dir.path(), &url, &["backup", dump.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("pg_restore"), "{}", text(&out));

    let refused = botcoach(dir.path(), &url, &["restore", dump.to_str().unwrap()]);
    assert!(!refused.status.success() && text(&refused).contains("pg_restore --clean"), "{}", text(&refused));

    // The command the operations guide gives.
    let into = rt.block_on(common::fresh_postgres::url("backup_into")).unwrap();
    let out = Command::new("pg_restore")
        .args(["--clean", "--if-exists", "--no-owner", "--dbname", &into])
        .arg(&dump)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let restored = rt.block_on(stored(&into));
    assert_eq!(restored.weights, vec![vec![1, 2, 3, 4, 5, 6, 7, 8]]);
    let tokens = rt.block_on(async {
        let db = model::storage::connect(&into).await.unwrap();
        model::accounts::tokens::entity::Entity::find().all(&db).await.unwrap().len()
    });
    assert_eq!(tokens, 1);
}
