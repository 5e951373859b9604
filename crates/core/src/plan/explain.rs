//! Explanations: why each exercise is there, and what a plan could not do as asked.

use crate::conditions::{self, Family};
use crate::exercise::Exercise;
use crate::safety::{Easing, Rise};
use crate::sources::source_doc;
use crate::vocab::{Area, Condition, EasedBy, Place, Word};

use super::{ENOUGH_S, Item, NODE_LIMIT, Request};

pub(super) fn join<W: Word>(w: &[W]) -> String {
    match w.len() {
        0 => "nothing".into(),
        1 => w[0].as_str().into(),
        n => format!(
            "{} or {}",
            w[..n - 1]
                .iter()
                .map(|x| x.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            w[n - 1].as_str()
        ),
    }
}

/// Something a plan could not do as asked, or a change the safety rules made. Front ends
/// match on the variant; the text (`Display`) is what the plan's JSON carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// An area gets less than half the usual stretch.
    ThinDose {
        area: Area,
        /// Its hold seconds.
        seconds: u32,
    },
    /// An area is left out for lack of time.
    AreaNeedsTime { area: Area },
    /// An area is left out because no exercise for it fits the places.
    AreaNeedsPlace {
        area: Area,
        /// The places allowed.
        places: Vec<Place>,
        /// A place that would include it.
        allow: Place,
    },
    /// No exercise in the catalogue serves an area.
    AreaUnserved { area: Area },
    /// Repetitions were trimmed to fit the time.
    Trimmed {
        /// The exercises' names.
        names: Vec<String>,
    },
    /// A plan eased by the pain rules: gentler after a flare or red sessions, the middle step
    /// back up, or the gentlest at high pain.
    Gentler(Easing),
    /// Pain before sessions rising week on week.
    PainRising(Rise),
    /// An exercise left out after hurting twice lately.
    Blocked { id: String, name: String },
    /// Weeks of practice without a meaningful improvement: have it reviewed.
    ReviewAdvised,
    /// Repeated flares: see a clinician.
    SeeClinician {
        /// Flares within the window.
        flares: usize,
    },
    /// Stretches done for a second round to fill the time.
    SecondRound {
        /// The exercises' names.
        names: Vec<String>,
    },
    /// The catalogue has too little for these areas and places to fill the time.
    ShortOfTime {
        /// Seconds the routine takes.
        seconds: u32,
        /// Minutes asked for.
        minutes: u32,
        /// What to relax for more.
        relax: Option<Relax>,
    },
    /// The search stopped at its node limit; the routine is the best found, maybe not the
    /// best there is.
    NotExhaustive,
    /// Exercises a health condition rules out, left out, with why (and the condition's
    /// standing advice).
    Condition {
        condition: Condition,
        /// The names of those that would otherwise have been candidates (maybe none).
        names: Vec<String>,
    },
    /// The routine is the clinician's prescription, not planned here.
    Prescribed {
        /// The clinician's name.
        by: String,
        /// The day it was prescribed, `YYYY-MM-DD`.
        on: String,
        /// Sessions a week asked for.
        per_week: u32,
        /// Their note, maybe empty.
        note: String,
    },
    /// Exercises in the routine that a condition asks care with.
    ConditionFlag {
        condition: Condition,
        /// Their names.
        names: Vec<String>,
    },
    /// The direction of movement that eases lower-back pain chose a family of moves.
    Direction {
        eased_by: EasedBy,
        /// The family included.
        want: Family,
        /// The family left out.
        out: Family,
        /// Names of the exercises left out for it.
        names: Vec<String>,
        /// Whether the routine holds one of the family asked for.
        planned: bool,
    },
}

fn prescribed(
    f: &mut std::fmt::Formatter<'_>,
    by: &str,
    on: &str,
    per_week: u32,
    note: &str,
) -> std::fmt::Result {
    let sessions = if per_week == 1 { "session" } else { "sessions" };
    write!(
        f,
        "prescribed by {by} on {on}, {per_week} {sessions} a week"
    )?;
    if note.is_empty() {
        Ok(())
    } else {
        write!(f, ": \"{note}\"")
    }
}

/// What to relax in a request for a longer routine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relax {
    /// Allow this place too.
    Place(Place),
    /// Ask for this area too.
    Area(Area),
}

impl Warning {
    /// Whether it comes from the safety rules (shown before a session starts).
    pub fn is_safety(&self) -> bool {
        matches!(
            self,
            Warning::Blocked { .. }
                | Warning::Condition { .. }
                | Warning::ConditionFlag { .. }
                | Warning::Direction { .. }
                | Warning::SeeClinician { .. }
                | Warning::ReviewAdvised
                | Warning::Gentler(_)
                | Warning::PainRising(_)
        )
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Warning::ThinDose { area, seconds } => write!(
                f,
                "{area} gets only {seconds} s of stretch; more minutes would give it the usual {ENOUGH_S} s"
            ),
            Warning::AreaNeedsTime { area } => write!(
                f,
                "{area} is left out: not enough time; ask for more minutes to include it"
            ),
            Warning::AreaNeedsPlace {
                area,
                places,
                allow,
            } => write!(
                f,
                "{area} is left out: no exercise for it can be done in {}; allowing {allow} would include it",
                join(places)
            ),
            Warning::AreaUnserved { area } => write!(
                f,
                "{area} is left out: no exercise in the catalogue serves it"
            ),
            Warning::Trimmed { names } => write!(
                f,
                "repetitions trimmed to fit the time: {}",
                names.join(", ")
            ),
            Warning::Gentler(e) => write!(f, "{e}"),
            Warning::PainRising(r) => write!(f, "{}", r.advice()),
            Warning::Blocked { id, name } => write!(
                f,
                "left out for safety: {name} was logged as hurting twice in 14 days; `backstretch profile allow {id}` puts it back"
            ),
            Warning::Prescribed {
                by,
                on,
                per_week,
                note,
            } => prescribed(f, by, on, *per_week, note),
            Warning::ReviewAdvised => write!(
                f,
                "six weeks of sessions have brought no meaningful improvement: please have your back or neck reviewed by a doctor or physiotherapist"
            ),
            Warning::SeeClinician { flares } => write!(
                f,
                "{flares} flares in the last 14 days: please see a doctor or physiotherapist before going on; plans stay gentle until a calmer session"
            ),
            Warning::SecondRound { names } => write!(
                f,
                "a second round (twice the repetitions) to fill the time: {}",
                names.join(", ")
            ),
            Warning::ShortOfTime {
                seconds,
                minutes,
                relax,
            } => {
                write!(
                    f,
                    "this routine fills {}:{:02} of the {minutes} minutes asked: the catalogue has nothing more for these areas and places",
                    seconds / 60,
                    seconds % 60
                )?;
                match relax {
                    Some(Relax::Place(p)) => write!(f, "; allowing {p} would give more"),
                    Some(Relax::Area(a)) => write!(f, "; adding the area {a} would give more"),
                    None => write!(f, "; ask for fewer minutes, or add exercises of your own"),
                }
            }
            Warning::NotExhaustive => write!(
                f,
                "the search stopped at its limit of {NODE_LIMIT} steps: this is the best routine found, perhaps not the best there is"
            ),
            Warning::Condition { condition, names } => condition_text(f, *condition, names),
            Warning::ConditionFlag { condition, names } => write!(
                f,
                "{condition}: take care with {}: {}",
                names.join(", "),
                conditions::rule(*condition).flag_advice
            ),
            Warning::Direction {
                eased_by,
                want,
                out,
                names,
                planned,
            } => direction_text(f, *eased_by, *want, *out, names, *planned),
        }
    }
}

/// A condition's warning: what it left out and why, and its standing advice.
fn condition_text(
    f: &mut std::fmt::Formatter<'_>,
    condition: Condition,
    names: &[String],
) -> std::fmt::Result {
    let rule = conditions::rule(condition);
    if names.is_empty() {
        return write!(f, "{condition}: {}", rule.always);
    }
    write!(
        f,
        "left out for {condition}: {}: {}",
        names.join(", "),
        rule.why
    )?;
    if !rule.always.is_empty() {
        write!(f, "; {}", rule.always)?;
    }
    Ok(())
}

/// The direction of movement's warning: what it chose, and what it left out.
fn direction_text(
    f: &mut std::fmt::Formatter<'_>,
    eased_by: EasedBy,
    want: Family,
    out: Family,
    names: &[String],
    planned: bool,
) -> std::fmt::Result {
    let eased = eased_by.words();
    write!(
        f,
        "you said {eased} eases your lower back, so this plan favours moves that {} and leaves out those that {}",
        want.words(),
        out.words()
    )?;
    if !names.is_empty() {
        write!(f, " ({})", names.join(", "))?;
    }
    if !planned {
        write!(
            f,
            "; none that {} fits these places and conditions today",
            want.words()
        )?;
    }
    write!(
        f,
        "; matching exercise to the direction that eases the pain helped more in a trial (Long et al., Spine 2004). If pain spreads down a leg, stop and see a clinician; `backstretch profile set --eased-by neither` plans both"
    )
}

/// The warnings the conditions and the direction of movement give a plan: what each left
/// out that would otherwise have been a candidate, and what the routine holds that a
/// condition asks care with.
fn condition_warnings(
    items: &[Item],
    areas: &[Area],
    places: &[Place],
    req: &Request,
    exercises: &[&Exercise],
    blocked: &[String],
) -> Vec<Warning> {
    let mut out = Vec::new();
    // Would have been a candidate, were it not for the conditions and the direction.
    let candidate = |e: &Exercise| {
        !req.exclude.contains(&e.id)
            && (!req.pages_only || e.from_pages())
            && !blocked.contains(&e.id)
            && e.fits_any(places)
    };
    let mut seen: Vec<Condition> = Vec::new();
    for c in &req.conditions {
        if seen.contains(c) {
            continue;
        }
        seen.push(*c);
        let names: Vec<String> = exercises
            .iter()
            .filter(|e| candidate(e) && conditions::ruled_out_by(&req.conditions, e) == Some(*c))
            .map(|e| e.name.clone())
            .collect();
        if !names.is_empty() || !conditions::rule(*c).always.is_empty() {
            out.push(Warning::Condition {
                condition: *c,
                names,
            });
        }
        let flagged: Vec<String> = items
            .iter()
            .filter(|i| conditions::flagged_by(&req.conditions, &i.exercise) == Some(*c))
            .map(|i| i.exercise.title())
            .collect();
        if !flagged.is_empty() {
            out.push(Warning::ConditionFlag {
                condition: *c,
                names: flagged,
            });
        }
    }
    if let (Some((want, Some(left))), Some(eased_by)) =
        (conditions::direction(req.eased_by, areas), req.eased_by)
    {
        let names = exercises
            .iter()
            .filter(|e| {
                candidate(e)
                    && conditions::ruled_out_by(&req.conditions, e).is_none()
                    && Family::of(e) == Some(left)
            })
            .map(|e| e.name.clone())
            .collect();
        out.push(Warning::Direction {
            eased_by,
            want,
            out: left,
            names,
            planned: items.iter().any(|i| Family::of(&i.exercise) == Some(want)),
        });
    }
    out
}

/// Why an exercise is in the routine, in one line.
pub(super) fn reason(e: &Exercise, serves: &[Area], primary: Area, warm: bool) -> String {
    let areas: Vec<String> = serves
        .iter()
        .map(|a| {
            if *a == primary {
                format!("{a} (primary)")
            } else {
                a.to_string()
            }
        })
        .collect();
    let mut authors: Vec<String> = Vec::new();
    for a in e
        .sources
        .iter()
        .filter_map(|s| source_doc(&s.doc).map(super::super::sources::SourceDoc::author_text))
    {
        if !authors.contains(&a) {
            authors.push(a);
        }
    }
    let from = match authors.len() {
        // The first (strongest) piece of evidence; `catalog show` lists them all.
        0 if !e.evidence.is_empty() => format!("supported by {}", e.evidence[0].cite_year()),
        0 => "your own catalogue".to_string(),
        1 => format!("recommended by {}", authors[0]),
        n => format!(
            "recommended by {} and {}",
            authors[..n - 1].join("; "),
            authors[n - 1]
        ),
    };
    let lead = if warm {
        "Gentle warm-up; serves "
    } else {
        "Serves "
    };
    format!("{lead}{}; {from}.", areas.join(", "))
}

pub(super) fn warnings(
    items: &[Item],
    areas: &[Area],
    places: &[Place],
    req: &Request,
    exercises: &[&Exercise],
    blocked: &[String],
) -> Vec<Warning> {
    let mut out = Vec::new();
    for a in areas {
        let served: u32 = items
            .iter()
            .filter(|i| i.serves.contains(a))
            .map(|i| i.dose.hold_s * i.dose.reps)
            .sum();
        if served > 0 {
            if served < ENOUGH_S / 2 {
                out.push(Warning::ThinDose {
                    area: *a,
                    seconds: served,
                });
            }
            continue;
        }
        let usable =
            |e: &&&Exercise| e.areas.contains(a) && req.permits(e) && !blocked.contains(&e.id);
        if exercises.iter().filter(usable).any(|e| e.fits_any(places)) {
            out.push(Warning::AreaNeedsTime { area: *a });
        } else if let Some(p) = Place::ALL
            .iter()
            .find(|p| exercises.iter().filter(usable).any(|e| e.fits_any(&[**p])))
        {
            out.push(Warning::AreaNeedsPlace {
                area: *a,
                places: places.to_vec(),
                allow: *p,
            });
        } else {
            out.push(Warning::AreaUnserved { area: *a });
        }
    }
    let trimmed: Vec<String> = items
        .iter()
        .filter(|i| i.dose.reps < i.style_reps)
        .map(|i| i.exercise.title())
        .collect();
    if !trimmed.is_empty() {
        out.push(Warning::Trimmed { names: trimmed });
    }
    out.extend(condition_warnings(
        items, areas, places, req, exercises, blocked,
    ));
    out
}
