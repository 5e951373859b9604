//! What can go wrong in a use case, and what a person can do about it ([`Remedy`]), named
//! for no front end: the terminal words a remedy as a command to run, the web as a page to
//! open. The source chain is kept for the report.

use backstretch_core::catalog::NotFound;
use backstretch_core::plan::PlanError;
use backstretch_core::routine::RoutineError;
use backstretch_core::safety::{BadRedFlags, Urgency, Verdict};
use backstretch_store::StoreError;

/// An error from a use case.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum AppError {
    /// The log could not be used.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The embedded red-flag questions are broken (a build defect).
    #[error(transparent)]
    RedFlags(#[from] BadRedFlags),
    /// A name no exercise answers to.
    #[error("{flag}`{}`: no exercise is called that", .not_found.query)]
    UnknownExercise {
        /// The flag or place it was given (`--exclude `), or empty.
        flag: String,
        /// The closest names.
        not_found: NotFound,
    },
    /// A plan needs areas and places.
    #[error("no {missing} to plan for")]
    NothingToPlanFor {
        /// `areas`, `places`, or `areas and places`.
        missing: &'static str,
    },
    /// The planner could not plan.
    #[error("cannot plan a routine: {0}")]
    Plan(PlanError),
    /// A gate is not passed yet.
    #[error("{}", gate_text(.0))]
    GateNotPassed(crate::Gate),
    /// Red-flag answers named an unknown question.
    #[error("--answers: unknown question id `{id}`")]
    UnknownQuestion {
        /// The id given.
        id: String,
        /// Every id.
        known: String,
    },
    /// Red-flag answers left questions unanswered; nothing was recorded.
    #[error("no answer to {}: {}", plural(.questions.len()), .questions.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>().join(", "))]
    Unanswered {
        /// The questions without an answer: (id, the question).
        questions: Vec<(String, String)>,
    },
    /// Red-flag answers named a question this check does not ask.
    #[error("`{id}` is not asked in this check")]
    NotAsked {
        /// The id given.
        id: String,
        /// The ids it asks, joined.
        asked: String,
    },
    /// An emergency sign cannot be cleared.
    #[error("{sign} cannot be cleared: it calls for emergency care")]
    EmergencyNotClearable { sign: String },
    /// No clinic looks after this log: a message would reach no one.
    #[error("no clinician would read it: this log is not linked to a practice")]
    NoClinic,
    /// A message that cannot be sent.
    #[error("the message cannot be sent: {problem}")]
    BadMessage {
        problem: backstretch_core::care::BadText,
    },
    /// A function measure (PSFS) that cannot be recorded.
    #[error("the function scores cannot be recorded: {problem}")]
    BadFunction {
        problem: backstretch_core::function::BadFunction,
    },
    /// The embedded education cards are broken (a build defect).
    #[error(transparent)]
    Education(#[from] backstretch_core::education::BadCards),
    /// In a clinic's care, the clinician records clearances.
    #[error(
        "{sign} is cleared by your clinician: you are in a clinic's care, and only their clearance lifts it"
    )]
    ClinicClears { sign: String },
    /// A routine cannot be played.
    #[error("{what}: {source}")]
    BadRoutine {
        /// Where it came from.
        what: String,
        /// What is wrong.
        #[source]
        source: RoutineError,
        /// What to do about it.
        remedy: Remedy,
    },
    /// Nothing in a saved routine is safe to play today.
    #[error("nothing in {what} is safe to play today")]
    NothingSafe {
        /// The routine's name.
        what: String,
    },
    /// No session to resume.
    #[error("there is no unfinished session to resume")]
    NothingToResume,
    /// The session to resume is still playing elsewhere.
    #[error("the session started at {started} is still running in another terminal")]
    StillRunning {
        /// When it started, as a person reads it.
        started: String,
    },
    /// A session logged by hand names no exercise.
    #[error("no exercises to log")]
    NothingToLog,
    /// `--hurt` or `--skip` names an exercise not in the routine.
    #[error("{flag} `{id}` is not in {routine}")]
    NotInRoutine {
        /// `--hurt` or `--skip`.
        flag: &'static str,
        id: String,
        /// The routine's description.
        routine: String,
    },
    /// The same exercise is both skipped and hurt.
    #[error("`{id}` is named with both --skip and --hurt")]
    SkippedAndHurt { id: String },
    /// An exercise not done is said to be too easy or too hard.
    #[error("`{id}` is named with both --skip and {flag}")]
    RatedButSkipped {
        /// `--easy` or `--hard`.
        flag: &'static str,
        id: String,
    },
    /// A player rated an exercise that is not in its session.
    #[error("`{id}` is not an exercise of this session, so it cannot be rated in it")]
    RatedNotInSession { id: String },
    /// The same exercise is both too easy and too hard.
    #[error("`{id}` is named with both --easy and --hard")]
    EasyAndHard { id: String },
    /// No sheet was printed with this code.
    #[error("no sheet printed here has the code {code}")]
    UnknownSheet {
        /// The code asked for.
        code: backstretch_core::code::RoutineCode,
    },
    /// A time in the future.
    #[error("{0} is in the future")]
    InTheFuture(String),
    /// A reported time before the session began.
    #[error("{at} is before the session began ({started})")]
    BeforeTheStart {
        /// The time given.
        at: String,
        /// When the session began.
        started: String,
    },
    /// A reported step that is not in the session's timeline.
    #[error("step {step} is not in this session, which has {steps} steps")]
    NoSuchStep {
        /// The index given.
        step: u32,
        /// How many steps there are.
        steps: usize,
    },
    /// A reported step that took longer than it lasts.
    #[error("step {step} lasts {seconds} s, but {done_ms} ms were reported done")]
    TooLong {
        step: u32,
        seconds: u32,
        /// The milliseconds reported.
        done_ms: u64,
    },
    /// No profile saved yet.
    #[error("no profile saved yet")]
    NoProfile,
    /// A moment of the day that cannot be saved.
    #[error("{0}")]
    BadMoment(String),
    /// A moment of the day the profile does not have.
    #[error("{}", unknown_moment(name, known))]
    UnknownMoment {
        /// The name asked for.
        name: String,
        /// The profile's moments.
        known: Vec<String>,
    },
    /// A profile without areas or places.
    #[error("a profile needs at least one --area and one --place")]
    IncompleteProfile,
    /// An import file that cannot be read as an export.
    #[error("{file} is not a backstretch export: {detail}")]
    NotAnExport {
        file: String,
        /// What is wrong.
        detail: String,
    },
    /// An export of another format or version.
    #[error(
        "{file} is format `{format}` version {version}; this backstretch reads `{}` version {}",
        backstretch_core::exchange::FORMAT,
        backstretch_core::exchange::VERSION
    )]
    WrongExport {
        file: String,
        format: String,
        version: u32,
    },
    /// Values of an import file are wrong; nothing was imported. Every problem is listed,
    /// so a damaged backup can be repaired in one pass.
    #[error("{file}: {}", problems_text(.problems))]
    BadImport {
        file: String,
        /// Every bad value, with its JSON path.
        problems: Vec<backstretch_core::exchange::BadValue>,
    },
    /// An export could not be written out.
    #[error("cannot write the export: {0}")]
    Write(#[source] std::io::Error),
    /// An import the store refused.
    #[error("nothing was imported: {0}")]
    ImportFailed(#[source] StoreError),
}

/// The problems of an import, one a line (the first 50, then how many more).
fn problems_text(problems: &[backstretch_core::exchange::BadValue]) -> String {
    const SHOWN: usize = 50;
    let mut text = match problems {
        [one] => return one.to_string(),
        _ => format!("{} problems, nothing imported:", problems.len()),
    };
    for p in problems.iter().take(SHOWN) {
        text.push_str(&format!("\n  {p}"));
    }
    if problems.len() > SHOWN {
        text.push_str(&format!("\n  ... and {} more", problems.len() - SHOWN));
    }
    text
}

fn unknown_moment(name: &str, known: &[String]) -> String {
    if known.is_empty() {
        format!("there is no moment `{name}`: your profile has no moments of the day yet")
    } else {
        format!(
            "there is no moment `{name}`; your profile's moments are {}",
            known.join(", ")
        )
    }
}

fn plural(n: usize) -> String {
    if n == 1 {
        "1 question".into()
    } else {
        format!("{n} questions")
    }
}

fn gate_text(g: &crate::Gate) -> String {
    match g {
        crate::Gate::Flagged {
            screening, verdict, ..
        } => format!(
            "a warning sign was reported on {}, so no routine is planned or played.\n{}",
            screening.at.day(),
            backstretch_core::safety::verdict_message(verdict)
        ),
        crate::Gate::Disclaimer => "the disclaimer has not been accepted yet".into(),
        crate::Gate::Screening {
            due: crate::ScreeningDue::AreasChanged,
            ..
        } => "your areas changed since the last red-flag check".into(),
        crate::Gate::Screening {
            due: crate::ScreeningDue::Expired,
            ..
        } => "your last red-flag check was more than four weeks ago; it is asked again every four weeks".into(),
        crate::Gate::Screening { .. } => "no red-flag check has been done yet".into(),
    }
}

/// What a person can do about an error, in no front end's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remedy {
    /// Check that the log's place is theirs and has room, or keep the log elsewhere.
    CheckTheLog,
    /// Choose an exercise the catalogue has: these closest `(id, name)`s, or any of them.
    ChooseAnExercise(Vec<(String, String)>),
    /// Give the areas and places to plan for, or save them in the profile.
    GiveAreasAndPlaces,
    /// Fix a value of the request the planner refused.
    FixTheRequest,
    /// Allow another place, or choose another area.
    WidenTheRequest,
    /// Ask for more minutes.
    MoreMinutes,
    /// Read and accept the disclaimer.
    AcceptTheDisclaimer,
    /// Answer the warning-sign check.
    AnswerTheCheck,
    /// Check again when the signs are gone. A clinician may clear the `clearable` signs
    /// (record it); after an `emergency` sign, the next check asks first whether the person
    /// has been assessed.
    CheckAgainWhenClear {
        /// The ids of the signs a clinician's clearance lifts.
        clearable: Vec<String>,
        /// Whether an emergency sign is among them.
        emergency: bool,
        /// Whether the person is in a clinic's care (their clinician records clearances).
        clinic: bool,
    },
    /// Answer every question asked, yes or no.
    AnswerEveryQuestion,
    /// Answer with the ids of the questions asked (`known`, joined).
    AnswerKnownQuestions(String),
    /// Seek emergency care now; check again with no sign once it has gone.
    SeekEmergencyCare,
    /// Ask the clinician to record the clearance in the clinic, then sync.
    AskYourClinician,
    /// Write a message of 1 to 2000 characters, no control characters.
    WriteAShortMessage,
    /// Name one to three activities, each with a whole score from 0 to 10.
    ScoreUpToThreeActivities,
    /// Link the log to the practice's server with the code the clinician gave, then sync.
    LinkToAPractice,
    /// Fix the routine file, or plan a new routine.
    FixTheRoutine,
    /// Plan a new routine.
    PlanANewRoutine,
    /// Start a new session.
    StartANewSession,
    /// Finish or quit the session where it plays, or wait a minute.
    FinishItThere,
    /// Name the exercises that were done.
    NameWhatWasDone,
    /// Name only exercises of the routine.
    NameOnlyTheRoutines,
    /// An exercise that hurt was started: name it as hurt only.
    NameItHurtOnly,
    /// Say an exercise was too easy or too hard once, and only of one that was done.
    RateOnlyWhatWasDone,
    /// Check the code printed on the sheet.
    CheckTheSheetCode,
    /// Log only what has happened.
    LogWhatHappened,
    /// Report steps by their place in the session's timeline, and only the time spent.
    ReportTheTimeline,
    /// Save a profile (areas and places) first.
    SaveAProfile,
    /// Name one of these moments, or add it to the profile.
    ChooseAMoment(Vec<String>),
    /// Give a moment a name, places, minutes and a time.
    FixTheMoment,
    /// Import a file that backstretch exported.
    ImportAnExport,
    /// Upgrade backstretch, or export the file again with this version.
    UpgradeOrExportAgain,
    /// Nothing was imported: fix that value, or export the file again.
    FixTheImport,
    /// Nothing was imported: solve the problem, then import again.
    ImportAgain,
    /// Write the export somewhere with room, that is theirs.
    WriteElsewhere,
}

impl AppError {
    /// What the person can do about it (none for a defect of the build itself).
    pub fn remedy(&self) -> Option<Remedy> {
        use AppError as E;
        Some(match self {
            E::Store(StoreError::NotFound { .. }) | E::RedFlags(_) | E::Education(_) => {
                return None;
            }
            E::Store(_) => Remedy::CheckTheLog,
            E::UnknownExercise { not_found, .. } => {
                Remedy::ChooseAnExercise(not_found.suggestions.clone())
            }
            E::NothingToPlanFor { .. } => Remedy::GiveAreasAndPlaces,
            E::Plan(PlanError::Invalid(_)) => Remedy::FixTheRequest,
            E::Plan(PlanError::NothingFits { .. } | PlanError::NothingGentle { .. }) => {
                Remedy::WidenTheRequest
            }
            E::Plan(PlanError::TooShort { .. }) => Remedy::MoreMinutes,
            E::GateNotPassed(crate::Gate::Disclaimer) => Remedy::AcceptTheDisclaimer,
            E::GateNotPassed(crate::Gate::Screening { .. }) => Remedy::AnswerTheCheck,
            E::GateNotPassed(crate::Gate::Flagged {
                verdict, clinic, ..
            }) => {
                let signs = match verdict {
                    Verdict::Flagged { signs, .. } => &signs[..],
                    Verdict::Clear => &[],
                };
                Remedy::CheckAgainWhenClear {
                    clearable: signs
                        .iter()
                        .filter(|s| s.urgency < Urgency::Emergency)
                        .map(|s| s.id.clone())
                        .collect(),
                    emergency: signs.iter().any(|s| s.urgency == Urgency::Emergency),
                    clinic: *clinic,
                }
            }
            E::UnknownQuestion { known, .. } => Remedy::AnswerKnownQuestions(known.clone()),
            E::NotAsked { asked, .. } => Remedy::AnswerKnownQuestions(asked.clone()),
            E::Unanswered { .. } => Remedy::AnswerEveryQuestion,
            E::EmergencyNotClearable { .. } => Remedy::SeekEmergencyCare,
            E::ClinicClears { .. } => Remedy::AskYourClinician,
            E::BadMessage { .. } => Remedy::WriteAShortMessage,
            E::BadFunction { .. } => Remedy::ScoreUpToThreeActivities,
            E::NoClinic => Remedy::LinkToAPractice,
            E::BadRoutine { remedy, .. } => remedy.clone(),
            E::NothingSafe { .. } => Remedy::PlanANewRoutine,
            E::NothingToResume => Remedy::StartANewSession,
            E::StillRunning { .. } => Remedy::FinishItThere,
            E::NothingToLog => Remedy::NameWhatWasDone,
            E::NotInRoutine { .. } => Remedy::NameOnlyTheRoutines,
            E::SkippedAndHurt { .. } => Remedy::NameItHurtOnly,
            E::RatedButSkipped { .. } | E::EasyAndHard { .. } => Remedy::RateOnlyWhatWasDone,
            E::UnknownSheet { .. } => Remedy::CheckTheSheetCode,
            E::InTheFuture(_) | E::BeforeTheStart { .. } => Remedy::LogWhatHappened,
            E::NoSuchStep { .. } | E::TooLong { .. } | E::RatedNotInSession { .. } => {
                Remedy::ReportTheTimeline
            }
            E::NoProfile | E::IncompleteProfile => Remedy::SaveAProfile,
            E::UnknownMoment { known, .. } => Remedy::ChooseAMoment(known.clone()),
            E::BadMoment(_) => Remedy::FixTheMoment,
            E::NotAnExport { .. } => Remedy::ImportAnExport,
            E::WrongExport { .. } => Remedy::UpgradeOrExportAgain,
            E::BadImport { .. } => Remedy::FixTheImport,
            E::ImportFailed(_) => Remedy::ImportAgain,
            E::Write(_) => Remedy::WriteElsewhere,
        })
    }
}
