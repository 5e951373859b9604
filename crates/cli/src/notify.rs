//! Desktop notifications with actions: a reminder shown on the desktop, and the person's
//! answer to it (a button, a dismissal, or nothing before the wait ends).
//!
//! On Linux and the BSDs this speaks the freedesktop.org notification protocol
//! (`org.freedesktop.Notifications` on the session bus) with zbus, the D-Bus client that
//! notify-rust is built on. notify-rust's own `wait_for_action` is not used there: it listens
//! for the answer only after the notification is up (a click in between is lost), waits with no
//! deadline, and panics when the bus refuses a match rule. Here the answer is subscribed to
//! first, on the connection that sends the notification (GNOME sends the answer to that
//! connection alone), and the wait ends at its deadline by taking the notification down.
//!
//! On macOS and Windows notify-rust's native path shows it; neither reports which button was
//! chosen, so the answer there is always [`Answer::NoAnswer`].

use std::io::Write;
use std::time::Duration;

/// A reminder to show: a title, a line or two of text, and buttons as (key, label).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub summary: String,
    pub body: String,
    /// The buttons, in order: the key comes back in [`Answer::Action`], the label is shown.
    pub actions: Vec<(String, String)>,
}

/// What the person did with a notice.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(
    clippy::enum_variant_names,
    reason = "`NoAnswer` reads as the words say; `No` alone would not"
)]
pub enum Answer {
    /// They chose this button (its key). `default` is the notice itself, clicked where the
    /// desktop allows that.
    Action(String),
    /// They closed it without choosing.
    Dismissed,
    /// Nothing before the wait ended (the notice was then taken down), or the desktop cannot
    /// report answers (macOS, Windows, a server without the "actions" capability).
    NoAnswer,
}

/// No notification service could be reached; the sentence says why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no desktop notification service: {0}")]
pub struct NoService(pub String);

/// The notification server's capabilities (`actions`, `body`, ...), or why there is none.
#[cfg(all(unix, not(target_os = "macos")))]
pub fn capabilities() -> Result<Vec<String>, NoService> {
    xdg::block_on(async {
        let conn = xdg::connect().await?;
        xdg::capabilities(&conn).await
    })
}

/// Whether a notification can be shown at all (a cheap check: one call to the server).
#[cfg(all(unix, not(target_os = "macos")))]
#[allow(
    dead_code,
    reason = "`remind on` and `remind status` (issue 34) ask it"
)]
pub fn available() -> bool {
    capabilities().is_ok()
}

/// Shows `n` and waits up to `wait` for the person's answer. At the deadline the notice is
/// taken down and the answer is [`Answer::NoAnswer`].
#[cfg(all(unix, not(target_os = "macos")))]
pub fn show(n: &Notice, wait: Duration) -> Result<Answer, NoService> {
    xdg::block_on(xdg::show(n, wait))
}

/// macOS and Windows: shown natively; no answer can be read back.
#[cfg(any(target_os = "macos", windows))]
pub fn show(n: &Notice, _wait: Duration) -> Result<Answer, NoService> {
    let mut note = notify_rust::Notification::new();
    note.appname(APP).summary(&n.summary).body(&n.body);
    note.show()
        .map(|_| Answer::NoAnswer)
        .map_err(|e| NoService(format!("the system refused the notification ({e})")))
}

#[cfg(any(target_os = "macos", windows))]
pub fn capabilities() -> Result<Vec<String>, NoService> {
    Ok(vec!["body".to_string()])
}

#[cfg(any(target_os = "macos", windows))]
pub fn available() -> bool {
    true
}

#[cfg(not(any(unix, windows)))]
pub fn show(_n: &Notice, _wait: Duration) -> Result<Answer, NoService> {
    Err(NoService(
        "this system has no desktop notifications backstretch can use".to_string(),
    ))
}

#[cfg(not(any(unix, windows)))]
pub fn capabilities() -> Result<Vec<String>, NoService> {
    Err(NoService(
        "this system has no desktop notifications backstretch can use".to_string(),
    ))
}

#[cfg(not(any(unix, windows)))]
pub fn available() -> bool {
    false
}

/// The name the desktop shows the notice under.
pub const APP: &str = "backstretch";

/// Where no notification can be shown: a terminal bell and one plain line, which names the
/// command to run when the notice has a `start` button.
pub fn fallback(n: &Notice, out: &mut dyn Write) {
    let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut line = format!("\x07{APP}: {}", one_line(&n.summary));
    let body = one_line(&n.body);
    if !body.is_empty() {
        line.push_str(" — ");
        line.push_str(&body);
    }
    if n.actions.iter().any(|(key, _)| key == "start") {
        line.push_str(" (run `backstretch start`)");
    }
    line.push('\n');
    // A terminal that is gone cannot be reminded either; nothing else to do.
    let _ = out.write_all(line.as_bytes());
    let _ = out.flush();
}

#[cfg(all(unix, not(target_os = "macos")))]
mod xdg {
    use std::collections::HashMap;
    use std::time::Duration;

    use futures_util::StreamExt;
    use zbus::Variant;
    use zbus::message::Type;
    use zbus::{Connection, MatchRule, MessageStream};

    use super::{APP, Answer, NoService, Notice};

    const NAME: &str = "org.freedesktop.Notifications";
    const PATH: &str = "/org/freedesktop/Notifications";
    /// How long the bus and the server have to answer each step before the wait.
    const STEP: Duration = Duration::from_secs(5);
    /// The spec's `urgency` hint: 1 is normal (2, critical, would break through
    /// do-not-disturb, which a stretch reminder has no business doing).
    const URGENCY_NORMAL: u8 = 1;
    /// The spec's reason code for "dismissed by the user".
    const CLOSED_BY_USER: u32 = 2;

    pub(super) use zbus::block_on;

    fn no_service(what: &str, e: &zbus::Error) -> NoService {
        let why = match e {
            zbus::Error::FDO(f) if matches!(**f, zbus::fdo::Error::ServiceUnknown(_)) => {
                "no notification server runs on the session bus (is a desktop running?)".to_string()
            }
            _ => format!("{what}: {e}"),
        };
        NoService(why)
    }

    async fn step<T>(what: &str, f: impl Future<Output = zbus::Result<T>>) -> Result<T, NoService> {
        match tokio::time::timeout(STEP, f).await {
            Ok(Ok(t)) => Ok(t),
            Ok(Err(e)) => Err(no_service(what, &e)),
            Err(_) => Err(NoService(format!(
                "{what}: no answer within {} seconds",
                STEP.as_secs()
            ))),
        }
    }

    pub(super) async fn connect() -> Result<Connection, NoService> {
        step(
            "the session bus could not be reached at DBUS_SESSION_BUS_ADDRESS",
            Connection::session(),
        )
        .await
    }

    pub(super) async fn capabilities(conn: &Connection) -> Result<Vec<String>, NoService> {
        let what = "the notification server did not say what it can show";
        let reply = step(
            what,
            conn.call_method(Some(NAME), PATH, Some(NAME), "GetCapabilities", &()),
        )
        .await?;
        reply
            .body()
            .deserialize::<Vec<String>>()
            .map_err(|e| no_service(what, &e))
    }

    /// The server's signals (`ActionInvoked`, `NotificationClosed`), in one stream so they
    /// keep their order: a button chosen comes before the close that follows it.
    fn signal_rule() -> Result<MatchRule<'static>, NoService> {
        MatchRule::builder()
            .msg_type(Type::Signal)
            .interface(NAME)
            .path(PATH)
            .build()
            .map_err(|e| no_service("a D-Bus match rule was refused", &e))
    }

    pub(super) async fn show(n: &Notice, wait: Duration) -> Result<Answer, NoService> {
        let conn = connect().await?;
        let caps = capabilities(&conn).await?;
        let with_actions = caps.iter().any(|c| c == "actions") && !n.actions.is_empty();
        // Subscribed before the notice is up, so no answer can come before the listening.
        let mut answers = step(
            "the session bus refused to pass on answers",
            MessageStream::for_match_rule(signal_rule()?, &conn, None),
        )
        .await?;
        let actions: Vec<&str> = if with_actions {
            n.actions
                .iter()
                .flat_map(|(k, l)| [k.as_str(), l.as_str()])
                .collect()
        } else {
            Vec::new()
        };
        let mut hints: HashMap<&str, Variant<'_>> = HashMap::new();
        hints.insert("urgency", Variant::U8(URGENCY_NORMAL));
        // A reminder with buttons stays until answered or taken down at the deadline; one
        // without lasts as long as the desktop keeps notices.
        let expire_ms: i32 = if with_actions { 0 } else { -1 };
        let reply = step(
            "the notification server refused the reminder",
            conn.call_method(
                Some(NAME),
                PATH,
                Some(NAME),
                "Notify",
                &(
                    APP,
                    0u32,
                    "",
                    n.summary.as_str(),
                    n.body.as_str(),
                    actions,
                    hints,
                    expire_ms,
                ),
            ),
        )
        .await?;
        let id: u32 = reply
            .body()
            .deserialize()
            .map_err(|e| no_service("the notification server gave no notice id", &e))?;
        if !with_actions {
            return Ok(Answer::NoAnswer);
        }
        let answer = tokio::time::timeout(wait, async {
            while let Some(Ok(msg)) = answers.next().await {
                let member = msg.header().member().map(ToString::to_string);
                match member.as_deref() {
                    Some("ActionInvoked") => {
                        if let Ok((nid, key)) = msg.body().deserialize::<(u32, String)>()
                            && nid == id
                        {
                            return Some(Answer::Action(key));
                        }
                    }
                    Some("NotificationClosed") => {
                        if let Ok((nid, reason)) = msg.body().deserialize::<(u32, u32)>()
                            && nid == id
                        {
                            return Some(if reason == CLOSED_BY_USER {
                                Answer::Dismissed
                            } else {
                                Answer::NoAnswer
                            });
                        }
                    }
                    _ => {}
                }
            }
            None
        })
        .await;
        match answer {
            Ok(Some(a)) => {
                if matches!(a, Answer::Action(_)) {
                    // Most servers close a notice once a button is chosen; some leave it up.
                    close(&conn, id).await;
                }
                Ok(a)
            }
            // The deadline, or the bus went away: the notice is taken down (if the bus still
            // carries it) and nobody answered.
            Ok(None) | Err(_) => {
                close(&conn, id).await;
                Ok(Answer::NoAnswer)
            }
        }
    }

    /// Takes notice `id` down; a server that already closed it, or is gone, is no matter.
    async fn close(conn: &Connection, id: u32) {
        let _ = tokio::time::timeout(
            STEP,
            conn.call_method(Some(NAME), PATH, Some(NAME), "CloseNotification", &(id,)),
        )
        .await;
    }
}

#[cfg(test)]
mod tests {
    use super::{Notice, fallback};

    fn notice(actions: &[(&str, &str)]) -> Notice {
        Notice {
            summary: "Time for your 10-minute stretch".to_string(),
            body: "Lower back,\nat your desk.".to_string(),
            actions: actions
                .iter()
                .map(|(k, l)| ((*k).to_string(), (*l).to_string()))
                .collect(),
        }
    }

    #[test]
    fn fallback_rings_and_prints_one_line_naming_the_command() {
        let mut out = Vec::new();
        fallback(
            &notice(&[("start", "Start"), ("skip", "Skip today")]),
            &mut out,
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\x07backstretch: Time for your 10-minute stretch — Lower back, at your desk. (run `backstretch start`)\n"
        );
    }

    #[test]
    fn fallback_without_a_start_button_names_no_command() {
        let mut out = Vec::new();
        fallback(&notice(&[]), &mut out);
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with('\x07'), "{text:?}");
        assert!(!text.contains("backstretch start"), "{text:?}");
        assert_eq!(text.lines().count(), 1);
    }
}
