use backstretch_core::exchange::{CareActivity, CarePlan, FORMAT, LogFile, LogSession, VERSION};
use backstretch_core::player::Outcome;
use backstretch_core::reminder::Reminder;
use backstretch_core::session::{Ending, SessionSource, StepRecord};
use backstretch_core::time::Stamp;
use backstretch_core::timeline::StepKind;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc, Weekday};
use serde_json::{Value, json};

use super::*;

fn t(s: &str) -> Stamp {
    Stamp::parse(s).unwrap()
}

fn sample() -> LogFile {
    LogFile {
        format: FORMAT.into(),
        version: VERSION,
        sessions: vec![
            LogSession {
                uid: "abc".into(),
                started_at: t("2026-11-20T18:00:00+01:00"),
                ended_at: Some(t("2026-11-20T18:10:00+01:00")),
                heartbeat_at: t("2026-11-20T18:10:00+01:00"),
                source: SessionSource::Player,
                routine: json!({"items": []}),
                planned_s: 600,
                pain_before: Some(5),
                pain_after: Some(3),
                outcome: Some(Ending::Completed),
                steps: vec![StepRecord {
                    step: 1,
                    kind: StepKind::Hold,
                    exercise_id: Some("bridge".into()),
                    side: None,
                    rep: 1,
                    planned_s: 5,
                    done_ms: 5000,
                    outcome: Outcome::Done,
                    at: t("2026-11-20T18:00:20+01:00"),
                    rating: None,
                }],
                settled: None,
            },
            LogSession {
                uid: "def".into(),
                started_at: t("2026-11-21T08:00:00+01:00"),
                ended_at: None,
                heartbeat_at: t("2026-11-21T08:00:00+01:00"),
                source: SessionSource::Player,
                routine: json!({}),
                planned_s: 300,
                pain_before: None,
                pain_after: None,
                outcome: None,
                steps: vec![],
                settled: None,
            },
        ],
        profile: None,
        profile_saved_at: None,
        clearances: Vec::new(),
        sheets: Vec::new(),
        prescriptions: Vec::new(),
        messages: Vec::new(),
        function: Vec::new(),
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
    assert_eq!(&rows[0][1], "2026-11-20T18:00:00+01:00");
    assert_eq!(&rows[1][4], "interrupted");
    assert_eq!(&rows[1][8], "");
}

fn reminder(days: Vec<Weekday>) -> Reminder {
    Reminder {
        uid: "backstretch-reminder-1234@backstretch".into(),
        first_day: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        time: NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
        days,
        minutes: 10,
        stamp: DateTime::parse_from_rfc3339("2026-11-21T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc),
        description: "Today's routine: Pelvic tilt, Bridge; never stretch into pain, and stop if it hurts, even a little, because a long description must fold."
            .into(),
        paused: None,
    }
}

#[test]
fn the_calendar_parses_with_a_real_parser_and_is_deterministic() {
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
        Some(reminder(vec![]).description.as_str())
    );
    let daily = ics(&reminder(vec![]));
    assert!(daily.contains("RRULE:FREQ=DAILY\r\n"));
    assert!(daily.contains("BEGIN:VALARM\r\n"));
    assert!(daily.contains("ACTION:DISPLAY\r\n"));
    assert_eq!(daily, ics(&reminder(vec![])), "deterministic");
    insta::assert_snapshot!(daily.replace("\r\n", "\n"));
}

/// A care plan of one exercise, three times a week; on hold for `paused`.
fn bridge_plan(paused: Option<&str>) -> CarePlan {
    CarePlan {
        title: "Stretching routine".into(),
        per_week: 3,
        activities: vec![CareActivity {
            name: "Bridge".into(),
            dose: "hold 5 s x 8".into(),
        }],
        paused: paused.map(Into::into),
    }
}

#[test]
fn fhir_bundle_has_pain_observations_and_a_care_plan() {
    let plan = bridge_plan(None);
    let b = fhir(
        &sample(),
        "/home/me",
        Some(&plan),
        None,
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
        let url = o["fullUrl"].as_str().unwrap();
        let id = uuid::Uuid::parse_str(url.trim_start_matches("urn:uuid:")).unwrap();
        assert_eq!(id.get_version_num(), 5, "a true name-based UUID");
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
            None,
            "2026-11-21T09:00:00+01:00"
        ),
        "deterministic"
    );
}

/// The programme is a ServiceRequest based on the CarePlan; each session a Procedure based on
/// it (completed, or unknown while it has no end), over the time it took; each pain score an
/// Observation part of its session's Procedure. A prescription, passed in, makes the request
/// an order with its prescriber and date.
#[test]
fn fhir_bundle_has_the_programme_as_a_service_request_and_sessions_as_procedures() {
    let plan = bridge_plan(None);
    let created = "2026-11-21T09:00:00+01:00";
    let b = fhir(&sample(), "/home/me", Some(&plan), None, created);
    let entries = b["entry"].as_array().unwrap();
    let of = |kind: &str| -> Vec<&Value> {
        entries
            .iter()
            .filter(|e| e["resource"]["resourceType"] == kind)
            .collect()
    };
    let (care, requests) = (of("CarePlan"), of("ServiceRequest"));
    assert_eq!((care.len(), requests.len()), (1, 1));
    let sr = &requests[0]["resource"];
    assert_eq!(
        (&sr["intent"], &sr["status"]),
        (&json!("plan"), &json!("active"))
    );
    assert_eq!(sr["orderDetail"][0]["text"], "Bridge: hold 5 s x 8");
    assert_eq!(sr["basedOn"][0]["reference"], care[0]["fullUrl"]);
    assert_eq!(sr["occurrenceTiming"]["repeat"]["frequency"], 3);
    assert!(sr.get("requester").is_none());
    let procedures = of("Procedure");
    assert_eq!(procedures.len(), 2, "one per session");
    let (done, open) = (&procedures[0]["resource"], &procedures[1]["resource"]);
    assert_eq!(done["status"], "completed");
    assert_eq!(
        done["performedPeriod"],
        json!({"start": "2026-11-20T18:00:00+01:00", "end": "2026-11-20T18:10:00+01:00"})
    );
    assert_eq!(done["basedOn"][0]["reference"], requests[0]["fullUrl"]);
    assert_eq!(open["status"], "unknown");
    assert!(open["performedPeriod"].get("end").is_none());
    for o in of("Observation") {
        assert_eq!(
            o["resource"]["partOf"][0]["reference"],
            procedures[0]["fullUrl"]
        );
        assert_eq!(o["resource"]["code"]["coding"][0]["code"], "72514-3");
    }
    insta::assert_snapshot!(serde_json::to_string_pretty(&b).unwrap());
    // A clinician's prescription: an order, with who and when.
    let by = Prescribed {
        by: "Ann Physio",
        on: "2026-11-02",
    };
    let b = fhir(&sample(), "/home/me", Some(&plan), Some(&by), created);
    let sr = &b["entry"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["resource"]["resourceType"] == "ServiceRequest")
        .unwrap()["resource"];
    assert_eq!(sr["intent"], "order");
    assert_eq!(sr["requester"]["display"], "Ann Physio");
    assert_eq!(sr["authoredOn"], "2026-11-02");
    // Without a plan: no CarePlan or ServiceRequest, and the procedures stand alone.
    let b = fhir(&sample(), "/home/me", None, None, created);
    let kinds: Vec<&str> = b["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource"]["resourceType"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "Patient",
            "Procedure",
            "Observation",
            "Observation",
            "Procedure"
        ]
    );
}

/// While a warning sign blocks plans the care plan is on hold with its reason, and the
/// reminder's events say that stretching is paused.
#[test]
fn a_blocked_plan_is_exported_on_hold_and_paused() {
    let why = "Paused: a warning sign was reported (unexplained weight loss).";
    let plan = bridge_plan(Some(why));
    let b = fhir(
        &sample(),
        "/home/me",
        Some(&plan),
        None,
        "2026-11-21T09:00:00+01:00",
    );
    let cp = &b["entry"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["resource"]["resourceType"] == "CarePlan")
        .unwrap()["resource"];
    assert_eq!(cp["status"], "on-hold");
    assert_eq!(cp["note"][0]["text"], why);
    assert_eq!(cp["activity"][0]["detail"]["status"], "on-hold");
    assert_eq!(cp["activity"][0]["detail"]["statusReason"]["text"], why);
    let r = Reminder {
        paused: Some(why.into()),
        description: format!("{why} Sessions start again after a new check."),
        ..reminder(vec![])
    };
    let cal: icalendar::Calendar = ics(&r).parse().unwrap();
    let e = cal.events().next().unwrap();
    use icalendar::Component;
    assert!(e.get_summary().unwrap().contains("paused"));
    assert!(e.get_description().unwrap().starts_with("Paused"));
}

#[test]
fn the_log_file_round_trips() {
    let f = sample();
    let text = serde_json::to_string_pretty(&f).unwrap();
    assert_eq!(serde_json::from_str::<LogFile>(&text).unwrap(), f);
}

/// A function measure record becomes an Observation per activity score and one for the mean,
/// under backstretch's own PSFS codes (LOINC has none for the scale), with the activity named
/// and the mean having the activities as members.
#[test]
fn fhir_bundle_has_the_function_measure() {
    use backstretch_core::function::FunctionRecord;
    let items = [
        ("carrying shopping".to_string(), 4),
        ("sitting an hour".to_string(), 7),
    ];
    let mut file = sample();
    file.function =
        vec![FunctionRecord::new("f1".into(), t("2026-11-20T18:20:00+01:00"), &items).unwrap()];
    let b = fhir(&file, "/home/me", None, None, "2026-11-21T09:00:00+01:00");
    let obs: Vec<&Value> = b["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["code"]["coding"][0]["system"] == PSFS_SYSTEM)
        .collect();
    assert_eq!(obs.len(), 3, "two activities and the mean");
    assert_eq!(obs[0]["code"]["text"], "PSFS activity: carrying shopping");
    assert_eq!(obs[0]["valueInteger"], 4);
    assert_eq!(obs[1]["valueInteger"], 7);
    assert_eq!(obs[2]["code"]["coding"][0]["code"], "mean-score");
    assert_eq!(obs[2]["valueQuantity"]["value"], 5.5);
    assert_eq!(obs[2]["hasMember"].as_array().unwrap().len(), 2);
    assert_eq!(obs[2]["effectiveDateTime"], "2026-11-20T18:20:00+01:00");
}
