//! Pairing a phone on `--lan`: a one-time code (ten minutes, one use) turns into a long random
//! device cookie. Paired devices are kept in the data directory (`devices.rs`: a name, when
//! paired, when last seen, the cookie only as a hash), readable by the user alone, so a
//! restart does not ask again. The server notices at its next request when the file changes
//! (`serve unpair` in another process), so an unpaired device is refused at once.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use backstretch_core::time::Stamp;

use crate::devices::{self, Record, token_hash};

/// How long a pairing code lasts.
pub const CODE_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// Wrong or spent codes one address may try before it is locked out.
pub const MAX_FAILURES: u32 = 5;
/// How long an address is locked out after [`MAX_FAILURES`] wrong codes (counted over this
/// long, too).
pub const LOCKOUT: Duration = Duration::from_secs(15 * 60);
/// The device cookie's name.
pub const COOKIE: &str = "backstretch_device";
/// A device's last-seen time is written at most this often (in seconds).
pub const SEEN_EVERY_S: i64 = 60;

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
    /// Paired: the new device's token (already kept, as a hash).
    Paired(String),
    /// The code is not on offer (wrong, spent or expired).
    Refused,
    /// Too many wrong codes from this address: try again after this long.
    LockedOut(Duration),
}

/// Who is pairing: the address (for the lockout), the browser (for the device's name) and
/// the time.
#[derive(Debug, Clone, Copy)]
pub struct Newcomer<'a> {
    pub from: IpAddr,
    /// The `User-Agent` header, or empty.
    pub agent: &'a str,
    pub at: Stamp,
}

/// Whether a cookie is a paired device's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// Not a paired device's (never, or unpaired).
    Stranger,
    /// A paired device's.
    Paired,
    /// A paired device's, last seen more than [`SEEN_EVERY_S`] ago: [`Pairing::record_seen`]
    /// writes the new time (off the async workers).
    PairedSeenDue,
}

/// An address's wrong codes: how many, since when.
#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    first: Instant,
}

/// What identifies a version of the devices file: a change by another process changes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileStamp {
    len: u64,
    modified: Option<SystemTime>,
    inode: u64,
}

fn file_stamp(file: &Path) -> Option<FileStamp> {
    let m = std::fs::metadata(file).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&m);
    #[cfg(not(unix))]
    let inode = 0;
    Some(FileStamp {
        len: m.len(),
        modified: m.modified().ok(),
        inode,
    })
}

/// The devices as last read, and which version of the file that was.
#[derive(Debug, Default)]
struct Known {
    records: Vec<Record>,
    stamp: Option<FileStamp>,
}

/// The codes on offer and the devices paired.
#[derive(Debug)]
pub struct Pairing {
    codes: Mutex<Vec<(String, Instant)>>,
    failures: Mutex<HashMap<IpAddr, Failures>>,
    known: Mutex<Known>,
    file: PathBuf,
}

fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Pairing {
    /// The certificate authority `--lan` made, beside the devices file (public: the pairing
    /// pages offer it for download).
    pub fn authority_file(&self) -> PathBuf {
        self.file.with_file_name(crate::tls::AUTHORITY_FILE)
    }

    /// Pairing with the devices kept in `file` (missing is none). A file from before names
    /// were kept is written anew, with names and hashed tokens.
    pub fn load(file: &Path) -> Pairing {
        let old = std::fs::read_to_string(file)
            .is_ok_and(|t| !t.trim().is_empty() && !t.trim_start().starts_with('{'));
        if old && let Err(e) = devices::change(file, |_| Ok(((), true))) {
            tracing::warn!(error = %e, "cannot rewrite the paired devices file");
        }
        let p = Pairing {
            codes: Mutex::new(Vec::new()),
            failures: Mutex::new(HashMap::new()),
            known: Mutex::new(Known::default()),
            file: file.to_path_buf(),
        };
        p.refresh(&mut locked(&p.known));
        p
    }

    /// Reads the file again if it changed since it was last read. A damaged file pairs no
    /// device (and says so in the server's log).
    fn refresh(&self, known: &mut Known) {
        let stamp = file_stamp(&self.file);
        if stamp.is_some() && stamp == known.stamp {
            return;
        }
        known.records = devices::read(&self.file).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "no device is paired until the devices file is mended");
            Vec::new()
        });
        known.stamp = stamp;
    }

    /// A new one-time code, valid for [`CODE_LIFETIME`] from `now`.
    pub fn new_code(&self, now: Instant) -> String {
        let code = new_code();
        let mut codes = locked(&self.codes);
        codes.retain(|(_, at)| now.duration_since(*at) < CODE_LIFETIME);
        codes.push((code.clone(), now));
        code
    }

    /// Uses a code from `who`: when it is on offer and not expired, it is spent and a new
    /// device token comes back (already kept, named after the browser). After
    /// [`MAX_FAILURES`] wrong codes within [`LOCKOUT`], the address is locked out for
    /// [`LOCKOUT`] from its last failure, even for a right code.
    pub fn redeem(
        &self,
        code: &str,
        who: Newcomer<'_>,
        now: Instant,
    ) -> Result<Redeemed, devices::DevicesError> {
        let mut failures = locked(&self.failures);
        failures.retain(|_, f| now.duration_since(f.first) < LOCKOUT);
        if let Some(f) = failures.get(&who.from)
            && f.count >= MAX_FAILURES
        {
            return Ok(Redeemed::LockedOut(LOCKOUT - now.duration_since(f.first)));
        }
        match self.spend(code, who, now)? {
            Some(token) => {
                failures.remove(&who.from);
                Ok(Redeemed::Paired(token))
            }
            None => {
                let f = failures.entry(who.from).or_insert(Failures {
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
    fn spend(
        &self,
        code: &str,
        who: Newcomer<'_>,
        now: Instant,
    ) -> Result<Option<String>, devices::DevicesError> {
        let code = code.trim().to_ascii_uppercase();
        {
            let mut codes = locked(&self.codes);
            let Some(i) = codes.iter().position(|(c, _)| *c == code) else {
                return Ok(None);
            };
            let (_, at) = codes.remove(i);
            if now.duration_since(at) >= CODE_LIFETIME {
                return Ok(None);
            }
        }
        let token = random_hex(2);
        devices::change(&self.file, |records| {
            let name = devices::unique_name(&devices::name_from_agent(who.agent), records);
            records.push(Record {
                name,
                token_sha256: token_hash(&token),
                paired: Some(who.at),
                last_seen: Some(who.at),
            });
            Ok(((), true))
        })?;
        Ok(Some(token))
    }

    /// Whether a cookie value is a paired device's, as the devices file says now; a device
    /// not seen for [`SEEN_EVERY_S`] is due to have its last-seen time written.
    pub fn seen(&self, token: &str, now: Stamp) -> Seen {
        if token.len() < 64 {
            return Seen::Stranger;
        }
        let hash = token_hash(token);
        let mut known = locked(&self.known);
        self.refresh(&mut known);
        let Some(r) = known.records.iter_mut().find(|r| r.token_sha256 == hash) else {
            return Seen::Stranger;
        };
        let due = r
            .last_seen
            .is_none_or(|t| t.seconds_until(now) >= SEEN_EVERY_S);
        if due {
            // Not due again until written and read back.
            r.last_seen = Some(now);
            Seen::PairedSeenDue
        } else {
            Seen::Paired
        }
    }

    /// Whether a cookie value is a paired device's.
    pub fn knows(&self, token: &str) -> bool {
        let hash = token_hash(token);
        let mut known = locked(&self.known);
        self.refresh(&mut known);
        token.len() >= 64 && known.records.iter().any(|r| r.token_sha256 == hash)
    }

    /// Writes a device's last-seen time (a device unpaired meanwhile stays unpaired).
    pub fn record_seen(&self, token: &str, now: Stamp) -> Result<(), devices::DevicesError> {
        let hash = token_hash(token);
        devices::change(&self.file, |records| {
            let r = records.iter_mut().find(|r| r.token_sha256 == hash);
            let write = r.is_some();
            if let Some(r) = r {
                r.last_seen = Some(now);
            }
            Ok(((), write))
        })?;
        Ok(())
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

    fn at(from: IpAddr) -> Newcomer<'static> {
        Newcomer {
            from,
            agent: "Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile Safari/537.36",
            at: Stamp::parse("2026-11-22T09:00:00+00:00").unwrap(),
        }
    }

    #[test]
    fn a_code_pairs_once_and_not_after_ten_minutes() {
        let dir = tempfile::tempdir().unwrap();
        let p = Pairing::load(&dir.path().join("devices"));
        let t0 = Instant::now();
        let code = p.new_code(t0);
        assert_eq!(code.len(), 8);
        let me = IpAddr::from([192, 168, 1, 20]);
        let Redeemed::Paired(token) = p.redeem(&code.to_lowercase(), at(me), t0).unwrap() else {
            panic!("not paired")
        };
        assert!(p.knows(&token));
        assert_eq!(token.len(), 64);
        assert_eq!(
            p.redeem(&code, at(me), t0).unwrap(),
            Redeemed::Refused,
            "one use"
        );
        let late = p.new_code(t0);
        assert_eq!(
            p.redeem(&late, at(me), t0 + CODE_LIFETIME).unwrap(),
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
                p.redeem("AAAAAAAA", at(guesser), t0).unwrap(),
                Redeemed::Refused
            );
        }
        let code = p.new_code(t0);
        // Locked out, even with a right code, which stays on offer for others.
        assert!(matches!(
            p.redeem(&code, at(guesser), t0).unwrap(),
            Redeemed::LockedOut(d) if d == LOCKOUT
        ));
        assert!(matches!(
            p.redeem(&code, at(phone), t0).unwrap(),
            Redeemed::Paired(_)
        ));
        // The lockout ends.
        let later = t0 + LOCKOUT;
        let code = p.new_code(later);
        assert!(matches!(
            p.redeem(&code, at(guesser), later).unwrap(),
            Redeemed::Paired(_)
        ));
    }

    /// Regression: devices had no name and could not be unpaired; their tokens were kept
    /// in plain.
    #[test]
    fn a_device_is_named_seen_at_most_once_a_minute_and_unpaired_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("serve/devices");
        let p = Pairing::load(&file);
        let me = IpAddr::from([192, 168, 1, 20]);
        let t0 = Instant::now();
        let mut tokens = Vec::new();
        for _ in 0..2 {
            let code = p.new_code(t0);
            let Redeemed::Paired(token) = p.redeem(&code, at(me), t0).unwrap() else {
                panic!("not paired")
            };
            tokens.push(token);
        }
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(!text.contains(&tokens[0]), "kept only as a hash: {text}");
        let listed = devices::list(&file).unwrap();
        let names: Vec<&str> = listed.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["Chrome on Android", "Chrome on Android 2"]);
        let paired = at(me).at;
        assert_eq!(listed[0].paired, Some(paired));
        // Seen again within the minute: nothing to write; after it, due once.
        assert_eq!(p.seen(&tokens[0], paired.plus_seconds(30)), Seen::Paired);
        let later = paired.plus_seconds(90);
        assert_eq!(p.seen(&tokens[0], later), Seen::PairedSeenDue);
        assert_eq!(p.seen(&tokens[0], later), Seen::Paired);
        p.record_seen(&tokens[0], later).unwrap();
        assert_eq!(devices::list(&file).unwrap()[0].last_seen, Some(later));
        // Unpaired by another process: refused at the next request.
        devices::unpair(&file, "Chrome on Android").unwrap();
        assert_eq!(p.seen(&tokens[0], later), Seen::Stranger);
        assert!(p.knows(&tokens[1]));
        // Writing a last-seen time does not bring it back.
        p.record_seen(&tokens[0], later).unwrap();
        assert!(!p.knows(&tokens[0]));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |f: &Path| std::fs::metadata(f).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&file), 0o600);
            assert_eq!(mode(&dir.path().join("serve/devices.lock")), 0o600);
            assert_eq!(mode(&dir.path().join("serve")), 0o700);
        }
    }

    /// A file of bare tokens from an earlier release still pairs its devices, and is
    /// rewritten with their hashes.
    #[test]
    fn an_older_devices_file_still_pairs_and_is_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("devices");
        let token = "c".repeat(64);
        std::fs::write(&file, format!("{token}\n")).unwrap();
        let p = Pairing::load(&file);
        assert!(p.knows(&token));
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.contains("Device 1") && !text.contains(&token),
            "{text}"
        );
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
