//! `cargo xtask <task>`: the project's automation. Run `cargo xtask --help`.

mod codegen;
mod spec;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use clap::{Parser, Subcommand};

use crate::codegen::Target;

/// Project automation for novu-contract: regenerate the bindings from `spec/novu.yaml`, check
/// that the committed ones are fresh, lint the spec.
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
    /// responses, examples, one error schema. One line per problem; exit 1 when there is one.
    Lint {
        /// The spec to lint.
        #[arg(default_value = "spec/novu.yaml")]
        spec: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = workspace_root();
    let outcome = match cli.task {
        Task::Generate { timings } => generate(&root, false, timings),
        Task::Check => generate(&root, true, false),
        Task::Lint { spec } => lint(&root.join(spec)),
    };
    match outcome {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// The workspace root: xtask's parent folder.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// Every spec → crates pair the project generates: the real one and the goldens.
pub fn targets(root: &Path) -> Result<Vec<(PathBuf, Target)>> {
    let mut targets = vec![(root.join("spec/novu.yaml"), Target::project())];
    let fixtures = root.join("xtask/tests/fixtures");
    let mut names: Vec<String> = std::fs::read_dir(&fixtures)
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok())
                .filter_map(|entry| {
                    entry
                        .file_name()
                        .to_str()
                        .and_then(|name| name.strip_suffix(".yaml"))
                        .map(str::to_owned)
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    for name in names {
        targets.push((
            fixtures.join(format!("{name}.yaml")),
            Target {
                source: format!("xtask/tests/fixtures/{name}.yaml"),
                folder: PathBuf::from(format!("xtask/tests/fixtures/{name}")),
                prefix: format!("fixture-{name}"),
            },
        ));
    }
    Ok(targets)
}

fn generate(root: &Path, check: bool, timings: bool) -> Result<ExitCode> {
    let mut stale = Vec::new();
    for (spec_path, target) in targets(root)? {
        let started = Instant::now();
        let spec = spec::load(&spec_path)?;
        let files = codegen::generate(&spec, &target)
            .map_err(|error| anyhow::anyhow!("{}: {error:#}", target.source))?;
        let generated = started.elapsed();
        let report = codegen::apply(root, &target, &files, check)?;
        if timings {
            println!(
                "{}: {} files generated in {:.1?}",
                target.source,
                files.len(),
                generated
            );
        }
        for path in report.stale {
            stale.push(format!("{} is stale", path.display()));
        }
        for path in report.extra {
            stale.push(format!("{} is not produced by generation", path.display()));
        }
    }
    if check {
        if stale.is_empty() {
            return Ok(ExitCode::SUCCESS);
        }
        for line in &stale {
            eprintln!("{line}: run `cargo xtask generate` and commit");
        }
        return Ok(ExitCode::from(1));
    }
    for line in &stale {
        println!("updated: {}", line.trim_end_matches(" is stale"));
    }
    Ok(ExitCode::SUCCESS)
}

fn lint(path: &Path) -> Result<ExitCode> {
    let shown = path
        .strip_prefix(workspace_root())
        .unwrap_or(path)
        .display()
        .to_string();
    let spec = match spec::load(path) {
        Ok(spec) => spec,
        Err(error) => {
            eprintln!(
                "{shown}: {}",
                error
                    .to_string()
                    .strip_prefix(&format!("{}: ", path.display()))
                    .unwrap_or(&error.to_string())
            );
            return Ok(ExitCode::from(1));
        }
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
