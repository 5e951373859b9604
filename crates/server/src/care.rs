//! What a clinician sends a patient: a prescription, a clearance of a warning sign, a
//! message. Each is written into the patient's log as the clinic's own series of events
//! ([`CLINIC_DEVICE`]), so it reaches every linked device at its next sync and is merged there
//! by the same rules as any device's change. Every write is audited.
//!
//! The practice's library lives here too: its prescription templates and its own exercises
//! (catalogue TOML, checked by the same validation as the built-in catalogue).

use backstretch_core::care::{
    CLINIC_DEVICE, MAX_MESSAGE_CHARS, MAX_NOTE_CHARS, Message, Prescription, checked_text,
};
use backstretch_core::catalog::{Catalog, Diagnostic, builtin, declared_id};
use backstretch_core::event::{Change, Event};
use backstretch_core::routine::Routine;
use backstretch_core::safety::{self, Urgency};
use backstretch_core::time::Stamp;
use backstretch_store::clinic::{Clinician, Kept};
use backstretch_store::{StoreError, UserId, event_uid};
use serde::{Deserialize, Serialize};

use crate::ServerStore;
use crate::clinic::audit_patient;

/// A prescription before it is made: what the clinician chose, previewed, printed or kept as
/// a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draft {
    /// The routine.
    pub routine: Routine,
    /// Sessions a week.
    pub per_week: u32,
    /// A note for the patient.
    #[serde(default)]
    pub note: String,
}

/// Why a clinician's write was refused.
#[derive(Debug, thiserror::Error)]
pub enum CareError {
    /// A value is wrong: which field, and what is wrong with it.
    #[error("{field}: {problem}")]
    Invalid {
        /// The form's field.
        field: &'static str,
        /// What is wrong, and how to fix it.
        problem: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn invalid(field: &'static str, problem: impl Into<String>) -> CareError {
    CareError::Invalid {
        field,
        problem: problem.into(),
    }
}

/// Appends a change to the patient's log as the clinic's next event. Two server processes
/// writing at once may race for the same place in the series: the loser tries the next.
pub fn write(store: &dyn ServerStore, user: &UserId, change: &Change) -> Result<(), StoreError> {
    let uid = event_uid(change);
    let mut last = None;
    for _ in 0..5 {
        let head = store
            .event_heads(user)?
            .into_iter()
            .find_map(|(d, i)| (d == CLINIC_DEVICE).then_some(i))
            .unwrap_or(0);
        let e = Event {
            device: CLINIC_DEVICE.into(),
            idx: head + 1,
            uid: uid.clone(),
            change: change.clone(),
        };
        match store.apply(user, &[e]) {
            Ok(_) => return Ok(()),
            Err(err @ StoreError::Diverged { .. }) => last = Some(err),
            Err(err) => return Err(err),
        }
    }
    Err(last.unwrap_or_else(|| StoreError::Busy {
        log: "the clinic's series".into(),
    }))
}

/// The built-in catalogue with the practice's own exercises.
pub fn catalog(store: &dyn ServerStore) -> Result<Catalog, StoreError> {
    let kept = store.practice_exercises()?;
    Ok(with_practice(&kept))
}

fn with_practice(kept: &[Kept]) -> Catalog {
    let texts: Vec<String> = kept.iter().map(|k| k.body.clone()).collect();
    backstretch_app::practice_catalog(builtin_catalog(), &texts).catalog
}

/// The built-in catalogue, parsed once for the server's life (every page that shows or
/// checks an exercise needs it, each figure too).
pub fn builtin_catalog() -> &'static Catalog {
    static BUILTIN: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    BUILTIN.get_or_init(|| builtin().catalog)
}

/// Checks a practice exercise's TOML by the catalogue's own validation, and keeps it (the
/// same id again replaces the practice's earlier version). The problems, when it is refused.
pub fn add_exercise(
    store: &dyn ServerStore,
    c: &Clinician,
    toml: &str,
    now: Stamp,
) -> Result<Result<String, Vec<Diagnostic>>, StoreError> {
    let Some(id) = declared_id(toml) else {
        return Ok(Err(vec![Diagnostic::whole_file(
            "the exercise",
            "it is not TOML with an `id = \"...\"` line".into(),
            "start from a built-in exercise's file (`backstretch catalog show ID --format toml`)",
        )]));
    };
    let mut others = store.practice_exercises()?;
    others.retain(|k| k.name != id);
    let loaded = backstretch_app::practice_catalog(
        &with_practice(&others),
        std::slice::from_ref(&toml.to_string()),
    );
    if !loaded.diagnostics.is_empty() {
        return Ok(Err(loaded.diagnostics));
    }
    store.save_practice_exercise(&Kept {
        name: id.clone(),
        body: toml.to_string(),
        by: c.email.clone(),
        at: now,
    })?;
    Ok(Ok(id))
}

/// Checks a draft: a routine that reads, whose exercises the practice's catalogue knows, 1 to
/// 14 sessions a week, a note within bounds.
pub fn check(catalog: &Catalog, d: &Draft) -> Result<Draft, CareError> {
    let items = d
        .routine
        .items()
        .map_err(|e| invalid("exercises", format!("{e}; choose at least one exercise")))?;
    if let Some(i) = items.iter().find(|i| catalog.get(&i.id).is_none()) {
        return Err(invalid(
            "exercises",
            format!("`{}` is not an exercise of the practice's catalogue", i.id),
        ));
    }
    if !(1..=backstretch_core::care::MAX_PER_WEEK).contains(&d.per_week) {
        return Err(invalid(
            "per_week",
            format!(
                "{} sessions a week: give 1 to {}",
                d.per_week,
                backstretch_core::care::MAX_PER_WEEK
            ),
        ));
    }
    let note = checked_text(&d.note, MAX_NOTE_CHARS, true)
        .map_err(|e| invalid("note", format!("the note: {e}")))?;
    Ok(Draft { note, ..d.clone() })
}

/// The prescription a draft makes, carrying the files of the practice's own exercises it
/// uses (`kept`: the practice's exercises), so a device can play them.
pub fn prescription(kept: &[Kept], c: &Clinician, d: &Draft, now: Stamp) -> Prescription {
    let practice = kept
        .iter()
        .filter(|k| d.routine.items.iter().any(|i| i.exercise_id == k.name))
        .map(|k| k.body.clone())
        .collect();
    Prescription {
        id: uuid::Uuid::new_v4().to_string(),
        by: c.email.clone(),
        at: now,
        routine: d.routine.clone(),
        per_week: d.per_week,
        note: d.note.clone(),
        practice,
    }
}

/// Prescribes a checked draft to a patient.
pub fn prescribe(
    store: &dyn ServerStore,
    c: &Clinician,
    user: &UserId,
    d: &Draft,
    now: Stamp,
    from: &str,
) -> Result<Prescription, CareError> {
    let kept = store.practice_exercises()?;
    let d = check(&with_practice(&kept), d)?;
    let p = prescription(&kept, c, &d, now);
    p.checked(0, now)
        .map_err(|e| invalid("exercises", e.to_string()))?;
    write(
        store,
        user,
        &Change::Prescribed {
            prescription: p.clone(),
        },
    )?;
    audit_patient(store, now, c, "prescribed", user, from)?;
    Ok(p)
}

/// Saves a checked draft as a practice template.
pub fn save_template(
    store: &dyn ServerStore,
    c: &Clinician,
    name: &str,
    d: &Draft,
    now: Stamp,
) -> Result<(), CareError> {
    let name = checked_text(name, 80, false)
        .map_err(|e| invalid("name", format!("the template's name: {e}")))?;
    if name.contains('\n') {
        return Err(invalid("name", "the template's name must be one line"));
    }
    let d = check(&catalog(store)?, d)?;
    let body = serde_json::to_string(&d).map_err(|e| StoreError::Backend(e.into()))?;
    store.save_template(&Kept {
        name,
        body,
        by: c.email.clone(),
        at: now,
    })?;
    Ok(())
}

/// The practice's templates, with their drafts (one that no longer reads is left out).
pub fn templates(store: &dyn ServerStore) -> Result<Vec<(Kept, Draft)>, StoreError> {
    Ok(store
        .templates()?
        .into_iter()
        .filter_map(|k| {
            let d = serde_json::from_str(&k.body).ok()?;
            Some((k, d))
        })
        .collect())
}

/// Records that the clinician has checked a warning sign and cleared the patient to exercise
/// with it: a `same-day` or `soon` sign; never an emergency one.
pub fn clear(
    store: &dyn ServerStore,
    c: &Clinician,
    user: &UserId,
    sign: &str,
    now: Stamp,
    from: &str,
) -> Result<(), CareError> {
    let flags = safety::red_flags().map_err(|e| StoreError::Backend(e.to_string().into()))?;
    let Some(flag) = flags.iter().find(|f| f.id == sign) else {
        return Err(invalid("sign", format!("`{sign}` is not a warning sign")));
    };
    if flag.urgency == Urgency::Emergency {
        return Err(invalid(
            "sign",
            format!(
                "{} calls for emergency care and cannot be cleared; the patient's next check with no such sign lifts it",
                flag.sign
            ),
        ));
    }
    write(
        store,
        user,
        &Change::Clearance {
            sign: sign.to_string(),
            at: now,
            by: Some(c.email.clone()),
        },
    )?;
    audit_patient(store, now, c, &format!("cleared sign {sign}"), user, from)?;
    Ok(())
}

/// Sends the patient a message from the clinician.
pub fn message(
    store: &dyn ServerStore,
    c: &Clinician,
    user: &UserId,
    text: &str,
    now: Stamp,
    from: &str,
) -> Result<Message, CareError> {
    let text = checked_text(text, MAX_MESSAGE_CHARS, false)
        .map_err(|e| invalid("text", format!("the message: {e}")))?;
    let m = Message {
        uid: uid_at(now),
        from: Some(c.email.clone()),
        at: now,
        text,
    };
    write(store, user, &Change::Message { message: m.clone() })?;
    audit_patient(store, now, c, "sent a message", user, from)?;
    Ok(m)
}

/// The first message a new patient's log holds: who added them. It also marks the log as in
/// the clinic's care, so its clinicians' clearances replace the patient's own.
pub fn welcome(
    store: &dyn ServerStore,
    c: &Clinician,
    user: &UserId,
    now: Stamp,
) -> Result<(), StoreError> {
    let m = Message {
        uid: uid_at(now),
        from: Some(c.email.clone()),
        at: now,
        text: format!(
            "{} added you as a patient of this practice. Your programme, clearances and messages from your clinicians reach you here at each sync, and you can write back.",
            c.email
        ),
    };
    write(store, user, &Change::Message { message: m })
}

/// A UUIDv7 of an instant.
fn uid_at(at: Stamp) -> String {
    let secs = u64::try_from(at.utc_s).unwrap_or(0);
    uuid::Uuid::new_v7(uuid::Timestamp::from_unix(uuid::NoContext, secs, 0)).to_string()
}
