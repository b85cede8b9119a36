//! Schemas for the HTTP API's OpenAPI document (server/src/api/openapi.rs) where the type sent
//! is not shaped the way the contract documents it. Each stands in for a real field through
//! `#[schema(value_type = ..., inline)]`; the real types are what goes over the wire.

// Described, never built.
#![allow(dead_code)]

use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

use super::{Expect, RunSummary};

/// Answer variants by ask channel, where they differ from the default; the hotline's is plain
/// text.
// A `ChannelAnswers` map as the contract names its keys (the derive would give a map).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelAnswersSchema {
    #[schema(required = false)]
    bot: String,
    #[schema(required = false)]
    online: String,
    #[schema(required = false)]
    hotline: String,
}

/// `healthy`, `cold` (no ask answered with it in 90 days, for a point older than that), `new`
/// (younger, and not asked yet) or `needs_work` with `weaknesses`: each `{reason:
/// low_helpful_rate, rate, rated}` or `{reason: many_handoffs, rate, answered}`
// `Verdict` as one object (the derive would give a oneOf of its four tagged variants).
#[derive(ToSchema)]
pub struct VerdictSchema {
    #[schema(inline)]
    verdict: VerdictWord,
    #[schema(inline, required = false)]
    weaknesses: Vec<WeaknessSchema>,
}

#[derive(ToSchema)]
pub enum VerdictWord {
    #[serde(rename = "healthy")]
    Healthy,
    #[serde(rename = "cold")]
    Cold,
    #[serde(rename = "new")]
    New,
    #[serde(rename = "needs_work")]
    NeedsWork,
}

// `Weakness` as one object (the derive would give a oneOf of its two tagged variants).
#[derive(ToSchema)]
pub struct WeaknessSchema {
    #[schema(inline)]
    reason: WeaknessReason,
    rate: f64,
    #[schema(required = false)]
    rated: i64,
    #[schema(required = false)]
    answered: i64,
}

#[derive(ToSchema)]
pub enum WeaknessReason {
    #[serde(rename = "low_helpful_rate")]
    LowHelpfulRate,
    #[serde(rename = "many_handoffs")]
    ManyHandoffs,
}

/// Why a candidate was not promoted.
// The refusals the contract lists: `Refusal::BreaksTestCases` is not among them.
#[derive(ToSchema)]
pub enum RefusalSchema {
    #[serde(rename = "no_better_top1")]
    NoBetterTop1,
    #[serde(rename = "less_answered")]
    LessAnswered,
    #[serde(rename = "less_precise")]
    LessPrecise,
    #[serde(rename = "too_little_data")]
    TooLittleData,
}

// A suggestion's `evidence` as the contract has it: its kind only (the derive would give a oneOf
// of the tagged variants with their fields).
#[derive(ToSchema)]
pub struct EvidenceSchema {
    #[schema(inline)]
    kind: EvidenceKind,
}

#[derive(ToSchema)]
pub enum EvidenceKind {
    #[serde(rename = "unknown_word")]
    UnknownWord,
    #[serde(rename = "linked_variant")]
    LinkedVariant,
}

/// A new case's `expect`: an [`Expect`], or a point id as a JSON number (which `Expect`'s
/// deserializer also takes).
pub struct ExpectOrId;

impl PartialSchema for ExpectOrId {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(Ref::from_schema_name(<Expect as ToSchema>::name()))
            .item(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1)))
            .into()
    }
}

impl ToSchema for ExpectOrId {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((<Expect as ToSchema>::name().into(), <Expect as PartialSchema>::schema()));
    }
}

/// A run's figures as a run report carries them (flattened into it): the contract requires
/// only `run_id`, `state`, `total` and `passed` there.
pub struct RunReportHead;

impl PartialSchema for RunReportHead {
    fn schema() -> RefOr<Schema> {
        let mut schema = <RunSummary as PartialSchema>::schema();
        if let RefOr::T(Schema::Object(object)) = &mut schema {
            object.required.retain(|field| ["run_id", "state", "total", "passed"].contains(&field.as_str()));
        }
        schema
    }
}

impl ToSchema for RunReportHead {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        <RunSummary as ToSchema>::schemas(schemas);
    }
}
