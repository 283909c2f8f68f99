//! The lint of properties (`xtask::codegen::properties`): the null convention of request
//! bodies, `x-validation` rules and Rust field names, each shown to catch its mistake and to
//! pass a document that follows it.

use serde_json::{Value, json};
use xtask::codegen::properties::check;

/// A document whose one operation posts a `Body`; `Answer` is reached by no request.
fn document(body: Value, answer: Value) -> Value {
    json!({
        "openapi": "3.0.3",
        "paths": {"/v1/things/{thingId}": {"post": {
            "operationId": "things_create",
            "parameters": [{"name": "thingId", "in": "path", "required": true,
                            "schema": {"type": "string"}}],
            "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Body"}}}}
        }}},
        "components": {"schemas": {"Body": body, "Answer": answer}}
    })
}

fn messages(raw: &Value) -> Vec<String> {
    let mut found: Vec<String> = check(raw)
        .into_iter()
        .map(|problem| format!("{}: {}", problem.pointer, problem.message))
        .collect();
    found.sort();
    found
}

#[test]
fn a_nullable_request_property_says_what_its_null_does() {
    let body = |description: &str| {
        json!({"type": "object", "properties": {
            "email": {"type": "string", "nullable": true, "description": description}
        }})
    };
    let quiet = messages(&document(body("An address."), json!({})));
    assert_eq!(quiet.len(), 1, "{quiet:?}");
    assert!(
        quiet[0].starts_with("/components/schemas/Body/properties/email: `email` is `nullable`"),
        "{quiet:?}"
    );
    assert!(messages(&document(body("`null` clears the address."), json!({}))).is_empty());
}

#[test]
fn a_required_nullable_request_property_says_why() {
    let body = json!({"type": "object", "required": ["parent"], "properties": {
        "parent": {"type": "string", "nullable": true}
    }});
    let found = messages(&document(body, json!({})));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("is required and `nullable`"), "{found:?}");
}

#[test]
fn a_property_that_is_not_nullable_claims_no_meaning_for_null() {
    let body = json!({"type": "object", "properties": {
        "phone": {"type": "string", "description": "`null` clears the number."}
    }});
    let found = messages(&document(body, json!({})));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("is not `nullable`, so the server reads a `null` there as absent"),
        "{found:?}"
    );
}

#[test]
fn schemas_no_request_reaches_are_left_to_the_server() {
    let answer = json!({"type": "object", "properties": {
        "deletedAt": {"type": "string", "nullable": true}
    }});
    assert!(messages(&document(json!({"type": "object"}), answer)).is_empty());
}

#[test]
fn validation_rules_name_real_properties_and_known_rules() {
    let body = json!({
        "type": "object",
        "required": ["identifier"],
        "properties": {
            "identifier": {"type": "string"},
            "tenantId": {"type": "string", "pattern": "^[0-9a-fA-F]{24}$"},
            "name": {"type": "string"}
        },
        "x-validation": {
            "identifier": {"presence": "not-empty"},
            "tenantId": {"commandName": "_tenantId"},
            "name": {"presence": "defined-only", "label": "x"},
            "missing": {"presence": "defined"}
        }
    });
    assert_eq!(
        messages(&document(body, json!({}))),
        [
            "/components/schemas/Body/x-validation/missing: `missing` is not a property of this schema: name one of its properties",
            "/components/schemas/Body/x-validation/name/label: unknown rule `label`: the rules are presence and commandName",
            "/components/schemas/Body/x-validation/name/presence: `presence` is for a required property: list it in `required` or drop the rule",
        ]
    );
}

#[test]
fn a_parameter_carries_its_own_rules() {
    let with_rules = |rules: Value| {
        let mut raw = document(json!({"type": "object"}), json!({}));
        raw.pointer_mut("/paths/~1v1~1things~1{thingId}/post/parameters/0")
            .expect("the fixture's parameter")["x-validation"] = rules;
        raw
    };
    assert!(messages(&with_rules(json!({"commandName": "_thingId"}))).is_empty());
    let raw = with_rules(json!({"commandName": "not a name"}));
    assert_eq!(
        messages(&raw),
        [
            "/paths/~1v1~1things~1{thingId}/post/parameters/0/x-validation/commandName: `commandName` must be the command's field name, such as `_tenantId`"
        ]
    );
}

#[test]
fn two_properties_never_become_one_rust_field() {
    let answer =
        |id: Value| json!({"type": "object", "properties": {"_id": {"type": "string"}, "id": id}});
    assert_eq!(
        messages(&document(json!({}), answer(json!({"type": "string"})))),
        [
            "/components/schemas/Answer/properties: properties `_id` and `id` all become the Rust field `id`: give one of them `x-rust-name: <field>`"
        ]
    );
    let renamed = answer(json!({"type": "string", "x-rust-name": "virtual_id"}));
    assert!(messages(&document(json!({}), renamed)).is_empty());
    let badly_named = answer(json!({"type": "string", "x-rust-name": "VirtualId"}));
    assert_eq!(
        messages(&document(json!({}), badly_named)),
        [
            "/components/schemas/Answer/properties/id/x-rust-name: `x-rust-name` must be a snake_case Rust field name"
        ]
    );
}

#[test]
fn the_project_spec_follows_the_conventions() {
    let root = xtask::codegen::workspace_root();
    let spec = xtask::spec::load(&root.join("spec/novu.yaml")).expect("the project spec loads");
    assert_eq!(messages(&spec.raw), Vec::<String>::new());
}
