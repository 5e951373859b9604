//! The planner on synthetic catalogues of 20, 1,000 and 10,000 exercises, and on the
//! built-in catalogue.

use backstretch_core::catalog::builtin;
use backstretch_core::plan::{Request, plan};
use backstretch_core::synth;
use backstretch_core::vocab::{Area, DoseStyle, Place, Word};
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
        pages_only: false,
        recent: vec![],
    }
}

fn planner(c: &mut Criterion) {
    let mut g = c.benchmark_group("plan");
    let built_in = builtin().catalog;
    for minutes in [3, 10, 30] {
        g.bench_with_input(
            BenchmarkId::new("builtin", format!("{minutes}min")),
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
    // The worst cases found by the independent checker: 24 identical moves, all nine areas,
    // 45 minutes; and large catalogues asked for every area.
    let mut rng = synth::Rng::new(11);
    let base = synth::exercise(&mut rng, "same-0".into(), 3);
    let twins = backstretch_core::catalog::Catalog::from_exercises((0..24).map(|i| {
        let mut e = base.clone();
        e.id = format!("same-{i}");
        e.name = format!("Same {i}");
        e.areas = Area::ALL.to_vec();
        e
    }));
    let every = |minutes| Request {
        areas: Area::ALL.to_vec(),
        ..request(minutes)
    };
    g.bench_function("identical_24/all_areas_45min", |b| {
        let r = every(45);
        b.iter(|| black_box(plan(&twins, &r, &[]).map(|p| p.total_s)));
    });
    for n in [1_000usize, 10_000] {
        let cat = synth::catalog(n, 7, 5);
        g.bench_function(format!("synthetic_{n}/all_areas_45min"), |b| {
            let r = every(45);
            b.iter(|| black_box(plan(&cat, &r, &[]).map(|p| p.total_s)));
        });
    }
    g.finish();
}

criterion_group!(benches, planner);
criterion_main!(benches);
