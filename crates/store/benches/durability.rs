//! What durability costs: committing one finished step to a real file with
//! `synchronous = FULL` (what backstretch uses, so a power cut keeps every finished step)
//! against `NORMAL`, side by side in one run.

use backstretch_core::player::Outcome;
use backstretch_core::routine::Routine;
use backstretch_core::session::{SessionSource, StepRecord};
use backstretch_core::time::Stamp;
use backstretch_core::timeline::StepKind;
use backstretch_store::{Durability, NewSession, SqliteStore, Store, UserId};
use criterion::{Criterion, criterion_group, criterion_main};

fn step_commit(c: &mut Criterion) {
    let mut g = c.benchmark_group("commit one step");
    for (name, d) in [("full", Durability::Full), ("normal", Durability::Normal)] {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = SqliteStore::open_with(&dir.path().join("log.sqlite"), d).expect("opens");
        let user = UserId::local();
        let at = Stamp::parse("2026-11-21T09:00:00+00:00").expect("stamp");
        let routine = Routine::default();
        let id = store
            .begin_session(
                &user,
                &NewSession {
                    uid: "bench",
                    started_at: at,
                    source: SessionSource::Player,
                    routine: &routine,
                    planned_s: 60,
                    pain_before: None,
                    pid: None,
                },
            )
            .expect("begins");
        let mut n = 0u32;
        g.bench_function(name, |b| {
            b.iter(|| {
                n += 1;
                store
                    .log_step(
                        &user,
                        id,
                        &StepRecord {
                            step: n,
                            kind: StepKind::Hold,
                            exercise_id: Some("bridge".into()),
                            side: None,
                            rep: 1,
                            planned_s: 5,
                            done_ms: 5000,
                            outcome: Outcome::Done,
                            at,
                            rating: None,
                        },
                    )
                    .expect("commits");
            });
        });
    }
    g.finish();
}

criterion_group!(benches, step_commit);
criterion_main!(benches);
