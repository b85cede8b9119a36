//! Start-up: open the database, migrate, load the model, serve until SIGTERM or Ctrl-C.
//! Every failure here says what to do about it.

use std::sync::Arc;

use anyhow::Context;
use migrations::{Migrator, MigratorTrait};
use model::errors::Problem;
use model::storage::{self, meta};
use model::{Embedder, EmbedderOptions, ModelChoice, Services};
use sea_orm::DatabaseConnection;

use crate::config::Config;

pub async fn open_database(config: &Config) -> anyhow::Result<DatabaseConnection> {
    Ok(storage::connect(&config.database_url).await?)
}

pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    let pending = Migrator::get_pending_migrations(db).await?.len();
    Migrator::up(db, None)
        .await
        .context("database migration failed; the schema was left as it was before the failing step")?;
    tracing::info!(applied = pending, "database schema up to date");
    Ok(())
}

/// The configured model, loaded in the calling thread (it reads 70 to 160 MB).
pub fn build_embedder(config: &Config) -> Result<Arc<dyn Embedder>, model::EmbedError> {
    load_choice(config, config.model)
}

fn load_choice(config: &Config, choice: ModelChoice) -> Result<Arc<dyn Embedder>, model::EmbedError> {
    let options =
        EmbedderOptions { workers: config.embed_workers, kernel: config.embed_kernel, ..Default::default() };
    let embedder = choice.load(&config.model_dir, &config.e5_model, &options)?;
    Ok(Arc::new(crate::telemetry::TimedEmbedder(embedder)))
}

/// [`build_embedder`] on a blocking thread, for async start-up.
pub async fn load_embedder(config: &Config) -> anyhow::Result<Arc<dyn Embedder>> {
    load_embedder_of(config, config.model).await
}

async fn load_embedder_of(config: &Config, choice: ModelChoice) -> anyhow::Result<Arc<dyn Embedder>> {
    let config = config.clone();
    Ok(tokio::task::spawn_blocking(move || load_choice(&config, choice)).await??)
}

/// Everything `serve` needs before it listens: a migrated database and a model serving.
///
/// When the configured model differs from the one that served last and the stored texts lack
/// its vectors, the previous model serves while the new one embeds them in the background
/// (progress in the log and on the status page), then takes over. If the previous model cannot
/// be loaded, the texts are embedded before serving, with progress in the log.
pub async fn services(config: &Config) -> anyhow::Result<Services> {
    let db = open_database(config).await?;
    migrate(&db).await?;
    let wanted = load_embedder(config).await?;
    let previous = meta::serving_model(&db).await?.filter(|p| *p != config.model);
    let progress = model::services::Progress::default();
    // Stored vectors are of texts as the model reads them: through the published synonyms.
    let dictionary = std::sync::Arc::new(model::synonyms::load(&db).await?);
    let reading: Arc<dyn Embedder> = Arc::new(model::synonyms::WithSynonyms::new(wanted.clone(), dictionary));
    let lacking = model::reembed::lacking(&db, &reading).await?;
    let fallback = match previous {
        Some(previous) if lacking > 0 => match load_embedder_of(config, previous).await {
            Ok(old) => Some((previous, old)),
            Err(e) => {
                tracing::warn!(previous = previous.as_str(), error = %e, "cannot load the model that served before; embedding for the new one before serving");
                None
            }
        },
        _ => None,
    };
    let Some((previous, old)) = fallback else {
        // Reading every stored text and vector again is seconds on a large base: only when needed.
        if lacking > 0 {
            model::reembed::embed_missing(&db, &reading, &progress, false).await?;
        }
        let services = assemble(db, wanted.clone(), config).await?;
        meta::record_serving_model(&services.db, config.model, wanted.info()).await?;
        serve_trained_version(&services).await;
        return Ok(services);
    };
    tracing::warn!(
        previous = previous.as_str(),
        configured = config.model.as_str(),
        texts = lacking,
        "the model changed: the previous one serves while the stored texts are embedded with the new one"
    );
    let previous_config =
        Config { matching: previous.scoring(), grouping: previous.grouping(), ..config.clone() };
    let services = assemble(db, old, &previous_config).await?;
    let (s, choice, matching, grouping) = (services.clone(), config.model, config.matching, config.grouping);
    tokio::spawn(async move {
        let info = wanted.info().clone();
        if s.switch_model(wanted.clone(), matching, grouping).await.is_ok() {
            s.learning.rebase(wanted, matching, grouping);
            if let Err(e) = meta::record_serving_model(&s.db, choice, &info).await {
                tracing::warn!(error = %e, "cannot record the model now serving");
            }
            serve_trained_version(&s).await;
        }
    });
    Ok(services)
}

/// The version of the model the trainers' labels trained (if one serves): vectors are moved
/// from the base model's by a matrix product, in seconds. If it cannot be loaded, the base
/// model serves and the log says why.
async fn serve_trained_version(services: &Services) {
    match services.follow_model_version().await {
        Ok(true) => tracing::info!(
            version = services.learning.serving_version(),
            model = %services.embedder().info().name,
            "serving the trained model version"
        ),
        Ok(false) => {}
        Err(e) => {
            tracing::error!(error = %e, "cannot serve the trained model version; the base model serves")
        }
    }
}

/// The matcher and the inbox on `embedder`.
/// The services over `embedder`, with `config`'s thresholds, grouping and batching.
async fn assemble(
    db: DatabaseConnection,
    embedder: Arc<dyn Embedder>,
    config: &Config,
) -> anyhow::Result<Services> {
    let (scoring, grouping) = (config.matching, config.grouping);
    let matcher = model::matching::Matcher::load_with(db.clone(), embedder, scoring, config.batching)
        .await
        .context("cannot load the published knowledge into the matcher")?;
    let masker = config.privacy.masker().context(
        "cannot start with this [privacy] configuration: fix or remove the pattern in botcoach.toml",
    )?;
    matcher.set_masker(masker);
    let stats = matcher.stats();
    tracing::info!(points = stats.points, texts = stats.texts, revision = stats.revision, "matcher ready");
    let matcher = Arc::new(matcher);
    config.inbox_costs.check().map_err(|e| {
        anyhow::anyhow!("{e}: fix [inbox_costs] in botcoach.toml (or BOTCOACH_INBOX_COSTS__HANDOFF etc.)")
    })?;
    let inbox = model::inbox::Inbox::load(db.clone(), matcher.clone(), grouping)
        .await
        .context("cannot load the open misses into the inbox")?
        .with_costs(config.inbox_costs);
    Ok(Services::new(db, matcher, Arc::new(inbox)))
}

pub async fn serve(config: Config) -> anyhow::Result<()> {
    crate::telemetry::record_batches();
    let services = services(&config).await?;
    spawn_background(&services, &config);
    let router = crate::http::router(&config, services);
    let listener = tokio::net::TcpListener::bind(config.bind).await.with_context(|| {
        format!(
            "cannot listen on {}: is another botcoach running? Set BOTCOACH_BIND to another address",
            config.bind
        )
    })?;
    tracing::info!(address = %config.bind, "serving http://{}", config.bind);
    // The peer address is the sign-in throttle's per-address key.
    let app = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Work on a timer: pick up knowledge published by another instance, turn clarifications
/// nobody answered into misses, place new misses in the inbox, regroup it, close the misses
/// knowledge published anywhere answers (at start too: a crash may have come between a publish
/// and its closing), and forget idempotency keys past their 24 hours.
fn spawn_background(services: &Services, config: &Config) {
    let s = services.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        loop {
            tick.tick().await;
            if let Err(e) = s.inbox.assign_pending().await {
                tracing::warn!(error = %e, "cannot place new misses in the inbox");
            }
        }
    });
    if config.regroup_minutes > 0 {
        let s = services.clone();
        let every = std::time::Duration::from_secs(config.regroup_minutes * 60);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
            loop {
                tick.tick().await;
                match s.inbox.regroup().await {
                    Ok(_) => {}
                    // Another instance is regrouping: it will do.
                    Err(model::inbox::InboxError::Refused(p @ Problem::RegroupRunning { .. })) => {
                        tracing::info!("{p}")
                    }
                    Err(e) => tracing::warn!(error = %e, "scheduled regrouping failed"),
                }
            }
        });
    }
    if services.db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        let (s, url) = (services.clone(), config.database_url.clone());
        tokio::spawn(async move {
            model::storage::notify::follow_feed(&url, || {
                let s = s.clone();
                async move { s.knowledge_changed().await }
            })
            .await
        });
    }
    let s = services.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(2));
        loop {
            tick.tick().await;
            s.knowledge_changed().await;
        }
    });
    let s = services.clone();
    tokio::spawn(async move { s.follow_boundaries().await });
    let (s, schedule) = (services.clone(), config.learning);
    tokio::spawn(async move {
        // Another instance may promote or roll back a version: serve what the database says.
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
        let mut checked = std::time::Instant::now();
        loop {
            tick.tick().await;
            if let Err(e) = s.follow_model_version().await {
                tracing::warn!(error = %e, "cannot follow the serving model version");
            }
            // A publish here or on another instance: embed what it rewrites, then serve it.
            if let Err(e) = s.follow_synonyms().await {
                tracing::warn!(error = %e, "cannot serve the published synonyms yet");
            }
            if checked.elapsed() < std::time::Duration::from_secs(60) {
                continue;
            }
            checked = std::time::Instant::now();
            match s.learning_due(&schedule).await {
                Ok(true) => {
                    let options =
                        model::learning::TrainOptions { epochs: schedule.epochs, ..Default::default() };
                    match s.start_learning(options).await {
                        Ok(()) => tracing::info!("scheduled training run started"),
                        Err(e) => tracing::info!(error = %e, "scheduled training run not started"),
                    }
                }
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "cannot tell whether the model should learn"),
            }
        }
    });
    let (s, retention_days) = (services.clone(), config.privacy.retention_days);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            match model::misses::record_untaken_clarifications(&s.db, chrono::Duration::minutes(10)).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(misses = n, "clarifications nobody took recorded as misses"),
                Err(e) => tracing::warn!(error = %e, "cannot record untaken clarifications"),
            }
            if let Err(e) = model::publishing::sweep_closing(&s).await {
                tracing::warn!(error = %e, "cannot close the misses published knowledge answers");
            }
            if let Err(e) = model::idempotency::sweep(&s.db).await {
                tracing::warn!(error = %e, "cannot forget expired idempotency keys");
            }
            if let Err(e) = model::accounts::throttle::sweep(&s.db).await {
                tracing::warn!(error = %e, "cannot forget old sign-in attempts");
            }
            if let Err(e) = model::testsets::fill::fill(&s, None).await {
                tracing::warn!(error = %e, "cannot fill the test sets that fill themselves");
            }
            // Daily, whichever instance finds it due first (the run is recorded in the database).
            if let Err(e) = model::privacy::retention::run_if_due(&s.db, retention_days).await {
                tracing::warn!(error = %e, "cannot delete what is past its retention");
            }
        }
    });
}

/// Resolves on Ctrl-C or SIGTERM; in-flight requests then finish before the server exits.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown requested, finishing in-flight requests");
}
