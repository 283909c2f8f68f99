//! Times `cargo xtask generate` for the project spec: load, validate, progenitor, server stubs
//! and prettyplease, all in memory (nothing is written). Run with `cargo bench -p xtask --bench generate`.

use std::time::{Duration, Instant};

use xtask::codegen::{self, Target};

fn main() {
    let root = codegen::workspace_root();
    let path = root.join("spec/novu.yaml");
    let target = Target::project();
    let rounds = 10;
    let mut times: Vec<Duration> = Vec::with_capacity(rounds);
    let mut files = 0;
    let mut bytes = 0;
    for _ in 0..rounds {
        let started = Instant::now();
        let spec = xtask::spec::load(&path).expect("the spec loads");
        let generated = codegen::generate(&spec, &target).expect("generation succeeds");
        times.push(started.elapsed());
        files = generated.len();
        bytes = generated.iter().map(|file| file.contents.len()).sum();
    }
    times.sort();
    let operations = xtask::spec::load(&path)
        .expect("the spec loads")
        .document
        .operations()
        .count();
    println!(
        "generate spec/novu.yaml ({operations} operations → {files} files, {} KiB)",
        bytes / 1024
    );
    println!("  rounds: {rounds}");
    println!("  min:    {:.1?}", times[0]);
    println!("  median: {:.1?}", times[rounds / 2]);
    println!("  max:    {:.1?}", times[rounds - 1]);
}
