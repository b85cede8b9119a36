//! `botcoach serve` and its commands as operators run them: real processes on a real database,
//! reached over HTTP.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use model::accounts::tokens;
use model::views::Role;

/// A running `botcoach serve` on its own port.
pub struct Server {
    pub child: Child,
    pub port: u16,
}

impl Server {
    /// Starts a server on `database_url` and waits until it is ready.
    pub fn start(dir: &std::path::Path, database_url: &str) -> Server {
        let config = super::config_in(dir);
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(env!("CARGO_BIN_EXE_botcoach"))
            .arg("serve")
            .current_dir(dir)
            .env("BOTCOACH_DATABASE_URL", database_url)
            .env("BOTCOACH_MODEL_DIR", &config.model_dir)
            // The fastest model to start: these tests restart servers many times.
            .env("BOTCOACH_MODEL", "minilm")
            .env("BOTCOACH_BIND", format!("127.0.0.1:{port}"))
            .env("BOTCOACH_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut server = Server { child, port };
        let started = Instant::now();
        while request(port, "GET", "/readyz", "", None, None).map(|r| r.0) != Some(200) {
            assert!(started.elapsed() < Duration::from_secs(120), "server did not become ready");
            assert!(server.child.try_wait().unwrap().is_none(), "server exited early");
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    pub fn kill(&mut self) {
        self.child.kill().unwrap(); // SIGKILL: no shutdown, no flush
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request; `None` when the server is unreachable or dies before answering.
pub fn request(
    port: u16,
    method: &str,
    path: &str,
    token: &str,
    body: Option<&serde_json::Value>,
    key: Option<&str>,
) -> Option<(u16, serde_json::Value)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !token.is_empty() {
        head.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    if let Some(key) = key {
        head.push_str(&format!("Idempotency-Key: {key}\r\n"));
    }
    write!(stream, "{head}\r\n{body}").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.get(9..12)?.parse().ok()?;
    let json = response.split_once("\r\n\r\n").and_then(|(_, b)| serde_json::from_str(b).ok());
    Some((status, json.unwrap_or(serde_json::Value::Null)))
}

pub fn migrate(dir: &std::path::Path, database_url: &str) {
    let out = Command::new(env!("CARGO_BIN_EXE_botcoach"))
        .arg("migrate")
        .current_dir(dir)
        .env("BOTCOACH_DATABASE_URL", database_url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

pub fn token(database_url: &str, name: &str, role: Role) -> String {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let db = model::storage::connect(database_url).await.unwrap();
        tokens::create(&db, name, role).await.unwrap()
    })
}
