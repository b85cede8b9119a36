//! Tables of the knowledge base (see migration `m20261122_000003_create_knowledge`).

pub mod category {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "categories")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub parent_id: Option<i32>,
        pub name: String,
        pub template: Option<crate::views::Template>,
        pub created_at: ChronoDateTimeUtc,
        pub updated_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod point {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "knowledge_points")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub category_id: i32,
        pub question: String,
        pub status: crate::views::PointStatus,
        pub head_revision_id: Option<i32>,
        pub published_revision_id: Option<i32>,
        pub version: i32,
        pub feed_revision: Option<i64>,
        /// The published revision's window, and its state as last announced in the feed
        /// (migration `m20261203_000014_channels_and_validity`).
        pub valid_from: Option<ChronoDateTimeUtc>,
        pub valid_until: Option<ChronoDateTimeUtc>,
        pub validity: crate::views::Validity,
        pub created_by: String,
        pub created_at: ChronoDateTimeUtc,
        pub updated_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod revision {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "knowledge_revisions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub knowledge_id: i32,
        pub number: i32,
        pub category_id: i32,
        pub question: String,
        pub answer: String,
        /// A JSON array of strings.
        pub phrasings: String,
        pub template_slot: Option<String>,
        pub state: crate::views::RevisionState,
        pub author: String,
        pub created_at: ChronoDateTimeUtc,
        pub note: Option<String>,
        pub reviewed_by: Option<String>,
        pub reviewed_at: Option<ChronoDateTimeUtc>,
        pub review_comment: Option<String>,
        /// A JSON object of channel → answer.
        pub answers: String,
        pub valid_from: Option<ChronoDateTimeUtc>,
        pub valid_until: Option<ChronoDateTimeUtc>,
        /// A JSON array of point ids.
        pub related: String,
        /// A JSON array of texts (migration `m20261203_000015_counter_examples`).
        pub counter_examples: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
