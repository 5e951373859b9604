//! Sync events: every write to a log as a value, so another device (or the sync server) can
//! make the same change to its own log.
//!
//! A [`Change`] carries the same typed values the store's write took, and names a session by
//! its `uid` (a session's row id differs from log to log). An [`Event`] is a change in one
//! device's dense, numbered series, with a global id. Heartbeats and process ids stay local:
//! they have no change.

use serde::{Deserialize, Serialize};

use crate::care::{Message, Prescription};
use crate::code::RoutineCode;
use crate::function::FunctionRecord;
use crate::profile::Profile;
use crate::routine::Routine;
use crate::safety::Screening;
use crate::session::{Ending, LoggedSession, SessionSource, StepRecord};
use crate::time::Stamp;

/// One change to a person's log, as it travels between devices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Change {
    /// A session began (the player's).
    SessionStarted {
        uid: String,
        started_at: Stamp,
        source: SessionSource,
        routine: Routine,
        planned_s: u32,
        pain_before: Option<u8>,
    },
    /// A step of a session ended; `report` is the player's own count, when it sent one.
    StepLogged {
        session: String,
        report: Option<u32>,
        step: StepRecord,
    },
    /// A session ended.
    SessionFinished {
        uid: String,
        ended_at: Stamp,
        pain_after: Option<u8>,
        ending: Ending,
    },
    /// The next morning's answer: whether a session's soreness had settled.
    Settled {
        uid: String,
        settled: bool,
        at: Stamp,
    },
    /// The profile was saved.
    ProfileSet { profile: Profile, at: Stamp },
    /// The disclaimer of a version was accepted.
    DisclaimerAccepted { version: u32, at: Stamp },
    /// A red-flag check.
    Screening { screening: Screening },
    /// A clinician cleared a warning sign (`by` them through the clinic, or as the person
    /// recorded it when `by` is none).
    Clearance {
        sign: String,
        at: Stamp,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<String>,
    },
    /// A routine was printed on a sheet under its code.
    SheetSaved {
        code: RoutineCode,
        routine: Routine,
        at: Stamp,
    },
    /// A clinician's prescription (from the clinic's series).
    Prescribed { prescription: Prescription },
    /// A message in the person's thread with their clinicians.
    Message { message: Message },
    /// A whole session at once (recorded without the player, or imported). Its row id and
    /// process id mean nothing elsewhere.
    SessionRecorded { session: LoggedSession },
    /// A function measure (PSFS) was scored: kept once by its uid.
    FunctionRecorded { record: FunctionRecord },
}

impl Change {
    /// The change's kind, as its JSON tags it.
    pub fn kind(&self) -> &'static str {
        match self {
            Change::SessionStarted { .. } => "session-started",
            Change::StepLogged { .. } => "step-logged",
            Change::SessionFinished { .. } => "session-finished",
            Change::Settled { .. } => "settled",
            Change::ProfileSet { .. } => "profile-set",
            Change::DisclaimerAccepted { .. } => "disclaimer-accepted",
            Change::Screening { .. } => "screening",
            Change::Clearance { .. } => "clearance",
            Change::SheetSaved { .. } => "sheet-saved",
            Change::SessionRecorded { .. } => "session-recorded",
            Change::Prescribed { .. } => "prescribed",
            Change::Message { .. } => "message",
            Change::FunctionRecorded { .. } => "function-recorded",
        }
    }

    /// When it happened, by the writing device's clock.
    pub fn at(&self) -> Stamp {
        match self {
            Change::SessionStarted { started_at, .. } => *started_at,
            Change::StepLogged { step, .. } => step.at,
            Change::SessionFinished { ended_at, .. } => *ended_at,
            Change::Screening { screening } => screening.at,
            Change::SessionRecorded { session } => session.session.started_at,
            Change::Prescribed { prescription } => prescription.at,
            Change::Message { message } => message.at,
            Change::FunctionRecorded { record } => record.at,
            Change::Settled { at, .. }
            | Change::ProfileSet { at, .. }
            | Change::DisclaimerAccepted { at, .. }
            | Change::Clearance { at, .. }
            | Change::SheetSaved { at, .. } => *at,
        }
    }

    /// The uid of the session a change to an existing session touches (a step, an end, the
    /// settled answer): such a change waits until its session is in the log.
    pub fn touches(&self) -> Option<&str> {
        match self {
            Change::StepLogged { session, .. } => Some(session),
            Change::SessionFinished { uid, .. } | Change::Settled { uid, .. } => Some(uid),
            _ => None,
        }
    }
}

/// A change in one device's series: `idx` counts that device's events from 1 with no gap,
/// and `uid` (a UUIDv7) names the event everywhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// The device that made the change.
    pub device: String,
    /// Its place in that device's series, from 1.
    pub idx: u64,
    /// The event's global id.
    pub uid: String,
    /// What changed.
    pub change: Change,
}

/// Last writer wins: whether a value written at `challenger` (an instant and the device
/// that wrote it) replaces one written at `holder`. The later instant wins, then the greater
/// device id; the same device at the same instant wins too, so a device's own later write
/// replaces its earlier one.
pub fn wins(challenger: (Stamp, &str), holder: Option<(Stamp, &str)>) -> bool {
    holder.is_none_or(|(at, device)| (challenger.0.utc_s, challenger.1) >= (at.utc_s, device))
}

/// The instant a device's own last-writer value takes: its clock's, unless the value it
/// replaces would win over it (written in the same second by a greater device id, or by a
/// clock ahead of this one); then one second after that value. So the person's latest word
/// is what every device keeps, and a save is never silently lost to a tie or a clock.
pub fn local_instant(at: Stamp, device: &str, holder: Option<(Stamp, &str)>) -> Stamp {
    match holder {
        Some((held, _)) if !wins((at, device), holder) => Stamp {
            utc_s: held.utc_s.saturating_add(1),
            offset_s: at.offset_s,
        },
        _ => at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> Stamp {
        Stamp::parse(text).unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn a_local_write_is_stamped_after_a_value_that_would_beat_it() {
        let now = t("2026-12-01T09:00:00+01:00");
        assert_eq!(local_instant(now, "a", None), now);
        let earlier = t("2026-12-01T08:59:59+01:00");
        assert_eq!(local_instant(now, "a", Some((earlier, "z"))), now);
        // The same second, by a greater device: one second later, so it wins everywhere.
        let later = local_instant(now, "a", Some((now, "z")));
        assert_eq!(later.utc_s, now.utc_s + 1);
        assert!(wins((later, "a"), Some((now, "z"))));
        // A clock an hour ahead elsewhere.
        let ahead = now.plus_seconds(3600);
        assert_eq!(
            local_instant(now, "a", Some((ahead, "b"))).utc_s,
            ahead.utc_s + 1
        );
        // Its own earlier write in the same second is simply replaced.
        assert_eq!(local_instant(now, "a", Some((now, "a"))), now);
    }

    #[test]
    fn changes_round_trip_through_json_tagged_by_kind() {
        let c = Change::Settled {
            uid: "s1".into(),
            settled: true,
            at: t("2026-11-21T09:00:00+01:00"),
        };
        let json = serde_json::to_string(&c).unwrap_or_default();
        assert!(json.contains(r#""kind":"settled""#), "{json}");
        assert_eq!(serde_json::from_str::<Change>(&json).ok(), Some(c.clone()));
        assert_eq!(c.kind(), "settled");
        assert_eq!(c.touches(), Some("s1"));
    }

    #[test]
    fn the_later_instant_wins_then_the_device() {
        let (early, late) = (
            t("2026-11-21T09:00:00+00:00"),
            t("2026-11-21T10:00:00+05:00"),
        );
        assert!(wins((early, "a"), None));
        assert!(
            !wins((late, "z"), Some((early, "a"))),
            "10:00+05 is earlier"
        );
        assert!(wins((early, "b"), Some((early, "a"))));
        assert!(!wins((early, "a"), Some((early, "b"))));
        assert!(wins((early, "a"), Some((early, "a"))));
    }
}
