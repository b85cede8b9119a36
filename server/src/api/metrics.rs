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

use super::error::{ApiError, ErrorResponse};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SummaryQuery {
    /// The period: this many UTC days up to today
    #[serde(default = "week")]
    #[param(minimum = 1, maximum = 366, default = 7)]
    days: u32,
    // Contract as documented: one of the channels (the handler takes any text).
    #[param(value_type = Option<model::views::Channel>, inline)]
    channel: Option<String>,
}

fn week() -> u32 {
    7
}

#[utoipa::path(
    get,
    path = "/api/v1/metrics/summary",
    tag = "metrics",
    summary = "The dashboard's figures for a period",
    description = "Needs role supervisor+. Asks, answered, clarified, missed and coverage (channel-filtered), the inbox's backlog and its age, loop yield (in total, per day and per knowledge point), trainer throughput, the median hours from a first miss to the published answer, coverage by business category, knowledge counts, and a per-day series.",
    params(SummaryQuery),
    responses(
        (status = 200, description = "The figures", body = model::views::MetricsSummary),
        (status = 400, response = ErrorResponse),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
        (status = 422, response = ErrorResponse),
    ),
    security(("bearer" = []))
)]
pub async fn summary(
    State(services): State<Services>,
    query: Result<Query<SummaryQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query?;
    let period = Period { days: q.days, channel: q.channel };
    Ok(Json(metrics::summary(&services.db, &period).await?).into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AsksQuery {
    /// The period: this many UTC days up to today
    #[serde(default = "week")]
    #[param(minimum = 1, maximum = 366, default = 7)]
    days: u32,
    // Contract as documented: one of the channels, one of the outcomes, a date (the handler
    // takes any text).
    #[param(value_type = Option<model::views::Channel>, inline)]
    channel: Option<String>,
    #[param(value_type = Option<model::views::Outcome>, inline)]
    outcome: Option<String>,
    /// A business category id, or `none` for asks no knowledge point came near.
    category: Option<String>,
    #[param(format = Date)]
    day: Option<String>,
    // Contract as documented: no minimum.
    #[serde(default = "hundred")]
    #[param(value_type = i64, maximum = 500, default = 100)]
    limit: u64,
}

fn hundred() -> u64 {
    100
}

#[utoipa::path(
    get,
    path = "/api/v1/metrics/asks",
    tag = "metrics",
    summary = "The asks behind a figure, newest first",
    description = "Needs role supervisor+.",
    params(AsksQuery),
    responses(
        (status = 200, description = "Asks", body = inline(Vec<model::views::AskRow>)),
        (status = 400, response = ErrorResponse),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
        (status = 422, response = ErrorResponse),
    ),
    security(("bearer" = []))
)]
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

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// The period: this many UTC days up to today
    #[serde(default = "week")]
    #[param(minimum = 1, maximum = 366, default = 7)]
    days: u32,
    #[serde(default = "markdown")]
    #[param(value_type = ReportFormat, inline, default = "md")]
    format: String,
    #[serde(default = "english")]
    #[param(value_type = ReportLang, inline, default = "en")]
    lang: String,
    // Contract as documented: no minimum (the handler clamps to 1..=200).
    #[serde(default = "twenty")]
    #[param(value_type = i64, maximum = 200, default = 20)]
    limit: usize,
}

/// The words `format=` takes (`report::Format` parses them).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
enum ReportFormat {
    #[serde(rename = "md")]
    Md,
    #[serde(rename = "csv")]
    Csv,
}

/// The words `lang=` takes (`report::Lang` parses them).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
enum ReportLang {
    #[serde(rename = "en")]
    En,
    #[serde(rename = "zh")]
    Zh,
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
#[utoipa::path(
    get,
    path = "/api/v1/report",
    tag = "metrics",
    summary = "Voice-of-customer report: the period's top topics the bot could not answer",
    description = "Needs role supervisor+. Inbox groups by their reports in the period (and the period before), with example questions and their share of traffic, as a Markdown or CSV file.",
    params(ReportQuery),
    responses(
        (status = 200, description = "The report", content(
            (String = "text/markdown"),
            (String = "text/csv")
        )),
        (status = 400, response = ErrorResponse),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
        (status = 422, response = ErrorResponse),
    ),
    security(("bearer" = []))
)]
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
