//! A clinician's second factor: RFC 6238 time-based one-time codes (HMAC-SHA-1, six digits,
//! 30-second steps, a step either side taken for a clock a little off), by the `totp-rs`
//! crate. A secret is 160 random bits (RFC 4226's advice), kept by the store in base32 and
//! shown to its clinician once, as text and as an `otpauth://` QR code. Which step a code
//! matched is returned, so the store can take each step once (a code is never taken twice).

use totp_rs::{Algorithm, Secret, Totp};

use crate::link::random_bytes;

/// The seconds one code lasts.
pub const STEP_S: u64 = 30;
/// The digits of a code.
pub const DIGITS: u8 = 6;
/// How long a login whose password was right waits for its code, in seconds.
pub const CODE_WAIT_S: i64 = 5 * 60;
/// The issuer an authenticator app shows beside the account.
const ISSUER: &str = "backstretch clinic";

/// The generator of a secret (base32), with `digits` digits; None when it is not base32 or
/// too short.
fn generator(secret: &str, digits: u8) -> Option<Totp> {
    let bytes = Secret::try_from_base32(secret).ok()?;
    totp_rs::Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(digits)
        .with_skew(1)
        .with_step_duration(STEP_S)
        .with_secret(bytes)
        .build()
        .ok()
}

/// A new secret, in base32 (32 letters and digits).
pub fn new_secret() -> String {
    Secret::new(random_bytes(20).into_boxed_slice()).to_base32()
}

/// The `otpauth://` address an authenticator app reads (from its QR code) for the clinician.
pub fn otpauth_url(secret: &str, email: &str) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    char::from(b).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={secret}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_S}",
        enc(ISSUER),
        enc(email),
        enc(ISSUER)
    )
}

/// What is wrong with a code as typed, if anything: six digits (spaces are ignored).
pub fn check_code(code: &str) -> Result<String, String> {
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() == usize::from(DIGITS) && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(digits)
    } else {
        Err(format!(
            "the code is the {DIGITS} digits your authenticator app shows now"
        ))
    }
}

/// The time step a code matches at `utc_s` (this step, or one either side), if it does.
pub fn step_of(secret: &str, code: &str, utc_s: i64) -> Option<i64> {
    let t = generator(secret, DIGITS)?;
    let step = t.check(code, u64::try_from(utc_s).ok()?)?;
    i64::try_from(step).ok()
}

/// The code of a secret at `utc_s`, as an authenticator app shows it (for tests, and for
/// a clinician's own scripts).
pub fn code_at(secret: &str, utc_s: i64) -> Option<String> {
    let t = generator(secret, DIGITS)?;
    Some(t.generate(u64::try_from(utc_s).ok()?).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238, appendix B: the SHA-1 seed is the ASCII "12345678901234567890".
    const RFC_SEED: &[u8] = b"12345678901234567890";

    fn base32(bytes: &[u8]) -> String {
        Secret::new_stack(bytes.try_into().unwrap()).to_base32()
    }

    #[test]
    fn the_codes_are_rfc_6238s_test_vectors() {
        let secret = base32(RFC_SEED);
        for (t, eight) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            let g = generator(&secret, 8).unwrap();
            assert_eq!(g.generate(t).to_string(), eight, "at {t}");
            // Six digits are the last six of eight (the same truncation, modulo 10^6).
            let six = code_at(&secret, i64::try_from(t).unwrap()).unwrap();
            assert_eq!(six, eight[2..], "at {t}");
        }
    }

    #[test]
    fn a_code_matches_its_step_and_one_either_side_only() {
        let secret = new_secret();
        assert_eq!(secret.len(), 32, "{secret}");
        let t = 1_796_115_600;
        let code = code_at(&secret, t).unwrap();
        let step = t / 30;
        assert_eq!(step_of(&secret, &code, t), Some(step));
        assert_eq!(step_of(&secret, &code, t + 30), Some(step), "a step late");
        assert_eq!(step_of(&secret, &code, t - 30), Some(step), "a step early");
        assert_eq!(step_of(&secret, &code, t + 60), None, "two steps late");
        assert_eq!(step_of(&secret, "12345", t), None);
        assert_eq!(step_of("not base32!", &code, t), None);
        assert_ne!(new_secret(), secret, "random");
    }

    #[test]
    fn codes_are_checked_in_words_and_the_address_is_an_apps() {
        assert_eq!(check_code(" 123 456 ").as_deref(), Ok("123456"));
        for bad in ["", "12345", "1234567", "12a456"] {
            let why = check_code(bad).unwrap_err();
            assert!(why.contains("6 digits"), "{bad}: {why}");
        }
        let url = otpauth_url("ABC", "ann+1@example.org");
        assert_eq!(
            url,
            "otpauth://totp/backstretch%20clinic:ann%2B1%40example.org?secret=ABC&issuer=backstretch%20clinic&algorithm=SHA1&digits=6&period=30"
        );
    }
}
