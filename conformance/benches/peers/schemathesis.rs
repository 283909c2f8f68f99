//! Schemathesis 4.x in a virtualenv of its own, and its runs: the command line it is given
//! and what its JUnit report says it found.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The pip requirement: the newest 4.x.
const REQUIREMENT: &str = "schemathesis>=4,<5";

/// A working schemathesis installation.
pub struct Schemathesis {
    /// `<venv>/bin/schemathesis`.
    program: PathBuf,
    /// Its version, as `--version` prints it.
    pub version: String,
    /// Where the virtualenv is and whether it was reused or made now, for the output.
    pub origin: String,
}

/// What one run of schemathesis did.
pub struct Outcome {
    /// Wall time of the process, interpreter start-up included.
    pub elapsed: Duration,
    /// The process's exit code (1 when it found something).
    pub exit_code: Option<i32>,
    /// What it found: `(operation, "ST201 Schema-violating request accepted")`, from its
    /// JUnit report.
    pub findings: BTreeSet<(String, String)>,
}

/// Why schemathesis cannot run here; the bench then says so and skips its part.
#[derive(Debug)]
pub struct Unavailable(pub String);

impl Schemathesis {
    /// Reuses the virtualenv at `venv` when it holds a schemathesis 4.x, and otherwise makes
    /// it anew there with `python3 -m venv` and pip.
    pub fn prepare(venv: &Path) -> Result<Schemathesis, Unavailable> {
        let program = venv.join("bin").join("schemathesis");
        if let Some(version) = version_of(&program) {
            return Ok(Schemathesis {
                program,
                version,
                origin: format!("the cached virtualenv {} (reused)", venv.display()),
            });
        }
        if venv.exists() {
            std::fs::remove_dir_all(venv).map_err(|error| {
                Unavailable(format!(
                    "the stale virtualenv {} cannot be removed: {error}",
                    venv.display()
                ))
            })?;
        }
        let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
        quiet(Command::new(&python).args(["-m", "venv"]).arg(venv))
            .map_err(|why| Unavailable(format!("`{python} -m venv` failed: {why}")))?;
        let pip = venv.join("bin").join("pip");
        quiet(
            Command::new(&pip)
                .args(["install", "--quiet", "--disable-pip-version-check"])
                .arg(REQUIREMENT),
        )
        .map_err(|why| Unavailable(format!("`pip install '{REQUIREMENT}'` failed: {why}")))?;
        let version = version_of(&program).ok_or_else(|| {
            Unavailable(format!(
                "{} does not answer --version with a 4.x version after installation",
                program.display()
            ))
        })?;
        Ok(Schemathesis {
            program,
            version,
            origin: format!("the virtualenv {} (installed now)", venv.display()),
        })
    }

    /// Runs schemathesis on `spec` against `base_url` with the API key `api_key`, at most
    /// `max_examples` examples per operation, on `operations` only (all when empty), with
    /// every check it has, and `extra` arguments. `workdir` receives its output and report.
    #[allow(
        clippy::too_many_arguments,
        reason = "one call per table, each naming every part"
    )]
    pub fn run(
        &self,
        spec: &Path,
        base_url: &str,
        api_key: &str,
        max_examples: u32,
        operations: &[&str],
        extra: &[&str],
        workdir: &Path,
    ) -> std::io::Result<Outcome> {
        std::fs::create_dir_all(workdir)?;
        let junit = workdir.join("junit.xml");
        let output = std::fs::File::create(workdir.join("output.txt"))?;
        let mut command = Command::new(&self.program);
        command
            .arg("run")
            .arg(spec)
            .args(["--url", base_url])
            .args(["--header", &format!("Authorization: ApiKey {api_key}")])
            .args(["--max-examples", &max_examples.to_string()])
            .args(["--checks", "all"])
            .args(["--seed", "1"])
            .args(["--generation-database", "none"])
            .args(["--request-timeout", "10"])
            .args(["--report", "junit", "--report-junit-path"])
            .arg(&junit)
            .arg("--no-color")
            .args(extra);
        for operation in operations {
            command.args(["--include-operation-id", operation]);
        }
        // Run in `workdir` so that nothing schemathesis writes lands in the repository.
        let started = Instant::now();
        let status = command
            .current_dir(workdir)
            .stdin(Stdio::null())
            .stdout(output.try_clone()?)
            .stderr(output)
            .status()?;
        let elapsed = started.elapsed();
        let report = std::fs::read_to_string(&junit).unwrap_or_default();
        Ok(Outcome {
            elapsed,
            exit_code: status.code(),
            findings: findings(&report),
        })
    }
}

/// The version `program --version` prints, when it is a 4.x.
fn version_of(program: &Path) -> Option<String> {
    let output = Command::new(program).arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let version = text.trim().rsplit(' ').next()?.to_owned();
    (output.status.success() && version.starts_with("4.")).then_some(version)
}

/// Runs `command`, its output kept for the error.
fn quiet(command: &mut Command) -> Result<(), String> {
    let output = command.output().map_err(|error| error.to_string())?;
    if output.status.success() {
        return Ok(());
    }
    let text = String::from_utf8_lossy(&output.stderr);
    let last = text.lines().rev().find(|line| !line.trim().is_empty());
    Err(format!(
        "{}{}",
        output.status,
        last.map(|line| format!(": {}", line.trim()))
            .unwrap_or_default()
    ))
}

/// The failures and errors of a schemathesis JUnit report: each test case is an operation
/// (`POST /v1/topics`); each failure text names its checks on lines `- ST201 Title`; an error
/// (the request could not be made or its answer read) is named by its message.
pub fn findings(report: &str) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    for case in report.split("<testcase ").skip(1) {
        let Some(operation) = attribute(case, "name") else {
            continue;
        };
        let operation = unescape(&operation);
        for failure in case.split("<failure ").skip(1) {
            let text = failure.split("</failure>").next().unwrap_or_default();
            for line in text.lines() {
                if let Some(title) = line.trim().strip_prefix("- ST") {
                    found.insert((operation.clone(), format!("ST{}", unescape(title.trim()))));
                }
            }
        }
        for error in case.split("<error ").skip(1) {
            let message = attribute(error, "message").unwrap_or_else(|| "error".to_owned());
            found.insert((operation.clone(), format!("error: {}", unescape(&message))));
        }
    }
    found
}

/// The value of `name="…"` at the start of an element's attributes.
fn attribute(element: &str, name: &str) -> Option<String> {
    let head = element.split('>').next()?;
    let start = head.find(&format!("{name}=\""))? + name.len() + 2;
    let end = head[start..].find('"')? + start;
    Some(head[start..end].to_owned())
}

/// XML's five escapes, undone.
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}
