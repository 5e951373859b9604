//! Serving: listening where asked (HTTPS with a kept certificate on `--lan`), the pairing
//! code on the terminal, and running until Ctrl-C.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use backstretch_core::catalog::Catalog;
use backstretch_core::time::Stamp;
use backstretch_store::SqliteStore;

use crate::pair::Pairing;
use crate::router::router;
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
        if let Some(p) = &shared.pairing() {
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
            if let Some(p) = &s.pairing() {
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
