//! The command line: `list`, exit statuses and report files.

use std::process::Command;

use novu_conformance::{Spec, check_names};

use crate::hostile::{Behaviour, serve};

fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_novu-conformance"));
    // The binary reads these too; the tests choose the target explicitly.
    command
        .env_remove("NOVU_BASE_URL")
        .env_remove("NOVU_API_KEY")
        .env_remove("NOVU_SECOND_API_KEY")
        .env_remove("NOVU_COMPARE_URL")
        .env_remove("NOVU_COMPARE_API_KEY");
    command
}

fn target(command: &mut Command) -> &mut Command {
    if let (Ok(base_url), Ok(api_key)) = (
        std::env::var("NOVU_BASE_URL"),
        std::env::var("NOVU_API_KEY"),
    ) {
        command.args(["--base-url", &base_url, "--api-key", &api_key]);
    }
    command
}

#[test]
fn list_names_every_check_and_operation() {
    let output = binary().arg("list").output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    for check in check_names() {
        assert!(text.contains(check), "{check} missing");
    }
    for operation in Spec::embedded().unwrap().operations {
        assert!(
            text.contains(&operation.operation_id),
            "{} missing",
            operation.operation_id
        );
    }
}

#[test]
fn a_clean_run_exits_zero_and_writes_reports() {
    let directory = std::env::temp_dir().join(format!("novu-conformance-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let junit = directory.join("junit.xml");
    let json = directory.join("results.jsonl");
    let output = target(binary().args([
        "run",
        "--seed",
        "3",
        "--operation",
        "environments_retrieve_current",
    ]))
    .arg("--junit")
    .arg(&junit)
    .arg("--json")
    .arg(&json)
    .output()
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("0 violations"), "{stdout}");
    let junit = std::fs::read_to_string(junit).unwrap();
    assert!(junit.contains("<testcase classname=\"Environments\" name=\"auth-missing-key environments_retrieve_current\""), "{junit}");
    let json = std::fs::read_to_string(json).unwrap();
    for line in json.lines() {
        let result: serde_json::Value = serde_json::from_str(line).unwrap();
        // A ported e2e case reads what it compares with through other operations, and
        // response-conformance judges those answers too.
        if ["novu-e2e", "response-conformance"].contains(&result["check"].as_str().unwrap_or("")) {
            continue;
        }
        assert_eq!(
            result["operationId"], "environments_retrieve_current",
            "{line}"
        );
    }
    assert!(json.lines().count() >= 4, "{json}");
    let _ = std::fs::remove_dir_all(directory);
}

#[tokio::test(flavor = "multi_thread")]
async fn violations_exit_one_and_show_a_curl_command() {
    let (base_url, _) = serve(Behaviour::WrongShape).await;
    let mut command = binary();
    command.args([
        "run",
        "--seed",
        "5",
        "--operation",
        "environments_list",
        "--base-url",
        &base_url,
        "--api-key",
        "k",
    ]);
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("violation of response-conformance on environments_list"),
        "{stdout}"
    );
    assert!(stdout.contains("curl -sS -i -X GET"), "{stdout}");
    assert!(stdout.contains("$NOVU_API_KEY"), "{stdout}");
    assert!(stdout.contains("seed: 5"), "{stdout}");
}

#[test]
fn set_up_and_usage_errors_exit_two_with_one_line() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let output = binary()
        .args([
            "run",
            "--base-url",
            &format!("http://{address}"),
            "--api-key",
            "k",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("cannot use the server"), "{stderr}");

    let output = binary()
        .args(["run", "--check", "no-such-check"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));

    let output = binary()
        .args(["run", "--spec", "/nonexistent/novu.yaml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));

    let output = binary()
        .args(["run", "--partition", "5/4"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));

    let output = binary()
        .args(["run", "--tag", "Topics", "--operation", "changes_count"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));

    let spec =
        std::env::temp_dir().join(format!("novu-conformance-spec-{}.yaml", std::process::id()));
    std::fs::write(
        &spec,
        "openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths: {}\n",
    )
    .unwrap();
    let output = binary()
        .arg("run")
        .arg("--spec")
        .arg(&spec)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&spec);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("OpenAPI 3.1.0 is not supported"),
        "{stderr}"
    );
}

#[test]
fn callback_host_offers_webhooks_to_the_server_at_that_address() {
    // The embedded reference reaches the callback at any address of this machine.
    if !crate::against_reference() {
        return;
    }
    let output = binary()
        .args([
            "run",
            "--seed",
            "42",
            "--cases",
            "40",
            "--check",
            "conditions",
        ])
        .args([
            "--operation",
            "events_trigger",
            "--callback-host",
            "127.0.0.1",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(
        text.contains("called the suite's webhooks"),
        "{text}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_compare_url_without_its_key_is_a_usage_error() {
    let output = binary()
        .args(["run", "--compare-url", "http://127.0.0.1:9"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let error = String::from_utf8(output.stderr).unwrap();
    assert!(error.contains("--compare-api-key"), "{error}");
}

#[test]
fn help_explains_the_second_key_and_the_comparison_without_showing_keys() {
    let output = binary()
        .args(["run", "--help"])
        .env("NOVU_SECOND_API_KEY", "secret-second-key")
        .env("NOVU_COMPARE_API_KEY", "secret-compare-key")
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for flag in ["--second-api-key", "--compare-url", "--compare-api-key"] {
        assert!(help.contains(flag), "{flag} missing from {help}");
    }
    assert!(!help.contains("secret-second-key") && !help.contains("secret-compare-key"));
}

#[test]
fn help_explains_the_lasting_objects_flag() {
    let output = binary().args(["run", "--help"]).output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(help.contains("--allow-lasting-objects"), "{help}");
    assert!(help.contains("organization"), "{help}");
    assert!(help.contains("allow-lasting-objects, junit"), "{help}");
}
