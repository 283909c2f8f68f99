//! `cargo xtask diff OLD NEW` (and `novu-spec diff`): what changed in the contract between two
//! OpenAPI 3.0 documents, and how much it can hurt the clients and implementations written
//! against the older one.
//!
//! Each side is loaded like any spec (`spec::parse`), from a file or from git (`REV:path`), and
//! compared on its JSON tree: operations by method and path template (`operations`), schemas by
//! structure (`schema`), what the document declares once (servers, security schemes) and its
//! examples (`global`). Each difference is named by a rule of a fixed level (`rules`); the
//! deprecation policy (`policy`) picks the rule for a removal that was announced. Findings are
//! grouped so that a shared component is reported once with every operation it reaches
//! (`report`), the ignore file accepts some (`ignore`), and the rest is printed as text, JSON,
//! Markdown, GitHub workflow commands or JUnit XML (`report`, `annotations`, `locate`).
//!
//! Exit 0 when no change reaches `--fail-on` (default `error`), 1 when one does (or, with
//! `--fail-on warning` or `info`, when an ignore entry is stale), 2 when a side or the ignore
//! file cannot be read, 3 (with `--bindings`) when only the generated Rust bindings break
//! (`bindings`).

mod annotations;
mod bindings;
mod document;
mod global;
mod ignore;
mod locate;
mod operations;
mod policy;
mod report;
mod rules;
mod schema;
mod walk;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};
use clap::ValueEnum;
use serde_json::Value;

use crate::spec::{self, Spec};
pub use policy::{DEFAULT_DEPRECATION_DAYS, Date, Policy};
pub use report::{Change, Operation};
pub use rules::{Level, Rule};

/// The arguments of `cargo xtask diff` and `novu-spec diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The older document: a YAML or JSON file or a git revision and path,
    /// `origin/main:spec/novu.yaml`.
    #[arg(required_unless_present = "rules")]
    pub old: Option<String>,
    /// The newer document, in the same forms.
    #[arg(required_unless_present = "rules")]
    pub new: Option<String>,
    /// How to print the report.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Exit 1 when a change at this level or above is reported (ignored changes apart).
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// How many days an operation or response field must have been deprecated (by its
    /// `x-deprecated-since: YYYY-MM-DD`) before removing it is a warning rather than an error.
    #[arg(long, default_value_t = DEFAULT_DEPRECATION_DAYS, value_name = "DAYS")]
    pub deprecation_days: u32,
    /// The date the deprecation policy measures against, `YYYY-MM-DD` (default: today, UTC).
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub today: Option<Date>,
    /// A YAML list of accepted changes (`fingerprint` or `rule` + `location`, optional
    /// `operation`, and `reason`): they are listed as ignored and never fail the run.
    #[arg(long, value_name = "FILE")]
    pub ignore: Option<PathBuf>,
    /// Also generate the Rust bindings of both sides and report what the change breaks for
    /// code using them (items removed, signatures changed, fields and variants added); exit 3
    /// when the bindings break and the wire verdict does not fail on its own.
    #[arg(long)]
    pub bindings: bool,
    /// List the rules (id, level, what each reports) instead of diffing.
    #[arg(long, conflicts_with_all = ["old", "new"])]
    pub rules: bool,
}

fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text).ok_or_else(|| format!("`{text}` is not a YYYY-MM-DD date"))
}

/// How the report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// By level, then by the operations each change reaches, for a terminal.
    Text,
    /// One object per change: `id`, `level`, `fingerprint`, `operations`, `location`,
    /// `message` (and `ignored`, the reason, for an accepted change).
    Json,
    /// A pull-request comment.
    Markdown,
    /// GitHub workflow commands, `::error file=NEW,line=…,col=…::…`, one per change.
    Github,
    /// JUnit XML: one test case per change, failed when its level reaches `--fail-on`.
    Junit,
}

/// The level from which `--fail-on` exits 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Exit 1 on an error.
    Error,
    /// Exit 1 on an error or a warning, or on an ignore entry that matches nothing.
    Warning,
    /// Exit 1 on any change that is not ignored.
    Info,
    /// Always exit 0 once both sides are read.
    Never,
}

impl FailOn {
    fn threshold(self) -> Option<Level> {
        match self {
            FailOn::Error => Some(Level::Error),
            FailOn::Warning => Some(Level::Warning),
            FailOn::Info => Some(Level::Info),
            FailOn::Never => None,
        }
    }
}

/// Runs the diff with `root` as the folder relative paths (and git) start from; prints the
/// report and says how to exit.
pub fn run(args: &DiffArgs, root: &Path) -> Result<ExitCode> {
    if args.rules {
        print!("{}", report::rules());
        return Ok(ExitCode::SUCCESS);
    }
    let (Some(old), Some(new)) = (&args.old, &args.new) else {
        bail!("name the two documents to compare: `diff OLD NEW`");
    };
    let entries = match &args.ignore {
        Some(file) => {
            let shown = file.display().to_string();
            let text = std::fs::read_to_string(root.join(file))
                .with_context(|| format!("{shown}: cannot read the ignore file"))
                .map_err(one_line)?;
            ignore::parse(&shown, &text)?
        }
        None => Vec::new(),
    };
    let (old_spec, _) = load(root, old)?;
    let (new_spec, new_text) = load(root, new)?;
    let policy = Policy {
        today: args.today.unwrap_or_else(Date::today),
        deprecation_days: args.deprecation_days,
    };
    let mut changes = diff_with(&old_spec, &new_spec, &policy)?;
    let stale = ignore::apply(&mut changes, &entries);
    let threshold = args.fail_on.threshold();
    let ignore_file = args
        .ignore
        .as_ref()
        .map(|file| file.display().to_string())
        .unwrap_or_default();
    let out = match args.format {
        Format::Text => report::text(&changes, old, new),
        Format::Json => report::json(&changes),
        Format::Markdown => report::markdown(&changes, old, new),
        Format::Github => {
            // GitHub resolves `file=` from the repository root: a `REV:path` side is its path.
            let file = match new.split_once(':') {
                Some((_, path)) if !root.join(new).exists() => path,
                _ => new.as_str(),
            };
            let side = annotations::NewSide {
                file,
                text: &new_text,
            };
            annotations::github(&changes, &side, &stale, &ignore_file)
        }
        Format::Junit => annotations::junit(&changes, old, new, threshold, &stale),
    };
    print!("{out}");
    let bindings_break = if args.bindings {
        let breaks = bindings::compare(&old_spec, &new_spec).map_err(one_line)?;
        if args.format == Format::Text {
            print!("{}", bindings::text(&breaks));
        } else {
            eprint!("{}", bindings::text(&breaks));
        }
        !breaks.is_empty()
    } else {
        false
    };
    for entry in &stale {
        eprintln!(
            "warning: {ignore_file}: {}",
            annotations::stale_message(entry)
        );
    }
    let stale_fails =
        !stale.is_empty() && threshold.is_some_and(|threshold| Level::Warning.reaches(threshold));
    let fails = changes.iter().any(|change| change.fails(threshold)) || stale_fails;
    Ok(if fails {
        ExitCode::from(1)
    } else if bindings_break {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    })
}

/// Every change from `old` to `new` under the default deprecation policy (90 days, today).
pub fn diff(old: &Spec, new: &Spec) -> Result<Vec<Change>> {
    diff_with(old, new, &Policy::default())
}

/// Every change from `old` to `new`, grouped and in report order (errors first). Fails when a
/// `$ref` of either document is not local or does not resolve.
pub fn diff_with(old: &Spec, new: &Spec, policy: &Policy) -> Result<Vec<Change>> {
    let old_document = document::Document::new(old)?;
    let new_document = document::Document::new(new)?;
    let mut findings = operations::compare(&old_document, &new_document, policy);
    findings.extend(global::compare(&old_document, &new_document));
    findings.extend(global::examples(old, new));
    Ok(report::group(findings))
}

/// Loads one side, and its text: the file `argument` names, or else `REV:path` from git
/// (`:path` is the staged version).
pub fn load(root: &Path, argument: &str) -> Result<(Spec, String)> {
    let path = root.join(argument);
    let text = match argument.split_once(':') {
        Some((_, file)) if !path.exists() => show(root, argument, file)?,
        _ => std::fs::read_to_string(&path)
            .with_context(|| format!("{argument}: cannot read the file"))
            .map_err(one_line)?,
    };
    let spec = parse(argument, &text)?;
    Ok((spec, text))
}

/// Parses a document of either side, saying plainly when it is of an OpenAPI version other
/// than 3.0 (a Swagger 2.0 or OpenAPI 3.1 document).
pub fn parse(name: &str, text: &str) -> Result<Spec> {
    spec::parse(name, text).map_err(|error| {
        if error.pointer.as_deref() == Some("/openapi")
            && let Some(version) = other_version(text)
        {
            return anyhow::anyhow!(
                "{name}: this is {version} document: only OpenAPI 3.0.x is supported (convert it to 3.0 first)"
            );
        }
        one_line(error.into())
    })
}

/// `a Swagger 2.0` or `an OpenAPI 3.1.0` when the text says so.
fn other_version(text: &str) -> Option<String> {
    let raw: Value = serde_norway::from_str(text).ok()?;
    let text_of = |value: &Value| match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    };
    if let Some(version) = raw.get("swagger").and_then(text_of) {
        return Some(format!("a Swagger {version}"));
    }
    let version = raw.get("openapi").and_then(text_of)?;
    (!version.starts_with("3.0.")).then(|| format!("an OpenAPI {version}"))
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
