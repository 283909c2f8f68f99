//! What a condition reads: lodash-style paths into the variables (`data.plan`,
//! `items[0].sku`) and the `{{path}}` / `{{{path}}}` subset of Handlebars in condition values.

use serde_json::Value;

use super::Variables;
use super::javascript::display;

/// Follows a lodash-style path (`data.plan`, `items[0].sku`, `items.0.sku`).
pub(super) fn lookup_path<'v>(root: &'v Value, path: &str) -> Option<&'v Value> {
    let mut current = root;
    for segment in path_segments(path) {
        current = match current {
            Value::Object(map) => map.get(&segment)?,
            Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(current)
}

fn path_segments(path: &str) -> Vec<String> {
    let mut segments = Vec::new();
    let mut current = String::new();
    let mut chars = path.chars();
    while let Some(character) = chars.next() {
        match character {
            '.' => segments.push(std::mem::take(&mut current)),
            '[' => {
                if !current.is_empty() {
                    segments.push(std::mem::take(&mut current));
                }
                let inside: String = chars.by_ref().take_while(|&c| c != ']').collect();
                segments.push(inside.trim_matches(|c| c == '"' || c == '\'').to_owned());
                // A `.` right after `]` only separates.
                let rest = chars.as_str();
                if let Some(after) = rest.strip_prefix('.') {
                    chars = after.chars();
                } else if rest.is_empty() {
                    return segments;
                }
            }
            other => current.push(other),
        }
    }
    segments.push(current);
    segments
}

/// Renders the `{{path}}` / `{{{path}}}` subset of Handlebars that condition values use.
pub(super) fn render_template(template: &str, variables: &Variables) -> String {
    let mut output = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        output.push_str(&rest[..start]);
        let after = &rest[start..];
        let (raw, open, close) = if after.starts_with("{{{") {
            (true, "{{{", "}}}")
        } else {
            (false, "{{", "}}")
        };
        let Some(end) = after[open.len()..].find(close) else {
            // An unclosed tag stays literal text.
            output.push_str(after);
            return output;
        };
        let expression = after[open.len()..open.len() + end].trim();
        let text = lookup_variable(variables, expression)
            .map(template_string)
            .unwrap_or_default();
        if raw {
            output.push_str(&text);
        } else {
            output.push_str(&escape_html(&text));
        }
        rest = &after[open.len() + end + close.len()..];
    }
    output.push_str(rest);
    output
}

fn lookup_variable<'v>(variables: &'v Variables, expression: &str) -> Option<&'v Value> {
    let expression = expression.replace('/', ".");
    let (head, tail) = expression
        .split_once('.')
        .unwrap_or((expression.as_str(), ""));
    let root = match head {
        "payload" => Some(&variables.payload),
        "subscriber" => variables.subscriber.as_ref(),
        "tenant" => variables.tenant.as_ref(),
        "actor" => variables.actor.as_ref(),
        _ => None,
    }?;
    if tail.is_empty() {
        Some(root)
    } else {
        lookup_path(root, tail)
    }
}

/// How Handlebars prints a value: `null` prints nothing, arrays join with `,`.
fn template_string(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        other => display(other),
    }
}

fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '`' => escaped.push_str("&#x60;"),
            '=' => escaped.push_str("&#x3D;"),
            other => escaped.push(other),
        }
    }
    escaped
}
