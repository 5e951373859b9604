use backstretch_core::exchange::{CarePlan, LogFile, LogSession};
use backstretch_core::function::{FunctionRecord, point};
use backstretch_core::player::Outcome;
use backstretch_core::session::Ending;
use serde_json::{Value, json};

use super::uuid_from;

/// Who prescribed the programme, and when: a clinician's prescription, when one is passed
/// in. Without it the programme is backstretch's own plan (`intent: plan`, no requester).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prescribed<'a> {
    /// The prescriber's name, as the ServiceRequest's requester shows it.
    pub by: &'a str,
    /// When it was prescribed (an RFC 3339 date-time, or a date).
    pub on: &'a str,
}

fn reference(urn: &str) -> Value {
    json!({"reference": urn})
}

fn urn(name: &str) -> String {
    format!("urn:uuid:{}", uuid_from(name))
}

fn pain_observation(
    patient: &str,
    session: &str,
    which: &str,
    when: &str,
    value: u8,
    uid: &str,
) -> Value {
    json!({
        "fullUrl": urn(&format!("{uid}/{which}")),
        "resource": {
            "resourceType": "Observation",
            "status": "final",
            "partOf": [reference(session)],
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
            "subject": reference(patient),
            "effectiveDateTime": when,
            "valueInteger": value
        }
    })
}

/// A session as a Procedure: completed or stopped (unknown while it has no end), over the
/// time it took, based on the programme's ServiceRequest when there is one.
fn procedure(s: &LogSession, patient: &str, request: Option<&str>) -> Value {
    let status = match s.outcome {
        Some(Ending::Completed) => "completed",
        Some(Ending::Stopped) => "stopped",
        None => "unknown",
    };
    let mut period = json!({"start": s.started_at.rfc3339()});
    if let Some(end) = s.ended_at {
        period["end"] = json!(end.rfc3339());
    }
    let done = |o: Outcome| s.steps.iter().filter(|x| x.outcome == o).count();
    let mut resource = json!({
        "resourceType": "Procedure",
        "status": status,
        "code": {"text": "Stretching session"},
        "subject": reference(patient),
        "performedPeriod": period,
        "note": [{"text": format!(
            "Steps: {} done, {} skipped, {} hurt.",
            done(Outcome::Done),
            done(Outcome::Skipped),
            done(Outcome::Hurt)
        )}]
    });
    if let Some(r) = request {
        resource["basedOn"] = json!([reference(r)]);
    }
    if s.outcome == Some(Ending::Stopped) {
        resource["statusReason"] = json!({"text": "Stopped before the end of the routine"});
    }
    json!({"fullUrl": urn(&format!("{}/procedure", s.uid)), "resource": resource})
}

/// An HL7 FHIR R4 Bundle (type collection): a Patient placeholder without personal data; when
/// there is a plan, the CarePlan (its activities the routine's exercises with their doses) and
/// a ServiceRequest for the programme it describes (based on the CarePlan; prescribed by a
/// clinician when `prescribed` says so); a Procedure per session (based on the
/// ServiceRequest); an Observation per pain score (LOINC 72514-3, valueInteger, part of
/// its session's Procedure); and for each function measure (PSFS) record an Observation per
/// activity score and one for the mean, which has them as members.
pub fn fhir(
    file: &LogFile,
    owner: &str,
    plan: Option<&CarePlan>,
    prescribed: Option<&Prescribed<'_>>,
    created: &str,
) -> Value {
    let patient = urn(&format!("patient/{owner}"));
    let mut entries = vec![json!({
        "fullUrl": patient,
        "resource": {
            "resourceType": "Patient",
            "active": true,
            "text": {"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">backstretch user (no personal data exported)</div>"}
        }
    })];
    let request = plan.map(|_| urn(&format!("servicerequest/{owner}")));
    if let (Some(p), Some(r)) = (plan, &request) {
        let care = urn(&format!("careplan/{owner}"));
        entries.push(care_plan(p, &care, &patient, created));
        entries.push(service_request(p, r, &care, &patient, prescribed, created));
    }
    for r in &file.function {
        entries.extend(function_observations(r, &patient));
    }
    for s in &file.sessions {
        let session = urn(&format!("{}/procedure", s.uid));
        entries.push(procedure(s, &patient, request.as_deref()));
        if let Some(v) = s.pain_before {
            let at = s.started_at.rfc3339();
            entries.push(pain_observation(
                &patient, &session, "before", &at, v, &s.uid,
            ));
        }
        if let (Some(v), Some(end)) = (s.pain_after, s.ended_at) {
            let at = end.rfc3339();
            entries.push(pain_observation(
                &patient, &session, "after", &at, v, &s.uid,
            ));
        }
    }
    json!({
        "resourceType": "Bundle",
        "id": uuid_from(&format!("bundle/{owner}/{created}")),
        "type": "collection",
        "timestamp": created,
        "entry": entries
    })
}

/// The programme as a ServiceRequest: the routine's exercises and doses, how often, based on
/// the CarePlan; an order by its prescriber when prescribed, else backstretch's plan.
fn service_request(
    p: &CarePlan,
    url: &str,
    care: &str,
    patient: &str,
    prescribed: Option<&Prescribed<'_>>,
    created: &str,
) -> Value {
    let details: Vec<Value> = p
        .activities
        .iter()
        .map(|a| json!({"text": format!("{}: {}", a.name, a.dose)}))
        .collect();
    let mut resource = json!({
        "resourceType": "ServiceRequest",
        "status": if p.paused.is_some() { "on-hold" } else { "active" },
        "intent": if prescribed.is_some() { "order" } else { "plan" },
        "category": [{"text": "Exercise therapy"}],
        "code": {"text": p.title},
        "orderDetail": details,
        "subject": reference(patient),
        "basedOn": [reference(care)],
        "occurrenceTiming": {"repeat": {"frequency": p.per_week, "period": 1, "periodUnit": "wk"}},
        "authoredOn": prescribed.map_or(created, |x| x.on)
    });
    match prescribed {
        Some(x) => resource["requester"] = json!({"display": x.by}),
        None => {
            resource["note"] = json!([{"text": "Planned by backstretch from practitioners' advice: general education, not a prescription."}]);
        }
    }
    if let Some(why) = &p.paused {
        resource["note"] = json!([{"text": why}]);
    }
    json!({"fullUrl": url, "resource": resource})
}

/// The CarePlan entry: `active`, or `on-hold` with the reason (a note, and each activity's
/// `statusReason`) while a warning sign blocks plans.
fn care_plan(p: &CarePlan, url: &str, patient: &str, created: &str) -> Value {
    let activities: Vec<Value> = p
        .activities
        .iter()
        .map(|a| {
            let mut detail = json!({
                "kind": "ServiceRequest",
                "code": {"text": a.name},
                "status": if p.paused.is_some() { "on-hold" } else { "scheduled" },
                "description": format!("{}: {}", a.name, a.dose),
                "scheduledTiming": {"repeat": {"frequency": p.per_week, "period": 1, "periodUnit": "wk"}}
            });
            if let Some(why) = &p.paused {
                detail["statusReason"] = json!({"text": why});
            }
            json!({"detail": detail})
        })
        .collect();
    let mut entry = json!({
            "fullUrl": url,
            "resource": {
                "resourceType": "CarePlan",
                "status": if p.paused.is_some() { "on-hold" } else { "active" },
                "intent": "plan",
                "title": p.title,
                "description": "Self-managed stretching routine for back and neck pain, planned by backstretch from practitioners' advice. General education, not a prescription.",
                "subject": reference(patient),
                "created": created,
                "activity": activities
            }
    });
    if let Some(why) = &p.paused {
        entry["resource"]["note"] = json!([{"text": why}]);
    }
    entry
}

/// The code system of the function measure's Observations. No LOINC term for the
/// Patient-Specific Functional Scale could be verified (searched December 2026: LOINC's own
/// pages, the FHIR value sets of US Core survey codes and the PACIO functioning guides, and
/// public code; none names the PSFS, though LOINC has terms for other function scales such as
/// the PROMIS-29's). Rather than borrow a code that means something else, the Observations
/// carry backstretch's own codes under this URN with the scale named in `code.text`, as FHIR
/// allows for a concept without a standard code. Replace them if LOINC adds PSFS terms.
pub const PSFS_SYSTEM: &str = "urn:backstretch:psfs";

/// A PSFS record as Observations (category survey): one per activity, its score as
/// valueInteger (0 unable .. 10 as before the problem) and the activity in `code.text`; then
/// the mean as valueQuantity (`{score}`, to one decimal), with the activities as members.
fn function_observations(r: &FunctionRecord, patient: &str) -> Vec<Value> {
    let when = r.at.rfc3339();
    // The parts every PSFS Observation shares; each adds its value.
    let observation = |url: String, (code, display): (&str, &str), text: String| {
        json!({
            "fullUrl": url,
            "resource": {
                "resourceType": "Observation",
                "status": "final",
                "category": [{"coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                    "code": "survey",
                    "display": "Survey"
                }]}],
                "code": {
                    "coding": [{"system": PSFS_SYSTEM, "code": code, "display": display}],
                    "text": text
                },
                "subject": reference(patient),
                "effectiveDateTime": when
            }
        })
    };
    let mut out: Vec<Value> = r
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let mut o = observation(
                urn(&format!("function/{}/{i}", r.uid)),
                ("activity-score", "Patient-Specific Functional Scale activity score"),
                format!("PSFS activity: {}", item.activity),
            );
            o["resource"]["valueInteger"] = json!(item.score);
            o["resource"]["note"] = json!([{"text": "0 = unable to perform the activity, 10 = able to perform it as before the problem."}]);
            o
        })
        .collect();
    let members: Vec<Value> = out
        .iter()
        .map(|o| reference(o["fullUrl"].as_str().unwrap_or_default()))
        .collect();
    let mut mean = observation(
        urn(&format!("function/{}/mean", r.uid)),
        ("mean-score", "Patient-Specific Functional Scale mean score"),
        "PSFS mean score (0-10, higher is better)".into(),
    );
    mean["resource"]["valueQuantity"] = json!({
        "value": point(r).mean,
        "unit": "score",
        "system": "http://unitsofmeasure.org",
        "code": "{score}"
    });
    mean["resource"]["hasMember"] = json!(members);
    out.push(mean);
    out
}
