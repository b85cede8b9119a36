//! The `botcoach` binary as an operator runs it, with customers' personal data coming in over
//! HTTP: the database file, the server's log (at debug level), the report in both formats and a
//! session's export hold none of the raw values, searched byte by byte; a session is erased
//! from the command line and the audit log says so.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A valid resident ID (the example of GB 11643) and a Luhn-valid UnionPay card number.
const ID: &str = "11010519491231002X";
const CARD: &str = "6222021234567890128";

/// What the customers typed, as the test searches for it afterwards.
const RAW: &[&str] = &[
    "13812345678",
    "13987654321",
    "１３６１１１１２２２２",
    "13611112222",
    ID,
    CARD,
    "622202123456",
    "6222 0212 3456 7890 128",
    "li.si@example.org",
    "10.20.30.40",
    "0755-26781234",
    "075526781234",
    "13700001111",
];

fn botcoach(dir: &Path) -> Command {
    let config = common::config_in(dir);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_botcoach"));
    cmd.current_dir(dir)
        .env("BOTCOACH_DATABASE_URL", &config.database_url)
        .env("BOTCOACH_MODEL_DIR", &config.model_dir)
        .env("BOTCOACH_LOG", "debug");
    cmd
}

fn run(dir: &Path, args: &[&str]) -> String {
    let out = botcoach(dir).args(args).output().unwrap();
    assert!(out.status.success(), "botcoach {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// One HTTP/1.1 request; the status and the body.
fn http(port: u16, method: &str, path: &str, token: &str, body: &serde_json::Value) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let body = if body.is_null() { String::new() } else { body.to_string() };
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

fn stop(mut child: Child) {
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "server ignored SIGTERM");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn assert_clean(what: &str, haystack: &[u8]) {
    for raw in RAW {
        let found = haystack.windows(raw.len()).any(|w| w == raw.as_bytes());
        assert!(!found, "{what} holds the raw value {raw:?}");
    }
}

#[test]
fn personal_data_reaches_no_file_log_report_or_export_and_a_session_is_erased() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    run(path, &["migrate"]);
    let bot = run(path, &["token", "create", "bot-1", "--role", "bot"]).trim().to_string();
    let admin = run(path, &["token", "create", "ops", "--role", "admin"]).trim().to_string();

    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let log_path = path.join("server.log");
    let child = botcoach(path)
        .arg("serve")
        .env("BOTCOACH_BIND", format!("127.0.0.1:{port}"))
        .stderr(Stdio::from(std::fs::File::create(&log_path).unwrap()))
        .spawn()
        .unwrap();
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(120), "server did not come up");
        std::thread::sleep(Duration::from_millis(200));
    }

    let ask = |q: &str, session: &str| {
        let (status, body) = http(
            port,
            "POST",
            "/api/v1/ask",
            &bot,
            &serde_json::json!({ "question": q, "session_id": session }),
        );
        assert_eq!(status, 200, "{body}");
        serde_json::from_str::<serde_json::Value>(&body).unwrap()
    };
    let first = ask("我的手机号13812345678怎么停机了", "s-1");
    ask("我的手机号13987654321怎么停机了", "s-2");
    ask("my card 6222 0212 3456 7890 128 was charged twice", "s-1");
    let (status, _) = http(
        port,
        "POST",
        "/api/v1/feedback",
        &bot,
        &serde_json::json!({ "ask_id": first["ask_id"], "helpful": false }),
    );
    assert_eq!(status, 204);
    let misses = serde_json::json!({ "misses": [
        { "question": "手机１３６１１１１２２２２收不到验证码", "session_id": "s-1" },
        { "question": format!("身份证{ID}的实名认证失败"), "session_id": "s-1",
          "reason": "customer li.si@example.org from 10.20.30.40" },
        { "question": "座机0755-26781234打不通", "session_id": "s-3" },
        { "question": "call me back on +86 137 0000 1111", "session_id": "s-3" },
    ]});
    let (status, body) = http(port, "POST", "/api/v1/misses", &bot, &misses);
    assert_eq!(status, 202, "{body}");
    // The inbox places new misses within a second or two; the report lists placed ones.
    let placed = Instant::now();
    loop {
        let (status, body) =
            http(port, "GET", "/api/v1/clusters?limit=100", &admin, &serde_json::Value::Null);
        assert_eq!(status, 200, "{body}");
        if body.contains("停机") && body.contains("call me back") {
            assert_clean("the inbox's groups", body.as_bytes());
            break;
        }
        assert!(placed.elapsed() < Duration::from_secs(60), "the misses were not grouped: {body}");
        std::thread::sleep(Duration::from_millis(250));
    }
    let (status, body) = http(port, "GET", "/api/v1/privacy/sessions/s-1", &admin, &serde_json::Value::Null);
    assert_eq!(status, 200, "{body}");
    let export: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(export["asks"].as_array().unwrap().len(), 2, "{export}");
    assert_eq!(export["asks"][0]["question"], "我的手机号[手机号]怎么停机了");
    assert_clean("the session's export over HTTP", body.as_bytes());
    let (status, _) = http(port, "GET", "/api/v1/privacy/sessions/s-1", &bot, &serde_json::Value::Null);
    assert_eq!(status, 403, "a bot reads no customer's data");
    stop(child);

    for args in [["report", "--format", "md", "--lang", "zh"], ["report", "--format", "csv", "--lang", "en"]]
    {
        let report = run(path, &args);
        assert!(report.contains("[手机号]"), "{report}");
        assert_clean("the report", report.as_bytes());
    }
    let exported = run(path, &["privacy", "export", "--session", "s-1"]);
    assert!(exported.contains("[身份证号]") && exported.contains("[email]"), "{exported}");
    assert_clean("the export", exported.as_bytes());
    let log = std::fs::read(&log_path).unwrap();
    assert!(String::from_utf8_lossy(&log).contains("DEBUG"), "the log ran at debug level");
    assert_clean("the server's log", &log);
    let data = path.join("data");
    for entry in std::fs::read_dir(&data).unwrap() {
        let file = entry.unwrap().path();
        assert_clean(&file.display().to_string(), &std::fs::read(&file).unwrap());
    }

    // The same question with two numbers is one miss, reported twice (and once more by the
    // negative feedback on the first ask).
    let erased: serde_json::Value =
        serde_json::from_str(&run(path, &["privacy", "erase", "--session", "s-1"])).unwrap();
    assert_eq!((erased["asks"].as_u64(), erased["reports"].as_u64()), (Some(2), Some(4)), "{erased}");
    let after: serde_json::Value =
        serde_json::from_str(&run(path, &["privacy", "export", "--session", "s-1"])).unwrap();
    assert!(after["asks"].as_array().unwrap().is_empty() && after["reports"].as_array().unwrap().is_empty());

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        use sea_orm::{ConnectionTrait, Statement};
        let db = model::storage::connect(&common::config_in(path).database_url).await.unwrap();
        let rows = db
            .query_all_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT question, count FROM misses ORDER BY id",
            ))
            .await
            .unwrap();
        let misses: Vec<(String, i32)> = rows
            .iter()
            .map(|r| (r.try_get("", "question").unwrap(), r.try_get("", "count").unwrap()))
            .collect();
        assert!(
            misses.contains(&("我的手机号[手机号]怎么停机了".to_string(), 1)),
            "s-2's report of the phone question stays, counted once: {misses:?}"
        );
        assert!(misses.iter().all(|(q, _)| !q.contains("身份证")), "s-1's own misses are gone: {misses:?}");
        assert_eq!(misses.len(), 3, "{misses:?}");
        let audit = model::audit::for_target(&db, "session:s-1").await.unwrap();
        let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
        assert_eq!(actions, ["privacy.export", "privacy.export", "privacy.erase", "privacy.export"]);
    });
}
