//! The planner: the best routine for one person's areas, places and minutes.
//!
//! # Hard rules
//! - Only exercises doable in an allowed place, never an excluded or blocked one.
//! - The full timeline (get into position, holds, rests, side switches) fits the minutes; it
//!   is budgeted with the timeline's own step lengths ([`item_seconds`]).
//! - Order: positions never go back down (lying, then all fours or kneeling, then seated,
//!   then standing), each position's exercises together, a gentle warm-up first when one is
//!   in the routine, gentler before more demanding.
//! - Deterministic: the same catalogue, request and date give the same routine.
//!
//! # Objective, compared in this order ([`Score`])
//! 1. Coverage: the requested areas served, the first (primary) weighing more than all the
//!    others together.
//! 2. Dose adequacy: per area, hold seconds (one side) up to the usual 60 s per session,
//!    weighted as coverage. The stretch itself comes before a warm-up when time is short.
//! 3. A warm-up move (the gentlest activation or mobility move at the lowest level any
//!    candidate has, so it can always open the routine) when one serves a requested area.
//! 4. Time spent holding, in 30 s steps (so that near-equal routines count as equal).
//! 5. Fewer positions, so fewer position changes.
//!
//! Among routines equal on all five, exercises done on each of the last two days
//! ([`Request::recent`]) give way to others, and then the date picks one (a hash of the date
//! and the routine), so a daily routine rotates.
//!
//! # Search
//! Exact branch and bound over every candidate's repetitions: left out, or the style's
//! repetitions trimmed in steps ([`trim_levels`]: all, half, one, keeping at least 20 s of
//! hold per side), so time is saved by trimming repetitions before an area is dropped. The
//! search is split by the set of positions a routine uses (its position cost paid up front),
//! most promising set first; each part of the score is bounded by what the time left allows,
//! and a state no better than one already searched is not searched again. Nothing is dropped
//! before the search: candidates identical in everything the score sees are searched as one
//! class, and branches that could only tie the best are pruned (see the `search` module).
//! Property tests check it against brute force on small catalogues and against an independent
//! exact dynamic programme on catalogues of 25-60 candidates.
//!
//! # Filling the time
//! When the best routine fills less than three quarters of the minutes asked (and leaves at
//! least two minutes), stretches may be done for a second round (twice the style's
//! repetitions). When even that leaves the time short, a warning says so, with what to relax.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use crate::catalog::Catalog;
use crate::conditions::{self, Family};
use crate::exercise::{Dose, Exercise};
use crate::routine::{Routine, RoutineItem, RoutineRequest, RoutineStep, words};
use crate::safety::{Ease, Easing};
use crate::timeline::{Timeline, TimelineItem, item_seconds};
use crate::vocab::{Area, Condition, DoseStyle, EasedBy, Kind, Place, Word};

/// Hold seconds per area and session that count as enough (the usual guidance).
pub const ENOUGH_S: u32 = 60;
/// The shortest and longest routine a request may ask for, in minutes.
pub const MINUTES: std::ops::RangeInclusive<u32> = 1..=180;
/// The search stops after this many nodes and keeps the best routine found (reported in
/// [`Plan::exhaustive`] and as a warning). No profile on the built-in catalogue reaches it,
/// nor any benchmark (up to 10,000 candidates); a test checks every profile.
pub const NODE_LIMIT: u64 = 5_000_000;
/// A routine filling less than this share of the minutes (in quarters) is filled up.
const FILL_QUARTERS: u32 = 3;
/// ... and only when this many seconds or more are left over.
const FILL_MIN_GAP_S: u32 = 120;

/// What a person asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Areas to serve, the primary first.
    pub areas: Vec<Area>,
    /// Places the person can be.
    pub places: Vec<Place>,
    /// Minutes available.
    pub minutes: u32,
    /// Which dose to use.
    pub style: DoseStyle,
    /// Exercise ids never to include.
    pub exclude: Vec<String>,
    /// The day the routine is for (variety rotates with it).
    pub date: NaiveDate,
    /// Gentler routines after a flare: only the gentlest exercises, shorter holds, fewer reps.
    pub gentler: bool,
    /// Only exercises that one of the five source pages describes (`plan --sources pages`);
    /// otherwise those from published evidence beyond the pages too.
    pub pages_only: bool,
    /// Exercise ids done on each of the two days before [`Request::date`]; among equally
    /// good routines they give way to others.
    pub recent: Vec<String>,
    /// Health conditions: each leaves out what it rules out ([`crate::conditions::rule`]).
    pub conditions: Vec<Condition>,
    /// Which movement eases lower-back pain, when asked: a lower-back plan includes that
    /// family and leaves out the other ([`crate::conditions::direction`]).
    pub eased_by: Option<EasedBy>,
    /// Where each exercise stands in the person's programme ([`crate::coach`]).
    pub coaching: Coaching,
}

/// The programme a plan follows: each exercise's stage, from the log, and whether the person
/// asked for an easier week.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Coaching {
    /// Each exercise's stage.
    pub stages: std::collections::BTreeMap<String, crate::coach::Stage>,
    /// An easier week: every exercise one stage lower, as the weekly review offered.
    pub easier_week: bool,
}

impl Coaching {
    /// The stage an exercise is planned at.
    pub fn stage(&self, id: &str) -> u32 {
        let s = self.stages.get(id).map_or(0, |s| s.stage);
        if self.easier_week {
            s.saturating_sub(1)
        } else {
            s
        }
    }

    /// Whether the exercise has moved on to the next of its family.
    pub fn moved_on(&self, e: &Exercise) -> bool {
        e.progresses_to.is_some()
            && self.stages.contains_key(&e.id)
            && crate::coach::Ladder::of(e).moved_on(self.stage(&e.id))
    }

    /// The line explaining an exercise's dose, when the programme moved it.
    pub fn note(&self, e: &Exercise) -> Option<String> {
        let mut note = crate::coach::explain(e, self.stages.get(&e.id)?);
        if self.easier_week && self.stage(&e.id) < self.stages.get(&e.id)?.stage {
            note = Some("One step easier this week, as you asked.".to_string());
        }
        note
    }
}

impl Request {
    /// Whether the request lets this exercise in at all, whatever its places: not excluded,
    /// from the pages when only the pages' exercises are asked for, not ruled out by a
    /// condition, and not of the lower-back family the direction of movement leaves out.
    pub fn permits(&self, e: &Exercise) -> bool {
        !self.exclude.contains(&e.id)
            && !self.coaching.moved_on(e)
            && (!self.pages_only || e.from_pages())
            && conditions::ruled_out_by(&self.conditions, e).is_none()
            && !self.direction_leaves_out(e)
    }

    /// The dose an exercise gets in this request, eased: its style's, and in the normal plan
    /// of the source style, the dose its stage in the programme has reached.
    pub fn dose(&self, e: &Exercise, ease: Ease) -> Dose {
        let d = eased_dose(e, self.style, ease);
        let stage = self.coaching.stage(&e.id);
        if ease != Ease::Normal || self.style != DoseStyle::Source || stage == 0 {
            return d;
        }
        crate::coach::staged_dose(e, stage)
    }

    /// Whether the direction of movement leaves this exercise out of a lower-back plan.
    pub fn direction_leaves_out(&self, e: &Exercise) -> bool {
        conditions::direction(self.eased_by, &self.areas)
            .is_some_and(|(_, out)| out.is_some_and(|out| Family::of(e) == Some(out)))
    }

    /// Whether the direction of movement asks for this exercise in a lower-back plan.
    pub fn direction_wants(&self, e: &Exercise) -> bool {
        conditions::direction(self.eased_by, &self.areas)
            .is_some_and(|(want, _)| Family::of(e) == Some(want))
    }
}

/// One exercise in a routine.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub exercise: Exercise,
    /// The dose to do (the style's, perhaps with repetitions trimmed).
    pub dose: Dose,
    /// Repetitions the style asked for, before any trimming.
    pub style_reps: u32,
    /// Requested areas it serves, in request order.
    pub serves: Vec<Area>,
    /// Seconds in the timeline, including getting ready.
    pub seconds: u32,
    /// Why it is there, in one line.
    pub reason: String,
    /// Whether it is the warm-up.
    pub warm_up: bool,
}

/// A planned routine.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The request it answers.
    pub request: Request,
    /// The exercises, in the order to do them.
    pub items: Vec<Item>,
    /// The whole timeline, in seconds.
    pub total_s: u32,
    /// What could not be done as asked, what to relax, and what the safety rules changed.
    pub warnings: Vec<Warning>,
    /// The score the routine reached.
    pub score: Score,
    /// Whether the search covered every option (false only past [`NODE_LIMIT`]).
    pub exhaustive: bool,
    /// How many equally good routines the date chose among.
    pub alternatives: usize,
    /// The moment of the day it is for, when the profile has moments (set by the caller).
    pub moment: Option<String>,
    /// A desk break, counted apart from routines (set by the caller).
    pub desk_break: bool,
}

impl Item {
    /// The dose as people say it, `10 s x 5 (of 8), each side`, with `sep` before
    /// `each side` (a comma, or a line break in tables).
    pub fn dose_text(&self, sep: &str) -> String {
        let side = match self.exercise.sides {
            crate::vocab::Sides::Both => String::new(),
            crate::vocab::Sides::Each => format!("{sep}each side"),
            crate::vocab::Sides::Alternate => format!("{sep}each side, alternating"),
        };
        let trimmed = if self.dose.reps < self.style_reps {
            format!(" (of {})", self.style_reps)
        } else {
            String::new()
        };
        format!("{} s x {}{trimmed}{side}", self.dose.hold_s, self.dose.reps)
    }
}

impl Item {
    /// The dose and the position in words, for people rather than terminals: `hold 5 seconds,
    /// 5 times, lying on your back`.
    pub fn dose_words(&self) -> String {
        format!(
            "{}, {}",
            self.dose.words(self.exercise.sides, Some(self.style_reps)),
            self.exercise.position.words()
        )
    }
}

impl Plan {
    /// The items as the timeline needs them.
    pub fn timeline_items(&self) -> Vec<TimelineItem> {
        self.items
            .iter()
            .map(|i| TimelineItem {
                id: i.exercise.id.clone(),
                name: i.exercise.title(),
                position: i.exercise.position,
                sides: i.exercise.sides,
                dose: i.dose.clone(),
                variant: i.exercise.variant.clone(),
                side_cue: i.exercise.side_cue.clone(),
            })
            .collect()
    }

    /// The routine unrolled into its timeline.
    pub fn timeline(&self) -> Timeline {
        Timeline::new(&self.timeline_items())
    }
}

impl Routine {
    /// The routine of a plan.
    pub fn from_plan(p: &Plan) -> Routine {
        let t = p.timeline();
        Routine {
            profile: RoutineRequest {
                areas: words(&p.request.areas),
                places: words(&p.request.places),
                minutes: p.request.minutes,
                style: p.request.style.to_string(),
                exclude: p.request.exclude.clone(),
                date: p.request.date.format("%Y-%m-%d").to_string(),
                gentler: p.request.gentler,
                moment: p.moment.clone(),
                desk_break: p.desk_break,
            },
            style: p.request.style.to_string(),
            total_s: t.total_s(),
            items: p
                .items
                .iter()
                .map(|i| RoutineItem {
                    seconds: i.seconds,
                    serves: words(&i.serves),
                    warm_up: i.warm_up,
                    ..RoutineItem::of(&i.exercise, &i.dose, &i.reason)
                })
                .collect(),
            timeline: t.steps().iter().map(RoutineStep::from).collect(),
            warnings: p.warnings.iter().map(ToString::to_string).collect(),
        }
    }
}

/// Why no routine could be planned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// The request itself is malformed.
    #[error("{0}")]
    Invalid(String),
    /// No exercise serves any requested area in the allowed places.
    #[error(
        "no exercise for {areas} can be done in {places}{hint}",
        areas = join(.areas), places = join(.places),
        hint = .suggest.as_ref().map(|s| format!("; allowing {s} would give some")).unwrap_or_default()
    )]
    NothingFits {
        /// Requested areas.
        areas: Vec<Area>,
        /// Allowed places.
        places: Vec<Place>,
        /// A place that would help.
        suggest: Option<Place>,
    },
    /// The plans are eased (after a flare, red sessions, a rise or at high pain), and nothing
    /// gentle enough can be done in the allowed places.
    #[error(
        "nothing gentle enough for today can be done in {places} alone: rest today, or allow another place (a chair, the floor or a bed) for the gentler plan",
        places = join(.places)
    )]
    NothingGentle {
        /// Allowed places.
        places: Vec<Place>,
    },
    /// Not even the shortest exercise fits the minutes.
    #[error("{minutes} minute{s} is too short: the shortest routine for these areas and places needs {need} minutes", s = if *.minutes == 1 { "" } else { "s" })]
    TooShort {
        /// Minutes asked for.
        minutes: u32,
        /// Minutes the shortest routine needs.
        need: u32,
    },
}

mod ease;
mod explain;
mod search;

pub use explain::{Relax, Warning};
pub use search::{MIN_TRIMMED_HOLD_S, trim_levels};

use crate::hash::{START as FNV_START, fnv};
use explain::{join, reason, warnings};
use search::{Cand, Found, POSITION_EXTRA, Problem, evaluate, search, weights};

/// A routine's score; larger is better, compared field by field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Score {
    /// Weighted requested areas served.
    pub coverage: u32,
    /// Weighted hold seconds per area, each capped at [`ENOUGH_S`].
    pub adequacy: u32,
    /// 1 when a warm-up opens the routine.
    pub warm_up: u32,
    /// Hold seconds in 30 s steps.
    pub hold_steps: u32,
    /// Minus the number of positions.
    pub neg_positions: i32,
}

/// The dose an exercise gets in a style (before any trimming); `gentler` gives
/// [`Ease::Gentler`]'s dose.
pub fn style_dose(e: &Exercise, style: DoseStyle, gentler: bool) -> Dose {
    eased_dose(e, style, if gentler { Ease::Gentler } else { Ease::Normal })
}

/// The dose an exercise gets in a style, eased (before any trimming).
pub fn eased_dose(e: &Exercise, style: DoseStyle, ease: Ease) -> Dose {
    let base = &e.dose;
    let mut d = match (style, e.kind) {
        (DoseStyle::Source, _) | (_, Kind::Activation | Kind::Mobility) => {
            Dose::new(base.hold_s, base.reps, base.rest_s)
        }
        (DoseStyle::Standard, Kind::Stretch) => Dose::new(30, 2, 10),
        (DoseStyle::Long, Kind::Stretch) => Dose::new(60, 1, 0),
    };
    d = ease.dose(d);
    d
}

/// The exercises done (a hold finished) on each of the two days before `date`, the days
/// as the sessions' local days: among equally good routines they give way to others.
pub fn recent_exercises(log: &[crate::session::LoggedSession], date: NaiveDate) -> Vec<String> {
    let done_on = |day: Option<NaiveDate>| -> BTreeSet<&str> {
        log.iter()
            .filter(|l| Some(l.session.started_at.day()) == day)
            .flat_map(|l| &l.steps)
            .filter(|s| s.outcome == crate::player::Outcome::Done)
            .filter_map(|s| s.exercise_id.as_deref())
            .collect()
    };
    let one = done_on(date.pred_opt());
    let two = done_on(date.pred_opt().and_then(|d| d.pred_opt()));
    one.intersection(&two).map(|s| (*s).to_string()).collect()
}

/// Whether an exercise is a warm-up move.
pub fn is_warm_up(e: &Exercise) -> bool {
    matches!(e.kind, Kind::Activation | Kind::Mobility)
}

/// Checks a request's values.
pub fn validate(req: &Request) -> Result<(), PlanError> {
    if req.areas.is_empty() {
        return Err(PlanError::Invalid(
            "no area given; name at least one with --area (e.g. --area lower-back)".into(),
        ));
    }
    if req.places.is_empty() {
        return Err(PlanError::Invalid(
            "no place given; name at least one with --place (floor, bed, chair or standing)".into(),
        ));
    }
    if !MINUTES.contains(&req.minutes) {
        return Err(PlanError::Invalid(format!(
            "{} minutes is out of range; ask for {} to {} minutes",
            req.minutes,
            MINUTES.start(),
            MINUTES.end()
        )));
    }
    Ok(())
}

fn dedup<T: PartialEq + Copy>(v: &[T]) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for x in v {
        if !out.contains(x) {
            out.push(*x);
        }
    }
    out
}

/// Plans the best routine for a request. `blocked` are ids left out for safety (hurt twice
/// lately); they are never chosen. A request marked [`Request::gentler`] is planned
/// [`Ease::Gentler`] (see [`plan_eased`]).
pub fn plan(catalog: &Catalog, req: &Request, blocked: &[String]) -> Result<Plan, PlanError> {
    let easing = req.gentler.then_some(Easing {
        ease: Ease::Gentler,
        why: crate::safety::Why::Flare,
    });
    plan_eased(catalog, req, blocked, easing)
}

/// Plans the best routine for a request, eased by the pain rules when `easing` says so: never
/// longer and never with more exercises than the normal plan for the same request
/// (see the `ease` module).
pub fn plan_eased(
    catalog: &Catalog,
    req: &Request,
    blocked: &[String],
    easing: Option<Easing>,
) -> Result<Plan, PlanError> {
    match easing.filter(|e| e.ease != Ease::Normal) {
        None => plan_by(
            catalog,
            &Request {
                gentler: false,
                ..req.clone()
            },
            blocked,
            search,
        ),
        // A place with nothing gentle enough says so, not that nothing at all can be done there.
        Some(e) => ease::eased(catalog, req, blocked, e, search).map_err(|err| match err {
            PlanError::NothingFits { places, .. } => PlanError::NothingGentle { places },
            other => other,
        }),
    }
}

/// [`plan`] with the search to run given: the branch and bound, or in tests brute force.
fn plan_by(
    catalog: &Catalog,
    req: &Request,
    blocked: &[String],
    solve: fn(&Problem<'_>) -> Found,
) -> Result<Plan, PlanError> {
    let ease = if req.gentler {
        Ease::Gentler
    } else {
        Ease::Normal
    };
    plan_within(catalog, req, blocked, solve, ease, req.minutes * 60)
}

/// [`plan_by`] eased by `ease`, within `budget` seconds (at most the request's minutes).
fn plan_within(
    catalog: &Catalog,
    req: &Request,
    blocked: &[String],
    solve: fn(&Problem<'_>) -> Found,
    ease: Ease,
    budget: u32,
) -> Result<Plan, PlanError> {
    validate(req)?;
    let areas = dedup(&req.areas);
    let places = dedup(&req.places);
    // Only exercises serving an area asked for can be chosen (or change a warning).
    let exercises: Vec<&Exercise> = catalog.serving(&areas).collect();
    // The family the direction of movement asks for counts as one more area to serve,
    // weighed like a secondary one, so a routine that can hold one has one.
    let goal = exercises.iter().any(|e| {
        req.direction_wants(e) && req.permits(e) && !blocked.contains(&e.id) && e.fits_any(&places)
    });
    let weights = weights(areas.len() + usize::from(goal));
    let date_seed = fnv(
        FNV_START,
        req.date.format("%Y-%m-%d").to_string().as_bytes(),
    );
    let cands = candidates(
        &exercises, req, ease, &areas, &places, blocked, &weights, date_seed,
    );
    if cands.is_empty() {
        return Err(nothing_fits(&exercises, req, areas, places, blocked));
    }
    let problem = Problem {
        cands: &cands,
        weights,
        budget: budget.min(req.minutes * 60),
        date_seed,
    };
    let found = solve(&problem);
    let Some(reps) = found.reps.clone() else {
        return Err(too_short(&cands, req.minutes));
    };
    let mut round = Round {
        reps,
        found,
        second: None,
    };
    if ease == Ease::Normal {
        fill(&mut round, &problem, &exercises, solve);
    }
    let problem = Problem {
        cands: round.second.as_deref().unwrap_or(&cands),
        ..problem
    };
    let score = evaluate(&problem, &round.reps).unwrap_or_default();
    let items = items(
        catalog,
        &exercises,
        problem.cands,
        &round.reps,
        req,
        ease,
        &areas,
    );
    let total_s = items.iter().map(|i| i.seconds).sum();
    let mut warnings = warnings(&items, &areas, &places, req, exercises.as_slice(), blocked);
    if round.second.is_some() {
        warnings.push(Warning::SecondRound {
            names: items
                .iter()
                .filter(|i| i.dose.reps > i.style_reps)
                .map(|i| i.exercise.name.clone())
                .collect(),
        });
    }
    if ease == Ease::Normal && short_of(total_s, problem.budget) {
        warnings.push(Warning::ShortOfTime {
            seconds: total_s,
            minutes: req.minutes,
            // An area not asked for is among what may be relaxed: every exercise is looked at.
            relax: relax(
                &catalog.exercises().collect::<Vec<_>>(),
                &areas,
                &places,
                req,
                blocked,
            ),
        });
    }
    if !round.found.exhaustive {
        warnings.push(Warning::NotExhaustive);
    }
    Ok(Plan {
        request: Request {
            areas,
            places,
            ..req.clone()
        },
        items,
        total_s,
        warnings,
        score,
        exhaustive: round.found.exhaustive,
        alternatives: round.found.ties,
        moment: None,
        desk_break: false,
    })
}

/// Why no candidate serves the request, with the single extra place that would give one.
fn nothing_fits(
    exercises: &[&Exercise],
    req: &Request,
    areas: Vec<Area>,
    places: Vec<Place>,
    blocked: &[String],
) -> PlanError {
    let suggest = Place::ALL.iter().copied().find(|p| {
        !places.contains(p)
            && exercises.iter().any(|e| {
                e.fits_any(&[*p])
                    && req.permits(e)
                    && !blocked.contains(&e.id)
                    && areas.iter().any(|a| e.areas.contains(a))
            })
    });
    PlanError::NothingFits {
        areas,
        places,
        suggest,
    }
}

/// Not even the cheapest candidate fits the minutes: how many the shortest routine needs.
fn too_short(cands: &[Cand], minutes: u32) -> PlanError {
    let need = cands
        .iter()
        .map(|c| c.cost(*c.levels.last().unwrap_or(&c.max_reps)) + POSITION_EXTRA)
        .min()
        .unwrap_or(0);
    PlanError::TooShort {
        minutes,
        need: need.div_ceil(60),
    }
}

/// The routine the search chose: its repetitions, what the search said, and the candidates
/// with a second round allowed when it chose among those.
struct Round {
    reps: Vec<u32>,
    found: Found,
    second: Option<Vec<Cand>>,
}

/// Much shorter than asked: lets stretches go for a second round, and keeps that routine
/// when it fills more of the time.
fn fill(
    round: &mut Round,
    problem: &Problem<'_>,
    exercises: &[&Exercise],
    solve: fn(&Problem<'_>) -> Found,
) {
    let seconds = routine_seconds(problem.cands, &round.reps);
    if !short_of(seconds, problem.budget) {
        return;
    }
    let doubled: Vec<Cand> = problem
        .cands
        .iter()
        .map(|c| {
            let mut d = c.clone();
            if !c.warm && exercises[c.ex].kind == Kind::Stretch {
                d.levels.insert(0, c.max_reps * 2);
                d.max_reps *= 2;
            }
            d
        })
        .collect();
    let found = solve(&Problem {
        cands: &doubled,
        weights: problem.weights.clone(),
        ..*problem
    });
    if let Some(reps) = found.reps.clone()
        && routine_seconds(&doubled, &reps) > seconds
    {
        *round = Round {
            reps,
            found: Found {
                exhaustive: round.found.exhaustive && found.exhaustive,
                ..found
            },
            second: Some(doubled),
        };
    }
}

/// The chosen candidates as the routine's items, in the order to do them.
fn items(
    catalog: &Catalog,
    exercises: &[&Exercise],
    cands: &[Cand],
    reps: &[u32],
    req: &Request,
    ease: Ease,
    areas: &[Area],
) -> Vec<Item> {
    let mut chosen: Vec<(&Cand, u32)> = cands
        .iter()
        .zip(reps.iter().copied())
        .filter(|(_, r)| *r > 0)
        .collect();
    order(&mut chosen, exercises);
    let mut items: Vec<Item> = Vec::new();
    let mut last_pos = None;
    for (c, r) in &chosen {
        let head = exercises[c.ex];
        // The chosen form, owned: it becomes the item's exercise.
        let e = catalog
            .get(&head.id)
            .map_or(head, |x| &x.exercise)
            .in_form(c.form)
            .at_places(&req.places);
        let mut dose = req.dose(&e, ease);
        let style_reps = dose.reps;
        dose.reps = *r;
        let serves: Vec<Area> = areas
            .iter()
            .enumerate()
            .filter(|(b, _)| c.mask & (1 << b) != 0)
            .map(|(_, a)| *a)
            .collect();
        let warm = c.warm;
        let new_pos = last_pos != Some(e.position);
        last_pos = Some(e.position);
        let mut why = reason(&e, &serves, areas[0], warm);
        if req.direction_wants(&e) {
            why.push_str(" It moves the way you said eases your lower back.");
        }
        if ease == Ease::Normal
            && req.style == DoseStyle::Source
            && let Some(note) = req.coaching.note(&e)
        {
            why.push(' ');
            why.push_str(&note);
        }
        items.push(Item {
            reason: why,
            seconds: item_seconds(&dose, e.sides, new_pos),
            exercise: e,
            dose,
            style_reps,
            serves,
            warm_up: warm,
        });
    }
    items
}

/// The candidates for a request: doable in an allowed place, not excluded or blocked,
/// serving a requested area; in search order, with each class of identical candidates
/// together and its members in the order the date prefers (recent ones last).
#[allow(clippy::too_many_arguments, reason = "each is one part of the request")]
fn candidates(
    exercises: &[&Exercise],
    req: &Request,
    ease: Ease,
    areas: &[Area],
    places: &[Place],
    blocked: &[String],
    weights: &[u32],
    date_seed: u64,
) -> Vec<Cand> {
    let allowed = |e: &Exercise| req.permits(e) && !blocked.contains(&e.id) && ease.allows(e);
    let mut cands: Vec<Cand> = Vec::new();
    for (i, e) in exercises.iter().enumerate() {
        let Some(form) = e.form_for(places).filter(|_| allowed(e)) else {
            continue;
        };
        let position = e.position_of(form);
        let mut mask = areas
            .iter()
            .enumerate()
            .filter(|(_, a)| e.areas.contains(a))
            .fold(0u32, |m, (b, _)| m | (1 << b));
        if mask == 0 {
            continue;
        }
        if weights.len() > areas.len() && req.direction_wants(e) {
            mask |= 1 << areas.len();
        }
        let dose = req.dose(e, ease);
        cands.push(Cand {
            ex: i,
            form,
            mask,
            pos: position as usize,
            level: position.level(),
            warm: is_warm_up(e),
            sides: e.side_count(),
            alternate: e.sides == crate::vocab::Sides::Alternate,
            hold: dose.hold_s,
            rest: dose.rest_s,
            max_reps: dose.reps,
            levels: trim_levels(dose.hold_s, dose.reps),
            gentleness: e.gentleness,
            id_hash: fnv(FNV_START, e.id.as_bytes()),
            recent: req.recent.contains(&e.id),
        });
    }
    // A warm-up opens the routine, so only one at the lowest level any candidate has can be
    // a warm-up (it never holds back a lower exercise), and only the gentlest of those.
    if let Some(lowest) = cands.iter().map(|c| c.level).min() {
        for c in &mut cands {
            c.warm &= c.level == lowest;
        }
        if let Some(gentlest) = cands.iter().filter(|c| c.warm).map(|c| c.gentleness).min() {
            for c in &mut cands {
                c.warm &= c.gentleness == gentlest;
            }
        }
    }
    // Search order: the most useful first, so good routines are found early; identical
    // candidates together, the date's preferred member first and recent ones last.
    cands.sort_by_cached_key(|c| {
        let w: u32 = (0..weights.len())
            .filter(|a| c.mask & (1 << a) != 0)
            .map(|a| weights[a])
            .sum();
        (
            std::cmp::Reverse(w),
            std::cmp::Reverse(c.warm),
            c.pos,
            c.mask,
            c.sides,
            c.alternate,
            c.hold,
            c.rest,
            c.levels.clone(),
            c.recent,
            fnv(date_seed, &c.id_hash.to_le_bytes()),
        )
    });
    cands
}

/// Seconds a choice of repetitions takes, with the extra time of each position.
fn routine_seconds(cands: &[Cand], reps: &[u32]) -> u32 {
    let mut positions = 0u32;
    let mut t = 0;
    for (c, &r) in cands.iter().zip(reps) {
        if r > 0 {
            t += c.cost(r);
            positions |= 1 << c.pos;
        }
    }
    t + POSITION_EXTRA * positions.count_ones()
}

/// Whether a routine of `seconds` leaves much of the `budget` unused.
fn short_of(seconds: u32, budget: u32) -> bool {
    seconds * 4 < budget * FILL_QUARTERS && budget - seconds >= FILL_MIN_GAP_S
}

/// What to relax for a longer routine: a place not allowed, or an area not asked for, that
/// has exercises the catalogue would add.
fn relax(
    exercises: &[&Exercise],
    areas: &[Area],
    places: &[Place],
    req: &Request,
    blocked: &[String],
) -> Option<Relax> {
    let usable = |e: &Exercise| req.permits(e) && !blocked.contains(&e.id);
    if let Some(p) = Place::ALL.iter().copied().find(|p| {
        !places.contains(p)
            && exercises.iter().any(|e| {
                usable(e)
                    && e.fits_any(&[*p])
                    && !e.fits_any(places)
                    && areas.iter().any(|a| e.areas.contains(a))
            })
    }) {
        return Some(Relax::Place(p));
    }
    Area::ALL
        .iter()
        .copied()
        .find(|a| {
            !areas.contains(a)
                && exercises
                    .iter()
                    .any(|e| usable(e) && e.fits_any(places) && e.areas.contains(a))
        })
        .map(Relax::Area)
}

/// The order to do the chosen exercises in: by level (lying, kneeling, seated, standing);
/// within a level the warm-up's position first and each position together; within a
/// position the warm-up first, then activation, mobility and stretches, each gentler before
/// more demanding.
fn order(chosen: &mut [(&Cand, u32)], exercises: &[&Exercise]) {
    let min_level = chosen.iter().map(|(c, _)| c.level).min().unwrap_or(0);
    let warm_pos = chosen
        .iter()
        .filter(|(c, _)| c.warm && c.level == min_level)
        .map(|(c, _)| c.pos)
        .min();
    let kind_rank = |k: Kind| match k {
        Kind::Activation => 0,
        Kind::Mobility => 1,
        Kind::Stretch => 2,
    };
    chosen.sort_by(|(a, _), (b, _)| {
        let key = |c: &Cand| {
            let e = exercises[c.ex];
            (
                c.level,
                Some(c.pos) != warm_pos,
                c.pos,
                !c.warm,
                kind_rank(e.kind),
                c.gentleness,
                e.id.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
}

#[cfg(test)]
mod tests;
