//! Convergence: devices make writes and take each other's events in a given order; once all
//! have exchanged everything, every log reads back the same. A backend's tests drive it
//! with random runs (a property test), on its own logs or mixed with another backend's.

use backstretch_core::code::RoutineCode;
use backstretch_core::exchange::Clearance;
use backstretch_core::player::Outcome;
use backstretch_core::profile::Profile;
use backstretch_core::routine::Routine;
use backstretch_core::safety::{Screening, ScreeningVerdict};
use backstretch_core::session::{Ending, LoggedSession, SessionId, SessionSource, StepRecord};
use backstretch_core::time::Stamp;
use backstretch_core::timeline::{Side, StepKind};

use crate::{NewSession, Store, UserId};

/// Devices in a convergence run.
pub const DEVICES: usize = 3;

/// One step of a convergence run: a write on a device, or a device taking another's events.
#[derive(Debug, Clone)]
pub enum Op {
    Profile(u32),
    Disclaimer(u32),
    Screening(bool),
    Clearance(u8),
    Begin,
    Step {
        pick: usize,
        report: u32,
        hurt: bool,
    },
    Finish {
        pick: usize,
        pain: u8,
    },
    Settled {
        pick: usize,
        settled: bool,
    },
    Record(u8),
    Sheet(bool),
    /// The device takes every event another holds.
    Pull(usize),
}

fn routine(style: &str) -> Routine {
    Routine {
        style: style.into(),
        ..Routine::default()
    }
}

/// Every event `from` holds that `to` has not, a device's series at a time.
fn pull(to: &dyn Store, from: &dyn Store, u: &UserId) {
    let mine: std::collections::HashMap<String, u64> =
        to.event_heads(u).unwrap().into_iter().collect();
    for (device, _) in from.event_heads(u).unwrap() {
        let after = mine.get(&device).copied().unwrap_or(0);
        let events = from.events(u, &device, after, usize::MAX).unwrap();
        to.apply(u, &events).unwrap();
    }
}

/// The sessions a device began or recorded itself.
fn own(s: &dyn Store, u: &UserId, d: usize) -> Vec<SessionId> {
    let prefix = format!("d{d}-");
    s.sessions(u)
        .unwrap()
        .into_iter()
        .filter(|l| l.session.uid.starts_with(&prefix))
        .map(|l| l.session.id)
        .collect()
}

fn new_session<'a>(uid: &'a str, at: Stamp, routine: &'a Routine) -> NewSession<'a> {
    NewSession {
        uid,
        started_at: at,
        source: SessionSource::Player,
        routine,
        planned_s: 60,
        pain_before: Some(3),
        pid: None,
    }
}

fn cleared(sign: impl std::fmt::Display, at: Stamp) -> Clearance {
    Clearance::own(format!("sign-{sign}"), at)
}

fn run(s: &dyn Store, stores: &[&dyn Store], u: &UserId, d: usize, i: usize, op: &Op) {
    // Each write at its own time, a minute after the last, in a zone of the device's own.
    let i = i64::try_from(i).unwrap();
    let offset = i32::try_from(d).unwrap() * 3600;
    let at = Stamp {
        utc_s: 1_795_000_000 + i * 60,
        offset_s: offset,
    };
    let r = routine("source");
    let step = |report: u32, hurt: bool| StepRecord {
        step: report,
        kind: StepKind::Hold,
        exercise_id: Some(if hurt { "cat-camel" } else { "bridge" }.into()),
        side: Some(Side::Left),
        rep: 0,
        planned_s: 5,
        done_ms: 5_000,
        outcome: if hurt { Outcome::Hurt } else { Outcome::Done },
        at,
        rating: None,
    };
    let any_session = |pick: usize| {
        let all = s.sessions(u).unwrap();
        (!all.is_empty()).then(|| all[pick % all.len()].session.id)
    };
    let own_session = |pick: usize| {
        let mine = own(s, u, d);
        (!mine.is_empty()).then(|| mine[pick % mine.len()])
    };
    match *op {
        Op::Profile(minutes) => {
            let p = Profile {
                minutes,
                ..Profile::default()
            };
            s.set_profile(u, &p, at).unwrap();
        }
        Op::Disclaimer(v) => s.accept_disclaimer(u, v, at).unwrap(),
        Op::Screening(clear) => {
            let verdict = if clear {
                ScreeningVerdict::Clear
            } else {
                ScreeningVerdict::Soon
            };
            let check = Screening {
                at,
                areas: vec![],
                answers: [("weight-loss".to_string(), !clear)].into(),
                verdict,
                assessed: None,
                since: Default::default(),
            };
            s.add_screening(u, &check).unwrap();
        }
        Op::Clearance(sign) => s.add_clearance(u, &cleared(sign, at)).unwrap(),
        Op::Begin => {
            let uid = format!("d{d}-b{i}");
            s.begin_session(u, &new_session(&uid, at, &r)).unwrap();
        }
        Op::Step { pick, report, hurt } => {
            if let Some(id) = own_session(pick) {
                if hurt {
                    s.log_step(u, id, &step(report, hurt)).unwrap();
                } else {
                    s.log_steps_once(u, &[(id, report, &step(report, hurt))])
                        .unwrap();
                }
            }
        }
        Op::Finish { pick, pain } => {
            if let Some(id) = own_session(pick) {
                s.finish_session(u, id, at, Some(pain), Ending::Completed)
                    .unwrap();
            }
        }
        Op::Settled { pick, settled } => {
            if let Some(id) = any_session(pick) {
                s.set_settled(u, id, settled, at).unwrap();
            }
        }
        Op::Record(pain) => {
            let uid = format!("d{d}-r{i}");
            s.record_session(
                u,
                &new_session(&uid, at, &r),
                &[step(0, pain > 5)],
                at,
                Some(pain),
                Ending::Stopped,
            )
            .unwrap();
        }
        Op::Sheet(first) => {
            let r = routine(if first { "a" } else { "b" });
            s.save_sheet(u, RoutineCode::of(&r), &r, at).unwrap();
        }
        Op::Pull(from) => {
            if from != d {
                pull(s, stores[from], u);
            }
        }
    }
}

/// What must be the same on every device (a session's row id and heartbeat are the log's
/// own).
fn view(s: &dyn Store, u: &UserId) -> String {
    let sessions: Vec<LoggedSession> = s
        .sessions(u)
        .unwrap()
        .into_iter()
        .map(|mut l| {
            l.session.id = SessionId(0);
            l.session.heartbeat_at = l.session.started_at;
            l
        })
        .collect();
    let hurts: Vec<_> = s
        .hurts(u, Stamp::parse("2000-01-01T00:00:00+00:00").unwrap())
        .unwrap()
        .into_iter()
        .map(|h| (h.day, h.exercise))
        .collect();
    format!(
        "{:#?}",
        (
            sessions,
            s.session_facts(u).unwrap(),
            hurts,
            (s.profile(u).unwrap(), s.profile_saved_at(u).unwrap()),
            s.last_screening(u).unwrap(),
            s.disclaimer_version(u).unwrap(),
            s.clearances(u).unwrap(),
            s.sheets(u).unwrap(),
            s.event_heads(u).unwrap(),
        )
    )
}

/// Runs `ops` (each on device `d`, of `stores`), then has every store take every other's
/// events twice over, and asserts that all read back the same.
pub fn converge(stores: &[&dyn Store], ops: &[(usize, Op)]) {
    let u = UserId::local();
    for (i, (d, op)) in ops.iter().enumerate() {
        run(stores[*d], stores, &u, *d, i, op);
    }
    for _ in 0..2 {
        for (to, a) in stores.iter().enumerate() {
            for (from, b) in stores.iter().enumerate() {
                if to != from {
                    pull(*a, *b, &u);
                }
            }
        }
    }
    let first = view(stores[0], &u);
    for s in &stores[1..] {
        assert_eq!(view(*s, &u), first, "after {ops:#?}");
    }
}
