//! Server functions of the knowledge health page: the same figures and actions as
//! `GET /api/v1/knowledge/health`, `GET /api/v1/knowledge/conflicts`, its dismiss, merge and
//! move routes, and `GET /api/v1/knowledge/duplicates`.

use crate::errors::AppError;
#[cfg(feature = "ssr")]
use crate::server::{actor, fail, refuse, services};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use model::views::{AskRow, ConflictReport, HealthList, NearDuplicate};

/// A page of the health list; `sort`, `filter` and `figure` are their API words.
#[server(endpoint = "knowledge_health", input = Json)]
pub async fn knowledge_health(
    days: u32,
    sort: String,
    descending: bool,
    filter: String,
    page: u32,
) -> Result<HealthList, AppError> {
    let query = model::health::HealthQuery {
        days,
        sort: sort.parse().map_err(|e: model::views::UnknownState| refuse(e.into()))?,
        descending,
        filter: filter.parse().map_err(|e: model::views::UnknownState| refuse(e.into()))?,
        page,
    };
    model::health::health_list(&services()?.db, &query, chrono::Utc::now()).await.map_err(fail)
}

/// The asks behind one figure of a point over the period, newest first.
#[server(endpoint = "point_asks", input = Json)]
pub async fn point_asks(id: i32, figure: String, days: u32) -> Result<Vec<AskRow>, AppError> {
    let figure = figure.parse().map_err(|e: model::views::UnknownState| refuse(e.into()))?;
    let filter = model::metrics::AskFilter {
        period: model::metrics::Period { days, channel: None },
        point: Some((id, figure)),
        limit: 100,
        ..Default::default()
    };
    model::metrics::asks(&services()?.db, &filter).await.map_err(fail)
}

#[server(endpoint = "knowledge_conflicts", input = Json)]
pub async fn knowledge_conflicts(recompute: bool, point: Option<i32>) -> Result<ConflictReport, AppError> {
    let s = services()?;
    s.conflicts.report(&s.db, &s.matcher, recompute, point, chrono::Utc::now()).await.map_err(fail)
}

#[server(endpoint = "dismiss_conflict", input = Json)]
pub async fn dismiss_conflict(first: i32, second: i32) -> Result<(), AppError> {
    model::health::conflicts::dismiss(&services()?.db, &actor()?, first, second).await.map_err(fail)
}

#[server(endpoint = "merge_points", input = Json)]
pub async fn merge_points(keep: i32, absorb: i32) -> Result<(), AppError> {
    let s = services()?;
    model::knowledge::merge::merge(&s.db, &actor()?, keep, absorb).await.map_err(fail)?;
    s.knowledge_changed().await;
    Ok(())
}

#[server(endpoint = "move_phrasing", input = Json)]
pub async fn move_phrasing(from: i32, to: i32, text: String) -> Result<(), AppError> {
    let s = services()?;
    model::knowledge::merge::move_phrasing(&s.db, &actor()?, from, to, &text).await.map_err(fail)?;
    s.knowledge_changed().await;
    Ok(())
}

/// Published points the question would be answered with; `except`: the point being edited.
#[server(endpoint = "near_duplicates", input = Json)]
pub async fn near_duplicates(question: String, except: Option<i32>) -> Result<Vec<NearDuplicate>, AppError> {
    let s = services()?;
    model::health::near_duplicates(&s.matcher, &question, except).await.map_err(fail)
}
