//! What a CI job relies on, through the command line: the coverage report and its gates, the
//! HAR file, and the config file with the flags winning over it.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

use crate::proxy::{Breakage, BrokenReference};

/// The binary, with the target variables removed (the tests choose the target).
pub fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_novu-conformance"));
    command
        .env_remove("NOVU_BASE_URL")
        .env_remove("NOVU_API_KEY");
    command
}

/// Runs `command` to its end off the async runtime (a proxy in this process must keep answering).
pub async fn finish(mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

/// Standard output and error, for assertion messages.
pub fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn scratch(name: &str) -> PathBuf {
    let directory = std::env::temp_dir().join(format!("nc-ci-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    directory
}

/// A run of the environment's own read, with `extra` arguments, against the embedded
/// reference.
fn current_environment(extra: &[&str]) -> Command {
    let mut command = binary();
    command.args([
        "run",
        "--no-config",
        "--seed",
        "3",
        "--operation",
        "environments_retrieve_current",
    ]);
    command.args(extra);
    command
}

#[tokio::test(flavor = "multi_thread")]
async fn coverage_lists_statuses_per_operation_in_json_and_markdown() {
    let directory = scratch("coverage");
    let file = directory.join("coverage.json");
    let mut command = current_environment(&[]);
    command.arg("--coverage").arg(&file);
    let output = finish(command).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let coverage: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let operations = coverage["operations"].as_array().unwrap();
    assert_eq!(operations.len(), 1, "{coverage}");
    let operation = &operations[0];
    assert_eq!(operation["operationId"], "environments_retrieve_current");
    // The checks send it with the key, without it and with a wrong one.
    assert!(
        operation["observed"]["200"].as_u64().unwrap() >= 1,
        "{operation}"
    );
    assert!(
        operation["observed"]["401"].as_u64().unwrap() >= 2,
        "{operation}"
    );
    assert_eq!(
        operation["documentedObserved"],
        serde_json::json!([200, 401])
    );
    assert!(
        operation["neverObserved"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!(500)),
        "{operation}"
    );
    assert_eq!(operation["undocumentedObserved"], serde_json::json!([]));
    assert_eq!(coverage["totals"]["documentedPairsObserved"], 2);
    let markdown = std::fs::read_to_string(directory.join("coverage.md")).unwrap();
    assert!(
        markdown.contains("| `environments_retrieve_current` | GET | `/v1/environments/me` |"),
        "{markdown}"
    );
    let _ = std::fs::remove_dir_all(directory);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unmet_gate_fails_the_run_and_names_what_misses_it() {
    // A run of one check that never sends the key misses all three gates on topics_get: it
    // gets no 2xx, never the documented 404, and sees 1 of the documented pairs (the 401).
    let mut command = binary();
    command.args([
        "run",
        "--no-config",
        "--operation",
        "topics_get",
        "--check",
        "auth-missing-key",
        "--require",
        "2xx-per-operation",
        "--require",
        "status:404",
        "--require-status-coverage",
        "100%",
    ]);
    let output = finish(command).await;
    let stdout = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    for line in [
        "FAIL gate 2xx-per-operation: 1 of 1 operations got no 2xx: topics_get",
        "FAIL gate status:404: 1 operations document 404 but never got it: topics_get",
    ] {
        assert!(stdout.contains(line), "{line}\n{stdout}");
    }
    assert!(
        stdout.contains("FAIL gate status-coverage 100%: 1 of ")
            && stdout.contains("topics_get 200")
            && stdout.contains("topics_get 404"),
        "{stdout}"
    );

    let output = finish(current_environment(&["--require", "documented-999"])).await;
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
}

#[tokio::test(flavor = "multi_thread")]
async fn met_gates_pass() {
    let output = finish(current_environment(&[
        "--require",
        "2xx-per-operation",
        "--require",
        "status:401",
        "--require-status-coverage",
        "60%",
    ]))
    .await;
    let stdout = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("gate 2xx-per-operation met"), "{stdout}");
    assert!(stdout.contains("gate status-coverage 60% met"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread")]
async fn har_records_every_exchange_with_the_key_redacted() {
    let target = BrokenReference::start(Breakage::default()).await;
    let options = target.options();
    let (base_url, api_key) = (options.base_url.unwrap(), options.api_key.unwrap());
    let directory = scratch("har");
    let file = directory.join("run.har");
    let mut command = binary();
    command.args([
        "run",
        "--no-config",
        "--seed",
        "3",
        "--operation",
        "environments_retrieve_current",
        "--check",
        "safe-reads",
        "--check",
        "auth-wrong-key",
        "--base-url",
        &base_url,
        "--api-key",
        &api_key,
    ]);
    command.arg("--har").arg(&file);
    let output = finish(command).await;
    let stdout = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    let har_text = std::fs::read_to_string(&file).unwrap();
    assert!(!har_text.contains(&api_key), "the key leaked into the HAR");
    let har: Value = serde_json::from_str(&har_text).unwrap();
    assert_eq!(har["log"]["version"], "1.2");
    let entries = har["log"]["entries"].as_array().unwrap();
    // The set-up probe, the safe read and the wrong key's request.
    assert!(stdout.contains(", 2 requests,"), "{stdout}");
    assert_eq!(entries.len(), 3, "{har_text}");
    for entry in entries {
        assert_eq!(entry["request"]["method"], "GET");
        assert!(
            entry["request"]["url"]
                .as_str()
                .unwrap()
                .ends_with("/v1/environments/me")
        );
        assert!(entry["time"].as_f64().unwrap() >= 0.0);
        assert!(entry["startedDateTime"].as_str().unwrap().ends_with('Z'));
    }
    let statuses: Vec<u64> = entries
        .iter()
        .map(|entry| entry["response"]["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses.iter().filter(|status| **status == 200).count(), 2);
    assert_eq!(statuses.iter().filter(|status| **status == 401).count(), 1);
    assert!(har_text.contains("ApiKey [redacted]"), "{har_text}");
    let _ = std::fs::remove_dir_all(directory);
    target.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_config_file_fills_what_flags_leave_and_refuses_unknown_keys() {
    let target = BrokenReference::start(Breakage::default()).await;
    let options = target.options();
    let (base_url, api_key) = (options.base_url.unwrap(), options.api_key.unwrap());
    let directory = scratch("config");
    let config = directory.join("novu-conformance.toml");
    std::fs::write(
        &config,
        format!(
            "base-url = \"{base_url}\"\napi-key-env = \"NC_TEST_STAGING_KEY\"\nseed = 7\n\
             operations = [\"environments_retrieve_current\"]\nchecks = [\"safe-reads\"]\n\
             coverage = \"coverage.json\"\nrequire = [\"2xx-per-operation\"]\n"
        ),
    )
    .unwrap();
    let mut command = binary();
    command
        .args(["run", "--seed", "9", "--config"])
        .arg(&config)
        .env("NC_TEST_STAGING_KEY", &api_key);
    let output = finish(command).await;
    let stdout = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    // The flag's seed, the file's target, selection, gate and coverage file (beside it).
    assert!(stdout.contains("(seed 9)"), "{stdout}");
    assert!(stdout.contains(&base_url), "{stdout}");
    assert!(stdout.contains("1 of 1 operations covered"), "{stdout}");
    assert!(stdout.contains("gate 2xx-per-operation met"), "{stdout}");
    assert!(directory.join("coverage.json").is_file());

    // Found in the current directory without --config.
    let mut command = binary();
    command
        .current_dir(&directory)
        .args(["run", "--check", "auth-wrong-key"])
        .env("NC_TEST_STAGING_KEY", &api_key);
    let output = finish(command).await;
    let stdout = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("(seed 7)") && stdout.contains(&base_url),
        "{stdout}"
    );

    // The variable the file names must be set.
    let mut command = binary();
    command.args(["run", "--config"]).arg(&config);
    let output = finish(command).await;
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        text(&output).contains("NC_TEST_STAGING_KEY"),
        "{}",
        text(&output)
    );

    std::fs::write(&config, "seed = 7\nparallelism = 3\n").unwrap();
    let mut command = binary();
    command.args(["run", "--config"]).arg(&config);
    let output = finish(command).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("line 2") && stderr.contains("unknown field `parallelism`"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(directory);
    target.stop().await;
}

#[test]
fn the_example_config_file_reads() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("novu-conformance.example.toml");
    let config = novu_conformance::ConfigFile::read(&path).unwrap();
    assert_eq!(config.api_key_env.as_deref(), Some("NOVU_STAGING_API_KEY"));
    assert_eq!(config.require.map(|gates| gates.len()), Some(2));
    assert!(
        config
            .baseline
            .unwrap()
            .starts_with(env!("CARGO_MANIFEST_DIR"))
    );
}
