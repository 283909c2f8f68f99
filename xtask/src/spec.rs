//! Loading an OpenAPI document: YAML or JSON text becomes both the raw JSON tree (for JSON
//! pointers and checks the typed model cannot express) and the typed `openapiv3` model (for
//! generation). Every failure names the file and, where there is one, the JSON pointer.

use std::fmt;
use std::path::Path;

use serde_json::Value;

/// A loaded OpenAPI document.
pub struct Spec {
    /// How the document is named in messages (a path or `REV:path`).
    pub name: String,
    /// The document as a JSON tree.
    pub raw: Value,
    /// The document as the typed OpenAPI 3.0 model.
    pub document: openapiv3::OpenAPI,
}

/// A document that could not be loaded, with where and why.
#[derive(Debug)]
pub struct LoadError {
    pub name: String,
    pub pointer: Option<String>,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.pointer {
            Some(pointer) => write!(
                f,
                "{}: {}: {}",
                self.name,
                display_pointer(pointer),
                self.message
            ),
            None => write!(f, "{}: {}", self.name, self.message),
        }
    }
}

impl std::error::Error for LoadError {}

/// A pointer as shown to people: the root is `/`.
pub fn display_pointer(pointer: &str) -> &str {
    if pointer.is_empty() { "/" } else { pointer }
}

/// Reads and parses the document at `path`.
pub fn load(path: &Path) -> Result<Spec, LoadError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|error| LoadError {
        name: name.clone(),
        pointer: None,
        message: format!("cannot read the file: {error}"),
    })?;
    parse(&name, &text)
}

/// Parses document `text` (YAML, of which JSON is a subset) named `name` in messages.
pub fn parse(name: &str, text: &str) -> Result<Spec, LoadError> {
    let fail = |pointer: Option<String>, message: String| LoadError {
        name: name.to_owned(),
        pointer,
        message,
    };
    let raw: Value = serde_norway::from_str(text)
        .map_err(|error| fail(None, format!("not a YAML or JSON document: {error}")))?;
    if !raw.is_object() {
        return Err(fail(
            None,
            "the document must be a mapping with `openapi`, `info` and `paths`".into(),
        ));
    }
    match raw.get("openapi").and_then(Value::as_str) {
        Some(version) if version.starts_with("3.0.") => {}
        Some(version) => {
            return Err(fail(
                Some("/openapi".into()),
                format!(
                    "OpenAPI version {version} is not supported: write an OpenAPI 3.0.x document"
                ),
            ));
        }
        None => {
            return Err(fail(
                Some("/openapi".into()),
                "missing `openapi: 3.0.3`".into(),
            ));
        }
    }
    let document: openapiv3::OpenAPI = serde_path_to_error::deserialize(&raw).map_err(|error| {
        // Maps inside the model are flattened, which hides the path below `paths` and
        // `components`: look for the first member that fails on its own.
        let (pointer, inner) = pinpoint(&raw).unwrap_or_else(|| {
            (
                to_pointer(&error.path().to_string()),
                error.inner().to_string(),
            )
        });
        fail(
            Some(pointer),
            format!("not a valid OpenAPI 3.0 object: {inner}"),
        )
    })?;
    Ok(Spec {
        name: name.to_owned(),
        raw,
        document,
    })
}

/// Deserializes each path item and component on its own to find the first one that is
/// malformed: its pointer and the reason.
fn pinpoint(raw: &Value) -> Option<(String, String)> {
    type Check = fn(&Value, String) -> Option<(String, String)>;
    fn check<T: serde::de::DeserializeOwned>(
        value: &Value,
        base: String,
    ) -> Option<(String, String)> {
        // `ReferenceOr` is untagged, which hides the path too: a member without `$ref` is read
        // as the item itself.
        if value.get("$ref").is_some() {
            return None;
        }
        serde_path_to_error::deserialize::<_, T>(value)
            .err()
            .map(|error| {
                let inner = to_pointer(&error.path().to_string());
                (format!("{base}{inner}"), error.inner().to_string())
            })
    }
    for (path, item) in raw
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let base = format!("/paths/{}", escape(path));
        if let Some(found) = check::<openapiv3::PathItem>(item, base) {
            return Some(found);
        }
    }
    let sections: [(&str, Check); 5] = [
        ("schemas", check::<openapiv3::Schema>),
        ("responses", check::<openapiv3::Response>),
        ("parameters", check::<openapiv3::Parameter>),
        ("requestBodies", check::<openapiv3::RequestBody>),
        ("securitySchemes", check::<openapiv3::SecurityScheme>),
    ];
    for (section, check) in sections {
        let members = raw
            .pointer(&format!("/components/{section}"))
            .and_then(Value::as_object);
        for (name, member) in members.into_iter().flatten() {
            if let Some(found) = check(member, format!("/components/{section}/{}", escape(name))) {
                return Some(found);
            }
        }
    }
    None
}

/// Turns a `serde_path_to_error` path (`paths./v1/x.get.responses`) into a JSON pointer, using
/// the raw tree's keys where the dotted form is ambiguous.
fn to_pointer(path: &str) -> String {
    if path == "." || path.is_empty() {
        return String::new();
    }
    // Path keys themselves contain dots and slashes; rebuild segment by segment: `paths`
    // is followed by one key that runs up to the next HTTP method or `parameters`.
    let mut segments: Vec<String> = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if segments.len() == 1 && segments[0] == "paths" {
            let end = [
                ".get",
                ".put",
                ".post",
                ".delete",
                ".options",
                ".head",
                ".patch",
                ".trace",
                ".parameters",
                ".$ref",
            ]
            .iter()
            .filter_map(|marker| rest.find(marker))
            .min()
            .unwrap_or(rest.len());
            segments.push(rest[..end].to_owned());
            rest = rest[end..].strip_prefix('.').unwrap_or(&rest[end..]);
            continue;
        }
        let end = rest.find('.').unwrap_or(rest.len());
        segments.push(
            rest[..end]
                .trim_matches(|c| c == '[' || c == ']')
                .to_owned(),
        );
        rest = rest[end..].strip_prefix('.').unwrap_or("");
    }
    segments
        .iter()
        .map(|segment| format!("/{}", segment.replace('~', "~0").replace('/', "~1")))
        .collect()
}

/// Escapes one JSON-pointer segment.
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_text_that_is_not_yaml_with_the_file_name() {
        let error = parse("broken.yaml", "openapi: [unclosed").err().unwrap();
        assert!(
            error
                .to_string()
                .starts_with("broken.yaml: not a YAML or JSON document"),
            "{error}"
        );
    }

    #[test]
    fn rejects_other_openapi_versions() {
        let error = parse(
            "v31.yaml",
            "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n",
        )
        .err()
        .unwrap();
        assert_eq!(error.pointer.as_deref(), Some("/openapi"));
        assert!(error.message.contains("3.1.0"));
    }

    #[test]
    fn points_at_the_malformed_member() {
        let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /v1/x:\n    get:\n      responses: 12\n";
        let error = parse("bad.yaml", text).err().unwrap();
        assert_eq!(
            error.pointer.as_deref(),
            Some("/paths/~1v1~1x/get/responses"),
            "{error}"
        );
    }

    #[test]
    fn loads_a_minimal_document() {
        let spec = parse(
            "ok.yaml",
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n",
        )
        .unwrap();
        assert_eq!(spec.document.info.title, "t");
    }
}
