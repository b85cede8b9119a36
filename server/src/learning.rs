//! `botcoach learn [--epochs N]`, `botcoach model list` and `botcoach model use VERSION`: the
//! model's training runs and versions from the command line. Running servers on the same
//! database serve a promoted or chosen version within seconds.

use model::views::{HeldOutScores, ModelVersion, VersionState};

use crate::config::Config;

fn pct(v: f64) -> String {
    format!("{:.1}%", 100.0 * v)
}

fn scores(s: &HeldOutScores) -> String {
    format!("top-1 {}, answered {} at precision {}", pct(s.top1), pct(s.share), pct(s.precision))
}

fn describe(v: &ModelVersion) -> String {
    let verdict = match (v.state, v.refusal) {
        (_, Some(why)) => format!("refused ({})", why.as_str()),
        (state, None) => state.as_str().to_string(),
    };
    format!(
        "version {} of {}: {verdict}; trained on {} texts of {} points, {} epochs, {:.1} s\n  \
         on {} held-out phrasings: {} (version {} serving then: {})",
        v.version,
        v.base,
        v.trained_on,
        v.points,
        v.epochs,
        v.seconds,
        v.scores.questions,
        scores(&v.scores),
        v.previous_version,
        scores(&v.previous),
    )
}

pub async fn learn(config: Config, epochs: usize) -> anyhow::Result<()> {
    let services = crate::startup::services(&config).await?;
    let options = model::learning::TrainOptions { epochs, ..Default::default() };
    let version = services.learn(options).await?;
    println!("{}", describe(&version));
    if version.state == VersionState::Serving {
        println!("promoted: it serves now (running instances switch within seconds)");
    } else {
        println!("not promoted: version {} keeps serving", version.previous_version);
    }
    Ok(())
}

pub async fn list(config: Config) -> anyhow::Result<()> {
    let services = crate::startup::services(&config).await?;
    let overview = services.model_overview().await?;
    println!("serving: {} (version {})", overview.serving_name, overview.serving_version);
    if overview.versions.is_empty() {
        println!("no trained versions yet: `botcoach learn` trains one");
    }
    for v in &overview.versions {
        println!("{}", describe(v));
    }
    Ok(())
}

pub async fn use_version(config: Config, version: i32) -> anyhow::Result<()> {
    let services = crate::startup::services(&config).await?;
    services.use_model_version(version).await?;
    println!("version {version} serves now ({})", services.embedder().info().name);
    Ok(())
}
