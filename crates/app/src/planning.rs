//! The routine for today: the request from the profile and the front end's overrides, the
//! plan with the pain rules applied, a saved routine checked against the same rules, and the
//! gentlest routine offered at high pain.

use backstretch_core::catalog::Catalog;
use backstretch_core::plan::{self, Plan, Request, Warning};
use backstretch_core::profile::Profile;
use backstretch_core::routine::{Routine, RoutineItem};
use backstretch_core::safety::{Ease, Easing, PainRules, Why};
use backstretch_core::time::Stamp;
use backstretch_core::timeline::TimelineItem;
use backstretch_core::vocab::{Area, DoseStyle, Place, Word};
use chrono::NaiveDate;

use crate::{App, AppError, Remedy};

/// What a front end lays over the saved profile for one routine.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// Areas, the primary first (replace the profile's when given).
    pub areas: Vec<Area>,
    /// Places (replace the profile's when given).
    pub places: Vec<Place>,
    pub minutes: Option<u32>,
    /// Dose style.
    pub style: Option<DoseStyle>,
    /// Exercises to leave out (ids, names or aliases), added to the profile's.
    pub exclude: Vec<String>,
    /// The day to plan for (default today).
    pub date: Option<NaiveDate>,
    /// Only exercises the five source pages describe, none added from evidence beyond them.
    pub pages_only: bool,
}

impl Overrides {
    /// Whether nothing is laid over the profile (the date aside).
    pub fn is_default(&self) -> bool {
        self == &Overrides {
            date: self.date,
            ..Overrides::default()
        }
    }
}

/// A routine ready to play: what to store, the timeline's items, the notes the safety rules
/// added, and the plan it came from (none for a saved routine).
#[derive(Debug, Clone)]
pub struct Playable {
    /// The routine as stored with the session.
    pub routine: Routine,
    pub items: Vec<TimelineItem>,
    /// What the safety rules changed.
    pub notes: Vec<Warning>,
    /// The plan, when it was planned now.
    pub plan: Option<Plan>,
}

pub(crate) fn routine_areas(r: &Routine) -> Vec<Area> {
    let areas: Vec<Area> = r
        .areas()
        .iter()
        .filter_map(|a| Area::parse_word(a).ok())
        .collect();
    if areas.is_empty() {
        Area::ALL.to_vec()
    } else {
        areas
    }
}

/// The safety notes of the pain rules.
pub(crate) fn rule_notes(rules: &PainRules, catalog: &Catalog) -> Vec<Warning> {
    let mut out: Vec<Warning> = rules
        .blocked
        .iter()
        .map(|id| Warning::Blocked {
            id: id.clone(),
            name: catalog
                .get(id)
                .map_or_else(|| id.clone(), |e| e.exercise.name.clone()),
        })
        .collect();
    if rules.flare.see_clinician {
        out.push(Warning::SeeClinician {
            flares: rules.flare.recent_flares,
        });
    }
    if let Some(r) = rules.rising {
        out.push(Warning::PainRising(r));
    }
    out
}

/// How much a routine is eased: the gentlest at high pain, else as the pain rules say.
pub(crate) fn easing(rules: &PainRules, force_gentler: bool) -> Option<Easing> {
    if force_gentler {
        return Some(Easing {
            ease: Ease::Gentlest,
            why: Why::HighPain,
        });
    }
    rules.flare.easing
}

impl App<'_> {
    /// Exercise names or ids as ids; an unknown one is an error with suggestions. The same
    /// exercise named twice (or by an alias and its id) counts once.
    pub fn resolve(
        &self,
        catalog: &Catalog,
        names: &[String],
        flag: &str,
    ) -> Result<Vec<String>, AppError> {
        let mut out: Vec<String> = Vec::new();
        for n in names {
            let id = catalog
                .find(n)
                .map(|e| e.exercise.id.clone())
                .map_err(|not_found| AppError::UnknownExercise {
                    flag: if flag.is_empty() {
                        String::new()
                    } else {
                        format!("{flag} ")
                    },
                    not_found,
                })?;
            if !out.contains(&id) {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// The request for one routine: the saved profile with the overrides laid over it.
    pub fn request(&self, catalog: &Catalog, o: &Overrides) -> Result<Request, AppError> {
        let base = self.store.profile(&self.user)?.unwrap_or_default();
        self.request_from(catalog, &base, o)
    }

    fn request_from(
        &self,
        catalog: &Catalog,
        base: &Profile,
        o: &Overrides,
    ) -> Result<Request, AppError> {
        let areas = if o.areas.is_empty() {
            base.areas.clone()
        } else {
            o.areas.clone()
        };
        let places = if o.places.is_empty() {
            base.places.clone()
        } else {
            o.places.clone()
        };
        if areas.is_empty() || places.is_empty() {
            return Err(AppError::NothingToPlanFor {
                missing: match (areas.is_empty(), places.is_empty()) {
                    (true, true) => "areas and places",
                    (true, false) => "areas",
                    _ => "places",
                },
            });
        }
        let mut exclude = base.exclude.clone();
        for id in self.resolve(catalog, &o.exclude, "--exclude")? {
            if !exclude.contains(&id) {
                exclude.push(id);
            }
        }
        let date = o.date.unwrap_or_else(|| self.today());
        Ok(Request {
            areas,
            places,
            minutes: o.minutes.unwrap_or(base.minutes),
            style: o.style.unwrap_or(base.style),
            exclude,
            date,
            gentler: false,
            pages_only: o.pages_only,
            conditions: base.conditions.clone(),
            eased_by: base.eased_by,
            // The two days before the date are all a plan looks back at.
            recent: plan::recent_exercises(
                &self.store.sessions_since(
                    &self.user,
                    Stamp::earliest_on(date - chrono::Duration::days(2)),
                )?,
                date,
            ),
        })
    }

    /// The areas a saved routine was planned for (every area when it does not say), for its
    /// red-flag check.
    pub fn routine_areas(&self, r: &Routine) -> Vec<Area> {
        routine_areas(r)
    }

    /// The areas a routine would serve: the overrides', else the prescription's in force,
    /// else the profile's.
    pub fn areas(&self, o: &Overrides) -> Result<Vec<Area>, AppError> {
        if !o.areas.is_empty() {
            return Ok(o.areas.clone());
        }
        if o.is_default()
            && let Some(p) = self.prescription()?
        {
            return Ok(routine_areas(&p.routine));
        }
        Ok(self
            .store
            .profile(&self.user)?
            .map(|p| p.areas)
            .unwrap_or_default())
    }

    /// The best routine for the profile and overrides, once every gate is passed: exercises
    /// that hurt twice lately left out, eased after a flare or red sessions (or at its
    /// gentlest when `force_gentler`, for high pain), with the pain rules' notes among its
    /// warnings.
    pub fn plan(
        &self,
        catalog: &Catalog,
        o: &Overrides,
        force_gentler: bool,
    ) -> Result<Plan, AppError> {
        // The disclaimer comes before anything else, even a missing profile.
        if !self.disclaimer_accepted()? {
            return Err(AppError::GateNotPassed(crate::Gate::Disclaimer));
        }
        // A clinician's prescription is today's routine, unless this one is asked otherwise.
        if o.is_default()
            && let Some(p) = self.prescribed_plan(catalog, force_gentler)?
        {
            return Ok(p);
        }
        let mut req = self.request(catalog, o)?;
        self.require_gates(catalog, &req.areas)?;
        let rules = self.pain_rules()?;
        let easing = easing(&rules, force_gentler);
        req.gentler = easing.is_some();
        let mut p =
            plan::plan_eased(catalog, &req, &rules.blocked, easing).map_err(AppError::Plan)?;
        p.warnings.extend(rule_notes(&rules, catalog));
        if self.review_advised()? {
            p.warnings.push(Warning::ReviewAdvised);
        }
        Ok(p)
    }

    /// Today's routine, planned, ready to play.
    pub fn planned(
        &self,
        catalog: &Catalog,
        o: &Overrides,
        force_gentler: bool,
    ) -> Result<Playable, AppError> {
        let p = self.plan(catalog, o, force_gentler)?;
        Ok(Playable {
            routine: Routine::from_plan(&p),
            items: p.timeline_items(),
            notes: p
                .warnings
                .iter()
                .filter(|w| w.is_safety())
                .cloned()
                .collect(),
            plan: Some(p),
        })
    }

    /// A saved routine, checked against today's gates and pain rules: exercises that hurt
    /// twice lately are left out, and when plans are eased only the exercises the ease
    /// allows remain, shortened and fewer.
    pub fn saved(
        &self,
        catalog: &Catalog,
        routine: Routine,
        what: &str,
    ) -> Result<Playable, AppError> {
        let routine = canonical(catalog, routine);
        let items = routine.items().map_err(|source| AppError::BadRoutine {
            what: what.to_string(),
            source,
            remedy: Remedy::FixTheRoutine,
        })?;
        self.require_gates(catalog, &routine_areas(&routine))?;
        let rules = self.pain_rules()?;
        let mut notes = rule_notes(&rules, catalog);
        let kept: Vec<TimelineItem> = items
            .into_iter()
            .filter(|i| !rules.blocked.contains(&i.id))
            .collect();
        let kept = if let Some(e) = rules.flare.easing {
            notes.push(Warning::Gentler(e));
            e.ease.items(&kept, catalog)
        } else {
            kept
        };
        if kept.is_empty() {
            return Err(AppError::NothingSafe {
                what: what.to_string(),
            });
        }
        Ok(Playable {
            routine,
            items: kept,
            notes,
            plan: None,
        })
    }

    /// The gentlest version of a routine, for a high pain score: planned again gentler, or
    /// for a saved routine its gentlest exercises, shortened. None when nothing is gentle
    /// enough.
    pub(crate) fn gentlest(
        &self,
        catalog: &Catalog,
        o: &Overrides,
        p: &Playable,
    ) -> Result<Option<Playable>, AppError> {
        let out = if p.plan.is_some() {
            self.planned(catalog, o, true)?
        } else {
            Playable {
                items: Ease::Gentlest.items(&p.items, catalog),
                ..p.clone()
            }
        };
        Ok((!out.items.is_empty()).then_some(out))
    }

    /// A routine of exercises done without the player, at their catalogue doses.
    pub fn routine_of(&self, catalog: &Catalog, ids: &[String]) -> Result<Routine, AppError> {
        let items: Vec<RoutineItem> = ids
            .iter()
            .filter_map(|id| catalog.get(id))
            .map(|e| {
                let mut i = RoutineItem::of(&e.exercise, &e.exercise.dose, "logged by hand");
                i.cautions.clear();
                i
            })
            .collect();
        if items.is_empty() {
            return Err(AppError::NothingToLog);
        }
        Routine::from_items(
            backstretch_core::routine::RoutineRequest {
                style: "source".into(),
                ..Default::default()
            },
            "source",
            items,
            vec![],
        )
        .map_err(|source| AppError::BadRoutine {
            what: "the exercises named".into(),
            source,
            remedy: Remedy::NameWhatWasDone,
        })
    }
}

/// A routine whose exercises are named by their catalogue ids: a file may name one by an
/// alias ("Glute Bridge"), but the log keeps the id, as everything that reads it expects.
/// Names no exercise answers to are kept as they are.
pub fn canonical(catalog: &Catalog, mut routine: Routine) -> Routine {
    for item in &mut routine.items {
        if let Ok(e) = catalog.find(&item.exercise_id) {
            item.exercise_id.clone_from(&e.exercise.id);
        }
    }
    routine
}
