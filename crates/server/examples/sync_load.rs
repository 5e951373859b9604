//! The load generator of `bench/sync.sh`: C clients, each a linked device on a keep-alive
//! connection to a loopback `backstretch server`, sending requests one after another for a
//! number of seconds; prints the requests, errors, rate, p50, p99 and the worst latency.
//!
//! ```text
//! sync_load PORT TOKENS.tsv TEMPLATE.sqlite push|pull CLIENTS SECONDS [PAGE]
//! ```
//!
//! TOKENS.tsv is `sync_seed`'s (person, device, device id, token). Client `c` speaks for
//! person `c * people / C` (so no two clients share a person).
//!
//! - `push`: the client is the person's device `c mod 3`; each request sends one session as
//!   the player writes it (session started, one event a step, finished: the template's
//!   session, now), continuing the device's series from the head the server reports.
//! - `pull`: the client is device `(c + 1) mod 3` and reads device `c mod 3`'s series a page
//!   at a time from a random place in it (over the whole year): PAGE events, by default
//!   one session's as the player writes them (give 1 when the history was seeded as whole
//!   sessions, one event each).
//!
//! With `SPREAD=1` each client connects from a loopback address of its own (127.0.0.2 on),
//! as devices on a network do; otherwise all come from 127.0.0.1, as behind a reverse proxy.
//!
//! A request that fails (a status other than 200, or the connection) is counted as an
//! error, and the client carries on (after asking for its head again when a push failed).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use backstretch_core::event::{Change, Event};
use backstretch_store::{SqliteStore, Store, UserId, event_uid};

const DEVICES: usize = 3;

struct Conn {
    r: BufReader<TcpStream>,
    w: TcpStream,
    port: u16,
}

impl Conn {
    /// A connection from `from` (a loopback address), or from wherever the system picks.
    fn open(port: u16, from: Option<Ipv4Addr>) -> std::io::Result<Conn> {
        let s = match from {
            None => TcpStream::connect(("127.0.0.1", port))?,
            Some(ip) => tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .build()?
                .block_on(async {
                    let socket = tokio::net::TcpSocket::new_v4()?;
                    socket.bind(SocketAddr::from((ip, 0)))?;
                    let s = socket
                        .connect(SocketAddr::from(([127, 0, 0, 1], port)))
                        .await?;
                    s.into_std()
                })?,
        };
        s.set_nonblocking(false)?;
        s.set_nodelay(true)?;
        s.set_read_timeout(Some(Duration::from_secs(60)))?;
        Ok(Conn {
            r: BufReader::with_capacity(64 << 10, s.try_clone()?),
            w: s,
            port,
        })
    }

    /// One request; the status and the body.
    fn send(
        &mut self,
        method: &str,
        path: &str,
        token: &str,
        body: &str,
    ) -> std::io::Result<(u16, Vec<u8>)> {
        let port = self.port;
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        self.w.write_all(req.as_bytes())?;
        let mut line = String::new();
        self.r.read_line(&mut line)?;
        let status = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let mut length = None;
        loop {
            line.clear();
            if self.r.read_line(&mut line)? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            if line == "\r\n" {
                break;
            }
            let lower = line.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                length = v.trim().parse().ok();
            }
        }
        let length: usize = length.ok_or_else(|| std::io::Error::other("no content-length"))?;
        let mut buf = vec![0u8; length];
        self.r.read_exact(&mut buf)?;
        Ok((status, buf))
    }
}

/// A device as the seeder linked it.
#[derive(Clone)]
struct Device {
    id: String,
    token: String,
}

fn fail(why: &str) -> ! {
    eprintln!("sync_load: {why}");
    std::process::exit(1)
}

/// The people's devices, from the seeder's tokens file.
fn devices(path: &str) -> Vec<Vec<Device>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| fail(&format!("{path}: {e}")));
    let mut people: Vec<Vec<Device>> = Vec::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let [u, _, id, token] = f[..] else {
            fail(&format!("{path}: {line}"))
        };
        let u: usize = u.parse().unwrap_or_else(|_| fail(line));
        if people.len() <= u {
            people.resize(u + 1, Vec::new());
        }
        people[u].push(Device {
            id: id.into(),
            token: token.into(),
        });
    }
    people
}

/// The template's session as the player wrote it.
fn template(path: &str) -> Vec<Change> {
    let s = SqliteStore::open(path.as_ref()).unwrap_or_else(|e| fail(&format!("{path}: {e}")));
    let device = s.device().unwrap_or_else(|e| fail(&e.to_string()));
    let events = s
        .events(&UserId::local(), &device, 0, usize::MAX)
        .unwrap_or_else(|e| fail(&e.to_string()));
    let uid = events
        .iter()
        .find_map(|e| match &e.change {
            Change::SessionStarted { uid, .. } => Some(uid.clone()),
            _ => None,
        })
        .unwrap_or_else(|| fail("the template log holds no session"));
    events
        .into_iter()
        .filter(|e| match &e.change {
            Change::SessionStarted { uid: u, .. } => *u == uid,
            c => c.touches() == Some(uid.as_str()) && !matches!(c, Change::Settled { .. }),
        })
        .map(|e| e.change)
        .collect()
}

/// The template's session as a new session of now (its times as played, a new uid).
fn new_session(t: &[Change]) -> Vec<Change> {
    let uid = uuid::Uuid::new_v4().simple().to_string();
    t.iter()
        .map(|c| {
            let mut c = c.clone();
            match &mut c {
                Change::SessionStarted { uid: u, .. } | Change::SessionFinished { uid: u, .. } => {
                    *u = uid.clone();
                }
                Change::StepLogged { session, .. } => *session = uid.clone(),
                _ => {}
            }
            c
        })
        .collect()
}

/// The server's head of `device`'s series, asked as `me`.
fn head(conn: &mut Conn, me: &Device, device: &str) -> Result<u64, String> {
    let (s, body) = conn
        .send("GET", "/api/v1/status", &me.token, "")
        .map_err(|e| e.to_string())?;
    if s != 200 {
        return Err(format!("status: {s} {}", String::from_utf8_lossy(&body)));
    }
    let v: serde_json::Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
    Ok(v["heads"][device].as_u64().unwrap_or(0))
}

/// What one client measured: its latencies and its errors.
#[derive(Default)]
struct Tally {
    times: Vec<Duration>,
    errors: usize,
    first_error: Option<String>,
}

impl Tally {
    fn error(&mut self, why: String) {
        self.errors += 1;
        self.first_error.get_or_insert(why);
    }
}

/// A small random number generator (xorshift), seeded per client.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        if n == 0 { 0 } else { self.0 % n }
    }
}

fn push_client(
    port: u16,
    from: Option<Ipv4Addr>,
    me: &Device,
    t: &[Change],
    until: Instant,
) -> Result<Tally, String> {
    let mut conn = Conn::open(port, from).map_err(|e| e.to_string())?;
    let mut idx = head(&mut conn, me, &me.id)?;
    let mut tally = Tally::default();
    while Instant::now() < until {
        let events: Vec<Event> = new_session(t)
            .into_iter()
            .map(|change| {
                idx += 1;
                Event {
                    device: me.id.clone(),
                    idx,
                    uid: event_uid(&change),
                    change,
                }
            })
            .collect();
        let body = serde_json::json!({ "events": events }).to_string();
        let started = Instant::now();
        let r = conn.send("POST", "/api/v1/push", &me.token, &body);
        tally.times.push(started.elapsed());
        match r {
            Ok((200, _)) => {}
            other => {
                tally.error(match other {
                    Ok((s, b)) => format!("push: {s} {}", String::from_utf8_lossy(&b)),
                    Err(e) => format!("push: {e}"),
                });
                conn = Conn::open(port, from).map_err(|e| e.to_string())?;
                idx = head(&mut conn, me, &me.id)?;
            }
        }
    }
    Ok(tally)
}

fn pull_client(
    port: u16,
    from: Option<Ipv4Addr>,
    me: &Device,
    other: &Device,
    page: u64,
    seed: u64,
    until: Instant,
) -> Result<Tally, String> {
    let mut conn = Conn::open(port, from).map_err(|e| e.to_string())?;
    let top = head(&mut conn, me, &other.id)?;
    let mut rng = Rng(seed | 1);
    let mut tally = Tally::default();
    while Instant::now() < until {
        let after = rng.below(top.saturating_sub(page) + 1);
        let path = format!(
            "/api/v1/pull?device={}&after={after}&limit={page}",
            other.id
        );
        let started = Instant::now();
        let r = conn.send("GET", &path, &me.token, "");
        tally.times.push(started.elapsed());
        match r {
            Ok((200, body)) if body.starts_with(br#"{"events":["#) => {}
            other => {
                tally.error(match other {
                    Ok((s, b)) => format!("pull: {s} {}", String::from_utf8_lossy(&b)),
                    Err(e) => format!("pull: {e}"),
                });
                conn = Conn::open(port, from).map_err(|e| e.to_string())?;
            }
        }
    }
    Ok(tally)
}

#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "an index into a list of at most a few million timings"
)]
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let (page, args) = match &args[..] {
        [rest @ .., page] if rest.len() == 6 => (page.parse().ok(), rest),
        rest => (None, rest),
    };
    let [port, tokens, tpl, what, clients, seconds] = args else {
        fail("usage: sync_load PORT TOKENS TEMPLATE push|pull CLIENTS SECONDS [PAGE]");
    };
    let port: u16 = port.parse().unwrap_or_else(|_| fail("a port"));
    let clients: usize = clients
        .parse()
        .unwrap_or_else(|_| fail("a number of clients"));
    let seconds: f64 = seconds.parse().unwrap_or_else(|_| fail("seconds"));
    let push = match what.as_str() {
        "push" => true,
        "pull" => false,
        _ => fail("push or pull"),
    };
    let people = devices(tokens);
    if clients > people.len() || people.iter().any(|p| p.len() != DEVICES) {
        fail("more clients than people, or a person without three devices");
    }
    let t = template(tpl);
    let spread = std::env::var_os("SPREAD").is_some_and(|v| v == "1");
    // A pull page is one session's events as the player writes them, unless told.
    let page = page.unwrap_or(u64::try_from(t.len()).unwrap_or(64));
    let started = Instant::now();
    let until = started + Duration::from_secs_f64(seconds);
    let tallies: Vec<Result<Tally, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|c| {
                let person = &people[c * people.len() / clients];
                let (me, other) = if push {
                    (&person[c % DEVICES], &person[c % DEVICES])
                } else {
                    (&person[(c + 1) % DEVICES], &person[c % DEVICES])
                };
                let t = &t;
                // Client c from 127.0.0.(2 + c mod 200) when spread, as devices on a network
                // come from their own addresses.
                let from = spread
                    .then(|| Ipv4Addr::new(127, 0, 0, 2 + u8::try_from(c % 200).unwrap_or(0)));
                scope.spawn(move || {
                    if push {
                        push_client(port, from, me, t, until)
                    } else {
                        pull_client(port, from, me, other, page, c as u64 * 7919 + 17, until)
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err("a client panicked".into())))
            .collect()
    });
    let wall = started.elapsed();
    let (mut all, mut errors, mut first) = (Vec::new(), 0, None);
    for t in tallies {
        match t {
            Ok(t) => {
                all.extend(t.times);
                errors += t.errors;
                first = first.or(t.first_error);
            }
            Err(e) => {
                errors += 1;
                first = first.or(Some(e));
            }
        }
    }
    all.sort();
    if let Some(e) = first {
        eprintln!(
            "sync_load: first error: {}",
            e.chars().take(300).collect::<String>()
        );
    }
    println!(
        "{what} clients={clients} requests={} errors={errors} rate={:.0}/s p50={:.2}ms p99={:.2}ms worst={:.2}ms",
        all.len(),
        all.len() as f64 / wall.as_secs_f64(),
        percentile(&all, 0.50).as_secs_f64() * 1e3,
        percentile(&all, 0.99).as_secs_f64() * 1e3,
        all.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
}
