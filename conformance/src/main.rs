//! `novu-conformance`: checks a Novu-compatible server against `spec/novu.yaml`.
//!
//! Exit status: 0 no violation, 1 violations, 2 usage or set-up error.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use novu_conformance::{Options, Spec, report};

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
    /// Seed of generated values and of the prefix `nc-<seed>-` of created resources.
    #[arg(long)]
    seed: Option<u64>,
    /// Only operations with this tag (repeatable).
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// Only this operation (repeatable).
    #[arg(long = "operation", value_name = "ID")]
    operations: Vec<String>,
    /// Only this check (repeatable); `novu-conformance list` names them.
    #[arg(long = "check", value_name = "NAME")]
    checks: Vec<String>,
    /// Cases per property: inputs per operation of valid-inputs-accepted and
    /// invalid-inputs-rejected, condition cases of conditions, and one step sequence per five
    /// for each lifecycles model.
    #[arg(long, value_name = "N", default_value_t = 50)]
    cases: u32,
    /// Concurrent requests.
    #[arg(long, default_value_t = 4)]
    jobs: usize,
    /// Only the K-th of N slices of the operations, e.g. 2/4.
    #[arg(long, value_name = "K/N", value_parser = parse_partition)]
    partition: Option<(usize, usize)>,
    /// Write JUnit XML here.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Write one JSON object per result (JSON lines) here.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Per-request timeout in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    timeout: f64,
    /// Only checks that change nothing on a conforming server.
    #[arg(long)]
    read_only: bool,
    /// Keep the resources the run created.
    #[arg(long)]
    no_cleanup: bool,
    /// Print one line per request and answer on standard error.
    #[arg(long, short)]
    verbose: bool,
    /// The address at which the server under test reaches this machine: `conditions` then
    /// draws webhook parts calling back to it (a target on this machine needs none).
    #[arg(long, value_name = "HOST")]
    callback_host: Option<String>,
    /// The API key of another environment of the same server (Novu's Production key beside a
    /// Development --api-key): enables the isolation check, which creates resources with each
    /// key and expects the other key never to read, list or change them. Without --base-url
    /// the embedded server's production key is used.
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
            let spec = load_spec(arguments.spec.as_ref())?;
            if !(arguments.timeout > 0.0 && arguments.timeout.is_finite()) {
                anyhow::bail!("--timeout must be a positive number of seconds");
            }
            let seed = arguments.seed.unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|elapsed| elapsed.as_micros() as u64 % 1_000_000)
                    .unwrap_or(1)
            });
            let options = Options {
                base_url: arguments.base_url,
                api_key: arguments.api_key,
                seed,
                tags: arguments.tags,
                operations: arguments.operations,
                checks: arguments.checks,
                jobs: arguments.jobs,
                partition: arguments.partition,
                timeout: Duration::from_secs_f64(arguments.timeout),
                read_only: arguments.read_only,
                no_cleanup: arguments.no_cleanup,
                progress: true,
                verbose: arguments.verbose,
                cases: arguments.cases,
                callback_host: arguments.callback_host,
                second_api_key: arguments.second_api_key,
                compare_url: arguments.compare_url,
                compare_api_key: arguments.compare_api_key,
            };
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("cannot start the async runtime")?;
            let report = runtime.block_on(novu_conformance::run(spec, options))?;
            print!("{}", report::human(&report));
            if let Some(path) = &arguments.junit {
                std::fs::write(path, report::junit(&report))
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            if let Some(path) = &arguments.json {
                std::fs::write(path, report::json_lines(&report))
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            Ok(if report.violations().next().is_some() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}
