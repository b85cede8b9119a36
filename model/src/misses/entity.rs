//! Tables of misses (see migration `m20261122_000005_create_matching`).

pub mod miss {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "misses")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub question: String,
        #[sea_orm(unique)]
        pub normalized: String,
        pub count: i32,
        pub status: crate::views::MissStatus,
        pub first_seen_at: ChronoDateTimeUtc,
        pub last_seen_at: ChronoDateTimeUtc,
        /// The inbox group it belongs to; none until the assigner has placed it.
        pub cluster_id: Option<i64>,
        /// The knowledge point a trainer linked it to or created from it, or that closed it.
        pub knowledge_id: Option<i32>,
        /// When published knowledge answered it (status `closed`).
        pub closed_at: Option<ChronoDateTimeUtc>,
        /// When a trainer decided on it (linked, created, dismissed).
        pub decided_at: Option<ChronoDateTimeUtc>,
        /// Set once, from the question (migration `m20261203_000017_miss_language`).
        pub language: crate::views::Language,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod event {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "miss_events")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub miss_id: i64,
        pub signal: crate::views::Signal,
        pub channel: String,
        pub session_id: Option<String>,
        pub ask_id: Option<String>,
        pub reason: Option<String>,
        pub occurred_at: ChronoDateTimeUtc,
        pub received_at: ChronoDateTimeUtc,
        /// What the human agent replied after a handoff, as the bot reported it (masked).
        pub agent_answer: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
