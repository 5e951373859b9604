//! Desktop notifications, end to end: `backstretch remind test` talks D-Bus to a notification
//! server on a private session bus (Debian's dbus-daemon, on a Unix socket in a temporary
//! folder). The server is a small recorder written here with zbus: it implements
//! `org.freedesktop.Notifications`, keeps every call, and answers as a desktop would (a button
//! chosen, the notice closed). Without any service, the reminder rings and prints instead.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use zbus::OwnedVariant;
use zbus::message::Type;

use crate::util::Env;

const NAME: &str = "org.freedesktop.Notifications";
const PATH: &str = "/org/freedesktop/Notifications";
const DBUS_DAEMON: &str = "dbus-daemon";
const LONG: Duration = Duration::from_secs(20);

/// A private session bus: Debian's dbus-daemon on a socket in a temporary folder; stopped
/// when dropped. Its configuration names no service folders, so nothing installed on the
/// machine (dunst, say) is started for `org.freedesktop.Notifications`.
pub(crate) struct Bus {
    child: Child,
    address: String,
    _dir: tempfile::TempDir,
}

impl Bus {
    pub(crate) fn start() -> Bus {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("session.conf");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                dir.path().join("bus").display()
            ),
        )
        .unwrap();
        let mut child = std::process::Command::new(DBUS_DAEMON)
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--nopidfile", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{DBUS_DAEMON} runs ({e}): install dbus-daemon"));
        let mut address = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut address)
            .unwrap();
        if !address.starts_with("unix:") {
            let mut err = String::new();
            let _ = std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err);
            panic!("dbus-daemon did not start: {err}");
        }
        Bus {
            child,
            address: address.trim().to_string(),
            _dir: dir,
        }
    }

    /// For `DBUS_SESSION_BUS_ADDRESS`.
    pub(crate) fn address(&self) -> &str {
        &self.address
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One call the recorder took.
#[derive(Debug, Clone, Default)]
pub(crate) struct Call {
    /// `Notify`, `CloseNotification`, `GetCapabilities` or `GetServerInformation`.
    pub method: String,
    /// The notice's id: the one given out (Notify), or the one to close.
    pub id: u32,
    pub app: String,
    pub summary: String,
    pub body: String,
    /// As sent: key, label, key, label...
    pub actions: Vec<String>,
    /// The hints by name (`urgency` ...).
    pub hints: HashMap<String, OwnedVariant>,
    pub timeout: i32,
}

#[derive(Debug, Default)]
struct Record {
    calls: Vec<Call>,
    last_id: u32,
}

/// A test notification server on a bus: `org.freedesktop.Notifications`, recording every call.
/// Its bus connection is served by a thread; stopped when dropped.
pub(crate) struct Notifications {
    conn: zbus::Connection,
    record: Arc<Mutex<Record>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Notifications {
    /// A server with the capabilities `actions` and `body`.
    pub(crate) fn start(bus: &Bus) -> Notifications {
        Self::with_capabilities(bus, &["actions", "body"])
    }

    pub(crate) fn with_capabilities(bus: &Bus, caps: &[&str]) -> Notifications {
        let caps: Vec<String> = caps.iter().map(ToString::to_string).collect();
        // The stream is made before the name is taken: no call can come before it.
        let (conn, mut stream) = zbus::block_on(async {
            let conn = zbus::connection::Builder::address(bus.address())
                .build()
                .await
                .unwrap();
            let stream = zbus::MessageStream::from(&conn);
            conn.request_name(NAME).await.unwrap();
            (conn, stream)
        });
        let record = Arc::new(Mutex::new(Record::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (conn, record, stop) = (conn.clone(), record.clone(), stop.clone());
            std::thread::spawn(move || {
                zbus::block_on(async move {
                    while !stop.load(Ordering::Relaxed) {
                        let next = tokio::time::timeout(Duration::from_millis(50), stream.next());
                        match next.await {
                            Err(_) => {}
                            Ok(Some(Ok(msg))) => serve(&conn, &msg, &caps, &record).await,
                            Ok(_) => break,
                        }
                    }
                });
            })
        };
        Notifications {
            conn,
            record,
            stop,
            thread: Some(thread),
        }
    }

    /// Every call so far, in order.
    pub(crate) fn calls(&self) -> Vec<Call> {
        self.record.lock().unwrap().calls.clone()
    }

    /// Waits for the first `Notify`; it.
    pub(crate) fn wait_for_call(&self, timeout: Duration) -> Call {
        self.wait_for("Notify", timeout)
    }

    /// Waits for the first call of `method`; it.
    pub(crate) fn wait_for(&self, method: &str, timeout: Duration) -> Call {
        let end = Instant::now() + timeout;
        loop {
            if let Some(c) = self.calls().into_iter().find(|c| c.method == method) {
                return c;
            }
            assert!(
                Instant::now() < end,
                "no {method} call within {timeout:?}; calls: {:?}",
                self.calls()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The person chooses button `key` on notice `id`: `ActionInvoked`, then the notice
    /// closes as dismissed (as GNOME and most servers do).
    pub(crate) fn invoke(&self, id: u32, key: &str) {
        self.signal("ActionInvoked", &(id, key));
        self.close(id, 2);
    }

    /// Notice `id` closes: 1 expired, 2 dismissed by the person, 3 closed by a call.
    pub(crate) fn close(&self, id: u32, reason: u32) {
        self.signal("NotificationClosed", &(id, reason));
    }

    fn signal<B: serde::Serialize + zbus::DynamicType>(&self, member: &str, body: &B) {
        zbus::block_on(
            self.conn
                .emit_signal(None::<&str>, PATH, NAME, member, body),
        )
        .unwrap();
    }
}

impl Drop for Notifications {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

type NotifyArgs = (
    String,
    u32,
    String,
    String,
    String,
    Vec<String>,
    HashMap<String, OwnedVariant>,
    i32,
);

/// Answers one message as a notification server would, and records it.
async fn serve(
    conn: &zbus::Connection,
    msg: &zbus::Message,
    caps: &[String],
    record: &Mutex<Record>,
) {
    let header = msg.header();
    if header.message_type() != Type::MethodCall {
        return;
    }
    let method = header.member().map(ToString::to_string).unwrap_or_default();
    let mut call = Call {
        method: method.clone(),
        ..Call::default()
    };
    let sent = match method.as_str() {
        "GetCapabilities" => conn.reply(&header, &caps).await,
        "GetServerInformation" => {
            conn.reply(&header, &("recorder", "backstretch tests", "1", "1.2"))
                .await
        }
        "Notify" => {
            let (app, _replaces, _icon, summary, body, actions, hints, timeout): NotifyArgs =
                msg.body().deserialize().unwrap();
            let id = {
                let mut r = record.lock().unwrap();
                r.last_id += 1;
                r.last_id
            };
            call = Call {
                method,
                id,
                app,
                summary,
                body,
                actions,
                hints,
                timeout,
            };
            conn.reply(&header, &id).await
        }
        "CloseNotification" => {
            let (id,): (u32,) = msg.body().deserialize().unwrap();
            call.id = id;
            let sent = conn.reply(&header, &()).await;
            let _ = conn
                .emit_signal(None::<&str>, PATH, NAME, "NotificationClosed", &(id, 3u32))
                .await;
            sent
        }
        _ => {
            conn.reply_dbus_error(
                &header,
                zbus::fdo::Error::UnknownMethod(format!("no method {method}")),
            )
            .await
        }
    };
    sent.unwrap();
    record.lock().unwrap().calls.push(call);
}

/// `remind test --wait SECONDS` with the session bus at `bus`, started in the background.
fn remind(env: &Env, bus: &str, wait: u64) -> Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("backstretch"))
        .env_clear()
        .env("BACKSTRETCH_HOME", env.home())
        .env("NO_COLOR", "1")
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("DBUS_SESSION_BUS_ADDRESS", bus)
        .args(["remind", "test", "--wait", &wait.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The command's end: it must succeed; its standard output.
fn finished(child: Child) -> String {
    let out: Output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn remind_test_shows_the_sample_with_its_buttons_and_reports_the_one_chosen() {
    let bus = Bus::start();
    let server = Notifications::start(&bus);
    let env = Env::new();
    let child = remind(&env, bus.address(), 30);
    let call = server.wait_for_call(LONG);
    assert_eq!(call.app, "backstretch");
    assert_eq!(call.summary, "Time for your 10-minute stretch");
    assert!(call.body.contains("sample reminder"), "{}", call.body);
    assert_eq!(
        call.actions,
        [
            "start",
            "Start",
            "snooze",
            "Snooze 15 minutes",
            "skip",
            "Skip today"
        ]
    );
    assert_eq!(u8::try_from(&call.hints["urgency"]).unwrap(), 1, "normal");
    assert_eq!(call.timeout, 0, "it stays until answered or taken down");
    server.invoke(call.id, "start");
    let out = finished(child);
    assert!(out.contains("You chose Start.\n"), "{out}");
    assert!(
        !out.contains("No answer"),
        "the close after the choice is no answer: {out}"
    );
    assert!(out.contains("\nIdle time"), "{out}");
    let methods: Vec<String> = server.calls().into_iter().map(|c| c.method).collect();
    assert_eq!(methods[..2], ["GetCapabilities", "GetCapabilities"]);
    assert_eq!(methods[2], "Notify");
}

#[test]
fn an_unanswered_reminder_is_taken_down_at_the_deadline_and_a_closed_one_said_so() {
    let bus = Bus::start();
    let server = Notifications::start(&bus);
    let env = Env::new();
    let started = Instant::now();
    let out = finished(remind(&env, bus.address(), 1));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(
        out.contains("No answer within 1 second: the reminder was taken down.\n"),
        "{out}"
    );
    let shown = server.wait_for_call(LONG);
    let closed = server.wait_for("CloseNotification", LONG);
    assert_eq!(closed.id, shown.id);

    // Closed by the person (reason 2), before the wait ends.
    let child = remind(&env, bus.address(), 30);
    let second = loop {
        if let Some(c) = server
            .calls()
            .into_iter()
            .find(|c| c.method == "Notify" && c.id != shown.id)
        {
            break c;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    server.close(second.id, 2);
    let out = finished(child);
    assert!(
        out.contains("No answer: the reminder was closed.\n"),
        "{out}"
    );
}

#[test]
fn a_server_that_cannot_report_buttons_gets_the_reminder_without_them() {
    let bus = Bus::start();
    let server = Notifications::with_capabilities(&bus, &["body"]);
    let env = Env::new();
    let out = finished(remind(&env, bus.address(), 30));
    let call = server.wait_for_call(LONG);
    assert!(call.actions.is_empty(), "{:?}", call.actions);
    assert_eq!(call.summary, "Time for your 10-minute stretch");
    assert!(out.contains("cannot report which button"), "{out}");
}

#[test]
fn without_a_notification_service_it_rings_and_prints_the_reminder_here() {
    let env = Env::new();
    // No bus at all.
    let gone = env.home().join("no-bus");
    let out = finished(remind(&env, &format!("unix:path={}", gone.display()), 5));
    assert!(
        out.starts_with("No notification service: showed it here instead ("),
        "{out}"
    );
    assert!(out.contains("DBUS_SESSION_BUS_ADDRESS"), "{out}");
    assert!(
        out.contains("\x07backstretch: Time for your 10-minute stretch — "),
        "{out}"
    );
    assert!(out.contains("(run `backstretch start`)\n"), "{out}");
    // A bus, but nobody serves notifications on it.
    let bus = Bus::start();
    let out = finished(remind(&env, bus.address(), 5));
    assert!(
        out.contains("no notification server runs on the session bus"),
        "{out}"
    );
    assert!(out.contains("\x07backstretch: "), "{out}");
}
