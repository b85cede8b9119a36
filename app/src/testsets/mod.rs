//! `/testsets` and `/testsets/:id` (trainer+), under Knowledge: test sets — questions with what
//! the bot must do with each, written, imported (CSV, JSON, Excel) or filled by the product
//! from what customers confirmed — their runs, and what changed since the run before.

mod api;
mod page;

pub use api::*;
pub use page::{set_name, TestSetPage, TestSetsPage};
