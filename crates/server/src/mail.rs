//! Alert e-mails: each new alert owes one e-mail to each of the patient's clinicians (the
//! store keeps what is owed with the alert, in its transaction). A background mailer claims
//! what is due, sends it through the practice's SMTP relay and marks it done, so a server
//! that stops in between sends it when it starts again; a relay that refuses or cannot be
//! reached is tried again later, each time twice as late (up to an hour). It never blocks a
//! device's push: the push only wakes it.
//!
//! An e-mail crosses servers that are not the practice's, so it holds as little as serves:
//! the patient's name or reference as the practice gave it, what kind of alert it is in a few
//! words that name no symptom, score or exercise, its date, and the link to the patient's
//! page, where the rest is behind the clinician's login. Never a token, a password or a code.

use std::sync::Arc;
use std::time::Duration;

use backstretch_core::alert::AlertKind;
use backstretch_core::time::Stamp;
use backstretch_store::StoreError;
use backstretch_store::clinic::AlertMail;
use lettre::message::Body;
use lettre::message::Mailbox;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::Notify;

use crate::ServerStore;

/// Every alert e-mail's subject: it says nothing of the patient or the alert.
pub const SUBJECT: &str = "backstretch: a patient needs attention";
/// The first retry after a failed send waits this long; each next one twice as long.
pub const FIRST_RETRY_S: i64 = 5;
/// The longest wait between tries.
pub const LAST_RETRY_S: i64 = 60 * 60;
/// How long a claimed e-mail is left to its sender before another may send it.
const CLAIM_S: i64 = 10 * 60;
/// E-mails claimed at once.
const BATCH: usize = 50;
/// With nothing owed, the mailer looks again this often (another server on the same
/// database may have raised an alert it was not woken for).
const IDLE: Duration = Duration::from_secs(60);
/// How long the relay has to answer each SMTP command.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// How the server speaks to its relay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// `smtps://`: TLS from the first byte.
    Tls,
    /// `smtp://` to a relay beyond this machine: STARTTLS, required (no e-mail or password
    /// is sent before it).
    StartTls,
    /// `smtp://` to a relay on this machine (loopback): plain, never leaving the machine.
    Plain,
}

/// The SMTP relay alert e-mails go through.
#[derive(Clone, PartialEq, Eq)]
pub struct Relay {
    /// How.
    pub security: Security,
    /// Its host name or address.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// A user name and password to log in with, if the address has them.
    credentials: Option<(String, String)>,
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown())
    }
}

/// Why an e-mail setting cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The relay's address is not one.
    #[error("`{given}` is not an SMTP relay's address: {why}")]
    Relay {
        /// What was given (with any password hidden).
        given: String,
        /// What is wrong with it.
        why: String,
    },
    /// The sender's address is not one.
    #[error("`{0}` is not an e-mail address to send from")]
    From(String),
    /// The TLS settings could not be made.
    #[error("cannot set up TLS to the relay {host}: {source}")]
    Tls {
        /// The relay's host.
        host: String,
        /// Why.
        #[source]
        source: lettre::transport::smtp::Error,
    },
}

impl Relay {
    /// Reads `smtp://[user:password@]host[:port]` (STARTTLS required beyond loopback, plain
    /// on it; port 587 unless given, or 25 on loopback) or `smtps://...` (TLS; port 465).
    pub fn parse(text: &str) -> Result<Relay, MailError> {
        let refuse = |why: &str| MailError::Relay {
            given: hide_password(text),
            why: why.to_string(),
        };
        let url = url::Url::parse(text.trim())
            .map_err(|e| refuse(&format!("{e}; write it like smtp://mail.example.org:587")))?;
        let tls = match url.scheme() {
            "smtps" => true,
            "smtp" => false,
            other => {
                return Err(refuse(&format!(
                    "it starts with {other}://; use smtp:// (STARTTLS, or plain to a relay on this machine) or smtps:// (TLS)"
                )));
            }
        };
        // smtp:// is not a scheme the URL standard knows, so an IPv4 address comes as a name.
        let loopback = match url.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(d)) => {
                d.eq_ignore_ascii_case("localhost")
                    || d.parse::<std::net::IpAddr>()
                        .is_ok_and(|ip| ip.is_loopback())
            }
            None => return Err(refuse("it names no host, like smtp://mail.example.org")),
        };
        let host = match url.host() {
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            _ => url.host_str().unwrap_or_default().to_string(),
        };
        if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
            return Err(refuse(
                "give the relay's host and port only, with no path or `?`",
            ));
        }
        let security = match (tls, loopback) {
            (true, _) => Security::Tls,
            (false, false) => Security::StartTls,
            (false, true) => Security::Plain,
        };
        let port = url.port().unwrap_or(match security {
            Security::Tls => 465,
            Security::StartTls => 587,
            Security::Plain => 25,
        });
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(std::borrow::Cow::into_owned)
                .map_err(|_| refuse("its user name or password is not UTF-8 once decoded"))
        };
        let credentials = match (url.username(), url.password()) {
            ("", None) => None,
            (user, Some(password)) => Some((decode(user)?, decode(password)?)),
            (_, None) => {
                return Err(refuse(
                    "it has a user name but no password: write smtp://USER:PASSWORD@HOST",
                ));
            }
        };
        Ok(Relay {
            security,
            host,
            port,
            credentials,
        })
    }

    /// The relay as the start-up line shows it: never its password.
    pub fn shown(&self) -> String {
        let scheme = if self.security == Security::Tls {
            "smtps"
        } else {
            "smtp"
        };
        let user = self
            .credentials
            .as_ref()
            .map_or_else(String::new, |(u, _)| format!("{u}@"));
        let how = match self.security {
            Security::Tls => "TLS",
            Security::StartTls => "STARTTLS required",
            Security::Plain => "plain, on this machine",
        };
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!("{scheme}://{user}{host}:{} ({how})", self.port)
    }

    fn transport(&self) -> Result<AsyncSmtpTransport<Tokio1Executor>, MailError> {
        let tls = |wrap: fn(TlsParameters) -> Tls| {
            TlsParameters::new(self.host.clone())
                .map(wrap)
                .map_err(|source| MailError::Tls {
                    host: self.host.clone(),
                    source,
                })
        };
        let tls = match self.security {
            Security::Tls => tls(Tls::Wrapper)?,
            Security::StartTls => tls(Tls::Required)?,
            Security::Plain => Tls::None,
        };
        let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(self.host.as_str())
            .port(self.port)
            .tls(tls)
            .timeout(Some(SMTP_TIMEOUT));
        if let Some((user, password)) = &self.credentials {
            b = b.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(b.build())
    }
}

/// An address as given, with the password in it (if any) replaced, for an error message.
fn hide_password(text: &str) -> String {
    match url::Url::parse(text.trim()) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("PASSWORD"));
            u.to_string()
        }
        _ => text.to_string(),
    }
}

/// The address alert e-mails come from, like `backstretch <clinic@example.org>`.
pub fn parse_from(text: &str) -> Result<Mailbox, MailError> {
    text.trim()
        .parse::<Mailbox>()
        .map_err(|_| MailError::From(text.to_string()))
}

/// How the server sends alert e-mails.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// Through which relay.
    pub relay: Relay,
    /// From which address.
    pub from: Mailbox,
}

/// An alert e-mail's subject and body (plain text).
pub fn compose(m: &AlertMail, base_url: &str) -> (String, String) {
    let what = AlertKind::parse(&m.kind).map_or("an alert", AlertKind::summary);
    let date = m.at.local().format("%a %-d %b %Y");
    let base = base_url.trim_end_matches('/');
    let body = format!(
        "Hello,\n\n\
         A patient of yours needs attention:\n\
         {what}, on {date}.\n\n\
         Patient: {name}\n\
         Their page (log in first):\n\
         {base}/clinic/patients/{id}\n\n\
         What happened is on their page, where you can acknowledge it. This\n\
         e-mail names only the patient as your practice recorded them, the kind\n\
         of alert and its date, as it passes through mail servers that are not\n\
         the practice's.\n\n\
         -- the backstretch clinic at {base}\n",
        name = m.name,
        id = m.patient.as_str(),
    );
    (SUBJECT.to_string(), body)
}

/// How long to wait before trying an e-mail again after its `tries`-th failure (from 1).
pub fn retry_after(tries: u32) -> i64 {
    let doublings = tries.saturating_sub(1).min(20);
    (FIRST_RETRY_S << doublings).min(LAST_RETRY_S)
}

/// The mailer: sends what is owed until the runtime stops.
pub(crate) struct Mailer {
    store: Arc<dyn ServerStore>,
    clock: Arc<dyn Fn() -> Stamp + Send + Sync>,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    base_url: String,
    wake: Arc<Notify>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").finish_non_exhaustive()
    }
}

/// Why one e-mail was not sent.
#[derive(Debug, thiserror::Error)]
enum SendError {
    #[error("the clinician's address cannot be sent to: {0}")]
    Address(String),
    #[error("the e-mail could not be made: {0}")]
    Build(#[from] lettre::error::Error),
    #[error("the relay: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
}

impl Mailer {
    pub(crate) fn new(
        config: &MailConfig,
        store: Arc<dyn ServerStore>,
        clock: Arc<dyn Fn() -> Stamp + Send + Sync>,
        base_url: String,
        wake: Arc<Notify>,
    ) -> Result<Mailer, MailError> {
        Ok(Mailer {
            store,
            clock,
            transport: config.relay.transport()?,
            from: config.from.clone(),
            base_url,
            wake,
        })
    }

    /// A store call off the async workers.
    async fn store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn ServerStore) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || f(&*store))
            .await
            .map_err(|e| StoreError::Backend(e.to_string().into()))?
    }

    /// Sends what is owed, then waits to be woken or for the next retry; forever.
    pub(crate) async fn run(self) {
        loop {
            let full = match self.send_due().await {
                Ok(n) => n == BATCH,
                Err(e) => {
                    tracing::warn!(error = %e, "alert e-mails: the store failed; trying again soon");
                    false
                }
            };
            if full {
                continue;
            }
            let wait = match self.store(|s| s.next_mail()).await {
                Ok(Some(next)) => {
                    let s = (self.clock)().seconds_until(next).clamp(1, 60);
                    Duration::from_secs(s.unsigned_abs())
                }
                Ok(None) => IDLE,
                Err(_) => Duration::from_secs(FIRST_RETRY_S.unsigned_abs()),
            };
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Claims the e-mails due and sends each; how many were claimed.
    async fn send_due(&self) -> Result<usize, StoreError> {
        let now = (self.clock)();
        let until = now.plus_seconds(CLAIM_S);
        let due = self.store(move |s| s.claim_mail(now, until, BATCH)).await?;
        for m in &due {
            let (alert, clinician) = (m.alert, m.clinician.clone());
            if m.acked {
                // Acknowledged before it went out: nothing to tell.
                self.store(move |s| s.mail_done(alert, &clinician, now))
                    .await?;
                continue;
            }
            match self.send(m).await {
                Ok(()) => {
                    let at = (self.clock)();
                    self.store(move |s| s.mail_done(alert, &clinician, at))
                        .await?;
                    tracing::info!(alert, to = %m.to, "alert e-mail sent");
                }
                Err(SendError::Address(why)) => {
                    tracing::error!(alert, to = %m.to, %why, "alert e-mail not sent, and never will be: fix the clinician's address");
                    self.store(move |s| s.mail_done(alert, &clinician, now))
                        .await?;
                }
                Err(e) => {
                    let wait = retry_after(m.tries + 1);
                    let retry = (self.clock)().plus_seconds(wait);
                    self.store(move |s| s.mail_failed(alert, &clinician, retry))
                        .await?;
                    tracing::warn!(alert, to = %m.to, error = %e, "alert e-mail not sent; trying again in {wait} s");
                }
            }
        }
        Ok(due.len())
    }

    async fn send(&self, m: &AlertMail) -> Result<(), SendError> {
        let to: Mailbox =
            m.to.parse()
                .map_err(|e: lettre::address::AddressError| SendError::Address(e.to_string()))?;
        let (subject, body) = compose(m, &self.base_url);
        // Plain ASCII lines as written (the link whole), unless one is too long for that.
        let body = Body::new_with_encoding(body.clone(), ContentTransferEncoding::SevenBit)
            .unwrap_or_else(|_| Body::new(body));
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)?;
        self.transport.send(message).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use backstretch_store::UserId;

    use super::*;

    #[test]
    fn a_relay_is_smtps_or_smtp_with_starttls_beyond_loopback_and_plain_on_it() {
        let r = Relay::parse("smtps://mail.example.org").unwrap();
        assert_eq!((r.security, r.port), (Security::Tls, 465));
        let r = Relay::parse("smtp://mail.example.org").unwrap();
        assert_eq!((r.security, r.port), (Security::StartTls, 587));
        let r = Relay::parse("smtp://127.0.0.1:2525").unwrap();
        assert_eq!((r.security, r.port), (Security::Plain, 2525));
        assert_eq!(
            Relay::parse("smtp://localhost").unwrap().security,
            Security::Plain
        );
        let r = Relay::parse("smtp://[::1]:2525").unwrap();
        assert_eq!((r.security, r.host.as_str()), (Security::Plain, "::1"));
        assert_eq!(r.shown(), "smtp://[::1]:2525 (plain, on this machine)");
        let r = Relay::parse("smtp://10.0.0.5:25").unwrap();
        assert_eq!(
            r.security,
            Security::StartTls,
            "a private network is a network"
        );
    }

    #[test]
    fn a_relays_password_is_taken_and_never_shown() {
        let r = Relay::parse("smtp://clinic%40example.org:s%3Acret@mail.example.org:587").unwrap();
        assert_eq!(
            r.credentials,
            Some(("clinic@example.org".to_string(), "s:cret".to_string()))
        );
        let shown = format!("{} {r:?}", r.shown());
        assert!(!shown.contains("cret"), "{shown}");
        assert!(
            shown.contains("clinic@example.org@mail.example.org:587"),
            "{shown}"
        );
        let err = Relay::parse("smtp://ann:s3cret@mail.example.org/x").unwrap_err();
        assert!(!err.to_string().contains("s3cret"), "{err}");
    }

    #[test]
    fn a_bad_relay_or_sender_is_named_with_what_to_write() {
        for (bad, says) in [
            ("mail.example.org", "smtp://mail.example.org"),
            ("http://mail.example.org", "starts with http://"),
            ("smtp://mail.example.org/inbox", "no path"),
            ("smtp://mail.example.org?tls=none", "no path or `?`"),
            ("smtp://ann@mail.example.org", "no password"),
            ("smtp://mail.example.org:99999", "smtp://"),
        ] {
            let err = Relay::parse(bad).unwrap_err().to_string();
            assert!(err.contains(says), "{bad}: {err}");
        }
        assert!(parse_from("backstretch <clinic@example.org>").is_ok());
        assert!(parse_from("clinic@example.org").is_ok());
        let err = parse_from("clinic at example").unwrap_err().to_string();
        assert!(err.contains("`clinic at example`"), "{err}");
    }

    #[test]
    fn an_alert_email_holds_the_label_kind_date_and_link_and_no_detail() {
        let m = AlertMail {
            alert: 3,
            clinician: "c-1".into(),
            to: "ann@example.org".into(),
            patient: UserId::new("0123456789abcdef0123456789abcdef"),
            name: "jd-1970".into(),
            kind: "high-pain".into(),
            text: "Pain 9 of 10 on Mon 30 Nov.".into(),
            at: Stamp::parse("2026-11-30T08:00:00+01:00").unwrap(),
            acked: false,
            tries: 0,
        };
        let (subject, body) = compose(&m, "https://clinic.example:8422/");
        assert_eq!(subject, "backstretch: a patient needs attention");
        for holds in [
            "attention:\nhigh pain, on Mon 30 Nov 2026.\n",
            "Patient: jd-1970",
            "https://clinic.example:8422/clinic/patients/0123456789abcdef0123456789abcdef",
        ] {
            assert!(body.contains(holds), "{holds} in {body}");
        }
        assert!(!body.contains("Pain 9"), "no score: {body}");
    }

    #[test]
    fn retries_wait_twice_as_long_each_time_up_to_an_hour() {
        assert_eq!(
            (1..=6).map(retry_after).collect::<Vec<_>>(),
            [5, 10, 20, 40, 80, 160]
        );
        assert_eq!(retry_after(11), 3600);
        assert_eq!(retry_after(u32::MAX), 3600);
    }
}
