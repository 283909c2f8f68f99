//! `novu-conformance`: checks a Novu-compatible server against `spec/novu.yaml`.
//!
//! Exit status: 0 the run passed, 1 it failed (violations, a baseline entry stale or expired, a
//! gate unmet, a run cut short by `--max-failures`), 2 usage or set-up error.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use novu_conformance::{
    Baseline, CONFIG_FILE, ConfigFile, Options, Requirement, Spec, parse_percentage, report,
};

#[derive(Parser)]
#[command(
    name = "novu-conformance",
    version,
    about = "Checks a Novu-compatible server against the contract spec/novu.yaml"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the checks (against the embedded reference server without --base-url).
    Run(Box<RunArguments>),
    /// List every check and every operation with the checks covering it.
    List {
        /// Read this contract instead of the embedded one.
        #[arg(long, value_name = "FILE")]
        spec: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
#[command(
    after_help = "Every option but the key can come from a config file: --config FILE, or \
novu-conformance.toml in the current directory when present (--no-config ignores it). Its keys are \
the long flags' names (base-url, checks, exclude-operations, cases, seed, jobs, timeout, baseline, \
coverage, require, require-status-coverage, max-failures, strict, allow-lasting-objects, junit, \
json, har, …) and \
api-key-env, the name of the environment variable holding the key. A flag given here wins over \
the file; an unknown key is an error."
)]
struct RunArguments {
    /// The server to check; without it the embedded reference server is started in memory.
    #[arg(long, value_name = "URL", env = "NOVU_BASE_URL")]
    base_url: Option<String>,
    /// The API key of one environment of the server.
    #[arg(long, value_name = "KEY", env = "NOVU_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// Read this contract instead of the embedded one.
    #[arg(long, value_name = "FILE")]
    spec: Option<PathBuf>,
    /// Read the options from this TOML file (default: ./novu-conformance.toml when present);
    /// flags win over it.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Do not read ./novu-conformance.toml.
    #[arg(long, conflicts_with = "config")]
    no_config: bool,
    /// Seed of generated values and of the prefix `nc-<seed>-` of created resources.
    #[arg(long)]
    seed: Option<u64>,
    /// Only operations with this tag (repeatable).
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// Only this operation (repeatable).
    #[arg(long = "operation", value_name = "ID")]
    operations: Vec<String>,
    /// Never this operation (repeatable), e.g. one a shared environment must not see.
    #[arg(long = "exclude-operation", value_name = "ID")]
    exclude_operations: Vec<String>,
    /// Only this check (repeatable); `novu-conformance list` names them.
    #[arg(long = "check", value_name = "NAME")]
    checks: Vec<String>,
    /// Cases per property (default 50): inputs per operation of valid-inputs-accepted (the
    /// first two at the upper and lower edges of the input's bounds, where it states any; each
    /// documented request-body example is sent on top) and invalid-inputs-rejected, condition
    /// cases of conditions, and one step sequence per five for each lifecycles model.
    #[arg(long, value_name = "N")]
    cases: Option<u32>,
    /// Concurrent requests (default 4).
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// Only the K-th of N slices of the operations, e.g. 2/4.
    #[arg(long, value_name = "K/N", value_parser = parse_partition)]
    partition: Option<(usize, usize)>,
    /// Write JUnit XML here.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Write one JSON object per result (JSON lines) here.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write every exchange of the run here as HAR 1.2 (the API key redacted).
    #[arg(long, value_name = "FILE")]
    har: Option<PathBuf>,
    /// Per-request timeout in seconds (default 10).
    #[arg(long, value_name = "SECS")]
    timeout: Option<f64>,
    /// Report the violations this TOML file lists as expected instead of failing; an entry
    /// that matched nothing or has expired fails the run (format: conformance/README.md).
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Write the run's violations here as a starting baseline, each with a TODO reason to
    /// replace before --baseline accepts the file.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// Write the statuses seen per operation here as JSON, and beside it (FILE with the
    /// extension .md) as a markdown table.
    #[arg(long, value_name = "FILE")]
    coverage: Option<PathBuf>,
    /// Fail the run unless a coverage gate is met (repeatable): `2xx-per-operation` (every
    /// selected operation got a 2xx) or `status:NNN` (every selected operation documenting
    /// NNN got one, e.g. status:404).
    #[arg(long = "require", value_name = "GATE")]
    require: Vec<String>,
    /// Fail the run unless this share of the documented (operation, status) pairs was seen,
    /// e.g. 80% (429 and 5xx are not counted: a conforming run cannot provoke them).
    #[arg(long, value_name = "PERCENT")]
    require_status_coverage: Option<String>,
    /// Stop starting new work once N violations (not expected by the baseline) were found;
    /// the report says how much was not run, and the run fails.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    max_failures: Option<u32>,
    /// Flaky violations (whose request, sent again, did not reproduce them) fail the run too;
    /// without it they are reported but do not fail it.
    #[arg(long)]
    strict: bool,
    /// Do not send a violation's request again to tell whether it is flaky (by default a
    /// read, or a request the server refused with a 4xx, is sent again once).
    #[arg(long)]
    no_recheck: bool,
    /// Only checks that change nothing on a conforming server.
    #[arg(long)]
    read_only: bool,
    /// Keep the resources the run created.
    #[arg(long)]
    no_cleanup: bool,
    /// Play the novu-e2e cases that leave objects behind which no operation deletes: Novu's
    /// organization-creation cases each create an organization in the key owner's account,
    /// which stays there. Without it they are skipped, counted, with this flag named as the
    /// reason. The embedded reference server always plays them (it is dropped at the end).
    #[arg(long)]
    allow_lasting_objects: bool,
    /// Print one line per request and answer on standard error.
    #[arg(long, short)]
    verbose: bool,
    /// The address at which the server under test reaches this machine: `conditions` then
    /// draws webhook parts calling back to it and the webhook cases of `novu-e2e` play (they
    /// are skipped without it); a target on this machine needs none.
    #[arg(long, value_name = "HOST")]
    callback_host: Option<String>,
    /// The API key of another environment of the same server (Novu's Production key beside a
    /// Development --api-key): enables the isolation check, which creates resources with each
    /// key and expects the other key never to read, list or change them, and the novu-e2e
    /// cases that read what applying changes copies to Production. Without --base-url the
    /// embedded server's production key is used.
    #[arg(
        long,
        value_name = "KEY",
        env = "NOVU_SECOND_API_KEY",
        hide_env_values = true
    )]
    second_api_key: Option<String>,
    /// Another Novu-compatible server to compare with: the snapshot scenarios and the
    /// lifecycle sequences of the seed are played against both, and each difference of their
    /// normalized transcripts is a violation of the differential check. Needs
    /// --compare-api-key.
    #[arg(long, value_name = "URL", env = "NOVU_COMPARE_URL")]
    compare_url: Option<String>,
    /// The API key of the server at --compare-url.
    #[arg(
        long,
        value_name = "KEY",
        env = "NOVU_COMPARE_API_KEY",
        hide_env_values = true
    )]
    compare_api_key: Option<String>,
}

fn parse_partition(text: &str) -> Result<(usize, usize), String> {
    let (slice, count) = text
        .split_once('/')
        .ok_or_else(|| "write K/N, e.g. 1/4".to_owned())?;
    let slice: usize = slice
        .trim()
        .parse()
        .map_err(|_| "K must be a number".to_owned())?;
    let count: usize = count
        .trim()
        .parse()
        .map_err(|_| "N must be a number".to_owned())?;
    if count == 0 || slice == 0 || slice > count {
        return Err("K/N needs 1 <= K <= N".into());
    }
    Ok((slice, count))
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let usage = error.use_stderr();
            let _ = error.print();
            return if usage {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match execute(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!(
                "novu-conformance: {}",
                format!("{error:#}").replace('\n', " ")
            );
            ExitCode::from(2)
        }
    }
}

fn load_spec(path: Option<&PathBuf>) -> anyhow::Result<Spec> {
    Ok(match path {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the contract {}", path.display()))?;
            Spec::parse(&path.display().to_string(), &text)?
        }
        None => Spec::embedded()?,
    })
}

fn execute(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::List { spec } => {
            let spec = load_spec(spec.as_ref())?;
            print!("{}", report::list(&spec));
            Ok(ExitCode::SUCCESS)
        }
        Command::Run(arguments) => {
            let arguments = with_config(*arguments)?;
            let spec = load_spec(arguments.spec.as_ref())?;
            let timeout = arguments.timeout.unwrap_or(10.0);
            if !(timeout > 0.0 && timeout.is_finite()) {
                anyhow::bail!("--timeout must be a positive number of seconds");
            }
            let seed = arguments.seed.unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|elapsed| elapsed.as_micros() as u64 % 1_000_000)
                    .unwrap_or(1)
            });
            let baseline = match &arguments.baseline {
                Some(path) => {
                    let text = std::fs::read_to_string(path)
                        .with_context(|| format!("cannot read the baseline {}", path.display()))?;
                    Some(Baseline::parse(&path.display().to_string(), &text)?)
                }
                None => None,
            };
            let requirements = arguments
                .require
                .iter()
                .map(|text| Requirement::parse(text))
                .collect::<Result<Vec<_>, _>>()?;
            let status_coverage = arguments
                .require_status_coverage
                .as_deref()
                .map(parse_percentage)
                .transpose()?;
            let options = Options {
                base_url: arguments.base_url,
                api_key: arguments.api_key,
                seed,
                tags: arguments.tags,
                operations: arguments.operations,
                exclude_operations: arguments.exclude_operations,
                checks: arguments.checks,
                jobs: arguments.jobs.unwrap_or(4),
                partition: arguments.partition,
                timeout: Duration::from_secs_f64(timeout),
                read_only: arguments.read_only,
                no_cleanup: arguments.no_cleanup,
                progress: true,
                verbose: arguments.verbose,
                cases: arguments.cases.unwrap_or(50),
                callback_host: arguments.callback_host,
                second_api_key: arguments.second_api_key,
                compare_url: arguments.compare_url,
                compare_api_key: arguments.compare_api_key,
                baseline,
                max_failures: arguments.max_failures,
                strict: arguments.strict,
                recheck_violations: !arguments.no_recheck,
                record_exchanges: arguments.har.is_some(),
                requirements,
                status_coverage,
                allow_lasting_objects: arguments.allow_lasting_objects,
            };
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("cannot start the async runtime")?;
            let report = runtime.block_on(novu_conformance::run(spec, options))?;
            print!("{}", report::human(&report));
            let write = |path: &PathBuf, text: String| {
                std::fs::write(path, text)
                    .with_context(|| format!("cannot write {}", path.display()))
            };
            if let Some(path) = &arguments.junit {
                write(path, report::junit(&report))?;
            }
            if let Some(path) = &arguments.json {
                write(path, report::json_lines(&report))?;
            }
            if let Some(path) = &arguments.har {
                write(path, report::har(&report))?;
            }
            if let Some(path) = &arguments.coverage {
                write(path, report::coverage_json(&report))?;
                write(
                    &path.with_extension("md"),
                    report::coverage_markdown(&report),
                )?;
            }
            if let Some(path) = &arguments.write_baseline {
                write(path, report::write_baseline(&report))?;
            }
            Ok(if report.passed() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}

/// `arguments` completed by the config file (`--config`, or ./novu-conformance.toml when
/// present): what a flag gives wins, the file fills the rest.
fn with_config(mut arguments: RunArguments) -> anyhow::Result<RunArguments> {
    let path = match (&arguments.config, arguments.no_config) {
        (Some(path), _) => path.clone(),
        (None, false) if std::path::Path::new(CONFIG_FILE).is_file() => PathBuf::from(CONFIG_FILE),
        _ => return Ok(arguments),
    };
    let file = ConfigFile::read(&path)?;
    fn fill<T>(flag: &mut Option<T>, file: Option<T>) {
        if flag.is_none() {
            *flag = file;
        }
    }
    fn fill_list(flag: &mut Vec<String>, file: Option<Vec<String>>) {
        if flag.is_empty() {
            *flag = file.unwrap_or_default();
        }
    }
    if arguments.api_key.is_none() {
        arguments.api_key = file.api_key()?;
    }
    fill(&mut arguments.base_url, file.base_url);
    fill(&mut arguments.spec, file.spec);
    fill(&mut arguments.seed, file.seed);
    fill_list(&mut arguments.tags, file.tags);
    fill_list(&mut arguments.operations, file.operations);
    fill_list(&mut arguments.exclude_operations, file.exclude_operations);
    fill_list(&mut arguments.checks, file.checks);
    fill(&mut arguments.cases, file.cases);
    fill(&mut arguments.jobs, file.jobs);
    fill(&mut arguments.timeout, file.timeout);
    fill(&mut arguments.junit, file.junit);
    fill(&mut arguments.json, file.json);
    fill(&mut arguments.har, file.har);
    fill(&mut arguments.baseline, file.baseline);
    fill(&mut arguments.coverage, file.coverage);
    fill_list(&mut arguments.require, file.require);
    fill(
        &mut arguments.require_status_coverage,
        file.require_status_coverage,
    );
    if file.max_failures == Some(0) {
        anyhow::bail!(
            "config file {}: max-failures must be at least 1",
            path.display()
        );
    }
    fill(&mut arguments.max_failures, file.max_failures);
    arguments.read_only |= file.read_only.unwrap_or(false);
    arguments.strict |= file.strict.unwrap_or(false);
    arguments.no_recheck |= file.no_recheck.unwrap_or(false);
    arguments.allow_lasting_objects |= file.allow_lasting_objects.unwrap_or(false);
    Ok(arguments)
}
