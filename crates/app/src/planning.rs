//! The routine for today: the request from the profile and the front end's overrides, the
//! plan with the pain rules applied, a saved routine checked against the same rules, and the
//! gentlest routine offered at high pain.

use backstretch_core::catalog::Catalog;
use backstretch_core::plan::Coaching;
use backstretch_core::plan::{self, Plan, Request, Warning};
use backstretch_core::profile::{Moment, Profile, nearest_moment};
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
    /// The moment of the day to plan for (a name from the profile's moments); none: the one
    /// nearest now, when the profile has moments and no places or minutes are given.
    pub moment: Option<String>,
    /// A desk break: a minute or two on a chair or standing (`break`), counted apart.
    pub desk_break: bool,
}

/// The exercises today's desk breaks did (a hold finished), first done first.
pub(crate) fn breaks_today(
    log: &[backstretch_core::session::LoggedSession],
    date: NaiveDate,
) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for l in log {
        if !l.session.routine.profile.desk_break || l.session.started_at.day() != date {
            continue;
        }
        for s in &l.steps {
            if s.outcome == backstretch_core::player::Outcome::Done
                && let Some(id) = &s.exercise_id
                && !ids.contains(id)
            {
                ids.push(id.clone());
            }
        }
    }
    ids
}

/// How long a desk break is, in minutes.
pub const DESK_BREAK_MINUTES: u32 = 2;

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

impl Playable {
    /// The places the routine was planned for (those it names that are still places).
    pub fn places(&self) -> Vec<Place> {
        self.routine
            .profile
            .places
            .iter()
            .filter_map(|p| Place::parse_word(p).ok())
            .collect()
    }
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
        Ok(self.request_for_moment(catalog, o)?.0)
    }

    /// The request, and the name of the moment it is for (the profile read once).
    pub(crate) fn request_for_moment(
        &self,
        catalog: &Catalog,
        o: &Overrides,
    ) -> Result<(Request, Option<String>), AppError> {
        let base = self.store.profile(&self.user)?.unwrap_or_default();
        let moment = self.moment_of(&base, o)?;
        let req = self.request_from(catalog, &base, o, moment.as_ref())?;
        Ok((req, moment.map(|m| m.name)))
    }

    fn request_from(
        &self,
        catalog: &Catalog,
        base: &Profile,
        o: &Overrides,
        moment: Option<&Moment>,
    ) -> Result<Request, AppError> {
        let areas = if o.areas.is_empty() {
            base.areas.clone()
        } else {
            o.areas.clone()
        };
        let places = if !o.places.is_empty() {
            o.places.clone()
        } else if o.desk_break {
            vec![Place::Chair, Place::Standing]
        } else if let Some(m) = moment {
            m.places.clone()
        } else {
            base.places.clone()
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
        let since = if o.desk_break {
            Stamp::earliest_on(date)
        } else {
            Stamp::earliest_on(date - chrono::Duration::days(2))
        };
        let recent = self.store.sessions_since(&self.user, since)?;
        let recent = if o.desk_break {
            // A desk break gives way to what today's breaks did, so they vary through the day.
            breaks_today(&recent, date)
        } else {
            // The two days before the date are all a plan looks back at.
            plan::recent_exercises(&recent, date)
        };
        Ok(Request {
            areas,
            places,
            minutes: o
                .minutes
                .or(o.desk_break.then_some(DESK_BREAK_MINUTES))
                .or(moment.map(|m| m.minutes))
                .unwrap_or(base.minutes),
            style: o.style.unwrap_or(base.style),
            exclude,
            date,
            gentler: false,
            pages_only: o.pages_only,
            conditions: base.conditions.clone(),
            eased_by: base.eased_by,
            recent,
            coaching: if o.desk_break {
                // A desk break keeps its two minutes: no programme there.
                Coaching::default()
            } else {
                // The profile already read; the log's facts once.
                self.coaching_from(catalog, &self.facts()?, base)?
            },
        })
    }

    /// The moment a routine is for: the one named (which must be the profile's), else the
    /// one nearest now when the profile has moments and neither places nor minutes are given.
    pub(crate) fn moment_of(
        &self,
        base: &Profile,
        o: &Overrides,
    ) -> Result<Option<Moment>, AppError> {
        if o.desk_break {
            return Ok(None);
        }
        match &o.moment {
            Some(name) => match base.moments.iter().find(|m| &m.name == name) {
                Some(m) => Ok(Some(m.clone())),
                None => Err(AppError::UnknownMoment {
                    name: name.clone(),
                    known: base.moments.iter().map(|m| m.name.clone()).collect(),
                }),
            },
            None if o.places.is_empty() && o.minutes.is_none() => {
                Ok(nearest_moment(&base.moments, self.now.local().time()).cloned())
            }
            None => Ok(None),
        }
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
        let (mut req, moment) = self.request_for_moment(catalog, o)?;
        self.require_gates(catalog, &req.areas)?;
        let rules = self.pain_rules()?;
        let easing = easing(&rules, force_gentler);
        req.gentler = easing.is_some();
        let mut p =
            plan::plan_eased(catalog, &req, &rules.blocked, easing).map_err(AppError::Plan)?;
        p.moment = moment;
        p.desk_break = o.desk_break;
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
