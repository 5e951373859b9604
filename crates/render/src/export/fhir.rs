use backstretch_core::exchange::{CarePlan, LogFile};
use serde_json::{Value, json};

use super::uuid_from;

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
pub fn fhir(file: &LogFile, owner: &str, plan: Option<&CarePlan>, created: &str) -> Value {
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
                &s.started_at.rfc3339(),
                v,
            ));
        }
        if let (Some(v), Some(end)) = (s.pain_after, s.ended_at) {
            entries.push(pain_observation(
                &patient,
                &s.uid,
                "after",
                &end.rfc3339(),
                v,
            ));
        }
    }
    if let Some(p) = plan {
        entries.push(care_plan(p, owner, &patient, created));
    }
    json!({
        "resourceType": "Bundle",
        "id": uuid_from(&format!("bundle/{owner}/{created}")),
        "type": "collection",
        "timestamp": created,
        "entry": entries
    })
}

/// The CarePlan entry: `active`, or `on-hold` with the reason (a note, and each activity's
/// `statusReason`) while a warning sign blocks plans.
fn care_plan(p: &CarePlan, owner: &str, patient: &str, created: &str) -> Value {
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
            "fullUrl": format!("urn:uuid:{}", uuid_from(&format!("careplan/{owner}"))),
            "resource": {
                "resourceType": "CarePlan",
                "status": if p.paused.is_some() { "on-hold" } else { "active" },
                "intent": "plan",
                "title": p.title,
                "description": "Self-managed stretching routine for back and neck pain, planned by backstretch from practitioners' advice. General education, not a prescription.",
                "subject": {"reference": format!("urn:uuid:{patient}")},
                "created": created,
                "activity": activities
            }
    });
    if let Some(why) = &p.paused {
        entry["resource"]["note"] = json!([{"text": why}]);
    }
    entry
}
