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
