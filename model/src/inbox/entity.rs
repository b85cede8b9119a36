//! Tables of the inbox (see migration `m20261122_000006_create_inbox`).

pub mod cluster {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "clusters")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        /// `open`, `resolved` (linked or created), `dismissed`, or `merged` (emptied by a
        /// regrouping; kept so old links say what happened).
        pub status: crate::views::GroupStatus,
        pub label: String,
        /// JSON array of strings.
        pub key_terms: String,
        pub action: Option<crate::views::Action>,
        pub knowledge_id: Option<i32>,
        pub reason: Option<String>,
        pub resolved_by: Option<String>,
        pub resolved_at: Option<ChronoDateTimeUtc>,
        /// The trainer working on it, until `claimed_until`; others see it and cannot decide.
        pub claimed_by: Option<String>,
        pub claimed_until: Option<ChronoDateTimeUtc>,
        pub created_at: ChronoDateTimeUtc,
        pub updated_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Every inbox decision with what it changed, so that it can be undone until published.
pub mod decision {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "decisions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub cluster_id: i64,
        /// `link`, `create` or `dismiss`.
        pub action: crate::views::Action,
        pub knowledge_id: Option<i32>,
        /// JSON array of the decided miss ids.
        pub miss_ids: String,
        /// The decision closed the whole group (not only some of its questions).
        pub whole_group: bool,
        /// The knowledge point did not exist before this decision.
        pub created_point: bool,
        /// The point's head revision before a link (its content is restored on undo)...
        pub revision_before: Option<i32>,
        /// ...and the revision the decision wrote (undo is refused once it is not the head).
        pub revision_after: Option<i32>,
        pub actor: String,
        pub created_at: ChronoDateTimeUtc,
        pub undone_at: Option<ChronoDateTimeUtc>,
        /// The first decision of the bulk action that wrote this one: listed and undone together.
        pub batch_id: Option<i64>,
        /// The group's label when decided (decisions before this column: none).
        pub label: Option<String>,
        /// A dismissal's reason.
        pub reason: Option<String>,
        /// "Wrong point": the point the questions became counter-examples of, and its head
        /// before and after (migration `m20261203_000015_counter_examples`).
        pub counter_knowledge_id: Option<i32>,
        pub counter_revision_before: Option<i32>,
        pub counter_revision_after: Option<i32>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod lock {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "locks")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub name: String,
        pub holder: String,
        pub expires_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
