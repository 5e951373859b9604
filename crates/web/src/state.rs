//! What every request shares: the log, the catalogue, the clock, and (on `--lan`) the
//! paired devices.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use backstretch_app::App;
use backstretch_core::catalog::Catalog;
use backstretch_core::time::Stamp;
use backstretch_store::{SqliteStore, UserId};

use crate::error::WebError;
use crate::pair::Pairing;

/// Reads the clock: each request reads it once, when it begins to use the app.
pub type Clock = Arc<dyn Fn() -> Stamp + Send + Sync>;

/// The server's shared state.
#[derive(Clone)]
pub struct Shared(pub(crate) Arc<Inner>);

pub(crate) struct Inner {
    /// The log. One connection, used by one request at a time; the terminal may use the
    /// same file at the same time (SQLite in WAL mode waits for it).
    pub store: Mutex<SqliteStore>,
    /// The catalogue, loaded once at start.
    pub catalog: Catalog,
    /// The clock.
    pub clock: Clock,
    /// Pairing, when the server listens beyond loopback.
    pub pairing: Option<Arc<Pairing>>,
    /// Where the server is reached, for the `Origin` check: `http://127.0.0.1:8731`.
    pub origins: Vec<String>,
    /// The data directory (for the certificate and paired devices).
    pub home: PathBuf,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("home", &self.0.home)
            .field("origins", &self.0.origins)
            .field("lan", &self.0.pairing.is_some())
            .finish_non_exhaustive()
    }
}

/// How to build the state.
pub struct Setup {
    /// The log.
    pub store: SqliteStore,
    /// The catalogue.
    pub catalog: Catalog,
    /// The clock.
    pub clock: Clock,
    /// Pairing (`--lan`), or none on loopback.
    pub pairing: Option<Arc<Pairing>>,
    /// The origins the pages are served from.
    pub origins: Vec<String>,
    /// The data directory.
    pub home: PathBuf,
}

impl std::fmt::Debug for Setup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Setup")
            .field("home", &self.home)
            .finish_non_exhaustive()
    }
}

impl Shared {
    /// The state for a router.
    pub fn new(s: Setup) -> Shared {
        Shared(Arc::new(Inner {
            store: Mutex::new(s.store),
            catalog: s.catalog,
            clock: s.clock,
            pairing: s.pairing,
            origins: s.origins,
            home: s.home,
        }))
    }

    /// The catalogue.
    pub fn catalog(&self) -> &Catalog {
        &self.0.catalog
    }

    fn lock(&self) -> MutexGuard<'_, SqliteStore> {
        // A panic while holding the log leaves no half-written state behind (every write is
        // one transaction), so a poisoned lock is safe to take over.
        self.0.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs a use case with the app at this moment, off the async workers (SQLite blocks).
    pub async fn run<T, F>(&self, f: F) -> Result<T, WebError>
    where
        T: Send + 'static,
        F: FnOnce(&App<'_>, &Catalog) -> Result<T, WebError> + Send + 'static,
    {
        let me = self.clone();
        tokio::task::spawn_blocking(move || {
            let now = (me.0.clock)();
            let store = me.lock();
            let app = App::new(&*store, UserId::local(), now);
            f(&app, &me.0.catalog)
        })
        .await
        .map_err(|_| WebError::internal())?
    }

    /// Now, by the server's clock.
    pub fn now(&self) -> Stamp {
        (self.0.clock)()
    }
}
