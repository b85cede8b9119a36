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
        pub status: String,
        pub label: String,
        /// JSON array of strings.
        pub key_terms: String,
        pub action: Option<String>,
        pub knowledge_id: Option<i32>,
        pub reason: Option<String>,
        pub resolved_by: Option<String>,
        pub resolved_at: Option<ChronoDateTimeUtc>,
        pub created_at: ChronoDateTimeUtc,
        pub updated_at: ChronoDateTimeUtc,
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
