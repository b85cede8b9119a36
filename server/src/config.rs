//! Typed configuration: defaults, then `botcoach.toml` if present, then `BOTCOACH_*`
//! environment variables (each key below in upper case, e.g. BOTCOACH_DATABASE_URL).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Config {
    /// `sqlite://data/botcoach.db` (created on first start) or `postgres://user:pass@host/db`.
    pub database_url: String,
    /// Address the web server listens on.
    pub bind: SocketAddr,
    /// Folder of the embedding model (config.json, tokenizer.json, model.safetensors).
    pub model_dir: PathBuf,
    /// Embedding workers: 1 = one, whose matrix products use every core; N = N single-threaded
    /// workers side by side; 0 = one per core.
    pub embed_workers: usize,
    /// Folder of the built browser bundle (`cargo leptos build` writes `target/site`).
    pub site_root: PathBuf,
    /// Score fusion and the answered / clarify / miss thresholds (`[matching]` in the file,
    /// `BOTCOACH_MATCHING__ANSWER_SCORE=0.7` etc. in the environment). Defaults: calibrated on
    /// Banking77, see the README.
    pub matching: model::matching::Scoring,
    /// How the miss inbox groups questions (`[grouping]`, `BOTCOACH_GROUPING__RESOLUTION=8`
    /// etc.). Defaults: chosen on Banking77, see the README.
    pub grouping: model::clustering::Grouping,
    /// Minutes between full regroupings of the inbox (0: only on request).
    pub regroup_minutes: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite://data/botcoach.db".into(),
            bind: SocketAddr::from(([127, 0, 0, 1], 3000)),
            model_dir: model::embedding::default_model_dir(),
            embed_workers: 1,
            site_root: PathBuf::from("target/site"),
            matching: model::matching::Scoring::default(),
            grouping: model::clustering::Grouping::default(),
            regroup_minutes: 30,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error(
    "invalid configuration: {0}. Keys: database_url, bind, model_dir, embed_workers, site_root, \
         matching.*, grouping.*, regroup_minutes (in botcoach.toml, or as BOTCOACH_DATABASE_URL, BOTCOACH_MATCHING__ANSWER_SCORE etc.)"
)]
pub struct ConfigError(#[from] Box<figment::Error>);

impl Config {
    /// Reads the file if it exists (a missing file is not an error: it is optional).
    pub fn load(file: &Path) -> Result<Self, ConfigError> {
        Self::from_figment(
            Figment::from(Serialized::defaults(Config::default()))
                .merge(Toml::file(file))
                .merge(Env::prefixed("BOTCOACH_").ignore(&["CONFIG", "LOG", "SHARED_DIR"]).split("__")),
        )
    }

    fn from_figment(figment: Figment) -> Result<Self, ConfigError> {
        figment.extract().map_err(|e| ConfigError(Box::new(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_environment_override_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("botcoach.toml", "bind = \"127.0.0.1:4000\"\nembed_workers = 2\n")?;
            jail.set_env("BOTCOACH_DATABASE_URL", "postgres://u:p@localhost/bc");
            let c = Config::load(Path::new("botcoach.toml")).unwrap();
            assert_eq!(c.bind, "127.0.0.1:4000".parse().unwrap());
            assert_eq!(c.embed_workers, 2);
            assert_eq!(c.database_url, "postgres://u:p@localhost/bc");
            assert_eq!(c.site_root, PathBuf::from("target/site"));

            jail.set_env("BOTCOACH_BIND", "0.0.0.0:8080");
            assert_eq!(Config::load(Path::new("botcoach.toml")).unwrap().bind.port(), 8080);
            Ok(())
        });
    }

    #[test]
    fn missing_file_gives_defaults_and_bad_values_say_which_key() {
        figment::Jail::expect_with(|jail| {
            let c = Config::load(Path::new("absent.toml")).unwrap();
            assert_eq!(c, Config::default());
            jail.set_env("BOTCOACH_BIND", "not-an-address");
            let err = Config::load(Path::new("absent.toml")).unwrap_err().to_string();
            assert!(err.contains("bind"), "{err}");
            Ok(())
        });
    }
}
