//! `backstretch safety` and `backstretch disclaimer`, and the gates every routine passes:
//! the disclaimer accepted, a red-flag check with no warning sign for the areas asked, and
//! the pain rules (exercises that hurt twice lately, flares).

use std::collections::BTreeMap;
use std::process::ExitCode;

use backstretch_core::profile::Profile;
use backstretch_core::safety::{
    self, DISCLAIMER, DISCLAIMER_VERSION, FlareState, Hurt, RedFlag, SessionPain, Verdict,
};
use backstretch_core::vocab::{Area, Word};
use backstretch_render::table::Table;
use backstretch_store::{Screening, Store};
use miette::{IntoDiagnostic, miette};
use serde::Serialize;

use crate::args::{Format, SafetyArgs};
use crate::ask;
use crate::cmd::start::now_stamp;
use crate::context::Context;
use crate::output::{print, width};

fn flags() -> miette::Result<Vec<RedFlag>> {
    safety::red_flags().map_err(|e| miette!("{e}"))
}

/// Makes sure the current disclaimer has been accepted: by `--accept-disclaimer`, by asking
/// on a terminal, or else fails with how to accept it.
pub fn ensure_disclaimer(ctx: &Context, store: &Store) -> miette::Result<()> {
    if store.disclaimer_version().map_err(|e| miette!("{e}"))? == Some(DISCLAIMER_VERSION) {
        return Ok(());
    }
    if ctx.accept_disclaimer {
        store
            .accept_disclaimer(DISCLAIMER_VERSION, &now_stamp())
            .map_err(|e| miette!("{e}"))?;
        return Ok(());
    }
    if ask::interactive() {
        ask::say(&format!("Before you start\n\n{DISCLAIMER}\n"));
        if ask::yes_no("Do you understand and accept this?", false) {
            store
                .accept_disclaimer(DISCLAIMER_VERSION, &now_stamp())
                .map_err(|e| miette!("{e}"))?;
            println!();
            return Ok(());
        }
        return Err(miette!(
            help = "run `backstretch` again when you are ready to accept it",
            "the disclaimer was not accepted, so no routine is planned or played"
        ));
    }
    Err(miette!(
        help = "read it with `backstretch disclaimer`, then accept it once by running `backstretch` in a terminal, or pass --accept-disclaimer (or set BACKSTRETCH_ACCEPT_DISCLAIMER=1) in scripts",
        "the disclaimer has not been accepted yet"
    ))
}

fn verdict_word(v: &Verdict) -> &'static str {
    match v {
        Verdict::Clear => "clear",
        Verdict::Flagged {
            urgency: safety::Urgency::Soon,
            ..
        } => "soon",
        Verdict::Flagged { .. } => "emergency",
    }
}

/// Asks the red-flag questions for `areas` on the terminal and records the answers.
fn ask_questions(store: &Store, areas: &[Area]) -> miette::Result<Verdict> {
    let all = flags()?;
    let qs = safety::questions_for(&all, areas);
    ask::say(
        "A few yes-or-no questions about warning signs, to check that stretching is right for you now.\n",
    );
    let mut answers = BTreeMap::new();
    for q in qs {
        let yes = ask::yes_no(&q.text, false);
        answers.insert(q.id.clone(), yes);
    }
    record(store, areas, answers, &all)
}

fn record(
    store: &Store,
    areas: &[Area],
    answers: BTreeMap<String, bool>,
    all: &[RedFlag],
) -> miette::Result<Verdict> {
    let yes: Vec<String> = answers
        .iter()
        .filter(|(_, y)| **y)
        .map(|(k, _)| k.clone())
        .collect();
    let v = safety::verdict(all, &yes);
    store
        .add_screening(&Screening {
            at: now_stamp(),
            areas: areas.iter().map(|a| a.as_str().to_string()).collect(),
            answers,
            verdict: verdict_word(&v).into(),
        })
        .map_err(|e| miette!("{e}"))?;
    Ok(v)
}

fn flagged_error(s: &Screening) -> miette::Report {
    let all = safety::red_flags().unwrap_or_default();
    let yes: Vec<String> = s
        .answers
        .iter()
        .filter(|(_, y)| **y)
        .map(|(k, _)| k.clone())
        .collect();
    let v = safety::verdict(&all, &yes);
    miette!(
        help = "when the signs are gone, or a clinician has cleared you to stretch, run `backstretch safety` again",
        "a warning sign was reported on {}, so no routine is planned or played.\n{}",
        s.at.get(..10).unwrap_or(&s.at),
        safety::verdict_message(&v)
    )
}

/// Makes sure the latest red-flag check covers `areas` and found no warning sign: asks on a
/// terminal when a new check is due, else fails with how to answer.
pub fn ensure_screening(store: &Store, areas: &[Area]) -> miette::Result<()> {
    let last = store.last_screening().map_err(|e| miette!("{e}"))?;
    let covers = |s: &Screening| {
        areas
            .iter()
            .all(|a| s.areas.iter().any(|x| x == a.as_str()))
    };
    match last {
        Some(s) if s.verdict != "clear" => Err(flagged_error(&s)),
        Some(s) if covers(&s) => Ok(()),
        last => {
            let why = if last.is_some() {
                "your areas changed since the last red-flag check"
            } else {
                "no red-flag check has been done yet"
            };
            if ask::interactive() {
                let v = ask_questions(store, areas)?;
                ask::say(&format!("{}\n", safety::verdict_message(&v)));
                if v == Verdict::Clear {
                    return Ok(());
                }
                return Err(miette!(
                    "no routine is planned or played after a warning sign"
                ));
            }
            Err(miette!(
                help = "answer it in a terminal with `backstretch safety`, or in scripts with `backstretch safety --answers none` (or --answers ID,ID for the signs present)",
                "{why}"
            ))
        }
    }
}

/// The pain rules as of today: exercises left out, and the flare state.
pub struct PainRules {
    /// Exercise ids left out (hurt twice within 14 days).
    pub blocked: Vec<String>,
    /// Flares.
    pub flare: FlareState,
}

fn local_day(stamp: &str) -> Option<chrono::NaiveDate> {
    chrono::DateTime::parse_from_rfc3339(stamp)
        .ok()
        .map(|t| t.with_timezone(&chrono::Local).date_naive())
}

/// Works out the pain rules from the log.
pub fn pain_rules(store: &Store, profile: Option<&Profile>) -> miette::Result<PainRules> {
    let today = chrono::Local::now().date_naive();
    let hurts: Vec<Hurt> = store
        .hurts()
        .map_err(|e| miette!("{e}"))?
        .into_iter()
        .filter_map(|(at, session, exercise)| {
            Some(Hurt {
                day: local_day(&at)?,
                session,
                exercise,
            })
        })
        .collect();
    let allowed = profile.map(|p| p.allowed.clone()).unwrap_or_default();
    let blocked = safety::blocked(&hurts, &allowed, today);
    let pains: Vec<SessionPain> = store
        .sessions()
        .map_err(|e| miette!("{e}"))?
        .iter()
        .filter(|s| s.outcome.is_some())
        .filter_map(|s| {
            Some(SessionPain {
                day: local_day(&s.started_at)?,
                before: s.pain_before?,
                after: s.pain_after?,
            })
        })
        .collect();
    Ok(PainRules {
        blocked,
        flare: safety::flare_state(&pains, today),
    })
}

/// The notes the pain rules add to a plan.
pub fn rule_notes(rules: &PainRules, names: impl Fn(&str) -> String) -> Vec<String> {
    let mut out = Vec::new();
    for id in &rules.blocked {
        out.push(format!(
            "left out for safety: {} was logged as hurting twice in 14 days; `backstretch profile allow {id}` puts it back",
            names(id)
        ));
    }
    if rules.flare.see_clinician {
        out.push(format!(
            "{} flares in the last 14 days: please see a doctor or physiotherapist before going on; plans stay gentle until a calmer session",
            rules.flare.recent_flares
        ));
    }
    out
}

#[derive(Serialize)]
struct QuestionJson<'a> {
    id: &'a str,
    text: &'a str,
    urgency: safety::Urgency,
    areas: Vec<&'static str>,
    guideline: &'a str,
    sources: &'a [String],
}

pub fn run(ctx: &Context, a: &SafetyArgs) -> miette::Result<ExitCode> {
    let all = flags()?;
    if a.list {
        let format = ctx.format(&[Format::Table, Format::Json])?;
        if format == Format::Json {
            let v: Vec<QuestionJson<'_>> = all
                .iter()
                .map(|q| QuestionJson {
                    id: &q.id,
                    text: &q.text,
                    urgency: q.urgency,
                    areas: q.areas.iter().map(|x| x.as_str()).collect(),
                    guideline: &q.guideline,
                    sources: &q.sources,
                })
                .collect();
            let mut s = serde_json::to_string_pretty(&v).into_diagnostic()?;
            s.push('\n');
            print(&s)?;
        } else {
            let mut t = Table::new(["ID", "URGENCY", "ASKED FOR", "QUESTION"])
                .no_wrap(0)
                .no_wrap(1);
            for q in &all {
                let areas = if q.areas.is_empty() {
                    "every area".to_string()
                } else {
                    q.areas
                        .iter()
                        .map(|x| x.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                t.row([
                    q.id.clone(),
                    format!("{:?}", q.urgency).to_lowercase(),
                    areas,
                    q.text.clone(),
                ]);
            }
            print(&t.render(width()))?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    ctx.format(&[Format::Table])?;
    let store = ctx.store()?;
    let profile = store.profile().map_err(|e| miette!("{e}"))?;
    let v = match &a.answers {
        Some(list) => {
            let yes: Vec<String> = if list.trim().eq_ignore_ascii_case("none") {
                Vec::new()
            } else {
                list.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            };
            for id in &yes {
                if !all.iter().any(|q| &q.id == id) {
                    return Err(miette!(
                        help = format!(
                            "use `none`, or ids from `backstretch safety --list`: {}",
                            all.iter()
                                .map(|q| q.id.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        "--answers: unknown question id `{id}`"
                    ));
                }
            }
            // Scripted answers cover every question, so every area.
            let answers = all
                .iter()
                .map(|q| (q.id.clone(), yes.contains(&q.id)))
                .collect();
            record(&store, Area::ALL, answers, &all)?
        }
        None if ask::interactive() => {
            let areas = profile
                .as_ref()
                .filter(|p| !p.areas.is_empty())
                .map_or_else(|| Area::ALL.to_vec(), |p| p.areas.clone());
            ask_questions(&store, &areas)?
        }
        None => {
            return Err(miette!(
                help = "run it in a terminal, or pass --answers none (no sign present) or --answers ID,ID",
                "the red-flag check needs answers"
            ));
        }
    };
    print(&format!("{}\n", safety::verdict_message(&v)))?;
    Ok(if v == Verdict::Clear {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `backstretch disclaimer`: the text, and whether it was accepted.
pub fn disclaimer(ctx: &Context) -> miette::Result<ExitCode> {
    let accepted = if ctx.store_path().exists() {
        ctx.store()?
            .disclaimer_version()
            .map_err(|e| miette!("{e}"))?
            == Some(DISCLAIMER_VERSION)
    } else {
        false
    };
    let status = if accepted {
        "You have accepted it."
    } else {
        "Not accepted yet: run `backstretch` in a terminal, or pass --accept-disclaimer."
    };
    print(&format!(
        "{DISCLAIMER}\n\n(version {DISCLAIMER_VERSION}) {status}\n"
    ))?;
    Ok(ExitCode::SUCCESS)
}
