//! People and their devices: a person is added by name and gets a one-time link code; a
//! device gives the code once, within a day, and gets a token it speaks with from then on.
//! Codes and tokens are kept only as SHA-256 hashes.

use backstretch_core::time::Stamp;
use backstretch_store::accounts::{Accounts, Linking, Redeemed};
use backstretch_store::{StoreError, UserId};

/// How long a link code works: a day.
pub const CODE_LIFETIME_S: i64 = 24 * 60 * 60;
/// The letters a code is made of: no 0/O or 1/I/L, so it can be read aloud and typed.
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// A code's length: 31^12, about 2^59 codes.
pub const CODE_LEN: usize = 12;

/// Random bytes from the operating system's generator (through UUID v4: 122 random bits each).
pub(crate) fn random_bytes(n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n + 16);
    while out.len() < n {
        out.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    }
    out.truncate(n);
    out
}

/// A new token: 32 random bytes, in hex.
pub(crate) fn new_token() -> String {
    random_bytes(32)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A new code, in groups of four: `7KQ2-MZ4P-XW9D`.
fn new_code() -> String {
    // Each byte below 248 (8 x 31) maps evenly onto the alphabet; others are drawn again.
    let mut letters = Vec::with_capacity(CODE_LEN);
    while letters.len() < CODE_LEN {
        for b in random_bytes(CODE_LEN) {
            if b < 248 && letters.len() < CODE_LEN {
                letters.push(ALPHABET[usize::from(b % 31)]);
            }
        }
    }
    letters
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// A code as typed, the way it was made: upper case, without spaces or dashes.
pub fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The SHA-256 of a code or token, in hex.
pub fn hash(text: &str) -> String {
    backstretch_web::devices::token_hash(text)
}

/// A code offered for a person's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    /// The code, as the person types it.
    pub code: String,
    /// When it stops working.
    pub expires: Stamp,
}

/// Why a person could not be added or given a code.
#[derive(Debug, thiserror::Error)]
pub enum PeopleError {
    /// The name cannot be a person's name.
    #[error("`{0}` cannot be a name: use 1 to 64 letters, digits, dots, dashes or underscores")]
    BadName(String),
    /// No person has that name.
    #[error("no one called `{0}` on this server")]
    NoOne(String),
    /// The store failed (or the name is taken).
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn check_name(name: &str) -> Result<(), PeopleError> {
    let ok = (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(())
    } else {
        Err(PeopleError::BadName(name.to_string()))
    }
}

/// Adds a person called `name` and offers their first link code.
pub fn add_person(store: &dyn Accounts, name: &str, now: Stamp) -> Result<Code, PeopleError> {
    check_name(name)?;
    let id = UserId::new(uuid::Uuid::new_v4().simple().to_string());
    store.add_person(name, &id, now)?;
    offer(store, &id, now)
}

/// Offers another link code for the person called `name` (for their next device).
pub fn another_code(store: &dyn Accounts, name: &str, now: Stamp) -> Result<Code, PeopleError> {
    check_name(name)?;
    let id = store
        .person(name)?
        .ok_or_else(|| PeopleError::NoOne(name.to_string()))?;
    offer(store, &id, now)
}

fn offer(store: &dyn Accounts, id: &UserId, now: Stamp) -> Result<Code, PeopleError> {
    let code = new_code();
    let expires = now.plus_seconds(CODE_LIFETIME_S);
    store.add_link_code(id, &hash(&normalise(&code)), expires)?;
    Ok(Code { code, expires })
}

/// A device linked: who it speaks for, and the token it speaks with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Linked {
    /// The person's log.
    pub user: UserId,
    /// The token (given once; only its hash is kept).
    pub token: String,
}

/// Links device `device` (called `name`) with `code`.
pub fn link(
    store: &dyn Accounts,
    code: &str,
    device: &str,
    name: &str,
    now: Stamp,
) -> Result<Result<Linked, Redeemed>, StoreError> {
    let token = new_token();
    let code_hash = hash(&normalise(code));
    let token_hash = hash(&token);
    let l = Linking {
        code_hash: &code_hash,
        device,
        name,
        token_hash: &token_hash,
        at: now,
    };
    Ok(match store.redeem_link_code(&l)? {
        Redeemed::Linked(user) => Ok(Linked { user, token }),
        other => Err(other),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_twelve_readable_letters_in_groups_and_differ() {
        let a = new_code();
        assert_eq!(a.len(), 14, "{a}");
        assert_eq!(normalise(&a).len(), CODE_LEN);
        assert!(normalise(&a).bytes().all(|b| ALPHABET.contains(&b)), "{a}");
        assert_ne!(a, new_code());
        assert_eq!(normalise(" 7kq2-mz4p xw9d "), "7KQ2MZ4PXW9D");
    }

    #[test]
    fn names_are_plain_words() {
        assert!(check_name("ann.smith-2").is_ok());
        for bad in ["", "ann smith", "änn", &"a".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
