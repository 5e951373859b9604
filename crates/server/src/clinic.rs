//! The practice's clinicians: each is added by e-mail address and gets a one-time invitation
//! link, which sets their password (kept only as an argon2id hash, at OWASP's parameters:
//! 19 MiB, two passes, one lane). A login opens a session whose token is kept only as a hash;
//! it ends when the clinician logs out, after [`SESSION_IDLE_S`] unused, or after
//! [`SESSION_LIFETIME_S`] in all. Failed logins lock an account for [`LOCK_S`] after
//! [`MAX_FAILURES`] in a row. Every login, refusal and logout is in the audit log.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use backstretch_core::alert::Alert;
use backstretch_core::time::Stamp;
use backstretch_store::clinic::{AuditEntry, Clinic, Clinician, Erased, Watch};
use backstretch_store::{StoreError, UserId};

use crate::link::{self, Code, PeopleError, hash, new_token, random_bytes};
use crate::{ServerStore, totp};

/// How long an invitation works: a week.
pub const INVITATION_LIFETIME_S: i64 = 7 * 24 * 60 * 60;
/// A login session ends this long after it was last used (automatic logoff).
pub const SESSION_IDLE_S: i64 = 30 * 60;
/// A login session ends this long after the login, used or not.
pub const SESSION_LIFETIME_S: i64 = 12 * 60 * 60;
/// Failed logins in a row that lock an account.
pub const MAX_FAILURES: u32 = 5;
/// How long a locked account refuses logins.
pub const LOCK_S: i64 = 15 * 60;
/// The shortest password taken, in characters.
pub const MIN_PASSWORD: usize = 12;
/// The longest password taken, in characters.
pub const MAX_PASSWORD: usize = 256;

/// A new invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    /// The clinician it is for.
    pub email: String,
    /// The code, for the link (given once; only its hash is kept).
    pub code: String,
    /// Until when it works.
    pub expires: Stamp,
}

/// Why a clinician could not be added or invited.
#[derive(Debug, thiserror::Error)]
pub enum ClinicError {
    /// Not an e-mail address.
    #[error("`{0}` is not an e-mail address")]
    BadEmail(String),
    /// No clinician has that address.
    #[error("no clinician has the e-mail address {0}")]
    NoOne(String),
    /// The store failed, or the address is taken.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn check_email(email: &str) -> Result<(), ClinicError> {
    let ok = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
        })
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>\"".contains(c));
    if ok {
        Ok(())
    } else {
        Err(ClinicError::BadEmail(email.to_string()))
    }
}

/// Adds a clinician and offers their first invitation.
pub fn add_clinician(
    store: &dyn Clinic,
    email: &str,
    now: Stamp,
) -> Result<Invitation, ClinicError> {
    check_email(email)?;
    let id = uuid::Uuid::new_v4().simple().to_string();
    store.add_clinician(&id, email, now)?;
    audit(
        store,
        now,
        "server",
        &format!("clinician added: {email}"),
        "console",
    )?;
    invite(store, &id, email, now)
}

/// Offers a clinician another invitation (theirs was lost or expired, or they forgot their
/// password: accepting it sets a new one).
pub fn invite_again(
    store: &dyn Clinic,
    email: &str,
    now: Stamp,
) -> Result<Invitation, ClinicError> {
    let c = store
        .clinician(email)?
        .ok_or_else(|| ClinicError::NoOne(email.to_string()))?;
    audit(
        store,
        now,
        "server",
        &format!("clinician invited again: {}", c.email),
        "console",
    )?;
    invite(store, &c.id, &c.email, now)
}

/// Turns a clinician's second factor off from the console (a lost phone): their next login
/// asks the password only, or, where the practice asks one, to set up a new one.
pub fn totp_off_by_operator(
    store: &dyn Clinic,
    email: &str,
    now: Stamp,
) -> Result<bool, ClinicError> {
    let c = store
        .clinician(email)?
        .ok_or_else(|| ClinicError::NoOne(email.to_string()))?;
    if !c.totp {
        return Ok(false);
    }
    store.drop_totp(&c.id)?;
    audit(
        store,
        now,
        "server",
        &format!("TOTP turned off for {}", c.email),
        "console",
    )?;
    Ok(true)
}

fn invite(
    store: &dyn Clinic,
    id: &str,
    email: &str,
    now: Stamp,
) -> Result<Invitation, ClinicError> {
    let code = new_token();
    let expires = now.plus_seconds(INVITATION_LIFETIME_S);
    store.add_invitation(id, &hash(&code), expires)?;
    Ok(Invitation {
        email: email.to_string(),
        code,
        expires,
    })
}

fn audit(
    store: &dyn Clinic,
    at: Stamp,
    actor: &str,
    action: &str,
    from: &str,
) -> Result<(), StoreError> {
    store.audit(&AuditEntry {
        at,
        actor: actor.to_string(),
        action: action.to_string(),
        patient: None,
        from: from.to_string(),
    })
}

/// Adds a patient for the clinician: a person with a log on this server, on the
/// clinician's list, and the one-time code that links their first device. The name is a
/// name or a reference the practice uses (letters, digits, dots, dashes, underscores).
pub fn add_patient(
    store: &dyn ServerStore,
    clinician: &Clinician,
    name: &str,
    now: Stamp,
    from: &str,
) -> Result<(UserId, Code), PeopleError> {
    let code = link::add_person(store, name, now)?;
    let id = store
        .person(name)?
        .ok_or_else(|| PeopleError::NoOne(name.to_string()))?;
    store.add_patient(&clinician.id, &id, now)?;
    crate::care::welcome(store, clinician, &id, now)?;
    audit_patient(store, now, clinician, "patient added", &id, from)?;
    Ok((id, code))
}

/// Another one-time code for a patient's next device; None when they are not the
/// clinician's patient.
pub fn patient_code(
    store: &dyn ServerStore,
    clinician: &Clinician,
    patient: &UserId,
    now: Stamp,
    from: &str,
) -> Result<Option<(String, Code)>, PeopleError> {
    let Some(name) = store.patient(&clinician.id, patient)? else {
        return Ok(None);
    };
    let code = link::another_code(store, &name, now)?;
    audit_patient(store, now, clinician, "link code made", patient, from)?;
    Ok(Some((name, code)))
}

/// Works out the alerts a person's recent log raises, by the rules their devices apply, and
/// keeps the new ones (each once by its key); the new ones. Run after each push that
/// applied something: a session that flared raises its alert as soon as it arrives.
pub fn raise_alerts(
    store: &dyn ServerStore,
    user: &UserId,
    now: Stamp,
) -> Result<Vec<Alert>, StoreError> {
    use backstretch_core::alert::{Recent, Scored, alerts};
    let since = Stamp::earliest_on(
        now.day() - chrono::Duration::days(backstretch_core::safety::WINDOW_DAYS),
    );
    let mut sessions: Vec<Scored> = store
        .sessions_since(user, since)?
        .into_iter()
        .map(|l| Scored {
            uid: l.session.uid,
            at: l.session.started_at,
            before: l.session.pain_before,
            after: l.session.pain_after,
            settled: l.session.settled,
        })
        .collect();
    sessions.sort_by_key(|s| std::cmp::Reverse(s.at.utc_s));
    let check = store.last_screening(user)?;
    let rules = backstretch_app::App::new(store, user.clone(), now)
        .pain_rules()
        .map_err(|e| StoreError::Backend(e.to_string().into()))?;
    let hurts = store.hurts(user, since)?;
    let recent = Recent {
        sessions: &sessions,
        check: check.as_ref(),
        flags: backstretch_core::safety::red_flags().unwrap_or_default(),
        blocked: &rules.blocked,
        hurts: &hurts,
    };
    let mut found = alerts(&recent);
    if let Some(w) = store.watch(user)? {
        found.extend(quiet_alert(&w, now));
    }
    let mut raised = Vec::new();
    for a in found {
        if store.add_alert(user, &a)? {
            raised.push(a);
        }
    }
    Ok(raised)
}

/// The quiet alert a watched patient raises now, if any: no session for the days their
/// clinician chose ([`QUIET_DAYS`](backstretch_core::alert::QUIET_DAYS) unless one did).
fn quiet_alert(w: &Watch, now: Stamp) -> Option<Alert> {
    let days = w.quiet_days.unwrap_or(backstretch_core::alert::QUIET_DAYS);
    backstretch_core::alert::quiet(w.last_session, w.joined, days, now)
}

/// Works out the quiet alert of every patient with a clinician (a quiet patient's devices
/// push nothing, so the server looks: at start and every
/// [`QUIET_SWEEP`](crate::QUIET_SWEEP)), and keeps the new ones; how many were new. One
/// query reads every patient; only those quiet now are written.
pub fn raise_quiet_alerts(store: &dyn ServerStore, now: Stamp) -> Result<usize, StoreError> {
    let mut raised = 0;
    for w in store.watched()? {
        if let Some(a) = quiet_alert(&w, now)
            && store.add_alert(&w.patient, &a)?
        {
            raised += 1;
        }
    }
    Ok(raised)
}

/// The days without a session a clinician typed for a patient, checked: a whole number in
/// [`QUIET_DAYS_RANGE`](backstretch_core::alert::QUIET_DAYS_RANGE), or what is wrong, in
/// words that name the field.
pub fn check_quiet_days(typed: &str) -> Result<u32, String> {
    let range = backstretch_core::alert::QUIET_DAYS_RANGE;
    let (low, high) = (range.start(), range.end());
    let typed = typed.trim();
    match typed.parse::<u32>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ if typed.is_empty() => Err(format!(
            "Days without a session: give a whole number of days from {low} to {high}."
        )),
        _ => Err(format!(
            "Days without a session: `{typed}` is not a whole number of days from {low} to {high}. Give one, like 7."
        )),
    }
}

/// Sets the days without a session after which a patient's clinicians are alerted, as
/// `clinician` chose (audited); the alerts that change raises at once.
pub fn set_quiet_days(
    store: &dyn ServerStore,
    clinician: &Clinician,
    patient: &UserId,
    days: u32,
    now: Stamp,
    from: &str,
) -> Result<Vec<Alert>, StoreError> {
    store.set_quiet_days(patient, days)?;
    let action = format!("set the quiet alert to {days} days");
    audit_patient(store, now, clinician, &action, patient, from)?;
    raise_alerts(store, patient, now)
}

/// Why a patient could not be shared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareRefused {
    /// Not an e-mail address.
    BadEmail,
    /// No clinician of the practice has the address.
    NoOne,
    /// The patient is theirs already (or the clinician named themselves).
    Already(String),
}

/// Shares one of the clinician's patients with another clinician of the practice, by their
/// e-mail address (in any case): the patient joins their list. The other's address, as kept.
pub fn share_patient(
    store: &dyn Clinic,
    c: &Clinician,
    patient: &UserId,
    email: &str,
    now: Stamp,
    from: &str,
) -> Result<Result<String, ShareRefused>, StoreError> {
    if check_email(email).is_err() {
        return Ok(Err(ShareRefused::BadEmail));
    }
    let Some(other) = store.clinician(email)? else {
        return Ok(Err(ShareRefused::NoOne));
    };
    if store.patient(&other.id, patient)?.is_some() {
        return Ok(Err(ShareRefused::Already(other.email)));
    }
    store.add_patient(&other.id, patient, now)?;
    let action = format!("shared the patient with {}", other.email);
    audit_patient(store, now, c, &action, patient, from)?;
    Ok(Ok(other.email))
}

/// Everything the server holds about a person, as one JSON document, for a GDPR request
/// (the right of access): their log as `backstretch export json` writes it, their devices,
/// alerts, care team, and the audit log's lines about them (this export's own included).
pub fn gdpr_export(
    store: &dyn ServerStore,
    c: &Clinician,
    patient: &UserId,
    name: &str,
    now: Stamp,
    from: &str,
) -> Result<serde_json::Value, String> {
    use serde_json::json;
    let failed = |e: &dyn std::fmt::Display| e.to_string();
    let action = "exported everything held about the patient (GDPR)";
    audit_patient(store, now, c, action, patient, from).map_err(|e| failed(&e))?;
    let app = backstretch_app::App::new(store, patient.clone(), now);
    let log = app.log_file().map_err(|e| failed(&e))?;
    let devices: Vec<_> = store
        .devices(patient)
        .map_err(|e| failed(&e))?
        .into_iter()
        .map(|d| {
            json!({
                "id": d.id,
                "name": d.name,
                "linked_at": d.linked_at.rfc3339(),
                "unlinked_at": d.unlinked_at.map(Stamp::rfc3339),
            })
        })
        .collect();
    let alerts: Vec<_> = store
        .alerts(patient)
        .map_err(|e| failed(&e))?
        .into_iter()
        .map(|a| {
            json!({
                "id": a.id,
                "key": a.key,
                "kind": a.kind,
                "text": a.text,
                "at": a.at.rfc3339(),
                "acknowledged_by": a.acked.as_ref().map(|(by, _)| by),
                "acknowledged_at": a.acked.as_ref().map(|(_, at)| at.rfc3339()),
            })
        })
        .collect();
    let team: Vec<_> = store
        .care_team(patient)
        .map_err(|e| failed(&e))?
        .into_iter()
        .map(|(email, since)| json!({ "clinician": email, "since": since.rfc3339() }))
        .collect();
    let audit: Vec<_> = store
        .audit_about(patient)
        .map_err(|e| failed(&e))?
        .into_iter()
        .map(|(n, e)| {
            json!({
                "line": n,
                "at": e.at.rfc3339(),
                "actor": e.actor,
                "action": e.action,
                "from": e.from,
            })
        })
        .collect();
    Ok(json!({
        "format": "backstretch-gdpr-export",
        "version": 1,
        "exported_at": now.rfc3339(),
        "exported_by": c.email,
        "patient": { "id": patient.as_str(), "name": name },
        "log": serde_json::to_value(&log).map_err(|e| failed(&e))?,
        "devices": devices,
        "alerts": alerts,
        "care_team": team,
        "audit": audit,
    }))
}

/// Erases a patient from the server (GDPR's right to erasure), in one transaction with the
/// audit line that says who did it, when and from where: their log, devices and tokens,
/// link codes, alerts and care-team rows. Their devices are told so when they next sync.
pub fn erase_patient(
    store: &dyn Clinic,
    c: &Clinician,
    patient: &UserId,
    now: Stamp,
    from: &str,
) -> Result<Erased, StoreError> {
    store.erase_person(
        patient,
        &AuditEntry {
            at: now,
            actor: c.email.clone(),
            action: "erased everything held about the patient (GDPR)".into(),
            patient: Some(patient.as_str().to_string()),
            from: from.to_string(),
        },
    )
}

/// Records that the clinician read or wrote a patient's data.
pub fn audit_patient(
    store: &dyn Clinic,
    at: Stamp,
    clinician: &Clinician,
    action: &str,
    patient: &UserId,
    from: &str,
) -> Result<(), StoreError> {
    store.audit(&AuditEntry {
        at,
        actor: clinician.email.clone(),
        action: action.to_string(),
        patient: Some(patient.as_str().to_string()),
        from: from.to_string(),
    })
}

/// What is wrong with a new password, if anything.
pub fn check_password(password: &str, again: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_PASSWORD {
        return Err(format!(
            "the password has {n} characters: use at least {MIN_PASSWORD} (a few words make a good one)"
        ));
    }
    if n > MAX_PASSWORD {
        return Err(format!("use at most {MAX_PASSWORD} characters"));
    }
    if password != again {
        return Err("the two passwords differ: type the same one twice".into());
    }
    Ok(())
}

/// The argon2id hash of a password, as a PHC string (with its salt and parameters).
fn hash_password(password: &str) -> Result<String, StoreError> {
    let salt = SaltString::encode_b64(&random_bytes(16))
        .map_err(|e| StoreError::Backend(e.to_string().into()))?;
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Backend(e.to_string().into()))
}

/// Whether `password` is the one hashed in `phc`.
fn verify_password(phc: &str, password: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash of no one's password: checked against when no clinician has the address given,
/// so a refusal takes as long either way and does not tell which addresses are known.
fn decoy() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password(&new_token()).unwrap_or_default())
}

/// What a login came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    /// Logged in: the session's token (for the cookie; only its hash is kept).
    In {
        /// The session's token.
        token: String,
        /// Who.
        clinician: Clinician,
    },
    /// The password was right and the account asks a code: the token of the login waiting
    /// for it (for a cookie; only its hash is kept).
    Code(String),
    /// The address and password (or the code) do not match a clinician's.
    Refused,
    /// The login waiting for a code expired or is unknown: start again.
    Expired,
    /// Too many failed logins: refused until then.
    Locked(Stamp),
}

/// Logs a clinician in with their e-mail address and password, from address `from`.
pub fn login(
    store: &dyn Clinic,
    email: &str,
    password: &str,
    now: Stamp,
    from: &str,
) -> Result<Login, StoreError> {
    let Some(c) = store.clinician(email)? else {
        let _ = verify_password(decoy(), password);
        // What was typed goes in the log only when it could be an address (never a password
        // typed in the wrong field, or control characters).
        let actor = if check_email(email).is_ok() {
            email
        } else {
            "(not an e-mail address)"
        };
        audit(store, now, actor, "login refused: unknown address", from)?;
        return Ok(Login::Refused);
    };
    if let Some(until) = c.locked_until.filter(|u| u.utc_s > now.utc_s) {
        audit(store, now, &c.email, "login refused: locked", from)?;
        return Ok(Login::Locked(until));
    }
    // Invited but without a password yet: as slow as a wrong one.
    let right = match c.password_hash.as_deref() {
        Some(phc) => verify_password(phc, password),
        None => {
            let _ = verify_password(decoy(), password);
            false
        }
    };
    let lock = now.plus_seconds(LOCK_S);
    if !right {
        // The store counts and locks in one step, so guesses sent at once each count.
        let failures = store.login_failed(&c.id, MAX_FAILURES, lock)?;
        audit(store, now, &c.email, "login refused: wrong password", from)?;
        return Ok(if failures >= MAX_FAILURES {
            Login::Locked(lock)
        } else {
            Login::Refused
        });
    }
    if c.totp {
        // The failures in a row go on counting until the code is right too, so a password
        // known does not give each login five more guesses at the code.
        let token = new_token();
        store.open_totp_login(&hash(&token), &c.id, now.plus_seconds(totp::CODE_WAIT_S))?;
        audit(
            store,
            now,
            &c.email,
            "password right; TOTP code asked",
            from,
        )?;
        return Ok(Login::Code(token));
    }
    open_session(store, c, now, from, "login")
}

/// The login's session, once all it asks is given: the count of failures starts again (unless
/// the account was locked meanwhile, by guesses that arrived while this login was checked).
fn open_session(
    store: &dyn Clinic,
    c: Clinician,
    now: Stamp,
    from: &str,
    action: &str,
) -> Result<Login, StoreError> {
    let lock = now.plus_seconds(LOCK_S);
    if !store.login_succeeded(&c.id, now)? {
        audit(store, now, &c.email, "login refused: locked", from)?;
        let until = store.clinician(&c.email)?.and_then(|c| c.locked_until);
        return Ok(Login::Locked(until.unwrap_or(lock)));
    }
    let token = new_token();
    store.open_session(
        &hash(&token),
        &c.id,
        now,
        now.plus_seconds(SESSION_LIFETIME_S),
    )?;
    audit(store, now, &c.email, action, from)?;
    Ok(Login::In {
        token,
        clinician: c,
    })
}

/// The second step of a login whose password was right: the code from the clinician's
/// authenticator app. A wrong code (or one taken already) counts as a failed login; at
/// [`MAX_FAILURES`] in a row the account locks and the waiting login ends.
pub fn login_code(
    store: &dyn Clinic,
    waiting: &str,
    code: &str,
    now: Stamp,
    from: &str,
) -> Result<Login, StoreError> {
    let Some(c) = store.totp_login(&hash(waiting), now)? else {
        return Ok(Login::Expired);
    };
    if let Some(until) = c.locked_until.filter(|u| u.utc_s > now.utc_s) {
        store.close_totp_login(&hash(waiting))?;
        audit(store, now, &c.email, "login refused: locked", from)?;
        return Ok(Login::Locked(until));
    }
    let secret = store.totp(&c.id)?.secret;
    let step = match (&secret, totp::check_code(code)) {
        (Some(secret), Ok(code)) => totp::step_of(secret, &code, now.utc_s),
        _ => None,
    };
    let taken = match step {
        Some(step) => store.take_totp_step(&c.id, step, None)?,
        None => false,
    };
    if !taken {
        let lock = now.plus_seconds(LOCK_S);
        let failures = store.login_failed(&c.id, MAX_FAILURES, lock)?;
        let why = if step.is_some() {
            "login refused: TOTP code already used"
        } else {
            "login refused: wrong TOTP code"
        };
        audit(store, now, &c.email, why, from)?;
        if failures >= MAX_FAILURES {
            store.close_totp_login(&hash(waiting))?;
            return Ok(Login::Locked(lock));
        }
        return Ok(Login::Refused);
    }
    store.close_totp_login(&hash(waiting))?;
    open_session(store, c, now, from, "login (with a TOTP code)")
}

/// A second factor offered to a clinician: the secret and the address of its QR code, to
/// show once.
#[derive(Clone, PartialEq, Eq)]
pub struct Offer {
    /// The secret, in base32.
    pub secret: String,
    /// The `otpauth://` address.
    pub url: String,
}

impl std::fmt::Debug for Offer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Offer(secret kept)")
    }
}

/// Offers the clinician a new TOTP secret; it takes effect when a code of it is confirmed.
pub fn offer_totp(store: &dyn Clinic, c: &Clinician) -> Result<Offer, StoreError> {
    let secret = totp::new_secret();
    store.offer_totp(&c.id, &secret)?;
    Ok(Offer {
        url: totp::otpauth_url(&secret, &c.email),
        secret,
    })
}

/// Why a change to a clinician's second factor was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TotpRefused {
    /// The code is not six digits: what to type.
    BadCode(String),
    /// The code does not match (or was taken already).
    Wrong,
    /// Nothing was offered, or TOTP is not on.
    Nothing,
}

/// Turns the clinician's second factor on with a code of the secret offered to them.
pub fn confirm_totp(
    store: &dyn Clinic,
    c: &Clinician,
    code: &str,
    now: Stamp,
    from: &str,
) -> Result<Result<(), TotpRefused>, StoreError> {
    let code = match totp::check_code(code) {
        Ok(code) => code,
        Err(why) => return Ok(Err(TotpRefused::BadCode(why))),
    };
    let Some(offered) = store.totp(&c.id)?.offered else {
        return Ok(Err(TotpRefused::Nothing));
    };
    let step = totp::step_of(&offered, &code, now.utc_s);
    if let Some(step) = step
        && store.take_totp_step(&c.id, step, Some(&offered))?
    {
        audit(store, now, &c.email, "TOTP turned on", from)?;
        return Ok(Ok(()));
    }
    audit(
        store,
        now,
        &c.email,
        "TOTP refused: wrong code to turn it on",
        from,
    )?;
    Ok(Err(TotpRefused::Wrong))
}

/// Turns the clinician's second factor off with a current code. A wrong code counts as a
/// failed login: at [`MAX_FAILURES`] in a row the account locks (the caller ends the
/// session); the failures in a row are returned with the refusal.
pub fn drop_totp(
    store: &dyn Clinic,
    c: &Clinician,
    code: &str,
    now: Stamp,
    from: &str,
) -> Result<Result<(), (TotpRefused, u32)>, StoreError> {
    let code = match totp::check_code(code) {
        Ok(code) => code,
        Err(why) => return Ok(Err((TotpRefused::BadCode(why), c.failures))),
    };
    let Some(secret) = store.totp(&c.id)?.secret else {
        return Ok(Err((TotpRefused::Nothing, c.failures)));
    };
    let step = totp::step_of(&secret, &code, now.utc_s);
    if let Some(step) = step
        && store.take_totp_step(&c.id, step, None)?
    {
        store.drop_totp(&c.id)?;
        audit(store, now, &c.email, "TOTP turned off", from)?;
        return Ok(Ok(()));
    }
    let failures = store.login_failed(&c.id, MAX_FAILURES, now.plus_seconds(LOCK_S))?;
    audit(
        store,
        now,
        &c.email,
        "TOTP refused: wrong code to turn it off",
        from,
    )?;
    Ok(Err((TotpRefused::Wrong, failures)))
}

/// Sets a password with an invitation; the clinician is logged in at once. None when the
/// invitation is unknown, spent or expired.
pub fn accept_invitation(
    store: &dyn Clinic,
    code: &str,
    password: &str,
    now: Stamp,
    from: &str,
) -> Result<Option<Login>, StoreError> {
    // No hashing (19 MiB, some tens of milliseconds) for a code that is not on offer.
    if store.invitation(&hash(code), now)?.is_none() {
        return Ok(None);
    }
    let phc = hash_password(password)?;
    let Some(id) = store.accept_invitation(&hash(code), &phc, now)? else {
        return Ok(None);
    };
    let token = new_token();
    store.open_session(
        &hash(&token),
        &id,
        now,
        now.plus_seconds(SESSION_LIFETIME_S),
    )?;
    let clinician = store.use_session(&hash(&token), now, SESSION_IDLE_S)?;
    let Some(clinician) = clinician else {
        return Ok(None);
    };
    audit(store, now, &clinician.email, "password set; login", from)?;
    Ok(Some(Login::In { token, clinician }))
}

/// The clinician a session token speaks for now, if its session is open.
pub fn session(
    store: &dyn Clinic,
    token: &str,
    now: Stamp,
) -> Result<Option<Clinician>, StoreError> {
    store.use_session(&hash(token), now, SESSION_IDLE_S)
}

/// Logs out: the session ends.
pub fn logout(
    store: &dyn Clinic,
    token: &str,
    who: &Clinician,
    now: Stamp,
    from: &str,
) -> Result<(), StoreError> {
    store.close_session(&hash(token))?;
    audit(store, now, &who.email, "logout", from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_passwords_are_checked_in_words() {
        assert!(check_email("ann.physio@example.org").is_ok());
        for bad in [
            "",
            "ann",
            "@example.org",
            "ann@example",
            "ann @example.org",
            "a<b>@x.org",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
        assert!(check_password("correct horse battery", "correct horse battery").is_ok());
        let short = check_password("short", "short").unwrap_err();
        assert!(short.contains("at least 12"), "{short}");
        let differ = check_password("correct horse battery", "correct horse").unwrap_err();
        assert!(differ.contains("differ"), "{differ}");
    }

    #[test]
    fn quiet_days_are_a_whole_number_from_1_to_60_or_said_so() {
        assert_eq!(check_quiet_days(" 14 "), Ok(14));
        assert_eq!(check_quiet_days("1"), Ok(1));
        assert_eq!(check_quiet_days("60"), Ok(60));
        for bad in ["0", "61", "-3", "7.5", "seven", "99999999999"] {
            let why = check_quiet_days(bad).unwrap_err();
            assert!(
                why.starts_with("Days without a session:") && why.contains("from 1 to 60"),
                "{bad}: {why}"
            );
        }
        assert!(
            check_quiet_days("")
                .unwrap_err()
                .contains("give a whole number")
        );
    }

    #[test]
    fn a_password_hash_is_argon2id_at_owasps_parameters_and_verifies() {
        let phc = hash_password("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_password(&phc, "correct horse battery"));
        assert!(!verify_password(&phc, "correct horse batter"));
        assert!(!verify_password("not a hash", "anything"));
        assert_ne!(
            phc,
            hash_password("correct horse battery").unwrap(),
            "salted"
        );
    }
}
