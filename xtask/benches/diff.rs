//! Times `cargo xtask diff` on the project spec: `spec/novu.yaml` against itself unchanged, and
//! against a copy with one change (a value dropped from a shared enum, which many operations
//! reach). Each figure is for both sides parsed from text and compared, as the command does, and
//! for the comparison alone. Run with `cargo bench -p xtask --bench diff`.

use std::time::{Duration, Instant};

use serde_json::Value;
use xtask::{codegen, diff, spec};

const ROUNDS: usize = 20;

fn main() {
    let path = codegen::workspace_root().join("spec/novu.yaml");
    let text = std::fs::read_to_string(&path).expect("the spec is readable");
    let (changed_text, change) = with_one_change(&text);

    let original = spec::parse("spec/novu.yaml", &text).expect("the spec loads");
    let operations = original.document.operations().count();
    println!("diff spec/novu.yaml ({operations} operations), {ROUNDS} rounds, min / median");
    for (label, other) in [
        ("against itself".to_owned(), &text),
        (format!("with one change ({change})"), &changed_text),
    ] {
        let mut found = 0;
        let end_to_end = time(|| {
            let old = spec::parse("old", &text).expect("the spec loads");
            let new = spec::parse("new", other).expect("the changed spec loads");
            found = diff::diff(&old, &new).expect("both sides are valid").len();
        });
        let new = spec::parse("new", other).expect("the changed spec loads");
        let compare = time(|| {
            diff::diff(&original, &new).expect("both sides are valid");
        });
        println!("  {label}: {found} changes reported");
        println!("    parse both and compare: {}", show(&end_to_end));
        println!("    compare only:           {}", show(&compare));
    }
}

/// The spec's text with the last value of the first shared enum (by component name) removed,
/// and what was removed.
fn with_one_change(text: &str) -> (String, String) {
    let mut raw: Value = serde_norway::from_str(text).expect("the spec is YAML");
    let schemas = raw
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
        .expect("the spec has component schemas");
    let (name, values) = schemas
        .iter_mut()
        .find_map(|(name, schema)| {
            let values = schema.get_mut("enum")?.as_array_mut()?;
            (values.len() > 1).then_some((name.clone(), values))
        })
        .expect("a component schema with an enum of two values or more");
    let removed = values.pop().expect("two values or more");
    let change = format!("`{removed}` dropped from `{name}`");
    let changed = serde_json::to_string(&raw).expect("a JSON tree serializes");
    (changed, change)
}

fn time(mut run: impl FnMut()) -> Vec<Duration> {
    let mut times: Vec<Duration> = (0..ROUNDS)
        .map(|_| {
            let started = Instant::now();
            run();
            started.elapsed()
        })
        .collect();
    times.sort();
    times
}

fn show(times: &[Duration]) -> String {
    format!("{:.2?} / {:.2?}", times[0], times[times.len() / 2])
}
