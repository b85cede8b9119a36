//! What an import did, line by line.

use serde::{Deserialize, Serialize};

use super::errors::Problem;

// Contract as documented: nothing required, and counts without a minimum (`value_type`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    #[cfg_attr(feature = "openapi", schema(value_type = i64, required = false))]
    pub created: usize,
    #[cfg_attr(feature = "openapi", schema(value_type = i64, required = false))]
    pub updated: usize,
    #[cfg_attr(feature = "openapi", schema(value_type = i64, required = false))]
    pub unchanged: usize,
    #[cfg_attr(feature = "openapi", schema(inline, required = false))]
    pub errors: Vec<LineError>,
    /// The points an import with publishing put live (for closing the misses they answer).
    #[serde(skip)]
    pub published: Vec<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineError {
    #[cfg_attr(feature = "openapi", schema(value_type = i64, required = false))]
    pub line: usize,
    /// English, as the HTTP API says it.
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub message: String,
    // Contract as documented: not in it.
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub problem: Problem,
}

impl LineError {
    pub fn new(line: usize, problem: Problem) -> Self {
        LineError { line, message: problem.to_string(), problem }
    }
}
