//! What the services take and return, as plain serde types, by domain. This module is built for
//! the browser too (without the `backend` feature), so the UI shows exactly what services
//! produce.

#[macro_use]
mod states;

pub mod accounts;
pub mod embedding;
pub mod errors;
pub mod health;
pub mod home;
pub mod inbox;
pub mod knowledge;
pub mod learning;
pub mod matching;
pub mod metrics;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod privacy;
pub mod publishing;
pub mod synonyms;
pub mod testsets;
pub mod transfer;

pub use accounts::*;
pub use embedding::*;
pub use errors::*;
pub use health::*;
pub use home::*;
pub use inbox::*;
pub use knowledge::*;
pub use learning::*;
pub use matching::*;
pub use metrics::*;
pub use privacy::*;
pub use publishing::*;
pub use states::UnknownState;
pub use synonyms::*;
pub use testsets::*;
pub use transfer::*;
