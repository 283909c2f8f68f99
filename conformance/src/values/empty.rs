//! `x-empty: absent` (see `spec/README.md`): the places of an operation's input where the
//! contract says an empty string or array is read as no value at all, and the two inputs that
//! must then get the same answer: one without those values, one with each of them empty.

use serde_json::{Map, Value, json};

use crate::contract::{Operation, Spec};

/// The extension's name.
const EXTENSION: &str = "x-empty";

/// Its one value.
const ABSENT: &str = "absent";

/// One place of an input (`["query", "payload"]`, `["body", "name"]`) and its empty value.
pub type Place = (Vec<String>, Value);

/// The empty value of `schema` when it carries `x-empty: absent`.
fn empty_value(schema: &Value) -> Option<Value> {
    if schema.get(EXTENSION).and_then(Value::as_str) != Some(ABSENT) {
        return None;
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("string") => Some(json!("")),
        Some("array") => Some(json!([])),
        _ => None,
    }
}

/// Every place of `operation`'s input marked `x-empty: absent`: its query parameters and the
/// top-level properties of its body.
pub fn places(spec: &Spec, operation: &Operation) -> Vec<Place> {
    let mut found: Vec<Place> = operation
        .parameters_in("query")
        .filter_map(|parameter| {
            let empty = empty_value(spec.resolve(&parameter.schema))?;
            Some((vec!["query".to_owned(), parameter.name.clone()], empty))
        })
        .collect();
    if let Some(body) = &operation.request_body {
        let properties = spec
            .resolve(&body.schema)
            .get("properties")
            .and_then(Value::as_object);
        for (name, property) in properties.into_iter().flatten() {
            if let Some(empty) = empty_value(spec.resolve(property)) {
                found.push((vec!["body".to_owned(), name.clone()], empty));
            }
        }
    }
    found
}

/// `input` without any of `places` and `input` with each of them empty; `None` when taking
/// them out leaves an empty body (an operation may refuse `{}` yet accept a body holding only
/// ignored values, as Novu counts a body's keys before it reads them).
pub fn pair(input: &Value, places: &[Place]) -> Option<(Value, Value)> {
    let mut without = input.clone();
    for (place, _) in places {
        if let Some(Value::Object(parent)) = parent_of(&mut without, place) {
            parent.remove(&place[place.len() - 1]);
        }
    }
    let body_place = places.iter().any(|(place, _)| place[0] == "body");
    if body_place && without.get("body") == Some(&Value::Object(Map::new())) {
        return None;
    }
    let mut with_empty = without.clone();
    for (place, empty) in places {
        if let Some(Value::Object(parent)) = parent_of(&mut with_empty, place) {
            parent.insert(place[place.len() - 1].clone(), empty.clone());
        }
    }
    Some((without, with_empty))
}

fn parent_of<'v>(input: &'v mut Value, place: &[String]) -> Option<&'v mut Value> {
    let (_, parent) = place.split_last()?;
    parent
        .iter()
        .try_fold(input, |value, segment| value.get_mut(segment.as_str()))
}

/// How a report names `places`: `query payload, body name`.
pub fn describe(places: &[Place]) -> String {
    places
        .iter()
        .map(|(place, _)| place.join(" "))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contract_marks_the_places_novu_tests_by_truthiness() {
        let spec = Spec::embedded().unwrap();
        let names = |operation: &str| describe(&places(&spec, spec.operation(operation).unwrap()));
        assert_eq!(names("subscriber_notifications_feed"), "query payload");
        assert_eq!(names("tenants_update"), "body identifier, body name");
        assert_eq!(
            names("layouts_update"),
            "body content, body description, body identifier, body name"
        );
        assert_eq!(names("integrations_update"), "body identifier, body name");
        assert_eq!(names("topics_create"), "");
    }

    #[test]
    fn the_pair_differs_only_in_the_emptied_places() {
        let places = vec![
            (vec!["body".to_owned(), "name".to_owned()], json!("")),
            (vec!["query".to_owned(), "q".to_owned()], json!("")),
        ];
        let input = json!({"query": {"q": "x", "page": 1}, "body": {"name": "n", "data": {}}});
        let (without, with_empty) = pair(&input, &places).unwrap();
        assert_eq!(without, json!({"query": {"page": 1}, "body": {"data": {}}}));
        assert_eq!(
            with_empty,
            json!({"query": {"q": "", "page": 1}, "body": {"name": "", "data": {}}})
        );
        let only_name = json!({"query": {}, "body": {"name": "n"}});
        assert_eq!(pair(&only_name, &places), None);
    }
}
