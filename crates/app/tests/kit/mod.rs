//! The app's test kit: an in-memory store, a clock that moves only when a story moves it,
//! and the built-in catalogue. Stories drive the app as a front end would, with no
//! terminal, browser or wall clock.

#![allow(dead_code)]

use backstretch_app::{App, Overrides, Playable, SessionSummary};
use backstretch_core::catalog::{Catalog, builtin};
use backstretch_core::player::Outcome;
use backstretch_core::profile::Profile;
use backstretch_core::session::{Ending, SessionId, StepRecord};
use backstretch_core::time::Stamp;
use backstretch_core::timeline::Timeline;
use backstretch_core::vocab::{Area, Place};
use backstretch_store::{SqliteStore, UserId};

/// The day every story starts on: a Monday morning, so weeks and streaks are predictable.
pub const START: &str = "2026-11-16T08:00:00+00:00";

/// One person's app, its log and its clock.
pub struct Kit {
    /// The log, in memory.
    pub store: SqliteStore,
    /// The built-in catalogue.
    pub catalog: Catalog,
    /// The time the next app call runs at.
    pub now: Stamp,
}

impl Kit {
    /// A new person with nothing logged, at [`START`].
    pub fn new() -> Kit {
        Kit {
            store: SqliteStore::in_memory().expect("an in-memory store opens"),
            catalog: builtin().catalog,
            now: Stamp::parse(START).expect("a valid start"),
        }
    }

    /// A person set up as the first run leaves them: disclaimer accepted, a check with no
    /// warning sign, and a profile for the lower back on the floor, ten minutes a day.
    pub fn set_up() -> Kit {
        let kit = Kit::new();
        let app = kit.app();
        app.accept_disclaimer().unwrap();
        app.save_profile(
            &kit.catalog,
            Profile {
                areas: vec![Area::LowerBack],
                places: vec![Place::Floor],
                minutes: 10,
                ..Profile::default()
            },
        )
        .unwrap();
        let areas = app.screening_areas(&kit.catalog, None).unwrap();
        app.record_screening(&areas, &[]).unwrap();
        kit
    }

    /// The app at the kit's time.
    pub fn app(&self) -> App<'_> {
        App::new(&self.store, UserId::local(), self.now)
    }

    /// Moves the clock on.
    pub fn advance(&mut self, seconds: i64) {
        self.now = self.now.plus_seconds(seconds);
    }

    /// Moves the clock to the same time on the next day.
    pub fn next_day(&mut self) {
        self.advance(86_400);
    }

    /// Today's routine, planned.
    pub fn planned(&self) -> Playable {
        self.app()
            .planned(&self.catalog, &Overrides::default(), false)
            .unwrap()
    }

    /// Begins a session of a routine, as a player does.
    pub fn begin(&self, p: &Playable, pain_before: Option<u8>) -> SessionId {
        self.app()
            .begin(&p.routine, &p.items, pain_before, None)
            .unwrap()
    }

    /// Plays steps `from..to` of a session's timeline as done, each ending when it should,
    /// and moves the clock to the end of the last.
    pub fn play(&mut self, id: SessionId, p: &Playable, steps: std::ops::Range<usize>) {
        let timeline = Timeline::new(&p.items);
        for i in steps {
            let s = &timeline.steps()[i];
            self.advance(i64::from(s.seconds));
            let rec = StepRecord {
                step: u32::try_from(i).unwrap(),
                kind: s.kind,
                exercise_id: s.exercise_id.clone(),
                side: s.side,
                rep: s.rep,
                planned_s: s.seconds,
                done_ms: u64::from(s.seconds) * 1000,
                outcome: Outcome::Done,
                at: self.now,
                rating: None,
            };
            self.app().record_step(id, &rec).unwrap();
        }
    }

    /// Plays today's routine through with these pain scores, and finishes it.
    pub fn session(&mut self, before: u8, after: u8) -> SessionSummary {
        let p = self.planned();
        let id = self.begin(&p, Some(before));
        let n = Timeline::new(&p.items).steps().len();
        self.play(id, &p, 0..n);
        self.app()
            .finish(id, self.now, Some(after), Ending::Completed)
            .unwrap()
    }
}
