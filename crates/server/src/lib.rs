//! The sync server: many people's logs behind the `Store` trait, on one SQLite file in its own
//! data folder (the default, for a small practice) or on PostgreSQL (`--database
//! postgres://...`, for several server processes behind a load balancer). A person is added
//! with a one-time link code; each of their devices links with a code and then speaks with a
//! bearer token of its own. It listens on loopback unless asked, and beyond loopback only over
//! TLS. It prints nothing and reads nothing from the terminal: the CLI does that.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use backstretch_core::time::Stamp;
use backstretch_store::accounts::Accounts;
use backstretch_store::clinic::Clinic;
use backstretch_store::{SqliteStore, Store, StoreError};
use backstretch_store_postgres::PostgresStore;

mod api;
pub mod backup;
pub mod clinic;
mod clinic_account;
mod clinic_gdpr;
mod clinic_pages;
pub mod link;
pub mod totp;

pub use api::{Api, router};

/// The port the server listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 8422;

/// A store a server can run on: the logs, the people and their devices, and the clinic.
pub trait ServerStore: Store + Accounts + Clinic {}
impl<T: Store + Accounts + Clinic> ServerStore for T {}

/// The server's store: `server.sqlite` in its data folder, or the PostgreSQL database at
/// `database` (a `postgres://` URL or libpq's `key=value` words).
pub fn open(home: &Path, database: Option<&str>) -> Result<Arc<dyn ServerStore>, StoreError> {
    match database {
        Some(address) => Ok(Arc::new(PostgresStore::connect(address)?)),
        None => {
            let dir = home.join("server");
            backstretch_web::files::private_dir(&dir).map_err(|e| StoreError::Backend(e.into()))?;
            Ok(Arc::new(SqliteStore::open(&dir.join("server.sqlite"))?))
        }
    }
}

/// How to serve.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen (loopback, port [`DEFAULT_PORT`], unless given).
    pub listen: Option<SocketAddr>,
    /// The certificate chain and key (PEM files) to speak TLS with.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Whether every clinician must log in with a second factor (TOTP).
    pub require_totp: bool,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// Beyond loopback without TLS.
    #[error(
        "{addr} is reachable beyond this machine, and health data must not cross a network in plain text"
    )]
    NeedsTls {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// The certificate or key could not be used.
    #[error(transparent)]
    Tls(#[from] backstretch_web::tls::TlsError),
    /// The address could not be listened on.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The runtime could not start.
    #[error("cannot start the server: {0}")]
    Io(#[from] std::io::Error),
}

/// A server bound to its address, ready to run until Ctrl-C.
#[derive(Debug)]
pub struct Server {
    rt: tokio::runtime::Runtime,
    listener: backstretch_web::Listener,
    app: axum::Router,
    addr: SocketAddr,
    scheme: &'static str,
    /// Held until the runtime is done: a PostgreSQL store must be let go of outside it.
    store: Arc<dyn ServerStore>,
}

impl Server {
    /// Listens as `c` asks, serving `store`.
    pub fn bind(c: &Config, store: Arc<dyn ServerStore>) -> Result<Server, ServerError> {
        let addr = c
            .listen
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], DEFAULT_PORT)));
        if !addr.ip().is_loopback() && c.tls.is_none() {
            return Err(ServerError::NeedsTls { addr });
        }
        let tls = match &c.tls {
            Some((cert, key)) => {
                let (certs, key) = backstretch_web::tls::read(cert, key)?;
                Some(backstretch_web::tls::acceptor(certs, key)?)
            }
            None => None,
        };
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        let tcp = rt
            .block_on(tokio::net::TcpListener::bind(addr))
            .map_err(|source| ServerError::Listen { addr, source })?;
        let addr = tcp.local_addr()?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let clock = Arc::new(|| Stamp::from_datetime(&chrono::Local::now()));
        Ok(Server {
            rt,
            listener: backstretch_web::Listener { tcp, tls },
            app: router(
                Api::new(store.clone(), clock)
                    .with_tls(scheme == "https")
                    .with_totp_required(c.require_totp),
            ),
            addr,
            scheme,
            store,
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Where devices reach it: `https://host:port`.
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    /// Serves until Ctrl-C or SIGTERM.
    pub fn run(self) {
        let Server {
            rt,
            listener,
            app,
            store,
            ..
        } = self;
        rt.block_on(backstretch_web::serve(
            listener,
            app,
            backstretch_web::stop_signal(),
        ));
        drop(rt);
        drop(store);
    }
}
