//! Knowledge health: how each published point performs for customers, read from the ask log —
//! asks it answered, clarifications that offered it and how often it was chosen, 👎 and
//! handoffs after its answers. (Conflicts between points and the health list come next.)

pub mod stats;

pub use stats::point_stats;
