//! Server functions of the test set pages: the same services as `/api/v1/testsets` and its
//! routes.

use crate::errors::AppError;
#[cfg(feature = "ssr")]
use crate::server::{actor, fail, refuse, services};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use model::views::{RunReport, TestSetDetail, TestSetImported, TestSetSummary};

/// Every set with its latest run (the sets that fill themselves take their new cases first).
#[server(endpoint = "test_sets", input = Json)]
pub async fn test_sets() -> Result<Vec<TestSetSummary>, AppError> {
    let s = services()?;
    model::testsets::fill::fill(&s, None).await.map_err(fail)?;
    model::testsets::list(&s.db).await.map_err(fail)
}

#[server(endpoint = "test_set", input = Json)]
pub async fn test_set(id: i32) -> Result<TestSetDetail, AppError> {
    model::testsets::detail(&services()?.db, id).await.map_err(fail)
}

/// Imports a file (CSV, JSON or an Excel workbook, told by its name or its bytes) as set `name`.
#[server(endpoint = "import_test_set", input = Json)]
pub async fn import_test_set(
    name: String,
    file_name: String,
    bytes: Vec<u8>,
) -> Result<TestSetImported, AppError> {
    use model::testsets::transfer::SetFormat;
    let format = SetFormat::from_name(&file_name).unwrap_or_else(|| SetFormat::sniff(&bytes));
    if bytes.is_empty() {
        return Err(refuse(model::views::Problem::Empty { field: model::views::Field::Question }));
    }
    model::testsets::import(&services()?, &actor()?, &name, format, &bytes).await.map_err(fail)
}

/// Starts a run; the page follows it with [`test_run`].
#[server(endpoint = "run_test_set", input = Json)]
pub async fn run_test_set(id: i32) -> Result<i32, AppError> {
    services()?.start_test_run(&actor()?, id).await.map_err(fail)
}

#[server(endpoint = "test_run", input = Json)]
pub async fn test_run(run_id: i32) -> Result<RunReport, AppError> {
    model::testsets::run::report(&services()?.db, run_id).await.map_err(fail)
}

#[server(endpoint = "remove_test_case", input = Json)]
pub async fn remove_test_case(set_id: i32, case_id: i32) -> Result<(), AppError> {
    model::testsets::remove(&services()?, &actor()?, set_id, case_id).await.map_err(fail)
}
