//! Runs the fuzz targets on stable Rust: mutation over the seed corpus, each input checked
//! for panics; a panicking input is written to `fuzz/crashes/` and the run exits 1.
//!
//! Usage: `backstretch-fuzz TARGET|all MINUTES [SEED]`

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use backstretch_fuzz::{Rng, TARGETS, mutate, seeds};

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
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
        let mut panics = 0u64;
        while start.elapsed() < per {
            let a = corpus[rng.below(corpus.len())].clone();
            let b = corpus[rng.below(corpus.len())].clone();
            let input = mutate(&mut rng, &a, &b);
            runs += 1;
            if catch_unwind(AssertUnwindSafe(|| target(&input))).is_err() {
                panics += 1;
                failed = true;
                let dir = std::path::Path::new("fuzz/crashes");
                let _ = std::fs::create_dir_all(dir);
                let _ = std::fs::write(dir.join(format!("{name}-{runs}")), &input);
            } else if corpus.len() < 4096 && rng.below(64) == 0 {
                corpus.push(input);
            }
        }
        println!(
            "{name}: {runs} inputs in {:.1} min, {panics} panics",
            start.elapsed().as_secs_f64() / 60.0
        );
    }
    if failed {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    }
}
