//! Side by side with schemathesis 4.x: both tools against the same reference server (built in
//! release with this bench, in memory, on loopback), each request counted by the counting proxy
//! in front of it (`tests/it/proxy.rs`), so both tools are counted in the same place.
//!
//! Two tables: requests/s of our default run and of schemathesis's, with the same number of
//! cases per operation; and a fault table, where the proxy bends one behaviour at a time
//! (`peers/bends.rs`) and each tool runs on the operations concerned, saying what found it.
//!
//! `cargo bench -p novu-conformance --bench peers` (options after `--`; `--help` lists them).
//! Schemathesis is installed with pip into a virtualenv under `target/`, reused while it holds
//! a 4.x; without python, venv or a reachable package index the bench says why and skips.

#[path = "../tests/it/proxy.rs"]
#[allow(
    dead_code,
    reason = "the tests' proxy, of which the bench uses the counting and the bending"
)]
mod proxy;

#[path = "peers/bends.rs"]
mod bends;
#[path = "peers/schemathesis.rs"]
mod schemathesis;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use novu_conformance::{Options, Spec, run};
use tokio::runtime::Runtime;

use bends::{BENDS, Bend};
use proxy::{Breakage, BrokenReference};
use schemathesis::Schemathesis;

const USAGE: &str = "\
cargo bench -p novu-conformance --bench peers [-- OPTIONS]

Runs schemathesis 4.x and novu-conformance against the same reference server behind a
counting proxy and prints requests/s for both, then a fault table of bends.

Options:
  --cases N         cases per operation for both tools: schemathesis --max-examples N and our
                    --cases N (default 10)
  --rounds N        runs of each of our rows, fresh server each, the median shown (default 5;
                    schemathesis's runs last ~20 s and vary little, so they run once)
  --rates-only      the requests/s table only
  --faults-only     the fault table only
  --bend NAME       only this bend in the fault table (repeatable); the names are printed
                    with --list-bends
  --list-bends      print the bends and exit
  --venv DIR        the virtualenv to reuse or make (default target/peers-venv)
  --keep-output     keep schemathesis's output and reports (their folder is printed)
  --help            this text";

/// Our checks that have a counterpart among schemathesis's phases and checks: its examples,
/// coverage and fuzzing phases (with `positive_data_acceptance`, `negative_data_rejection`,
/// `unsupported_method`, `ignored_auth`, the response checks) and its stateful phase
/// (`use_after_free`, `ensure_resource_availability`).
const SCHEMA_DRIVEN: &[&str] = &[
    "auth-missing-key",
    "auth-wrong-key",
    "safe-reads",
    "response-conformance",
    "example-requests",
    "valid-inputs-accepted",
    "invalid-inputs-rejected",
    "invalid-body",
    "methods",
    "unknown-ids",
    "lifecycles",
];

/// What the command line asks for.
struct Arguments {
    cases: u32,
    rounds: u32,
    rates: bool,
    faults: bool,
    bends: Vec<String>,
    venv: PathBuf,
    keep_output: bool,
}

fn main() -> ExitCode {
    let arguments = match parse(std::env::args().skip(1)) {
        Ok(Some(arguments)) => arguments,
        Ok(None) => return ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("error: {problem}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let tool = match Schemathesis::prepare(&arguments.venv) {
        Ok(tool) => tool,
        Err(why) => {
            println!("skipped: {}", why.0);
            return ExitCode::SUCCESS;
        }
    };
    println!("schemathesis {} from {}", tool.version, tool.origin);
    let workdir = std::env::temp_dir().join(format!("novu-peers-{}", std::process::id()));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let peers = Peers {
        runtime,
        spec: Spec::embedded().expect("the embedded spec loads"),
        spec_file: Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("the crate lives in the workspace")
            .join("spec/novu.yaml"),
        tool,
        cases: arguments.cases,
        rounds: arguments.rounds,
        workdir: workdir.clone(),
    };
    let started = Instant::now();
    if arguments.rates {
        peers.rates();
    }
    if arguments.faults {
        let selected: Vec<&Bend> = BENDS
            .iter()
            .filter(|bend| {
                arguments.bends.is_empty() || arguments.bends.iter().any(|name| name == bend.name)
            })
            .collect();
        peers.faults(&selected);
    }
    println!("the bench took {:.0} s", started.elapsed().as_secs_f64());
    if arguments.keep_output {
        println!("schemathesis's output and reports: {}", workdir.display());
    } else {
        let _ = std::fs::remove_dir_all(&workdir);
    }
    ExitCode::SUCCESS
}

/// Reads the command line; `Ok(None)` when it only asked for help or the list of bends.
fn parse(arguments: impl Iterator<Item = String>) -> Result<Option<Arguments>, String> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the crate lives in the workspace");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace.join("target"), PathBuf::from);
    let mut parsed = Arguments {
        cases: 10,
        rounds: 5,
        rates: true,
        faults: true,
        bends: Vec::new(),
        venv: target.join("peers-venv"),
        keep_output: false,
    };
    let mut arguments = arguments.peekable();
    while let Some(argument) = arguments.next() {
        let mut value = |flag: &str| {
            arguments
                .next()
                .ok_or_else(|| format!("{flag} takes a value"))
        };
        match argument.as_str() {
            // `cargo bench` passes `--bench` to every bench.
            "--bench" => {}
            "--help" | "-h" => {
                println!("{USAGE}");
                return Ok(None);
            }
            "--list-bends" => {
                for bend in BENDS {
                    println!("{:<28} {}", bend.name, bend.description);
                }
                return Ok(None);
            }
            "--cases" => {
                let text = value("--cases")?;
                parsed.cases = text
                    .parse()
                    .ok()
                    .filter(|cases| *cases > 0)
                    .ok_or_else(|| format!("--cases takes a positive number, not {text:?}"))?;
            }
            "--rounds" => {
                let text = value("--rounds")?;
                parsed.rounds = text
                    .parse()
                    .ok()
                    .filter(|rounds| *rounds > 0)
                    .ok_or_else(|| format!("--rounds takes a positive number, not {text:?}"))?;
            }
            "--rates-only" => parsed.faults = false,
            "--faults-only" => parsed.rates = false,
            "--bend" => {
                let name = value("--bend")?;
                if !BENDS.iter().any(|bend| bend.name == name) {
                    return Err(format!(
                        "no bend is called {name:?}; --list-bends prints their names"
                    ));
                }
                parsed.bends.push(name);
            }
            "--venv" => parsed.venv = PathBuf::from(value("--venv")?),
            "--keep-output" => parsed.keep_output = true,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if !parsed.rates && !parsed.faults {
        return Err("--rates-only and --faults-only leave nothing to run".to_owned());
    }
    Ok(Some(parsed))
}

/// What every measurement shares.
struct Peers {
    runtime: Runtime,
    spec: Spec,
    spec_file: PathBuf,
    tool: Schemathesis,
    cases: u32,
    rounds: u32,
    workdir: PathBuf,
}

/// One row of the requests/s table.
struct Rate {
    tool: String,
    requests: u64,
    elapsed: Duration,
}

impl Rate {
    fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.max(Duration::from_millis(1)).as_secs_f64()
    }
}

/// What one tool found of one bend.
struct Finding {
    /// Requests or answers the bend changed during the tool's run.
    bent: u32,
    /// The checks that reported something the unbent run did not.
    checks: BTreeSet<String>,
}

impl Finding {
    fn describe(&self) -> String {
        if self.checks.is_empty() {
            format!("no ({} bent)", self.bent)
        } else {
            let checks: Vec<&str> = self.checks.iter().map(String::as_str).collect();
            format!("yes ({} bent): {}", self.bent, checks.join(", "))
        }
    }
}

impl Peers {
    /// The requests/s table: our default run (`--cases` as given, default `--jobs`) and
    /// schemathesis with its default workers and with `--workers auto`, each against a fresh
    /// reference so that neither pays for what the other left behind.
    fn rates(&self) {
        println!();
        println!(
            "requests/s: each tool against a fresh release reference (in memory) behind the \
             counting proxy; requests counted by the proxy; seconds are the tool's wall time"
        );
        println!(
            "  ours: novu-conformance run, all checks, --cases {} --jobs {} (default), seed 1; \
             the median of {} rounds",
            self.cases,
            Options::default().jobs,
            self.rounds
        );
        println!(
            "  ours, schema-driven: the same with --check for the checks schemathesis has a \
             counterpart of ({}); without the ported Novu e2e cases and the trigger scenarios, \
             whose delay and digest windows are waited out in real time",
            SCHEMA_DRIVEN.join(", ")
        );
        println!(
            "  schemathesis: st run spec/novu.yaml --max-examples {} --checks all --seed 1, all \
             phases (examples, coverage, fuzzing, stateful), interpreter start-up included",
            self.cases
        );
        let all_checks = format!("novu-conformance (--jobs {})", Options::default().jobs);
        let ours = self.ours_rate(&all_checks, &[]);
        let schema_driven = self.ours_rate("novu-conformance, schema-driven", SCHEMA_DRIVEN);
        let theirs = self.schemathesis_rate(None);
        let theirs_auto = self.schemathesis_rate(Some("auto"));
        println!();
        println!(
            "{:<36} {:>9} {:>9} {:>11}",
            "tool", "requests", "seconds", "requests/s"
        );
        for rate in [&ours, &schema_driven, &theirs, &theirs_auto] {
            println!(
                "{:<36} {:>9} {:>9.2} {:>11.0}",
                rate.tool,
                rate.requests,
                rate.elapsed.as_secs_f64(),
                rate.per_second()
            );
        }
        for (label, rate) in [("all checks", &ours), ("schema-driven", &schema_driven)] {
            println!(
                "ratio ours ({label})/theirs: {:.1}x (schemathesis default workers), {:.1}x \
                 (--workers auto)",
                rate.per_second() / theirs.per_second().max(f64::MIN_POSITIVE),
                rate.per_second() / theirs_auto.per_second().max(f64::MIN_POSITIVE)
            );
        }
    }

    /// Our run with `checks` (all when empty), `--rounds` times: the round of the median rate,
    /// after a line with every round's rate.
    fn ours_rate(&self, tool: &str, checks: &[&str]) -> Rate {
        let mut rounds: Vec<Rate> = (0..self.rounds)
            .map(|_| self.our_round(tool, checks))
            .collect();
        rounds.sort_by(|a, b| a.per_second().total_cmp(&b.per_second()));
        let rates: Vec<String> = rounds
            .iter()
            .map(|rate| format!("{:.0}", rate.per_second()))
            .collect();
        println!(
            "  {tool}: {} rounds, requests/s {} (the median is shown)",
            rounds.len(),
            rates.join(", ")
        );
        rounds.swap_remove(rounds.len() / 2)
    }

    /// One run with `checks` (all when empty) against a fresh reference, counted by the proxy.
    fn our_round(&self, tool: &str, checks: &[&str]) -> Rate {
        let target = self
            .runtime
            .block_on(BrokenReference::start(Breakage::default()));
        let options = Options {
            checks: checks.iter().map(|check| (*check).to_owned()).collect(),
            ..self.our_options(&target, &[])
        };
        let started = Instant::now();
        let report = self
            .runtime
            .block_on(run(self.spec.clone(), options))
            .expect("our run completes");
        let elapsed = started.elapsed();
        let requests = target.requests();
        println!(
            "  {tool}: {} requests by its own count, {} violations",
            report.requests,
            report.violations().count()
        );
        self.runtime.block_on(target.stop());
        Rate {
            tool: tool.to_owned(),
            requests,
            elapsed,
        }
    }

    fn schemathesis_rate(&self, workers: Option<&str>) -> Rate {
        let target = self
            .runtime
            .block_on(BrokenReference::start(Breakage::default()));
        let label = workers.map_or("default".to_owned(), str::to_owned);
        let workdir = self.workdir.join(format!("rates-workers-{label}"));
        let extra: Vec<&str> = workers
            .map(|workers| vec!["--workers", workers])
            .unwrap_or_default();
        let outcome = self
            .tool
            .run(
                &self.spec_file,
                target.base_url(),
                target.api_key(),
                self.cases,
                &[],
                &extra,
                &workdir,
            )
            .expect("schemathesis runs");
        let requests = target.requests();
        println!(
            "  schemathesis (--workers {label}): exit code {:?}, {} distinct findings on the unbent reference",
            outcome.exit_code,
            outcome.findings.len()
        );
        self.runtime.block_on(target.stop());
        Rate {
            tool: match workers {
                Some(workers) => format!("schemathesis (--workers {workers})"),
                None => "schemathesis (default: --workers 1)".to_owned(),
            },
            requests,
            elapsed: outcome.elapsed,
        }
    }

    /// The fault table: for each bend, both tools on its operations, first against the plain
    /// reference and then against the bent one; what the bent run reports beyond the plain
    /// one is what found the bend.
    fn faults(&self, bends: &[&Bend]) {
        println!();
        println!(
            "fault table: each bend alone, both tools limited to the bend's operations with \
             --cases/--max-examples {}; a finding is what the bent run reports beyond an unbent \
             run of the same tool on the same operations; (n bent) is how many requests or \
             answers the bend changed during that tool's run",
            self.cases
        );
        let mut ours_found = 0;
        let mut theirs_found = 0;
        let mut missed_by_ours = Vec::new();
        for bend in bends {
            let ours = self.ours_on(bend);
            let theirs = self.schemathesis_on(bend);
            println!();
            println!("{:<28} {}", bend.name, bend.description);
            println!("  {:<26} {}", "ours", ours.describe());
            println!("  {:<26} {}", "schemathesis", theirs.describe());
            ours_found += usize::from(!ours.checks.is_empty());
            theirs_found += usize::from(!theirs.checks.is_empty());
            if ours.checks.is_empty() && !theirs.checks.is_empty() {
                missed_by_ours.push(bend.name);
            }
        }
        println!();
        println!(
            "bends found: ours {ours_found}/{}, schemathesis {theirs_found}/{}",
            bends.len(),
            bends.len()
        );
        if missed_by_ours.is_empty() {
            println!("every bend schemathesis finds, ours finds too");
        } else {
            println!(
                "found by schemathesis, missed by ours: {}",
                missed_by_ours.join(", ")
            );
        }
    }

    fn ours_on(&self, bend: &Bend) -> Finding {
        let plain = self.our_violations(Breakage::default(), bend.operations).1;
        let (bent, found) = self.our_violations((bend.breakage)(), bend.operations);
        Finding {
            bent,
            checks: found
                .difference(&plain)
                .map(|(check, _)| check.clone())
                .collect(),
        }
    }

    /// Our run on `operations` through `breakage`: how much it bent, and the `(check,
    /// operation)` of every violation.
    fn our_violations(
        &self,
        breakage: Breakage,
        operations: &[&str],
    ) -> (u32, BTreeSet<(String, String)>) {
        let target = self.runtime.block_on(BrokenReference::start(breakage));
        let options = self.our_options(&target, operations);
        let report = self
            .runtime
            .block_on(run(self.spec.clone(), options))
            .expect("our run completes");
        let bent = target.broken();
        self.runtime.block_on(target.stop());
        let violations = report
            .violations()
            .map(|violation| (violation.check.to_owned(), violation.operation_id.clone()))
            .collect();
        (bent, violations)
    }

    fn schemathesis_on(&self, bend: &Bend) -> Finding {
        let plain = self
            .schemathesis_findings(bend, Breakage::default(), "plain")
            .1;
        let (bent, found) = self.schemathesis_findings(bend, (bend.breakage)(), "bent");
        Finding {
            bent,
            checks: found
                .difference(&plain)
                .map(|(_, check)| check.clone())
                .collect(),
        }
    }

    fn schemathesis_findings(
        &self,
        bend: &Bend,
        breakage: Breakage,
        label: &str,
    ) -> (u32, BTreeSet<(String, String)>) {
        let target = self.runtime.block_on(BrokenReference::start(breakage));
        let workdir = self.workdir.join(format!("{}-{label}", bend.name));
        let outcome = self
            .tool
            .run(
                &self.spec_file,
                target.base_url(),
                target.api_key(),
                self.cases,
                bend.operations,
                &[],
                &workdir,
            )
            .expect("schemathesis runs");
        let bent = target.broken();
        self.runtime.block_on(target.stop());
        (bent, outcome.findings)
    }

    /// Our default options aimed at `target`, with its production key as the second key (as
    /// the embedded reference has), `--cases` as given, on `operations` (all when empty).
    fn our_options(&self, target: &BrokenReference, operations: &[&str]) -> Options {
        let keys = target.options_with_second_key();
        Options {
            base_url: keys.base_url,
            api_key: keys.api_key,
            second_api_key: keys.second_api_key,
            cases: self.cases,
            operations: operations.iter().map(|id| (*id).to_owned()).collect(),
            ..Options::default()
        }
    }
}
