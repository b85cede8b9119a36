//! The log of every ask (except dry runs): question, outcome, knowledge point, scores, channel,
//! time — what the dashboard counts and what feedback refers to.

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "asks")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        #[sea_orm(unique)]
        pub ask_id: String,
        pub question: String,
        pub channel: crate::views::Channel,
        pub session_id: Option<String>,
        pub outcome: crate::views::Outcome,
        pub knowledge_id: Option<i32>,
        pub score: Option<f32>,
        /// JSON array of the ranked candidates.
        pub candidates: String,
        pub helpful: Option<bool>,
        pub handoff: Option<bool>,
        pub chosen_knowledge_id: Option<i32>,
        /// The best-ranked point whatever the outcome: the part of the business the ask was about.
        pub top_knowledge_id: Option<i32>,
        pub miss_recorded: bool,
        pub created_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
