//! The evaluator against the prose of the spec: every operator over every actual type, groups,
//! scopes, templated values, the online conditions, previous steps and webhooks.

use serde_json::json;

use super::javascript::{js_number, number_to_js_string};
use super::operators::like;
use super::*;

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
        ("IS_DEFINED", string(), "", 'P'),
        ("IS_DEFINED", number(), "anything", 'P'),
        ("IS_DEFINED", null(), "", 'P'),
        ("IS_DEFINED", array(), "", 'P'),
        ("IS_DEFINED", object(), "", 'P'),
        ("IS_DEFINED", missing(), "", 'F'),
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
    let evaluate_groups = |groups: Value| evaluate(groups.as_array().unwrap(), &variables, &hooks);

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
