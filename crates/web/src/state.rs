//! What every request shares: the log, the catalogue, the clock, and (on `--lan`) the
//! paired devices.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use backstretch_app::{App, Reported};
use backstretch_core::catalog::Catalog;
use backstretch_core::session::SessionId;
use backstretch_core::time::Stamp;
use backstretch_store::{Store, UserId};

use crate::error::WebError;
use crate::pair::Pairing;
use crate::steps::{self, StepWriter, Timelines};

/// Reads the clock: each request reads it once, when it begins to use the app.
pub type Clock = Arc<dyn Fn() -> Stamp + Send + Sync>;

/// What the front end runs after each session finishes (the CLI syncs a linked log), off the
/// request: the answer never waits for it.
#[derive(Clone)]
pub struct AfterSession(pub Arc<dyn Fn() + Send + Sync>);

impl std::fmt::Debug for AfterSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AfterSession")
    }
}

/// The server's shared state.
#[derive(Clone)]
pub struct Shared(pub(crate) Arc<Inner>);

pub(crate) struct Inner {
    /// The log, behind the store's own seam (SQLite serves one request at a time on its
    /// connection; the terminal may use the same file at the same time).
    pub store: Arc<dyn Store>,
    /// The catalogue, loaded once at start.
    pub catalog: Catalog,
    pub clock: Clock,
    /// Pairing, when the server listens beyond loopback.
    pub pairing: Option<Arc<Pairing>>,
    /// Where the server is reached, for the `Origin` check: `http://127.0.0.1:8731`.
    pub origins: Vec<String>,
    /// Run after each session finishes.
    pub after_session: Option<AfterSession>,
    /// Plans as JSON, by query, while the log and the minute stay the same. Kept for what it
    /// measured (`bench/web.sh`, 50 clients asking for the plan): 13,000 to 21,000 plans a
    /// second, p50 2.3 to 3 ms, against about 1,500 a second, p50 32 to 35 ms, planning each.
    pub plans: Mutex<HashMap<String, Cached>>,
    /// Held while a plan is made, so that after the log changes one request plans and the
    /// others waiting take its plan (not each planning again, one after another).
    pub planning: Mutex<()>,
    /// Sessions' timelines, for checking the steps reported.
    pub timelines: Timelines,
    /// The step writer.
    pub steps: StepWriter,
}

/// A plan computed for a state of the log, in a minute (so the day and the four-weekly
/// check's expiry are never read stale for longer than that).
pub(crate) struct Cached {
    marker: u64,
    minute: i64,
    json: Arc<str>,
}

/// How many plans are kept (a person has one profile; a few queries at most).
const KEEP_PLANS: usize = 32;

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("origins", &self.0.origins)
            .field("lan", &self.0.pairing.is_some())
            .finish_non_exhaustive()
    }
}

/// How to build the state.
pub struct Setup {
    pub store: Arc<dyn Store>,
    pub catalog: Catalog,
    pub clock: Clock,
    /// Pairing (`--lan`), or none on loopback.
    pub pairing: Option<Arc<Pairing>>,
    /// The origins the pages are served from.
    pub origins: Vec<String>,
    /// Run after each session finishes, off the request.
    pub after_session: Option<AfterSession>,
}

impl std::fmt::Debug for Setup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Setup")
            .field("origins", &self.origins)
            .finish_non_exhaustive()
    }
}

impl Shared {
    /// The state for a router.
    pub fn new(s: Setup) -> Shared {
        Shared(Arc::new_cyclic(|me: &Weak<Inner>| {
            let me = me.clone();
            Inner {
                store: s.store,
                catalog: s.catalog,
                clock: s.clock,
                pairing: s.pairing,
                origins: s.origins,
                after_session: s.after_session,
                plans: Mutex::new(HashMap::new()),
                planning: Mutex::new(()),
                timelines: Timelines::default(),
                // The writer holds the state weakly: it ends when the server's state goes.
                steps: StepWriter::spawn(move |jobs| {
                    let Some(inner) = me.upgrade() else {
                        return false;
                    };
                    let s = Shared(inner);
                    let now = (s.0.clock)();
                    let app = App::new(&*s.0.store, UserId::local(), now);
                    steps::write(&app, &s.0.timelines, jobs);
                    true
                }),
            }
        }))
    }

    /// Starts what runs after a session finishes, if anything, without waiting for it.
    pub fn session_finished(&self) {
        if let Some(hook) = self.0.after_session.clone() {
            tokio::task::spawn_blocking(move || (hook.0)());
        }
    }

    /// Logs a reported step through the writer (grouped with any others waiting): true when
    /// logged now, false for a retry.
    pub async fn log_step(&self, id: SessionId, report: Reported) -> Result<bool, WebError> {
        self.0.steps.log(id, report).await
    }

    /// The plan for `query` computed at this state of the log in this minute, if any.
    fn cached_plan(&self, query: &str, marker: u64, minute: i64) -> Option<Arc<str>> {
        let plans = self
            .0
            .plans
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        plans
            .get(query)
            .filter(|c| c.marker == marker && c.minute == minute)
            .map(|c| Arc::clone(&c.json))
    }

    /// The plan for `query` at this state of the log in this minute: the one kept, or else
    /// made by `make` (once: a request that finds another making it waits and takes it).
    pub fn plan_once(
        &self,
        query: &str,
        at: Option<(u64, i64)>,
        make: impl FnOnce() -> Result<Arc<str>, WebError>,
    ) -> Result<Arc<str>, WebError> {
        let Some((marker, minute)) = at else {
            return make();
        };
        if let Some(json) = self.cached_plan(query, marker, minute) {
            return Ok(json);
        }
        let _making = self
            .0
            .planning
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(json) = self.cached_plan(query, marker, minute) {
            return Ok(json);
        }
        let json = make()?;
        self.keep_plan(query.to_string(), marker, minute, Arc::clone(&json));
        Ok(json)
    }

    /// Keeps a plan for [`Shared::cached_plan`].
    fn keep_plan(&self, query: String, marker: u64, minute: i64, json: Arc<str>) {
        let mut plans = self
            .0
            .plans
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if plans.len() >= KEEP_PLANS {
            plans.clear();
        }
        plans.insert(
            query,
            Cached {
                marker,
                minute,
                json,
            },
        );
    }

    pub fn catalog(&self) -> &Catalog {
        &self.0.catalog
    }

    /// Pairing, on `--lan`.
    pub(crate) fn pairing(&self) -> Option<&Arc<Pairing>> {
        self.0.pairing.as_ref()
    }

    /// The time now, from the server's clock.
    pub(crate) fn now(&self) -> Stamp {
        (self.0.clock)()
    }

    /// Runs a use case with the app at this moment, off the async workers (a store may block).
    pub async fn run<T, F>(&self, f: F) -> Result<T, WebError>
    where
        T: Send + 'static,
        F: FnOnce(&App<'_>, &Catalog) -> Result<T, WebError> + Send + 'static,
    {
        let me = self.clone();
        tokio::task::spawn_blocking(move || {
            let now = (me.0.clock)();
            let app = App::new(&*me.0.store, UserId::local(), now);
            // A clinician's prescription may carry the practice's own exercises.
            let catalog = app.with_practice(&me.0.catalog)?;
            f(&app, &catalog)
        })
        .await
        .map_err(|e| WebError::internal(format!("a request's work stopped: {e}")))?
    }
}
