//! The strategies' own tests: drawn values validate, or fail to, as they should.

use std::sync::LazyLock;

use proptest::strategy::ValueTree;

use super::*;
use crate::contract::SchemaSet;

static SPEC: LazyLock<Spec> = LazyLock::new(|| Spec::embedded().unwrap());
static SCHEMAS: LazyLock<SchemaSet> = LazyLock::new(|| SchemaSet::new(&SPEC).unwrap());

fn component(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// Every component schema, deterministically: a few valid values that validate and a few
/// one-violation values that do not.
#[test]
fn every_component_schema_yields_valid_and_invalid_values() {
    let mut failures = Vec::new();
    for name in SPEC.component_schemas().keys() {
        let reference = component(name);
        let mut runner = runner(7, name, 8);
        let valid_values = valid(&SPEC, &reference);
        let invalid_values = invalid(&SPEC, &reference);
        for _ in 0..8 {
            let value = valid_values.new_tree(&mut runner).unwrap().current();
            if let Err(problem) = SCHEMAS.check(&reference, &value) {
                failures.push(format!("{name}: valid {value} fails: {problem}"));
            }
            let (value, what) = invalid_values.new_tree(&mut runner).unwrap().current();
            if what != "no keyword to break" && SCHEMAS.check(&reference, &value).is_ok() {
                failures.push(format!("{name}: invalid ({what}) {value} validates"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn any_component() -> impl Strategy<Value = Value> {
    let names: Vec<String> = SPEC.component_schemas().keys().cloned().collect();
    proptest::sample::select(names).prop_map(|name| component(&name))
}

proptest! {
    #![proptest_config(Config::with_cases(64))]

    #[test]
    fn valid_values_validate(
        (reference, value) in any_component()
            .prop_flat_map(|reference| (Just(reference.clone()), valid(&SPEC, &reference)))
    ) {
        let verdict = SCHEMAS.check(&reference, &value);
        prop_assert!(verdict.is_ok(), "{} {}: {:?}", reference, value, verdict);
    }

    #[test]
    fn invalid_values_do_not_validate(
        (reference, (value, what)) in any_component()
            .prop_flat_map(|reference| (Just(reference.clone()), invalid(&SPEC, &reference)))
    ) {
        prop_assume!(what != "no keyword to break");
        prop_assert!(SCHEMAS.check(&reference, &value).is_err(), "{} ({}) {}", reference, what, value);
    }

    #[test]
    fn invalid_inputs_do_not_validate(
        (operation, (value, what)) in proptest::sample::select(
            SPEC.operations.iter().filter(|operation| operation.has_inputs()).cloned().collect::<Vec<_>>()
        ).prop_flat_map(|operation| (Just(operation.clone()), invalid_input(&SPEC, &operation)))
    ) {
        prop_assume!(what != "no keyword to break");
        let schema = input_schema(&operation);
        prop_assert!(SCHEMAS.check(&schema, &value).is_err(), "{} ({}) {}", operation.operation_id, what, value);
    }
}

/// Keywords inside array items and inside the alternatives of a `oneOf` are broken too.
#[test]
fn mutations_reach_into_array_items_and_alternatives() {
    let reference = component("StepFilter");
    let strategy = invalid(&SPEC, &reference);
    let mut runner = runner(5, "StepFilter", 1);
    let descriptions: Vec<String> = (0..600)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .map(|(value, what)| {
            assert!(
                SCHEMAS.check(&reference, &value).is_err(),
                "{what}: {value}"
            );
            what
        })
        .collect();
    let seen = |needle: &str| descriptions.iter().any(|what| what.contains(needle));
    assert!(seen("at /children/0/"), "{descriptions:#?}");
    assert!(
        seen("which no alternative admits at /children/0"),
        "{descriptions:#?}"
    );
    assert!(
        seen("outside the enum at /children/0/operator"),
        "{descriptions:#?}"
    );
}

#[test]
fn the_same_seed_draws_the_same_values() {
    let draw = |seed| {
        let mut runner = runner(seed, "subscribers_create", 4);
        let operation = SPEC.operation("subscribers_create").unwrap();
        let strategy = valid_input(&SPEC, operation);
        (0..4)
            .map(|_| strategy.new_tree(&mut runner).unwrap().current())
            .collect::<Vec<_>>()
    };
    assert_eq!(draw(3), draw(3));
    assert_ne!(draw(3), draw(4));
}

/// Every operation's inputs at each edge are valid, so that they are sent rather than skipped.
#[test]
fn edge_inputs_validate() {
    let mut failures = Vec::new();
    let mut drawn = 0;
    for operation in &SPEC.operations {
        for edge in [Edge::Upper, Edge::Lower] {
            let Some(inputs) = edge_input(&SPEC, operation, edge) else {
                continue;
            };
            let mut runner = runner(9, &operation.operation_id, 2);
            for _ in 0..2 {
                drawn += 1;
                let value = inputs.new_tree(&mut runner).unwrap().current();
                if let Err(problem) = SCHEMAS.check(&input_schema(operation), &value) {
                    failures.push(format!("{} {edge:?}: {problem}", operation.operation_id));
                }
            }
        }
    }
    assert!(drawn > 0);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// An upper edge puts strings, numbers and arrays exactly at their bounds.
#[test]
fn upper_edges_are_exact() {
    let operation = SPEC.operation("workflows_create").unwrap();
    let inputs = edge_input(&SPEC, operation, Edge::Upper).unwrap();
    let value = inputs
        .new_tree(&mut runner(1, "edges", 1))
        .unwrap()
        .current();
    assert_eq!(
        value["body"]["description"].as_str().map(str::len),
        Some(1000),
        "{value}"
    );
    let operation = SPEC.operation("workflows_list").unwrap();
    let inputs = edge_input(&SPEC, operation, Edge::Upper).unwrap();
    let value = inputs
        .new_tree(&mut runner(1, "edges", 1))
        .unwrap()
        .current();
    assert_eq!(value["query"]["limit"], json!(100), "{value}");
    let inputs = edge_input(&SPEC, operation, Edge::Lower).unwrap();
    let value = inputs
        .new_tree(&mut runner(1, "edges", 1))
        .unwrap()
        .current();
    assert_eq!(value["query"]["limit"], json!(1), "{value}");
}
