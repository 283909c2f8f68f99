//! `cargo xtask diff OLD NEW`: what changed in the contract between two OpenAPI 3.0 documents,
//! and whether it breaks existing clients.
//!
//! Each side is loaded like any spec (`spec::parse`), from a file or from git (`REV:path`), and
//! compared on its JSON tree: operations by method and path template (`operations`), schemas by
//! structure (`schema`), each difference named by a rule (`rules`) and printed as text, JSON or
//! Markdown (`report`). Exit 0 when nothing breaks, 1 when something does, 2 on error.

mod document;
mod operations;
mod report;
mod rules;
mod schema;
mod walk;

use std::path::Path;
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};
use clap::ValueEnum;

use crate::spec::{self, Spec};
pub use report::{Change, Operation};
pub use rules::{Rule, Severity};

/// The arguments of `cargo xtask diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The older document: a YAML or JSON file (relative to the workspace root) or a git
    /// revision and path, `origin/main:spec/novu.yaml`.
    #[arg(required_unless_present = "rules")]
    pub old: Option<String>,
    /// The newer document, in the same forms.
    #[arg(required_unless_present = "rules")]
    pub new: Option<String>,
    /// How to print the report.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// List the rules (id, severity, what each reports) instead of diffing.
    #[arg(long, conflicts_with_all = ["old", "new"])]
    pub rules: bool,
}

/// How the report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Grouped by operation, breaking changes first, for a terminal.
    Text,
    /// One object per change: `id`, `severity`, `operation`, `location`, `message`.
    Json,
    /// A pull-request comment.
    Markdown,
}

/// Runs `cargo xtask diff`: prints the report; exit 1 when a change is breaking.
pub fn run(args: &DiffArgs, root: &Path) -> Result<ExitCode> {
    if args.rules {
        print!("{}", report::rules());
        return Ok(ExitCode::SUCCESS);
    }
    let (Some(old), Some(new)) = (&args.old, &args.new) else {
        bail!("name the two documents to compare: `cargo xtask diff OLD NEW`");
    };
    let old_spec = load(root, old)?;
    let new_spec = load(root, new)?;
    let changes = diff(&old_spec, &new_spec)?;
    let out = match args.format {
        Format::Text => report::text(&changes, old, new),
        Format::Json => report::json(&changes),
        Format::Markdown => report::markdown(&changes, old, new),
    };
    print!("{out}");
    Ok(if report::breaks(&changes) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Every change from `old` to `new`, breaking ones first. Fails when a `$ref` of either
/// document is not local or does not resolve.
pub fn diff(old: &Spec, new: &Spec) -> Result<Vec<Change>> {
    let old = document::Document::new(old)?;
    let new = document::Document::new(new)?;
    Ok(operations::compare(&old, &new))
}

/// Loads one side: the file `argument` names, or else `REV:path` from git (`:path` is the
/// staged version).
fn load(root: &Path, argument: &str) -> Result<Spec> {
    let path = root.join(argument);
    let text = match argument.split_once(':') {
        Some((_, file)) if !path.exists() => show(root, argument, file)?,
        _ => std::fs::read_to_string(&path)
            .with_context(|| format!("{argument}: cannot read the file"))
            .map_err(one_line)?,
    };
    spec::parse(argument, &text).map_err(|error| one_line(error.into()))
}

/// The text of `REV:path` in the repository at `root`.
fn show(root: &Path, argument: &str, file: &str) -> Result<String> {
    let output = Command::new("git")
        .arg("show")
        .arg(argument)
        .current_dir(root)
        .output()
        .with_context(|| format!("{argument}: cannot run git"))
        .map_err(one_line)?;
    if !output.status.success() {
        let reason = String::from_utf8_lossy(&output.stderr);
        let reason = reason.lines().next().unwrap_or("git show failed").trim();
        bail!("{argument}: git cannot show it: {reason}");
    }
    String::from_utf8(output.stdout)
        .map_err(|_| anyhow::anyhow!("{argument}: {file} is not UTF-8 text"))
}

/// The error's chain on one line: `main` prints it after `error: `.
fn one_line(error: anyhow::Error) -> anyhow::Error {
    anyhow::anyhow!("{}", format!("{error:#}").replace('\n', " "))
}
