//! Pairing a phone on `--lan`: a one-time code (ten minutes, one use) turns into a long random
//! device cookie. Paired devices are kept in the data directory, readable by the user alone,
//! so a restart does not ask again.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a pairing code lasts.
pub const CODE_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// Wrong or spent codes one address may try before it is locked out.
pub const MAX_FAILURES: u32 = 5;
/// How long an address is locked out after [`MAX_FAILURES`] wrong codes (counted over this
/// long, too).
pub const LOCKOUT: Duration = Duration::from_secs(15 * 60);
/// The device cookie's name.
pub const COOKIE: &str = "backstretch_device";

/// Random text from the operating system's generator (through UUID v4), `n` UUIDs long.
fn random_hex(n: usize) -> String {
    (0..n)
        .map(|_| uuid::Uuid::new_v4().simple().to_string())
        .collect()
}

/// A pairing code: 8 characters people can read aloud (no 0/O, 1/I/L).
fn new_code() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    uuid::Uuid::new_v4()
        .as_bytes()
        .iter()
        .take(8)
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

/// What a pairing attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redeemed {
    /// Paired: the new device's token (already kept).
    Paired(String),
    /// The code is not on offer (wrong, spent or expired).
    Refused,
    /// Too many wrong codes from this address: try again after this long.
    LockedOut(Duration),
}

/// An address's wrong codes: how many, since when.
#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    first: Instant,
}

/// The codes on offer and the devices paired.
#[derive(Debug)]
pub struct Pairing {
    codes: Mutex<Vec<(String, Instant)>>,
    failures: Mutex<HashMap<IpAddr, Failures>>,
    devices: Mutex<HashSet<String>>,
    file: PathBuf,
}

impl Pairing {
    /// Pairing with the devices kept in `file` (read now; missing is none).
    pub fn load(file: &Path) -> Pairing {
        let devices = std::fs::read_to_string(file)
            .map(|t| {
                t.lines()
                    .map(str::trim)
                    .filter(|l| l.len() >= 64)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        Pairing {
            codes: Mutex::new(Vec::new()),
            failures: Mutex::new(HashMap::new()),
            devices: Mutex::new(devices),
            file: file.to_path_buf(),
        }
    }

    /// A new one-time code, valid for [`CODE_LIFETIME`] from `now`.
    pub fn new_code(&self, now: Instant) -> String {
        let code = new_code();
        let mut codes = self
            .codes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        codes.retain(|(_, at)| now.duration_since(*at) < CODE_LIFETIME);
        codes.push((code.clone(), now));
        code
    }

    /// Uses a code from `from`: when it is on offer and not expired, it is spent and a new
    /// device token comes back (already kept). After [`MAX_FAILURES`] wrong codes within
    /// [`LOCKOUT`], the address is locked out for [`LOCKOUT`] from its last failure, even
    /// for a right code.
    pub fn redeem(&self, code: &str, from: IpAddr, now: Instant) -> std::io::Result<Redeemed> {
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        failures.retain(|_, f| now.duration_since(f.first) < LOCKOUT);
        if let Some(f) = failures.get(&from)
            && f.count >= MAX_FAILURES
        {
            return Ok(Redeemed::LockedOut(LOCKOUT - now.duration_since(f.first)));
        }
        match self.spend(code, now)? {
            Some(token) => {
                failures.remove(&from);
                Ok(Redeemed::Paired(token))
            }
            None => {
                let f = failures.entry(from).or_insert(Failures {
                    count: 0,
                    first: now,
                });
                f.count += 1;
                if f.count >= MAX_FAILURES {
                    // Locked out for the whole lockout from this failure.
                    f.first = now;
                }
                Ok(Redeemed::Refused)
            }
        }
    }

    /// Spends a code on offer: a new device's token, or none.
    fn spend(&self, code: &str, now: Instant) -> std::io::Result<Option<String>> {
        let code = code.trim().to_ascii_uppercase();
        {
            let mut codes = self
                .codes
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let Some(i) = codes.iter().position(|(c, _)| *c == code) else {
                return Ok(None);
            };
            let (_, at) = codes.remove(i);
            if now.duration_since(at) >= CODE_LIFETIME {
                return Ok(None);
            }
        }
        let token = random_hex(2);
        let mut devices = self
            .devices
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        devices.insert(token.clone());
        self.save(&devices)?;
        Ok(Some(token))
    }

    /// Whether a cookie value is a paired device's.
    pub fn knows(&self, token: &str) -> bool {
        token.len() >= 64
            && self
                .devices
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .contains(token)
    }

    fn save(&self, devices: &HashSet<String>) -> std::io::Result<()> {
        let mut lines: Vec<&str> = devices.iter().map(String::as_str).collect();
        lines.sort_unstable();
        crate::files::write_private(&self.file, format!("{}\n", lines.join("\n")).as_bytes())
    }
}

/// The device cookie in a `Cookie` header, if any.
pub fn cookie_token(header: &str) -> Option<&str> {
    header
        .split(';')
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_pairs_once_and_not_after_ten_minutes() {
        let dir = tempfile::tempdir().unwrap();
        let p = Pairing::load(&dir.path().join("devices"));
        let t0 = Instant::now();
        let code = p.new_code(t0);
        assert_eq!(code.len(), 8);
        let me = IpAddr::from([192, 168, 1, 20]);
        let Redeemed::Paired(token) = p.redeem(&code.to_lowercase(), me, t0).unwrap() else {
            panic!("not paired")
        };
        assert!(p.knows(&token));
        assert_eq!(token.len(), 64);
        assert_eq!(
            p.redeem(&code, me, t0).unwrap(),
            Redeemed::Refused,
            "one use"
        );
        let late = p.new_code(t0);
        assert_eq!(
            p.redeem(&late, me, t0 + CODE_LIFETIME).unwrap(),
            Redeemed::Refused
        );
        assert!(!p.knows("nope"));
        // Kept across a restart, readable by the user alone.
        let again = Pairing::load(&dir.path().join("devices"));
        assert!(again.knows(&token));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("devices"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    /// Regression: pairing codes could be guessed at any rate.
    #[test]
    fn an_address_guessing_codes_is_locked_out() {
        let dir = tempfile::tempdir().unwrap();
        let p = Pairing::load(&dir.path().join("devices"));
        let t0 = Instant::now();
        let guesser = IpAddr::from([192, 168, 1, 66]);
        let phone = IpAddr::from([192, 168, 1, 20]);
        for _ in 0..MAX_FAILURES {
            assert_eq!(
                p.redeem("AAAAAAAA", guesser, t0).unwrap(),
                Redeemed::Refused
            );
        }
        let code = p.new_code(t0);
        // Locked out, even with a right code, which stays on offer for others.
        assert!(matches!(
            p.redeem(&code, guesser, t0).unwrap(),
            Redeemed::LockedOut(d) if d == LOCKOUT
        ));
        assert!(matches!(
            p.redeem(&code, phone, t0).unwrap(),
            Redeemed::Paired(_)
        ));
        // The lockout ends.
        let later = t0 + LOCKOUT;
        let code = p.new_code(later);
        assert!(matches!(
            p.redeem(&code, guesser, later).unwrap(),
            Redeemed::Paired(_)
        ));
    }

    #[test]
    fn the_cookie_is_found_among_others() {
        assert_eq!(
            cookie_token("a=1; backstretch_device=abc; b=2"),
            Some("abc")
        );
        assert_eq!(cookie_token("a=1"), None);
    }
}
