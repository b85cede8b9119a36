//! The `botcoach` binary as a user runs it.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn botcoach(dir: &std::path::Path) -> Command {
    let config = common::config_in(dir);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_botcoach"));
    cmd.current_dir(dir)
        .env("BOTCOACH_DATABASE_URL", &config.database_url)
        .env("BOTCOACH_MODEL_DIR", &config.model_dir)
        .env("BOTCOACH_LOG", "info");
    cmd
}

#[test]
fn embed_prints_one_json_line_per_input_line() {
    let dir = tempfile::tempdir().unwrap();
    // MiniLM, whose reference vectors are at hand (the default model's parts have their own
    // parity tests in the model crate).
    let mut child = botcoach(dir.path())
        .args(["embed", "--batch", "2"])
        .env("BOTCOACH_MODEL", "minilm")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all("How do I activate my card?\n\n我的话费怎么查\r\nlast line without newline".as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<serde_json::Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let texts: Vec<&str> = lines.iter().map(|l| l["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["How do I activate my card?", "", "我的话费怎么查", "last line without newline"]);

    // Same vector as sentence-transformers for the reference text.
    let reference = std::fs::read_to_string(
        common::shared_dir().join("data/reference-embeddings/all-MiniLM-L6-v2.jsonl"),
    )
    .unwrap();
    let expected: serde_json::Value = reference
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["text"] == "How do I activate my card?")
        .unwrap();
    let as_vec = |v: &serde_json::Value| -> Vec<f32> {
        v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap() as f32).collect()
    };
    let got = as_vec(&lines[0]["embedding"]);
    assert_eq!(got.len(), 384);
    assert!(model::embedding::cosine(&got, &as_vec(&expected["embedding"])) > 0.9999);
}

#[test]
fn a_missing_model_says_how_to_fetch_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = botcoach(dir.path())
        .arg("embed")
        .env("BOTCOACH_MODEL_DIR", dir.path().join("nothing-here"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("scripts/fetch-model.sh") && err.contains("nothing-here"), "{err}");
}

#[test]
fn bad_configuration_is_refused_with_the_key_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = botcoach(dir.path()).arg("migrate").env("BOTCOACH_BIND", "nowhere").output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bind"), "{err}");
}

#[test]
fn migrate_creates_the_sqlite_file_and_is_repeatable() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let out = botcoach(dir.path()).arg("migrate").output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    assert!(dir.path().join("data/botcoach.db").is_file());
}

fn http_get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

#[test]
fn serve_answers_then_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = botcoach(dir.path())
        .arg("serve")
        .env("BOTCOACH_BIND", format!("127.0.0.1:{port}"))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    let started = Instant::now();
    let health = loop {
        if let Some(r) = http_get(port, "/healthz") {
            break r;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "server did not come up");
        assert!(child.try_wait().unwrap().is_none(), "server exited early");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");

    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < deadline, "server ignored SIGTERM");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(exit.success(), "exit status {exit:?}");
    let mut log = String::new();
    child.stderr.take().unwrap().read_to_string(&mut log).unwrap();
    assert!(log.contains("shutdown requested") && log.contains("stopped"), "{log}");
}

#[test]
fn report_prints_the_voice_of_the_customer_and_refuses_a_bad_format() {
    let dir = tempfile::tempdir().unwrap();
    let out = botcoach(dir.path())
        .args(["report", "--days", "7", "--format", "md", "--lang", "zh"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("# 客户之声") && text.contains("| # | 话题 |"), "{text}");
    let out = botcoach(dir.path()).args(["report", "--format", "pdf"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown format \"pdf\""));
}
