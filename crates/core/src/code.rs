//! The short code printed on a routine sheet, which names exactly that routine: eight
//! Crockford base-32 characters (`K7QM-3XPA`), from a stable hash of what the routine asks a
//! person to do (the date it was planned for, and each exercise with its dose, in order).
//!
//! The code is read back forgivingly, as a person copies it from paper: any case, with or
//! without the hyphen or spaces, and `O`, `I` and `L` taken as `0`, `1` and `1`.

use std::fmt;

use crate::hash::Hasher;
use crate::routine::Routine;

/// The 32 symbols, without I, L, O and U.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters in a code.
pub const LEN: usize = 8;

/// A routine's code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoutineCode([u8; LEN]);

/// Why a text is not a routine code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// Too few or too many characters.
    #[error("`{text}` has {got} letters and digits; a routine code has {LEN}, like K7QM-3XPA")]
    Length {
        /// What was given.
        text: String,
        /// How many code characters it had.
        got: usize,
    },
    /// A character no code uses.
    #[error(
        "`{text}` has `{ch}`, which no routine code uses; codes use digits and letters except U"
    )]
    Char {
        /// What was given.
        text: String,
        ch: char,
    },
}

impl RoutineCode {
    /// The code of a routine: its date and its exercises with their doses, in order. The
    /// reasons, cautions and names are left out, so rewording the catalogue keeps codes.
    pub fn of(r: &Routine) -> RoutineCode {
        let mut h = Hasher::default();
        h.add(r.profile.date.as_bytes()).add(&[0]);
        for i in &r.items {
            h.add(i.exercise_id.as_bytes()).add(&[0]);
            for n in [i.dose.hold_s, i.dose.reps, i.dose.rest_s] {
                h.add(&n.to_le_bytes());
            }
            h.add(i.sides.as_bytes()).add(&[1]);
        }
        RoutineCode::from_bits(h.finish())
    }

    fn from_bits(bits: u64) -> RoutineCode {
        // The top 40 bits, five at a time.
        let mut out = [0u8; LEN];
        for (k, c) in out.iter_mut().enumerate() {
            let shift = 64 - 5 * (k + 1);
            *c = ALPHABET[((bits >> shift) & 31) as usize];
        }
        RoutineCode(out)
    }

    /// Reads a code as a person types it from paper.
    pub fn parse(text: &str) -> Result<RoutineCode, CodeError> {
        let mut out = Vec::with_capacity(LEN);
        for ch in text.chars() {
            if ch == '-' || ch.is_whitespace() {
                continue;
            }
            let up = match ch.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            if !up.is_ascii() || !ALPHABET.contains(&(up as u8)) {
                return Err(CodeError::Char {
                    text: text.to_string(),
                    ch,
                });
            }
            out.push(up as u8);
        }
        <[u8; LEN]>::try_from(out.as_slice())
            .map(RoutineCode)
            .map_err(|_| CodeError::Length {
                text: text.to_string(),
                got: out.len(),
            })
    }
}

/// A code travels as the text a sheet shows (`K7QM-3XPA`).
impl serde::Serialize for RoutineCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for RoutineCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        RoutineCode::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for RoutineCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // ASCII by construction.
        let s: String = self.0.iter().map(|b| char::from(*b)).collect();
        write!(f, "{}-{}", &s[..4], &s[4..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::builtin;
    use crate::plan::{Request, plan};
    use crate::vocab::{Area, DoseStyle, Place};
    use chrono::NaiveDate;
    use proptest::prelude::*;

    fn routine(day: u32) -> Routine {
        let c = builtin().catalog;
        let r = Request {
            areas: vec![Area::LowerBack],
            places: vec![Place::Floor],
            minutes: 10,
            style: DoseStyle::Source,
            exclude: vec![],
            date: NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
            gentler: false,
            pages_only: false,
            recent: vec![],
            conditions: vec![],
            eased_by: None,
            coaching: Default::default(),
        };
        Routine::from_plan(&plan(&c, &r, &[]).unwrap())
    }

    #[test]
    fn a_code_is_stable_and_reads_back() {
        let r = routine(22);
        let c = RoutineCode::of(&r);
        assert_eq!(
            c,
            RoutineCode::of(&routine(22)),
            "the same plan, the same code"
        );
        let text = c.to_string();
        assert_eq!(text.len(), 9);
        assert_eq!(&text[4..5], "-");
        assert_eq!(RoutineCode::parse(&text).unwrap(), c);
        assert_eq!(
            RoutineCode::parse(&format!(" {} ", text.to_lowercase().replace('-', " "))).unwrap(),
            c
        );
    }

    #[test]
    fn the_date_and_the_doses_change_the_code_but_wording_does_not() {
        let r = routine(22);
        let c = RoutineCode::of(&r);
        assert_ne!(RoutineCode::of(&routine(23)), c);
        let mut longer = r.clone();
        longer.items[0].dose.hold_s += 1;
        assert_ne!(RoutineCode::of(&longer), c);
        let mut reworded = r;
        reworded.items[0].reason = "another reason".into();
        reworded.items[0].name = "Another name".into();
        assert_eq!(RoutineCode::of(&reworded), c);
    }

    #[test]
    fn look_alike_letters_read_as_digits() {
        assert_eq!(
            RoutineCode::parse("OIL0-0110").unwrap(),
            RoutineCode::parse("0110-0110").unwrap()
        );
    }

    #[test]
    fn bad_codes_say_what_is_wrong() {
        assert_eq!(
            RoutineCode::parse("K7QM-3XP").unwrap_err().to_string(),
            "`K7QM-3XP` has 7 letters and digits; a routine code has 8, like K7QM-3XPA"
        );
        assert!(
            RoutineCode::parse("K7QM-3XPU")
                .unwrap_err()
                .to_string()
                .contains("`U`")
        );
        assert!(matches!(
            RoutineCode::parse("K7QM-3XP\u{e9}"),
            Err(CodeError::Char { ch: '\u{e9}', .. })
        ));
    }

    proptest! {
        #[test]
        fn every_code_prints_and_parses_back(bits in any::<u64>()) {
            let c = RoutineCode::from_bits(bits);
            prop_assert_eq!(RoutineCode::parse(&c.to_string()).unwrap(), c);
        }
    }
}
