//! A small HTTP load generator for `bench/web.sh`: C keep-alive connections to a loopback
//! `backstretch serve`, each sending its requests one after another, for a fixed number of
//! requests; prints p50, p99 and the worst latency, and the rate.
//!
//! `load PORT plan|step CONNECTIONS REQUESTS` (loopback only: the address is always
//! 127.0.0.1).

use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

struct Conn {
    r: BufReader<tokio::net::tcp::OwnedReadHalf>,
    w: tokio::net::tcp::OwnedWriteHalf,
    port: u16,
}

impl Conn {
    async fn open(port: u16) -> std::io::Result<Conn> {
        let s = TcpStream::connect(("127.0.0.1", port)).await?;
        s.set_nodelay(true)?;
        let (r, w) = s.into_split();
        Ok(Conn {
            r: BufReader::new(r),
            w,
            port,
        })
    }

    /// One request; the status and the body.
    async fn send(
        &mut self,
        method: &str,
        path: &str,
        body: &str,
    ) -> std::io::Result<(u16, String)> {
        let port = self.port;
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        self.w.write_all(req.as_bytes()).await?;
        let mut line = String::new();
        self.r.read_line(&mut line).await?;
        let status = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let mut length = 0usize;
        loop {
            line.clear();
            self.r.read_line(&mut line).await?;
            if line == "\r\n" || line.is_empty() {
                break;
            }
            let lower = line.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut buf = vec![0u8; length];
        self.r.read_exact(&mut buf).await?;
        Ok((status, String::from_utf8_lossy(&buf).into_owned()))
    }
}

#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "an index into a list of at most a few hundred thousand timings"
)]
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let [port, what, conns, total] = &args[..] else {
        eprintln!("usage: load PORT plan|step CONNECTIONS REQUESTS");
        std::process::exit(2);
    };
    let port: u16 = port.parse().expect("a port");
    let conns: usize = conns.parse().expect("a number of connections");
    let total: usize = total.parse().expect("a number of requests");
    let step = what == "step";
    let per = total.div_ceil(conns);
    // Steps end now (a step may not end in the future).
    let at = chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..conns {
        let at = at.clone();
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::open(port).await.map_err(|e| e.to_string())?;
            let mut times = Vec::with_capacity(per);
            let (mut session, mut steps) = (0i64, 1usize);
            if step {
                let (s, body) = conn
                    .send("POST", "/api/sessions", "{}")
                    .await
                    .map_err(|e| e.to_string())?;
                if s != 201 {
                    return Err(format!("beginning a session: {s} {body}"));
                }
                let v: serde_json::Value =
                    serde_json::from_str(&body).map_err(|e| e.to_string())?;
                session = v["id"].as_i64().unwrap_or_default();
                steps = v["timeline"]["steps"].as_array().map_or(2, Vec::len) - 1;
            }
            for i in 0..per {
                let t = Instant::now();
                let (s, body) = if step {
                    let b = format!(
                        r#"{{"report":{i},"step":{},"outcome":"done","done_ms":0,"at":"{at}"}}"#,
                        i % steps
                    );
                    conn.send("POST", &format!("/api/sessions/{session}/steps"), &b)
                        .await
                } else {
                    conn.send("GET", "/api/plan", "").await
                }
                .map_err(|e| e.to_string())?;
                times.push(t.elapsed());
                if s != 200 && s != 201 {
                    return Err(format!("{s} {body} (connection {c})"));
                }
            }
            Ok::<_, String>(times)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        match t.await {
            Ok(Ok(times)) => all.extend(times),
            Ok(Err(e)) => {
                eprintln!("load: {e}");
                std::process::exit(1);
            }
            Err(e) => {
                eprintln!("load: {e}");
                std::process::exit(1);
            }
        }
    }
    let wall = started.elapsed();
    all.sort();
    println!(
        "{what}: {} requests over {conns} connections in {:.2} s ({:.0}/s): p50 {:.2} ms, p99 {:.2} ms, worst {:.2} ms",
        all.len(),
        wall.as_secs_f64(),
        all.len() as f64 / wall.as_secs_f64(),
        percentile(&all, 0.50).as_secs_f64() * 1e3,
        percentile(&all, 0.99).as_secs_f64() * 1e3,
        all.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
}
