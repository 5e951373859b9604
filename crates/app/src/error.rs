//! What can go wrong in a use case, with what to do about it. Front ends show the message
//! and the help; the source chain is kept for the report.

use backstretch_core::catalog::NotFound;
use backstretch_core::plan::PlanError;
use backstretch_core::routine::RoutineError;
use backstretch_core::safety::BadRedFlags;
use backstretch_store::StoreError;

/// An error from a use case.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum AppError {
    /// The log could not be used.
    #[error(transparent)]
    #[diagnostic(help(
        "check that the data directory is yours and has space; `--home DIR` keeps the log elsewhere"
    ))]
    Store(#[from] StoreError),
    /// The embedded red-flag questions are broken (a build defect).
    #[error(transparent)]
    RedFlags(#[from] BadRedFlags),
    /// A name no exercise answers to.
    #[error("{flag}`{}`: no exercise is called that", .not_found.query)]
    #[diagnostic(help("{}", not_found_help(.not_found)))]
    UnknownExercise {
        /// The flag or place it was given (`--exclude `), or empty.
        flag: String,
        /// The closest names.
        not_found: NotFound,
    },
    /// A plan needs areas and places.
    #[error("no {missing} to plan for")]
    #[diagnostic(help(
        "pass them, e.g. --area lower-back --place bed, or save them once with `backstretch profile set --area lower-back --place bed`"
    ))]
    NothingToPlanFor {
        /// `areas`, `places`, or `areas and places`.
        missing: &'static str,
    },
    /// The planner could not plan.
    #[error("cannot plan a routine: {0}")]
    #[diagnostic(help("{}", plan_help(.0)))]
    Plan(PlanError),
    /// A gate is not passed yet.
    #[error("{}", gate_text(.0))]
    #[diagnostic(help("{}", gate_help(.0)))]
    GateNotPassed(crate::Gate),
    /// Red-flag answers named an unknown question.
    #[error("--answers: unknown question id `{id}`")]
    #[diagnostic(help("use `none`, or ids from `backstretch safety --list`: {known}"))]
    UnknownQuestion {
        /// The id given.
        id: String,
        /// Every id.
        known: String,
    },
    /// An emergency sign cannot be cleared.
    #[error("{sign} cannot be cleared: it calls for emergency care")]
    #[diagnostic(help(
        "when it has gone, run `backstretch safety` again and answer no; until then, seek emergency care"
    ))]
    EmergencyNotClearable {
        /// The sign.
        sign: String,
    },
    /// A routine cannot be played.
    #[error("{what}: {source}")]
    #[diagnostic(help("{help}"))]
    BadRoutine {
        /// Where it came from.
        what: String,
        /// What is wrong.
        #[source]
        source: RoutineError,
        /// What to do.
        help: &'static str,
    },
    /// Nothing in a saved routine is safe to play today.
    #[error("nothing in {what} is safe to play today")]
    #[diagnostic(help("plan a new routine with `backstretch plan`"))]
    NothingSafe {
        /// The routine's name.
        what: String,
    },
    /// No session to resume.
    #[error("there is no unfinished session to resume")]
    #[diagnostic(help(
        "`backstretch history` lists past sessions; `backstretch start` begins a new one"
    ))]
    NothingToResume,
    /// The session to resume is still playing elsewhere.
    #[error("the session started at {started} is still running in another terminal")]
    #[diagnostic(help("finish or quit it there first, or wait a minute if it was just closed"))]
    StillRunning {
        /// When it started, as a person reads it.
        started: String,
    },
    /// A session logged by hand names no exercise.
    #[error("no exercises to log")]
    #[diagnostic(help(
        "name what you did: --exercise childs-pose --exercise bridge, or --routine FILE"
    ))]
    NothingToLog,
    /// `--hurt` or `--skip` names an exercise not in the routine.
    #[error("{flag} `{id}` is not in {routine}")]
    #[diagnostic(help("name only exercises of the routine with {flag}"))]
    NotInRoutine {
        /// `--hurt` or `--skip`.
        flag: &'static str,
        /// The exercise.
        id: String,
        /// The routine's description.
        routine: String,
    },
    /// The same exercise is both skipped and hurt.
    #[error("`{id}` is named with both --skip and --hurt")]
    #[diagnostic(help(
        "an exercise that hurt was started, so name it with --hurt only; --skip is for one not done at all"
    ))]
    SkippedAndHurt {
        /// The exercise.
        id: String,
    },
    /// No sheet was printed with this code.
    #[error("no sheet printed here has the code {code}")]
    #[diagnostic(help(
        "check the code in the sheet's top right corner (8 letters and digits); sheets are known to the data directory that printed them with `backstretch sheet`"
    ))]
    UnknownSheet {
        /// The code asked for.
        code: backstretch_core::code::RoutineCode,
    },
    /// A time in the future.
    #[error("{0} is in the future")]
    #[diagnostic(help("log sessions that have happened"))]
    InTheFuture(String),
    /// A reported step that is not in the session's timeline.
    #[error("step {step} is not in this session, which has {steps} steps")]
    #[diagnostic(help("report steps by their index in the session's timeline, from 0"))]
    NoSuchStep {
        /// The index given.
        step: u32,
        /// How many steps there are.
        steps: usize,
    },
    /// A reported step that took longer than it lasts.
    #[error("step {step} lasts {seconds} s, but {done_ms} ms were reported done")]
    #[diagnostic(help("report the milliseconds actually spent in the step, at most its length"))]
    TooLong {
        /// The step.
        step: u32,
        /// Its length.
        seconds: u32,
        /// The milliseconds reported.
        done_ms: u64,
    },
    /// No profile saved yet.
    #[error("no profile saved yet")]
    #[diagnostic(help("save one first with `backstretch profile set --area ... --place ...`"))]
    NoProfile,
    /// A profile without areas or places.
    #[error("a profile needs at least one --area and one --place")]
    #[diagnostic(help(
        "e.g. `backstretch profile set --area lower-back --area neck --place bed --place chair`"
    ))]
    IncompleteProfile,
    /// An import file that cannot be read as an export.
    #[error("{file} is not a backstretch export: {detail}")]
    #[diagnostic(help("import reads files written by `backstretch export json`"))]
    NotAnExport {
        /// The file.
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
    #[diagnostic(help("upgrade backstretch, or export again with this version"))]
    WrongExport {
        /// The file.
        file: String,
        /// Its format.
        format: String,
        /// Its version.
        version: u32,
    },
    /// One value of an import file is wrong; nothing was imported.
    #[error("{file}: {path}: {problem}")]
    #[diagnostic(help("nothing was imported; fix that value, or export the file again"))]
    BadImport {
        /// The file.
        file: String,
        /// The JSON path of the value.
        path: String,
        /// What is wrong.
        problem: String,
    },
    /// An import the store refused.
    #[error("nothing was imported: {0}")]
    #[diagnostic(help("nothing was imported; once the problem above is solved, import again"))]
    ImportFailed(#[source] StoreError),
}

/// The help for a name no exercise answers to: the closest names, or where to look.
pub fn not_found_help(nf: &NotFound) -> String {
    if nf.suggestions.is_empty() {
        "`backstretch catalog list` shows every exercise".to_string()
    } else {
        format!(
            "did you mean {}?",
            nf.suggestions
                .iter()
                .map(|(id, name)| format!("{id} ({name})"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

fn plan_help(e: &PlanError) -> &'static str {
    match e {
        PlanError::Invalid(_) => "see `backstretch plan --help`",
        PlanError::NothingFits { .. } => {
            "allow another place with --place, or choose another area with --area"
        }
        PlanError::TooShort { .. } => "ask for more minutes with --minutes",
    }
}

fn gate_text(g: &crate::Gate) -> String {
    match g {
        crate::Gate::Flagged { screening, verdict } => format!(
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

fn gate_help(g: &crate::Gate) -> &'static str {
    match g {
        crate::Gate::Flagged { .. } => {
            "when the signs are gone, or a clinician has cleared you to stretch, run `backstretch safety` again"
        }
        crate::Gate::Disclaimer => {
            "read it with `backstretch disclaimer`, then accept it once by running `backstretch` in a terminal, or with `backstretch disclaimer --accept`, or pass --accept-disclaimer (or set BACKSTRETCH_ACCEPT_DISCLAIMER=1) in scripts"
        }
        crate::Gate::Screening { .. } => {
            "answer it in a terminal with `backstretch safety`, or in scripts with `backstretch safety --answers none` (or --answers ID,ID for the signs present)"
        }
    }
}
