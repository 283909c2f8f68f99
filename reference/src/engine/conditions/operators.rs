//! The field operators (`EQUAL` … `IS_DEFINED`): how a condition compares the actual value at its
//! field with the expected value, as Novu's evaluator does in JavaScript.

use std::cmp::Ordering;

use serde_json::Value;

use super::javascript::{Js, actual_primitive, coerce, is_js_whitespace, relational};
use super::{Outcome, pass_if};

pub(super) fn compare(operator: &str, actual: Option<&Value>, expected: &str) -> Outcome {
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
        "IS_DEFINED" => pass_if(actual.is_some()),
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
pub(super) fn like(text: &str, pattern: &str) -> bool {
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
