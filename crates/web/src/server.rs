//! Serving: listening where asked (HTTPS with a kept certificate on `--lan`), the pairing
//! codes a front end shows, and running until Ctrl-C. Nothing here prints or reads the
//! terminal; the front end says what the person needs to know.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use backstretch_core::catalog::Catalog;
use backstretch_core::time::Stamp;
use backstretch_store::Store;
use hyper::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::task::{AbortHandle, JoinSet};
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::pair::Pairing;
use crate::router::router;
use crate::slots::{MAX_CONNECTIONS, PER_ADDRESS, Peer, Proven, Slots};
use crate::state::{Clock, Setup, Shared};
use crate::tls;

/// The port `serve` listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 8421;

/// Why `serve` could not run.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ServeError {
    /// The port is taken.
    #[error(
        "cannot listen on {addr}: another backstretch serve (or another program) is already using it"
    )]
    #[diagnostic(help(
        "open http://{addr}/ if it is backstretch, or pass --listen 127.0.0.1:PORT for another port"
    ))]
    InUse { addr: SocketAddr },
    /// Listening beyond loopback without `--lan`.
    #[error("--listen {addr} is beyond this computer, which needs --lan")]
    #[diagnostic(help(
        "add --lan to serve a phone on your network (HTTPS, paired devices only), or listen on 127.0.0.1"
    ))]
    NeedsLan { addr: SocketAddr },
    /// No network address to serve a phone on.
    #[error("cannot find this computer's address on your network")]
    #[diagnostic(help("pass --listen ADDR:PORT with the address to serve on"))]
    NoLanAddress,
    /// Another listening error.
    #[error("cannot listen on {addr}: {source}")]
    #[diagnostic(help("pass --listen ADDR:PORT with an address of this computer"))]
    Listen {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    /// HTTPS could not be set up.
    #[error(transparent)]
    #[diagnostic(help("check that the data directory is yours and writable"))]
    Tls(#[from] tls::TlsError),
    /// The server stopped on an error.
    #[error("the server stopped: {0}")]
    Io(#[source] std::io::Error),
}

/// How to serve.
#[derive(Debug)]
pub struct Config {
    /// The data directory (the certificate and the paired devices are kept in its `serve/`).
    pub home: PathBuf,
    /// The log, opened.
    pub store: Arc<dyn Store>,
    /// The catalogue, loaded.
    pub catalog: Catalog,
    /// `--listen`: where to listen, instead of loopback (or, with `lan`, this computer's
    /// network address) on [`DEFAULT_PORT`].
    pub listen: Option<SocketAddr>,
    /// `--lan`: serve other devices over HTTPS, paired devices only.
    pub lan: bool,
    /// Run after each session finishes, off the request (the CLI syncs a linked log).
    pub after_session: Option<crate::AfterSession>,
}

/// This computer's address on its network: the one a route to a public address would leave
/// from (a UDP socket's connect sends nothing).
fn lan_address() -> Option<IpAddr> {
    let s = std::net::UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).ok()?;
    s.connect((Ipv4Addr::new(192, 0, 2, 1), 9)).ok()?;
    let ip = s.local_addr().ok()?.ip();
    (!ip.is_unspecified() && !ip.is_loopback()).then_some(ip)
}

fn origin_host(addr: SocketAddr) -> String {
    match addr.ip() {
        IpAddr::V6(v6) => format!("[{v6}]:{}", addr.port()),
        IpAddr::V4(v4) => format!("{v4}:{}", addr.port()),
    }
}

/// The origins pages are served from at `addr`.
fn origins(addr: SocketAddr, https: bool) -> Vec<String> {
    let scheme = if https { "https" } else { "http" };
    let mut out = vec![format!("{scheme}://{}", origin_host(addr))];
    if addr.ip().is_loopback() {
        out.push(format!("{scheme}://localhost:{}", addr.port()));
    }
    out
}

/// A new pairing code and the address that redeems it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairingCode {
    /// The code, 8 characters to read aloud.
    pub code: String,
    /// The address a phone opens (or scans) to pair with it.
    pub url: String,
}

/// Mints pairing codes for a server on `--lan`, each valid once for [`crate::pair::CODE_LIFETIME`].
#[derive(Debug, Clone)]
pub struct CodeMint {
    pairing: Arc<Pairing>,
    base: String,
}

impl CodeMint {
    /// A new one-time code, with the address that redeems it.
    pub fn mint(&self) -> PairingCode {
        let code = self.pairing.new_code(std::time::Instant::now());
        PairingCode {
            url: format!("{}/pair?code={code}", self.base),
            code,
        }
    }
}

/// How long a client has to send a request's headers (the first request's, and each next
/// one's on a kept-alive connection) before the connection is closed.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a whole request may take, its body and its answer: after it, 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// What a server accepts connections on: TCP, with TLS settings when it speaks HTTPS.
pub struct Listener {
    /// The bound socket.
    pub tcp: tokio::net::TcpListener,
    /// The TLS settings, for HTTPS.
    pub tls: Option<TlsAcceptor>,
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener")
            .field("tcp", &self.tcp)
            .field("tls", &self.tls.is_some())
            .finish()
    }
}

/// A server bound to its address and ready to run: the front end reads its address and
/// pairing codes from it to tell the person, then runs it until Ctrl-C. It prints nothing
/// and reads nothing from the terminal.
#[derive(Debug)]
pub struct Server {
    rt: tokio::runtime::Runtime,
    listener: Listener,
    app: Router,
    addr: SocketAddr,
    base: String,
    mint: Option<CodeMint>,
}

impl Server {
    /// Listens as `c` asks (HTTPS with the kept certificate on `--lan`), without serving yet.
    pub fn bind(c: Config) -> Result<Server, ServeError> {
        let addr = match (c.listen, c.lan) {
            (Some(a), false) if !a.ip().is_loopback() => {
                return Err(ServeError::NeedsLan { addr: a });
            }
            (Some(a), _) => a,
            (None, false) => SocketAddr::from((Ipv4Addr::LOCALHOST, DEFAULT_PORT)),
            (None, true) => {
                SocketAddr::new(lan_address().ok_or(ServeError::NoLanAddress)?, DEFAULT_PORT)
            }
        };
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(ServeError::Io)?;
        let tcp = rt
            .block_on(tokio::net::TcpListener::bind(addr))
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::AddrInUse {
                    ServeError::InUse { addr }
                } else {
                    ServeError::Listen { addr, source: e }
                }
            })?;
        let addr = tcp.local_addr().map_err(ServeError::Io)?;
        let serve_dir = c.home.join("serve");
        let pairing = c
            .lan
            .then(|| Arc::new(Pairing::load(&serve_dir.join("devices"))));
        let scheme = if c.lan { "https" } else { "http" };
        let base = format!("{scheme}://{}", origin_host(addr));
        if c.lan {
            crate::files::private_dir(&serve_dir).map_err(|source| {
                ServeError::Tls(tls::TlsError::Io {
                    path: serve_dir.display().to_string(),
                    source,
                })
            })?;
        }
        let tls = if c.lan {
            let (certs, key) = tls::certificate(&serve_dir, &[addr.ip().to_string()])?;
            Some(tls::acceptor(certs, key)?)
        } else {
            None
        };
        let listener = Listener { tcp, tls };
        let clock: Clock = Arc::new(|| Stamp::from_datetime(&chrono::Local::now()));
        let mint = pairing.clone().map(|pairing| CodeMint {
            pairing,
            base: base.clone(),
        });
        let app = router(Shared::new(Setup {
            store: c.store,
            catalog: c.catalog,
            clock,
            pairing,
            origins: origins(addr, c.lan),
            after_session: c.after_session,
        }));
        Ok(Server {
            rt,
            listener,
            app,
            addr,
            base,
            mint,
        })
    }

    /// The address it listens on (the port the system chose, when asked for port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Where a browser reaches it, without a trailing slash: `http://127.0.0.1:8421`.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// Pairing codes, on `--lan` (none on loopback, where nothing is paired).
    pub fn codes(&self) -> Option<CodeMint> {
        self.mint.clone()
    }

    /// Serves until Ctrl-C (or SIGTERM); every request answered by then is in the log.
    pub fn run(self) -> Result<(), ServeError> {
        let Server {
            rt, listener, app, ..
        } = self;
        rt.block_on(serve(listener, app, stop_signal()));
        Ok(())
    }
}

/// The accept loop (the coach's and the sync server's): each connection in its own task,
/// within the slots ([`Slots`]), until `stop`; then each connection finishes the request it
/// is answering (for at most [`REQUEST_TIMEOUT`]) and closes.
pub async fn serve(listener: Listener, app: Router, stop: impl Future<Output = ()>) {
    let mut slots: Slots<tokio::task::Id, AbortHandle> = Slots::new(MAX_CONNECTIONS, PER_ADDRESS);
    let mut tasks = JoinSet::new();
    let (stopping, stopped) = watch::channel(false);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => break,
            Some(done) = tasks.join_next_with_id() => {
                slots.remove(&match done {
                    Ok((id, ())) => id,
                    Err(e) => e.id(),
                });
            }
            accepted = listener.tcp.accept() => {
                let (tcp, peer) = match accepted {
                    Ok(c) => c,
                    Err(e) => {
                        // Out of file descriptors, say: wait for connections to close.
                        tracing::warn!(error = %e, "cannot accept a connection");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let Ok(closing) = slots.make_room(peer.ip()) else {
                    continue;
                };
                for c in closing {
                    c.abort();
                }
                let proven = Proven::default();
                let conn = Conn {
                    peer,
                    proven: proven.clone(),
                    app: app.clone(),
                    stopped: stopped.clone(),
                };
                let handle = tasks.spawn(conn.run(tcp, listener.tls.clone()));
                slots.insert(handle.id(), peer.ip(), proven, handle);
            }
        }
    }
    let _ = stopping.send(true);
    let _ = tokio::time::timeout(REQUEST_TIMEOUT + Duration::from_secs(1), async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
}

/// One connection, served in its own task.
struct Conn {
    peer: SocketAddr,
    proven: Proven,
    app: Router,
    stopped: watch::Receiver<bool>,
}

impl Conn {
    /// Shakes hands on `--lan` (within [`tls::HANDSHAKE`]), then serves.
    async fn run(self, tcp: TcpStream, tls: Option<TlsAcceptor>) {
        let _ = tcp.set_nodelay(true);
        match tls {
            None => self.serve(TokioIo::new(tcp)).await,
            Some(acceptor) => {
                if let Ok(Ok(stream)) =
                    tokio::time::timeout(tls::HANDSHAKE, acceptor.accept(tcp)).await
                {
                    self.serve(TokioIo::new(stream)).await;
                }
            }
        }
    }

    /// HTTP/1.1 with the header-read timeout, each request marked with the connection's
    /// address and its proof; a stop lets the request being answered finish.
    async fn serve<I>(self, io: I)
    where
        I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    {
        let Conn {
            peer,
            proven,
            app,
            mut stopped,
        } = self;
        let service = hyper::service::service_fn(move |mut req: Request<Incoming>| {
            req.extensions_mut().insert(proven.clone());
            req.extensions_mut().insert(Peer(peer.ip()));
            app.clone().oneshot(req)
        });
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT)
            .serve_connection(io, service);
        tokio::pin!(conn);
        tokio::select! {
            _ = conn.as_mut() => return,
            _ = stopped.wait_for(|s| *s) => {}
        }
        conn.as_mut().graceful_shutdown();
        let _ = conn.await;
    }
}

/// Ctrl-C, or (on Unix) a polite request to stop (SIGTERM).
pub async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
