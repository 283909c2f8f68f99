//! `cargo xtask <task>`: the project's automation. Run `cargo xtask --help`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

use xtask::codegen;
use xtask::diff;
use xtask::spec;

/// Project automation for novu-contract: regenerate the bindings from `spec/novu.yaml`, check
/// that the committed ones are fresh, lint the spec, diff two versions of it.
#[derive(Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Validate the spec, then regenerate `generated/novu-types`, `generated/novu-client` and
    /// `generated/novu-server` (and the generator goldens under `xtask/tests/fixtures/`).
    Generate {
        /// Print how long each step took.
        #[arg(long)]
        timings: bool,
    },
    /// Regenerate in memory and fail (exit 1) naming every file under `generated/` or the
    /// goldens that differs from what `generate` would write. Exit 2 when generation itself fails.
    Check,
    /// Check the spec: unique operationIds, tags, security, `$ref`s, path parameters, success
    /// responses, examples, one error schema, `x-pagination` and `x-empty` rules (see
    /// spec/README.md). One line per problem; exit 1 when there is one, 2 when the file cannot
    /// be read.
    Lint {
        /// The spec to lint.
        #[arg(default_value = "spec/novu.yaml")]
        spec: PathBuf,
    },
    /// Compare two versions of the contract and tell every change as an error (breaks clients or
    /// implementations), a warning (may break some) or info. Each side is a YAML or JSON file or
    /// `REV:path` from git (`origin/main:spec/novu.yaml`). Exit 0 when no change reaches
    /// `--fail-on` (default `error`), 1 when one does, 2 when a side cannot be read or is not a
    /// valid document; `--rules` lists what is reported.
    Diff(diff::DiffArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = codegen::workspace_root();
    let outcome = match cli.task {
        Task::Generate { timings } => generate(&root, false, timings),
        Task::Check => generate(&root, true, false),
        Task::Lint { spec } => lint(&root.join(spec)),
        Task::Diff(args) => diff::run(&args, &root),
    };
    match outcome {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn generate(root: &Path, check: bool, timings: bool) -> Result<ExitCode> {
    let outcome = codegen::generate_all(root, check)?;
    if timings {
        for timing in &outcome.timings {
            println!(
                "{}: {} files generated in {:.1?}",
                timing.source, timing.files, timing.elapsed
            );
        }
    }
    if check {
        for path in &outcome.stale {
            eprintln!(
                "`{}` is stale: run `cargo xtask generate` and commit",
                path.display()
            );
        }
        for path in &outcome.extra {
            eprintln!(
                "`{}` is not produced by generation: run `cargo xtask generate` and commit",
                path.display()
            );
        }
        let fresh = outcome.stale.is_empty() && outcome.extra.is_empty();
        return Ok(if fresh {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    for path in &outcome.stale {
        println!("wrote {}", path.display());
    }
    for path in &outcome.extra {
        println!("removed {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn lint(path: &Path) -> Result<ExitCode> {
    let shown = path
        .strip_prefix(codegen::workspace_root())
        .unwrap_or(path)
        .display()
        .to_string();
    let spec = match std::fs::read_to_string(path) {
        // An unreadable file is an error of the call (exit 2); an unparsable one is a problem
        // of the spec (exit 1).
        Err(error) => anyhow::bail!("{shown}: cannot read the file: {error}"),
        Ok(text) => match spec::parse(&shown, &text) {
            Ok(spec) => spec,
            Err(error) => {
                println!("{error}");
                eprintln!("1 problem(s)");
                return Ok(ExitCode::from(1));
            }
        },
    };
    let problems = codegen::validate::validate(&spec);
    for problem in &problems {
        println!("{}", problem.display(&shown));
    }
    if problems.is_empty() {
        println!(
            "{shown}: no problems in {} operations",
            count_operations(&spec)
        );
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("{} problem(s)", problems.len());
        Ok(ExitCode::from(1))
    }
}

fn count_operations(spec: &spec::Spec) -> usize {
    spec.document.operations().count()
}
