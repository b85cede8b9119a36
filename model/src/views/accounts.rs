//! Who acts: roles and actors.

use serde::{Deserialize, Serialize};

states! {
    /// Ordered: each role may do what the ones before it may.
    pub enum Role("role") {
        Bot = "bot",
        Trainer = "trainer",
        Reviewer = "reviewer",
        Supervisor = "supervisor",
        Admin = "admin",
    }
}

impl Role {
    /// Whether this role may do what `needed` may: roles are ordered.
    pub fn includes(self, needed: Role) -> bool {
        self >= needed
    }
}

/// Who is acting: a signed-in user or an API token, with its role. Every change is audited
/// under this name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub name: String,
    pub role: Role,
}

impl Actor {
    pub fn new(name: impl Into<String>, role: Role) -> Self {
        Self { name: name.into(), role }
    }
}
