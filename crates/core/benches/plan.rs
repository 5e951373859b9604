//! The planner on synthetic catalogues of 20, 1,000 and 10,000 exercises, and on the
//! built-in catalogue; and its worst cases: every area asked of the built-in catalogue, and a
//! user's 36 stretches that each serve every area.

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
        conditions: vec![],
        eased_by: None,
        coaching: Default::default(),
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
    // The built-in catalogue's hardest profiles: every area, every place, 20 minutes.
    for style in [DoseStyle::Source, DoseStyle::Standard] {
        g.bench_function(format!("builtin/all_areas_20min_{style}"), |b| {
            let r = Request { style, ..every(20) };
            b.iter(|| black_box(plan(&built_in, &r, &[]).map(|p| p.total_s)));
        });
    }
    // The built-in catalogue's hardest profile of all (the most steps searched): every area,
    // the abdominals first, every place, 10 minutes, the source's doses.
    g.bench_function("builtin/all_areas_abdominals_first_10min_source", |b| {
        let mut areas = vec![Area::Abdominals];
        areas.extend(Area::ALL.iter().filter(|a| **a != Area::Abdominals));
        let r = Request { areas, ..every(10) };
        b.iter(|| black_box(plan(&built_in, &r, &[]).map(|p| p.total_s)));
    });
    // A user's folder of 36 stretches, each done each side and serving every area, four in
    // each position; asked for the lower back, floor, chair and standing, 30 minutes.
    let stretches = synth::each_side_stretches(36);
    g.bench_function("each_side_36/lower_back_30min_standard", |b| {
        let r = Request {
            areas: vec![Area::LowerBack],
            places: vec![Place::Floor, Place::Chair, Place::Standing],
            style: DoseStyle::Standard,
            ..request(30)
        };
        b.iter(|| black_box(plan(&stretches, &r, &[]).map(|p| p.total_s)));
    });
    g.finish();
}

criterion_group!(benches, planner);
criterion_main!(benches);
