//! Inputs whose body as a whole sits at an edge: a JSON `null`, an array, a number, a string or
//! `true` where the contract wants an object, no body where one is required, and no body where
//! one is optional. A strategy of field values never draws these, yet a server that decodes
//! the body into a record before validating it trips on exactly them (a 500, or a decoder's
//! `invalid type: null, expected struct` instead of the API's message).
//!
//! The property checks send each once per operation with a JSON body, before their random
//! cases: the invalid ones in `invalid-inputs-rejected`, the absent optional body in
//! `valid-inputs-accepted`. The query beside the body is drawn like any other.

use proptest::strategy::{BoxedStrategy, Strategy};
use serde_json::{Value, json};

use super::strategies::{self, Mutated};
use crate::contract::{Operation, Spec};

/// The whole bodies that are not a JSON object, with how a report names them.
fn not_objects() -> [(Value, &'static str); 5] {
    [
        (Value::Null, "a JSON null as the whole body"),
        (json!([]), "an array as the whole body"),
        (json!(12345), "a number as the whole body"),
        (json!("nc-not-an-object"), "a string as the whole body"),
        (json!(true), "`true` as the whole body"),
    ]
}

/// Inputs of `operation` whose whole body is not what the contract allows: each value of
/// [`not_objects`], and no body at all when the body is required. Empty without a JSON body.
pub fn invalid_bodies(spec: &Spec, operation: &Operation) -> Vec<BoxedStrategy<Mutated>> {
    let Some(body) = &operation.request_body else {
        return Vec::new();
    };
    let base = strategies::valid_input(spec, operation);
    let mut bodies: Vec<(Option<Value>, &'static str)> = Vec::new();
    if body.required {
        bodies.push((None, "no body, which is required"));
    }
    bodies.extend(
        not_objects()
            .into_iter()
            .map(|(value, description)| (Some(value), description)),
    );
    bodies
        .into_iter()
        .map(|(value, description)| {
            base.clone()
                .prop_map(move |mut input| {
                    set_body(&mut input, value.clone());
                    (input, description.to_owned())
                })
                .boxed()
        })
        .collect()
}

/// Inputs of `operation` without their body when the body is optional (Novu reads a missing
/// body as `{}`); empty otherwise.
pub fn absent_optional_body(spec: &Spec, operation: &Operation) -> Vec<BoxedStrategy<Mutated>> {
    if operation
        .request_body
        .as_ref()
        .is_none_or(|body| body.required)
    {
        return Vec::new();
    }
    vec![
        strategies::valid_input(spec, operation)
            .prop_map(|mut input| {
                set_body(&mut input, None);
                (input, "no body, which is optional".to_owned())
            })
            .boxed(),
    ]
}

/// Puts `body` in `input`, or takes the body out for `None`.
fn set_body(input: &mut Value, body: Option<Value>) {
    let Some(object) = input.as_object_mut() else {
        return;
    };
    match body {
        Some(body) => {
            object.insert("body".into(), body);
        }
        None => {
            object.remove("body");
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::strategy::ValueTree;

    use super::*;
    use crate::contract::SchemaSet;
    use crate::values::strategies::{input_schema, runner};

    fn drawn(strategies: Vec<BoxedStrategy<Mutated>>) -> Vec<Mutated> {
        let mut runner = runner(7, "whole-body", 1);
        strategies
            .into_iter()
            .map(|strategy| strategy.new_tree(&mut runner).unwrap().current())
            .collect()
    }

    #[test]
    fn a_required_body_gets_every_edge_and_its_absence() {
        let spec = Spec::embedded().unwrap();
        let operation = spec.operation("topics_create").unwrap();
        let inputs = drawn(invalid_bodies(&spec, operation));
        let bodies: Vec<Option<&Value>> =
            inputs.iter().map(|(input, _)| input.get("body")).collect();
        assert_eq!(
            bodies,
            [
                None,
                Some(&Value::Null),
                Some(&json!([])),
                Some(&json!(12345)),
                Some(&json!("nc-not-an-object")),
                Some(&json!(true)),
            ]
        );
        assert!(absent_optional_body(&spec, operation).is_empty());
    }

    #[test]
    fn every_invalid_body_breaks_the_input_schema_and_an_absent_optional_one_does_not() {
        let spec = Spec::embedded().unwrap();
        let schemas = SchemaSet::new(&spec).unwrap();
        for operation in spec
            .operations
            .iter()
            .filter(|op| op.request_body.is_some())
        {
            let schema = input_schema(operation);
            for (input, description) in drawn(invalid_bodies(&spec, operation)) {
                assert!(
                    schemas.check(&schema, &input).is_err(),
                    "{} {description}",
                    operation.operation_id
                );
            }
            for (input, description) in drawn(absent_optional_body(&spec, operation)) {
                assert!(
                    schemas.check(&schema, &input).is_ok(),
                    "{} {description}",
                    operation.operation_id
                );
            }
        }
        let tenants_update = spec.operation("tenants_update").unwrap();
        assert_eq!(absent_optional_body(&spec, tenants_update).len(), 1);
    }
}
