//! Server functions of the knowledge pages. Each checks nothing itself beyond who is acting:
//! the server's access rules guard the endpoint, the services guard the roles and the data.

use crate::errors::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use model::views::{
    CategoryNode, Content, Discarded, HistoryEntry, ImportDuplicate, ImportReport, ModulePage, PersonalData,
    PointDetail, PointSummary, PublishReport, Regression, ReviewItem, TrainerDesk, TryReport,
};
use serde::{Deserialize, Serialize};

/// A change waiting for review, with its regression check: the questions whose answer
/// publishing it would change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checked {
    pub item: ReviewItem,
    pub regressions: Vec<Regression>,
    /// Test cases whose result publishing would change (newly failing first).
    pub test_regressions: Vec<model::views::TestRegression>,
}

#[cfg(feature = "ssr")]
use crate::server::{actor, fail, refuse, services};
#[cfg(feature = "ssr")]
use model::knowledge::{categories, points, queries, transfer};

#[cfg(feature = "ssr")]
fn parse_template(t: Option<String>) -> Result<Option<model::views::Template>, AppError> {
    match t.as_deref().filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => t.parse().map(Some).map_err(|e: model::views::UnknownState| refuse(e.into())),
    }
}

/// Pasted knowledge, CSV or JSON, whichever it looks like.
#[cfg(feature = "ssr")]
fn parse_import(text: &str) -> Result<transfer::Parsed, AppError> {
    let body = text.as_bytes();
    transfer::parse(transfer::Format::sniff(body), body).map_err(fail)
}

#[server(endpoint = "category_tree", input = Json)]
pub async fn category_tree() -> Result<Vec<CategoryNode>, AppError> {
    categories::tree(&services()?.db).await.map_err(fail)
}

/// Creates a category (`id: None`) or renames, moves and sets the template of one.
#[server(endpoint = "save_category", input = Json)]
pub async fn save_category(
    id: Option<i32>,
    parent_id: Option<i32>,
    name: String,
    template: Option<String>,
) -> Result<CategoryNode, AppError> {
    let (db, actor, t) = (services()?.db, actor()?, parse_template(template)?);
    match id {
        None => categories::create(&db, &actor, parent_id, &name, t).await,
        Some(id) => categories::update(&db, &actor, id, Some(&name), Some(parent_id), Some(t)).await,
    }
    .map_err(fail)
}

#[server(endpoint = "list_knowledge", input = Json)]
pub async fn list_knowledge(
    category_id: Option<i32>,
    text: String,
    status: Option<String>,
    validity: Option<String>,
) -> Result<Vec<PointSummary>, AppError> {
    let filter = queries::Filter {
        category_id,
        text: Some(text).filter(|t| !t.trim().is_empty()),
        status: status.as_deref().and_then(|s| s.parse::<model::views::PointStatus>().ok()),
        validity: validity.as_deref().and_then(|s| s.parse::<model::views::Validity>().ok()),
        include_archived: false,
    };
    queries::list(&services()?.db, &filter).await.map_err(fail)
}

#[server(endpoint = "knowledge_detail", input = Json)]
pub async fn knowledge_detail(id: i32) -> Result<PointDetail, AppError> {
    queries::detail(&services()?.db, id).await.map_err(fail)
}

/// What in the point's text looks like a customer's personal data (the editor's warning).
#[server(endpoint = "find_personal_data", input = Json)]
pub async fn find_personal_data(content: Content) -> Result<Vec<PersonalData>, AppError> {
    Ok(model::privacy::personal_data_in(&services()?.matcher.masker(), &content))
}

/// An answer's Markdown as HTML safe to show (cleaned on the server: the browser build carries
/// no sanitiser).
#[server(endpoint = "render_answer", input = Json)]
pub async fn render_answer(text: String) -> Result<String, AppError> {
    Ok(model::knowledge::markdown::to_html(&text))
}

#[server(endpoint = "knowledge_history", input = Json)]
pub async fn knowledge_history(id: i32) -> Result<Vec<HistoryEntry>, AppError> {
    queries::history(&services()?.db, id).await.map_err(fail)
}

/// Creates (`id: None`) or saves a draft; `version` is the one the editor loaded.
#[server(endpoint = "save_knowledge", input = Json)]
pub async fn save_knowledge(
    id: Option<i32>,
    version: i32,
    content: Content,
) -> Result<PointDetail, AppError> {
    let (db, actor) = (services()?.db, actor()?);
    match id {
        None => points::create(&db, &actor, content).await,
        Some(id) => points::save(&db, &actor, id, version, content).await,
    }
    .map_err(fail)
}

#[server(endpoint = "submit_knowledge", input = Json)]
pub async fn submit_knowledge(id: i32, version: i32) -> Result<PointDetail, AppError> {
    points::submit(&services()?.db, &actor()?, id, version).await.map_err(fail)
}

#[server(endpoint = "restore_knowledge", input = Json)]
pub async fn restore_knowledge(id: i32, version: i32, number: i32) -> Result<PointDetail, AppError> {
    points::restore(&services()?.db, &actor()?, id, version, number).await.map_err(fail)
}

#[server(endpoint = "archive_knowledge", input = Json)]
pub async fn archive_knowledge(id: i32, version: i32) -> Result<PointDetail, AppError> {
    let services = services()?;
    let detail = points::archive(&services.db, &actor()?, id, version).await.map_err(fail)?;
    services.knowledge_changed().await;
    Ok(detail)
}

#[server(endpoint = "module_page", input = Json)]
pub async fn knowledge_module(category_id: i32) -> Result<ModulePage, AppError> {
    queries::module_page(&services()?.db, category_id).await.map_err(fail)
}

/// Imports pasted JSON or CSV (the format is recognised from the text).
#[server(endpoint = "import_knowledge", input = Json)]
pub async fn import_knowledge(text: String, publish: bool) -> Result<ImportReport, AppError> {
    let parsed = parse_import(&text)?;
    let services = services()?;
    let report = transfer::import(&services.db, &actor()?, parsed, publish).await.map_err(fail)?;
    if publish {
        services.knowledge_changed().await;
        model::publishing::close_answered(&services, &report.published).await.map_err(fail)?;
    }
    Ok(report)
}

/// The rows of an import that would create a point the bot already answers; nothing is written.
#[server(endpoint = "check_import", input = Json)]
pub async fn check_import(text: String) -> Result<Vec<ImportDuplicate>, AppError> {
    let (rows, _) = parse_import(&text)?;
    let services = services()?;
    model::health::duplicates::in_import(&services.db, &services.matcher, &rows).await.map_err(fail)
}

#[server(endpoint = "review_queue", input = Json)]
pub async fn review_queue() -> Result<Vec<Checked>, AppError> {
    let services = services()?;
    let items = queries::review_queue(&services.db).await.map_err(fail)?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let check = model::publishing::check(&services, item.point.id).await.map_err(fail)?;
        out.push(Checked { item, regressions: check.regressions, test_regressions: check.test_regressions });
    }
    Ok(out)
}

/// Approves and publishes, or rejects with a comment.
#[server(endpoint = "review_knowledge", input = Json)]
pub async fn review_knowledge(
    id: i32,
    version: i32,
    approve: bool,
    comment: String,
) -> Result<PointDetail, AppError> {
    let (services, actor) = (services()?, actor()?);
    if approve {
        let detail = points::approve(&services.db, &actor, id, version).await.map_err(fail)?;
        services.knowledge_changed().await;
        Ok(detail)
    } else {
        points::reject(&services.db, &actor, id, version, &comment).await.map_err(fail)
    }
}

/// Publishes the point's draft (`force`: despite answers that change), closing the misses it
/// answers.
#[server(endpoint = "publish_knowledge", input = Json)]
pub async fn publish_knowledge(id: i32, version: i32, force: bool) -> Result<PublishReport, AppError> {
    let (services, actor) = (services()?, actor()?);
    model::publishing::publish(&services, &actor, id, Some(version), force).await.map_err(fail)
}

/// Throws away point `id`'s draft: it is its published revision again (returned).
#[server(endpoint = "discard_draft", input = Json)]
pub async fn discard_draft(id: i32, version: i32) -> Result<(Discarded, PointDetail), AppError> {
    let services = services()?;
    let discarded = services.inbox.discard_draft(&actor()?, id, version).await.map_err(fail)?;
    Ok((discarded, queries::detail(&services.db, id).await.map_err(fail)?))
}

/// "Try it": the draft answering before review (nothing recorded).
#[server(endpoint = "try_draft", input = Json)]
pub async fn try_draft(
    id: Option<i32>,
    content: Content,
    questions: Vec<String>,
) -> Result<TryReport, AppError> {
    model::publishing::try_draft(&services()?, &actor()?, id, &content, &questions).await.map_err(fail)
}

/// The signed-in trainer's drafts and what their published points closed this week.
#[server(endpoint = "my_desk", input = Json)]
pub async fn my_desk() -> Result<TrainerDesk, AppError> {
    queries::trainer_desk(&services()?.db, &actor()?.name).await.map_err(fail)
}

/// The changes waiting for review, oldest first, without their regression checks (the home
/// page lists them; the review page checks each).
#[server(endpoint = "review_waiting", input = Json)]
pub async fn review_waiting() -> Result<Vec<ReviewItem>, AppError> {
    queries::review_queue(&services()?.db).await.map_err(fail)
}
