//! The API contract as an OpenAPI 3.1 document, derived with utoipa from the handlers'
//! `#[utoipa::path]` attributes and the types they take and send (`model/openapi` derives the
//! domain types' schemas). Served at `GET /api/v1/openapi.json`.

use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::schema::{AdditionalProperties, ArrayItems, KnownFormat, Schema, SchemaFormat};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, InfoBuilder, RefOr, Response};
use utoipa::{IntoParams, Modify, OpenApi};

use super::error::{BusyResponse, ErrorBody, ErrorResponse};
use super::{bot, health, inbox, knowledge, learning, metrics, privacy, synonyms, testsets};

#[derive(OpenApi)]
#[openapi(
    paths(
        super::openapi,
        bot::ask,
        bot::feedback,
        bot::report_misses,
        knowledge::changes,
        knowledge::import,
        knowledge::check_import,
        knowledge::publish,
        knowledge::stats,
        inbox::list,
        inbox::rebuild,
        inbox::resolve,
        inbox::undo,
        health::list,
        health::conflicts,
        health::dismiss,
        health::merge,
        health::move_phrasing,
        health::duplicates,
        metrics::summary,
        metrics::asks,
        metrics::voc_report,
        privacy::export,
        privacy::erase,
        learning::overview,
        learning::train,
        learning::use_version,
        synonyms::list,
        synonyms::propose,
        synonyms::discard,
        synonyms::publish,
        synonyms::export,
        synonyms::import,
        synonyms::suggestions,
        testsets::list,
        testsets::create,
        testsets::import,
        testsets::run_report,
        testsets::detail,
        testsets::run,
        testsets::export,
        testsets::remove_case,
    ),
    components(schemas(ErrorBody), responses(ErrorResponse, BusyResponse)),
    modifiers(&Contract)
)]
pub struct ApiDoc;

/// What the derives do not say: the document's info, the bearer scheme, the shared
/// `Idempotency-Key` parameter, numbers without their Rust widths, and no operation ids.
struct Contract;

impl Modify for Contract {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        openapi.info = InfoBuilder::new()
            .title("botcoach API")
            .version("1")
            .description(Some(
                "Bots ask, report misses and pull knowledge; scripts import knowledge. Errors are \
                 {\"error\": {\"code\", \"message\"}}.",
            ))
            .build();

        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A token from `botcoach token create NAME --role R`."))
                    .build(),
            ),
        );
        // utoipa's components have no `parameters` (operations carry the header inline): the
        // shared definition is kept for clients that read it.
        let idempotency_key = bot::IdempotencyKey::into_params(|| None).remove(0);
        components
            .extensions
            .get_or_insert_with(Extensions::default)
            .insert("parameters".to_string(), serde_json::json!({ "IdempotencyKey": idempotency_key }));

        // The contract promises integers and numbers, not the widths of the Rust types behind
        // them: a field moving from i32 to i64 must not change it.
        for schema in components.schemas.values_mut() {
            plain_numbers(schema);
        }
        for response in components.responses.values_mut() {
            if let RefOr::T(response) = response {
                response_numbers(response);
            }
        }
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.options,
                &mut item.head,
                &mut item.patch,
                &mut item.trace,
            ];
            for operation in operations.into_iter().flatten() {
                // Handler names repeat across modules (`list`, `export`, `import`): no operation
                // ids, as the contract never had them, rather than duplicates.
                operation.operation_id = None;
                for parameter in operation.parameters.iter_mut().flatten() {
                    if let Some(schema) = &mut parameter.schema {
                        plain_numbers(schema);
                    }
                }
                if let Some(body) = &mut operation.request_body {
                    body.content.values_mut().for_each(content_numbers);
                }
                for response in operation.responses.responses.values_mut() {
                    if let RefOr::T(response) = response {
                        response_numbers(response);
                    }
                }
            }
        }
    }
}

fn response_numbers(response: &mut Response) {
    response.content.values_mut().for_each(content_numbers);
    for header in response.headers.values_mut() {
        plain_numbers(&mut header.schema);
    }
}

fn content_numbers(content: &mut Content) {
    if let Some(schema) = &mut content.schema {
        plain_numbers(schema);
    }
}

/// Drops the `int32`, `int64`, `float` and `double` formats utoipa gives Rust's number types,
/// everywhere in `schema`.
fn plain_numbers(schema: &mut RefOr<Schema>) {
    let RefOr::T(schema) = schema else { return };
    match schema {
        Schema::Object(object) => {
            if matches!(
                object.format,
                Some(SchemaFormat::KnownFormat(
                    KnownFormat::Int32 | KnownFormat::Int64 | KnownFormat::Float | KnownFormat::Double
                ))
            ) {
                object.format = None;
            }
            object.properties.values_mut().for_each(plain_numbers);
            if let Some(additional) = object.additional_properties.as_deref_mut() {
                if let AdditionalProperties::RefOr(additional) = additional {
                    plain_numbers(additional);
                }
            }
        }
        Schema::Array(array) => {
            if let ArrayItems::RefOrSchema(items) = &mut array.items {
                plain_numbers(items);
            }
        }
        Schema::OneOf(one_of) => one_of.items.iter_mut().for_each(plain_numbers),
        Schema::AllOf(all_of) => all_of.items.iter_mut().for_each(plain_numbers),
        Schema::AnyOf(any_of) => any_of.items.iter_mut().for_each(plain_numbers),
        _ => {}
    }
}
