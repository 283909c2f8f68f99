//! Speed of the default run: the whole suite against the embedded reference server (in memory,
//! on loopback), as `novu-conformance run` performs it. Prints wall time, requests/s and the
//! requests of each check, for the default `--jobs` and, with `--jobs-sweep`, for others.
//!
//! `cargo bench -p novu-conformance --bench run` (options after `--`: `--rounds N`,
//! `--jobs-sweep`).

use std::time::Duration;

use novu_conformance::{Options, Report, Spec, run};

fn main() {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let rounds = arguments
        .iter()
        .position(|argument| argument == "--rounds")
        .and_then(|index| arguments.get(index + 1))
        .map_or(3, |value| value.parse().expect("--rounds takes a number"));
    let sweep = arguments.iter().any(|argument| argument == "--jobs-sweep");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let spec = Spec::embedded().expect("the embedded spec loads");
    let defaults = Options::default();
    println!(
        "default run: seed {}, --cases {}, --jobs {}, {} rounds",
        defaults.seed, defaults.cases, defaults.jobs, rounds
    );
    let mut walls = Vec::new();
    let mut last = None;
    for round in 1..=rounds {
        let report = runtime
            .block_on(run(spec.clone(), Options::default()))
            .expect("the run completes");
        print_round(round, &report);
        walls.push(report.elapsed);
        last = Some(report);
    }
    walls.sort();
    let median = walls[walls.len() / 2];
    let report = last.expect("at least one round");
    println!(
        "median wall time {:.2} s; {:.0} requests/s at that time",
        median.as_secs_f64(),
        f64::from(report.requests) / median.as_secs_f64()
    );
    println!("requests per check (last round):");
    for (check, requests) in report.requests_per_check() {
        println!("  {check:<24} {requests:>7}");
    }
    if sweep {
        for jobs in [1, 2, 4, 8, 16] {
            let options = Options {
                jobs,
                ..Options::default()
            };
            let report = runtime
                .block_on(run(spec.clone(), options))
                .expect("the run completes");
            println!(
                "--jobs {jobs:>2}: {:>6.2} s, {:>6.0} requests/s",
                report.elapsed.as_secs_f64(),
                rate(&report)
            );
        }
    }
}

fn print_round(round: usize, report: &Report) {
    let violations = report.violations().count();
    println!(
        "round {round}: {} requests in {:.2} s = {:.0} requests/s, {violations} violations",
        report.requests,
        report.elapsed.as_secs_f64(),
        rate(report)
    );
}

fn rate(report: &Report) -> f64 {
    f64::from(report.requests) / report.elapsed.max(Duration::from_millis(1)).as_secs_f64()
}
