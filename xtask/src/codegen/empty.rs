//! `x-empty: absent`: where the server reads an empty value as no value at all. Novu tests
//! many inputs by truthiness (`if (command.name)`), so an empty string or array there changes
//! nothing, where the schema alone would say it sets the value to empty. The extension sits in
//! the schema of a body property or of a query parameter, and only where an empty value exists:
//! a `string` without a positive `minLength` or an `array` without a positive `minItems`.

use serde_json::Value;

use super::problem::Problem;
use crate::spec::escape;

/// The extension's name.
pub const EXTENSION: &str = "x-empty";

/// The one value it takes.
pub const ABSENT: &str = "absent";

/// Every misplaced or malformed `x-empty` in the document.
pub fn check(raw: &Value) -> Vec<Problem> {
    let mut problems = Vec::new();
    walk(raw, String::new(), &mut problems);
    problems
}

fn walk(value: &Value, pointer: String, problems: &mut Vec<Problem>) {
    match value {
        Value::Object(object) => {
            if let Some(marker) = object.get(EXTENSION) {
                check_holder(value, marker, &format!("{pointer}/{EXTENSION}"), problems);
            }
            for (key, child) in object {
                walk(child, format!("{pointer}/{}", escape(key)), problems);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                walk(child, format!("{pointer}/{index}"), problems);
            }
        }
        _ => {}
    }
}

/// `holder` is the parameter or schema carrying `marker`.
fn check_holder(holder: &Value, marker: &Value, pointer: &str, problems: &mut Vec<Problem>) {
    if marker.as_str() != Some(ABSENT) {
        problems.push(Problem::new(
            pointer,
            format!("`{EXTENSION}` takes one value, `{ABSENT}`"),
        ));
        return;
    }
    // Beside `in` it would describe the parameter, not its value.
    if holder.get("in").is_some() {
        problems.push(Problem::new(
            pointer,
            format!("`{EXTENSION}` goes in the parameter's `schema`, beside its `type`"),
        ));
        return;
    }
    let schema = holder;
    let positive = |keyword: &str| schema.get(keyword).and_then(Value::as_u64).unwrap_or(0) > 0;
    match schema.get("type").and_then(Value::as_str) {
        Some("string") if positive("minLength") => problems.push(Problem::new(
            pointer,
            format!("`{EXTENSION}` on a string whose `minLength` allows no empty string"),
        )),
        Some("array") if positive("minItems") => problems.push(Problem::new(
            pointer,
            format!("`{EXTENSION}` on an array whose `minItems` allows no empty array"),
        )),
        Some("string" | "array") => {}
        _ => problems.push(Problem::new(
            pointer,
            format!(
                "`{EXTENSION}` belongs on a `type: string` or `type: array` property or parameter (written beside its own `type`, not a `$ref`)"
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use crate::spec::parse;

    const VALID: &str = r##"
openapi: 3.0.3
info: {title: T, version: '1'}
paths:
  /v1/notes:
    get:
      operationId: notes_list
      parameters:
        - {name: q, in: query, schema: {type: string, x-empty: absent}}
      responses:
        '200': {description: ok}
components:
  schemas:
    Note:
      type: object
      properties:
        text: {type: string, x-empty: absent}
        tags: {type: array, items: {type: string}, x-empty: absent}
"##;

    fn problems(text: &str) -> Vec<String> {
        let spec = parse("t.yaml", text).expect("an OpenAPI document");
        super::check(&spec.raw)
            .iter()
            .map(|problem| problem.display("t.yaml"))
            .collect()
    }

    fn assert_one_problem(from: &str, to: &str, expected: &str) {
        let text = VALID.replacen(from, to, 1);
        assert_ne!(text, VALID, "{from:?} is in the fixture");
        let found = problems(&text);
        assert!(
            found.len() == 1 && found[0].contains(expected),
            "expected one problem containing {expected:?}, got {found:#?}"
        );
    }

    #[test]
    fn strings_and_arrays_that_can_be_empty_take_it() {
        assert_eq!(problems(VALID), Vec::<String>::new());
    }

    #[test]
    fn another_value_is_refused() {
        assert_one_problem(
            "text: {type: string, x-empty: absent}",
            "text: {type: string, x-empty: ignored}",
            "takes one value, `absent`",
        );
    }

    #[test]
    fn a_number_or_an_object_is_refused() {
        assert_one_problem(
            "text: {type: string, x-empty: absent}",
            "text: {type: integer, x-empty: absent}",
            "belongs on a `type: string` or `type: array`",
        );
        assert_one_problem(
            "{name: q, in: query, schema: {type: string, x-empty: absent}}",
            "{name: q, in: query, schema: {type: object, x-empty: absent}}",
            "belongs on a `type: string` or `type: array`",
        );
    }

    #[test]
    fn a_value_that_cannot_be_empty_is_refused() {
        assert_one_problem(
            "text: {type: string, x-empty: absent}",
            "text: {type: string, minLength: 1, x-empty: absent}",
            "allows no empty string",
        );
        assert_one_problem(
            "tags: {type: array, items: {type: string}, x-empty: absent}",
            "tags: {type: array, minItems: 1, items: {type: string}, x-empty: absent}",
            "allows no empty array",
        );
    }

    #[test]
    fn a_marker_beside_in_is_refused() {
        assert_one_problem(
            "{name: q, in: query, schema: {type: string, x-empty: absent}}",
            "{name: q, in: query, x-empty: absent, schema: {type: string}}",
            "goes in the parameter's `schema`",
        );
    }
}
