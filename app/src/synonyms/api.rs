//! Server functions of the synonyms page: the same services as `/api/v1/synonyms` and its
//! routes.

use crate::errors::AppError;
#[cfg(feature = "ssr")]
use crate::server::{actor, fail, services};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use model::views::{ImportReport, SynonymItem, SynonymProposal, SynonymSuggestion, SynonymsPublished};

#[server(endpoint = "synonyms_list", input = Json)]
pub async fn synonyms_list() -> Result<Vec<SynonymItem>, AppError> {
    model::synonyms::list(&services()?.db).await.map_err(fail)
}

#[server(endpoint = "propose_synonym", input = Json)]
pub async fn propose_synonym(proposal: SynonymProposal) -> Result<SynonymItem, AppError> {
    model::synonyms::propose(&services()?.db, &actor()?, proposal).await.map_err(fail)
}

#[server(endpoint = "discard_synonym", input = Json)]
pub async fn discard_synonym(id: i32) -> Result<(), AppError> {
    model::synonyms::discard(&services()?.db, &actor()?, id).await.map_err(fail)
}

/// Publishes every pending change; the model moves to the new dictionary in the background.
#[server(endpoint = "publish_synonyms", input = Json)]
pub async fn publish_synonyms() -> Result<SynonymsPublished, AppError> {
    let s = services()?;
    let done = model::synonyms::publish(&s.db, &actor()?, &[]).await.map_err(fail)?;
    s.follow_synonyms_soon();
    Ok(done)
}

#[server(endpoint = "import_synonyms", input = Json)]
pub async fn import_synonyms(csv: String) -> Result<ImportReport, AppError> {
    model::synonyms::transfer::import_csv(&services()?.db, &actor()?, &csv).await.map_err(fail)
}

#[server(endpoint = "synonym_suggestions", input = Json)]
pub async fn synonym_suggestions(about: String) -> Result<Vec<SynonymSuggestion>, AppError> {
    model::synonyms::suggestions::suggest(&services()?.db, 20, Some(about.as_str())).await.map_err(fail)
}
