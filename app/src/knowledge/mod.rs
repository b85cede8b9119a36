//! The knowledge pages: browse the tree and search, edit a point, a module's page, review.

pub mod api;
mod browse;
mod editor;
mod module;
mod review;
mod try_it;
pub(crate) mod widgets;

pub use browse::KnowledgePage;
pub use editor::EditorPage;
pub use module::ModuleView;
pub use review::ReviewPage;
pub use try_it::Tried;
