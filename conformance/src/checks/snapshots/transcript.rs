//! A transcript: what a scenario saw, normalized so that it is the same on every run. Server-made
//! ids (ObjectIds, UUIDs, `_id`, `id`, `_…Id`) become `[id-1]`, `[id-2]`, … in order of first
//! appearance, keeping identity; date-times become `[timestamp]`; the API key `[key]`.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::play::RawStep;
use crate::transport::Body;

/// What a scenario saw: every request it recorded and the answer, normalized.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transcript {
    /// The scenario's name.
    pub scenario: String,
    /// The recorded requests, in order.
    pub steps: Vec<TranscriptStep>,
}

/// One request of a transcript and its answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranscriptStep {
    /// The operation.
    pub operation: String,
    /// `METHOD /path?query`, ids replaced.
    pub request: String,
    /// The request body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// The status; `None` when no response came back.
    pub status: Option<u16>,
    /// Which items of a list were kept, when the list holds other data too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept: Option<String>,
    /// The response body: JSON, the text when it is not JSON, or null when empty.
    pub response: Value,
}

/// The recorded steps as a transcript: server-made ids become `[id-N]` in order of first
/// appearance, and the API key `[key]`.
pub(super) fn normalize(scenario: &str, steps: &[RawStep], api_key: &str) -> Transcript {
    let mut ids = Ids {
        known: HashMap::new(),
        api_key,
    };
    let steps = steps
        .iter()
        .filter(|step| step.recorded)
        .map(|step| {
            let mut request = format!("{} ", step.request.method);
            for segment in step.request.path.split('/').skip(1) {
                request.push('/');
                request.push_str(&ids.text(segment));
            }
            for (index, (name, value)) in step.request.query.iter().enumerate() {
                request.push(if index == 0 { '?' } else { '&' });
                request.push_str(&format!("{name}={}", ids.text(value)));
            }
            let body = match &step.request.body {
                Some(Body::Json(value)) => Some(ids.value(value, None)),
                Some(Body::RawJson(text)) => Some(Value::String(ids.text(text))),
                None => None,
            };
            TranscriptStep {
                operation: step.operation.clone(),
                request,
                body,
                status: step.status,
                kept: step.kept.clone(),
                response: ids.value(&step.response, None),
            }
        })
        .collect();
    Transcript {
        scenario: scenario.to_owned(),
        steps,
    }
}

struct Ids<'a> {
    known: HashMap<String, String>,
    api_key: &'a str,
}

impl Ids<'_> {
    fn placeholder(&mut self, id: &str) -> String {
        let next = self.known.len() + 1;
        self.known
            .entry(id.to_owned())
            .or_insert_with(|| format!("[id-{next}]"))
            .clone()
    }

    fn value(&mut self, value: &Value, key: Option<&str>) -> Value {
        match value {
            Value::String(text) if key.is_some_and(is_id_key) && !text.is_empty() => {
                Value::String(self.placeholder(text))
            }
            Value::String(text) => Value::String(self.text(text)),
            Value::Array(items) => {
                Value::Array(items.iter().map(|item| self.value(item, None)).collect())
            }
            Value::Object(object) => {
                // Sorted, so that placeholders are numbered alike whatever order a server uses.
                let mut keys: Vec<&String> = object.keys().collect();
                keys.sort();
                let mut normalized = Map::new();
                for key in keys {
                    normalized.insert(key.clone(), self.value(&object[key], Some(key)));
                }
                Value::Object(normalized)
            }
            other => other.clone(),
        }
    }

    /// `text` with known ids, ObjectIds and UUIDs replaced by placeholders, the key hidden,
    /// and a date-time, when that is all it is, replaced by `[timestamp]`.
    fn text(&mut self, text: &str) -> String {
        if is_date_time(text) {
            return "[timestamp]".to_owned();
        }
        if !self.api_key.is_empty() && text.contains(self.api_key) {
            return self.text(&text.replace(self.api_key, "[key]"));
        }
        if let Some(placeholder) = self.known.get(text) {
            return placeholder.clone();
        }
        let mut out = String::new();
        let mut rest = text;
        while !rest.is_empty() {
            let boundary = out
                .chars()
                .last()
                .is_none_or(|last| !last.is_ascii_alphanumeric());
            let found = [36, 24].into_iter().find(|length| {
                boundary
                    && rest.get(..*length).is_some_and(is_id)
                    && rest[*length..]
                        .chars()
                        .next()
                        .is_none_or(|next| !next.is_ascii_alphanumeric())
            });
            match found {
                Some(length) => {
                    let placeholder = self.placeholder(&rest[..length]);
                    out.push_str(&placeholder);
                    rest = &rest[length..];
                }
                None => {
                    let mut chars = rest.chars();
                    out.extend(chars.next());
                    rest = chars.as_str();
                }
            }
        }
        out
    }
}

/// `_id`, `id` and the internal references `_somethingId`.
fn is_id_key(key: &str) -> bool {
    key == "id" || (key.starts_with('_') && (key == "_id" || key.ends_with("Id")))
}

/// An RFC 3339 date-time: `2024-10-24T09:30:00Z`, with optional fractions and offset.
fn is_date_time(text: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(text).is_ok()
}

/// An ObjectId (24 hex digits) or a UUID.
fn is_id(token: &str) -> bool {
    let hex = |part: &str| part.bytes().all(|byte| byte.is_ascii_hexdigit());
    match token.len() {
        24 => hex(token),
        36 => {
            let parts: Vec<&str> = token.split('-').collect();
            parts.iter().map(|part| part.len()).eq([8, 4, 4, 4, 12])
                && parts.iter().all(|part| hex(part))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_keep_their_identity_and_the_key_is_hidden() {
        let mut ids = Ids {
            known: HashMap::new(),
            api_key: "secret-key",
        };
        let first = "65a1b2c3d4e5f60718293a4b";
        let normalized = ids.value(
            &json!({"_id": first, "note": format!("for {first} and 0c5e8a0e-7f3a-4c1e-9d2b-1a2b3c4d5e6f"), "key": "secret-key", "hexish": "65a1b2c3d4e5f60718293a4b0"}),
            None,
        );
        assert_eq!(
            normalized,
            json!({"_id": "[id-1]", "note": "for [id-1] and [id-2]", "key": "[key]", "hexish": "65a1b2c3d4e5f60718293a4b0"})
        );
        assert_eq!(ids.text(first), "[id-1]");
    }

    #[test]
    fn date_times_are_recognised_whole() {
        for text in [
            "2024-10-24T09:30:00Z",
            "2024-10-24T09:30:00.123Z",
            "2024-10-24T09:30:00+02:00",
        ] {
            assert!(is_date_time(text), "{text}");
        }
        for text in [
            "2024-10-24",
            "2024-10-24T09:30:00",
            "at 2024-10-24T09:30:00Z",
            "2024-10-24T09:30:00.Z",
        ] {
            assert!(!is_date_time(text), "{text}");
        }
    }
}
