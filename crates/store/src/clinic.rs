//! A practice's clinicians on a sync server: each added by e-mail with a one-time invitation
//! (kept only as a hash; it expires and works once), which sets their password (kept as the
//! hash the server made); a count of failed logins in a row and a lock; their login sessions
//! (kept only as a hash of the token, with an absolute expiry and an idle one); and the audit
//! log of what clinicians read and write, to which rows are only ever added.
//!
//! Hashing, the randomness of codes and tokens, and the lockout policy are the server's; the
//! store keeps what it is given and makes spending an invitation atomic.
//!
//! Each new alert owes an e-mail to each of the patient's clinicians: kept with the alert, in
//! the same transaction, and marked once sent, so a server that stops between the two sends
//! what it owes when it starts again.

use backstretch_core::alert::Alert;
use backstretch_core::time::Stamp;

use crate::{StoreError, UserId};

/// A clinician of the practice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clinician {
    /// Their opaque id.
    pub id: String,
    /// Their e-mail address, as given (compared without regard to case).
    pub email: String,
    /// Their password's hash (a PHC string), once they have accepted their invitation.
    pub password_hash: Option<String>,
    /// Failed logins since the last one that succeeded.
    pub failures: u32,
    /// Logins are refused until then.
    pub locked_until: Option<Stamp>,
    /// Whether their logins ask a second factor (a TOTP code) after the password.
    pub totp: bool,
}

/// A clinician's second factor as kept: the secrets, never in a log or a page but the one
/// that offers it.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct TotpState {
    /// The secret in use (base32), when their logins ask a code.
    pub secret: Option<String>,
    /// A secret offered and not yet confirmed with a code.
    pub offered: Option<String>,
    /// The last time step a code was taken for.
    pub last_step: Option<i64>,
}

impl std::fmt::Debug for TotpState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpState")
            .field("secret", &self.secret.as_ref().map(|_| "(kept)"))
            .field("offered", &self.offered.as_ref().map(|_| "(kept)"))
            .field("last_step", &self.last_step)
            .finish()
    }
}

/// What an erasure removed of a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Erased {
    /// Their sessions.
    pub sessions: u64,
    /// Their sync events.
    pub events: u64,
    /// Their devices.
    pub devices: u64,
}

/// One line of the audit log: who did what, to whose data, when and from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// When.
    pub at: Stamp,
    /// The clinician's e-mail address, or `server` for the operator's commands.
    pub actor: String,
    /// What was done, in a word or two (`login`, `login refused`, `read patients`, ...).
    pub action: String,
    /// The person whose data it was, if it was a person's.
    pub patient: Option<String>,
    /// The address the request came from (or `console`).
    pub from: String,
}

/// An alert about a patient, as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptAlert {
    /// Its number.
    pub id: i64,
    /// What it is about (see `backstretch_core::alert::Alert::key`).
    pub key: String,
    /// Its kind (`AlertKind::as_str`).
    pub kind: String,
    /// What happened, in a sentence.
    pub text: String,
    /// When it happened.
    pub at: Stamp,
    /// Who acknowledged it (their e-mail address), and when.
    pub acked: Option<(String, Stamp)>,
}

/// A kept item of the practice's library: a prescription template (its body JSON) or one
/// of its own exercises (its body catalogue TOML).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    /// Its name (a template's) or id (an exercise's).
    pub name: String,
    /// What it holds.
    pub body: String,
    /// The clinician who saved it (their e-mail address).
    pub by: String,
    /// When.
    pub at: Stamp,
}

/// What the quiet alert reads of a patient with a clinician.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watch {
    /// The person.
    pub patient: UserId,
    /// When they joined a clinician's care (the first of their clinicians'), in UTC.
    pub joined: Stamp,
    /// The days without a session their clinician chose, if one did.
    pub quiet_days: Option<u32>,
    /// When their latest session started, if they have one.
    pub last_session: Option<Stamp>,
}

/// An e-mail owed to a clinician about an alert on one of their patients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertMail {
    /// The alert's number.
    pub alert: i64,
    /// The clinician's id.
    pub clinician: String,
    /// Their e-mail address.
    pub to: String,
    /// The patient.
    pub patient: UserId,
    /// The patient's name or reference, as the practice gave it.
    pub name: String,
    /// The alert's kind (`AlertKind::as_str`).
    pub kind: String,
    /// What happened, in a sentence.
    pub text: String,
    /// When it happened.
    pub at: Stamp,
    /// Whether a clinician has acknowledged the alert already.
    pub acked: bool,
    /// Failed tries to send it so far.
    pub tries: u32,
}

/// What a clinician's patient list shows of one patient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientRow {
    /// The person.
    pub patient: UserId,
    /// Their name or reference, as the practice gave it.
    pub name: String,
    /// Devices linked and not unlinked.
    pub devices: u32,
    /// When their latest session started.
    pub last_session: Option<Stamp>,
    /// The days without a session their clinician chose, if one did.
    pub quiet_days: Option<u32>,
    /// Alerts not yet acknowledged.
    pub open_alerts: u32,
    /// Days (by the sessions' own clocks) with a session from the list's `since` on.
    pub recent_days: u32,
    /// The prescription in force, as kept (JSON), if any.
    pub prescription: Option<String>,
}

/// The practice's clinicians, their login sessions and the audit log.
pub trait Clinic: Send + Sync + std::fmt::Debug {
    /// Adds a clinician under a new id; an e-mail address already known (in any case) is
    /// [`StoreError::Taken`].
    fn add_clinician(&self, id: &str, email: &str, at: Stamp) -> Result<(), StoreError>;
    /// The clinician with this e-mail address (in any case).
    fn clinician(&self, email: &str) -> Result<Option<Clinician>, StoreError>;
    /// Offers an invitation (by its code's hash) to the clinician until `expires`; any earlier
    /// one not yet spent is withdrawn (a link that leaked stops working).
    fn add_invitation(
        &self,
        clinician: &str,
        code_hash: &str,
        expires: Stamp,
    ) -> Result<(), StoreError>;
    /// The clinician an invitation is for, while it is unspent and before it expires.
    fn invitation(&self, code_hash: &str, at: Stamp) -> Result<Option<Clinician>, StoreError>;
    /// Spends an invitation, at once and once: the clinician's password becomes
    /// `password_hash`, any lock is lifted, and their login sessions end (a stolen one does
    /// not outlive a new password). The clinician's id, or None when the invitation is
    /// unknown, spent or expired.
    fn accept_invitation(
        &self,
        code_hash: &str,
        password_hash: &str,
        at: Stamp,
    ) -> Result<Option<String>, StoreError>;
    /// Counts a failed login of the clinician, and locks their logins until `lock_until` when
    /// that makes `max` failures in a row, in one step (failures at the same moment each
    /// count); the failures in a row now.
    fn login_failed(&self, id: &str, max: u32, lock_until: Stamp) -> Result<u32, StoreError>;
    /// A login with the right password at `at`: unless the account is locked then, the count
    /// of failures starts again and true; false when it is locked.
    fn login_succeeded(&self, id: &str, at: Stamp) -> Result<bool, StoreError>;
    /// Opens a login session for the clinician, by its token's hash, until `expires`.
    fn open_session(
        &self,
        token_hash: &str,
        clinician: &str,
        at: Stamp,
        expires: Stamp,
    ) -> Result<(), StoreError>;
    /// The clinician a session speaks for at `at`: while it is open, before it expires, and
    /// used within the last `idle_s` seconds. Its last use becomes `at`.
    fn use_session(
        &self,
        token_hash: &str,
        at: Stamp,
        idle_s: i64,
    ) -> Result<Option<Clinician>, StoreError>;
    /// Closes a session (logging out); closing one that is not open does nothing.
    fn close_session(&self, token_hash: &str) -> Result<(), StoreError>;
    /// Puts a person (a sync server's, see `Accounts`) on the clinician's list of
    /// patients; again changes nothing.
    fn add_patient(&self, clinician: &str, patient: &UserId, at: Stamp) -> Result<(), StoreError>;
    /// The clinician's patients, each person's id and name, in the order they were added.
    fn patients(&self, clinician: &str) -> Result<Vec<(UserId, String)>, StoreError>;
    /// Whether the person is any clinician's patient.
    fn has_clinician(&self, patient: &UserId) -> Result<bool, StoreError>;
    /// The name of the person, when they are one of the clinician's patients.
    fn patient(&self, clinician: &str, patient: &UserId) -> Result<Option<String>, StoreError>;
    /// Keeps an alert about a person, once by its key: true when it is new. A new one owes an
    /// e-mail to each of the person's clinicians, due at once (see [`Clinic::claim_mail`]).
    fn add_alert(&self, patient: &UserId, alert: &Alert) -> Result<bool, StoreError>;
    /// The person's alerts, the latest first.
    fn alerts(&self, patient: &UserId) -> Result<Vec<KeptAlert>, StoreError>;
    /// Acknowledges one of the person's alerts, once, by the clinician with e-mail address
    /// `by`: false when it is not theirs or was acknowledged already.
    fn ack_alert(&self, patient: &UserId, id: i64, by: &str, at: Stamp)
    -> Result<bool, StoreError>;
    /// Sets the days without a session after which the person's clinicians are alerted.
    fn set_quiet_days(&self, patient: &UserId, days: u32) -> Result<(), StoreError>;
    /// What the quiet alert reads of the person, when they are a clinician's patient.
    fn watch(&self, patient: &UserId) -> Result<Option<Watch>, StoreError>;
    /// The same for every person who is a clinician's patient (in one query, however many).
    fn watched(&self) -> Result<Vec<Watch>, StoreError>;
    /// Claims the alert e-mails owed and due at `at` (never tried, or their retry is due),
    /// the earliest due first, at most `limit`: each is not due again before `until`, so
    /// another server's mailer on the same database does not send it too, and one that was
    /// claimed by a server that stopped before it was done is due again after.
    fn claim_mail(
        &self,
        at: Stamp,
        until: Stamp,
        limit: usize,
    ) -> Result<Vec<AlertMail>, StoreError>;
    /// When the next alert e-mail owed is due (it may be now), if any is owed.
    fn next_mail(&self) -> Result<Option<Stamp>, StoreError>;
    /// Marks an alert's e-mail to a clinician as done (sent, or not needed): true the first
    /// time, false when it was done already or is not owed.
    fn mail_done(&self, alert: i64, clinician: &str, at: Stamp) -> Result<bool, StoreError>;
    /// Counts a failed try to send an alert's e-mail to a clinician, and makes it due again
    /// at `retry_at`.
    fn mail_failed(&self, alert: i64, clinician: &str, retry_at: Stamp) -> Result<(), StoreError>;
    /// Adds a line to the audit log.
    fn audit(&self, entry: &AuditEntry) -> Result<(), StoreError>;
    /// Adds lines to the audit log, all or none, in one write (a page that reads many
    /// patients' data audits each read).
    fn audit_all(&self, entries: &[AuditEntry]) -> Result<(), StoreError>;
    /// The clinician's patient list, a row a patient in the order they joined the care team,
    /// read in one query: what the list shows of each, with the days that had a session
    /// from `since` on.
    fn patient_rows(&self, clinician: &str, since: Stamp) -> Result<Vec<PatientRow>, StoreError>;
    /// Saves a prescription template (the same name again replaces it).
    fn save_template(&self, t: &Kept) -> Result<(), StoreError>;
    /// The practice's templates, by name.
    fn templates(&self) -> Result<Vec<Kept>, StoreError>;
    /// Saves one of the practice's own exercises under its id (the same id again replaces
    /// it).
    fn save_practice_exercise(&self, e: &Kept) -> Result<(), StoreError>;
    /// The practice's own exercises, by id.
    fn practice_exercises(&self) -> Result<Vec<Kept>, StoreError>;
    /// Offers the clinician a new TOTP secret, not yet in use (any earlier offer is replaced).
    fn offer_totp(&self, clinician: &str, secret: &str) -> Result<(), StoreError>;
    /// The clinician's second factor as kept.
    fn totp(&self, clinician: &str) -> Result<TotpState, StoreError>;
    /// Takes the code of time step `step` for the clinician, once: true when it is later than
    /// the last step taken (a code is never taken twice). With `confirm`, the offered secret
    /// `confirm` becomes the one in use (when it is still the one offered).
    fn take_totp_step(
        &self,
        clinician: &str,
        step: i64,
        confirm: Option<&str>,
    ) -> Result<bool, StoreError>;
    /// Turns the clinician's second factor off (the secrets are forgotten).
    fn drop_totp(&self, clinician: &str) -> Result<(), StoreError>;
    /// Keeps a login waiting for its code (by its token's hash) until `expires`.
    fn open_totp_login(
        &self,
        token_hash: &str,
        clinician: &str,
        expires: Stamp,
    ) -> Result<(), StoreError>;
    /// The clinician a login waiting for its code is for, before it expires.
    fn totp_login(&self, token_hash: &str, at: Stamp) -> Result<Option<Clinician>, StoreError>;
    /// Ends a login waiting for its code (given, or given up); ending one that is not
    /// waiting does nothing.
    fn close_totp_login(&self, token_hash: &str) -> Result<(), StoreError>;
    /// The person's care team: each clinician's e-mail address and since when, in the order
    /// they were added.
    fn care_team(&self, patient: &UserId) -> Result<Vec<(String, Stamp)>, StoreError>;
    /// The audit log's lines about the person, oldest first, each with its number.
    fn audit_about(&self, patient: &UserId) -> Result<Vec<(u64, AuditEntry)>, StoreError>;
    /// Erases a person from the server, in one transaction with the audit line `entry` that
    /// says so: their log (sessions and steps, events, profile, checks, clearances, sheets),
    /// their devices and tokens, link codes, alerts, care-team rows and the person. Only the
    /// hashes of their devices' tokens stay (see [`Clinic::erased_device`]). Their earlier
    /// audit lines stay: the log is append-only.
    fn erase_person(&self, patient: &UserId, entry: &AuditEntry) -> Result<Erased, StoreError>;
    /// When the person a device token (by its hash) spoke for was erased, if they were.
    fn erased_device(&self, token_hash: &str) -> Result<Option<Stamp>, StoreError>;
    /// The audit log from just after line `after`, oldest first, at most `limit` lines, each
    /// with its number.
    fn audit_log(&self, after: u64, limit: usize) -> Result<Vec<(u64, AuditEntry)>, StoreError>;
}
