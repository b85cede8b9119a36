//! The status panel: is the database reachable, which embedding model serves, and how far a
//! change of model has come.

use crate::errors::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::i18n::count;
use crate::i18n::{tr, use_lang};
use crate::labels::{detector_name, model_name};
use crate::time::Time;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatusReport {
    pub version: String,
    pub database_backend: String,
    pub database_ready: bool,
    pub database_error: Option<String>,
    pub model_name: String,
    pub model_dimension: usize,
    pub model_max_tokens: usize,
    pub model_load_ms: u64,
    /// A model change under way: the model above answers until it is done.
    pub reembedding: Option<model::views::Reembedding>,
    /// Masking of personal data and the last retention run.
    pub privacy: model::views::PrivacyStatus,
}

// A fixed endpoint: the default one carries a hash of the build, so a wasm and a server built
// from different checkouts would not find each other.
#[server(endpoint = "system_status")]
pub async fn system_status() -> Result<StatusReport, AppError> {
    ssr::system_status().await
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;

    pub async fn system_status() -> Result<StatusReport, AppError> {
        let services = crate::server::services()?;
        let r = services.readiness().await;
        let masker = services.matcher.masker();
        let retention =
            model::privacy::retention::last_run(&services.db).await.map_err(crate::server::fail)?;
        let privacy = model::views::PrivacyStatus {
            detectors: masker.detectors().to_vec(),
            patterns: masker.patterns(),
            retention,
        };
        Ok(StatusReport {
            version: env!("CARGO_PKG_VERSION").to_string(),
            database_backend: r.database.backend,
            database_ready: r.database.reachable,
            database_error: r.database.error,
            model_name: r.model.name,
            model_dimension: r.model.dimension,
            model_max_tokens: r.model.max_tokens,
            model_load_ms: r.model.load_ms,
            reembedding: r.reembedding,
            privacy,
        })
    }
}

#[component]
pub fn StatusPanel() -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let status = Resource::new(|| (), |_| system_status());

    view! {
        <section class="panel status" data-testid="status-panel">
            <header class="panel-head">
                <h2>{move || t("status.title")}</h2>
                <button class="ghost" data-testid="status-refresh" on:click={move |_| status.refetch()}>
                    {move || t("status.refresh")}
                </button>
            </header>
            <Suspense fallback={move || {
                view! { <p class="muted">{move || t("status.loading")}</p> }
            }}>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(s) => view! { <StatusTable s /> }.into_any(),
                        Err(e) => {
                            view! { <p class="error">{move || t("status.error")} ": " {e.to_string()}</p> }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn StatusTable(s: StatusReport) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let db_ok = s.database_ready;
    view! {
        <dl class="status-grid">
            <dt>{move || t("status.database")}</dt>
            <dd data-testid="status-database">
                <span class={if db_ok { "dot ok" } else { "dot down" }}></span>
                {s.database_backend.clone()}
                " · "
                {move || t(if db_ok { "status.ready" } else { "status.down" })}
                {s.database_error.clone().map(|e| view! { <small class="error">" " {e}</small> })}
            </dd>
            <dt>{move || t("status.model")}</dt>
            <dd data-testid="status-model">
                <span class="dot ok"></span>
                <span>
                    {
                        let n = s.model_name.clone();
                        move || model_name(lang.get(), &n)
                    }
                </span>
                " · "
                {move || t("status.ready")}
            </dd>
            <dt>{move || t("status.dimension")}</dt>
            <dd data-testid="status-dimension">{s.model_dimension}</dd>
            <dt>{move || t("status.max_tokens")}</dt>
            <dd>{s.model_max_tokens}</dd>
            <dt>{move || t("status.load_time")}</dt>
            <dd data-testid="status-load-time">{format!("{} ms", s.model_load_ms)}</dd>
            {s
                .reembedding
                .map(|r| {
                    view! {
                        <dt>
                            {move || {
                                t(
                                    if r.synonyms {
                                        "status.reembedding_synonyms"
                                    } else {
                                        "status.reembedding"
                                    },
                                )
                            }}
                        </dt>
                        <dd data-testid="status-reembedding">
                            <span class={if r.error.is_some() { "dot down" } else { "dot busy" }}></span>
                            <span>
                                {
                                    let n = r.model.clone();
                                    move || model_name(lang.get(), &n)
                                }
                            </span>
                            " · "
                            {format!("{} / {}", r.done, r.total)}
                            {r
                                .error
                                .map(|e| {
                                    view! {
                                        <small class="error">
                                            " " {move || t("status.reembedding_failed")} ": " {e.clone()}
                                        </small>
                                    }
                                })}
                        </dd>
                    }
                })}
            <PrivacyRows privacy={s.privacy.clone()} />
        </dl>
        <p class="muted small">"botcoach " {s.version.clone()}</p>
    }
}

/// Which personal data is masked, and what retention last removed.
#[component]
fn PrivacyRows(privacy: model::views::PrivacyStatus) -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let masked = !privacy.detectors.is_empty() || !privacy.patterns.is_empty();
    let kinds = move || {
        let l = lang.get();
        let mut names: Vec<String> =
            privacy.detectors.iter().map(|d| detector_name(l, *d).to_string()).collect();
        names.extend(privacy.patterns.iter().cloned());
        names.join(if l == crate::i18n::Lang::Zh { "、" } else { ", " })
    };
    let retention = privacy.retention.map(|r| {
        view! {
            <span>
                {move || match r.days {
                    0 => t("status.retention_forever").to_string(),
                    d => count(lang.get(), i64::from(d), "status.retention_days"),
                }}
            </span>
            " · "
            {move || t("status.retention_last")}
            " "
            <Time at={r.ran_at} />
            " · "
            <span data-testid="status-retention-removed">
                {move || {
                    let l = lang.get();
                    let removed = [
                        count(l, r.asks as i64, "status.retention_asks"),
                        count(l, r.misses as i64, "status.retention_misses"),
                        count(l, r.reports as i64, "status.retention_reports"),
                    ];
                    let sep = if l == crate::i18n::Lang::Zh { "，" } else { ", " };
                    format!("{} {}", tr(l, "status.retention_removed"), removed.join(sep))
                }}
            </span>
        }
    });
    view! {
        <dt>{move || t("status.masking")}</dt>
        <dd data-testid="status-masking">
            <span class={if masked { "dot ok" } else { "dot down" }}></span>
            {move || if masked { kinds() } else { t("status.masking_off").to_string() }}
        </dd>
        <dt>{move || t("status.retention")}</dt>
        <dd data-testid="status-retention">
            {match retention {
                Some(r) => r.into_any(),
                None => view! { <span>{move || t("status.retention_never")}</span> }.into_any(),
            }}
        </dd>
    }
}
