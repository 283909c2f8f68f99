//! JavaScript's value semantics, which Novu's evaluator inherits: `String(value)`,
//! `Number(text)`, `Number::toString()`, and the conversions and comparisons of operands.

use std::cmp::Ordering;

use serde_json::Value;

/// JavaScript's `String(value)` (template literal conversion).
pub(super) fn display(value: &Value) -> String {
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
pub(super) fn number_to_js_string(number: f64) -> String {
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
pub(super) fn js_number(text: &str) -> f64 {
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
pub(super) fn is_js_whitespace(character: char) -> bool {
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
pub(super) enum Js {
    Undefined,
    Null,
    Boolean(bool),
    Number(f64),
    String(String),
}

/// `ToPrimitive` for the actual value: arrays and objects become strings.
pub(super) fn actual_primitive(actual: Option<&Value>) -> Js {
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
pub(super) fn coerce(expected: &str, actual: Option<&Value>) -> Js {
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
pub(super) fn relational(left: &Js, right: &Js) -> Option<Ordering> {
    if matches!(left, Js::Undefined) || matches!(right, Js::Undefined) {
        return None;
    }
    if let (Js::String(left), Js::String(right)) = (left, right) {
        return Some(left.encode_utf16().cmp(right.encode_utf16()));
    }
    to_number(left).partial_cmp(&to_number(right))
}
