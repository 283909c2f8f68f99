//! Validation against a generated crate's schema document (the spec's schemas as JSON Schema
//! draft 4), with every broken constraint worded as the API words it.

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};

use serde_json::Value;

use crate::rules::{Presence, PropertyRules};

const SCHEMA_BASE: &str = "https://novu-contract.invalid/spec.json";

/// A generated crate's schema document: component schemas under `/components/schemas`,
/// parameter schemas under `/operations/<id>/parameters`. Held in a `static`; each schema is
/// compiled the first time a request needs it.
pub struct SchemaDocument {
    text: &'static str,
    parsed: OnceLock<Value>,
    registry: OnceLock<jsonschema::Registry<'static>>,
    validators: Mutex<BTreeMap<&'static str, &'static OnceLock<jsonschema::Validator>>>,
}

impl std::fmt::Debug for SchemaDocument {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("SchemaDocument")
            .field("bytes", &self.text.len())
            .finish_non_exhaustive()
    }
}

impl SchemaDocument {
    /// The document whose JSON text is `text`.
    pub const fn new(text: &'static str) -> Self {
        Self {
            text,
            parsed: OnceLock::new(),
            registry: OnceLock::new(),
            validators: Mutex::new(BTreeMap::new()),
        }
    }

    fn parsed(&'static self) -> &'static Value {
        self.parsed.get_or_init(|| {
            serde_json::from_str(self.text).expect("the generated schema document is valid JSON")
        })
    }

    fn registry(&'static self) -> &'static jsonschema::Registry<'static> {
        self.registry.get_or_init(|| {
            jsonschema::Registry::new()
                .add(SCHEMA_BASE, self.parsed().clone())
                .and_then(|registry| registry.prepare())
                .expect("the generated schema document is a valid schema resource")
        })
    }

    /// The validator of the schema at `pointer`, compiled once. The lock is held only to find
    /// the schema's cell, so compiling one schema never waits for another.
    fn validator(&'static self, pointer: &'static str) -> &'static jsonschema::Validator {
        let cell = *self
            .validators
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .entry(pointer)
            .or_insert_with(|| Box::leak(Box::new(OnceLock::new())));
        cell.get_or_init(|| {
            let reference = serde_json::json!({ "$ref": format!("{SCHEMA_BASE}#{pointer}") });
            jsonschema::options()
                .with_draft(jsonschema::Draft::Draft4)
                .with_registry(self.registry())
                .should_validate_formats(true)
                .build(&reference)
                .expect("the generated schema document compiles")
        })
    }

    /// Every violation of the schema at `pointer` by `instance`, one message per broken
    /// constraint (`name should not be null or undefined`); empty when `instance` is valid.
    ///
    /// As the API's validation does, a missing required property also breaks its other
    /// constraints: `key should not be null or undefined` is followed by what the property's
    /// schema says of a `null` (`key must be a string`). The API lists a property's messages
    /// in the order its decorators were written, which a schema does not record; presence
    /// first, then the rest, is the order its request types mostly use. A missing nested
    /// object gets the presence message only. A value that no alternative of an `anyOf` accepts
    /// is worded as its first alternative words it: the spec lists first the alternative whose
    /// rules the API applies (a workflow update's new step, before a step that names its
    /// stored template).
    pub fn violations(&'static self, pointer: &'static str, instance: &Value) -> Vec<String> {
        use jsonschema::error::ValidationErrorKind as Kind;
        let validator = self.validator(pointer);
        let document = self.parsed();
        let mut messages = Vec::new();
        // The command's checks run only on a request that passed all others.
        let mut command_messages = Vec::new();
        for problem in first_alternatives(validator.iter_errors(instance)) {
            let location = segments(&problem);
            if let Kind::Pattern { .. } = problem.kind() {
                let rules = PropertyRules::at(document, pointer, &location);
                if rules.command_name.is_some() {
                    let described = describe(document, pointer, &problem);
                    command_messages.extend(rules.as_command(&location, described));
                    continue;
                }
            }
            let Kind::Required { property } = problem.kind() else {
                messages.extend(describe(document, pointer, &problem));
                continue;
            };
            let property = property
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| property.to_string());
            let mut path = location.clone();
            path.push(property.clone());
            let rules = PropertyRules::at(document, pointer, &path);
            let presence = match rules.presence {
                Presence::NotEmpty => "should not be empty",
                Presence::Defined | Presence::DefinedOnly | Presence::Command => {
                    "should not be null or undefined"
                }
            };
            let mut found = vec![format!("{} {presence}", path.join("."))];
            if rules.presence != Presence::DefinedOnly {
                let probe = Probe {
                    document,
                    pointer,
                    validator,
                };
                found.extend(probe.missing_property(instance, &location, &property));
            }
            if rules.presence == Presence::Command {
                command_messages.extend(rules.as_command(&path, found));
            } else {
                messages.extend(found);
            }
        }
        if messages.is_empty() {
            messages = command_messages;
        }
        messages.dedup();
        messages
    }
}

impl SchemaDocument {
    /// `instance` without the `null`s the API reads as absent: those of optional properties
    /// whose schema does not admit `null`. class-validator's `IsOptional` skips every rule of
    /// a property that is absent or `null`; the spec marks `nullable` the properties where the
    /// server gives `null` a meaning of its own, and those keep theirs.
    pub fn without_ignored_nulls(&'static self, pointer: &'static str, instance: Value) -> Value {
        let document = self.parsed();
        match document.pointer(pointer) {
            Some(schema) => crate::rules::without_ignored_nulls(document, schema, instance),
            None => instance,
        }
    }
}

/// Where a missing property is looked at as a `null`.
struct Probe<'a> {
    document: &'a Value,
    pointer: &'a str,
    validator: &'a jsonschema::Validator,
}

/// The instance path of `problem` as property names and indexes.
fn segments(problem: &jsonschema::ValidationError<'_>) -> Vec<String> {
    problem
        .instance_path()
        .into_iter()
        .map(|segment| match segment {
            jsonschema::paths::LocationSegment::Property(name) => name.to_string(),
            jsonschema::paths::LocationSegment::Index(index) => index.to_string(),
        })
        .collect()
}

impl Probe<'_> {
    /// What the schema of the missing `property` of the object at `location` says of a `null`
    /// in its place, other than that it is required.
    fn missing_property(
        &self,
        instance: &Value,
        location: &[String],
        property: &str,
    ) -> Vec<String> {
        let mut probe = instance.clone();
        let pointer: String = location
            .iter()
            .map(|segment| format!("/{}", segment.replace('~', "~0").replace('/', "~1")))
            .collect();
        let Some(Value::Object(object)) = probe.pointer_mut(&pointer) else {
            return Vec::new();
        };
        object.insert(property.to_owned(), Value::Null);
        let mut wanted = location.to_vec();
        wanted.push(property.to_owned());
        first_alternatives(self.validator.iter_errors(&probe))
            .into_iter()
            .filter(|problem| segments(problem) == wanted)
            // A nested object's own validators run only on an object; a missing one is
            // reported by its presence alone.
            .filter(|problem| !is_object_type(problem))
            .flat_map(|problem| describe(self.document, self.pointer, &problem))
            .collect()
    }
}

/// `problems`, each failed `anyOf` replaced by what its first alternative found.
fn first_alternatives<'a>(
    problems: impl IntoIterator<Item = jsonschema::ValidationError<'a>>,
) -> Vec<jsonschema::ValidationError<'static>> {
    use jsonschema::error::ValidationErrorKind as Kind;
    let mut found = Vec::new();
    for problem in problems {
        if !matches!(problem.kind(), Kind::AnyOf { context } if !context.is_empty()) {
            found.push(problem.to_owned());
            continue;
        }
        if let Kind::AnyOf { mut context } = problem.into_parts().kind {
            found.extend(first_alternatives(context.swap_remove(0)));
        }
    }
    found
}

fn is_object_type(problem: &jsonschema::ValidationError<'_>) -> bool {
    use jsonschema::JsonType;
    use jsonschema::error::{TypeKind, ValidationErrorKind as Kind};
    matches!(
        problem.kind(),
        Kind::Type {
            kind: TypeKind::Single(JsonType::Object)
        }
    )
}

/// The messages of one broken constraint (not a missing property): its own, after those of
/// the numeric bounds a value that is no number breaks as well.
fn describe(
    document: &Value,
    pointer: &str,
    problem: &jsonschema::ValidationError<'_>,
) -> Vec<String> {
    use jsonschema::error::{TypeKind, ValidationErrorKind as Kind};
    let path = segments(problem);
    let rules = PropertyRules::at(document, pointer, &path);
    let subject = if path.is_empty() {
        "request body".to_owned()
    } else {
        path.join(".")
    };
    let mut messages = Vec::new();
    // class-validator runs `Min` and `Max` on any value, and they refuse one that is no
    // number; the API's request types write them below the type rule, so they come first.
    if let Kind::Type {
        kind: TypeKind::Single(expected),
    } = problem.kind()
        && !problem.instance().is_number()
        && matches!(
            expected,
            jsonschema::JsonType::Integer | jsonschema::JsonType::Number
        )
    {
        if let Some(minimum) = &rules.minimum {
            messages.push(format!("{subject} must not be less than {minimum}"));
        }
        if let Some(maximum) = &rules.maximum {
            messages.push(format!("{subject} must not be greater than {maximum}"));
        }
    }
    let rule = match problem.kind() {
        Kind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(single) => single.to_string(),
                TypeKind::Multiple(set) => set
                    .iter()
                    .map(|kind| kind.to_string())
                    .collect::<Vec<_>>()
                    .join(" or "),
            };
            match expected.as_str() {
                "string" => "must be a string".to_owned(),
                "boolean" => "must be a boolean value".to_owned(),
                "integer" => "must be an integer number".to_owned(),
                "number" => "must be a number conforming to the specified constraints".to_owned(),
                "object" => "must be an object".to_owned(),
                "array" => "must be an array".to_owned(),
                other => format!("must be of type {other}"),
            }
        }
        Kind::Enum { options } => {
            let values: Vec<String> = options
                .as_array()
                .map(|values| {
                    values
                        .iter()
                        .map(|value| {
                            value
                                .as_str()
                                .map(str::to_owned)
                                .unwrap_or_else(|| value.to_string())
                        })
                        .collect()
                })
                .unwrap_or_default();
            format!("must be one of the following values: {}", values.join(", "))
        }
        Kind::MaxLength { limit } => format!("must be shorter than or equal to {limit} characters"),
        Kind::MinLength { limit: 1 } if rules.presence == Presence::NotEmpty => {
            "should not be empty".to_owned()
        }
        Kind::MinLength { limit } => format!("must be longer than or equal to {limit} characters"),
        Kind::MaxItems { limit } => format!("must contain no more than {limit} elements"),
        Kind::MinItems { limit: 1 } => "should not be empty".to_owned(),
        Kind::MinItems { limit } => format!("must contain at least {limit} elements"),
        Kind::Minimum { limit } => format!("must not be less than {limit}"),
        Kind::Maximum { limit } => format!("must not be greater than {limit}"),
        Kind::Pattern { pattern } if pattern == "^[0-9a-fA-F]{24}$" => {
            "must be a mongodb id".to_owned()
        }
        Kind::Pattern { pattern } => format!("must match /{pattern}/ regular expression"),
        Kind::Format { format } => match format.as_str() {
            "email" => "must be an email".to_owned(),
            "uri" | "url" => "must be a URL address".to_owned(),
            "date-time" => "must be a valid ISO 8601 date string".to_owned(),
            other => format!("must be a valid {other}"),
        },
        _ => format!("is invalid: {problem}"),
    };
    messages.push(format!("{subject} {rule}"));
    messages
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    static DOCUMENT: SchemaDocument = SchemaDocument::new(
        r##"{
            "components": {"schemas": {
                "Note": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string", "minLength": 1, "maxLength": 4},
                        "owner": {"type": "string", "pattern": "^[0-9a-fA-F]{24}$"},
                        "kind": {"enum": ["a", "b"]},
                        "email": {"type": "string", "format": "email"},
                        "tags": {"type": "array", "minItems": 1, "maxItems": 2,
                                 "items": {"$ref": "#/components/schemas/Tag"}}
                    }
                },
                "Command": {
                    "type": "object",
                    "required": ["identifier", "content"],
                    "x-validation": {
                        "tenantId": {"commandName": "_tenantId"},
                        "identifier": {"presence": "not-empty"},
                        "content": {"presence": "defined-only"}
                    },
                    "properties": {
                        "tenantId": {"type": "string", "pattern": "^[0-9a-fA-F]{24}$"},
                        "identifier": {"type": "string", "minLength": 1},
                        "content": {"type": "string"}
                    }
                },
                "Steps": {"type": "object", "properties": {
                    "steps": {"type": "array", "items": {"$ref": "#/components/schemas/Step"}}
                }},
                "Step": {
                    "type": "object",
                    "required": ["type"],
                    "x-validation": {"type": {"presence": "command"}},
                    "properties": {"type": {"enum": ["in_app", "email"]}}
                },
                "Tag": {"type": "object", "required": ["label"],
                        "properties": {"label": {"type": "integer", "minimum": 1}}}
            }},
            "operations": {"notes_list": {"parameters": {
                "type": "object", "properties": {"page": {"type": "integer", "minimum": 0, "maximum": 9}}
            }}}
        }"##,
    );

    #[test]
    fn a_valid_instance_has_no_violations() {
        let valid = json!({"name": "ab", "kind": "a", "tags": [{"label": 2}]});
        assert!(
            DOCUMENT
                .violations("/components/schemas/Note", &valid)
                .is_empty()
        );
    }

    #[test]
    fn every_broken_constraint_is_worded_as_the_api_words_it() {
        let broken = json!({
            "owner": "xyz",
            "kind": "c",
            "email": "not an email",
            "tags": [{"label": 0}, {}, {"label": "1"}]
        });
        let mut messages = DOCUMENT.violations("/components/schemas/Note", &broken);
        messages.sort();
        assert_eq!(
            messages,
            [
                "email must be an email",
                "kind must be one of the following values: a, b",
                "name must be a string",
                "name should not be null or undefined",
                "owner must be a mongodb id",
                "tags must contain no more than 2 elements",
                "tags.0.label must not be less than 1",
                "tags.1.label must be an integer number",
                "tags.1.label must not be less than 1",
                "tags.1.label should not be null or undefined",
                "tags.2.label must be an integer number",
                "tags.2.label must not be less than 1",
            ]
        );
        assert_eq!(
            DOCUMENT.violations("/components/schemas/Note", &json!({})),
            [
                "name should not be null or undefined",
                "name must be a string"
            ],
            "presence first, then what the property's schema says of a missing value"
        );
        assert_eq!(
            DOCUMENT.violations("/components/schemas/Note", &json!({"name": "", "tags": []})),
            [
                "name must be longer than or equal to 1 characters",
                "tags should not be empty"
            ]
        );
        assert_eq!(
            DOCUMENT.violations("/components/schemas/Note", &json!([])),
            ["request body must be an object"]
        );
        assert_eq!(
            DOCUMENT.violations("/operations/notes_list/parameters", &json!({"page": 10})),
            ["page must not be greater than 9"]
        );
    }

    #[test]
    fn the_spec_names_properties_and_presence_as_the_api_validates_them() {
        let pointer = "/components/schemas/Command";
        assert_eq!(
            DOCUMENT.violations(pointer, &json!({"tenantId": "x"})),
            [
                "identifier should not be empty",
                "identifier must be a string",
                "content should not be null or undefined",
            ],
            "not-empty presence with the type's message; presence alone; the command's check waits"
        );
        assert_eq!(
            DOCUMENT.violations(
                pointer,
                &json!({"tenantId": "x", "identifier": "i", "content": "c"})
            ),
            ["_tenantId must be a mongodb id"],
            "the command's check, naming the command's field, once the rest passed"
        );
        assert_eq!(
            DOCUMENT.violations(pointer, &json!({"identifier": "", "content": "c"})),
            ["identifier should not be empty"]
        );
        let nulls = json!({"identifier": "i", "content": null, "tenantId": null});
        assert_eq!(
            DOCUMENT.without_ignored_nulls(pointer, nulls),
            json!({"identifier": "i", "content": null}),
            "a null stays in a required property and is dropped from an optional one"
        );
    }

    #[test]
    fn an_alternative_none_passes_is_worded_as_the_first_alternative_words_it() {
        static ALTERNATIVES: SchemaDocument = SchemaDocument::new(
            r##"{"components": {"schemas": {
                "Update": {"type": "object", "properties": {
                    "steps": {"type": "array", "items": {"anyOf": [
                        {"$ref": "#/components/schemas/New"},
                        {"$ref": "#/components/schemas/Existing"}
                    ]}}
                }},
                "New": {"type": "object", "properties": {
                    "template": {"$ref": "#/components/schemas/Typed"}
                }},
                "Typed": {
                    "type": "object",
                    "required": ["type"],
                    "x-validation": {"type": {"presence": "command"}},
                    "properties": {"type": {"enum": ["in_app", "email"]}}
                },
                "Existing": {"type": "object", "required": ["_templateId"], "properties": {
                    "_templateId": {"type": "string"},
                    "template": {"type": "object", "properties": {"type": {"enum": ["in_app", "email"]}}}
                }}
            }}}"##,
        );
        let pointer = "/components/schemas/Update";
        assert_eq!(
            ALTERNATIVES.violations(pointer, &json!({"steps": [{"template": {}}]})),
            [
                "type should not be null or undefined",
                "type must be one of the following values: in_app, email",
            ]
        );
        assert!(
            ALTERNATIVES
                .violations(
                    pointer,
                    &json!({"steps": [{"_templateId": "t", "template": {}}]})
                )
                .is_empty(),
            "the second alternative accepts a step naming its template"
        );
        assert_eq!(
            ALTERNATIVES.violations(pointer, &json!({"steps": [{"template": {"type": "x"}}]})),
            ["steps.0.template.type must be one of the following values: in_app, email"]
        );
    }

    #[test]
    fn a_property_the_command_requires_is_reported_as_the_command_words_it() {
        let pointer = "/components/schemas/Steps";
        assert_eq!(
            DOCUMENT.violations(pointer, &json!({"steps": [{}]})),
            [
                "type should not be null or undefined",
                "type must be one of the following values: in_app, email",
            ]
        );
        assert_eq!(
            DOCUMENT.violations(pointer, &json!({"steps": [{"type": "x"}]})),
            ["steps.0.type must be one of the following values: in_app, email"],
            "a given value is the request's to check"
        );
    }

    #[test]
    fn a_value_that_is_no_number_breaks_the_numeric_bounds_first() {
        let parameters = "/operations/notes_list/parameters";
        assert_eq!(
            DOCUMENT.violations(parameters, &json!({"page": "first"})),
            [
                "page must not be less than 0",
                "page must not be greater than 9",
                "page must be an integer number",
            ]
        );
        assert_eq!(
            DOCUMENT.violations(parameters, &json!({"page": 1.5})),
            ["page must be an integer number"],
            "a number that is no integer is within its bounds"
        );
    }
}
