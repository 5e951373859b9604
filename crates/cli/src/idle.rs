//! How long the person has been away from the keyboard and mouse, for the desk-break mode.
//!
//! The backends, best first (see docs/reminders.md, "Idle time", for what each cannot see):
//! - X11's MIT-SCREEN-SAVER extension, when `DISPLAY` is set (Xorg, and XWayland for input
//!   that reaches X clients);
//! - logind's `IdleHint`/`IdleSinceHint` for this session, on the system bus;
//! - none: idle time is unknown, and the caller counts wall-clock time instead.

use std::fmt;
use std::time::Duration;

/// Why idle time could not be read: a plain sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdleError(pub String);

impl fmt::Display for IdleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for IdleError {}

/// A source of idle time.
pub trait IdleSource {
    /// How long since the last key press or mouse movement.
    fn idle(&mut self) -> Result<Duration, IdleError>;
    /// Which backend this is, in words ("X11 screen saver extension").
    fn describe(&self) -> &'static str;
}

/// The best real backend this session has; one that answers "unknown" when there is none.
pub fn system() -> Box<dyn IdleSource> {
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        let x11 = if std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty()) {
            match x11::X11::connect() {
                Ok(x) => return Box::new(x),
                Err(e) => Some(e),
            }
        } else {
            None
        };
        match logind::Logind::connect() {
            Ok(l) => Box::new(l),
            Err(e) => Box::new(Unknown(match x11 {
                Some(x) => format!("{x}; {e}"),
                None => format!("DISPLAY is not set (no X11); {e}"),
            })),
        }
    }
    #[cfg(not(all(unix, not(target_os = "macos"))))]
    {
        Box::new(Unknown(
            "backstretch cannot read idle time on this system".to_string(),
        ))
    }
}

/// No backend: every reading is an error that says why.
#[derive(Debug)]
struct Unknown(String);

impl IdleSource for Unknown {
    fn idle(&mut self) -> Result<Duration, IdleError> {
        Err(IdleError(format!(
            "idle time is unknown ({}), so breaks are counted by the clock",
            self.0
        )))
    }

    fn describe(&self) -> &'static str {
        "none (idle time unknown)"
    }
}

/// A fake for tests: gives its values in order, then keeps giving the last one; with none, it
/// answers like a machine with no backend.
#[derive(Debug, Clone, Default)]
#[allow(
    dead_code,
    reason = "the desk-break mode's tests feed it; the binary never builds one"
)]
pub struct Scripted {
    values: std::collections::VecDeque<Duration>,
}

#[allow(
    dead_code,
    reason = "the desk-break mode's tests feed it; the binary never builds one"
)]
impl Scripted {
    pub fn new(values: impl IntoIterator<Item = Duration>) -> Self {
        Scripted {
            values: values.into_iter().collect(),
        }
    }
}

impl IdleSource for Scripted {
    fn idle(&mut self) -> Result<Duration, IdleError> {
        let next = if self.values.len() > 1 {
            self.values.pop_front()
        } else {
            self.values.front().copied()
        };
        next.ok_or_else(|| IdleError("idle time is unknown (the script is empty)".to_string()))
    }

    fn describe(&self) -> &'static str {
        "scripted (a test)"
    }
}

#[cfg(all(unix, not(target_os = "macos")))]
mod x11 {
    use std::time::Duration;

    use x11rb::connection::{Connection as _, RequestConnection as _};
    use x11rb::protocol::screensaver::{self, ConnectionExt};
    use x11rb::rust_connection::RustConnection;

    use super::{IdleError, IdleSource};

    /// The X server's own count of time since the last input (MIT-SCREEN-SAVER).
    pub(super) struct X11 {
        conn: RustConnection,
        root: u32,
    }

    impl std::fmt::Debug for X11 {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("X11").field("root", &self.root).finish()
        }
    }

    impl X11 {
        pub(super) fn connect() -> Result<Self, IdleError> {
            let (conn, screen) = x11rb::connect(None).map_err(|e| {
                IdleError(format!(
                    "the X display in DISPLAY could not be reached ({e})"
                ))
            })?;
            let root = conn
                .setup()
                .roots
                .get(screen)
                .map(|s| s.root)
                .ok_or_else(|| IdleError(format!("the X display has no screen {screen}")))?;
            match conn.extension_information(screensaver::X11_EXTENSION_NAME) {
                Ok(Some(_)) => Ok(X11 { conn, root }),
                Ok(None) => Err(IdleError(
                    "the X display lacks the MIT-SCREEN-SAVER extension".to_string(),
                )),
                Err(e) => Err(IdleError(format!(
                    "the X display did not list its extensions ({e})"
                ))),
            }
        }
    }

    impl IdleSource for X11 {
        fn idle(&mut self) -> Result<Duration, IdleError> {
            let lost = |e: &dyn std::fmt::Display| {
                IdleError(format!("the X display stopped answering ({e})"))
            };
            let info = self
                .conn
                .screensaver_query_info(self.root)
                .map_err(|e| lost(&e))?
                .reply()
                .map_err(|e| lost(&e))?;
            Ok(Duration::from_millis(u64::from(info.ms_since_user_input)))
        }

        fn describe(&self) -> &'static str {
            "X11 screen saver extension"
        }
    }
}

#[cfg(all(unix, not(target_os = "macos")))]
mod logind {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use zbus::Connection;
    use zbus::{OwnedObjectPath, OwnedVariant};

    use super::{IdleError, IdleSource};

    const NAME: &str = "org.freedesktop.login1";
    const STEP: Duration = Duration::from_secs(3);

    /// logind's idle hint for this login session (set by desktops that report it).
    #[derive(Debug)]
    pub(super) struct Logind {
        conn: Connection,
        session: OwnedObjectPath,
    }

    fn failed(what: &str, e: &dyn std::fmt::Display) -> IdleError {
        IdleError(format!("{what} ({e})"))
    }

    async fn within<T>(
        what: &str,
        f: impl Future<Output = zbus::Result<T>>,
    ) -> Result<T, IdleError> {
        match tokio::time::timeout(STEP, f).await {
            Ok(Ok(t)) => Ok(t),
            Ok(Err(e)) => Err(failed(what, &e)),
            Err(_) => Err(IdleError(format!("{what} (no answer within 3 seconds)"))),
        }
    }

    impl Logind {
        pub(super) fn connect() -> Result<Self, IdleError> {
            zbus::block_on(async {
                let what = "logind could not be reached on the system bus";
                let conn = within(what, Connection::system()).await?;
                let session = match std::env::var("XDG_SESSION_ID") {
                    Ok(id) if !id.is_empty() => {
                        let reply = within(
                            "logind does not know this login session (XDG_SESSION_ID)",
                            conn.call_method(
                                Some(NAME),
                                "/org/freedesktop/login1",
                                Some("org.freedesktop.login1.Manager"),
                                "GetSession",
                                &(id.as_str(),),
                            ),
                        )
                        .await?;
                        reply
                            .body()
                            .deserialize::<OwnedObjectPath>()
                            .map_err(|e| failed("logind named no session object", &e))?
                    }
                    _ => OwnedObjectPath::try_from("/org/freedesktop/login1/session/auto")
                        .map_err(|e| failed("a D-Bus path was refused", &e))?,
                };
                let mut l = Logind { conn, session };
                // One reading now, so a session logind does not know is found here.
                l.read().await?;
                Ok(l)
            })
        }

        async fn property(&self, name: &str) -> Result<OwnedVariant, IdleError> {
            let reply = within(
                "logind did not give this session's idle hint",
                self.conn.call_method(
                    Some(NAME),
                    self.session.as_str(),
                    Some("org.freedesktop.DBus.Properties"),
                    "Get",
                    &("org.freedesktop.login1.Session", name),
                ),
            )
            .await?;
            reply
                .body()
                .deserialize::<OwnedVariant>()
                .map_err(|e| failed("logind's idle hint could not be read", &e))
        }

        async fn read(&mut self) -> Result<Duration, IdleError> {
            let odd =
                |e: &dyn std::fmt::Display| failed("logind's idle hint is not as documented", e);
            let hint = bool::try_from(self.property("IdleHint").await?).map_err(|e| odd(&e))?;
            if !hint {
                return Ok(Duration::ZERO);
            }
            let since_us =
                u64::try_from(self.property("IdleSinceHint").await?).map_err(|e| odd(&e))?;
            let now_us = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX));
            Ok(Duration::from_micros(now_us.saturating_sub(since_us)))
        }
    }

    impl IdleSource for Logind {
        fn idle(&mut self) -> Result<Duration, IdleError> {
            zbus::block_on(self.read())
        }

        fn describe(&self) -> &'static str {
            "logind idle hint"
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{IdleSource, Scripted, Unknown};

    #[test]
    fn scripted_gives_its_values_then_keeps_the_last() {
        let s = |n| Duration::from_secs(n);
        let mut idle = Scripted::new([s(0), s(30), s(400)]);
        let got: Vec<_> = (0..5).map(|_| idle.idle().unwrap()).collect();
        assert_eq!(got, [s(0), s(30), s(400), s(400), s(400)]);
        assert!(Scripted::new([]).idle().is_err());
    }

    #[test]
    fn unknown_says_why_and_what_happens_instead() {
        let e = Unknown("DISPLAY is not set".into()).idle().unwrap_err();
        assert!(e.0.contains("DISPLAY is not set"), "{e}");
        assert!(e.0.contains("counted by the clock"), "{e}");
    }
}
