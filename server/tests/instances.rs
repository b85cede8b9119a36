//! `botcoach serve` as operators run it: several instances on one PostgreSQL behind a load
//! balancer, and a server killed (SIGKILL) while bots report misses and customers ask.

mod common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::process::{migrate, request, token, Server};
use model::views::Role;

/// A small random number generator: the moments of the kills differ per run (the seed is
/// printed so a failing run can be replayed with CRASH_SEED).
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Bots report misses and customers ask (every ask a miss: the knowledge is empty) from many
/// clients at once, so the journal is committing a batch most of the time, and the server is
/// killed at random moments. What was answered is stored, and what was stored is whole.
#[test]
fn asks_and_misses_answered_survive_the_server_being_killed_at_random_moments() {
    let dir = tempfile::tempdir().unwrap();
    let url = common::config_in(dir.path()).database_url;
    migrate(dir.path(), &url);
    let bot = token(&url, "bot", Role::Bot);
    let mut seed = std::env::var("CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
    });
    eprintln!("CRASH_SEED={seed}");
    const KILLS: usize = 8;
    const REPORTERS: usize = 4;
    const ASKERS: usize = 12;
    // One question many customers ask: its miss is counted by many batches.
    const SHARED: &str = "is the branch open on sundays";
    let accepted: Arc<Mutex<Vec<String>>> = Arc::default();
    let answered: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let (mut sent, mut cut_off) = (0, Vec::new());
    for round in 0..KILLS {
        let mut server = Server::start(dir.path(), &url);
        let stop = Arc::new(AtomicBool::new(false));
        let clients: Vec<_> = (0..REPORTERS + ASKERS)
            .map(|c| {
                let (stop, accepted, answered) = (stop.clone(), accepted.clone(), answered.clone());
                let (bot, port) = (bot.clone(), server.port);
                std::thread::spawn(move || {
                    let (mut n, mut lost) = (0, 0);
                    while !stop.load(Ordering::Relaxed) {
                        n += 1;
                        if c < REPORTERS {
                            let question = format!("crash round {round} client {c} question {n}");
                            let body = serde_json::json!({"misses": [{"question": question}]});
                            match request(port, "POST", "/api/v1/misses", &bot, Some(&body), None) {
                                Some((202, _)) => accepted.lock().unwrap().push(question),
                                Some((status, json)) => panic!("{status}: {json}"),
                                None => lost += 1, // killed mid-request: no promise was made
                            }
                        } else {
                            let question = if n % 3 == 0 {
                                SHARED.to_string()
                            } else {
                                format!("crash round {round} asker {c} question {n}")
                            };
                            let body = serde_json::json!({"question": question});
                            match request(port, "POST", "/api/v1/ask", &bot, Some(&body), None) {
                                Some((200, json)) => {
                                    assert_eq!(json["outcome"], "miss", "{json}");
                                    let id = json["ask_id"].as_str().unwrap().to_string();
                                    answered.lock().unwrap().push((id, question));
                                }
                                Some((status, json)) => panic!("{status}: {json}"),
                                None => lost += 1,
                            }
                        }
                    }
                    (n, lost)
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(300 + next(&mut seed) % 1300));
        server.kill();
        stop.store(true, Ordering::Relaxed);
        let (n, lost) =
            clients.into_iter().map(|c| c.join().unwrap()).fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        sent += n;
        cut_off.push(lost);
    }

    let accepted = accepted.lock().unwrap().clone();
    let answered = answered.lock().unwrap().clone();
    let (stored, asks, events, counts) = tokio::runtime::Runtime::new().unwrap().block_on(async {
        use model::misses::entity::{event, miss};
        use sea_orm::EntityTrait;
        let db = model::storage::connect(&url).await.unwrap();
        let misses = miss::Entity::find().all(&db).await.unwrap();
        let events = event::Entity::find().all(&db).await.unwrap();
        let asks = model::matching::asks::entity::Entity::find().all(&db).await.unwrap();
        let counts: Vec<(String, i32, usize)> = misses
            .iter()
            .map(|m| (m.question.clone(), m.count, events.iter().filter(|e| e.miss_id == m.id).count()))
            .collect();
        let stored: HashSet<String> = misses.into_iter().map(|m| m.question).collect();
        (stored, asks, events, counts)
    });
    eprintln!(
        "{KILLS} kills, {sent} requests sent, {} misses answered 202, {} asks answered, {} stored; \
         requests cut off by each kill: {cut_off:?}",
        accepted.len(),
        answered.len(),
        asks.len()
    );
    assert!(
        accepted.len() > KILLS * 10 && answered.len() > KILLS * 10,
        "the clients got through between kills"
    );
    // Requests in flight at every kill: each one landed while asks were waiting for, or in, a commit.
    assert!(cut_off.iter().all(|&n| n > 0), "{cut_off:?}");
    let lost: Vec<&String> = accepted.iter().filter(|q| !stored.contains(*q)).collect();
    assert!(
        lost.is_empty(),
        "{} misses answered 202 were lost: {:?}",
        lost.len(),
        &lost[..lost.len().min(5)]
    );
    let logged: HashSet<&str> = asks.iter().map(|a| a.ask_id.as_str()).collect();
    let unlogged: Vec<&(String, String)> =
        answered.iter().filter(|(id, _)| !logged.contains(id.as_str())).collect();
    assert!(
        unlogged.is_empty(),
        "{} answered asks were lost: {:?}",
        unlogged.len(),
        &unlogged[..unlogged.len().min(5)]
    );
    // Whole, not half: every logged ask has its miss event, once; every miss counts its events.
    for a in &asks {
        let n = events.iter().filter(|e| e.ask_id.as_deref() == Some(a.ask_id.as_str())).count();
        assert_eq!(n, 1, "ask {} has {n} miss events", a.ask_id);
    }
    for (question, count, n) in &counts {
        assert_eq!(*count as usize, *n, "{question}: count {count}, {n} events");
    }
    let shared = answered.iter().filter(|(_, q)| q == SHARED).count();
    let shared_count = counts.iter().find(|(q, ..)| q == SHARED).map_or(0, |c| c.1 as usize);
    assert!(shared_count >= shared, "{SHARED}: {shared} answered, counted {shared_count}");
}

#[test]
fn two_instances_on_one_postgresql_serve_a_publish_within_a_second_and_share_decisions() {
    let Some(url) =
        tokio::runtime::Runtime::new().unwrap().block_on(common::fresh_postgres::url("instances"))
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    migrate(dir.path(), &url);
    let (bot, lead) = (token(&url, "bot", Role::Bot), token(&url, "lead", Role::Reviewer));
    let (a, b) = (Server::start(dir.path(), &url), Server::start(dir.path(), &url));

    // Published on A, answered by B: three times, each within a second (B polls every 2 s;
    // only the notification makes this reliable).
    for (i, topic) in ["parrots", "horses", "tractors"].iter().enumerate() {
        let question = format!("Can I pay with {topic}?");
        let kb = serde_json::json!([{"category": "Payments", "question": question, "answer": "No.",
            "phrasings": [format!("paying with {topic}"), format!("do you take {topic} as payment")]}]);
        let r =
            request(a.port, "POST", "/api/v1/knowledge/import?publish=true", &lead, Some(&kb), None).unwrap();
        assert!(r.0 < 300, "{}: {}", r.0, r.1);
        let published = Instant::now();
        let ask = serde_json::json!({"question": format!("do you take {topic} as payment"), "dry_run": true});
        loop {
            let r = request(b.port, "POST", "/api/v1/ask", &bot, Some(&ask), None).unwrap();
            if r.1["outcome"] == "answered" {
                break;
            }
            assert!(
                published.elapsed() < Duration::from_secs(1),
                "publish {i} not served by the other instance within 1 s: {}",
                r.1
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        eprintln!("publish {i} served by the other instance after {:?}", published.elapsed());
    }

    // Misses reported to A are grouped once; a trainer on each instance decides on the same
    // group at the same moment: one decision holds, the other is told.
    let misses = serde_json::json!({"misses": [
        {"question": "can I keep a goat in the branch"}, {"question": "are goats allowed in your branch"},
        {"question": "may I bring my goat to the branch"}]});
    assert_eq!(request(a.port, "POST", "/api/v1/misses", &bot, Some(&misses), None).unwrap().0, 202);
    let started = Instant::now();
    let group = loop {
        let r = request(b.port, "GET", "/api/v1/clusters?q=goat", &lead, None, None).unwrap();
        let groups = r.1["clusters"].as_array().cloned().unwrap_or_default();
        let sizes: i64 = groups.iter().map(|g| g["size"].as_i64().unwrap_or(0)).sum();
        if sizes == 3 && groups.len() == 1 {
            break groups[0]["id"].as_str().unwrap().to_string();
        }
        assert!(started.elapsed() < Duration::from_secs(30), "misses not grouped: {}", r.1);
        std::thread::sleep(Duration::from_millis(200));
    };
    let path = format!("/api/v1/clusters/{group}/resolve");
    let dismiss = serde_json::json!({"action": "dismiss", "reason": "noise"});
    let (pa, pb, lead2) = (a.port, b.port, lead.clone());
    let (d1, d2) = (dismiss.clone(), path.clone());
    let on_a = std::thread::spawn(move || request(pa, "POST", &d2, &lead2, Some(&d1), None).unwrap().0);
    let on_b = request(pb, "POST", &path, &lead, Some(&dismiss), None).unwrap().0;
    let mut statuses = [on_a.join().unwrap(), on_b];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "one decision holds, the other is refused");
}

/// A point published on A with a window starting 2 s later: neither instance serves it before,
/// both within a second after, and both drop it within a second of its end.
#[test]
fn two_instances_on_one_postgresql_open_and_close_a_validity_window_within_a_second() {
    let Some(url) =
        tokio::runtime::Runtime::new().unwrap().block_on(common::fresh_postgres::url("instances_window"))
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    migrate(dir.path(), &url);
    let (bot, lead) = (token(&url, "bot", Role::Bot), token(&url, "lead", Role::Reviewer));
    let (a, b) = (Server::start(dir.path(), &url), Server::start(dir.path(), &url));
    let question = "Is the winter promotion still on?";
    let from = chrono::Utc::now() + chrono::Duration::seconds(3);
    let until = from + chrono::Duration::seconds(3);
    let kb = serde_json::json!([{"category": "Promotions", "question": question, "answer": "Yes.",
        "valid_from": from.to_rfc3339(), "valid_until": until.to_rfc3339()}]);
    let r = request(a.port, "POST", "/api/v1/knowledge/import?publish=true", &lead, Some(&kb), None).unwrap();
    assert!(r.0 < 300, "{}: {}", r.0, r.1);
    let ask = serde_json::json!({"question": question, "dry_run": true});
    let served = |port: u16| {
        let r = request(port, "POST", "/api/v1/ask", &bot, Some(&ask), None).unwrap();
        r.1["outcome"] == "answered"
    };
    for (boundary, want) in [(from, true), (until, false)] {
        let mut done = [false, false];
        loop {
            for (port, done) in [a.port, b.port].into_iter().zip(done.iter_mut()) {
                if served(port) == want {
                    assert!(chrono::Utc::now() >= boundary, "changed before its boundary on port {port}");
                    *done = true;
                }
            }
            if done == [true, true] {
                break;
            }
            let late = chrono::Utc::now() - boundary;
            assert!(
                late < chrono::Duration::seconds(1),
                "not on both instances 1 s after the boundary ({want})"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        eprintln!(
            "{} on both instances {} ms after the boundary",
            if want { "entered" } else { "left" },
            (chrono::Utc::now() - boundary).num_milliseconds()
        );
    }
}
