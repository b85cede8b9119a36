//! `/health` (trainer+), under Knowledge: how each published point performs for customers (the
//! sortable health list with its verdicts and the asks behind each figure) and where points
//! compete (the conflict report, with merge, move a phrasing, and "not a conflict").

mod api;
mod conflicts;
mod list;

pub use api::*;
pub use conflicts::ConflictsPanel;
pub use list::HealthPage;
