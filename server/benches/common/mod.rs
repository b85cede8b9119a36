//! What the server's benchmarks share: a minimal HTTP client and the statistics they report.
// Each benchmark uses a part.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;

/// `../shared` beside the clone, or BOTCOACH_SHARED_DIR.
pub fn shared() -> PathBuf {
    std::env::var_os("BOTCOACH_SHARED_DIR").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap()).join("../../shared")
    })
}

/// Banking77's training questions, spaces collapsed.
pub fn banking() -> Vec<String> {
    banking_with_intents().into_iter().map(|(q, _)| q).collect()
}

/// Banking77's training questions, spaces collapsed, with their intents.
pub fn banking_with_intents() -> Vec<(String, String)> {
    let mut reader = csv::Reader::from_path(shared().join("data/banking77/train.csv")).expect("train.csv");
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].split_whitespace().collect::<Vec<_>>().join(" "), r[1].to_string())
        })
        .collect()
}

pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// One keep-alive HTTP/1.1 connection; enough client for a benchmark.
pub struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    pub fn open(addr: &str) -> Conn {
        let stream = TcpStream::connect(addr).unwrap();
        stream.set_nodelay(true).unwrap();
        Conn { stream, buf: Vec::new() }
    }

    pub fn post(&mut self, addr: &str, token: &str, body: &str) -> u16 {
        let req = format!(
            "POST /api/v1/ask HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        self.stream.write_all(req.as_bytes()).unwrap();
        self.buf.clear();
        let mut chunk = [0u8; 16384];
        loop {
            let n = self.stream.read(&mut chunk).unwrap();
            assert!(n > 0, "connection closed");
            self.buf.extend_from_slice(&chunk[..n]);
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&self.buf[..end]).to_ascii_lowercase();
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .map(|v| v.trim().parse().unwrap())
                    .unwrap_or(0);
                if self.buf.len() >= end + 4 + len {
                    return head[9..12].parse().unwrap();
                }
            }
        }
    }
}

pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    percentile(&v, 0.5)
}
