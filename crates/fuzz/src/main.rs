//! Runs the fuzz targets on stable Rust: mutation over the seed corpus, each input checked
//! for panics; a panicking input is written to `fuzz/crashes/` (under the folder it is run
//! from) and the run exits 1. Only inputs that parse join the corpus, so mutation keeps
//! reaching the code behind the parsers rather than filling with broken text.
//!
//! Usage: `backstretch-fuzz TARGET|all MINUTES [SEED]`

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use backstretch_fuzz::{Rng, TARGETS, mutate, seeds};

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!(
            "Usage: backstretch-fuzz TARGET|all MINUTES [SEED]\n\nTargets: catalog, routine, import (all: the minutes shared between them).\nA panicking input is written to fuzz/crashes/ under the current folder, and the run exits 1."
        );
        return std::process::ExitCode::SUCCESS;
    }
    let which = args.first().map_or("all", String::as_str);
    let minutes: f64 = args.get(1).and_then(|m| m.parse().ok()).unwrap_or(1.0);
    let seed: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(0x5eed);
    let chosen: Vec<_> = TARGETS
        .iter()
        .filter(|(n, _)| which == "all" || *n == which)
        .collect();
    if chosen.is_empty() {
        eprintln!("unknown target `{which}`; use all, catalog, routine or import");
        return std::process::ExitCode::from(2);
    }
    std::panic::set_hook(Box::new(|_| {}));
    let per = Duration::from_secs_f64(minutes * 60.0 / chosen.len() as f64);
    let mut failed = false;
    for (name, target) in chosen {
        let mut corpus = seeds(name);
        let mut rng = Rng::new(seed);
        let start = Instant::now();
        let mut runs = 0u64;
        let mut parsed = 0u64;
        let mut panics = 0u64;
        while start.elapsed() < per {
            let a = corpus[rng.below(corpus.len())].clone();
            let b = corpus[rng.below(corpus.len())].clone();
            let input = mutate(&mut rng, &a, &b);
            runs += 1;
            match catch_unwind(AssertUnwindSafe(|| target(&input))) {
                Err(_) => {
                    panics += 1;
                    failed = true;
                    let dir = std::path::Path::new("fuzz/crashes");
                    let _ = std::fs::create_dir_all(dir);
                    let path = dir.join(format!("{name}-{runs}"));
                    let _ = std::fs::write(&path, &input);
                    eprintln!("{name}: a panic; the input is in {}", path.display());
                }
                Ok(true) => {
                    parsed += 1;
                    if corpus.len() < 4096 && rng.below(16) == 0 {
                        corpus.push(input);
                    }
                }
                Ok(false) => {}
            }
        }
        println!(
            "{name}: {runs} inputs ({parsed} parsed) in {:.1} min, {panics} panics",
            start.elapsed().as_secs_f64() / 60.0
        );
    }
    if failed {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    }
}
