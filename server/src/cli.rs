//! Command line: `botcoach [serve|migrate|embed|user|token|import|export|report|learn|model|privacy|demo]`. Results go to stdout, logs to stderr, so
//! the commands compose in scripts.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use model::accounts::Role;

use crate::config::Config;

#[derive(Debug, Parser)]
#[command(name = "botcoach", version, about = "The bot-trainer workbench and self-learning loop")]
pub struct Cli {
    /// Optional TOML configuration file; BOTCOACH_* variables override what it says.
    #[arg(long, env = "BOTCOACH_CONFIG", default_value = "botcoach.toml", global = true)]
    pub config: PathBuf,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database, load the model and serve the web app and API (the default).
    Serve,
    /// Bring the database schema up to date and exit.
    Migrate,
    /// Embed one text per stdin line; print one JSON line {"text", "embedding"} per text.
    Embed {
        /// Texts per model call.
        #[arg(long, default_value_t = 64)]
        batch: usize,
    },
    /// Users who sign in to the browser.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// API tokens for bots and scripts.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Import knowledge from a .json or .csv file (idempotent on category and question).
    Import {
        file: PathBuf,
        /// Publish at once instead of leaving drafts for review.
        #[arg(long)]
        publish: bool,
    },
    /// Export the published knowledge to a .json or .csv file.
    Export { file: PathBuf },
    /// Print the voice-of-customer report: the period's top topics customers asked about that
    /// the bot could not answer, with examples and their share of traffic.
    Report {
        /// The period: this many days up to today.
        #[arg(long, default_value_t = 7)]
        days: u32,
        /// `md` (Markdown) or `csv`.
        #[arg(long, default_value = "md")]
        format: String,
        /// `en` or `zh`.
        #[arg(long, default_value = "en")]
        lang: String,
        /// Topics listed.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Train the model on the published knowledge now; print its held-out scores against the
    /// version serving, and whether it was promoted (instances serve it within seconds).
    Learn {
        /// Passes over the training phrasings.
        #[arg(long, default_value_t = model::learning::TrainOptions::default().epochs)]
        epochs: usize,
    },
    /// The trained versions of the model.
    Model {
        #[command(subcommand)]
        action: ModelAction,
    },
    /// Customers' personal data: one session's export or erasure, and retention.
    Privacy {
        #[command(subcommand)]
        action: PrivacyAction,
    },
    /// The synonym dictionary (`canonical,variants` CSV).
    Synonyms {
        #[command(subcommand)]
        action: SynonymsAction,
    },
    /// Test sets: run them (exit status 1 when a case fails), list, import and export them.
    Test {
        #[command(subcommand)]
        action: TestAction,
    },
    /// Copy the database to FILE while servers run: SQLite gets a consistent copy with the
    /// settings file and row counts in it; PostgreSQL is dumped by pg_dump (its version checked).
    Backup { file: PathBuf },
    /// Replace the SQLite database with a backup made by `botcoach backup`, then migrate it.
    /// Refuses while any botcoach process uses the database; keeps the old file beside it.
    Restore { file: PathBuf },
    /// Load the demo knowledge bases and one user per role (for trying botcoach out).
    Demo {
        /// Folder with the demo files.
        #[arg(long, default_value = "demo")]
        dir: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum SynonymsAction {
    /// Propose the file's entries for review (all or nothing).
    Import {
        file: PathBuf,
        /// Publish every pending change at once instead of leaving it for review.
        #[arg(long)]
        publish: bool,
    },
    /// Export the published dictionary.
    Export { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum TestAction {
    /// Run one set (a name, `confirmed`, `chosen`, `out_of_scope`, or an id), or every set;
    /// print each failing case; exit with status 1 when any case fails.
    Run { set: Option<String> },
    /// Every set with its cases and latest run.
    List,
    /// Import a .csv, .json or .xlsx file (`question,channel,expect`) as a set (replacing the
    /// cases of the set of that name).
    Import {
        file: PathBuf,
        /// The set's name; the file's name when left out.
        #[arg(long)]
        name: Option<String>,
    },
    /// Export a set to a .csv, .json or .xlsx file.
    Export { set: String, file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Add a user. The password is the first line of stdin.
    Add {
        name: String,
        /// trainer, reviewer, supervisor or admin.
        #[arg(long)]
        role: Role,
    },
}

#[derive(Debug, Subcommand)]
pub enum PrivacyAction {
    /// Print everything stored about a customer session as JSON (asks, feedback, miss reports).
    Export {
        #[arg(long)]
        session: String,
    },
    /// Delete a customer session's asks, feedback and miss reports everywhere; print what went.
    Erase {
        #[arg(long)]
        session: String,
    },
    /// Delete what is older than `retention_days` now (the server does it daily).
    Retention,
}

#[derive(Debug, Subcommand)]
pub enum ModelAction {
    /// Every version with its held-out scores; the serving one is marked.
    List,
    /// Serve this version (0: the base model as shipped) on every instance: a rollback.
    Use { version: i32 },
}

#[derive(Debug, Subcommand)]
pub enum TokenAction {
    /// Create a token and print it; only its hash is stored, so it cannot be shown again.
    Create {
        name: String,
        /// bot, trainer, reviewer or admin.
        #[arg(long)]
        role: Role,
        /// Refused after this many days (default: never expires).
        #[arg(long)]
        expires_days: Option<u32>,
    },
    /// List every token: name, role, created, last used, expiry, revoked (never the token).
    List,
    /// Revoke the live token with this name; every instance refuses it from the next request.
    Revoke { name: String },
}

pub fn run() -> anyhow::Result<()> {
    fewer_malloc_arenas();
    let cli = Cli::parse();
    init_tracing();
    let config = Config::load(&cli.config)?;
    single_threaded_products(&config);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let command = cli.command.unwrap_or(Command::Serve);
    // Held until the process exits, so `restore` cannot replace the file under this process.
    let _in_use = match command {
        Command::Embed { .. } | Command::Restore { .. } => None,
        _ => Some(model::storage::lock::use_database(&config.database_url)?),
    };
    match command {
        Command::Serve => runtime.block_on(crate::startup::serve(config)),
        Command::Migrate => runtime.block_on(async {
            let db = crate::startup::open_database(&config).await?;
            crate::startup::migrate(&db).await
        }),
        Command::Embed { batch } => crate::embed::run(&config, batch),
        Command::User { action: UserAction::Add { name, role } } => {
            runtime.block_on(crate::accounts::user_add(&config, &name, role))
        }
        Command::Token { action: TokenAction::Create { name, role, expires_days } } => {
            runtime.block_on(crate::accounts::token_create(&config, &name, role, expires_days))
        }
        Command::Token { action: TokenAction::List } => {
            runtime.block_on(crate::accounts::token_list(&config))
        }
        Command::Token { action: TokenAction::Revoke { name } } => {
            runtime.block_on(crate::accounts::token_revoke(&config, &name))
        }
        Command::Import { file, publish } => {
            runtime.block_on(crate::knowledge::import(&config, &file, publish))
        }
        Command::Export { file } => runtime.block_on(crate::knowledge::export(&config, &file)),
        Command::Learn { epochs } => runtime.block_on(crate::learning::learn(config, epochs)),
        Command::Model { action: ModelAction::List } => runtime.block_on(crate::learning::list(config)),
        Command::Model { action: ModelAction::Use { version } } => {
            runtime.block_on(crate::learning::use_version(config, version))
        }
        Command::Privacy { action: PrivacyAction::Export { session } } => {
            runtime.block_on(crate::privacy::export(&config, &session))
        }
        Command::Privacy { action: PrivacyAction::Erase { session } } => {
            runtime.block_on(crate::privacy::erase(&config, &session))
        }
        Command::Privacy { action: PrivacyAction::Retention } => {
            runtime.block_on(crate::privacy::retention(&config))
        }
        Command::Test { action: TestAction::Run { set } } => {
            runtime.block_on(crate::testsets::run(&config, set.as_deref()))
        }
        Command::Test { action: TestAction::List } => runtime.block_on(crate::testsets::list(&config)),
        Command::Test { action: TestAction::Import { file, name } } => {
            runtime.block_on(crate::testsets::import(&config, &file, name.as_deref()))
        }
        Command::Test { action: TestAction::Export { set, file } } => {
            runtime.block_on(crate::testsets::export(&config, &set, &file))
        }
        Command::Backup { file } => runtime.block_on(crate::backup::backup(&config, &cli.config, &file)),
        Command::Restore { file } => runtime.block_on(crate::backup::restore(&config, &cli.config, &file)),
        Command::Demo { dir } => runtime.block_on(crate::demo::load(&config, &dir)),
        Command::Synonyms { action: SynonymsAction::Import { file, publish } } => {
            runtime.block_on(crate::synonyms::import(&config, &file, publish))
        }
        Command::Synonyms { action: SynonymsAction::Export { file } } => {
            runtime.block_on(crate::synonyms::export(&config, &file))
        }
        Command::Report { days, format, lang, limit } => {
            runtime.block_on(crate::knowledge::report(&config, days, &format, &lang, limit))
        }
    }
}

/// With several embedding workers each matrix product must stay on its worker's thread, and
/// candle decides that from RAYON_NUM_THREADS (see `model::EmbedderOptions::workers`). Set
/// here, before any thread exists; an explicit setting by the user is kept.
fn single_threaded_products(config: &Config) {
    if config.embed_workers != 1 && std::env::var_os("RAYON_NUM_THREADS").is_none() {
        std::env::set_var("RAYON_NUM_THREADS", "1");
    }
}

/// glibc's malloc gives threads that allocate at once arenas of their own (up to 8 per core) and
/// keeps each arena's freed memory for it. With the runtime's, the model's, SQLite's and the ask
/// queue's threads, two arenas measured 55 MB less peak memory serving 100k texts (554 to 499
/// MB in `ask_load`), at the same rate. Called first, before any thread exists; a
/// `MALLOC_ARENA_MAX` set by the user wins.
pub fn fewer_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only changes the allocator's settings; no allocation is touched.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}

/// Logs to stderr, filtered by BOTCOACH_LOG (or RUST_LOG); by default `info`, with the HNSW
/// crate's per-index chatter (parameters, drops) kept to warnings.
fn init_tracing() {
    let filter = EnvFilter::try_from_env("BOTCOACH_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new("info,hnsw_rs=warn"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}
