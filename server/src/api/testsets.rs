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

use super::error::ApiError;
use super::json::ApiJson;

/// Test sets' bodies: 20,000 cases of up to 500 characters.
pub const BODY_BYTES: usize = 32 * 1024 * 1024;

fn id_of(thing: Thing, raw: &str) -> Result<i32, Problem> {
    raw.parse().ok().filter(|id| *id > 0).ok_or_else(|| Problem::NotAnId { thing, value: raw.to_string() })
}

pub async fn create(
    State(services): State<Services>,
    Extension(principal): Extension<Principal>,
    ApiJson(new): ApiJson<NewTestSet>,
) -> Result<Response, ApiError> {
    let id = testsets::create(&services, &principal.actor, &new).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id.to_string() }))).into_response())
}

pub async fn list(State(services): State<Services>) -> Result<Response, ApiError> {
    testsets::fill::fill(&services, None).await?;
    Ok(Json(testsets::list(&services.db).await?).into_response())
}

pub async fn detail(State(services): State<Services>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let id = id_of(Thing::TestSet, &id)?;
    Ok(Json(testsets::detail(&services.db, id).await?).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunQuery {
    #[serde(default)]
    wait: bool,
}

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

pub async fn run_report(
    State(services): State<Services>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = id_of(Thing::TestRun, &id)?;
    Ok(Json(testsets::run::report(&services.db, id).await?).into_response())
}

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
