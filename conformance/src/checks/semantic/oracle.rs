//! The condition oracle: what an array of `StepFilter` groups evaluates to, written from the
//! contract's own words (the descriptions of `StepFilter`, `FieldFilterPart`,
//! `TenantFilterPart`, `WebhookFilterPart`, the online parts and `FieldOperator`).
//!
//! The `conditions` check compares it with what a server delivers. It is deliberately
//! independent of the reference server's evaluator: an evaluator shared by both sides would
//! agree with its own mistakes. Parts whose result depends on the world outside the trigger
//! (a webhook's answer, a previous step's message, the time since the subscriber was online)
//! are decided by the caller.

use std::cmp::Ordering;

use serde_json::Value;

/// The three results a condition can have (`StepFilter`, "Errors").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The condition holds.
    Pass,
    /// The condition does not hold.
    Fail,
    /// The condition could not be evaluated (an `IN` on a number, a failed webhook call).
    Error,
}

/// The objects field conditions read: `null` where the trigger has none.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// The trigger's payload after the workflow's variable defaults.
    pub payload: Value,
    /// The stored recipient subscriber.
    pub subscriber: Value,
    /// The tenant named by the trigger.
    pub tenant: Value,
    /// The actor (only visible to value templates).
    pub actor: Value,
}

/// The result of an array of groups, with one line per evaluated condition.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// The result.
    pub verdict: Verdict,
    /// What each evaluated condition compared and found, in evaluation order.
    pub trace: Vec<String>,
}

/// Evaluates `filters` (an array of `StepFilter` groups) in `scope`; `outside` decides the
/// parts that depend on the world outside the trigger (`webhook`, `previousStep`, and
/// `isOnlineInLast` for a subscriber that is offline but has a `lastOnlineAt`).
pub fn evaluate(
    filters: &[Value],
    scope: &Scope,
    outside: &dyn Fn(&Value) -> Verdict,
) -> Evaluation {
    let mut trace = Vec::new();
    // "An absent or empty array passes"; the groups are alternatives, the first group that
    // passes or is in error ends the evaluation.
    for group in filters {
        match evaluate_group(group, scope, outside, &mut trace) {
            Verdict::Fail => {}
            decided => {
                return Evaluation {
                    verdict: decided,
                    trace,
                };
            }
        }
    }
    let verdict = if filters.is_empty() {
        Verdict::Pass
    } else {
        Verdict::Fail
    };
    Evaluation { verdict, trace }
}

fn evaluate_group(
    group: &Value,
    scope: &Scope,
    outside: &dyn Fn(&Value) -> Verdict,
    trace: &mut Vec<String>,
) -> Verdict {
    let children = group["children"].as_array().cloned().unwrap_or_default();
    match children.as_slice() {
        [] => {
            trace.push("a group without children passes".into());
            Verdict::Pass
        }
        // With exactly one child `value` is not consulted.
        [only] => evaluate_part(only, scope, outside, trace),
        _ => {
            let (plain, webhooks): (Vec<&Value>, Vec<&Value>) =
                children.iter().partition(|child| child["on"] != "webhook");
            match group["value"].as_str() {
                Some("AND") => {
                    // Every non-webhook child is evaluated; an error outranks a failure.
                    let results: Vec<Verdict> = plain
                        .iter()
                        .map(|child| evaluate_part(child, scope, outside, trace))
                        .collect();
                    if results.contains(&Verdict::Error) {
                        return Verdict::Error;
                    }
                    if results.contains(&Verdict::Fail) {
                        return Verdict::Fail;
                    }
                    // "only when all of them pass are its webhook children called, and all of
                    // those must pass": all are called, and, as for the others, an error
                    // outranks a failure.
                    let results: Vec<Verdict> = webhooks
                        .iter()
                        .map(|child| evaluate_part(child, scope, outside, trace))
                        .collect();
                    if results.contains(&Verdict::Error) {
                        Verdict::Error
                    } else if results.contains(&Verdict::Fail) {
                        Verdict::Fail
                    } else {
                        Verdict::Pass
                    }
                }
                Some("OR") => {
                    for child in plain.into_iter().chain(webhooks) {
                        match evaluate_part(child, scope, outside, trace) {
                            Verdict::Fail => {}
                            decided => return decided,
                        }
                    }
                    Verdict::Fail
                }
                other => {
                    trace.push(format!(
                        "a group of {} children with value {} fails unevaluated",
                        children.len(),
                        other.map_or("(absent)".to_owned(), |value| format!("{value:?}"))
                    ));
                    Verdict::Fail
                }
            }
        }
    }
}

fn evaluate_part(
    part: &Value,
    scope: &Scope,
    outside: &dyn Fn(&Value) -> Verdict,
    trace: &mut Vec<String>,
) -> Verdict {
    let on = part["on"].as_str().unwrap_or_default();
    let verdict = match on {
        "payload" | "subscriber" | "tenant" => {
            let source = match on {
                "payload" => &scope.payload,
                "subscriber" => &scope.subscriber,
                _ => &scope.tenant,
            };
            let field = part["field"].as_str().unwrap_or_default();
            let actual = lookup(source, field);
            let template = match &part["value"] {
                Value::String(text) => text.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            let expected = render(&template, scope);
            let operator = part["operator"].as_str().unwrap_or_default();
            let verdict = compare(actual, operator, &expected);
            trace.push(format!(
                "{on}.{field} ({}) {operator} {expected:?}: {verdict:?}",
                actual.map_or("missing".to_owned(), Value::to_string)
            ));
            return verdict;
        }
        "isOnline" => {
            let subscriber = &scope.subscriber;
            if subscriber.get("isOnline").is_none() && subscriber.get("lastOnlineAt").is_none() {
                Verdict::Fail
            } else if subscriber["isOnline"] == part["value"] {
                Verdict::Pass
            } else {
                Verdict::Fail
            }
        }
        "isOnlineInLast" => {
            let subscriber = &scope.subscriber;
            if subscriber["isOnline"] == true {
                Verdict::Pass
            } else if subscriber.get("isOnline").is_none()
                && subscriber.get("lastOnlineAt").is_none()
            {
                Verdict::Fail
            } else {
                outside(part)
            }
        }
        _ => outside(part),
    };
    trace.push(format!("{on} {part}: {verdict:?}"));
    verdict
}

/// Follows `path` from `source`: property names separated by `.`, where `name[i]` or a
/// segment `i` selects an array element. `None` is *missing*.
pub fn lookup<'a>(source: &'a Value, path: &str) -> Option<&'a Value> {
    let mut current = source;
    for segment in path.split('.') {
        let (name, indexes) = match segment.find('[') {
            Some(open) => (&segment[..open], &segment[open..]),
            None => (segment, ""),
        };
        if !name.is_empty() || indexes.is_empty() {
            current = step(current, name)?;
        }
        let mut rest = indexes;
        while let Some(inner) = rest.strip_prefix('[') {
            let close = inner.find(']')?;
            let index: usize = inner[..close].parse().ok()?;
            current = current.as_array()?.get(index)?;
            rest = &inner[close + 1..];
        }
        if !rest.is_empty() {
            return None;
        }
    }
    Some(current)
}

fn step<'a>(current: &'a Value, name: &str) -> Option<&'a Value> {
    match current {
        Value::Object(fields) => fields.get(name),
        Value::Array(items) => items.get(name.parse::<usize>().ok()?),
        _ => None,
    }
}

/// Renders a condition's `value` template: `{{path}}` HTML-escaped, `{{{path}}}` as is, a path
/// that leads nowhere and any other expression as nothing, an unclosed `{{` kept as text.
pub fn render(template: &str, scope: &Scope) -> String {
    let mut output = String::new();
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        output.push_str(&rest[..open]);
        let after = &rest[open..];
        let (raw, opener, closer) = if after.starts_with("{{{") {
            (true, 3, "}}}")
        } else {
            (false, 2, "}}")
        };
        let Some(close) = after[opener..].find(closer) else {
            output.push_str(after);
            return output;
        };
        let expression = after[opener..opener + close].trim();
        let text = expression_text(expression, scope);
        if raw {
            output.push_str(&text);
        } else {
            output.push_str(&escape_html(&text));
        }
        rest = &after[opener + close + closer.len()..];
    }
    output.push_str(rest);
    output
}

fn expression_text(expression: &str, scope: &Scope) -> String {
    let path_like = !expression.is_empty()
        && expression
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '$' | '-'));
    if !path_like {
        return String::new();
    }
    let (root, path) = expression.split_once('.').unwrap_or((expression, ""));
    let source = match root {
        "payload" => &scope.payload,
        "subscriber" => &scope.subscriber,
        "tenant" => &scope.tenant,
        "actor" => &scope.actor,
        _ => return String::new(),
    };
    let found = if path.is_empty() {
        Some(source)
    } else {
        lookup(source, path)
    };
    match found {
        None | Some(Value::Null) => String::new(),
        Some(value) => js_string(value),
    }
}

// Handlebars' entities for the characters the contract names.
fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
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

/// A value after *E* was converted to the type of *A* (`FieldOperator`, "Coercion").
#[derive(Debug, Clone, PartialEq)]
enum Js {
    Missing,
    Null,
    Bool(bool),
    Number(f64),
    Text(String),
    Array(Vec<Value>),
    Object,
}

impl Js {
    fn of(value: Option<&Value>) -> Js {
        match value {
            None => Js::Missing,
            Some(Value::Null) => Js::Null,
            Some(Value::Bool(flag)) => Js::Bool(*flag),
            Some(Value::Number(number)) => Js::Number(number.as_f64().unwrap_or(f64::NAN)),
            Some(Value::String(text)) => Js::Text(text.clone()),
            Some(Value::Array(items)) => Js::Array(items.clone()),
            Some(Value::Object(_)) => Js::Object,
        }
    }

    /// `expected` converted to the type of `self`.
    fn coerce(&self, expected: &str) -> Js {
        match self {
            Js::Number(_) => Js::Number(js_number(expected)),
            Js::Bool(_) => Js::Bool(expected == "true"),
            _ => Js::Text(expected.to_owned()),
        }
    }

    fn to_number(&self) -> f64 {
        match self {
            Js::Null => 0.0,
            Js::Bool(flag) => f64::from(u8::from(*flag)),
            Js::Number(number) => *number,
            Js::Text(text) => js_number(text),
            Js::Missing | Js::Array(_) | Js::Object => f64::NAN,
        }
    }
}

/// Compares the actual value (`None`: missing) with the rendered expected value by `operator`.
pub fn compare(actual: Option<&Value>, operator: &str, expected: &str) -> Verdict {
    let actual = Js::of(actual);
    let coerced = actual.coerce(expected);
    let verdict = |holds: bool| if holds { Verdict::Pass } else { Verdict::Fail };
    match operator {
        "EQUAL" => verdict(equal(&actual, &coerced)),
        "NOT_EQUAL" => verdict(!equal(&actual, &coerced)),
        "LARGER" => verdict(relation(&actual, &coerced, |order| {
            order == Ordering::Greater
        })),
        "SMALLER" => verdict(relation(&actual, &coerced, |order| order == Ordering::Less)),
        "LARGER_EQUAL" => verdict(relation(&actual, &coerced, |order| order != Ordering::Less)),
        "SMALLER_EQUAL" => verdict(relation(&actual, &coerced, |order| {
            order != Ordering::Greater
        })),
        "IN" => match contains(&actual, expected) {
            Some(found) => verdict(found),
            None => Verdict::Error,
        },
        "NOT_IN" => match contains(&actual, expected) {
            Some(found) => verdict(!found),
            None => Verdict::Error,
        },
        "ANY_IN" | "ALL_IN" => {
            let items: Vec<&str> = expected
                .split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .collect();
            if items.is_empty() {
                return Verdict::Fail;
            }
            let found: Option<Vec<bool>> =
                items.iter().map(|item| contains(&actual, item)).collect();
            match found {
                None => Verdict::Fail,
                Some(found) if operator == "ANY_IN" => verdict(found.contains(&true)),
                Some(found) => verdict(found.iter().all(|hit| *hit)),
            }
        }
        "BETWEEN" | "NOT_BETWEEN" => {
            let Some((low, high)) = expected.split_once(',') else {
                return Verdict::Fail;
            };
            let (low, high) = (actual.coerce(low), actual.coerce(high));
            if operator == "BETWEEN" {
                verdict(
                    relation(&actual, &low, |order| order != Ordering::Less)
                        && relation(&actual, &high, |order| order != Ordering::Greater),
                )
            } else {
                verdict(
                    relation(&actual, &low, |order| order == Ordering::Less)
                        || relation(&actual, &high, |order| order == Ordering::Greater),
                )
            }
        }
        "LIKE" | "NOT_LIKE" => match &actual {
            Js::Text(text) => {
                let matched = like(text, expected);
                verdict(if operator == "LIKE" {
                    matched
                } else {
                    !matched
                })
            }
            _ => Verdict::Fail,
        },
        "IS_DEFINED" => verdict(!matches!(actual, Js::Missing)),
        _ => Verdict::Fail,
    }
}

fn equal(actual: &Js, expected: &Js) -> bool {
    match (actual, expected) {
        (Js::Number(left), Js::Number(right)) => left == right,
        (Js::Text(left), Js::Text(right)) => left == right,
        (Js::Bool(left), Js::Bool(right)) => left == right,
        _ => false,
    }
}

/// JavaScript's relational comparison of `actual` with `expected`; `holds` judges the order.
fn relation(actual: &Js, expected: &Js, holds: impl Fn(Ordering) -> bool) -> bool {
    let actual = match actual {
        Js::Missing => return false,
        Js::Array(items) => Js::Text(join(items)),
        Js::Object => Js::Text("[object Object]".into()),
        other => other.clone(),
    };
    if let (Js::Text(left), Js::Text(right)) = (&actual, expected) {
        return holds(left.encode_utf16().cmp(right.encode_utf16()));
    }
    let (left, right) = (actual.to_number(), expected.to_number());
    match left.partial_cmp(&right) {
        Some(order) => holds(order),
        None => false,
    }
}

/// `IN`'s "A contains E"; `None` when *A* can contain nothing (the condition is in error).
fn contains(actual: &Js, item: &str) -> Option<bool> {
    match actual {
        Js::Text(text) => Some(text.contains(item)),
        Js::Array(items) => Some(items.iter().any(|element| element.as_str() == Some(item))),
        _ => None,
    }
}

/// `LIKE`: `%` any run, `_` one character, `\` escapes the next (a final `\` is itself).
fn like(text: &str, pattern: &str) -> bool {
    enum Token {
        Any,
        One,
        Literal(char),
    }
    let mut tokens = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        tokens.push(match c {
            '%' => Token::Any,
            '_' => Token::One,
            '\\' => Token::Literal(chars.next().unwrap_or('\\')),
            other => Token::Literal(other),
        });
    }
    let text: Vec<char> = text.chars().collect();
    // matches[j]: the tokens so far match the first j characters.
    let mut matches = vec![false; text.len() + 1];
    matches[0] = true;
    for token in &tokens {
        let mut next = vec![false; text.len() + 1];
        for j in 0..=text.len() {
            next[j] = match token {
                Token::Any => matches[j] || (j > 0 && next[j - 1]),
                Token::One => j > 0 && matches[j - 1],
                Token::Literal(c) => j > 0 && matches[j - 1] && text[j - 1] == *c,
            };
        }
        matches = next;
    }
    matches[text.len()]
}

/// JavaScript's `Number(text)`.
pub fn js_number(text: &str) -> f64 {
    let trimmed = text.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if trimmed.is_empty() {
        return 0.0;
    }
    match trimmed {
        "Infinity" | "+Infinity" => return f64::INFINITY,
        "-Infinity" => return f64::NEG_INFINITY,
        _ => {}
    }
    let radix = match trimmed.get(..2) {
        Some("0x" | "0X") => Some(16),
        Some("0o" | "0O") => Some(8),
        Some("0b" | "0B") => Some(2),
        _ => None,
    };
    if let Some(radix) = radix {
        let digits = &trimmed[2..];
        if digits.is_empty() {
            return f64::NAN;
        }
        let mut value = 0.0;
        for c in digits.chars() {
            match c.to_digit(radix) {
                Some(digit) => value = value * f64::from(radix) + f64::from(digit),
                None => return f64::NAN,
            }
        }
        return value;
    }
    if !is_decimal_literal(trimmed) {
        return f64::NAN;
    }
    trimmed.parse().unwrap_or(f64::NAN)
}

/// `[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?`
fn is_decimal_literal(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut index = usize::from(matches!(bytes.first(), Some(b'+' | b'-')));
    let digits = |index: &mut usize| {
        let start = *index;
        while bytes.get(*index).is_some_and(u8::is_ascii_digit) {
            *index += 1;
        }
        *index - start
    };
    let mut mantissa = digits(&mut index);
    if bytes.get(index) == Some(&b'.') {
        index += 1;
        mantissa += digits(&mut index);
    }
    if mantissa == 0 {
        return false;
    }
    if matches!(bytes.get(index), Some(b'e' | b'E')) {
        index += 1;
        if matches!(bytes.get(index), Some(b'+' | b'-')) {
            index += 1;
        }
        if digits(&mut index) == 0 {
            return false;
        }
    }
    index == bytes.len()
}

/// JavaScript's `String(value)` for what templates and array joins show.
fn js_string(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => match number.as_f64() {
            Some(float) if float.fract() == 0.0 && float.abs() < 1e21 => format!("{float:.0}"),
            Some(float) => float.to_string(),
            None => number.to_string(),
        },
        Value::String(text) => text.clone(),
        Value::Array(items) => join(items),
        Value::Object(_) => "[object Object]".into(),
    }
}

fn join(items: &[Value]) -> String {
    items.iter().map(js_string).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests;
