//! Exports people already use: the whole log as JSON (which `import` reads back) and CSV, a
//! reminder calendar (iCalendar, RFC 5545), and an HL7 FHIR R4 Bundle for a clinician.

use backstretch_core::session::StepRecord;
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc, Weekday};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The export file's format name.
pub const FORMAT: &str = "backstretch-log";
/// The export file's version.
pub const VERSION: u32 = 1;

/// The whole log, as `export json` writes it and `import` reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportFile {
    /// Always `backstretch-log`.
    pub format: String,
    /// Always 1 for now.
    pub version: u32,
    /// Every session, oldest first.
    pub sessions: Vec<SessionExport>,
}

/// One session with its steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionExport {
    /// Stable id; importing skips sessions already present.
    pub uid: String,
    /// Start, RFC 3339 with the local offset.
    pub started_at: String,
    /// End, if it ended.
    pub ended_at: Option<String>,
    /// Last sign of life from its player.
    pub heartbeat_at: String,
    /// `player` or `manual`.
    pub source: String,
    /// The routine played (the plan JSON).
    pub routine: Value,
    /// Seconds planned.
    pub planned_s: u32,
    /// Pain before, 0-10.
    pub pain_before: Option<u8>,
    /// Pain after, 0-10.
    pub pain_after: Option<u8>,
    /// `completed`, `stopped`, or null if it never ended.
    pub outcome: Option<String>,
    /// Every step logged, in order.
    pub steps: Vec<StepRecord>,
}

/// The CSV columns, documented in the README.
pub const CSV_COLUMNS: [&str; 18] = [
    "session_uid",
    "session_started_at",
    "session_ended_at",
    "session_source",
    "session_outcome",
    "pain_before",
    "pain_after",
    "session_planned_s",
    "step",
    "step_kind",
    "exercise_id",
    "side",
    "rep",
    "step_planned_s",
    "step_done_ms",
    "step_outcome",
    "step_at",
    "session_step_count",
];

/// The log as CSV: one row per step, each with its session's columns; a session without
/// steps has one row with the step columns empty.
pub fn csv(file: &ExportFile) -> Result<String, String> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_COLUMNS).map_err(|e| e.to_string())?;
    let opt = |v: Option<u8>| v.map(|x| x.to_string()).unwrap_or_default();
    for s in &file.sessions {
        let head = [
            s.uid.clone(),
            s.started_at.clone(),
            s.ended_at.clone().unwrap_or_default(),
            s.source.clone(),
            s.outcome.clone().unwrap_or_else(|| "interrupted".into()),
            opt(s.pain_before),
            opt(s.pain_after),
            s.planned_s.to_string(),
        ];
        let count = s.steps.len().to_string();
        if s.steps.is_empty() {
            let mut row: Vec<String> = head.to_vec();
            row.extend(std::iter::repeat_n(String::new(), 9));
            row.push(count.clone());
            w.write_record(&row).map_err(|e| e.to_string())?;
        }
        for st in &s.steps {
            let mut row: Vec<String> = head.to_vec();
            row.extend([
                st.step.to_string(),
                st.kind.clone(),
                st.exercise_id.clone().unwrap_or_default(),
                st.side.clone().unwrap_or_default(),
                st.rep.to_string(),
                st.planned_s.to_string(),
                st.done_ms.to_string(),
                st.outcome.clone(),
                st.at.clone(),
                count.clone(),
            ]);
            w.write_record(&row).map_err(|e| e.to_string())?;
        }
    }
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

/// Escapes a TEXT value (RFC 5545 section 3.3.11).
fn ics_text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace('\n', "\\n")
}

/// Folds a content line at 75 octets, never inside a UTF-8 character (RFC 5545 3.1).
pub fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut len = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if len + n > 75 {
            out.push_str("\r\n ");
            len = 1;
        }
        out.push(c);
        len += n;
    }
    out.push_str("\r\n");
    out
}

/// What a reminder calendar says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    /// Stable id: the same settings always give the same UID, so calendar apps update the
    /// event instead of adding another.
    pub uid: String,
    /// The first day it occurs.
    pub first_day: NaiveDate,
    /// Local (floating) time of day.
    pub time: NaiveTime,
    /// Days of the week, or every day when empty.
    pub days: Vec<Weekday>,
    /// Minutes a session takes.
    pub minutes: u32,
    /// When the file was made (DTSTAMP).
    pub stamp: DateTime<Utc>,
    /// The event's description.
    pub description: String,
}

fn byday(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

/// A reminder calendar: one recurring event (daily, or on the chosen weekdays) with an alarm.
pub fn ics(r: &Reminder) -> String {
    let rrule = if r.days.is_empty() {
        "FREQ=DAILY".to_string()
    } else {
        format!(
            "FREQ=WEEKLY;BYDAY={}",
            r.days
                .iter()
                .map(|d| byday(*d))
                .collect::<Vec<_>>()
                .join(",")
        )
    };
    let start = r.first_day.and_time(r.time);
    let lines = [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//backstretch//stretching reminders//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        "BEGIN:VEVENT".into(),
        format!("UID:{}", r.uid),
        format!("DTSTAMP:{}", r.stamp.format("%Y%m%dT%H%M%SZ")),
        format!("DTSTART:{}", start.format("%Y%m%dT%H%M%S")),
        format!("DURATION:PT{}M", r.minutes.max(1)),
        format!("RRULE:{rrule}"),
        format!(
            "SUMMARY:{}",
            ics_text(&format!("Stretch for your back ({} min)", r.minutes))
        ),
        format!("DESCRIPTION:{}", ics_text(&r.description)),
        "CATEGORIES:HEALTH".into(),
        "TRANSP:TRANSPARENT".into(),
        "BEGIN:VALARM".into(),
        "ACTION:DISPLAY".into(),
        format!(
            "DESCRIPTION:{}",
            ics_text("Time to stretch: run backstretch start")
        ),
        "TRIGGER:PT0M".into(),
        "END:VALARM".into(),
        "END:VEVENT".into(),
        "END:VCALENDAR".into(),
    ];
    lines.iter().map(|l| fold(l)).collect()
}

/// A UUID-shaped id derived from text, so exports are deterministic.
pub fn uuid_from(text: &str) -> String {
    let mut a = 0xcbf2_9ce4_8422_2325u64;
    let mut b = 0x8422_2325_cbf2_9ce4u64;
    for byte in text.bytes() {
        a = (a ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        b = (b ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3 | 1 << 40);
    }
    let hex = format!("{a:016x}{b:016x}");
    format!(
        "{}-{}-5{}-a{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

/// One activity of the care plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CareActivity {
    /// Exercise name.
    pub name: String,
    /// The dose, in words.
    pub dose: String,
}

/// The care plan part of the FHIR export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarePlanSpec {
    /// Its title.
    pub title: String,
    /// Sessions a week asked for.
    pub per_week: u32,
    /// The routine's exercises.
    pub activities: Vec<CareActivity>,
}

fn pain_observation(patient: &str, uid: &str, which: &str, when: &str, value: u8) -> Value {
    json!({
        "fullUrl": format!("urn:uuid:{}", uuid_from(&format!("{uid}/{which}"))),
        "resource": {
            "resourceType": "Observation",
            "status": "final",
            "category": [{"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                "code": "survey",
                "display": "Survey"
            }]}],
            "code": {
                "coding": [{
                    "system": "http://loinc.org",
                    "code": "72514-3",
                    "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported"
                }],
                "text": format!("Pain {which} stretching")
            },
            "subject": {"reference": format!("urn:uuid:{patient}")},
            "effectiveDateTime": when,
            "valueInteger": value
        }
    })
}

/// An HL7 FHIR R4 Bundle (type collection): a Patient placeholder without personal data,
/// one Observation per pain score (LOINC 72514-3, valueInteger), and a CarePlan whose
/// activities are the routine's exercises with their doses.
pub fn fhir(file: &ExportFile, owner: &str, plan: Option<&CarePlanSpec>, created: &str) -> Value {
    let patient = uuid_from(&format!("patient/{owner}"));
    let mut entries = vec![json!({
        "fullUrl": format!("urn:uuid:{patient}"),
        "resource": {
            "resourceType": "Patient",
            "active": true,
            "text": {"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">backstretch user (no personal data exported)</div>"}
        }
    })];
    for s in &file.sessions {
        if let Some(v) = s.pain_before {
            entries.push(pain_observation(
                &patient,
                &s.uid,
                "before",
                &s.started_at,
                v,
            ));
        }
        if let (Some(v), Some(end)) = (s.pain_after, s.ended_at.as_deref()) {
            entries.push(pain_observation(&patient, &s.uid, "after", end, v));
        }
    }
    if let Some(p) = plan {
        let activities: Vec<Value> = p
            .activities
            .iter()
            .map(|a| {
                json!({"detail": {
                    "kind": "ServiceRequest",
                    "code": {"text": a.name},
                    "status": "scheduled",
                    "description": format!("{}: {}", a.name, a.dose),
                    "scheduledTiming": {"repeat": {"frequency": p.per_week, "period": 1, "periodUnit": "wk"}}
                }})
            })
            .collect();
        entries.push(json!({
            "fullUrl": format!("urn:uuid:{}", uuid_from(&format!("careplan/{owner}"))),
            "resource": {
                "resourceType": "CarePlan",
                "status": "active",
                "intent": "plan",
                "title": p.title,
                "description": "Self-managed stretching routine for back and neck pain, planned by backstretch from practitioners' advice. General education, not a prescription.",
                "subject": {"reference": format!("urn:uuid:{patient}")},
                "created": created,
                "activity": activities
            }
        }));
    }
    json!({
        "resourceType": "Bundle",
        "id": uuid_from(&format!("bundle/{owner}/{created}")),
        "type": "collection",
        "timestamp": created,
        "entry": entries
    })
}

/// The days a weekly goal spreads its sessions over, when none are chosen.
pub fn spread_days(per_week: u32) -> Vec<Weekday> {
    use Weekday::{Fri, Mon, Sat, Thu, Tue, Wed};
    match per_week {
        0 | 7.. => vec![],
        1 => vec![Wed],
        2 => vec![Tue, Fri],
        3 => vec![Mon, Wed, Fri],
        4 => vec![Mon, Tue, Thu, Fri],
        5 => vec![Mon, Tue, Wed, Thu, Fri],
        _ => vec![Mon, Tue, Wed, Thu, Fri, Sat],
    }
}

/// The first day on or after `today` that the reminder falls on, given the time now.
pub fn first_day(today: NaiveDate, now: NaiveTime, time: NaiveTime, days: &[Weekday]) -> NaiveDate {
    let mut d = today;
    if now >= time {
        d += chrono::Duration::days(1);
    }
    while !days.is_empty() && !days.contains(&d.weekday()) {
        d += chrono::Duration::days(1);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ExportFile {
        ExportFile {
            format: FORMAT.into(),
            version: VERSION,
            sessions: vec![
                SessionExport {
                    uid: "abc".into(),
                    started_at: "2026-11-20T18:00:00+01:00".into(),
                    ended_at: Some("2026-11-20T18:10:00+01:00".into()),
                    heartbeat_at: "2026-11-20T18:10:00+01:00".into(),
                    source: "player".into(),
                    routine: json!({"items": []}),
                    planned_s: 600,
                    pain_before: Some(5),
                    pain_after: Some(3),
                    outcome: Some("completed".into()),
                    steps: vec![StepRecord {
                        step: 1,
                        kind: "hold".into(),
                        exercise_id: Some("bridge".into()),
                        side: None,
                        rep: 1,
                        planned_s: 5,
                        done_ms: 5000,
                        outcome: "done".into(),
                        at: "2026-11-20T18:00:20+01:00".into(),
                    }],
                },
                SessionExport {
                    uid: "def".into(),
                    started_at: "2026-11-21T08:00:00+01:00".into(),
                    ended_at: None,
                    heartbeat_at: "2026-11-21T08:00:00+01:00".into(),
                    source: "player".into(),
                    routine: json!({}),
                    planned_s: 300,
                    pain_before: None,
                    pain_after: None,
                    outcome: None,
                    steps: vec![],
                },
            ],
        }
    }

    #[test]
    fn csv_has_a_row_per_step_and_reads_back() {
        let text = csv(&sample()).unwrap();
        let mut r = ::csv::Reader::from_reader(text.as_bytes());
        let headers: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
        assert_eq!(headers, CSV_COLUMNS);
        let rows: Vec<::csv::StringRecord> = r.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[0][10], "bridge");
        assert_eq!(&rows[0][4], "completed");
        assert_eq!(&rows[1][4], "interrupted");
        assert_eq!(&rows[1][8], "");
    }

    #[test]
    fn folding_keeps_lines_within_75_octets_and_characters_whole() {
        let long = format!("DESCRIPTION:{}", "é".repeat(100));
        let folded = fold(&long);
        for l in folded.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets", l.len());
        }
        let unfolded = folded.replace("\r\n ", "");
        assert_eq!(unfolded.trim_end(), long);
        assert_eq!(ics_text("a;b,c\\d\ne"), "a\\;b\\,c\\\\d\\ne");
    }

    fn reminder(days: Vec<Weekday>) -> Reminder {
        Reminder {
            uid: "backstretch-reminder-1234@backstretch".into(),
            first_day: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            time: NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
            days,
            minutes: 10,
            stamp: DateTime::parse_from_rfc3339("2026-11-21T09:00:00Z").unwrap().with_timezone(&Utc),
            description: "Today's routine: Pelvic tilt, Bridge; never stretch into pain, and stop if it hurts.".into(),
        }
    }

    #[test]
    fn the_calendar_parses_with_a_real_parser() {
        use icalendar::{Calendar, Component};
        let text = ics(&reminder(vec![Weekday::Mon, Weekday::Wed, Weekday::Fri]));
        assert!(text.lines().all(|l| l.len() <= 76), "folded");
        assert!(text.contains("\r\n"));
        let cal: Calendar = text.parse().unwrap();
        let events: Vec<_> = cal.events().collect();
        assert_eq!(events.len(), 1);
        let e = events[0];
        assert_eq!(e.get_summary(), Some("Stretch for your back (10 min)"));
        assert_eq!(e.get_uid(), Some("backstretch-reminder-1234@backstretch"));
        assert_eq!(
            e.property_value("RRULE"),
            Some("FREQ=WEEKLY;BYDAY=MO,WE,FR")
        );
        assert_eq!(
            e.get_description(),
            Some(
                "Today's routine: Pelvic tilt, Bridge; never stretch into pain, and stop if it hurts."
            )
        );
        let daily = ics(&reminder(vec![]));
        assert!(daily.contains("RRULE:FREQ=DAILY\r\n"));
        assert!(daily.contains("BEGIN:VALARM\r\nACTION:DISPLAY"));
        insta::assert_snapshot!(daily.replace("\r\n", "\n"));
    }

    #[test]
    fn reminder_days_and_first_day() {
        assert_eq!(
            spread_days(3),
            vec![Weekday::Mon, Weekday::Wed, Weekday::Fri]
        );
        assert!(spread_days(7).is_empty());
        let sat = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
        assert_eq!(first_day(sat, t(7), t(8), &[]), sat, "later today");
        assert_eq!(
            first_day(sat, t(9), t(8), &[]),
            sat.succ_opt().unwrap(),
            "tomorrow"
        );
        assert_eq!(
            first_day(sat, t(7), t(8), &spread_days(3)).weekday(),
            Weekday::Mon
        );
    }

    #[test]
    fn fhir_bundle_has_pain_observations_and_a_care_plan() {
        let plan = CarePlanSpec {
            title: "Stretching routine".into(),
            per_week: 3,
            activities: vec![CareActivity {
                name: "Bridge".into(),
                dose: "hold 5 s x 8".into(),
            }],
        };
        let b = fhir(
            &sample(),
            "/home/me",
            Some(&plan),
            "2026-11-21T09:00:00+01:00",
        );
        assert_eq!(b["resourceType"], "Bundle");
        assert_eq!(b["type"], "collection");
        let entries = b["entry"].as_array().unwrap();
        let obs: Vec<&Value> = entries
            .iter()
            .filter(|e| e["resource"]["resourceType"] == "Observation")
            .collect();
        assert_eq!(
            obs.len(),
            2,
            "pain before and after of the one session with scores"
        );
        for o in &obs {
            let r = &o["resource"];
            assert_eq!(r["code"]["coding"][0]["code"], "72514-3");
            assert_eq!(r["code"]["coding"][0]["system"], "http://loinc.org");
            assert!(r["valueInteger"].is_u64());
            assert!(r["effectiveDateTime"].is_string());
            assert!(o["fullUrl"].as_str().unwrap().starts_with("urn:uuid:"));
        }
        let cp = entries
            .iter()
            .find(|e| e["resource"]["resourceType"] == "CarePlan")
            .unwrap();
        assert_eq!(cp["resource"]["intent"], "plan");
        assert_eq!(
            cp["resource"]["activity"][0]["detail"]["code"]["text"],
            "Bridge"
        );
        let patient = entries[0]["fullUrl"].as_str().unwrap();
        assert_eq!(cp["resource"]["subject"]["reference"], patient);
        assert_eq!(
            b,
            fhir(
                &sample(),
                "/home/me",
                Some(&plan),
                "2026-11-21T09:00:00+01:00"
            ),
            "deterministic"
        );
    }

    #[test]
    fn export_json_round_trips() {
        let f = sample();
        let text = serde_json::to_string_pretty(&f).unwrap();
        assert_eq!(serde_json::from_str::<ExportFile>(&text).unwrap(), f);
    }
}
