//! `botcoach embed`: texts on stdin, one JSON line `{"text", "embedding"}` per text on stdout.

use std::io::{BufRead, BufWriter, Write};

use anyhow::Context;
use model::Embedder;

use crate::config::Config;

#[derive(serde::Serialize)]
struct Line<'a> {
    text: &'a str,
    embedding: &'a [f32],
}

pub fn run(config: &Config, batch: usize) -> anyhow::Result<()> {
    let embedder = crate::startup::build_embedder(config)?;
    let stdin = std::io::stdin().lock();
    let mut out = BufWriter::new(std::io::stdout().lock());
    embed_lines(embedder.as_ref(), stdin, &mut out, batch.max(1))?;
    out.flush().context("cannot write to stdout")?;
    Ok(())
}

/// Every input line is one text (an empty line too), so output line N answers input line N.
pub fn embed_lines(
    embedder: &dyn Embedder,
    input: impl BufRead,
    out: &mut impl Write,
    batch: usize,
) -> anyhow::Result<usize> {
    let mut pending: Vec<String> = Vec::with_capacity(batch);
    let mut count = 0;
    let mut flush = |pending: &mut Vec<String>, out: &mut dyn Write| -> anyhow::Result<()> {
        let texts: Vec<&str> = pending.iter().map(String::as_str).collect();
        for (text, embedding) in texts.iter().zip(embedder.embed(&texts)?) {
            serde_json::to_writer(&mut *out, &Line { text, embedding: &embedding })?;
            out.write_all(b"\n").context("cannot write to stdout")?;
        }
        count += pending.len();
        pending.clear();
        Ok(())
    };
    for line in input.lines() {
        let line = line.context("stdin is not valid UTF-8 text")?;
        pending.push(line.strip_suffix('\r').unwrap_or(&line).to_string());
        if pending.len() == batch {
            flush(&mut pending, out)?;
        }
    }
    if !pending.is_empty() {
        flush(&mut pending, out)?;
    }
    Ok(count)
}
