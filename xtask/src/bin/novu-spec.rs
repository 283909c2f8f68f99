//! `novu-spec`: the contract checks of `cargo xtask` for any OpenAPI 3.0 document, outside this
//! repository. `novu-spec diff OLD NEW` is `cargo xtask diff` (every flag, every format) with
//! paths and `REV:path` taken from the current folder; `novu-spec lint FILE` is `cargo xtask
//! lint`. Install with `cargo install --path xtask --bin novu-spec`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use xtask::codegen::validate;
use xtask::diff;

/// Check OpenAPI 3.0 documents (YAML or JSON): what changed between two versions and how much
/// it can hurt clients, or what is wrong with one.
#[derive(Parser)]
#[command(name = "novu-spec", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compare two versions of an API: every change as an error (breaks clients or
    /// implementations), a warning (may break some) or info. Exit 0 when no change reaches
    /// `--fail-on` (default `error`), 1 when one does, 2 when a side cannot be read or is not an
    /// OpenAPI 3.0 document.
    Diff(diff::DiffArgs),
    /// Check one document: `$ref`s, operationIds, tags, security, path parameters, success
    /// responses, examples against their schemas, one error schema. One line per problem; exit 1
    /// when there is one, 2 when the file cannot be read or is not an OpenAPI 3.0 document.
    Lint {
        /// The document to check.
        file: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = std::env::current_dir()
        .context("cannot tell the current folder")
        .and_then(|root| match &cli.command {
            Command::Diff(args) => diff::run(args, &root),
            Command::Lint { file } => lint(&root, file),
        });
    match outcome {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn lint(root: &Path, file: &Path) -> Result<ExitCode> {
    let shown = file.display().to_string();
    let text = std::fs::read_to_string(root.join(file))
        .with_context(|| format!("{shown}: cannot read the file"))?;
    let spec = diff::parse(&shown, &text)?;
    let problems = validate::validate(&spec);
    for problem in &problems {
        println!("{}", problem.display(&shown));
    }
    if problems.is_empty() {
        println!(
            "{shown}: no problems in {} operations",
            spec.document.operations().count()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("{} problem(s)", problems.len());
        Ok(ExitCode::from(1))
    }
}
