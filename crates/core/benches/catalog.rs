//! Loading and validating the built-in catalogue: what every command pays at start-up.

use backstretch_core::catalog::{Catalog, builtin, builtin_files};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn load(c: &mut Criterion) {
    c.bench_function("catalog/load_builtin", |b| {
        b.iter(|| black_box(Catalog::load(black_box(&builtin_files()), &[])));
    });
    let loaded = builtin();
    c.bench_function("catalog/find_by_alias", |b| {
        b.iter(|| black_box(loaded.catalog.find(black_box("Child's pose")).is_ok()));
    });
}

criterion_group!(benches, load);
criterion_main!(benches);
