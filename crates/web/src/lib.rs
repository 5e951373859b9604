//! `backstretch serve`: the coach in a browser, over the app layer and the same SQLite log
//! as the terminal.
//!
//! Server-rendered pages (first run, today, the player, history, progress, profile, the
//! exercises, a print view), a JSON API under `/api/` with the CLI's JSON shapes, and a
//! browser player that plays the timeline core computes. It listens on loopback unless
//! asked (`--lan`), and then speaks HTTPS and serves paired devices only.

mod api;
mod assets;
mod error;
mod files;
mod html;
mod pages;
pub mod pair;
mod state;
mod steps;
pub mod tls;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use backstretch_core::catalog::Catalog;
use backstretch_core::time::Stamp;
use backstretch_store::SqliteStore;

pub use error::WebError;
pub use pair::Pairing;
pub use state::{Clock, Setup, Shared};

/// The port `serve` listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 8421;
/// The largest request body taken (a profile or a step is a few hundred bytes).
pub const BODY_LIMIT: usize = 16 * 1024;

/// The Content-Security-Policy of every page: scripts and styles from the server only, never
/// inline; nothing framed; forms post back to the server only.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The router over shared state: every page, the API and the app shell, behind the host,
/// pairing and origin checks.
pub fn router(s: Shared) -> Router {
    let api = Router::new()
        .route("/plan", get(api::plan))
        .route("/history", get(api::history))
        .route("/stats", get(api::stats))
        .route("/profile", get(api::profile).put(api::put_profile))
        .route("/catalog", get(api::catalog))
        .route("/catalog/{id}", get(api::exercise))
        .route("/safety", get(api::safety).post(api::screen))
        .route("/safety/spreading", post(api::spreading))
        .route(
            "/disclaimer",
            get(api::disclaimer).post(api::accept_disclaimer),
        )
        .route("/sessions", post(api::begin))
        .route("/sessions/{id}/steps", post(api::step))
        .route("/sessions/{id}/finish", post(api::finish))
        .fallback(|| async { WebError::not_found("there is no such API route; see the README") });
    Router::new()
        .route("/", get(pages::root))
        .route("/welcome", get(pages::welcome).post(pages::accept))
        .route("/check", get(pages::check).post(pages::checked))
        .route("/profile", get(pages::profile).post(pages::save_profile))
        .route("/today", get(pages::today))
        .route("/followup", post(pages::followup))
        .route("/play", get(pages::play))
        .route("/history", get(pages::history))
        .route("/progress", get(pages::progress))
        .route("/exercises", get(pages::exercises))
        .route("/exercises/{id}", get(pages::exercise))
        .route("/figures/{file}", get(pages::figure_svg))
        .route("/charts/{file}", get(pages::chart))
        .route("/print", get(pages::print))
        .route("/pair", get(pages::pair))
        .route("/static/{file}", get(assets::file))
        .route("/sw.js", get(assets::service_worker))
        .route("/manifest.webmanifest", get(assets::manifest))
        .nest("/api", api)
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(s.clone(), guard))
        .layer(middleware::from_fn(security_headers))
        .with_state(s)
}

fn refuse(status: StatusCode, error: &str, help: &str) -> Response {
    WebError {
        status,
        error: error.into(),
        help: Some(help.into()),
        field: None,
        gate: None,
    }
    .into_response()
}

/// The checks before any handler:
/// - the `Host` must be one this server answers to (a page elsewhere that points its own
///   name at 127.0.0.1 cannot read the log);
/// - on `--lan`, the device must be paired (401), except to pair;
/// - a request that changes something must come from one of this server's pages (`Origin`,
///   403); on `--lan` it must say so.
async fn guard(State(s): State<Shared>, req: Request, next: Next) -> Response {
    let origins = &s.0.origins;
    if let Some(host) = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        && !origins
            .iter()
            .any(|o| o.split_once("://").is_some_and(|(_, h)| h == host))
    {
        return refuse(
            StatusCode::MISDIRECTED_REQUEST,
            "this server does not answer to that name",
            "open the address `backstretch serve` printed",
        );
    }
    if let Some(pairing) = &s.0.pairing
        && req.uri().path() != "/pair"
    {
        let paired = req
            .headers()
            .get(header::COOKIE)
            .and_then(|c| c.to_str().ok())
            .and_then(pair::cookie_token)
            .is_some_and(|t| pairing.knows(t));
        if !paired {
            return refuse(
                StatusCode::UNAUTHORIZED,
                "this device is not paired with backstretch",
                "scan the code `backstretch serve --lan` shows in its terminal (press Enter there for a new one)",
            );
        }
    }
    let changes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if changes {
        let origin = req
            .headers()
            .get(header::ORIGIN)
            .and_then(|o| o.to_str().ok());
        let ok = match origin {
            Some(o) => origins.iter().any(|x| x == o),
            None => s.0.pairing.is_none(),
        };
        if !ok {
            return refuse(
                StatusCode::FORBIDDEN,
                &format!(
                    "this request did not come from a backstretch page (it came from {})",
                    origin.unwrap_or("an unnamed origin")
                ),
                "use the pages `backstretch serve` serves",
            );
        }
    }
    next.run(req).await
}

/// Headers on every response: the CSP (unless the page set its own), no sniffing, no
/// framing, no referrer beyond the server, and no caching of health data by the browser's HTTP cache.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut r = next.run(req).await;
    let h = r.headers_mut();
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // `same-origin`, not `no-referrer`: with no referrer at all, a form posts `Origin: null`.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    r
}

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
    InUse {
        /// The address.
        addr: SocketAddr,
    },
    /// Listening beyond loopback without `--lan`.
    #[error("--listen {addr} is beyond this computer, which needs --lan")]
    #[diagnostic(help(
        "add --lan to serve a phone on your network (HTTPS, paired devices only), or listen on 127.0.0.1"
    ))]
    NeedsLan {
        /// The address.
        addr: SocketAddr,
    },
    /// No network address to serve a phone on.
    #[error("cannot find this computer's address on your network")]
    #[diagnostic(help("pass --listen ADDR:PORT with the address to serve on"))]
    NoLanAddress,
    /// Another listening error.
    #[error("cannot listen on {addr}: {source}")]
    #[diagnostic(help("pass --listen ADDR:PORT with an address of this computer"))]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
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
    /// The data directory.
    pub home: PathBuf,
    /// The log, opened.
    pub store: SqliteStore,
    /// The catalogue, loaded.
    pub catalog: Catalog,
    /// `--listen`.
    pub listen: Option<SocketAddr>,
    /// `--lan`.
    pub lan: bool,
    /// `--open`: open a browser at the address.
    pub open: bool,
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

/// The pairing code as a QR code drawn with half blocks, for a terminal.
pub fn qr_text(url: &str) -> String {
    match qrcode::QrCode::new(url.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::unicode::Dense1x2>()
            .dark_color(qrcode::render::unicode::Dense1x2::Light)
            .light_color(qrcode::render::unicode::Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

fn show_pairing(pairing: &Pairing, base: &str) {
    let code = pairing.new_code(std::time::Instant::now());
    let url = format!("{base}/pair?code={code}");
    println!(
        "\nTo pair a phone on this network, scan this or open {url}\n{}\nThe code {code} works once, within 10 minutes. Press Enter for a new one.\n\
Your browser will warn that the certificate is made by this computer: that is expected; accept it once for this address.",
        qr_text(&url)
    );
}

/// Runs the server until Ctrl-C.
pub fn serve(c: Config) -> Result<(), ServeError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(ServeError::Io)?;
    rt.block_on(run(c))
}

async fn run(c: Config) -> Result<(), ServeError> {
    let addr = match (c.listen, c.lan) {
        (Some(a), false) if !a.ip().is_loopback() => return Err(ServeError::NeedsLan { addr: a }),
        (Some(a), _) => a,
        (None, false) => SocketAddr::from((Ipv4Addr::LOCALHOST, DEFAULT_PORT)),
        (None, true) => {
            SocketAddr::new(lan_address().ok_or(ServeError::NoLanAddress)?, DEFAULT_PORT)
        }
    };
    let tcp = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
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
    let clock: Clock = Arc::new(|| Stamp::from_datetime(&chrono::Local::now()));
    let shared = Shared::new(Setup {
        store: c.store,
        catalog: c.catalog,
        clock,
        pairing,
        origins: origins(addr, c.lan),
    });
    let app = router(shared.clone());
    let shutdown = async {
        stop_signal().await;
        println!("\nStopped. Every step that reached the server is in the log.");
    };
    if c.lan {
        let (certs, key) = tls::certificate(&serve_dir, &[addr.ip().to_string()])?;
        let listener =
            tls::TlsListener::new(tcp, tls::acceptor(certs, key)?).map_err(ServeError::Io)?;
        let base = format!("https://{}", origin_host(addr));
        println!(
            "backstretch is serving your network at {base}/ (paired devices only). Ctrl-C stops it."
        );
        if let Some(p) = &shared.0.pairing {
            show_pairing(p, &base);
        }
        new_codes_on_enter(shared.clone(), base.clone());
        open_browser(c.open, &base);
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(ServeError::Io)
    } else {
        let base = format!("http://{}", origin_host(addr));
        println!("backstretch is at {base}/ (this computer only). Ctrl-C stops it.");
        open_browser(c.open, &base);
        axum::serve(tcp, app)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(ServeError::Io)
    }
}

/// Ctrl-C, or (on Unix) a polite request to stop (SIGTERM).
async fn stop_signal() {
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

/// On a terminal, each Enter prints a fresh pairing code.
fn new_codes_on_enter(s: Shared, base: String) {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return;
    }
    std::thread::spawn(move || {
        let mut line = String::new();
        while std::io::stdin().read_line(&mut line).is_ok_and(|n| n > 0) {
            if let Some(p) = &s.0.pairing {
                show_pairing(p, &base);
            }
            line.clear();
        }
    });
}

fn open_browser(open: bool, base: &str) {
    if !open {
        return;
    }
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener)
        .arg(format!("{base}/"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_err()
    {
        eprintln!("note: could not open a browser ({opener}); open {base}/ yourself");
    }
}
