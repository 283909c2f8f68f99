//! `cargo xtask diff` end to end, through the built binary: every fixture pair under
//! `tests/diff/<name>/` reports exactly its `expected.json`, every rule has a fixture that
//! fires it, and the exit codes and error lines hold. After an intended change to a report,
//! run with `UPDATE_EXPECT=1` to rewrite the expected files, then review their diff.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("the xtask binary runs")
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("the report is UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("errors are UTF-8")
}

/// The fixture folders, by name.
fn fixtures() -> Vec<PathBuf> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diff");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&folder)
        .expect("tests/diff exists")
        .map(|entry| entry.expect("a readable entry").path())
        .filter(|path| path.is_dir())
        .collect();
    fixtures.sort();
    fixtures
}

#[test]
fn every_fixture_pair_reports_its_expected_json() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    for fixture in fixtures() {
        let name = fixture.file_name().unwrap().to_string_lossy().into_owned();
        let (old, new) = (fixture.join("old.yaml"), fixture.join("new.yaml"));
        // A fixture may pin flags (`--today`, `--deprecation-days`) in an `args` file.
        let extra = std::fs::read_to_string(fixture.join("args")).unwrap_or_default();
        let mut args = vec![
            "diff",
            old.to_str().unwrap(),
            new.to_str().unwrap(),
            "--format",
            "json",
        ];
        args.extend(extra.split_whitespace());
        let output = xtask(&args);
        let report = stdout(&output);
        assert!(
            output.status.code() == Some(0) || output.status.code() == Some(1),
            "{name}: {}",
            stderr(&output)
        );
        let entries: Vec<serde_json::Value> =
            serde_json::from_str(&report).expect("the JSON report is an array");
        let errors = entries.iter().any(|entry| entry["level"] == "error");
        assert_eq!(
            output.status.code(),
            Some(i32::from(errors)),
            "{name}: exit 1 exactly when a change is an error"
        );
        let expected_path = fixture.join("expected.json");
        if update {
            std::fs::write(&expected_path, &report).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if report != expected {
            failures.push(format!(
                "{name}: the report differs from expected.json\n{}",
                line_diff(&expected, &report)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n(after an intended change: UPDATE_EXPECT=1 cargo test -p xtask --test diff)",
        failures.join("\n")
    );
}

/// The lines only in `expected` (`-`) and only in `actual` (`+`), in order.
fn line_diff(expected: &str, actual: &str) -> String {
    let expected_lines: Vec<&str> = expected.lines().collect();
    let actual_lines: Vec<&str> = actual.lines().collect();
    let mut out = String::new();
    for line in &expected_lines {
        if !actual_lines.contains(line) {
            out.push_str(&format!("- {line}\n"));
        }
    }
    for line in &actual_lines {
        if !expected_lines.contains(line) {
            out.push_str(&format!("+ {line}\n"));
        }
    }
    out
}

#[test]
fn every_rule_has_a_fixture_that_fires_it() {
    let output = xtask(&["diff", "--rules"]);
    assert_eq!(output.status.code(), Some(0));
    let listing = stdout(&output);
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diff");
    let mut rules = 0;
    for line in listing.lines() {
        let mut words = line.split_whitespace();
        let (Some(id), Some(level)) = (words.next(), words.next()) else {
            panic!("a rule line names id and level: {line:?}");
        };
        assert!(matches!(level, "error" | "warning" | "info"), "{line}");
        let expected_level = format!("\"level\": \"{level}\"");
        assert!(words.next().is_some(), "{id} has a doc line");
        let expected = std::fs::read_to_string(folder.join(id).join("expected.json"))
            .unwrap_or_else(|_| panic!("{id} has a fixture: tests/diff/{id}/expected.json"));
        assert!(
            expected.contains(&format!("\"id\": \"{id}\"")),
            "tests/diff/{id} does not fire {id}"
        );
        assert!(
            expected.contains(&expected_level),
            "tests/diff/{id} reports no {level}"
        );
        rules += 1;
    }
    assert!(rules > 40, "{listing}");
}

#[test]
fn the_project_spec_has_no_changes_against_itself() {
    let output = xtask(&["diff", "spec/novu.yaml", "spec/novu.yaml"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "no changes from spec/novu.yaml to spec/novu.yaml\n"
    );
}

#[test]
fn the_text_and_markdown_reports_go_by_level() {
    let old = "xtask/tests/diff/recursive-schema/old.yaml";
    let new = "xtask/tests/diff/recursive-schema/new.yaml";
    let text = xtask(&["diff", old, new]);
    assert_eq!(
        text.status.code(),
        Some(0),
        "a warning does not fail by default"
    );
    assert_eq!(
        stdout(&text),
        format!(
            "0 errors, 1 warning, 1 info from {old} to {new}

Warnings

  POST /v1/conditions
    response-enum-value-added: response 200 field `operator` may now be `NOT`
      at /components/schemas/Condition/properties/operator/enum/2 (fingerprint 8db2eab9cc208536)

Info

  POST /v1/conditions
    request-enum-value-added: request field `operator` now accepts `NOT`
      at /components/schemas/Condition/properties/operator/enum/2 (fingerprint 85b917b5ece49813)
"
        )
    );
    let markdown = xtask(&["diff", old, new, "--format", "markdown"]);
    assert_eq!(markdown.status.code(), Some(0));
    assert_eq!(
        stdout(&markdown),
        format!(
            "### API diff: `{old}` → `{new}`

**0 errors, 1 warning, 1 info**.

#### Warnings

**`POST /v1/conditions`**
- `response-enum-value-added` response 200 field `operator` may now be `NOT` (`/components/schemas/Condition/properties/operator/enum/2`)

<details>
<summary>Info (1)</summary>

**`POST /v1/conditions`**
- `request-enum-value-added` request field `operator` now accepts `NOT` (`/components/schemas/Condition/properties/operator/enum/2`)

</details>
"
        )
    );
}

/// Asserts that `output` failed with exit 2 and one line on stderr containing `needle`.
fn assert_one_error_line(output: &Output, needle: &str) {
    let errors = stderr(output);
    assert_eq!(output.status.code(), Some(2), "{errors}");
    assert_eq!(errors.lines().count(), 1, "one line: {errors}");
    assert!(errors.starts_with("error: "), "{errors}");
    assert!(errors.contains(needle), "{needle:?} in {errors}");
    assert!(stdout(output).is_empty());
}

#[test]
fn an_unreadable_file_is_one_error_line_and_exit_2() {
    let output = xtask(&["diff", "spec/missing.yaml", "spec/novu.yaml"]);
    assert_one_error_line(&output, "spec/missing.yaml: cannot read the file");
}

#[test]
fn an_invalid_document_is_one_error_line_and_exit_2() {
    let folder = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let malformed = folder.join("diff-malformed.yaml");
    std::fs::write(
        &malformed,
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /v1/x:\n    get:\n      responses: 12\n",
    )
    .unwrap();
    let output = xtask(&["diff", "spec/novu.yaml", malformed.to_str().unwrap()]);
    assert_one_error_line(&output, "/paths/~1v1~1x/get/responses");

    let dangling = folder.join("diff-dangling.yaml");
    std::fs::write(
        &dangling,
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /v1/x:\n    get:\n      responses:\n        '200':\n          $ref: '#/components/responses/Gone'\n",
    )
    .unwrap();
    let output = xtask(&["diff", dangling.to_str().unwrap(), "spec/novu.yaml"]);
    assert_one_error_line(&output, "`#/components/responses/Gone` does not resolve");

    let not_yaml = folder.join("diff-not-yaml.yaml");
    std::fs::write(&not_yaml, "openapi: [unclosed\n").unwrap();
    let output = xtask(&["diff", not_yaml.to_str().unwrap(), "spec/novu.yaml"]);
    assert_one_error_line(&output, "not a YAML or JSON document");
}

/// Whether the workspace is a git checkout with a commit to read from.
fn in_git() -> bool {
    Command::new("git")
        .args(["rev-parse", "--verify", "HEAD"])
        .current_dir(workspace_root())
        .output()
        .is_ok_and(|output| output.status.success())
}

#[test]
fn a_side_can_be_a_git_revision_and_path() {
    if !in_git() {
        eprintln!("skipped: the workspace is not a git checkout");
        return;
    }
    let output = xtask(&["diff", "HEAD:spec/novu.yaml", "HEAD:spec/novu.yaml"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "no changes from HEAD:spec/novu.yaml to HEAD:spec/novu.yaml\n"
    );
    // The working file may carry uncommitted edits: whatever they are, both sides load.
    let output = xtask(&[
        "diff",
        "HEAD:spec/novu.yaml",
        "spec/novu.yaml",
        "--format",
        "json",
    ]);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).starts_with('['));
}

#[test]
fn an_unknown_revision_is_one_error_line_and_exit_2() {
    if !in_git() {
        eprintln!("skipped: the workspace is not a git checkout");
        return;
    }
    let output = xtask(&["diff", "no-such-revision:spec/novu.yaml", "spec/novu.yaml"]);
    assert_one_error_line(
        &output,
        "no-such-revision:spec/novu.yaml: git cannot show it",
    );
    let output = xtask(&["diff", "HEAD:spec/missing.yaml", "spec/novu.yaml"]);
    assert_one_error_line(&output, "HEAD:spec/missing.yaml: git cannot show it");
}

/// The path of a fixture file, relative to the workspace root as `cargo xtask` takes it.
fn fixture(name: &str, side: &str) -> String {
    format!("xtask/tests/diff/{name}/{side}.yaml")
}

/// The JSON report of `diff OLD NEW` with `extra` flags, and the exit code.
fn json_report(old: &str, new: &str, extra: &[&str]) -> (Vec<serde_json::Value>, Option<i32>) {
    let mut args = vec!["diff", old, new, "--format", "json"];
    args.extend(extra);
    let output = xtask(&args);
    let report = serde_json::from_str(&stdout(&output))
        .unwrap_or_else(|error| panic!("{error}: {}", stderr(&output)));
    (report, output.status.code())
}

#[test]
fn fail_on_sets_the_level_that_exits_1() {
    // One warning and one info.
    let (old, new) = (
        fixture("recursive-schema", "old"),
        fixture("recursive-schema", "new"),
    );
    for (level, code) in [("error", 0), ("warning", 1), ("info", 1), ("never", 0)] {
        let output = xtask(&["diff", &old, &new, "--fail-on", level]);
        assert_eq!(output.status.code(), Some(code), "--fail-on {level}");
    }
    // Only info.
    let (old, new) = (
        fixture("operation-added", "old"),
        fixture("operation-added", "new"),
    );
    assert_eq!(
        xtask(&["diff", &old, &new, "--fail-on", "warning"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        xtask(&["diff", &old, &new, "--fail-on", "info"])
            .status
            .code(),
        Some(1)
    );
    // An error, even with `never`, is still reported.
    let (old, new) = (
        fixture("operation-removed", "old"),
        fixture("operation-removed", "new"),
    );
    let output = xtask(&["diff", &old, &new, "--fail-on", "never"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stdout(&output).starts_with("2 errors"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn a_shared_component_is_reported_once_with_every_operation_it_reaches() {
    let (old, new) = (
        fixture("grouped-shared-component", "old"),
        fixture("grouped-shared-component", "new"),
    );
    let (report, code) = json_report(&old, &new, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(report.len(), 1, "{report:#?}");
    assert_eq!(
        report[0]["operations"],
        serde_json::json!([
            "GET /v1/topics",
            "GET /v1/topics/{topicKey}",
            "DELETE /v1/topics/{topicKey}"
        ])
    );
    assert_eq!(
        report[0]["message"],
        "response 400/404 field `message` was removed"
    );
    let text = stdout(&xtask(&["diff", &old, &new]));
    assert_eq!(text.matches("response-field-removed").count(), 1, "{text}");
    // A shared header removed from each response is written nowhere in the newer document:
    // it is grouped by where the older one defined it.
    let (report, _) = json_report(
        &fixture("grouped-shared-header", "old"),
        &fixture("grouped-shared-header", "new"),
        &[],
    );
    assert_eq!(report.len(), 1, "{report:#?}");
    assert_eq!(
        report[0]["operations"],
        serde_json::json!(["GET /v1/topics", "GET /v1/topics/{topicKey}"])
    );
    assert!(
        text.contains(
            "  GET /v1/topics, GET /v1/topics/{topicKey}, DELETE /v1/topics/{topicKey}\n"
        ),
        "{text}"
    );
}

#[test]
fn the_deprecation_policy_measures_notice_against_today() {
    let (old, new) = (
        fixture("operation-removed-after-deprecation", "old"),
        fixture("operation-removed-after-deprecation", "new"),
    );
    // Deprecated since 2024-01-15: 90 days of notice end on 2024-04-14.
    let rule = |today: &str, days: &str| {
        let (report, code) =
            json_report(&old, &new, &["--today", today, "--deprecation-days", days]);
        assert_eq!(report.len(), 1, "{report:#?}");
        (report[0]["id"].as_str().unwrap().to_owned(), code)
    };
    assert_eq!(
        rule("2024-04-14", "90"),
        ("operation-removed-after-deprecation".into(), Some(0))
    );
    assert_eq!(
        rule("2024-04-13", "90"),
        ("operation-removed-before-sunset".into(), Some(1))
    );
    assert_eq!(
        rule("2024-04-13", "30"),
        ("operation-removed-after-deprecation".into(), Some(0))
    );
    // Without notice at all it stays `operation-removed`, whatever the date.
    let (report, code) = json_report(
        &fixture("operation-removed", "old"),
        &fixture("operation-removed", "new"),
        &["--today", "2099-01-01", "--deprecation-days", "0"],
    );
    assert_eq!(
        (report[0]["id"].as_str(), code),
        (Some("operation-removed"), Some(1))
    );
    // A date that is not one is refused by the command line.
    let output = xtask(&["diff", &old, &new, "--today", "2024-02-30"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("not a YYYY-MM-DD date"),
        "{}",
        stderr(&output)
    );
}

/// Writes `text` as an ignore file under the test's temporary folder.
fn ignore_file(name: &str, text: &str) -> String {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn the_ignore_file_accepts_changes_by_fingerprint_or_by_rule_and_location() {
    let (old, new) = (
        fixture("grouped-shared-component", "old"),
        fixture("grouped-shared-component", "new"),
    );
    let (report, _) = json_report(&old, &new, &[]);
    let fingerprint = report[0]["fingerprint"].as_str().unwrap();

    let by_fingerprint = ignore_file(
        "ignore-fingerprint.yaml",
        &format!("- fingerprint: {fingerprint}\n  reason: nobody reads `message`\n"),
    );
    let (report, code) = json_report(&old, &new, &["--ignore", &by_fingerprint]);
    assert_eq!(code, Some(0), "an accepted error does not fail the run");
    assert_eq!(report.len(), 1);
    assert_eq!(report[0]["ignored"], "nobody reads `message`");
    let text = stdout(&xtask(&["diff", &old, &new, "--ignore", &by_fingerprint]));
    assert!(
        text.starts_with("0 errors, 0 warnings, 0 info, 1 ignored"),
        "{text}"
    );
    assert!(text.contains("\nIgnored\n"), "{text}");
    assert!(text.contains("accepted: nobody reads `message`"), "{text}");

    // By rule and location, for one operation: the others still fail.
    let one_operation = ignore_file(
        "ignore-one-operation.yaml",
        "- rule: response-field-removed\n  location: /components/schemas/ErrorResponse/properties\n  operation: get /v1/topics\n  reason: the list never fails\n",
    );
    let (report, code) = json_report(&old, &new, &["--ignore", &one_operation]);
    assert_eq!(code, Some(1));
    assert_eq!(report.len(), 2, "{report:#?}");
    assert_eq!(
        report[0]["operations"],
        serde_json::json!(["GET /v1/topics/{topicKey}", "DELETE /v1/topics/{topicKey}"])
    );
    assert!(report[0].get("ignored").is_none());
    assert_eq!(
        report[1]["operations"],
        serde_json::json!(["GET /v1/topics"])
    );
    assert_eq!(report[1]["ignored"], "the list never fails");
}

#[test]
fn a_stale_ignore_entry_is_a_warning() {
    let (old, new) = (
        fixture("recursive-schema", "old"),
        fixture("recursive-schema", "new"),
    );
    let stale = ignore_file(
        "ignore-stale.yaml",
        "- rule: operation-removed\n  location: /paths\n  reason: gone for good\n",
    );
    let output = xtask(&["diff", &old, &new, "--ignore", &stale]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "a warning does not fail by default"
    );
    assert!(
        stderr(&output).contains(
            "the ignore entry (operation-removed at /paths) matches no change: remove it"
        ),
        "{}",
        stderr(&output)
    );
    let output = xtask(&[
        "diff",
        &old,
        &old,
        "--ignore",
        &stale,
        "--fail-on",
        "warning",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let output = xtask(&["diff", &old, &old, "--ignore", &stale, "--format", "github"]);
    assert!(
        stdout(&output).contains("::warning file="),
        "{}",
        stdout(&output)
    );
}

#[test]
fn a_malformed_ignore_file_is_one_error_line_and_exit_2() {
    let (old, new) = (
        fixture("recursive-schema", "old"),
        fixture("recursive-schema", "new"),
    );
    for (name, text, needle) in [
        (
            "ignore-no-reason.yaml",
            "- fingerprint: 0123456789abcdef\n  reason: ''\n",
            "say in `reason`",
        ),
        (
            "ignore-no-name.yaml",
            "- rule: operation-removed\n  reason: x\n",
            "give a `fingerprint`, or a `rule` and a `location`",
        ),
        (
            "ignore-unknown-rule.yaml",
            "- rule: no-such-rule\n  location: /paths\n  reason: x\n",
            "`no-such-rule` is not a rule id",
        ),
        (
            "ignore-not-a-list.yaml",
            "accept: everything\n",
            "not a list of ignore entries",
        ),
    ] {
        let path = ignore_file(name, text);
        assert_one_error_line(&xtask(&["diff", &old, &new, "--ignore", &path]), needle);
    }
    assert_one_error_line(
        &xtask(&["diff", &old, &new, "--ignore", "no/such/ignore.yaml"]),
        "cannot read the ignore file",
    );
}

#[test]
fn the_github_format_points_at_the_line_of_the_newer_document() {
    let (old, new) = (
        fixture("grouped-shared-component", "old"),
        fixture("grouped-shared-component", "new"),
    );
    let output = xtask(&["diff", &old, &new, "--format", "github"]);
    assert_eq!(output.status.code(), Some(1));
    // `/components/schemas/ErrorResponse/properties` is line 64, indented by 6.
    let line = std::fs::read_to_string(workspace_root().join(&new))
        .unwrap()
        .lines()
        .nth(63)
        .unwrap()
        .to_owned();
    assert_eq!(line, "      properties:");
    assert_eq!(
        stdout(&output),
        format!(
            "::error file={new},line=64,col=7,title=response-field-removed::response 400/404 field `message` was removed (GET /v1/topics, GET /v1/topics/{{topicKey}}, DELETE /v1/topics/{{topicKey}}; at /components/schemas/ErrorResponse/properties; fingerprint ee4f79f4faf951c4)\n"
        )
    );
    // A removed operation points at its nearest parent that still exists, `paths:`; info is a
    // notice and a warning a warning.
    let output = xtask(&[
        "diff",
        &fixture("operation-removed", "old"),
        &fixture("operation-removed", "new"),
        "--format",
        "github",
    ]);
    assert!(
        stdout(&output).starts_with("::error file="),
        "{}",
        stdout(&output)
    );
    let paths_line =
        std::fs::read_to_string(workspace_root().join(fixture("operation-removed", "new")))
            .unwrap()
            .lines()
            .position(|line| line == "paths:")
            .unwrap()
            + 1;
    assert!(
        stdout(&output).contains(&format!(",line={paths_line},col=1,")),
        "{}",
        stdout(&output)
    );
    let output = xtask(&[
        "diff",
        &fixture("recursive-schema", "old"),
        &fixture("recursive-schema", "new"),
        "--format",
        "github",
    ]);
    let printed = stdout(&output);
    let commands: Vec<&str> = printed
        .lines()
        .filter_map(|line| line.strip_prefix("::"))
        .filter_map(|line| line.split(' ').next())
        .collect();
    assert_eq!(commands, ["warning", "notice"]);
}

#[test]
fn the_junit_format_has_a_test_case_per_change_failed_at_fail_on() {
    let (old, new) = (
        fixture("recursive-schema", "old"),
        fixture("recursive-schema", "new"),
    );
    let report = |fail_on: &str| {
        let output = xtask(&[
            "diff",
            &old,
            &new,
            "--format",
            "junit",
            "--fail-on",
            fail_on,
        ]);
        stdout(&output)
    };
    let default = report("error");
    assert!(default.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"));
    assert_eq!(default.matches("<testcase ").count(), 2, "{default}");
    assert_eq!(default.matches("<failure ").count(), 0, "{default}");
    assert!(default.contains("tests=\"2\" failures=\"0\""), "{default}");
    assert!(
        default.contains("classname=\"POST /v1/conditions\""),
        "{default}"
    );
    let strict = report("warning");
    assert_eq!(
        strict.matches("<failure type=\"warning\"").count(),
        1,
        "{strict}"
    );
    assert!(strict.contains("tests=\"2\" failures=\"1\""), "{strict}");
    assert_eq!(report("info").matches("<failure ").count(), 2);
    // Markup in messages is escaped.
    let output = xtask(&[
        "diff",
        &fixture("request-content-type-changed", "old"),
        &fixture("request-content-type-changed", "new"),
        "--format",
        "junit",
    ]);
    assert!(!stdout(&output).contains("=\"`"), "{}", stdout(&output));
}

#[test]
fn other_openapi_versions_are_named_in_one_error_line() {
    let folder = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let swagger = folder.join("diff-swagger.json");
    std::fs::write(
        &swagger,
        r#"{"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}}"#,
    )
    .unwrap();
    let output = xtask(&["diff", swagger.to_str().unwrap(), "spec/novu.yaml"]);
    assert_one_error_line(
        &output,
        "this is a Swagger 2.0 document: only OpenAPI 3.0.x is supported",
    );
    let openapi_31 = folder.join("diff-openapi-31.yaml");
    std::fs::write(
        &openapi_31,
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n",
    )
    .unwrap();
    let output = xtask(&["diff", "spec/novu.yaml", openapi_31.to_str().unwrap()]);
    assert_one_error_line(
        &output,
        "this is an OpenAPI 3.1.0 document: only OpenAPI 3.0.x is supported",
    );
}

#[test]
fn a_side_can_be_json() {
    let old = fixture("response-field-removed", "old");
    let raw: serde_json::Value =
        serde_norway::from_str(&std::fs::read_to_string(workspace_root().join(&old)).unwrap())
            .unwrap();
    let json = Path::new(env!("CARGO_TARGET_TMPDIR")).join("diff-old.json");
    std::fs::write(&json, serde_json::to_string_pretty(&raw).unwrap()).unwrap();
    let new = fixture("response-field-removed", "new");
    let (from_json, code) = json_report(json.to_str().unwrap(), &new, &[]);
    let (from_yaml, _) = json_report(&old, &new, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(from_json, from_yaml);
}

fn novu_spec(args: &[&str], folder: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_novu-spec"))
        .args(args)
        .current_dir(folder)
        .output()
        .expect("the novu-spec binary runs")
}

#[test]
fn novu_spec_diffs_and_lints_documents_from_the_current_folder() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diff/response-field-removed");
    let output = novu_spec(
        &["diff", "old.yaml", "new.yaml", "--format", "json"],
        &folder,
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let expected = std::fs::read_to_string(folder.join("expected.json")).unwrap();
    assert_eq!(stdout(&output), expected);
    let output = novu_spec(&["diff", "old.yaml", "old.yaml"], &folder);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "no changes from old.yaml to old.yaml\n");

    let output = novu_spec(&["lint", "spec/novu.yaml"], &workspace_root());
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).starts_with("spec/novu.yaml: no problems in "));

    let openapi_31 = Path::new(env!("CARGO_TARGET_TMPDIR")).join("novu-spec-31.yaml");
    std::fs::write(
        &openapi_31,
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n",
    )
    .unwrap();
    let output = novu_spec(&["lint", openapi_31.to_str().unwrap()], &folder);
    assert_one_error_line(
        &output,
        "OpenAPI 3.1.0 document: only OpenAPI 3.0.x is supported",
    );
    let output = novu_spec(&["diff", "old.yaml", openapi_31.to_str().unwrap()], &folder);
    assert_one_error_line(
        &output,
        "OpenAPI 3.1.0 document: only OpenAPI 3.0.x is supported",
    );
    let output = novu_spec(&["lint", "missing.yaml"], &folder);
    assert_one_error_line(&output, "missing.yaml: cannot read the file");
}

/// Two changes compatible on the wire: a new optional query parameter, which with the builder
/// client and the non-exhaustive server inputs breaks no Rust caller, and a component schema
/// renamed (`Note` → `Memo`, the same structure), which renames its Rust type: `--bindings`
/// reports the rename alone and exits 3; without the flag the wire verdict alone passes.
#[test]
fn bindings_report_a_wire_compatible_change_that_breaks_rust_callers() {
    let (old, new) = (
        "xtask/tests/bindings/old.yaml",
        "xtask/tests/bindings/new.yaml",
    );
    let wire_only = xtask(&["diff", old, new]);
    assert_eq!(wire_only.status.code(), Some(0), "{}", stdout(&wire_only));
    assert!(stdout(&wire_only).starts_with("0 errors, 0 warnings, 1 info"));

    let with_bindings = xtask(&["diff", old, new, "--bindings"]);
    let report = stdout(&with_bindings);
    assert_eq!(with_bindings.status.code(), Some(3), "{report}");
    assert!(report.contains("  types::Note: removed"), "{report}");
    assert!(
        report.contains("types::NotePage::data: type changed: `field ::std::vec::Vec<Note>` → `field ::std::vec::Vec<Memo>`"),
        "{report}"
    );
    let about_the_parameter: Vec<&str> = report
        .lines()
        .filter(|line| {
            line.contains("notes_list") || line.contains("NotesList") || line.contains("author")
        })
        .filter(|line| !line.contains("parameter-optional-added"))
        .collect();
    assert_eq!(
        about_the_parameter,
        Vec::<&str>::new(),
        "a new optional parameter is no Rust break: {report}"
    );

    let unchanged = xtask(&["diff", old, old, "--bindings"]);
    assert_eq!(unchanged.status.code(), Some(0));
    assert!(stdout(&unchanged).contains("Rust bindings: no item removed or changed"));
}
