//! Shared by the server's integration tests: a real model and a real SQLite file.
#![allow(dead_code)]

use std::path::PathBuf;

use server::config::Config;

#[path = "../../../model/tests/common/fresh_postgres.rs"]
pub mod fresh_postgres;

/// A configuration on a fresh SQLite file inside `dir`, with the fetched model.
pub fn config_in(dir: &std::path::Path) -> Config {
    let mut config = Config {
        database_url: format!("sqlite://{}", dir.join("data/botcoach.db").display()),
        bind: "127.0.0.1:0".parse().unwrap(),
        ..Config::default()
    };
    if let Some(model_dir) = std::env::var_os("BOTCOACH_MODEL_DIR") {
        config.model_dir = PathBuf::from(model_dir);
    }
    config
}

pub fn shared_dir() -> PathBuf {
    std::env::var_os("BOTCOACH_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir().join("../../shared"))
}

/// The crate folder as cargo reports it when it runs this binary; the compile-time value only
/// as a fallback, since a build cached for another clone would point there.
pub fn manifest_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}
