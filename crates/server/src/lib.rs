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
pub mod care;
mod care_pages;
pub mod clinic;
mod clinic_account;
mod clinic_gdpr;
mod clinic_pages;
pub mod link;
pub mod mail;
mod quiet_pages;
pub mod totp;

pub use api::{Api, router};

/// The port the server listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 8422;

/// How often the server looks for patients who have gone quiet (and once at start).
pub const QUIET_SWEEP: std::time::Duration = std::time::Duration::from_secs(15 * 60);

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
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Where to listen (loopback, port [`DEFAULT_PORT`], unless given).
    pub listen: Option<SocketAddr>,
    /// The certificate chain and key (PEM files) to speak TLS with.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Where clinicians reach the server, for the links in e-mails (its own address unless
    /// given: behind a reverse proxy, the proxy's).
    pub url: Option<String>,
    /// How to send alert e-mails; none are sent without it.
    pub mail: Option<mail::MailConfig>,
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
    /// The e-mail settings cannot be used.
    #[error(transparent)]
    Mail(#[from] mail::MailError),
    /// The public address is not one.
    #[error("`{0}` is not an address clinicians can reach the server at")]
    Url(String),
}

/// A server bound to its address, ready to run until Ctrl-C.
pub struct Server {
    rt: tokio::runtime::Runtime,
    listener: backstretch_web::Listener,
    app: axum::Router,
    addr: SocketAddr,
    scheme: &'static str,
    /// Held until the runtime is done: a PostgreSQL store must be let go of outside it.
    store: Arc<dyn ServerStore>,
    clock: Arc<dyn Fn() -> Stamp + Send + Sync>,
    /// Woken when alerts are raised.
    wake: Arc<tokio::sync::Notify>,
    mailer: Option<mail::Mailer>,
    url: String,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("addr", &self.addr)
            .field("url", &self.url)
            .field("mails", &self.mailer.is_some())
            .finish_non_exhaustive()
    }
}

/// A public address clinicians reach the server at: `http(s)://host[:port]`, nothing after.
fn check_url(url: &str) -> Result<String, ServerError> {
    let bad = || ServerError::Url(url.to_string());
    let u = url::Url::parse(url).map_err(|_| bad())?;
    let ok = matches!(u.scheme(), "http" | "https")
        && u.host().is_some()
        && matches!(u.path(), "" | "/")
        && u.query().is_none()
        && u.fragment().is_none()
        && u.username().is_empty()
        && u.password().is_none();
    if ok {
        Ok(url.trim_end_matches('/').to_string())
    } else {
        Err(bad())
    }
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
        let url = c.url.as_deref().map(check_url).transpose()?;
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
        let url = url.unwrap_or_else(|| format!("{scheme}://{addr}"));
        let clock: Arc<dyn Fn() -> Stamp + Send + Sync> =
            Arc::new(|| Stamp::from_datetime(&chrono::Local::now()));
        let api = Api::new(store.clone(), clock.clone()).with_tls(scheme == "https");
        let wake = api.wake();
        let mailer = match &c.mail {
            Some(m) => {
                // Made inside the runtime: the transport may want its reactor.
                let _guard = rt.enter();
                Some(mail::Mailer::new(
                    m,
                    store.clone(),
                    clock.clone(),
                    url.clone(),
                    wake.clone(),
                )?)
            }
            None => None,
        };
        Ok(Server {
            rt,
            listener: backstretch_web::Listener { tcp, tls },
            app: router(api.with_totp_required(c.require_totp)),
            addr,
            scheme,
            store,
            clock,
            wake,
            mailer,
            url,
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

    /// Where clinicians reach it, for the links in e-mails: the `url` configured, or
    /// [`Server::base_url`].
    pub fn public_url(&self) -> &str {
        &self.url
    }

    /// Whether it sends alert e-mails.
    pub fn mails(&self) -> bool {
        self.mailer.is_some()
    }

    /// Serves until Ctrl-C or SIGTERM; meanwhile looks for quiet patients (at once and every
    /// [`QUIET_SWEEP`]) and, with e-mail configured, sends the alert e-mails owed.
    pub fn run(self) {
        let Server {
            rt,
            listener,
            app,
            store,
            clock,
            wake,
            mailer,
            ..
        } = self;
        rt.spawn(watch_quiet(store.clone(), clock, wake));
        if let Some(m) = mailer {
            rt.spawn(m.run());
        }
        rt.block_on(backstretch_web::serve(
            listener,
            app,
            backstretch_web::stop_signal(),
        ));
        drop(rt);
        drop(store);
    }
}

/// Raises the quiet alerts due, at once and then every [`QUIET_SWEEP`]; wakes the mailer
/// when any are new.
async fn watch_quiet(
    store: Arc<dyn ServerStore>,
    clock: Arc<dyn Fn() -> Stamp + Send + Sync>,
    wake: Arc<tokio::sync::Notify>,
) {
    let mut tick = tokio::time::interval(QUIET_SWEEP);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let (s, now) = (store.clone(), clock());
        match tokio::task::spawn_blocking(move || clinic::raise_quiet_alerts(&*s, now)).await {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => {
                tracing::info!(n, "quiet patients alerted");
                wake.notify_one();
            }
            Ok(Err(e)) => tracing::warn!(error = %e, "quiet patients were not looked for"),
            Err(e) => tracing::warn!(error = %e, "quiet patients were not looked for"),
        }
    }
}
