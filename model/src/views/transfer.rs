//! What an import did, line by line.

use serde::{Deserialize, Serialize};

use super::errors::Problem;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub errors: Vec<LineError>,
    /// The points an import with publishing put live (for closing the misses they answer).
    #[serde(skip)]
    pub published: Vec<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineError {
    pub line: usize,
    /// English, as the HTTP API says it.
    pub message: String,
    pub problem: Problem,
}

impl LineError {
    pub fn new(line: usize, problem: Problem) -> Self {
        LineError { line, message: problem.to_string(), problem }
    }
}
