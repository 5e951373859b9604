//! The clinic's measurements for `bench/clinic.sh`, against a loopback `backstretch server`
//! seeded by `sync_seed --clinician`:
//!
//! - `dashboard`: the clinician's patient list loaded N times one after another (each a new
//!   connection, as a browser's page load): p50, p99 and the worst, and the rows it listed;
//! - `alerts`: for K patients, one of their devices pushes a session that flared (pain 3 to
//!   8, now); the time from sending the push until the patient list shows the patient's alert
//!   (the push's own time, then the list's polls): p50 and the worst.
//!
//! ```text
//! clinic_load PORT SESSION.txt TOKENS.tsv TEMPLATE.sqlite dashboard N
//! clinic_load PORT SESSION.txt TOKENS.tsv TEMPLATE.sqlite alerts K
//! ```

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use backstretch_core::event::{Change, Event};
use backstretch_core::session::SessionId;
use backstretch_core::time::Stamp;
use backstretch_store::{SqliteStore, Store, UserId, event_uid};

fn fail(why: &str) -> ! {
    eprintln!("clinic_load: {why}");
    std::process::exit(1)
}

/// One HTTP/1.1 request on a connection of its own; the status and the body.
fn request(port: u16, method: &str, path: &str, auth: &str, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap_or_else(|e| fail(&e.to_string()));
    s.set_nodelay(true).ok();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{auth}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes())
        .unwrap_or_else(|e| fail(&e.to_string()));
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)
        .unwrap_or_else(|e| fail(&e.to_string()));
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .get(9..12)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| fail(&format!("no status in {text:.80}")));
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "an index into a short list"
    )]
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.1}ms", d.as_secs_f64() * 1000.0)
}

/// The patient list, N times.
fn dashboard(port: u16, cookie: &str, n: usize) {
    let mut took = Vec::with_capacity(n);
    let mut rows = 0;
    for _ in 0..n {
        let t = Instant::now();
        let (status, body) = request(port, "GET", "/clinic", cookie, "");
        took.push(t.elapsed());
        if status != 200 {
            fail(&format!("the patient list answered {status}"));
        }
        rows = body.matches("<a href=\"/clinic/patients/").count();
    }
    took.sort();
    println!(
        "dashboard loads={n} rows={rows} p50={} p99={} worst={}",
        ms(percentile(&took, 0.5)),
        ms(percentile(&took, 0.99)),
        ms(took[took.len() - 1])
    );
}

/// A device of sync_seed's TOKENS.tsv: the person's index, its id and token.
fn devices(path: &str) -> Vec<(usize, String, String)> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| fail(&format!("{path}: {e}")))
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            if f.len() != 4 || f[1] != "0" {
                return None;
            }
            let u = f[0].parse().unwrap_or_else(|_| fail("a bad token line"));
            Some((u, f[2].to_string(), f[3].to_string()))
        })
        .collect()
}

/// The template's session, now, pain 3 before and 8 after: a flare, and high pain.
fn flared(template: &str) -> Change {
    let s =
        SqliteStore::open(std::path::Path::new(template)).unwrap_or_else(|e| fail(&e.to_string()));
    let mut l = s
        .sessions(&UserId::local())
        .unwrap_or_else(|e| fail(&e.to_string()))
        .into_iter()
        .next()
        .unwrap_or_else(|| fail("no session in the template"));
    let now = Stamp::from_datetime(&chrono::Local::now());
    let dt = l.session.started_at.seconds_until(now);
    let x = &mut l.session;
    x.id = SessionId(0);
    x.pid = None;
    x.uid = uuid::Uuid::new_v4().simple().to_string();
    x.started_at = x.started_at.plus_seconds(dt);
    x.ended_at = x.ended_at.map(|t| t.plus_seconds(dt));
    x.heartbeat_at = x.heartbeat_at.plus_seconds(dt);
    x.pain_before = Some(3);
    x.pain_after = Some(8);
    for st in &mut l.steps {
        st.at = st.at.plus_seconds(dt);
    }
    Change::SessionRecorded { session: l }
}

/// Whether the patient list shows an alert on `name`'s row.
fn alerted(list: &str, name: &str) -> bool {
    list.split("<tr>")
        .find(|row| row.contains(&format!(">{name}<")))
        .is_some_and(|row| row.contains(" alert"))
}

/// K patients' devices each push a session that flared; how long until the list shows it.
fn alerts(port: u16, cookie: &str, tokens: &str, template: &str, k: usize) {
    let mut took = Vec::with_capacity(k);
    for (u, device, token) in devices(tokens).into_iter().take(k) {
        let auth = format!("Authorization: Bearer {token}");
        let (_, status) = request(port, "GET", "/api/v1/status", &auth, "");
        let v: serde_json::Value = serde_json::from_str(&status).unwrap_or_default();
        let head = v["heads"][&device].as_u64().unwrap_or(0);
        let change = flared(template);
        let event = Event {
            device: device.clone(),
            idx: head + 1,
            uid: event_uid(&change),
            change,
        };
        let body = serde_json::json!({ "events": [event] }).to_string();
        let name = format!("user-{u:05}");
        let t = Instant::now();
        let (status, answer) = request(port, "POST", "/api/v1/push", &auth, &body);
        if status != 200 {
            fail(&format!("a push answered {status}: {answer}"));
        }
        loop {
            let (_, list) = request(port, "GET", "/clinic", cookie, "");
            if alerted(&list, &name) {
                break;
            }
            if t.elapsed() > Duration::from_secs(30) {
                fail(&format!("no alert for {name} after 30 s"));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        took.push(t.elapsed());
    }
    took.sort();
    println!(
        "alerts patients={k} p50={} worst={}",
        ms(percentile(&took, 0.5)),
        ms(took[took.len() - 1])
    );
}

fn main() {
    let a: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if a.len() != 6 {
        fail("usage: clinic_load PORT SESSION.txt TOKENS.tsv TEMPLATE.sqlite dashboard|alerts N");
    }
    let port: u16 = a[0].parse().unwrap_or_else(|_| fail("PORT"));
    let session = std::fs::read_to_string(&a[1]).unwrap_or_else(|e| fail(&e.to_string()));
    let cookie = format!("Cookie: backstretch_clinic={}", session.trim());
    let n: usize = a[5].parse().unwrap_or_else(|_| fail("N"));
    match a[4].as_str() {
        "dashboard" => dashboard(port, &cookie, n),
        "alerts" => alerts(port, &cookie, &a[2], &a[3], n),
        other => fail(&format!("unknown measurement {other}")),
    }
}
