//! Server functions of the dashboard: the same figures as `GET /api/v1/metrics/summary`,
//! `GET /api/v1/metrics/asks` and `GET /api/v1/report`.

use crate::errors::AppError;
#[cfg(feature = "ssr")]
use crate::server::{fail, refuse, services};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use model::views::{AskRow, MetricsSummary, VocReport};

#[server(endpoint = "dashboard_summary", input = Json)]
pub async fn dashboard_summary(days: u32, channel: String) -> Result<MetricsSummary, AppError> {
    let period = model::metrics::Period { days, channel: Some(channel).filter(|c| !c.is_empty()) };
    model::metrics::summary(&services()?.db, &period).await.map_err(fail)
}

/// The asks behind a figure; `category` is a category id, `none`, or empty for all.
#[server(endpoint = "dashboard_asks", input = Json)]
pub async fn dashboard_asks(
    days: u32,
    channel: String,
    outcome: String,
    category: String,
    day: String,
) -> Result<Vec<AskRow>, AppError> {
    let some = |s: String| Some(s).filter(|s| !s.is_empty());
    let category = match category.as_str() {
        "" => None,
        "none" => Some(None),
        id => Some(Some(id.parse::<i32>().map_err(|_| {
            refuse(model::views::Problem::NotAnId {
                thing: model::views::Thing::Category,
                value: id.to_string(),
            })
        })?)),
    };
    let filter = model::metrics::AskFilter {
        period: model::metrics::Period { days, channel: some(channel) },
        outcome: some(outcome),
        category,
        day: some(day),
        point: None,
        limit: 200,
    };
    model::metrics::asks(&services()?.db, &filter).await.map_err(fail)
}

#[server(endpoint = "voc_topics", input = Json)]
pub async fn voc_topics(days: u32) -> Result<VocReport, AppError> {
    model::metrics::report::topics(&services()?.db, days, 10).await.map_err(fail)
}

/// Every test set that has been run, with its latest run.
#[server(endpoint = "test_set_runs", input = Json)]
pub async fn test_set_runs() -> Result<Vec<model::views::TestSetSummary>, AppError> {
    let sets = model::testsets::list(&services()?.db).await.map_err(fail)?;
    Ok(sets.into_iter().filter(|s| s.last_run.is_some()).collect())
}
