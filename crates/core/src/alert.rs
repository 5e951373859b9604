//! What a clinician is alerted to about a patient: read from the patient's own log by the
//! rules their devices apply ([`crate::safety`]), never by a copy of them. Each alert has a
//! key that names what it is about (a session, a check's sign, an exercise's latest hurt),
//! so working the alerts out again from the same log gives the same keys, and a store that
//! keeps each key once raises each alert once.
//!
//! A patient who has gone quiet (no session for some days, [`quiet`]) raises an alert keyed
//! by the start of the quiet stretch, so a stretch alerts once and the next one, after
//! another session, alerts again.

use crate::safety::{
    Hurt, Light, RedFlag, SPREADING, Screening, SessionPain, Urgency, Why, light, trigger,
};
use crate::time::Stamp;

/// Pain at or above this, before or after a session, alerts the clinician.
pub const HIGH_PAIN: u8 = 8;

/// Days without a session after which a patient's clinician is alerted, unless they chose
/// another number for the patient.
pub const QUIET_DAYS: u32 = 7;

/// The numbers of days a clinician may choose for [`quiet`]: a day to two months.
pub const QUIET_DAYS_RANGE: std::ops::RangeInclusive<u32> = 1..=60;

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlertKind {
    /// A warning sign calling for emergency care or medical help today.
    Sign,
    /// Pain spread down a limb, or numbness, tingling or weakness appeared.
    Spreading,
    /// A flare: pain up by 2 or more to above 5, or soreness not settled by the morning.
    Flare,
    /// Pain of [`HIGH_PAIN`] or more.
    HighPain,
    /// Two red sessions among the last three.
    RedSessions,
    /// An exercise logged as hurting in two sessions lately (the patient's plans leave it out).
    HurtTwice,
    /// No session for the days the clinician chose ([`QUIET_DAYS`] unless they chose).
    Quiet,
}

impl AlertKind {
    /// The word kept in the log.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::Sign => "sign",
            AlertKind::Spreading => "spreading",
            AlertKind::Flare => "flare",
            AlertKind::HighPain => "high-pain",
            AlertKind::RedSessions => "red-sessions",
            AlertKind::HurtTwice => "hurt-twice",
            AlertKind::Quiet => "quiet",
        }
    }

    /// The kind of a word [`AlertKind::as_str`] gave.
    pub fn parse(word: &str) -> Option<AlertKind> {
        AlertKind::ALL.into_iter().find(|k| k.as_str() == word)
    }

    /// Every kind.
    pub const ALL: [AlertKind; 7] = [
        AlertKind::Sign,
        AlertKind::Spreading,
        AlertKind::Flare,
        AlertKind::HighPain,
        AlertKind::RedSessions,
        AlertKind::HurtTwice,
        AlertKind::Quiet,
    ];

    /// What the kind is, in a few words that name no symptom, score or exercise: what a
    /// message that leaves the server (an e-mail) says of an alert, the rest being behind the
    /// clinician's login.
    pub fn summary(self) -> &'static str {
        match self {
            AlertKind::Sign => "a warning sign in their check",
            AlertKind::Spreading => "a change in their symptoms",
            AlertKind::Flare => "a flare",
            AlertKind::HighPain => "high pain",
            AlertKind::RedSessions => "two red sessions among the last three",
            AlertKind::HurtTwice => "an exercise that hurt twice",
            AlertKind::Quiet => "no session for a while",
        }
    }
}

/// One alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// What it is about, the same each time it is worked out.
    pub key: String,
    /// Its kind.
    pub kind: AlertKind,
    /// What happened, in a sentence, for the clinician.
    pub text: String,
    /// When it happened.
    pub at: Stamp,
}

/// A session with its pain scores, as the alerts read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scored {
    /// The session's uid.
    pub uid: String,
    /// When it started.
    pub at: Stamp,
    /// Pain before, 0-10.
    pub before: Option<u8>,
    /// Pain after, 0-10.
    pub after: Option<u8>,
    /// Whether soreness had settled by the next morning, when asked.
    pub settled: Option<bool>,
}

/// What of a patient's recent log the alerts read.
#[derive(Debug, Clone, Copy)]
pub struct Recent<'a> {
    /// The recent sessions with a score, newest first.
    pub sessions: &'a [Scored],
    /// The latest warning-sign check.
    pub check: Option<&'a Screening>,
    /// The warning signs, to know each one's urgency and name.
    pub flags: &'a [RedFlag],
    /// The exercises the pain rules leave out (they hurt twice lately).
    pub blocked: &'a [String],
    /// The recent hurts, to name the one that made an exercise left out.
    pub hurts: &'a [Hurt],
}

/// The alerts a patient's recent log raises, oldest first.
pub fn alerts(r: &Recent<'_>) -> Vec<Alert> {
    let mut out = Vec::new();
    signs(r, &mut out);
    let rated: Vec<(&Scored, SessionPain)> = r
        .sessions
        .iter()
        .filter_map(|s| {
            Some((
                s,
                SessionPain {
                    day: s.at.day(),
                    before: s.before?,
                    after: s.after?,
                    settled: s.settled,
                },
            ))
        })
        .collect();
    let pains: Vec<SessionPain> = rated.iter().map(|(_, p)| *p).collect();
    for (i, (s, p)) in rated.iter().enumerate() {
        let date = s.at.local().format("%a %-d %b");
        if p.is_flare() {
            let text = if super::safety::is_flare(p.before, p.after) {
                format!(
                    "A flare on {date}: pain {} before, {} after.",
                    p.before, p.after
                )
            } else {
                format!("A flare on {date}: soreness had not settled by the next morning.")
            };
            out.push(alert(
                AlertKind::Flare,
                format!("flare:{}", s.uid),
                text,
                s.at,
            ));
        } else if light(Some(p.before), p.after) == Light::Red
            && trigger(&pains, i) == Some(Why::RedSessions)
        {
            let text = format!("Two red sessions among the last three, the latest on {date}.");
            out.push(alert(
                AlertKind::RedSessions,
                format!("red:{}", s.uid),
                text,
                s.at,
            ));
        }
    }
    for s in r.sessions {
        let high = [s.before, s.after].into_iter().flatten().max();
        if let Some(n) = high.filter(|n| *n >= HIGH_PAIN) {
            let text = format!("Pain {n} of 10 on {}.", s.at.local().format("%a %-d %b"));
            out.push(alert(
                AlertKind::HighPain,
                format!("pain:{}", s.uid),
                text,
                s.at,
            ));
        }
    }
    for exercise in r.blocked {
        let Some(last) = r
            .hurts
            .iter()
            .filter(|h| &h.exercise == exercise)
            .max_by_key(|h| (h.day, h.session.0))
        else {
            continue;
        };
        let text = format!(
            "{exercise} hurt in two sessions lately, the latest on {}: their plans leave it out.",
            last.day.format("%a %-d %b")
        );
        let at = Stamp::earliest_on(last.day);
        let key = format!("hurt:{exercise}:{}", last.session.0);
        out.push(alert(AlertKind::HurtTwice, key, text, at));
    }
    out.sort_by_key(|a| a.at.utc_s);
    out
}

/// The check's signs that alert: emergency or same-day ones, and spreading symptoms.
fn signs(r: &Recent<'_>, out: &mut Vec<Alert>) {
    let Some(check) = r.check else { return };
    for (id, _) in check.answers.iter().filter(|(_, yes)| **yes) {
        let Some(flag) = r.flags.iter().find(|f| &f.id == id) else {
            continue;
        };
        let (kind, what) = match flag.urgency {
            _ if id == SPREADING => (AlertKind::Spreading, "It spread"),
            Urgency::Emergency => (AlertKind::Sign, "An emergency sign"),
            Urgency::SameDay => (AlertKind::Sign, "A sign that needs medical help today"),
            Urgency::Soon | Urgency::Advice => continue,
        };
        let text = format!(
            "{what} on {}: {}.",
            check.at.local().format("%a %-d %b"),
            flag.sign
        );
        let key = format!("sign:{}:{id}", check.at.utc_s);
        out.push(alert(kind, key, text, check.at));
    }
}

/// The alert a patient raises by going quiet: no session in the `days` days (24 hours each)
/// since their last one, or since they joined the clinician's care when that came later (a
/// patient added with an old log, or none yet, is counted from joining). Keyed by the day the
/// quiet stretch began, so one stretch alerts once however often this is worked out, and a
/// new stretch after a later session alerts again. It happened when the stretch reached
/// `days` days.
pub fn quiet(last: Option<Stamp>, joined: Stamp, days: u32, now: Stamp) -> Option<Alert> {
    let session = last.filter(|l| l.utc_s >= joined.utc_s);
    let from = session.unwrap_or(joined);
    let at = from.plus_seconds(i64::from(days) * 86_400);
    if days == 0 || now.utc_s < at.utc_s {
        return None;
    }
    let date = from.local().format("%a %-d %b");
    let plural = if days == 1 { "" } else { "s" };
    let text = match session {
        Some(_) => format!("No session for {days} day{plural}: the last was on {date}."),
        None => format!("No session in the {days} day{plural} since they were added on {date}."),
    };
    let key = format!("quiet:{}", from.day());
    Some(alert(AlertKind::Quiet, key, text, at))
}

fn alert(kind: AlertKind, key: String, text: String, at: Stamp) -> Alert {
    Alert {
        key,
        kind,
        text,
        at,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::safety::{ScreeningVerdict, red_flags};
    use crate::session::SessionId;

    fn at(day: u32, hour: u32) -> Stamp {
        Stamp::parse(&format!("2026-11-{day:02}T{hour:02}:00:00+01:00")).unwrap()
    }

    fn scored(uid: &str, day: u32, before: u8, after: u8) -> Scored {
        Scored {
            uid: uid.into(),
            at: at(day, 8),
            before: Some(before),
            after: Some(after),
            settled: None,
        }
    }

    fn recent<'a>(sessions: &'a [Scored]) -> Recent<'a> {
        Recent {
            sessions,
            check: None,
            flags: red_flags().unwrap(),
            blocked: &[],
            hurts: &[],
        }
    }

    fn kinds(a: &[Alert]) -> Vec<(&'static str, &str)> {
        a.iter()
            .map(|a| (a.kind.as_str(), a.key.as_str()))
            .collect()
    }

    #[test]
    fn a_calm_log_raises_nothing() {
        let s = [
            scored("c", 3, 4, 3),
            scored("b", 2, 4, 4),
            scored("a", 1, 5, 3),
        ];
        assert!(alerts(&recent(&s)).is_empty());
    }

    #[test]
    fn a_flare_high_pain_and_red_sessions_each_raise_one_alert_keyed_by_session() {
        // Newest first: a flare (3 -> 6), then two reds among three (6 -> 7 twice), and 8.
        let s = [
            scored("e", 5, 3, 6),
            scored("d", 4, 6, 7),
            scored("c", 3, 6, 7),
            scored("b", 2, 8, 5),
        ];
        let a = alerts(&recent(&s));
        assert_eq!(
            kinds(&a),
            [
                ("high-pain", "pain:b"),
                ("red-sessions", "red:d"),
                ("flare", "flare:e"),
            ],
            "{a:#?}"
        );
        assert_eq!(a[2].text, "A flare on Thu 5 Nov: pain 3 before, 6 after.");
        // The same log gives the same keys: a store keeping keys once alerts once.
        assert_eq!(alerts(&recent(&s)), a);
    }

    #[test]
    fn soreness_not_settled_by_morning_is_a_flare() {
        let s = [Scored {
            settled: Some(false),
            ..scored("a", 1, 4, 4)
        }];
        let a = alerts(&recent(&s));
        assert_eq!(kinds(&a), [("flare", "flare:a")]);
        assert!(a[0].text.contains("not settled"), "{}", a[0].text);
    }

    #[test]
    fn emergency_same_day_and_spreading_signs_alert_and_soon_ones_do_not() {
        let flags = red_flags().unwrap();
        let of = |u: Urgency| {
            flags
                .iter()
                .find(|f| f.urgency == u && f.id != SPREADING)
                .unwrap()
        };
        let yes: BTreeMap<String, bool> = [
            (of(Urgency::Emergency).id.clone(), true),
            (of(Urgency::SameDay).id.clone(), true),
            (of(Urgency::Soon).id.clone(), true),
            (SPREADING.to_string(), true),
            (of(Urgency::Emergency).id.clone() + "-not-asked", false),
        ]
        .into();
        let check = Screening {
            at: at(6, 9),
            areas: vec![],
            answers: yes,
            verdict: ScreeningVerdict::Emergency,
            assessed: None,
            since: BTreeMap::new(),
        };
        let r = Recent {
            check: Some(&check),
            ..recent(&[])
        };
        let a = alerts(&r);
        let mut k: Vec<&str> = a.iter().map(|a| a.kind.as_str()).collect();
        k.sort_unstable();
        assert_eq!(k, ["sign", "sign", "spreading"], "{a:#?}");
        assert!(
            a.iter()
                .all(|a| a.key.starts_with(&format!("sign:{}:", at(6, 9).utc_s)))
        );
    }

    #[test]
    fn an_exercise_left_out_alerts_once_per_latest_hurt() {
        let hurt = |day: u32, id: i64| Hurt {
            day: at(day, 8).day(),
            session: SessionId(id),
            exercise: "bridge".into(),
        };
        let hurts = [hurt(2, 11), hurt(4, 14)];
        let blocked = ["bridge".to_string()];
        let r = Recent {
            blocked: &blocked,
            hurts: &hurts,
            ..recent(&[])
        };
        let a = alerts(&r);
        assert_eq!(kinds(&a), [("hurt-twice", "hurt:bridge:14")]);
        assert!(
            a[0].text
                .starts_with("bridge hurt in two sessions lately, the latest on Wed 4 Nov")
        );
    }

    #[test]
    fn a_patient_quiet_for_their_days_alerts_once_per_quiet_stretch() {
        let joined = at(1, 9);
        // Not yet: six days and 23 hours after the last session.
        assert_eq!(quiet(Some(at(2, 8)), joined, 7, at(9, 7)), None);
        let a = quiet(Some(at(2, 8)), joined, 7, at(9, 8)).unwrap();
        assert_eq!(
            (a.kind, a.key.as_str(), a.at),
            (AlertKind::Quiet, "quiet:2026-11-02", at(9, 8))
        );
        assert_eq!(a.text, "No session for 7 days: the last was on Mon 2 Nov.");
        // Worked out again later in the same stretch: the same alert, so it is kept once.
        assert_eq!(quiet(Some(at(2, 8)), joined, 7, at(20, 8)), Some(a.clone()));
        // A later session starts a new stretch, which alerts again under its own key.
        assert_eq!(quiet(Some(at(12, 8)), joined, 7, at(15, 8)), None);
        let again = quiet(Some(at(12, 8)), joined, 7, at(19, 8)).unwrap();
        assert_eq!(again.key, "quiet:2026-11-12");
        assert_ne!(again.key, a.key);
    }

    #[test]
    fn a_patient_with_no_session_counts_from_joining_and_the_days_are_theirs() {
        let joined = at(1, 9);
        assert_eq!(quiet(None, joined, 3, at(4, 8)), None);
        let a = quiet(None, joined, 3, at(4, 9)).unwrap();
        assert_eq!(a.key, "quiet:2026-11-01");
        assert_eq!(
            a.text,
            "No session in the 3 days since they were added on Sun 1 Nov."
        );
        let one = quiet(Some(at(3, 8)), joined, 1, at(4, 8)).unwrap();
        assert_eq!(one.text, "No session for 1 day: the last was on Tue 3 Nov.");
        // Zero days is never a stretch (the server refuses it; the rule says nothing).
        assert_eq!(quiet(None, joined, 0, at(30, 9)), None);
        // A log older than joining counts from joining: being added is not a lapse.
        assert_eq!(quiet(Some(at(1, 8)), at(2, 9), 7, at(9, 8)), None);
        let added = quiet(Some(at(1, 8)), at(2, 9), 7, at(9, 9)).unwrap();
        assert_eq!(added.key, "quiet:2026-11-02");
        assert!(
            added.text.contains("since they were added"),
            "{}",
            added.text
        );
    }

    #[test]
    fn each_kind_reads_back_from_its_word_and_has_a_summary_naming_no_detail() {
        for k in AlertKind::ALL {
            assert_eq!(AlertKind::parse(k.as_str()), Some(k));
            assert!(!k.summary().chars().any(|c| c.is_ascii_digit()), "{k:?}");
        }
        assert_eq!(AlertKind::parse("nothing"), None);
    }
}
