//! Just enough of WebDriver (W3C, as chromedriver speaks it) and of an HTTP/1.1 client to
//! drive Debian's headless Chromium against `backstretch serve`. Loopback only.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// One HTTP/1.1 request to backstretch on a loopback port, as its pages send it (with their
/// `Origin`); the status and the body.
pub fn http(
    method: &str,
    port: u16,
    path: &str,
    body: Option<&str>,
) -> std::io::Result<(u16, String)> {
    request(
        method,
        port,
        path,
        body,
        Some(&format!("http://127.0.0.1:{port}")),
    )
}

/// One HTTP/1.1 request to a loopback port.
fn request(
    method: &str,
    port: u16,
    path: &str,
    body: Option<&str>,
    origin: Option<&str>,
) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(60)))?;
    let body = body.unwrap_or("");
    let origin = origin
        .map(|o| format!("Origin: {o}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{origin}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    // Read the head, then the body by its length (chromedriver keeps the connection open
    // whatever `Connection: close` says).
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = s.read(&mut buf)?;
        if n == 0 {
            break raw.len();
        }
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).into_owned();
    let lower = head.to_ascii_lowercase();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let length = lower
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    let mut body = raw[(head_end + 4).min(raw.len())..].to_vec();
    match length {
        Some(n) => {
            while body.len() < n {
                let k = s.read(&mut buf)?;
                if k == 0 {
                    break;
                }
                body.extend_from_slice(&buf[..k]);
            }
        }
        None => {
            s.read_to_end(&mut body)?;
        }
    }
    let text = String::from_utf8_lossy(&body).into_owned();
    let body = if lower.contains("transfer-encoding: chunked") {
        dechunk(&text)
    } else {
        text
    };
    Ok((status, body))
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// A free loopback port (bound, then released for the program under test).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Whether Chromium and its driver are here; in CI they must be (scripts/test installs
/// them).
pub fn chromium() -> bool {
    let here =
        Path::new("/usr/bin/chromium").exists() && Path::new("/usr/bin/chromedriver").exists();
    if !here {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium and chromium-driver are required in CI (scripts/test installs them)"
        );
        eprintln!(
            "skipping: chromium and chromium-driver are not installed (scripts/test installs them)"
        );
    }
    here
}

/// Waits until `f` gives a value, for at most `limit` (a guard against a hang, not a timing
/// check: a slow machine only waits longer).
pub fn wait_for<T>(what: &str, limit: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(start.elapsed() < limit, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A headless Chromium under chromedriver, with one WebDriver session.
pub struct Browser {
    driver: Child,
    port: u16,
    session: String,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = request(
            "DELETE",
            self.port,
            &format!("/session/{}", self.session),
            None,
            None,
        );
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Browser {
    /// Starts chromedriver on a loopback port and a headless Chromium at `width` x `height`.
    pub fn start(width: u32, height: u32) -> Browser {
        Browser::start_at_home(width, height, None)
    }

    /// As [`Browser::start`], with HOME set to `home` (where Chromium on Linux finds the
    /// user's NSS certificate store, `.pki/nssdb`).
    pub fn start_at_home(width: u32, height: u32, home: Option<&Path>) -> Browser {
        let port = free_port();
        let mut driver = Command::new("/usr/bin/chromedriver");
        if let Some(home) = home {
            driver.env("HOME", home);
        }
        let driver = driver
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        wait_for("chromedriver", Duration::from_secs(30), || {
            request("GET", port, "/status", None, None)
                .ok()
                .filter(|(s, b)| *s == 200 && b.contains("\"ready\":true"))
        });
        let profile = tempfile::tempdir().expect("profile dir");
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--no-first-run", "--mute-audio", "--disable-extensions",
                    format!("--window-size={width},{height}"),
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        }}});
        let (status, body) =
            request("POST", port, "/session", Some(&caps.to_string()), None).expect("new session");
        assert_eq!(status, 200, "{body}");
        let v: Value = serde_json::from_str(&body).expect("session JSON");
        let session = v["value"]["sessionId"]
            .as_str()
            .expect("session id")
            .to_string();
        Browser {
            driver,
            port,
            session,
            _profile: profile,
        }
    }

    fn call(&self, method: &str, path: &str, body: &Value) -> Value {
        let (status, text) = request(
            method,
            self.port,
            &format!("/session/{}{path}", self.session),
            (method != "GET").then(|| body.to_string()).as_deref(),
            None,
        )
        .expect("webdriver answers");
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        assert_eq!(status, 200, "{method} {path}: {text}");
        v["value"].clone()
    }

    /// Runs a Chrome DevTools command.
    pub fn cdp(&self, cmd: &str, params: &Value) -> Value {
        self.call(
            "POST",
            "/goog/cdp/execute",
            &json!({"cmd": cmd, "params": params}),
        )
    }

    pub fn go(&self, url: &str) {
        self.call("POST", "/url", &json!({ "url": url }));
    }

    pub fn url(&self) -> String {
        self.call("GET", "/url", &Value::Null)
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    pub fn refresh(&self) {
        self.call("POST", "/refresh", &json!({}));
    }

    /// The page's viewport, exactly (as a phone's when narrow).
    pub fn size(&self, width: u32, height: u32) {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            &json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600}),
        );
    }

    /// Runs a script (a function body; `arguments` are `args`) and returns its value.
    pub fn js(&self, script: &str, args: &Value) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            &json!({"script": script, "args": args}),
        )
    }

    /// Runs a script that calls its last argument with the result.
    pub fn js_async(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/async",
            &json!({"script": script, "args": []}),
        )
    }

    fn find(&self, css: &str) -> String {
        let v = self.call(
            "POST",
            "/element",
            &json!({"using": "css selector", "value": css}),
        );
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
            .to_string()
    }

    pub fn count(&self, css: &str) -> usize {
        self.call(
            "POST",
            "/elements",
            &json!({"using": "css selector", "value": css}),
        )
        .as_array()
        .map_or(0, Vec::len)
    }

    pub fn click(&self, css: &str) {
        let e = self.find(css);
        self.call("POST", &format!("/element/{e}/click"), &json!({}));
    }

    /// Clicks every element `css` matches.
    pub fn click_all(&self, css: &str) {
        let v = self.call(
            "POST",
            "/elements",
            &json!({"using": "css selector", "value": css}),
        );
        for e in v.as_array().expect("elements") {
            let id = e[ELEMENT].as_str().expect("element id");
            self.call("POST", &format!("/element/{id}/click"), &json!({}));
        }
    }

    /// Presses and releases one key (a character, or a WebDriver key code such as Escape's
    /// `\u{E00C}`) on whatever has the focus.
    pub fn keys(&self, key: &str) {
        self.call(
            "POST",
            "/actions",
            &json!({"actions": [{"type": "key", "id": "keyboard", "actions": [
                {"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}
            ]}]}),
        );
    }

    pub fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.call("POST", &format!("/element/{e}/clear"), &json!({}));
        self.call(
            "POST",
            &format!("/element/{e}/value"),
            &json!({ "text": text }),
        );
    }

    pub fn text(&self, css: &str) -> String {
        self.js(
            "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;",
            &json!([css]),
        )
        .as_str()
        .unwrap_or("")
        .to_string()
    }

    /// The page as a PNG.
    pub fn screenshot(&self, to: &Path) {
        let b64 = self.call("GET", "/screenshot", &Value::Null);
        let bytes = base64_decode(b64.as_str().expect("base64"));
        std::fs::write(to, bytes).expect("write screenshot");
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        })
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for v in s.bytes().filter_map(val) {
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits).to_le_bytes()[0]);
        }
    }
    out
}

/// axe-core, installed by scripts/test with npm (never fetched here).
pub fn axe_source() -> Option<String> {
    let path = std::env::var_os("AXE_CORE_JS").map_or_else(
        || {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../target/npm/node_modules/axe-core/axe.min.js")
        },
        PathBuf::from,
    );
    match std::fs::read_to_string(&path) {
        Ok(s) => Some(s),
        Err(_) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "axe-core is required in CI (scripts/test installs it with npm)"
            );
            eprintln!(
                "skipping: axe-core is not at {} (scripts/test installs it)",
                path.display()
            );
            None
        }
    }
}

/// axe-core's serious and critical violations on the page `b` shows, each in a line.
pub fn serious_violations(b: &Browser, axe: &str) -> Vec<String> {
    b.js(&format!("{axe}\nreturn true;"), &json!([]));
    let v = b.js_async(
        "const done = arguments[arguments.length - 1];
         axe.run(document, { resultTypes: ['violations'] }).then((r) => done(r.violations
           .filter((v) => v.impact === 'serious' || v.impact === 'critical')
           .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)));",
    );
    v.as_array()
        .expect("violations")
        .iter()
        .map(|x| x.as_str().unwrap_or("").to_string())
        .collect()
}
