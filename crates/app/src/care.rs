//! A clinic's care: the prescription in force, played through the person's own gates and pain
//! rules (what they leave out is named, for the person and for the clinician), and the
//! person's message thread with their clinicians.

use std::borrow::Cow;
use std::collections::BTreeMap;

use backstretch_core::care::{CLINIC_DEVICE, MAX_MESSAGE_CHARS, Message, Prescription};
use backstretch_core::catalog::{Catalog, Loaded, SourceFile, declared_id};
use backstretch_core::conditions;
use backstretch_core::plan::{Item, Plan, Request, Score, Warning};
use backstretch_core::routine::Routine;
use backstretch_core::time::Stamp;
use backstretch_core::timeline::{Timeline, TimelineItem, item_seconds};
use backstretch_core::vocab::{Area, Condition, DoseStyle, Place, Word};

use crate::planning::{canonical, easing, routine_areas, rule_notes};
use crate::{App, AppError, Remedy};

impl App<'_> {
    /// The prescription in force: the latest a clinician made, if any.
    pub fn prescription(&self) -> Result<Option<Prescription>, AppError> {
        Ok(self.store.prescriptions(&self.user)?.pop())
    }

    /// The prescription in force as today's plan, once every gate is passed; none when there
    /// is no prescription.
    pub fn prescribed_plan(
        &self,
        catalog: &Catalog,
        force_gentler: bool,
    ) -> Result<Option<Plan>, AppError> {
        let Some(p) = self.prescription()? else {
            return Ok(None);
        };
        if !self.disclaimer_accepted()? {
            return Err(AppError::GateNotPassed(crate::Gate::Disclaimer));
        }
        self.require_gates(catalog, &routine_areas(&p.routine))?;
        let mut plan = self.prescription_plan(catalog, &p, force_gentler)?;
        if self.review_advised()? {
            plan.warnings.push(Warning::ReviewAdvised);
        }
        Ok(Some(plan))
    }

    /// The catalogue with the practice's own exercises the prescription in force carries (a
    /// device knows them only from it); the catalogue as it is when there are none.
    pub fn with_practice<'c>(&self, catalog: &'c Catalog) -> Result<Cow<'c, Catalog>, AppError> {
        match self.prescription()? {
            Some(p) if !p.practice.is_empty() => {
                Ok(Cow::Owned(practice_catalog(catalog, &p.practice).catalog))
            }
            _ => Ok(Cow::Borrowed(catalog)),
        }
    }

    /// A prescription as a plan (without its gates): exercises the pain rules block or a
    /// condition rules out are left out with why, and the rest eased as the pain rules ease
    /// plans.
    pub fn prescription_plan(
        &self,
        catalog: &Catalog,
        p: &Prescription,
        force_gentler: bool,
    ) -> Result<Plan, AppError> {
        let what = format!("the prescription of {}", p.by);
        let with_practice;
        let catalog = if p.practice.is_empty() {
            catalog
        } else {
            with_practice = practice_catalog(catalog, &p.practice).catalog;
            &with_practice
        };
        let routine = canonical(catalog, p.routine.clone());
        let items = routine.items().map_err(|source| AppError::BadRoutine {
            what: what.clone(),
            source,
            remedy: Remedy::AskYourClinician,
        })?;
        let profile = self.store.profile(&self.user)?.unwrap_or_default();
        let rules = self.pain_rules()?;
        let mut warnings = vec![Warning::Prescribed {
            by: p.by.clone(),
            on: p.at.day().to_string(),
            per_week: p.per_week,
            note: p.note.clone(),
        }];
        // The pain rules' notes, naming only the blocked exercises this routine holds.
        warnings.extend(rule_notes(&rules, catalog).into_iter().filter(|w| match w {
            Warning::Blocked { id, .. } => items.iter().any(|i| &i.id == id),
            _ => true,
        }));
        let kept = left_out_by_conditions(catalog, &profile.conditions, items, &mut warnings)
            .into_iter()
            .filter(|i| !rules.blocked.contains(&i.id))
            .collect::<Vec<_>>();
        let easing = easing(&rules, force_gentler);
        let kept = match easing {
            Some(e) => {
                warnings.push(Warning::Gentler(e));
                e.ease.items(&kept, catalog)
            }
            None => kept,
        };
        if kept.is_empty() {
            return Err(AppError::NothingSafe { what });
        }
        let total_s = Timeline::new(&kept).total_s();
        let plan_items = plan_items(catalog, &routine, &kept, &p.by);
        let places: Vec<Place> = routine
            .profile
            .places
            .iter()
            .filter_map(|w| Place::parse_word(w).ok())
            .collect();
        Ok(Plan {
            request: Request {
                areas: routine_areas(&routine),
                places: if places.is_empty() {
                    profile.places.clone()
                } else {
                    places
                },
                minutes: total_s.div_ceil(60),
                style: DoseStyle::parse_word(&routine.profile.style).unwrap_or(profile.style),
                exclude: vec![],
                date: self.today(),
                gentler: easing.is_some(),
                pages_only: false,
                recent: vec![],
                conditions: profile.conditions.clone(),
                eased_by: profile.eased_by,
                coaching: Default::default(),
            },
            items: plan_items,
            total_s,
            warnings,
            score: Score::default(),
            exhaustive: true,
            alternatives: 1,
            moment: None,
            desk_break: false,
        })
    }

    /// Whether the log is in a clinic's care: its clinicians have written to it (the
    /// clinic's series is among its devices').
    pub fn under_clinic(&self) -> Result<bool, AppError> {
        Ok(self
            .store
            .event_heads(&self.user)?
            .iter()
            .any(|(device, _)| device == CLINIC_DEVICE))
    }

    /// The person's thread with their clinicians, oldest first.
    pub fn messages(&self) -> Result<Vec<Message>, AppError> {
        Ok(self.store.messages(&self.user)?)
    }

    /// Writes a message from the person to their clinicians (it reaches them at the next
    /// sync).
    pub fn send_message(&self, text: &str) -> Result<Message, AppError> {
        if !self.under_clinic()? {
            return Err(AppError::NoClinic);
        }
        let text = backstretch_core::care::checked_text(text, MAX_MESSAGE_CHARS, false)
            .map_err(|problem| AppError::BadMessage { problem })?;
        let m = Message {
            uid: uid_at(self.now),
            from: None,
            at: self.now,
            text,
        };
        self.store.add_message(&self.user, &m)?;
        Ok(m)
    }
}

/// A catalogue with a practice's exercises added, each TOML text named by the id it declares.
pub fn practice_catalog(catalog: &Catalog, texts: &[String]) -> Loaded {
    let names: Vec<String> = texts
        .iter()
        .map(|t| format!("{}.toml", declared_id(t).unwrap_or_default()))
        .collect();
    let files: Vec<SourceFile<'_>> = texts
        .iter()
        .zip(&names)
        .map(|(text, path)| SourceFile { path, text })
        .collect();
    catalog.with_practice(&files)
}

/// The items a condition of the person's does not rule out; those it does are named in a
/// warning (as the planner names them). Exercises the catalogue does not know are left out.
fn left_out_by_conditions(
    catalog: &Catalog,
    conditions: &[Condition],
    items: Vec<TimelineItem>,
    warnings: &mut Vec<Warning>,
) -> Vec<TimelineItem> {
    let mut ruled_out: BTreeMap<&'static str, (Condition, Vec<String>)> = BTreeMap::new();
    let kept = items
        .into_iter()
        .filter(|i| {
            let Some(e) = catalog.get(&i.id) else {
                return false;
            };
            match conditions::ruled_out_by(conditions, &e.exercise) {
                Some(c) => {
                    ruled_out
                        .entry(c.as_str())
                        .or_insert((c, vec![]))
                        .1
                        .push(i.name.clone());
                    false
                }
                None => true,
            }
        })
        .collect();
    for (condition, names) in ruled_out.into_values() {
        warnings.push(Warning::Condition { condition, names });
    }
    kept
}

/// The plan's items for a routine's kept timeline items.
fn plan_items(catalog: &Catalog, routine: &Routine, kept: &[TimelineItem], by: &str) -> Vec<Item> {
    kept.iter()
        .enumerate()
        .filter_map(|(n, t)| {
            let exercise = catalog.played(&t.id, t.variant.as_deref())?;
            let from = routine.items.iter().find(|r| r.exercise_id == t.id);
            let new_position = n == 0 || kept[n - 1].position != t.position;
            Some(Item {
                serves: from
                    .map(|r| {
                        r.serves
                            .iter()
                            .filter_map(|a| Area::parse_word(a).ok())
                            .collect()
                    })
                    .unwrap_or_default(),
                seconds: item_seconds(&t.dose, t.sides, new_position),
                reason: format!("prescribed by {by}"),
                warm_up: from.is_some_and(|r| r.warm_up),
                style_reps: t.dose.reps,
                dose: t.dose.clone(),
                exercise,
            })
        })
        .collect()
}

/// A UUIDv7 for an instant (never the clock's), its other bits random.
pub(crate) fn uid_at(at: Stamp) -> String {
    let secs = u64::try_from(at.utc_s).unwrap_or(0);
    uuid::Uuid::new_v7(uuid::Timestamp::from_unix(uuid::NoContext, secs, 0)).to_string()
}
