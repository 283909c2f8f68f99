//! Novu's official Node SDK, `@novu/node` 2.0.5, calls every method it has against the
//! reference (`clients/node-sdk/tour.mjs`, with expectations taken from Novu, not from this
//! server). Needs Node.js 18 or newer and npm with the npm registry; `npm ci` runs first when
//! the SDK is not installed yet.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tour_directory() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../clients/node-sdk")
}

fn run(command: &mut Command, what: &str) -> Output {
    command.output().unwrap_or_else(|error| {
        panic!(
            "{what} could not start ({error}): the Node SDK tour needs Node.js 18+ and npm on PATH"
        )
    })
}

fn install(directory: &Path) {
    if directory
        .join("node_modules/@novu/node/package.json")
        .exists()
    {
        return;
    }
    let output = run(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(directory),
        "npm ci",
    );
    assert!(
        output.status.success(),
        "npm ci failed in {}:\n{}{}",
        directory.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_official_node_sdk_calls_every_method_against_the_reference() {
    let directory = tour_directory();
    install(&directory);
    let server = novu_reference::start(novu_reference::Config::in_memory())
        .await
        .expect("the reference starts");
    let base_url = server.base_url();
    let api_key = server.api_key().to_owned();
    let output = tokio::task::spawn_blocking(move || {
        run(
            Command::new("node")
                .arg("tour.mjs")
                .env("NOVU_BASE_URL", base_url)
                .env("NOVU_API_KEY", api_key)
                .current_dir(directory),
            "node",
        )
    })
    .await
    .expect("the tour ran");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    server.shutdown().await.expect("clean shutdown");
    assert!(output.status.success(), "{stdout}{stderr}");
    let summary = stdout
        .lines()
        .find(|line| line.starts_with("tour: "))
        .unwrap_or_else(|| panic!("no summary line:\n{stdout}{stderr}"));
    assert!(summary.ends_with(" 0 failed"), "{summary}");
    let methods: usize = summary["tour: ".len()..]
        .split(' ')
        .next()
        .and_then(|count| count.parse().ok())
        .unwrap_or_default();
    assert!(methods >= 101, "every method of the SDK: {summary}");
}
