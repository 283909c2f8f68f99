//! Cases derived by hand from the contract's sentences, quoted before each group.

use serde_json::json;

use super::*;

fn scope() -> Scope {
    Scope {
        payload: json!({
            "plan": "pro", "age": 18, "flag": true, "tags": ["a", "b"], "numbers": [1, 2],
            "empty": "", "nothing": null, "nested": {"k": "v"}, "items": [{"sku": "x1"}],
            "ten": "10", "html": "a&b", "unit": 1.5,
        }),
        subscriber: json!({"subscriberId": "s-1", "firstName": "Ada", "data": {"age": 36}}),
        tenant: json!({"identifier": "acme", "name": "Acme", "data": {"region": "eu"}}),
        actor: Value::Null,
    }
}

fn part(on: &str, field: &str, operator: &str, value: &str) -> Value {
    json!({"on": on, "field": field, "operator": operator, "value": value})
}

fn group(value: Option<&str>, children: Vec<Value>) -> Value {
    match value {
        Some(value) => json!({"value": value, "children": children}),
        None => json!({"children": children}),
    }
}

fn no_outside(part: &Value) -> Verdict {
    panic!("nothing outside the trigger was expected, got {part}")
}

fn verdict(filters: Vec<Value>) -> Verdict {
    evaluate(&filters, &scope(), &no_outside).verdict
}

fn field(on: &str, field: &str, operator: &str, value: &str) -> Verdict {
    verdict(vec![group(None, vec![part(on, field, operator, value)])])
}

const PASS: Verdict = Verdict::Pass;
const FAIL: Verdict = Verdict::Fail;
const ERROR: Verdict = Verdict::Error;

#[test]
fn arrays_are_alternatives_and_stop_at_a_pass_or_an_error() {
    // "An absent or empty array passes."
    assert_eq!(verdict(vec![]), PASS);
    let pass = group(None, vec![part("payload", "plan", "EQUAL", "pro")]);
    let fail = group(None, vec![part("payload", "plan", "EQUAL", "free")]);
    let error = group(None, vec![part("payload", "age", "IN", "1")]);
    // "the array passes as soon as one group passes ... If no group passes, the array fails."
    assert_eq!(verdict(vec![fail.clone(), pass.clone()]), PASS);
    assert_eq!(verdict(vec![fail.clone(), fail.clone()]), FAIL);
    // "The array stops at the first group in error."
    assert_eq!(verdict(vec![error.clone(), pass.clone()]), ERROR);
    assert_eq!(verdict(vec![pass, error]), PASS);
}

#[test]
fn groups_combine_their_children_by_value() {
    let yes = part("payload", "plan", "EQUAL", "pro");
    let no = part("payload", "plan", "EQUAL", "free");
    // "With no `children` (absent or empty) the group passes."
    assert_eq!(verdict(vec![json!({"value": "AND"})]), PASS);
    assert_eq!(verdict(vec![group(Some("OR"), vec![])]), PASS);
    // "With exactly one child the group's result is that child's result and `value` is not
    // consulted."
    assert_eq!(
        verdict(vec![group(Some("nonsense"), vec![yes.clone()])]),
        PASS
    );
    // "`AND` requires every child to pass and `OR` requires one"
    assert_eq!(
        verdict(vec![group(Some("AND"), vec![yes.clone(), no.clone()])]),
        FAIL
    );
    assert_eq!(
        verdict(vec![group(Some("OR"), vec![no.clone(), yes.clone()])]),
        PASS
    );
    // "any other `value` (absent, lower case, …) makes the group fail"
    assert_eq!(
        verdict(vec![group(None, vec![yes.clone(), yes.clone()])]),
        FAIL
    );
    assert_eq!(
        verdict(vec![group(Some("and"), vec![yes.clone(), yes.clone()])]),
        FAIL
    );
    // "`isNegated` and `type` are stored and returned but never change a result."
    let negated = json!({"isNegated": true, "type": "BOOLEAN", "children": [yes]});
    assert_eq!(verdict(vec![negated]), PASS);
}

#[test]
fn errors_and_webhooks_follow_the_group_order() {
    let yes = part("payload", "plan", "EQUAL", "pro");
    let no = part("payload", "plan", "EQUAL", "free");
    let broken = part("payload", "age", "IN", "1");
    let webhook = |answer: &str| {
        json!({"on": "webhook", "webhookUrl": answer, "field": "ok", "operator": "EQUAL",
            "value": "true"})
    };
    let answers = |part: &Value| match part["webhookUrl"].as_str() {
        Some("pass") => PASS,
        Some("fail") => FAIL,
        Some("error") => ERROR,
        _ => panic!("unexpected part {part}"),
    };
    let run = |filters: Vec<Value>| evaluate(&filters, &scope(), &answers).verdict;
    // AND: "it is in error if any of them is, and fails if any of them fails"
    assert_eq!(
        run(vec![group(Some("AND"), vec![no.clone(), broken.clone()])]),
        ERROR
    );
    // "only when all of them pass are its webhook children called": a failing plain child
    // decides before a webhook in error is reached.
    let never = |part: &Value| panic!("the webhook {part} must not be called");
    let filters = vec![group(Some("AND"), vec![webhook("error"), no.clone()])];
    assert_eq!(evaluate(&filters, &scope(), &never).verdict, FAIL);
    assert_eq!(
        run(vec![group(Some("AND"), vec![webhook("fail"), yes.clone()])]),
        FAIL
    );
    assert_eq!(
        run(vec![group(Some("AND"), vec![webhook("pass"), yes.clone()])]),
        PASS
    );
    // Every webhook child of an AND group is called; one in error puts the group in error
    // even after another failed, which stops the array.
    let called = std::cell::RefCell::new(Vec::new());
    let record = |part: &Value| {
        called.borrow_mut().push(part["webhookUrl"].clone());
        answers(part)
    };
    let filters = vec![
        group(
            Some("AND"),
            vec![webhook("fail"), webhook("error"), yes.clone()],
        ),
        group(None, vec![yes.clone()]),
    ];
    assert_eq!(evaluate(&filters, &scope(), &record).verdict, ERROR);
    assert_eq!(called.borrow().len(), 2);
    // OR: "evaluates its non-webhook children in order, then its webhook children, and stops
    // at the first child that passes (result: pass) or is in error (result: error)"
    assert_eq!(
        run(vec![group(Some("OR"), vec![webhook("error"), yes.clone()])]),
        PASS
    );
    assert_eq!(
        run(vec![group(
            Some("OR"),
            vec![webhook("pass"), broken.clone()]
        )]),
        ERROR
    );
    assert_eq!(
        run(vec![group(Some("OR"), vec![no.clone(), webhook("error")])]),
        ERROR
    );
    assert_eq!(
        run(vec![group(Some("OR"), vec![no, webhook("fail")])]),
        FAIL
    );
}

#[test]
fn fields_are_paths_and_a_path_that_leads_nowhere_is_missing() {
    // "`name[i]` (or a segment `i`) selects element `i` of an array; e.g. `data.plan`,
    // `items[0].sku`."
    assert_eq!(field("payload", "items[0].sku", "EQUAL", "x1"), PASS);
    assert_eq!(field("payload", "tags.1", "EQUAL", "b"), PASS);
    assert_eq!(field("payload", "nested.k", "EQUAL", "v"), PASS);
    assert_eq!(field("subscriber", "data.age", "LARGER_EQUAL", "18"), PASS);
    assert_eq!(field("tenant", "data.region", "EQUAL", "eu"), PASS);
    // "NOT_EQUAL: not EQUAL (so a missing A passes)."
    assert_eq!(field("payload", "items[3].sku", "NOT_EQUAL", "x"), PASS);
    assert_eq!(field("payload", "plan.deeper", "EQUAL", ""), FAIL);
    // Without a tenant every tenant field is missing.
    let filters = vec![group(None, vec![part("tenant", "name", "NOT_EQUAL", "x")])];
    let scope = Scope {
        tenant: Value::Null,
        ..scope()
    };
    assert_eq!(evaluate(&filters, &scope, &no_outside).verdict, PASS);
}

#[test]
fn expected_values_are_templates() {
    // "`{{payload.plan}}` is replaced by that value HTML-escaped ... a path that leads nowhere
    // by nothing. `{{{payload.plan}}}` inserts it unescaped."
    let scope = scope();
    assert_eq!(render("{{payload.plan}}!", &scope), "pro!");
    assert_eq!(render("{{payload.html}}", &scope), "a&amp;b");
    assert_eq!(render("{{{payload.html}}}", &scope), "a&b");
    // Only the six characters named are escaped; a `'` stays as it is.
    let quoted = Scope {
        payload: json!({"q": "x'y<=>\"`"}),
        ..Scope::default()
    };
    assert_eq!(
        render("{{payload.q}}", &quoted),
        "x'y&lt;&#x3D;&gt;&quot;&#x60;"
    );
    assert_eq!(render("x{{payload.none}}y", &scope), "xy");
    assert_eq!(render("{{subscriber.data.age}}", &scope), "36");
    // "any other expression renders as nothing, and text that does not close its `{{` is kept"
    assert_eq!(render("a{{#if payload.plan}}b", &scope), "ab");
    assert_eq!(render("a{{payload.plan", &scope), "a{{payload.plan");
    assert_eq!(field("payload", "plan", "EQUAL", "{{payload.plan}}"), PASS);
    assert_eq!(field("payload", "html", "EQUAL", "{{payload.html}}"), FAIL);
    assert_eq!(
        field("payload", "html", "EQUAL", "{{{payload.html}}}"),
        PASS
    );
    assert_eq!(
        field("subscriber", "firstName", "EQUAL", "{{tenant.nope}}Ada"),
        PASS
    );
}

#[test]
fn expected_values_take_the_type_of_the_actual_value() {
    // "if A is a number, E becomes the number JavaScript's `Number()` makes of it (surrounding
    // white space ignored, the empty string is 0, decimal, exponent, `Infinity` and
    // `0x`/`0o`/`0b` integer forms accepted, anything else NaN)"
    assert_eq!(field("payload", "age", "EQUAL", " 18 "), PASS);
    assert_eq!(field("payload", "age", "EQUAL", "1.8e1"), PASS);
    assert_eq!(field("payload", "age", "EQUAL", "0x12"), PASS);
    assert_eq!(field("payload", "age", "EQUAL", "0b10010"), PASS);
    assert_eq!(field("payload", "age", "LARGER", ""), PASS);
    assert_eq!(field("payload", "age", "SMALLER", "Infinity"), PASS);
    assert_eq!(field("payload", "age", "EQUAL", "18abc"), FAIL);
    // "NaN equals nothing", and a relational comparison with NaN fails.
    assert_eq!(field("payload", "age", "NOT_EQUAL", "abc"), PASS);
    assert_eq!(field("payload", "age", "LARGER", "abc"), FAIL);
    assert_eq!(field("payload", "age", "SMALLER_EQUAL", "abc"), FAIL);
    // "if A is a boolean, E becomes `true` exactly when it is the string `true`"
    assert_eq!(field("payload", "flag", "EQUAL", "true"), PASS);
    assert_eq!(field("payload", "flag", "EQUAL", "TRUE"), FAIL);
    // "if A is a string, E stays that string"
    assert_eq!(field("payload", "ten", "EQUAL", "10.0"), FAIL);
    // "A missing, null, array or object A is never equal."
    assert_eq!(field("payload", "nothing", "EQUAL", ""), FAIL);
    assert_eq!(field("payload", "tags", "EQUAL", "a,b"), FAIL);
    assert_eq!(field("payload", "nested", "EQUAL", "[object Object]"), FAIL);
    assert_eq!(field("payload", "absent", "EQUAL", ""), FAIL);
}

#[test]
fn relational_operators_compare_like_javascript() {
    // Equal numbers are the boundary of LARGER and LARGER_EQUAL.
    assert_eq!(field("payload", "age", "LARGER", "18"), FAIL);
    assert_eq!(field("payload", "age", "LARGER_EQUAL", "18"), PASS);
    assert_eq!(field("payload", "age", "SMALLER", "18"), FAIL);
    assert_eq!(field("payload", "age", "SMALLER_EQUAL", "18"), PASS);
    assert_eq!(field("payload", "unit", "LARGER", "1"), PASS);
    // "two strings compare by UTF-16 code units (`"10" < "9"`)"
    assert_eq!(field("payload", "ten", "SMALLER", "9"), PASS);
    assert_eq!(field("payload", "plan", "LARGER", "pr"), PASS);
    // By code units a character outside the BMP (a surrogate pair) sorts before U+FF61.
    let wide = Scope {
        payload: json!({"emoji": "\u{1f600}"}),
        ..Scope::default()
    };
    let filters = vec![group(
        None,
        vec![part("payload", "emoji", "SMALLER", "\u{ff61}")],
    )];
    assert_eq!(evaluate(&filters, &wide, &no_outside).verdict, PASS);
    // "a missing A fails"
    assert_eq!(field("payload", "absent", "SMALLER", "9"), FAIL);
    // "an array A is first turned into its elements' strings joined with `,`"
    assert_eq!(field("payload", "tags", "LARGER_EQUAL", "a,b"), PASS);
    assert_eq!(field("payload", "tags", "LARGER", "a,b"), FAIL);
    // "an object A into `[object Object]`"
    assert_eq!(
        field("payload", "nested", "SMALLER_EQUAL", "[object Object]"),
        PASS
    );
    // "(null → 0, true → 1, false → 0, strings as `Number()` above)"
    assert_eq!(field("payload", "nothing", "SMALLER", "5"), PASS);
    assert_eq!(field("payload", "nothing", "LARGER_EQUAL", ""), PASS);
    assert_eq!(field("payload", "flag", "LARGER", "false"), PASS);
    assert_eq!(field("payload", "flag", "LARGER", "true"), FAIL);
}

#[test]
fn in_means_the_actual_value_contains_the_expected_one() {
    // "A string A contains E when E is a substring of it (the empty string is in every
    // string)"
    assert_eq!(field("payload", "plan", "IN", "ro"), PASS);
    assert_eq!(field("payload", "plan", "IN", ""), PASS);
    assert_eq!(field("payload", "empty", "IN", ""), PASS);
    assert_eq!(field("payload", "plan", "NOT_IN", "x"), PASS);
    // "an array A when one of its elements is the string E (`["a","b"]` IN `a` passes,
    // `[1,2]` IN `1` fails). E is not split at commas."
    assert_eq!(field("payload", "tags", "IN", "a"), PASS);
    assert_eq!(field("payload", "numbers", "IN", "1"), FAIL);
    assert_eq!(field("payload", "tags", "IN", "a,b"), FAIL);
    // "For any other A (missing, null, number, boolean, object) the condition is in error"
    for path in ["absent", "nothing", "age", "flag", "nested"] {
        assert_eq!(field("payload", path, "IN", "1"), ERROR, "{path}");
        assert_eq!(field("payload", path, "NOT_IN", "1"), ERROR, "{path}");
    }
}

#[test]
fn any_in_and_all_in_take_a_list() {
    // "split at every `,`, each item trimmed of white space, empty items dropped"
    assert_eq!(field("payload", "tags", "ANY_IN", "x, b"), PASS);
    assert_eq!(field("payload", "tags", "ALL_IN", "a , b,,"), PASS);
    assert_eq!(field("payload", "tags", "ALL_IN", "a,c"), FAIL);
    assert_eq!(field("payload", "plan", "ANY_IN", "x,pr"), PASS);
    // "They fail when the list is empty or A is neither a string nor an array."
    assert_eq!(field("payload", "tags", "ANY_IN", " , "), FAIL);
    assert_eq!(field("payload", "age", "ANY_IN", "18"), FAIL);
    assert_eq!(field("payload", "absent", "ALL_IN", "a"), FAIL);
}

#[test]
fn between_is_inclusive_and_needs_a_comma() {
    // "passes when low ≤ A and A ≤ high ... (inclusive)"
    assert_eq!(field("payload", "age", "BETWEEN", "18,20"), PASS);
    assert_eq!(field("payload", "age", "BETWEEN", "10,18"), PASS);
    assert_eq!(field("payload", "age", "BETWEEN", "19,20"), FAIL);
    assert_eq!(field("payload", "age", "NOT_BETWEEN", "19,20"), PASS);
    assert_eq!(field("payload", "age", "NOT_BETWEEN", "18,18"), FAIL);
    // "split at its first `,` (the bounds are not trimmed)": " 20" still converts to 20
    // for a number, but "1,2,3" has the high bound "2,3", which is NaN.
    assert_eq!(field("payload", "age", "BETWEEN", "1, 20"), PASS);
    assert_eq!(field("payload", "age", "BETWEEN", "1,20,30"), FAIL);
    assert_eq!(field("payload", "age", "NOT_BETWEEN", "1,20,30"), FAIL);
    // String bounds compare as strings.
    assert_eq!(field("payload", "plan", "BETWEEN", "a,q"), PASS);
    assert_eq!(field("payload", "plan", "BETWEEN", "a, q"), FAIL);
    // "Without a `,` both fail, and so does a comparison the relational rules fail"
    assert_eq!(field("payload", "age", "BETWEEN", "18"), FAIL);
    assert_eq!(field("payload", "age", "NOT_BETWEEN", "18"), FAIL);
    assert_eq!(field("payload", "absent", "NOT_BETWEEN", "1,2"), FAIL);
}

#[test]
fn like_matches_the_whole_string() {
    // "`%` matches any run of characters (also none), `_` exactly one character, `\` makes
    // the next character literal (a `\` at the very end matches itself)"
    assert_eq!(field("payload", "plan", "LIKE", "pro"), PASS);
    assert_eq!(field("payload", "plan", "LIKE", "p%"), PASS);
    assert_eq!(field("payload", "plan", "LIKE", "pro%"), PASS);
    assert_eq!(field("payload", "plan", "LIKE", "p_o"), PASS);
    assert_eq!(field("payload", "plan", "LIKE", "p_"), FAIL);
    assert_eq!(field("payload", "plan", "LIKE", "PRO"), FAIL);
    assert_eq!(field("payload", "plan", "NOT_LIKE", "r%"), PASS);
    assert!(like("50%", "50\\%"));
    assert!(!like("500", "50\\%"));
    assert!(like("a\\", "a\\"));
    assert!(like("", "%"));
    // "Both fail when A is not a string."
    assert_eq!(field("payload", "age", "LIKE", "%"), FAIL);
    assert_eq!(field("payload", "age", "NOT_LIKE", "x"), FAIL);
}

#[test]
fn is_defined_asks_only_whether_the_value_is_present() {
    // "`IS_DEFINED`: A is present; `null` counts as present, and E is not looked at."
    assert_eq!(field("payload", "plan", "IS_DEFINED", ""), PASS);
    assert_eq!(field("payload", "nothing", "IS_DEFINED", "anything"), PASS);
    assert_eq!(field("payload", "empty", "IS_DEFINED", "x"), PASS);
    assert_eq!(field("payload", "tags", "IS_DEFINED", ""), PASS);
    assert_eq!(field("payload", "absent", "IS_DEFINED", ""), FAIL);
    assert_eq!(field("payload", "nested.none", "IS_DEFINED", "v"), FAIL);
}

#[test]
fn online_parts_fail_for_a_subscriber_that_never_reported() {
    // "A subscriber that never reported an online status (neither `isOnline` nor
    // `lastOnlineAt` set) fails it, whatever `value` is."
    for value in [true, false] {
        let filters = vec![group(None, vec![json!({"on": "isOnline", "value": value})])];
        assert_eq!(evaluate(&filters, &scope(), &no_outside).verdict, FAIL);
    }
    let last = json!({"on": "isOnlineInLast", "value": 5, "timeOperator": "minutes"});
    let filters = vec![group(None, vec![last])];
    assert_eq!(evaluate(&filters, &scope(), &no_outside).verdict, FAIL);
    let online = Scope {
        subscriber: json!({"isOnline": true}),
        ..scope()
    };
    assert_eq!(evaluate(&filters, &online, &no_outside).verdict, PASS);
    let filters = vec![group(None, vec![json!({"on": "isOnline", "value": false})])];
    assert_eq!(evaluate(&filters, &online, &no_outside).verdict, FAIL);
}

#[test]
fn javascript_numbers_parse_as_number_does() {
    assert_eq!(js_number(""), 0.0);
    assert_eq!(js_number("  \n"), 0.0);
    assert_eq!(js_number("1e3"), 1000.0);
    assert_eq!(js_number(".5"), 0.5);
    assert_eq!(js_number("5."), 5.0);
    assert!(js_number("-0x10").is_nan());
    assert_eq!(js_number("0o17"), 15.0);
    assert!(js_number("inf").is_nan());
    assert!(js_number("1,2").is_nan());
    assert!(js_number("e5").is_nan());
    assert!(js_number("1e").is_nan());
    assert_eq!(js_number("-Infinity"), f64::NEG_INFINITY);
}
