//! What of a received transcript the `snapshots` check holds against the committed one. A real
//! server answers with its stored documents, which carry more than the reference sends (Novu's
//! `__v`, `deleted`, its creator's id, …): a response field the snapshot does not have is left
//! out before the two are compared, and the ids of both are numbered again over what is left,
//! so that an extra id does not shift the numbers of the others. Every field the snapshot has
//! must still be there, with its value.

use std::collections::HashMap;

use serde_json::Value;

/// `expected` and `received` (transcripts as JSON) as they are compared: `received` without the
/// response fields `expected` lacks, both with their ids numbered in the order they appear.
pub(super) fn aligned(expected: &Value, received: &Value) -> (Value, Value) {
    let mut received = received.clone();
    let expected_steps = expected["steps"].as_array().into_iter().flatten();
    let received_steps = received
        .get_mut("steps")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten();
    for (expected, received) in expected_steps.zip(received_steps) {
        if let Some(response) = received.get_mut("response") {
            keep_fields_of(&expected["response"], response);
        }
    }
    (renumbered(expected), renumbered(&received))
}

/// Removes from the objects of `received` the fields the objects at the same place in
/// `expected` lack; array items are matched by position.
fn keep_fields_of(expected: &Value, received: &mut Value) {
    match (expected, received) {
        (Value::Object(expected), Value::Object(received)) => {
            received.retain(|key, _| expected.contains_key(key));
            for (key, value) in received.iter_mut() {
                keep_fields_of(&expected[key], value);
            }
        }
        (Value::Array(expected), Value::Array(received)) => {
            for (expected, received) in expected.iter().zip(received.iter_mut()) {
                keep_fields_of(expected, received);
            }
        }
        _ => {}
    }
}

/// `value` with its id placeholders (`[id-N]`) numbered again from 1 in the order they appear.
fn renumbered(value: &Value) -> Value {
    let mut numbers = HashMap::new();
    renumber(value, &mut numbers)
}

fn renumber(value: &Value, numbers: &mut HashMap<String, usize>) -> Value {
    match value {
        Value::String(text) => Value::String(renumber_text(text, numbers)),
        Value::Array(items) => {
            Value::Array(items.iter().map(|item| renumber(item, numbers)).collect())
        }
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(key, value)| (key.clone(), renumber(value, numbers)))
                .collect(),
        ),
        other => other.clone(),
    }
}

const OPEN: &str = "[id-";

fn renumber_text(text: &str, numbers: &mut HashMap<String, usize>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(OPEN) {
        out.push_str(&rest[..start]);
        let after = &rest[start + OPEN.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && after[digits..].starts_with(']') {
            let next = numbers.len() + 1;
            let number = *numbers.entry(after[..digits].to_owned()).or_insert(next);
            out.push_str(&format!("{OPEN}{number}]"));
            rest = &after[digits + 1..];
        } else {
            out.push_str(OPEN);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn transcript(response: Value) -> Value {
        json!({ "scenario": "s", "steps": [{ "request": "GET /v1/x/[id-1]", "response": response }] })
    }

    #[test]
    fn fields_only_the_server_sends_are_left_out_and_ids_renumbered() {
        let expected = transcript(
            json!({ "data": { "_id": "[id-1]", "items": [{ "_id": "[id-2]", "name": "a" }] } }),
        );
        // The server's extra ids come first in key order and take lower numbers.
        let received = transcript(json!({ "data": {
            "_creatorId": "[id-2]", "__v": 0, "_id": "[id-1]",
            "items": [{ "_id": "[id-3]", "_envId": "[id-4]", "name": "a", "deleted": false }],
        } }));
        let (expected, received) = aligned(&expected, &received);
        assert_eq!(expected, received);
    }

    #[test]
    fn a_field_the_server_leaves_out_or_changes_still_differs() {
        let expected =
            transcript(json!({ "data": { "_id": "[id-1]", "name": "a", "tags": ["x"] } }));
        for received in [
            json!({ "data": { "_id": "[id-1]", "tags": ["x"] } }),
            json!({ "data": { "_id": "[id-1]", "name": "b", "tags": ["x"] } }),
            json!({ "data": { "_id": "[id-1]", "name": "a", "tags": ["x", "y"] } }),
            json!({ "data": { "_id": "[id-2]", "name": "a", "tags": ["x"] } }),
        ] {
            let (left, right) = aligned(&expected, &transcript(received.clone()));
            assert_ne!(left, right, "{received}");
        }
    }

    #[test]
    fn placeholders_inside_text_are_renumbered_too() {
        let mut numbers = HashMap::new();
        assert_eq!(
            renumber_text("GET /v1/a/[id-7]/b/[id-3]?x=[id-7]&y=[id-]", &mut numbers),
            "GET /v1/a/[id-1]/b/[id-2]?x=[id-1]&y=[id-]"
        );
    }
}
