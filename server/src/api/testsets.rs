//! Test sets over HTTP: `POST /api/v1/testsets` (a set and its cases) → `{"id"}`,
//! `GET /api/v1/testsets` (every set with its latest run), `GET /api/v1/testsets/{id}` (cases and
//! runs), `POST /api/v1/testsets/{id}/run?wait=true` (run it; without `wait` the run goes on in
//! the background and `GET /api/v1/testsets/runs/{run_id}` follows it),
//! `DELETE /api/v1/testsets/{id}/cases/{case_id}`, `GET /api/v1/testsets/{id}/export?format=`
//! and `POST /api/v1/testsets/import?name=&format=` (CSV, JSON or an Excel workbook).

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use model::accounts::Principal;
use model::testsets::{self, transfer::SetFormat};
use model::views::{NewTestSet, Problem, Thing};
use model::Services;
use serde::Deserialize;

use super::error::{ApiError, BusyResponse, ErrorResponse};
use super::json::ApiJson;

/// Test sets' bodies: 20,000 cases of up to 500 characters.
pub const BODY_BYTES: usize = 32 * 1024 * 1024;

fn id_of(thing: Thing, raw: &str) -> Result<i32, Problem> {
    raw.parse().ok().filter(|id| *id > 0).ok_or_else(|| Problem::NotAnId { thing, value: raw.to_string() })
}

/// `{"id": "..."}`, the set created (201).
// For the OpenAPI document only: the handler writes the body with `json!`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct Created {
    id: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/testsets",
    tag = "testsets",
    summary = "Create a test set",
    description = "Needs role trainer+. Each case: a question, a channel (default bot) and what must happen: answered with a point (its id) or `unanswered`. A question repeated on one channel is kept once. Nothing is created when a case is refused.",
    request_body = NewTestSet,
    responses(
        (status = 201, description = "Created", body = inline(Created)),
        (status = 400, response = ErrorResponse),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
        (status = 404, response = ErrorResponse),
        (status = 409, response = ErrorResponse),
        (status = 413, response = ErrorResponse),
        (status = 415, response = ErrorResponse),
        (status = 422, response = ErrorResponse),
    ),
    security(("bearer" = []))
)]
pub async fn create(
    State(services): State<Services>,
    Extension(principal): Extension<Principal>,
    ApiJson(new): ApiJson<NewTestSet>,
) -> Result<Response, ApiError> {
    let id = testsets::create(&services, &principal.actor, &new).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id.to_string() }))).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/testsets",
    tag = "testsets",
    summary = "Every test set with its latest run",
    description = "Needs role trainer+. The sets that fill themselves (confirmed, chosen, out_of_scope) take their new cases first.",
    responses(
        (status = 200, description = "The sets", body = Vec<model::views::TestSetSummary>),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
    ),
    security(("bearer" = []))
)]
pub async fn list(State(services): State<Services>) -> Result<Response, ApiError> {
    testsets::fill::fill(&services, None).await?;
    Ok(Json(testsets::list(&services.db).await?).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/testsets/{id}",
    tag = "testsets",
    summary = "A test set's cases (flagged first) and runs (newest first)",
    description = "Needs role trainer+.",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The set", body = model::views::TestSetDetail),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
        (status = 404, response = ErrorResponse),
        (status = 422, response = ErrorResponse),
    ),
    security(("bearer" = []))
)]
pub async fn detail(State(services): State<Services>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let id = id_of(Thing::TestSet, &id)?;
    Ok(Json(testsets::detail(&services.db, id).await?).into_response())
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RunQuery {
    #[serde(default)]
    #[param(default = false)]
    wait: bool,
}

#[utoipa::path(
    post,
    path = "/api/v1/testsets/{id}/run",
    tag = "testsets",
    summary = "Run a test set",
    description = "Needs role trainer+. Every case is asked as a dry-run /ask would (through the ask queue, nothing logged) and compared with the set's previous run. With `wait=true` the answer is the whole report; otherwise 202 with the run as it starts (follow it at /api/v1/testsets/runs/{run_id}).",
    params(("id" = String, Path), RunQuery),
    responses(
        (status = 200, description = "The run's report", body = model::views::RunReport),
        (status = 202, description = "The run, started", body = model::views::RunReport),
        (status = 400, response = ErrorResponse),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
        (status = 404, response = ErrorResponse),
        (status = 409, response = ErrorResponse),
        (status = 422, response = ErrorResponse),
        (status = 503, response = BusyResponse),
    ),
    security(("bearer" = []))
)]
pub async fn run(
    State(services): State<Services>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    query: Result<Query<RunQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query?;
    let id = id_of(Thing::TestSet, &id)?;
    if q.wait {
        let report = services.run_test_set(&principal.actor, id).await?;
        return Ok(Json(report).into_response());
    }
    let run_id = services.start_test_run(&principal.actor, id).await?;
    let report = testsets::run::report(&services.db, run_id).await?;
    Ok((StatusCode::ACCEPTED, Json(report)).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/testsets/runs/{id}",
    tag = "testsets",
    summary = "A test run: its progress, or its results",
    description = "Needs role trainer+.",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The run", body = model::views::RunReport),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
        (status = 404, response = ErrorResponse),
        (status = 422, response = ErrorResponse),
    ),
    security(("bearer" = []))
)]
pub async fn run_report(
    State(services): State<Services>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = id_of(Thing::TestRun, &id)?;
    Ok(Json(testsets::run::report(&services.db, id).await?).into_response())
}

#[utoipa::path(
    delete,
    path = "/api/v1/testsets/{id}/cases/{case_id}",
    tag = "testsets",
    summary = "Remove a test case",
    description = "Needs role trainer+. A set that fills itself does not take the question again.",
    params(("id" = String, Path), ("case_id" = String, Path)),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
        (status = 404, response = ErrorResponse),
        (status = 422, response = ErrorResponse),
    ),
    security(("bearer" = []))
)]
pub async fn remove_case(
    State(services): State<Services>,
    Extension(principal): Extension<Principal>,
    Path((id, case_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (id, case_id) = (id_of(Thing::TestSet, &id)?, id_of(Thing::TestCase, &case_id)?);
    testsets::remove(&services, &principal.actor, id, case_id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormatQuery {
    /// csv, json or xlsx; for an import, read from the file itself when left out.
    format: Option<String>,
    /// The set an import creates or replaces.
    name: Option<String>,
}

/// The words `format=` takes (`SetFormat::from_name` reads them).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
enum FormatWord {
    #[serde(rename = "csv")]
    Csv,
    #[serde(rename = "json")]
    Json,
    #[serde(rename = "xlsx")]
    Xlsx,
}

/// An export's query as the contract documents it (`FormatQuery` serves both routes).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct ExportQuery {
    #[param(inline, default = "csv")]
    format: Option<FormatWord>,
}

/// An import's query as the contract documents it: `name` required.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct ImportQuery {
    /// Read from the file itself when left out
    #[param(inline)]
    format: Option<FormatWord>,
    name: String,
}

/// A file's bytes (an import's body, an export's workbook).
// For the OpenAPI document only: the handlers read and write the bytes.
#[derive(utoipa::ToSchema)]
#[schema(format = Binary)]
#[allow(dead_code)]
struct Binary(String);

fn format_of(raw: Option<&str>) -> Result<Option<SetFormat>, Problem> {
    raw.map(|f| {
        SetFormat::from_name(&format!(".{f}")).ok_or_else(|| Problem::Unknown {
            what: "format".into(),
            value: f.to_string(),
            expected: "csv, json, xlsx".into(),
        })
    })
    .transpose()
}

#[utoipa::path(
    get,
    path = "/api/v1/testsets/{id}/export",
    tag = "testsets",
    summary = "Export a test set",
    description = "Needs role trainer+. CSV (with a byte-order mark, for Excel), JSON or an Excel workbook.",
    params(("id" = String, Path), ExportQuery),
    responses(
        (status = 200, description = "The file", content(
            (String = "text/csv"),
            (Vec<serde_json::Value> = "application/json"),
            (inline(Binary) = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        )),
        (status = 400, response = ErrorResponse),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
        (status = 404, response = ErrorResponse),
        (status = 422, response = ErrorResponse),
    ),
    security(("bearer" = []))
)]
pub async fn export(
    State(services): State<Services>,
    Path(id): Path<String>,
    query: Result<Query<FormatQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query?;
    let id = id_of(Thing::TestSet, &id)?;
    let format = format_of(q.format.as_deref())?.unwrap_or(SetFormat::Csv);
    let bytes = testsets::export(&services.db, id, format).await?;
    let disposition = format!("attachment; filename=\"testset-{id}.{}\"", format.extension());
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/testsets/import",
    tag = "testsets",
    summary = "Import a test set from CSV, JSON or an Excel workbook",
    description = "Needs role trainer+. Columns question,channel,expect (or 问题,渠道,预期); JSON: an array of cases. A manual set of that name has its cases replaced. All or nothing: a refusal names the line.",
    params(ImportQuery),
    request_body(content(
        (inline(Binary) = "application/octet-stream"),
        (String = "text/csv")
    )),
    responses(
        (status = 201, description = "Imported", body = inline(model::views::TestSetImported)),
        (status = 400, response = ErrorResponse),
        (status = 401, response = ErrorResponse),
        (status = 403, response = ErrorResponse),
        (status = 404, response = ErrorResponse),
        (status = 409, response = ErrorResponse),
        (status = 413, response = ErrorResponse),
        (status = 422, response = ErrorResponse),
    ),
    security(("bearer" = []))
)]
pub async fn import(
    State(services): State<Services>,
    Extension(principal): Extension<Principal>,
    query: Result<Query<FormatQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query?;
    let body = body?;
    let name = q.name.unwrap_or_default();
    let format = format_of(q.format.as_deref())?.unwrap_or_else(|| SetFormat::sniff(&body));
    let imported = testsets::import(&services, &principal.actor, &name, format, &body).await?;
    Ok((StatusCode::CREATED, Json(imported)).into_response())
}
