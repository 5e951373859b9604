//! The planner on synthetic catalogues of 20, 1,000 and 10,000 exercises, and on the
//! built-in catalogue.

use backstretch_core::catalog::builtin;
use backstretch_core::plan::{Request, plan};
use backstretch_core::synth;
use backstretch_core::vocab::{Area, DoseStyle, Place};
use chrono::NaiveDate;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn request(minutes: u32) -> Request {
    Request {
        areas: vec![Area::LowerBack, Area::Neck, Area::Hamstrings],
        places: vec![Place::Floor, Place::Bed, Place::Chair, Place::Standing],
        minutes,
        style: DoseStyle::Source,
        exclude: vec![],
        date: NaiveDate::from_ymd_opt(2026, 11, 21).expect("valid date"),
        gentler: false,
    }
}

fn planner(c: &mut Criterion) {
    let mut g = c.benchmark_group("plan");
    let built_in = builtin().catalog;
    for minutes in [3, 10, 30] {
        g.bench_with_input(
            BenchmarkId::new("builtin_15", format!("{minutes}min")),
            &minutes,
            |b, m| {
                let r = request(*m);
                b.iter(|| black_box(plan(&built_in, &r, &[]).map(|p| p.total_s)));
            },
        );
    }
    for n in [20usize, 1_000, 10_000] {
        let cat = synth::catalog(n, 2026, 5);
        for minutes in [10, 30] {
            g.bench_with_input(
                BenchmarkId::new(format!("synthetic_{n}"), format!("{minutes}min")),
                &minutes,
                |b, m| {
                    let r = request(*m);
                    b.iter(|| black_box(plan(&cat, &r, &[]).map(|p| p.total_s)));
                },
            );
        }
    }
    g.finish();
}

criterion_group!(benches, planner);
criterion_main!(benches);
