//! What a person's clinicians send them through the clinic, and what they send back: a
//! prescription (the routine to do, how often, and a note) and a message in their thread.
//!
//! Both travel as sync events: the clinic writes its own into the person's log as the
//! [`CLINIC_DEVICE`]'s series, and a device's reply is one of its own events. Whatever a
//! prescription holds, a device still plays it through its own gates and pain rules.

use serde::{Deserialize, Serialize};

use crate::exchange::{BadValue, CLOCK_SKEW_S, sane_id};
use crate::routine::Routine;
use crate::time::Stamp;

/// The device id of the clinic's series in a person's log: what their clinicians wrote (a
/// prescription, a clearance, a message). No device can take it: a device id is a UUID.
pub const CLINIC_DEVICE: &str = "clinic";

/// The longest message, in characters: a note, not a letter.
pub const MAX_MESSAGE_CHARS: usize = 2000;
/// The longest prescription note, in characters.
pub const MAX_NOTE_CHARS: usize = 1000;
/// The most sessions a week a prescription may ask for (twice a day).
pub const MAX_PER_WEEK: u32 = 14;

/// A clinician's prescription for one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prescription {
    /// Its id (a UUID), unique in the person's log.
    pub id: String,
    /// The clinician who prescribed it, by name.
    pub by: String,
    /// When.
    pub at: Stamp,
    /// The routine, as a routine file holds it (exercises and doses).
    pub routine: Routine,
    /// Sessions a week asked for.
    pub per_week: u32,
    /// A note for the person ("easy on the first week"), maybe empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// The practice's own exercises the routine uses, each the catalogue TOML that defines
    /// it, so a device can play them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub practice: Vec<String>,
}

/// One message of a person's thread with their clinicians.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Message {
    /// Its id (a UUID), unique in the person's log.
    pub uid: String,
    /// The clinician who wrote it; none when the person did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// When.
    pub at: Stamp,
    /// What it says.
    pub text: String,
}

/// What is wrong with a message's text or a prescription's note.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadText {
    #[error("it is empty")]
    Empty,
    #[error("it is {0} characters long, more than {1}")]
    TooLong(usize, usize),
    #[error("it holds a control character")]
    Control,
}

/// The text trimmed, if it is 1 to `max` characters with no control characters but line
/// breaks and tabs.
pub fn checked_text(text: &str, max: usize, empty_ok: bool) -> Result<String, BadText> {
    // Browsers send a text area's line breaks as CR LF.
    let t = text.replace("\r\n", "\n");
    let t = t.trim();
    if t.is_empty() && !empty_ok {
        return Err(BadText::Empty);
    }
    let n = t.chars().count();
    if n > max {
        return Err(BadText::TooLong(n, max));
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(BadText::Control);
    }
    Ok(t.to_string())
}

fn bad(path: String, problem: String) -> BadValue {
    BadValue { path, problem }
}

pub(crate) fn checked_name(path: &str, name: &str) -> Result<(), BadValue> {
    if name.trim().is_empty() || name.chars().count() > 254 || name.chars().any(char::is_control) {
        return Err(bad(
            path.into(),
            "a clinician's name must be 1 to 254 printable characters".into(),
        ));
    }
    Ok(())
}

fn checked_at(path: &str, at: Stamp, now: Stamp) -> Result<(), BadValue> {
    if at.utc_s > now.utc_s + CLOCK_SKEW_S {
        return Err(bad(path.into(), format!("{at} is in the future")));
    }
    Ok(())
}

impl Prescription {
    /// Checked, as `prescriptions[i]` of an exchange file: a sane id, a clinician's name, a
    /// time not in the future (as of `now`), a routine that reads, 1 to [`MAX_PER_WEEK`]
    /// sessions a week, and a note within bounds.
    pub fn checked(&self, i: usize, now: Stamp) -> Result<(), BadValue> {
        let path = |f: &str| format!("prescriptions[{i}].{f}");
        if !sane_id(&self.id) {
            return Err(bad(path("id"), "it is not an id".into()));
        }
        checked_name(&path("by"), &self.by)?;
        checked_at(&path("at"), self.at, now)?;
        self.routine
            .items()
            .map_err(|e| bad(path("routine"), e.to_string()))?;
        if !(1..=MAX_PER_WEEK).contains(&self.per_week) {
            return Err(bad(
                path("per_week"),
                format!(
                    "{} sessions a week: give 1 to {MAX_PER_WEEK}",
                    self.per_week
                ),
            ));
        }
        checked_text(&self.note, MAX_NOTE_CHARS, true)
            .map_err(|e| bad(path("note"), e.to_string()))?;
        Ok(())
    }
}

impl Message {
    /// Checked, as `messages[i]` of an exchange file: a sane uid, a time not in the future,
    /// a clinician's name when it has one, and 1 to [`MAX_MESSAGE_CHARS`] characters of text.
    pub fn checked(&self, i: usize, now: Stamp) -> Result<(), BadValue> {
        let path = |f: &str| format!("messages[{i}].{f}");
        if !sane_id(&self.uid) {
            return Err(bad(path("uid"), "it is not an id".into()));
        }
        if let Some(by) = &self.from {
            checked_name(&path("from"), by)?;
        }
        checked_at(&path("at"), self.at, now)?;
        checked_text(&self.text, MAX_MESSAGE_CHARS, false)
            .map_err(|e| bad(path("text"), e.to_string()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_bounded_and_free_of_hidden_characters() {
        assert_eq!(checked_text("  hello\n", 10, false), Ok("hello".into()));
        assert_eq!(checked_text("   ", 10, false), Err(BadText::Empty));
        assert_eq!(checked_text("   ", 10, true), Ok(String::new()));
        assert_eq!(
            checked_text("abcdefghijk", 10, false),
            Err(BadText::TooLong(11, 10))
        );
        assert_eq!(
            checked_text("a\u{1b}[31m", 10, false),
            Err(BadText::Control)
        );
        assert_eq!(
            checked_text("line one\r\nline two", 40, false),
            Ok("line one\nline two".into())
        );
    }
}
