//! `botcoach user add` and `botcoach token create`, run as an admin would, checked in the
//! SQLite file they write.

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use model::accounts::{tokens, users, Role};
use sea_orm::{EntityTrait, PaginatorTrait};

fn run(dir: &std::path::Path, args: &[&str], stdin: &str) -> Output {
    let config = common::config_in(dir);
    let mut child = Command::new(env!("CARGO_BIN_EXE_botcoach"))
        .current_dir(dir)
        .args(args)
        .env("BOTCOACH_DATABASE_URL", &config.database_url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command refused before it reads stdin (a bad role) may exit before this write: the
    // broken pipe is then expected, and its exit status and message are what the test checks.
    match child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.unwrap(),
    }
    child.wait_with_output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_are_added_once_with_a_hashed_password() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["user", "add", "alice", "--role", "trainer"], "correct horse\n");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "added user alice with role trainer\n");

    for (args, stdin, expected) in [
        (vec!["user", "add", "alice", "--role", "admin"], "another password\n", "already exists"),
        (vec!["user", "add", "bob", "--role", "trainer"], "short\n", "at least 8"),
        (vec!["user", "add", "carol", "--role", "bot"], "long enough pw\n", "API tokens"),
        (vec!["user", "add", "dave", "--role", "root"], "long enough pw\n", "one of bot"),
    ] {
        let out = run(dir.path(), &args, stdin);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(stderr(&out).contains(expected), "{args:?}: {}", stderr(&out));
    }

    let db = model::storage::connect(&common::config_in(dir.path()).database_url).await.unwrap();
    assert_eq!(users::entity::Entity::find().count(&db).await.unwrap(), 1, "refused commands change nothing");
    let alice = users::find(&db, "alice").await.unwrap().unwrap();
    assert!(alice.password_hash.starts_with("$argon2id$") && !alice.password_hash.contains("horse"));
    assert_eq!(users::verify(&db, "alice", "correct horse").await.unwrap(), Some(Role::Trainer));
    assert_eq!(users::verify(&db, "alice", "wrong horse").await.unwrap(), None);
    assert_eq!(users::verify(&db, "nobody", "correct horse").await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_are_printed_once_and_stored_hashed() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["token", "create", "support-bot", "--role", "bot"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let printed = String::from_utf8(out.stdout).unwrap();
    let token = printed.strip_suffix('\n').unwrap();
    assert!(token.starts_with(tokens::PREFIX) && token.len() == 3 + 64, "{printed:?}");

    let second = run(dir.path(), &["token", "create", "support-bot", "--role", "bot"], "");
    assert_ne!(String::from_utf8(second.stdout).unwrap(), printed, "every token is new");

    // A scraper of /metrics or a script reading the dashboard's figures is a supervisor.
    let watcher = run(dir.path(), &["token", "create", "watcher", "--role", "supervisor"], "");
    assert!(watcher.status.success(), "{}", stderr(&watcher));
    let refused = run(dir.path(), &["token", "create", "chief", "--role", "chief"], "");
    assert!(!refused.status.success() && stderr(&refused).contains("chief"), "{}", stderr(&refused));

    let db = model::storage::connect(&common::config_in(dir.path()).database_url).await.unwrap();
    let stored = tokens::entity::Entity::find().all(&db).await.unwrap();
    assert_eq!(stored.len(), 3);
    assert!(stored.iter().all(|t| t.token_hash != token && t.token_hash.len() == 64));
    assert_eq!(tokens::authenticate(&db, token).await.unwrap().map(|(_, r)| r), Some(Role::Bot));
    assert_eq!(tokens::authenticate(&db, "bc_not-a-token").await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_carry_the_role_remember_the_language_and_end_on_sign_out() {
    use model::accounts::sessions;
    let dir = tempfile::tempdir().unwrap();
    let config = common::config_in(dir.path());
    let db = server::startup::open_database(&config).await.unwrap();
    server::startup::migrate(&db).await.unwrap();
    let id = users::add(&db, "王小明", "correct horse", Role::Reviewer).await.unwrap();

    assert!(sessions::sign_in(&db, "王小明", "wrong horse").await.unwrap().is_none());
    assert!(sessions::sign_in(&db, "nobody", "correct horse").await.unwrap().is_none());
    let (secret, user) = sessions::sign_in(&db, "王小明", "correct horse").await.unwrap().unwrap();
    assert_eq!((user.role, user.lang.as_deref()), (Role::Reviewer, None));
    // Only a hash of the cookie's secret is stored.
    let stored = sessions::entity::Entity::find().all(&db).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0].token_hash, secret);

    users::set_lang(&db, id, "zh").await.unwrap();
    assert!(users::set_lang(&db, id, "fr").await.is_err());
    let (_, again) = sessions::sign_in(&db, "王小明", "correct horse").await.unwrap().unwrap();
    assert_eq!(again.lang.as_deref(), Some("zh"), "the language follows the user to a new sign-in");

    assert_eq!(sessions::lookup(&db, &secret).await.unwrap().unwrap().name, "王小明");
    sessions::sign_out(&db, &secret).await.unwrap();
    assert!(sessions::lookup(&db, &secret).await.unwrap().is_none());
    assert!(sessions::lookup(&db, "forged").await.unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_wrong_passwords_lock_the_name_for_a_while() {
    use axum::body::Body;
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let dir = tempfile::tempdir().unwrap();
    let config = common::config_in(dir.path());
    let services = server::startup::services(&config).await.unwrap();
    users::add(&services.db, "ada", "correct horse", Role::Trainer).await.unwrap();
    let router = server::http::router(&config, services);
    let sign_in = |password: &str| {
        let request = axum::http::Request::post("/api/sign_in")
            .header("host", "botcoach.test")
            .header("origin", "http://botcoach.test")
            .header("content-type", "application/json")
            .body(Body::from(serde_json::json!({ "name": "ada", "password": password }).to_string()))
            .unwrap();
        let router = router.clone();
        async move {
            let response = router.oneshot(request).await.unwrap();
            let ok = response.status().is_success();
            let body = response.into_body().collect().await.unwrap().to_bytes();
            (ok, String::from_utf8_lossy(&body).into_owned())
        }
    };
    let (ok, _) = sign_in("correct horse").await;
    assert!(ok);
    for _ in 0..5 {
        let (ok, body) = sign_in("wrong horse").await;
        assert!(!ok && body.contains("wrong name or password"), "{body}");
    }
    let (ok, body) = sign_in("correct horse").await;
    assert!(!ok && body.contains("too many failed sign-ins"), "even the right password waits: {body}");
}

/// Signs in over the router as a browser behind a proxy would: `(succeeded, body, set-cookie)`.
async fn browser_sign_in(
    router: &axum::Router,
    name: &str,
    password: &str,
    from: &str,
) -> (bool, String, String) {
    use axum::body::Body;
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let request = axum::http::Request::post("/api/sign_in")
        .header("host", "botcoach.test")
        .header("origin", "http://botcoach.test")
        .header("content-type", "application/json")
        .header("x-forwarded-for", format!("{from}, 10.0.0.1"))
        .body(Body::from(serde_json::json!({ "name": name, "password": password }).to_string()))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let ok = response.status().is_success();
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("\n");
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (ok, String::from_utf8_lossy(&body).into_owned(), cookie)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn guesses_sent_in_parallel_or_across_names_are_throttled_and_unknown_names_cost_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let config =
        server::config::Config { behind_proxy: true, secure_cookies: true, ..common::config_in(dir.path()) };
    let services = server::startup::services(&config).await.unwrap();
    users::add(&services.db, "bob", "correct horse", Role::Trainer).await.unwrap();
    let router = server::http::router(&config, services.clone());

    // Served over TLS: the session cookie is Secure.
    let (ok, _, cookie) = browser_sign_in(&router, "bob", "correct horse", "203.0.113.7").await;
    assert!(ok && cookie.contains("HttpOnly") && cookie.contains("; Secure"), "{cookie}");

    // Twenty guesses at once for one name: five are checked, the rest wait.
    let guesses: Vec<_> = (0..20)
        .map(|i| {
            let router = router.clone();
            tokio::spawn(async move {
                browser_sign_in(&router, "bob", &format!("guess {i}"), "203.0.113.8").await
            })
        })
        .collect();
    let mut checked = 0;
    for g in guesses {
        let (ok, body, _) = g.await.unwrap();
        assert!(!ok);
        if body.contains("wrong name or password") {
            checked += 1;
        } else {
            assert!(body.contains("too many failed sign-ins"), "{body}");
        }
    }
    assert_eq!(checked, 5, "only the allowed number of guesses reached the password check");

    // One address guessing across many names is stopped too; another address is not.
    let per_address = model::accounts::throttle::PER_ADDRESS as usize;
    for i in 0..per_address {
        let (ok, body, _) = browser_sign_in(&router, &format!("name{i}"), "guess", "198.51.100.9").await;
        assert!(!ok && body.contains("wrong name or password"), "{i}: {body}");
    }
    let (ok, body, _) = browser_sign_in(&router, "someone-else", "guess", "198.51.100.9").await;
    assert!(!ok && body.contains("too many failed sign-ins"), "{body}");
    let (ok, body, _) = browser_sign_in(&router, "someone-else", "guess", "192.0.2.44").await;
    assert!(!ok && body.contains("wrong name or password"), "{body}");

    // An unknown name takes as long to refuse as a known one with a wrong password (a hash is
    // checked either way), so timing does not tell which names exist. Medians of 7, side by side.
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..7 {
        let t = std::time::Instant::now();
        assert_eq!(users::verify(&services.db, "bob", "not it").await.unwrap(), None);
        known.push(t.elapsed());
        let t = std::time::Instant::now();
        assert_eq!(users::verify(&services.db, "nobody-here", "not it").await.unwrap(), None);
        unknown.push(t.elapsed());
    }
    known.sort();
    unknown.sort();
    let ratio = unknown[3].as_secs_f64() / known[3].as_secs_f64();
    assert!(ratio > 0.5 && ratio < 2.0, "unknown {:?} vs known {:?}", unknown[3], known[3]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_are_listed_revoked_and_expire() {
    let dir = tempfile::tempdir().unwrap();
    let create = |args: &[&str]| {
        let out = run(dir.path(), args, "");
        assert!(out.status.success(), "{}", stderr(&out));
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    let old = create(&["token", "create", "support-bot", "--role", "bot"]);
    let new = create(&["token", "create", "support-bot-2", "--role", "bot", "--expires-days", "30"]);
    let db = model::storage::connect(&common::config_in(dir.path()).database_url).await.unwrap();
    assert!(tokens::authenticate(&db, &old).await.unwrap().is_some());

    let listed = run(dir.path(), &["token", "list"], "");
    let listed = String::from_utf8(listed.stdout).unwrap();
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines[0], "name\trole\tcreated\tlast_used\texpires\trevoked");
    // Used once: the last use is shown; no expiry, not revoked.
    assert!(lines[1].starts_with("support-bot\tbot\t") && lines[1].ends_with("\t-\t-"), "{listed}");
    assert!(!lines[1].contains("\t-\t-\t-"), "last use shown: {listed}");
    assert!(lines[2].starts_with("support-bot-2\tbot\t") && lines[2].ends_with("\t-"), "{listed}");
    assert!(!listed.contains(&old) && !listed.contains(&new), "tokens are never shown again");

    // Revoked: refused from the next request, still listed with when.
    let out = run(dir.path(), &["token", "revoke", "support-bot"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(tokens::authenticate(&db, &old).await.unwrap(), None);
    assert!(tokens::authenticate(&db, &new).await.unwrap().is_some(), "the other name is untouched");
    let again = run(dir.path(), &["token", "revoke", "support-bot"], "");
    assert!(!again.status.success() && stderr(&again).contains("no live token"), "{}", stderr(&again));
    let listed = String::from_utf8(run(dir.path(), &["token", "list"], "").stdout).unwrap();
    assert!(!listed.lines().nth(1).unwrap().ends_with("\t-"), "revocation time shown: {listed}");

    // Expired: refused.
    let short =
        tokens::create_expiring(&db, "short-lived", Role::Bot, Some(chrono::Duration::milliseconds(800)))
            .await
            .unwrap();
    // 800 ms, not less: on a loaded machine a shorter life ran out before the first check.
    assert!(tokens::authenticate(&db, &short).await.unwrap().is_some());
    tokio::time::sleep(std::time::Duration::from_millis(900)).await;
    assert_eq!(tokens::authenticate(&db, &short).await.unwrap(), None);
}
