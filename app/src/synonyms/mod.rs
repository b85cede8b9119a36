//! `/synonyms` (trainer+), under Knowledge: the dictionary of canonical terms and the variants
//! customers write for them, its pending changes (a reviewer publishes them), CSV import and
//! export, and suggestions from open misses and from trainers' own phrasings.

mod api;
mod page;

pub use api::*;
pub use page::SynonymsPage;
