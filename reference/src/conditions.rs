//! The condition evaluator: step `filters`, variant `filters` and integration `conditions`.
//!
//! It implements the prose of the spec's `StepFilter`, filter part and `FieldOperator`
//! schemas over the stored JSON of the groups, so it does not depend on the generated types.
//! Everything outside the process (the clock, earlier steps' messages, webhook calls) comes in
//! through [`Hooks`], which keeps the evaluator synchronous and deterministic under test.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use serde_json::Value;

/// The result of evaluating conditions: a condition can also fail to evaluate at all.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    Pass,
    Fail,
    Error(String),
}

/// One evaluated condition, as execution details record it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Condition {
    /// `Payload`, `Subscriber`, `Tenant`, `Webhook`, `Is online`, `Last time was online` or
    /// `Previous step`.
    pub(crate) filter: &'static str,
    pub(crate) field: String,
    pub(crate) expected: String,
    pub(crate) actual: String,
    pub(crate) operator: String,
    pub(crate) passed: bool,
}

/// The outcome of a whole array of groups and the conditions evaluated on the way.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Evaluation {
    pub(crate) outcome: Outcome,
    pub(crate) conditions: Vec<Condition>,
}

/// What field conditions and templates can see.
#[derive(Debug, Clone, Default)]
pub(crate) struct Variables {
    pub(crate) payload: Value,
    pub(crate) subscriber: Option<Value>,
    pub(crate) tenant: Option<Value>,
    pub(crate) actor: Option<Value>,
}

/// The read state of the message an earlier step produced. For email the caller reports an
/// `opened` event as both `read` and `seen`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PreviousStepMessage {
    pub(crate) read: bool,
    pub(crate) seen: bool,
}

/// The outside world as the evaluator needs it.
pub(crate) struct Hooks<'a> {
    /// "Now" for `isOnlineInLast`.
    pub(crate) now: DateTime<Utc>,
    /// The message the step with this uuid produced for the same subscriber and transaction.
    pub(crate) previous_step: &'a dyn Fn(&str) -> Option<PreviousStepMessage>,
    /// Calls `webhookUrl` and answers its JSON, or why the call failed.
    pub(crate) call_webhook: &'a dyn Fn(&str) -> Result<Value, String>,
}

/// Evaluates an array of groups: the groups are ordered alternatives.
pub(crate) fn evaluate(groups: &[Value], variables: &Variables, hooks: &Hooks<'_>) -> Evaluation {
    let mut conditions = Vec::new();
    let mut outcome = if groups.is_empty() {
        Outcome::Pass
    } else {
        Outcome::Fail
    };
    for group in groups {
        match evaluate_group(group, variables, hooks, &mut conditions) {
            Outcome::Fail => continue,
            decided => {
                outcome = decided;
                break;
            }
        }
    }
    Evaluation {
        outcome,
        conditions,
    }
}

fn evaluate_group(
    group: &Value,
    variables: &Variables,
    hooks: &Hooks<'_>,
    conditions: &mut Vec<Condition>,
) -> Outcome {
    let children: &[Value] = group
        .get("children")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice);
    match children {
        [] => return Outcome::Pass,
        [only] => return evaluate_part(only, variables, hooks, conditions),
        _ => {}
    }
    // Webhook conditions run after the other children of their group.
    let is_webhook = |child: &&Value| child.get("on").and_then(Value::as_str) == Some("webhook");
    let ordered = children
        .iter()
        .filter(|child| !is_webhook(child))
        .chain(children.iter().filter(is_webhook));
    match group.get("value").and_then(Value::as_str) {
        Some("AND") => {
            // Every non-webhook child is evaluated; webhooks are called only when all of
            // those passed.
            let (webhooks, others): (Vec<&Value>, Vec<&Value>) =
                children.iter().partition(is_webhook);
            let all_of = |parts: Vec<&Value>, conditions: &mut Vec<Condition>| {
                let mut first_error = None;
                let mut all_pass = true;
                for child in parts {
                    match evaluate_part(child, variables, hooks, conditions) {
                        Outcome::Pass => {}
                        Outcome::Fail => all_pass = false,
                        Outcome::Error(reason) => {
                            first_error.get_or_insert(reason);
                        }
                    }
                }
                match first_error {
                    Some(reason) => Outcome::Error(reason),
                    None if all_pass => Outcome::Pass,
                    None => Outcome::Fail,
                }
            };
            match all_of(others, conditions) {
                Outcome::Pass => all_of(webhooks, conditions),
                decided => decided,
            }
        }
        Some("OR") => {
            for child in ordered {
                match evaluate_part(child, variables, hooks, conditions) {
                    Outcome::Fail => {}
                    decided => return decided,
                }
            }
            Outcome::Fail
        }
        _ => Outcome::Fail,
    }
}

fn evaluate_part(
    part: &Value,
    variables: &Variables,
    hooks: &Hooks<'_>,
    conditions: &mut Vec<Condition>,
) -> Outcome {
    let on = part.get("on").and_then(Value::as_str).unwrap_or_default();
    match on {
        "payload" => evaluate_field(
            part,
            "Payload",
            Some(&variables.payload),
            variables,
            conditions,
        ),
        "subscriber" => evaluate_field(
            part,
            "Subscriber",
            variables.subscriber.as_ref(),
            variables,
            conditions,
        ),
        "tenant" => evaluate_field(
            part,
            "Tenant",
            variables.tenant.as_ref(),
            variables,
            conditions,
        ),
        "webhook" => {
            let url = part
                .get("webhookUrl")
                .and_then(Value::as_str)
                .unwrap_or_default();
            match (hooks.call_webhook)(url) {
                Ok(answer) => evaluate_field(part, "Webhook", Some(&answer), variables, conditions),
                Err(reason) => {
                    conditions.push(Condition {
                        filter: "Webhook",
                        field: string_property(part, "field"),
                        expected: string_property(part, "value"),
                        actual: String::new(),
                        operator: string_property(part, "operator"),
                        passed: false,
                    });
                    Outcome::Error(format!("webhook `{url}` failed: {reason}"))
                }
            }
        }
        "isOnline" => evaluate_is_online(part, variables, conditions),
        "isOnlineInLast" => evaluate_is_online_in_last(part, variables, hooks, conditions),
        "previousStep" => evaluate_previous_step(part, hooks, conditions),
        _ => Outcome::Fail,
    }
}

fn string_property(part: &Value, name: &str) -> String {
    part.get(name).map(display).unwrap_or_default()
}

fn evaluate_field(
    part: &Value,
    label: &'static str,
    root: Option<&Value>,
    variables: &Variables,
    conditions: &mut Vec<Condition>,
) -> Outcome {
    let field = string_property(part, "field");
    let operator = string_property(part, "operator");
    let template = string_property(part, "value");
    let expected = render_template(&template, variables);
    let actual = root.and_then(|root| lookup_path(root, &field));
    let outcome = compare(&operator, actual, &expected);
    conditions.push(Condition {
        filter: label,
        field,
        expected: expected.clone(),
        actual: match actual {
            Some(array @ Value::Array(_)) => array.to_string(),
            Some(value) => display(value),
            None => String::new(),
        },
        operator,
        passed: outcome == Outcome::Pass,
    });
    outcome
}

fn evaluate_is_online(
    part: &Value,
    variables: &Variables,
    conditions: &mut Vec<Condition>,
) -> Outcome {
    let subscriber = variables.subscriber.as_ref();
    let is_online = subscriber.and_then(|subscriber| subscriber.get("isOnline"));
    let reported = subscriber
        .is_some_and(|subscriber| is_online.is_some() || subscriber.get("lastOnlineAt").is_some());
    let expected = part.get("value");
    let passed = reported
        && matches!((is_online, expected), (Some(Value::Bool(a)), Some(Value::Bool(e))) if a == e);
    conditions.push(Condition {
        filter: "Is online",
        field: "isOnline".to_owned(),
        expected: expected.map(display).unwrap_or_default(),
        actual: is_online.map(display).unwrap_or_default(),
        operator: "EQUAL".to_owned(),
        passed,
    });
    pass_if(passed)
}

fn evaluate_is_online_in_last(
    part: &Value,
    variables: &Variables,
    hooks: &Hooks<'_>,
    conditions: &mut Vec<Condition>,
) -> Outcome {
    let subscriber = variables.subscriber.as_ref();
    let is_online = subscriber.and_then(|subscriber| subscriber.get("isOnline"));
    let last_online_at = subscriber.and_then(|subscriber| subscriber.get("lastOnlineAt"));
    let limit = part.get("value").and_then(Value::as_f64);
    let unit = string_property(part, "timeOperator");
    let passed = if is_online.is_none() && last_online_at.is_none() {
        false
    } else if is_online == Some(&Value::Bool(true)) {
        true
    } else {
        // With no `lastOnlineAt` the elapsed time is measured from now, so it is 0.
        let elapsed = match last_online_at.and_then(Value::as_str) {
            None if last_online_at.is_none() => Some(chrono::TimeDelta::zero()),
            None => None,
            Some(text) => DateTime::parse_from_rfc3339(text)
                .ok()
                .map(|at| hooks.now.signed_duration_since(at.with_timezone(&Utc))),
        };
        // `num_*` truncate toward zero, as the spec's "whole units" asks.
        let whole_units = elapsed.and_then(|elapsed| match unit.as_str() {
            "days" => Some(elapsed.num_days()),
            "hours" => Some(elapsed.num_hours()),
            "minutes" => Some(elapsed.num_minutes()),
            _ => None,
        });
        match (whole_units, limit) {
            (Some(units), Some(limit)) => units >= 0 && (units as f64) <= limit,
            _ => false,
        }
    };
    conditions.push(Condition {
        filter: "Last time was online",
        field: "lastOnlineAt".to_owned(),
        expected: format!(
            "{} {unit}",
            part.get("value").map(display).unwrap_or_default()
        ),
        actual: last_online_at.map(display).unwrap_or_default(),
        operator: "SMALLER_EQUAL".to_owned(),
        passed,
    });
    pass_if(passed)
}

fn evaluate_previous_step(
    part: &Value,
    hooks: &Hooks<'_>,
    conditions: &mut Vec<Condition>,
) -> Outcome {
    let step = string_property(part, "step");
    let step_type = string_property(part, "stepType");
    let message = (hooks.previous_step)(&step);
    let passed = match message {
        None => true,
        Some(message) => match step_type.as_str() {
            "read" => message.read,
            "unread" => !message.read,
            "seen" => message.seen,
            "unseen" => !message.seen,
            _ => false,
        },
    };
    conditions.push(Condition {
        filter: "Previous step",
        field: step,
        expected: step_type,
        actual: match message {
            None => String::new(),
            Some(message) => format!("read: {}, seen: {}", message.read, message.seen),
        },
        operator: "EQUAL".to_owned(),
        passed,
    });
    pass_if(passed)
}

fn pass_if(passed: bool) -> Outcome {
    if passed { Outcome::Pass } else { Outcome::Fail }
}

/// Follows a lodash-style path (`data.plan`, `items[0].sku`, `items.0.sku`).
fn lookup_path<'v>(root: &'v Value, path: &str) -> Option<&'v Value> {
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
fn render_template(template: &str, variables: &Variables) -> String {
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

/// JavaScript's `String(value)` (template literal conversion).
fn display(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => number_to_js_string(number.as_f64().unwrap_or(f64::NAN)),
        Value::String(text) => text.clone(),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::Null => String::new(),
                other => display(other),
            })
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(_) => "[object Object]".to_owned(),
    }
}

/// JavaScript's `Number::toString()`.
fn number_to_js_string(number: f64) -> String {
    if number.is_nan() {
        return "NaN".to_owned();
    }
    if number.is_infinite() {
        return if number > 0.0 {
            "Infinity"
        } else {
            "-Infinity"
        }
        .to_owned();
    }
    if number == 0.0 {
        return "0".to_owned();
    }
    // `{:e}` gives the shortest round-tripping digits; place the point as ECMAScript does.
    let scientific = format!("{:e}", number.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exponent: i64 = exponent.parse().unwrap_or(0);
    let count = digits.len() as i64;
    let point = exponent + 1;
    let body = if count <= point && point <= 21 {
        format!("{digits}{}", "0".repeat((point - count) as usize))
    } else if 0 < point && point <= 21 {
        format!(
            "{}.{}",
            &digits[..point as usize],
            &digits[point as usize..]
        )
    } else if -6 < point && point <= 0 {
        format!("0.{}{digits}", "0".repeat((-point) as usize))
    } else {
        let sign = if point > 0 { "+" } else { "-" };
        let magnitude = (point - 1).abs();
        if count == 1 {
            format!("{digits}e{sign}{magnitude}")
        } else {
            format!("{}.{}e{sign}{magnitude}", &digits[..1], &digits[1..])
        }
    };
    if number < 0.0 {
        format!("-{body}")
    } else {
        body
    }
}

/// JavaScript's `Number(text)` for a string.
fn js_number(text: &str) -> f64 {
    let trimmed = text.trim_matches(is_js_whitespace);
    if trimmed.is_empty() {
        return 0.0;
    }
    for (prefix, radix) in [
        ("0x", 16),
        ("0X", 16),
        ("0o", 8),
        ("0O", 8),
        ("0b", 2),
        ("0B", 2),
    ] {
        if let Some(digits) = trimmed.strip_prefix(prefix) {
            if digits.is_empty() {
                return f64::NAN;
            }
            let mut value = 0.0_f64;
            for digit in digits.chars() {
                match digit.to_digit(radix) {
                    Some(digit) => value = value * f64::from(radix) + f64::from(digit),
                    None => return f64::NAN,
                }
            }
            return value;
        }
    }
    let (negative, unsigned) = match trimmed.as_bytes()[0] {
        b'-' => (true, &trimmed[1..]),
        b'+' => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    let magnitude = if unsigned == "Infinity" {
        f64::INFINITY
    } else if is_decimal_literal(unsigned) {
        unsigned.parse::<f64>().unwrap_or(f64::NAN)
    } else {
        f64::NAN
    };
    if negative { -magnitude } else { magnitude }
}

/// `digits [. digits] [e [+-] digits]` or `. digits [e …]`, with at least one mantissa digit.
fn is_decimal_literal(text: &str) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
    let mantissa_ok =
        all_digits(whole) && all_digits(fraction) && !(whole.is_empty() && fraction.is_empty());
    let exponent_ok = exponent.is_none_or(|exponent| {
        let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        !digits.is_empty() && all_digits(digits)
    });
    mantissa_ok && exponent_ok
}

/// ECMAScript's WhiteSpace and LineTerminator characters, which `Number()` trims.
fn is_js_whitespace(character: char) -> bool {
    matches!(
        character,
        '\u{9}' | '\u{A}' | '\u{B}' | '\u{C}' | '\u{D}' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

/// A JavaScript value after the expected string was converted to the actual value's type.
#[derive(Debug, Clone, PartialEq)]
enum Js {
    Undefined,
    Null,
    Boolean(bool),
    Number(f64),
    String(String),
}

/// `ToPrimitive` for the actual value: arrays and objects become strings.
fn actual_primitive(actual: Option<&Value>) -> Js {
    match actual {
        None => Js::Undefined,
        Some(Value::Null) => Js::Null,
        Some(Value::Bool(flag)) => Js::Boolean(*flag),
        Some(Value::Number(number)) => Js::Number(number.as_f64().unwrap_or(f64::NAN)),
        Some(Value::String(text)) => Js::String(text.clone()),
        Some(other) => Js::String(display(other)),
    }
}

/// Converts an expected string to the type of the actual value.
fn coerce(expected: &str, actual: Option<&Value>) -> Js {
    match actual {
        Some(Value::Number(_)) => Js::Number(js_number(expected)),
        Some(Value::Bool(_)) => Js::Boolean(expected == "true"),
        _ => Js::String(expected.to_owned()),
    }
}

fn to_number(value: &Js) -> f64 {
    match value {
        Js::Undefined => f64::NAN,
        Js::Null => 0.0,
        Js::Boolean(flag) => f64::from(u8::from(*flag)),
        Js::Number(number) => *number,
        Js::String(text) => js_number(text),
    }
}

/// JavaScript's abstract relational comparison; `None` when it is undefined (NaN).
fn relational(left: &Js, right: &Js) -> Option<Ordering> {
    if matches!(left, Js::Undefined) || matches!(right, Js::Undefined) {
        return None;
    }
    if let (Js::String(left), Js::String(right)) = (left, right) {
        return Some(left.encode_utf16().cmp(right.encode_utf16()));
    }
    to_number(left).partial_cmp(&to_number(right))
}

fn compare(operator: &str, actual: Option<&Value>, expected: &str) -> Outcome {
    let left = actual_primitive(actual);
    let right = coerce(expected, actual);
    let ordering = || relational(&left, &right);
    match operator {
        "EQUAL" => pass_if(strict_equal(actual, &right)),
        "NOT_EQUAL" => pass_if(!strict_equal(actual, &right)),
        "LARGER" => pass_if(ordering() == Some(Ordering::Greater)),
        "SMALLER" => pass_if(ordering() == Some(Ordering::Less)),
        "LARGER_EQUAL" => pass_if(matches!(
            ordering(),
            Some(Ordering::Greater | Ordering::Equal)
        )),
        "SMALLER_EQUAL" => pass_if(matches!(ordering(), Some(Ordering::Less | Ordering::Equal))),
        "IN" | "NOT_IN" => match contains(actual, expected) {
            Some(found) => pass_if(found == (operator == "IN")),
            None => Outcome::Error(format!(
                "{operator} needs a string or an array, found {}",
                type_name(actual)
            )),
        },
        "ANY_IN" | "ALL_IN" => {
            let items: Vec<&str> = expected
                .split(',')
                .map(|item| item.trim_matches(is_js_whitespace))
                .filter(|item| !item.is_empty())
                .collect();
            let found: Option<Vec<bool>> =
                items.iter().map(|item| contains(actual, item)).collect();
            match found {
                Some(found) if !found.is_empty() => pass_if(if operator == "ANY_IN" {
                    found.iter().any(|&hit| hit)
                } else {
                    found.iter().all(|&hit| hit)
                }),
                _ => Outcome::Fail,
            }
        }
        "BETWEEN" | "NOT_BETWEEN" => {
            let Some((low, high)) = expected.split_once(',') else {
                return Outcome::Fail;
            };
            let low = relational(&left, &coerce(low, actual));
            let high = relational(&left, &coerce(high, actual));
            if operator == "BETWEEN" {
                pass_if(
                    matches!(low, Some(Ordering::Greater | Ordering::Equal))
                        && matches!(high, Some(Ordering::Less | Ordering::Equal)),
                )
            } else {
                pass_if(low == Some(Ordering::Less) || high == Some(Ordering::Greater))
            }
        }
        "LIKE" | "NOT_LIKE" => match actual {
            Some(Value::String(text)) => pass_if(like(text, expected) == (operator == "LIKE")),
            _ => Outcome::Fail,
        },
        _ => Outcome::Fail,
    }
}

fn strict_equal(actual: Option<&Value>, expected: &Js) -> bool {
    match (actual, expected) {
        (Some(Value::Number(number)), Js::Number(expected)) => {
            number.as_f64().is_some_and(|number| number == *expected)
        }
        (Some(Value::String(text)), Js::String(expected)) => text == expected,
        (Some(Value::Bool(flag)), Js::Boolean(expected)) => flag == expected,
        _ => false,
    }
}

/// "The actual value contains the expected one"; `None` when the actual value cannot contain.
fn contains(actual: Option<&Value>, expected: &str) -> Option<bool> {
    match actual {
        Some(Value::String(text)) => Some(text.contains(expected)),
        Some(Value::Array(items)) => Some(items.iter().any(|item| item.as_str() == Some(expected))),
        _ => None,
    }
}

fn type_name(value: Option<&Value>) -> &'static str {
    match value {
        None => "a missing value",
        Some(Value::Null) => "null",
        Some(Value::Bool(_)) => "a boolean",
        Some(Value::Number(_)) => "a number",
        Some(Value::String(_)) => "a string",
        Some(Value::Array(_)) => "an array",
        Some(Value::Object(_)) => "an object",
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Token {
    AnyRun,
    AnyOne,
    Literal(char),
}

/// SQL-style `LIKE` over whole strings; a trailing lone `\` matches itself.
fn like(text: &str, pattern: &str) -> bool {
    let mut tokens = Vec::new();
    let mut characters = pattern.chars();
    while let Some(character) = characters.next() {
        tokens.push(match character {
            '%' => Token::AnyRun,
            '_' => Token::AnyOne,
            '\\' => Token::Literal(characters.next().unwrap_or('\\')),
            other => Token::Literal(other),
        });
    }
    let text: Vec<char> = text.chars().collect();
    // matches[j]: the tokens seen so far match text[..j].
    let mut matches = vec![false; text.len() + 1];
    matches[0] = true;
    for token in tokens {
        let mut next = vec![false; text.len() + 1];
        for j in 0..=text.len() {
            next[j] = match token {
                Token::AnyRun => matches[j] || (j > 0 && next[j - 1]),
                Token::AnyOne => j > 0 && matches[j - 1],
                Token::Literal(expected) => j > 0 && matches[j - 1] && text[j - 1] == expected,
            };
        }
        matches = next;
    }
    matches[text.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn no_previous(_: &str) -> Option<PreviousStepMessage> {
        None
    }

    fn no_webhook(_: &str) -> Result<Value, String> {
        Err("no webhook in this test".to_owned())
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2024-05-10T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn hooks() -> Hooks<'static> {
        Hooks {
            now: now(),
            previous_step: &no_previous,
            call_webhook: &no_webhook,
        }
    }

    fn run(groups: Value, variables: &Variables) -> Evaluation {
        evaluate(groups.as_array().unwrap(), variables, &hooks())
    }

    fn field(on: &str, path: &str, operator: &str, value: &str) -> Value {
        json!({"on": on, "field": path, "operator": operator, "value": value})
    }

    fn is_error(outcome: &Outcome) -> bool {
        matches!(outcome, Outcome::Error(_))
    }

    /// Evaluates one payload condition on `payload.a` (absent when `actual` is `None`).
    fn single(operator: &str, actual: Option<Value>, expected: &str) -> Outcome {
        let payload = match actual {
            Some(actual) => json!({ "a": actual }),
            None => json!({}),
        };
        let variables = Variables {
            payload,
            ..Variables::default()
        };
        let group = json!([{ "children": [field("payload", "a", operator, expected)] }]);
        run(group, &variables).outcome
    }

    #[test]
    fn operators_over_every_actual_type() {
        let string = || Some(json!("b"));
        let number = || Some(json!(5));
        let boolean = || Some(json!(true));
        let null = || Some(Value::Null);
        let missing = || None;
        let array = || Some(json!(["a", "b"]));
        let object = || Some(json!({"k": "v"}));
        // (operator, actual, expected, outcome: 'P' pass, 'F' fail, 'E' error)
        let cases: Vec<(&str, Option<Value>, &str, char)> = vec![
            ("EQUAL", string(), "b", 'P'),
            ("EQUAL", number(), "5", 'P'),
            ("EQUAL", number(), " 5 ", 'P'),
            ("EQUAL", number(), "abc", 'F'),
            ("EQUAL", number(), "", 'F'),
            ("EQUAL", Some(json!(0)), "", 'P'),
            ("EQUAL", Some(json!(16)), "0x10", 'P'),
            ("EQUAL", boolean(), "true", 'P'),
            ("EQUAL", boolean(), "True", 'F'),
            ("EQUAL", Some(json!(false)), "anything", 'P'),
            ("EQUAL", null(), "null", 'F'),
            ("EQUAL", missing(), "", 'F'),
            ("EQUAL", array(), "a,b", 'F'),
            ("EQUAL", object(), "[object Object]", 'F'),
            ("NOT_EQUAL", string(), "b", 'F'),
            ("NOT_EQUAL", number(), "5", 'F'),
            ("NOT_EQUAL", number(), "NaN", 'P'),
            ("NOT_EQUAL", boolean(), "true", 'F'),
            ("NOT_EQUAL", null(), "null", 'P'),
            ("NOT_EQUAL", missing(), "x", 'P'),
            ("NOT_EQUAL", array(), "a,b", 'P'),
            ("NOT_EQUAL", object(), "[object Object]", 'P'),
            ("LARGER", string(), "a", 'P'),
            ("LARGER", Some(json!("10")), "9", 'F'),
            ("LARGER", number(), "4", 'P'),
            ("LARGER", number(), "5", 'F'),
            ("LARGER", number(), "abc", 'F'),
            ("LARGER", boolean(), "0", 'P'),
            ("LARGER", null(), "-1", 'P'),
            ("LARGER", missing(), "1", 'F'),
            ("LARGER", array(), "a", 'P'),
            ("LARGER", object(), "[object", 'P'),
            ("SMALLER", Some(json!("10")), "9", 'P'),
            ("SMALLER", string(), "a", 'F'),
            ("SMALLER", number(), "abc", 'F'),
            ("SMALLER", number(), "1e1", 'P'),
            ("SMALLER", boolean(), "true", 'F'),
            ("SMALLER", null(), "5", 'P'),
            ("SMALLER", null(), "abc", 'F'),
            ("SMALLER", missing(), "5", 'F'),
            ("SMALLER", Some(json!([1, 2])), "2", 'P'),
            ("SMALLER", object(), "a", 'P'),
            ("LARGER_EQUAL", string(), "b", 'P'),
            ("LARGER_EQUAL", number(), "5", 'P'),
            ("LARGER_EQUAL", number(), "-Infinity", 'P'),
            ("LARGER_EQUAL", Some(json!(false)), "true", 'F'),
            ("LARGER_EQUAL", null(), "", 'P'),
            ("LARGER_EQUAL", missing(), "", 'F'),
            ("LARGER_EQUAL", Some(json!(["b"])), "b", 'P'),
            ("LARGER_EQUAL", object(), "[object Object]", 'P'),
            ("SMALLER_EQUAL", string(), "b", 'P'),
            ("SMALLER_EQUAL", number(), " 0x5 ", 'P'),
            ("SMALLER_EQUAL", number(), "0b100", 'F'),
            ("SMALLER_EQUAL", boolean(), "x", 'F'),
            ("SMALLER_EQUAL", null(), "abc", 'F'),
            ("SMALLER_EQUAL", missing(), "z", 'F'),
            ("SMALLER_EQUAL", Some(json!([])), "", 'P'),
            ("SMALLER_EQUAL", object(), "[", 'F'),
            ("IN", Some(json!("abc")), "b", 'P'),
            ("IN", Some(json!("abc")), "", 'P'),
            ("IN", Some(json!("abc")), "a,z", 'F'),
            ("IN", number(), "5", 'E'),
            ("IN", boolean(), "true", 'E'),
            ("IN", null(), "x", 'E'),
            ("IN", missing(), "x", 'E'),
            ("IN", array(), "a", 'P'),
            ("IN", Some(json!([1, 2])), "1", 'F'),
            ("IN", Some(json!(["a,b"])), "a", 'F'),
            ("IN", array(), "a,b", 'F'),
            ("IN", object(), "k", 'E'),
            ("NOT_IN", Some(json!("abc")), "z", 'P'),
            ("NOT_IN", Some(json!("abc")), "b", 'F'),
            ("NOT_IN", number(), "5", 'E'),
            ("NOT_IN", boolean(), "true", 'E'),
            ("NOT_IN", null(), "x", 'E'),
            ("NOT_IN", missing(), "x", 'E'),
            ("NOT_IN", array(), "c", 'P'),
            ("NOT_IN", array(), "a", 'F'),
            ("NOT_IN", object(), "k", 'E'),
            ("ANY_IN", Some(json!("abc")), "x, b", 'P'),
            ("ANY_IN", Some(json!("abc")), "x,y", 'F'),
            ("ANY_IN", Some(json!("abc")), " , ,", 'F'),
            ("ANY_IN", number(), "5", 'F'),
            ("ANY_IN", boolean(), "true", 'F'),
            ("ANY_IN", null(), "x", 'F'),
            ("ANY_IN", missing(), "x", 'F'),
            ("ANY_IN", array(), " z ,b,,", 'P'),
            ("ANY_IN", object(), "k", 'F'),
            ("ALL_IN", Some(json!("abc")), "a,c", 'P'),
            ("ALL_IN", Some(json!("abc")), "a,z", 'F'),
            ("ALL_IN", Some(json!("abc")), "", 'F'),
            ("ALL_IN", number(), "5", 'F'),
            ("ALL_IN", boolean(), "true", 'F'),
            ("ALL_IN", null(), "x", 'F'),
            ("ALL_IN", missing(), "x", 'F'),
            ("ALL_IN", array(), "b, a", 'P'),
            ("ALL_IN", array(), "a,c", 'F'),
            ("ALL_IN", object(), "k", 'F'),
            ("BETWEEN", string(), "a,c", 'P'),
            ("BETWEEN", Some(json!("a")), "a,c", 'P'),
            ("BETWEEN", Some(json!("c")), "a,c", 'P'),
            ("BETWEEN", Some(json!("d")), "a,c", 'F'),
            ("BETWEEN", number(), "5,10", 'P'),
            ("BETWEEN", Some(json!(10)), "5,10", 'P'),
            ("BETWEEN", Some(json!(11)), "5,10", 'F'),
            ("BETWEEN", number(), "1,2,9", 'F'),
            ("BETWEEN", number(), "5", 'F'),
            ("BETWEEN", number(), "x,10", 'F'),
            ("BETWEEN", boolean(), "false,true", 'P'),
            ("BETWEEN", null(), "-1,1", 'P'),
            ("BETWEEN", missing(), "a,z", 'F'),
            ("BETWEEN", Some(json!(["b"])), "a,c", 'P'),
            ("BETWEEN", object(), "[,]", 'P'),
            ("NOT_BETWEEN", Some(json!("d")), "a,c", 'P'),
            ("NOT_BETWEEN", Some(json!("a")), "a,c", 'F'),
            ("NOT_BETWEEN", Some(json!(11)), "5,10", 'P'),
            ("NOT_BETWEEN", number(), "5,10", 'F'),
            ("NOT_BETWEEN", number(), "x,10", 'F'),
            ("NOT_BETWEEN", number(), "10", 'F'),
            ("NOT_BETWEEN", boolean(), "false,false", 'P'),
            ("NOT_BETWEEN", null(), "1,2", 'P'),
            ("NOT_BETWEEN", missing(), "a,c", 'F'),
            ("NOT_BETWEEN", Some(json!(["z"])), "a,c", 'P'),
            ("NOT_BETWEEN", object(), "a,z", 'P'),
            ("LIKE", Some(json!("hello")), "h%o", 'P'),
            ("LIKE", Some(json!("hello")), "h_llo", 'P'),
            ("LIKE", Some(json!("hllo")), "h_llo", 'F'),
            ("LIKE", Some(json!("50%")), "50\\%", 'P'),
            ("LIKE", Some(json!("500")), "50\\%", 'F'),
            ("LIKE", Some(json!("a_b")), "a\\_b", 'P'),
            ("LIKE", Some(json!("axb")), "a\\_b", 'F'),
            ("LIKE", Some(json!("a\\b")), "a\\\\b", 'P'),
            ("LIKE", Some(json!("Hello")), "hello", 'F'),
            ("LIKE", Some(json!("")), "%", 'P'),
            ("LIKE", Some(json!("ab")), "a", 'F'),
            ("LIKE", Some(json!("é")), "_", 'P'),
            ("LIKE", number(), "5", 'F'),
            ("LIKE", boolean(), "true", 'F'),
            ("LIKE", null(), "%", 'F'),
            ("LIKE", missing(), "%", 'F'),
            ("LIKE", Some(json!(["a"])), "a", 'F'),
            ("LIKE", object(), "%", 'F'),
            ("NOT_LIKE", Some(json!("hello")), "x%", 'P'),
            ("NOT_LIKE", Some(json!("hello")), "%", 'F'),
            ("NOT_LIKE", number(), "x", 'F'),
            ("NOT_LIKE", boolean(), "x", 'F'),
            ("NOT_LIKE", null(), "x", 'F'),
            ("NOT_LIKE", missing(), "x", 'F'),
            ("NOT_LIKE", array(), "x", 'F'),
            ("NOT_LIKE", object(), "x", 'F'),
            ("UNKNOWN", string(), "b", 'F'),
        ];
        for (operator, actual, expected, want) in cases {
            let outcome = single(operator, actual.clone(), expected);
            let got = match outcome {
                Outcome::Pass => 'P',
                Outcome::Fail => 'F',
                Outcome::Error(_) => 'E',
            };
            assert_eq!(got, want, "{actual:?} {operator} {expected:?}");
        }
    }

    #[test]
    fn js_number_conversion() {
        let cases: &[(&str, f64)] = &[
            ("", 0.0),
            ("  \n\t ", 0.0),
            (" 12 ", 12.0),
            ("-1.5", -1.5),
            ("+.5", 0.5),
            ("1.", 1.0),
            ("1e3", 1000.0),
            ("1E-2", 0.01),
            ("Infinity", f64::INFINITY),
            ("-Infinity", f64::NEG_INFINITY),
            ("0x1F", 31.0),
            ("0o17", 15.0),
            ("0b101", 5.0),
            ("\u{FEFF}7\u{A0}", 7.0),
        ];
        for (text, want) in cases {
            assert_eq!(js_number(text), *want, "{text:?}");
        }
        for text in [
            "abc", "1e", ".", "-0x10", "0x", "1_000", "inf", "nan", "12px", "e5",
        ] {
            assert!(js_number(text).is_nan(), "{text:?}");
        }
    }

    #[test]
    fn js_number_strings() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "0"),
            (5.0, "5"),
            (-1.5, "-1.5"),
            (0.1, "0.1"),
            (1e21, "1e+21"),
            (1.5e-7, "1.5e-7"),
            (0.000001, "0.000001"),
            (123456789012345680000.0, "123456789012345680000"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for (number, want) in cases {
            assert_eq!(number_to_js_string(*number), *want);
        }
    }

    #[test]
    fn paths() {
        let root = json!({"data": {"plan": "pro"}, "items": [{"sku": "x"}, {"sku": "y"}]});
        assert_eq!(lookup_path(&root, "data.plan"), Some(&json!("pro")));
        assert_eq!(lookup_path(&root, "items[1].sku"), Some(&json!("y")));
        assert_eq!(lookup_path(&root, "items.0.sku"), Some(&json!("x")));
        assert_eq!(lookup_path(&root, "items[2].sku"), None);
        assert_eq!(lookup_path(&root, "data.plan.name"), None);
    }

    #[test]
    fn groups() {
        let variables = Variables {
            payload: json!({"plan": "pro", "count": 3}),
            ..Variables::default()
        };
        let pass = field("payload", "plan", "EQUAL", "pro");
        let fail = field("payload", "plan", "EQUAL", "free");
        let error = field("payload", "nothing", "IN", "x");
        let outcome = |groups: Value| run(groups, &variables).outcome;

        assert_eq!(outcome(json!([])), Outcome::Pass);
        assert_eq!(outcome(json!([{"value": "AND"}])), Outcome::Pass);
        assert_eq!(
            outcome(json!([{"value": "AND", "children": []}])),
            Outcome::Pass
        );
        // One child: `value` is ignored, even when it is invalid.
        assert_eq!(
            outcome(json!([{"value": "and", "children": [pass]}])),
            Outcome::Pass
        );
        assert_eq!(outcome(json!([{"children": [fail]}])), Outcome::Fail);
        assert!(is_error(&outcome(json!([{"children": [error]}]))));
        // Two or more children.
        assert_eq!(
            outcome(json!([{"value": "AND", "children": [pass, pass]}])),
            Outcome::Pass
        );
        assert_eq!(
            outcome(json!([{"value": "AND", "children": [pass, fail]}])),
            Outcome::Fail
        );
        assert_eq!(
            outcome(json!([{"value": "OR", "children": [fail, pass]}])),
            Outcome::Pass
        );
        assert_eq!(
            outcome(json!([{"value": "OR", "children": [fail, fail]}])),
            Outcome::Fail
        );
        assert_eq!(
            outcome(json!([{"value": "and", "children": [pass, pass]}])),
            Outcome::Fail
        );
        assert_eq!(outcome(json!([{"children": [pass, pass]}])), Outcome::Fail);
        // `isNegated` changes nothing.
        assert_eq!(
            outcome(json!([{"isNegated": true, "value": "AND", "children": [pass, pass]}])),
            Outcome::Pass
        );
        // AND evaluates everything and an error wins over a failure.
        let evaluation = run(
            json!([{"value": "AND", "children": [fail, error, pass]}]),
            &variables,
        );
        assert!(is_error(&evaluation.outcome));
        assert_eq!(evaluation.conditions.len(), 3);
        // OR stops at the first pass or the first error.
        let evaluation = run(
            json!([{"value": "OR", "children": [fail, pass, error]}]),
            &variables,
        );
        assert_eq!(evaluation.outcome, Outcome::Pass);
        assert_eq!(evaluation.conditions.len(), 2);
        let evaluation = run(
            json!([{"value": "OR", "children": [fail, error, pass]}]),
            &variables,
        );
        assert!(is_error(&evaluation.outcome));
        assert_eq!(evaluation.conditions.len(), 2);
        // The array: alternatives in order, stopping at the first pass or error.
        let evaluation = run(
            json!([{"children": [fail]}, {"children": [pass]}, {"children": [error]}]),
            &variables,
        );
        assert_eq!(evaluation.outcome, Outcome::Pass);
        assert_eq!(evaluation.conditions.len(), 2);
        let evaluation = run(
            json!([{"children": [fail]}, {"children": [error]}, {"children": [pass]}]),
            &variables,
        );
        assert!(is_error(&evaluation.outcome));
        assert_eq!(evaluation.conditions.len(), 2);
        assert_eq!(
            outcome(json!([{"children": [fail]}, {"children": [fail]}])),
            Outcome::Fail
        );
        // An unknown `on` fails.
        assert_eq!(
            outcome(json!([{"children": [field("step", "x", "EQUAL", "")]}])),
            Outcome::Fail
        );
    }

    #[test]
    fn trace_records_each_condition() {
        let variables = Variables {
            payload: json!({"tags": ["a", "b"], "count": 3}),
            ..Variables::default()
        };
        let evaluation = run(
            json!([{"value": "AND", "children": [
                field("payload", "tags", "IN", "a"),
                field("payload", "count", "LARGER", "4"),
            ]}]),
            &variables,
        );
        assert_eq!(
            evaluation.conditions,
            vec![
                Condition {
                    filter: "Payload",
                    field: "tags".into(),
                    expected: "a".into(),
                    actual: "[\"a\",\"b\"]".into(),
                    operator: "IN".into(),
                    passed: true,
                },
                Condition {
                    filter: "Payload",
                    field: "count".into(),
                    expected: "4".into(),
                    actual: "3".into(),
                    operator: "LARGER".into(),
                    passed: false,
                },
            ]
        );
    }

    #[test]
    fn subscriber_and_tenant_scopes() {
        let variables = Variables {
            payload: json!({}),
            subscriber: Some(json!({"data": {"age": 20}})),
            tenant: Some(json!({"identifier": "acme"})),
            actor: None,
        };
        let outcome = |part: Value| run(json!([{"children": [part]}]), &variables).outcome;
        assert_eq!(
            outcome(field("subscriber", "data.age", "LARGER_EQUAL", "18")),
            Outcome::Pass
        );
        assert_eq!(
            outcome(field("tenant", "identifier", "EQUAL", "acme")),
            Outcome::Pass
        );
        // Integration selection: only the tenant is in scope.
        let tenant_only = Variables {
            tenant: Some(json!({"identifier": "acme"})),
            ..Variables::default()
        };
        let evaluation = run(
            json!([{"children": [field("subscriber", "email", "NOT_EQUAL", "x")]}]),
            &tenant_only,
        );
        assert_eq!(evaluation.outcome, Outcome::Pass);
        assert_eq!(evaluation.conditions[0].filter, "Subscriber");
    }

    #[test]
    fn templated_values() {
        let variables = Variables {
            payload: json!({"plan": "pro", "expected": "pro", "html": "<a href=\"x\">&'`</a>", "n": 5, "list": ["a", "b"]}),
            subscriber: Some(json!({"firstName": "Ada"})),
            tenant: Some(json!({"name": "Acme"})),
            actor: Some(json!({"subscriberId": "actor-1"})),
        };
        let render = |template: &str| render_template(template, &variables);
        assert_eq!(render("{{payload.plan}}"), "pro");
        assert_eq!(render("{{ payload.plan }}-x"), "pro-x");
        assert_eq!(
            render("{{payload.html}}"),
            "&lt;a href&#x3D;&quot;x&quot;&gt;&amp;'&#x60;&lt;/a&gt;"
        );
        assert_eq!(render("{{{payload.html}}}"), "<a href=\"x\">&'`</a>");
        assert_eq!(render("{{payload.missing}}|{{unknown.x}}"), "|");
        assert_eq!(
            render("{{subscriber.firstName}} {{tenant.name}} {{actor.subscriberId}}"),
            "Ada Acme actor-1"
        );
        assert_eq!(render("{{payload.n}} {{payload.list}}"), "5 a,b");
        assert_eq!(render("a = b"), "a = b");
        assert_eq!(render("{{payload.plan"), "{{payload.plan");

        let outcome = |part: Value| run(json!([{"children": [part]}]), &variables).outcome;
        assert_eq!(
            outcome(field("payload", "plan", "EQUAL", "{{payload.expected}}")),
            Outcome::Pass
        );
        assert_eq!(
            outcome(field("payload", "n", "EQUAL", "{{payload.n}}")),
            Outcome::Pass
        );
        assert_eq!(
            outcome(field("payload", "html", "EQUAL", "{{payload.html}}")),
            Outcome::Fail
        );
        assert_eq!(
            outcome(field("payload", "html", "EQUAL", "{{{payload.html}}}")),
            Outcome::Pass
        );
    }

    fn online_variables(subscriber: Value) -> Variables {
        Variables {
            payload: json!({}),
            subscriber: Some(subscriber),
            ..Variables::default()
        }
    }

    #[test]
    fn is_online() {
        let part = |value: bool| json!([{"children": [{"on": "isOnline", "value": value}]}]);
        let cases = [
            (json!({"isOnline": true}), true, Outcome::Pass),
            (json!({"isOnline": true}), false, Outcome::Fail),
            (json!({"isOnline": false}), false, Outcome::Pass),
            (json!({}), false, Outcome::Fail),
            (json!({}), true, Outcome::Fail),
            (
                json!({"lastOnlineAt": "2024-05-10T11:00:00Z"}),
                false,
                Outcome::Fail,
            ),
        ];
        for (subscriber, value, want) in cases {
            let outcome = run(part(value), &online_variables(subscriber.clone())).outcome;
            assert_eq!(outcome, want, "{subscriber} isOnline {value}");
        }
        assert_eq!(
            run(part(true), &Variables::default()).outcome,
            Outcome::Fail
        );
    }

    #[test]
    fn is_online_in_last() {
        let part = |value: u32, unit: &str| json!([{"children": [{"on": "isOnlineInLast", "value": value, "timeOperator": unit}]}]);
        let cases = [
            (json!({"isOnline": true}), 1, "minutes", Outcome::Pass),
            (json!({}), 5, "days", Outcome::Fail),
            (json!({"isOnline": false}), 0, "minutes", Outcome::Pass),
        ];
        for (subscriber, value, unit, want) in cases {
            let outcome = run(part(value, unit), &online_variables(subscriber.clone())).outcome;
            assert_eq!(outcome, want, "{subscriber} in last {value} {unit}");
        }
        // Now is 2024-05-10T12:00:00Z.
        let offline_cases = [
            // Exactly `value` units ago passes; elapsed time is truncated to whole units.
            ("2024-05-10T11:55:00Z", 5, "minutes", 'P'),
            ("2024-05-10T11:54:01Z", 5, "minutes", 'P'),
            ("2024-05-10T11:54:00Z", 5, "minutes", 'F'),
            ("2024-05-10T06:00:01Z", 5, "hours", 'P'),
            ("2024-05-10T06:00:00Z", 5, "hours", 'F'),
            ("2024-05-08T12:00:00Z", 2, "days", 'P'),
            ("2024-05-07T12:00:01Z", 2, "days", 'P'),
            ("2024-05-07T12:00:00Z", 2, "days", 'F'),
            ("2024-05-10T12:00:30+00:00", 0, "minutes", 'P'),
            ("2024-05-10T12:05:00Z", 10, "minutes", 'F'),
            ("not a date", 10, "minutes", 'F'),
            ("2024-05-10T11:55:00Z", 5, "weeks", 'F'),
        ];
        for (at, value, unit, want) in offline_cases {
            let subscriber = json!({"isOnline": false, "lastOnlineAt": at});
            let outcome = run(part(value, unit), &online_variables(subscriber)).outcome;
            let want = if want == 'P' {
                Outcome::Pass
            } else {
                Outcome::Fail
            };
            assert_eq!(outcome, want, "offline since {at}, in last {value} {unit}");
        }
    }

    #[test]
    fn previous_step() {
        let part = |step_type: &str| json!([{"children": [{"on": "previousStep", "step": "s1", "stepType": step_type}]}]);
        let read_not_seen = |step: &str| {
            (step == "s1").then_some(PreviousStepMessage {
                read: true,
                seen: false,
            })
        };
        let with_message = Hooks {
            now: now(),
            previous_step: &read_not_seen,
            call_webhook: &no_webhook,
        };
        let variables = Variables::default();
        for (step_type, want) in [
            ("read", Outcome::Pass),
            ("unread", Outcome::Fail),
            ("seen", Outcome::Fail),
            ("unseen", Outcome::Pass),
            ("other", Outcome::Fail),
        ] {
            let groups = part(step_type);
            let outcome = evaluate(groups.as_array().unwrap(), &variables, &with_message).outcome;
            assert_eq!(outcome, want, "{step_type}");
        }
        // No message from that step: every step type passes.
        for step_type in ["read", "unread", "seen", "unseen"] {
            assert_eq!(run(part(step_type), &variables).outcome, Outcome::Pass);
        }
    }

    #[test]
    fn webhooks() {
        let answer = |url: &str| match url {
            "https://ok.example" => Ok(json!({"vip": true, "tier": "gold"})),
            _ => Err("connection refused".to_owned()),
        };
        let hooks = Hooks {
            now: now(),
            previous_step: &no_previous,
            call_webhook: &answer,
        };
        let webhook = |url: &str, path: &str, value: &str| json!({"on": "webhook", "webhookUrl": url, "field": path, "operator": "EQUAL", "value": value});
        let variables = Variables {
            payload: json!({"tier": "gold"}),
            ..Variables::default()
        };
        let evaluate_groups =
            |groups: Value| evaluate(groups.as_array().unwrap(), &variables, &hooks);

        let evaluation =
            evaluate_groups(json!([{"children": [webhook("https://ok.example", "vip", "true")]}]));
        assert_eq!(evaluation.outcome, Outcome::Pass);
        assert_eq!(evaluation.conditions[0].filter, "Webhook");
        let templated = webhook("https://ok.example", "tier", "{{payload.tier}}");
        assert_eq!(
            evaluate_groups(json!([{"children": [templated]}])).outcome,
            Outcome::Pass
        );
        let failing = webhook("https://down.example", "vip", "true");
        assert!(is_error(
            &evaluate_groups(json!([{"children": [failing]}])).outcome
        ));
        // Webhook children run after the others: an OR group passing earlier never calls it.
        let passing = field("payload", "tier", "EQUAL", "gold");
        let evaluation = evaluate_groups(json!([{"value": "OR", "children": [failing, passing]}]));
        assert_eq!(evaluation.outcome, Outcome::Pass);
        assert_eq!(evaluation.conditions.len(), 1);
        let evaluation = evaluate_groups(json!([{"value": "AND", "children": [failing, passing]}]));
        assert!(is_error(&evaluation.outcome));
        assert_eq!(evaluation.conditions[0].filter, "Payload");
        // An AND group whose other children do not all pass never calls its webhooks.
        let other = field("payload", "tier", "EQUAL", "silver");
        let evaluation = evaluate_groups(json!([{"value": "AND", "children": [failing, other]}]));
        assert_eq!(evaluation.outcome, Outcome::Fail);
        assert_eq!(evaluation.conditions.len(), 1, "the webhook was not called");
    }

    #[test]
    fn like_patterns() {
        assert!(like("abc", "a%c"));
        assert!(like("ac", "a%c"));
        assert!(like("a%c", "a\\%c"));
        assert!(!like("abc", "a\\%c"));
        assert!(like("x\\", "x\\"));
        assert!(like("abcabc", "%b%b_"));
        assert!(!like("abc", "a_"));
    }
}
