//! Knowledge health: how each published point performs for customers, read from the ask log
//! (its figures, and the health list with its verdicts), and where points compete for the same
//! questions (the conflict report).

pub mod conflicts;
pub mod crossings;
pub mod duplicates;
pub mod list;
pub mod stats;

pub use conflicts::Conflicts;
pub use duplicates::near_duplicates;
pub use list::{health_list, HealthQuery};
pub use stats::point_stats;
