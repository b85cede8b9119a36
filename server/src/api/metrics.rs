//! The supervisor's figures over HTTP: `GET /api/v1/metrics/summary`, the asks behind a figure
//! (`GET /api/v1/metrics/asks`) and the voice-of-customer report (`GET /api/v1/report`).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use model::metrics::{self, report, AskFilter, Period};
use model::Services;
use serde::Deserialize;

use super::error::ApiError;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryQuery {
    #[serde(default = "week")]
    days: u32,
    channel: Option<String>,
}

fn week() -> u32 {
    7
}

pub async fn summary(
    State(services): State<Services>,
    query: Result<Query<SummaryQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query?;
    let period = Period { days: q.days, channel: q.channel };
    Ok(Json(metrics::summary(&services.db, &period).await?).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AsksQuery {
    #[serde(default = "week")]
    days: u32,
    channel: Option<String>,
    outcome: Option<String>,
    /// A business category id, or `none` for asks no knowledge point came near.
    category: Option<String>,
    day: Option<String>,
    #[serde(default = "hundred")]
    limit: u64,
}

fn hundred() -> u64 {
    100
}

pub async fn asks(
    State(services): State<Services>,
    query: Result<Query<AsksQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query?;
    let category = match q.category.as_deref() {
        None => None,
        Some("none") => Some(None),
        Some(id) => Some(Some(
            id.parse().map_err(|_| ApiError::bad_request("category must be a category id or `none`"))?,
        )),
    };
    let filter = AskFilter {
        period: Period { days: q.days, channel: q.channel },
        outcome: q.outcome,
        category,
        day: q.day,
        point: None,
        limit: q.limit,
    };
    Ok(Json(metrics::asks(&services.db, &filter).await?).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    #[serde(default = "week")]
    days: u32,
    #[serde(default = "markdown")]
    format: String,
    #[serde(default = "english")]
    lang: String,
    #[serde(default = "twenty")]
    limit: usize,
}

fn markdown() -> String {
    "md".into()
}

fn english() -> String {
    "en".into()
}

fn twenty() -> usize {
    20
}

/// The report as a file to download: Markdown or CSV, in English or Chinese.
pub async fn voc_report(
    State(services): State<Services>,
    query: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query?;
    let format: report::Format = q.format.parse()?;
    let lang: report::Lang = q.lang.parse()?;
    let found = report::topics(&services.db, q.days, q.limit.clamp(1, 200)).await?;
    let text = report::render(&found, format, lang)?;
    let (mime, ext) = match format {
        report::Format::Markdown => ("text/markdown; charset=utf-8", "md"),
        report::Format::Csv => ("text/csv; charset=utf-8", "csv"),
    };
    let name = format!("attachment; filename=\"botcoach-report-{}d.{ext}\"", q.days);
    Ok(([(header::CONTENT_TYPE, mime.to_string()), (header::CONTENT_DISPOSITION, name)], text)
        .into_response())
}
