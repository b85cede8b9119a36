//! `GET /metrics` for operations, in the Prometheus text format: requests and latencies by
//! route, embedding timings, and — read when scraped — the matcher's size and the queues' lengths.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use model::storage::StorageError;
use model::{EmbedError, Embedder, ModelInfo, Services};
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};
use sea_orm::{ConnectionTrait, Statement};

use crate::api::error::ApiError;

pub struct Telemetry {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    embed: Histogram,
    batch_texts: Histogram,
    batch_tokens: Histogram,
    queue_wait: Histogram,
    refused: prometheus::IntCounter,
    gauges: Vec<(IntGauge, Gauge)>,
}

/// What a gauge shows, read at scrape time.
#[derive(Clone, Copy)]
enum Gauge {
    MatcherPoints,
    MatcherTexts,
    KnowledgeRevision,
    AskQueue,
    Journal,
    Sql(&'static str),
}

const QUEUES: [(&str, &str, &str); 4] = [
    (
        "botcoach_open_misses",
        "Misses waiting in the inbox",
        "SELECT COUNT(*) FROM misses WHERE status = 'open'",
    ),
    (
        "botcoach_unplaced_misses",
        "Open misses the assigner has not placed in a group yet",
        "SELECT COUNT(*) FROM misses WHERE status = 'open' AND cluster_id IS NULL",
    ),
    (
        "botcoach_open_clusters",
        "Inbox groups with an open question",
        "SELECT COUNT(DISTINCT cluster_id) FROM misses WHERE status = 'open' AND cluster_id IS NOT NULL",
    ),
    (
        "botcoach_review_queue",
        "Knowledge changes waiting for review",
        "SELECT COUNT(*) FROM knowledge_points WHERE status = 'in_review'",
    ),
];

pub fn telemetry() -> &'static Telemetry {
    static T: OnceLock<Telemetry> = OnceLock::new();
    T.get_or_init(|| {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("botcoach_http_requests_total", "HTTP requests by route and status"),
            &["method", "route", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new("botcoach_http_request_seconds", "HTTP request latency by route"),
            &["method", "route"],
        )
        .expect("valid metric");
        let embed = Histogram::with_opts(
            HistogramOpts::new("botcoach_embed_seconds", "Time of one call to the embedding model")
                .buckets(vec![0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0]),
        )
        .expect("valid metric");
        let batch_texts = Histogram::with_opts(
            HistogramOpts::new("botcoach_batch_texts", "Texts in one forward pass of the ask queue")
                .buckets(vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0]),
        )
        .expect("valid metric");
        let batch_tokens = Histogram::with_opts(
            HistogramOpts::new("botcoach_batch_tokens", "Tokens in one forward pass of the ask queue")
                .buckets(vec![16.0, 64.0, 256.0, 512.0, 1024.0, 2048.0, 4096.0, 8192.0]),
        )
        .expect("valid metric");
        let queue_wait = Histogram::with_opts(
            HistogramOpts::new(
                "botcoach_queue_wait_seconds",
                "Time a text waited in the ask queue for its batch",
            )
            .buckets(vec![0.0005, 0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0]),
        )
        .expect("valid metric");
        let refused = prometheus::IntCounter::new(
            "botcoach_queue_refused_total",
            "Texts refused because the ask queue was full (503 for asks)",
        )
        .expect("valid metric");
        let mut gauges = vec![
            (
                IntGauge::new("botcoach_matcher_points", "Published knowledge points the matcher serves"),
                Gauge::MatcherPoints,
            ),
            (
                IntGauge::new("botcoach_matcher_texts", "Questions and phrasings in the matcher's index"),
                Gauge::MatcherTexts,
            ),
            (
                IntGauge::new("botcoach_knowledge_revision", "Knowledge feed revision the matcher serves"),
                Gauge::KnowledgeRevision,
            ),
            (IntGauge::new("botcoach_queue_depth", "Texts waiting in the ask queue"), Gauge::AskQueue),
            (
                IntGauge::new(
                    "botcoach_journal_waiting",
                    "Logged asks and miss reports waiting for a commit",
                ),
                Gauge::Journal,
            ),
        ];
        for (name, help, sql) in QUEUES {
            gauges.push((IntGauge::new(name, help), Gauge::Sql(sql)));
        }
        let gauges: Vec<(IntGauge, Gauge)> =
            gauges.into_iter().map(|(g, what)| (g.expect("valid metric"), what)).collect();
        registry.register(Box::new(requests.clone())).expect("registered once");
        registry.register(Box::new(latency.clone())).expect("registered once");
        registry.register(Box::new(embed.clone())).expect("registered once");
        for h in [&batch_texts, &batch_tokens, &queue_wait] {
            registry.register(Box::new(h.clone())).expect("registered once");
        }
        registry.register(Box::new(refused.clone())).expect("registered once");
        for (g, _) in &gauges {
            registry.register(Box::new(g.clone())).expect("registered once");
        }
        Telemetry {
            registry,
            requests,
            latency,
            embed,
            batch_texts,
            batch_tokens,
            queue_wait,
            refused,
            gauges,
        }
    })
}

/// The ask queue's reports, into the histograms above.
struct QueueRecorder;

impl model::matching::queue::BatchRecorder for QueueRecorder {
    fn batch(&self, texts: usize, tokens: usize) {
        telemetry().batch_texts.observe(texts as f64);
        telemetry().batch_tokens.observe(tokens as f64);
    }

    fn waited(&self, wait: std::time::Duration) {
        telemetry().queue_wait.observe(wait.as_secs_f64());
    }

    fn refused(&self) {
        telemetry().refused.inc();
    }
}

/// Sends the ask queue's batch sizes and waits to `/metrics`.
pub fn record_batches() {
    model::matching::queue::set_recorder(Box::new(QueueRecorder));
}

/// Counts and times every routed request under its route pattern (not its path: ids would
/// make one series per knowledge point).
pub async fn track(matched: Option<MatchedPath>, request: Request, next: Next) -> Response {
    let route = matched.map(|m| m.as_str().to_string()).unwrap_or_else(|| "other".into());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let t = telemetry();
    t.latency.with_label_values(&[&method, &route]).observe(started.elapsed().as_secs_f64());
    t.requests.with_label_values(&[&method, &route, response.status().as_str()]).inc();
    response
}

pub async fn metrics(State(services): State<Services>) -> Result<Response, ApiError> {
    let t = telemetry();
    let stats = services.matcher.stats();
    let backend = services.db.get_database_backend();
    for (gauge, what) in &t.gauges {
        let value = match what {
            Gauge::MatcherPoints => stats.points as i64,
            Gauge::MatcherTexts => stats.texts as i64,
            Gauge::KnowledgeRevision => stats.revision,
            Gauge::AskQueue => services.matcher.queue_depth() as i64,
            Gauge::Journal => services.matcher.journal().waiting() as i64,
            Gauge::Sql(sql) => {
                let row = services
                    .db
                    .query_one_raw(Statement::from_string(backend, sql.to_string()))
                    .await
                    .map_err(|e| ApiError::storage(StorageError::Db(e)))?;
                row.and_then(|r| r.try_get_by_index::<i64>(0).ok()).unwrap_or(0)
            }
        };
        gauge.set(value);
    }
    let mut body = Vec::new();
    TextEncoder::new().encode(&t.registry.gather(), &mut body).map_err(|e| {
        ApiError::storage(StorageError::Db(sea_orm::DbErr::Custom(format!("encoding metrics: {e}"))))
    })?;
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response())
}

/// The embedding model with each call timed into `botcoach_embed_seconds`.
pub struct TimedEmbedder(pub Arc<dyn Embedder>);

impl Embedder for TimedEmbedder {
    fn info(&self) -> &ModelInfo {
        self.0.info()
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let _timer = telemetry().embed.start_timer();
        self.0.embed(texts)
    }

    fn tokens(&self, text: &str) -> usize {
        self.0.tokens(text)
    }
}
