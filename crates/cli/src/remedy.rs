//! The app's remedies in the terminal's words: the command to run, the flag to pass. The
//! web words the same remedies as pages to open.

use backstretch_app::{AppError, Remedy};
use backstretch_core::catalog::NotFound;
use backstretch_store::{SqliteError, StoreError};

/// What to do about a name no exercise answers to: the closest names, or where to look.
pub fn not_found(nf: &NotFound) -> String {
    closest(&nf.suggestions)
}

fn closest(suggestions: &[(String, String)]) -> String {
    if suggestions.is_empty() {
        "`backstretch catalog list` shows every exercise".to_string()
    } else {
        let names: Vec<String> = suggestions
            .iter()
            .map(|(id, name)| format!("{id} ({name})"))
            .collect();
        format!("did you mean {}?", names.join(", "))
    }
}

/// The log's own advice, for an error of the SQLite file: where the data directory is
/// the person's to change.
fn log_help(e: &StoreError) -> String {
    let elsewhere = "or point --home at another folder";
    let sqlite = match e {
        StoreError::Backend(b) => b.downcast_ref::<SqliteError>(),
        _ => None,
    };
    match (e, sqlite) {
        (StoreError::TooNew { .. }, _) => format!("upgrade backstretch, {elsewhere}"),
        (_, Some(SqliteError::Foreign { .. })) => {
            format!("move that file away, {elsewhere}")
        }
        (_, Some(SqliteError::ReadOnly { .. })) => format!("make it writable by you, {elsewhere}"),
        (_, Some(SqliteError::DiskFull { .. })) => "free some space and try again".to_string(),
        (StoreError::Busy { .. }, _) => "try again in a moment".to_string(),
        _ => {
            "check that the data directory is yours and has space; `--home DIR` keeps the log elsewhere"
                .to_string()
        }
    }
}

/// What to do about an error of the app, as a command line says it.
pub fn help(e: &AppError) -> Option<String> {
    if let AppError::Store(s) | AppError::ImportFailed(s) = e
        && !matches!(s, StoreError::NotFound { .. })
    {
        let log = log_help(s);
        return Some(match e {
            AppError::ImportFailed(_) => format!("nothing was imported; {log}, then import again"),
            _ => log,
        });
    }
    Some(words(&e.remedy()?).into_owned())
}

/// What to do after a reported sign: check again when it has gone; record a clinician's
/// clearance of the signs that allow one; after an emergency, the next check asks about the
/// assessment first.
pub fn check_again(clearable: &[String], emergency: bool, clinic: bool) -> String {
    let mut text = if emergency {
        "seek emergency care now. Once you have been assessed (by emergency services, a doctor or a physiotherapist), run `backstretch safety` again: it asks about that first".to_string()
    } else {
        "when the signs are gone, run `backstretch safety` again".to_string()
    };
    if clinic && !clearable.is_empty() {
        text.push_str(
            "; once your clinician has checked it, they can clear you to stretch in the clinic, and it lifts here at the next `backstretch sync`",
        );
    } else if let Some(first) = clearable.first() {
        let ids: Vec<String> = clearable.iter().map(|id| format!("`{id}`")).collect();
        text.push_str(&format!(
            "; if a clinician has checked {} and cleared you to stretch, record it with `backstretch safety --cleared {first}`",
            ids.join(", ")
        ));
    }
    text
}

fn words(r: &Remedy) -> std::borrow::Cow<'static, str> {
    use Remedy as R;
    let text = match r {
        R::ChooseAnExercise(suggestions) => return closest(suggestions).into(),
        R::AnswerKnownQuestions(known) => {
            return format!("use `none`, or ids from `backstretch safety --list`: {known}").into();
        }
        R::CheckTheLog => {
            "check that the data directory is yours and has space; `--home DIR` keeps the log elsewhere"
        }
        R::GiveAreasAndPlaces => {
            "pass them, e.g. --area lower-back --place bed, or save them once with `backstretch profile set --area lower-back --place bed`"
        }
        R::FixTheRequest => "see `backstretch plan --help`",
        R::WidenTheRequest => {
            "allow another place with --place, or choose another area with --area"
        }
        R::MoreMinutes => "ask for more minutes with --minutes",
        R::AcceptTheDisclaimer => {
            "read it with `backstretch disclaimer`, then accept it once by running `backstretch` in a terminal, or with `backstretch disclaimer --accept`, or pass --accept-disclaimer (or set BACKSTRETCH_ACCEPT_DISCLAIMER=1) in scripts"
        }
        R::AnswerTheCheck => {
            "answer it in a terminal with `backstretch safety`, or in scripts with `backstretch safety --answers none` (or --answers ID,ID for the signs present)"
        }
        R::CheckAgainWhenClear {
            clearable,
            emergency,
            clinic,
        } => return check_again(clearable, *emergency, *clinic).into(),
        R::AnswerEveryQuestion => {
            "answer every question yes or no; in scripts, --answers none (no sign present) or --answers ID,ID"
        }
        R::SeekEmergencyCare => {
            "when it has gone, run `backstretch safety` again and answer no; until then, seek emergency care"
        }
        R::AskYourClinician => {
            "ask your clinician to record it in the clinic, then run `backstretch sync`; until then, check again when the sign has gone"
        }
        R::WriteAShortMessage => {
            "write 1 to 2000 characters, in quotes: backstretch messages send \"Your message\""
        }
        R::ScoreUpToThreeActivities => {
            "name 1 to 3 activities, each with a whole score from 0 (unable) to 10 (as before the problem), in quotes: backstretch function set \"carrying shopping=4\" \"sitting an hour=6\""
        }
        R::LinkToAPractice => {
            "link it with the code your clinician gave you: `backstretch sync link ADDRESS CODE`, then `backstretch sync`"
        }
        R::FixTheRoutine => {
            "fix the file (it must be what `backstretch plan --format json` prints), or plan a new routine with `backstretch plan`"
        }
        R::PlanANewRoutine => "plan a new routine with `backstretch plan`",
        R::StartANewSession => {
            "`backstretch history` lists past sessions; `backstretch start` begins a new one"
        }
        R::FinishItThere => "finish or quit it there first, or wait a minute if it was just closed",
        R::NameWhatWasDone => {
            "name what you did: --exercise childs-pose --exercise bridge, or --routine FILE"
        }
        R::NameOnlyTheRoutines => {
            "name only exercises of the routine with --hurt, --skip, --easy or --hard"
        }
        R::RateOnlyWhatWasDone => {
            "say once how an exercise you did felt: --easy ID or --hard ID (one you skipped has no rating; one named with neither was about right)"
        }
        R::NameItHurtOnly => {
            "an exercise that hurt was started, so name it with --hurt only; --skip is for one not done at all"
        }
        R::CheckTheSheetCode => {
            "check the code in the sheet's top right corner (8 letters and digits); sheets are known to the data directory that printed them with `backstretch sheet`"
        }
        R::LogWhatHappened => "log sessions that have happened",
        R::ReportTheTimeline => {
            "report steps by their index in the session's timeline, from 0, with the milliseconds actually spent"
        }
        R::SaveAProfile => {
            "save one first, e.g. `backstretch profile set --area lower-back --area neck --place bed --place chair`"
        }
        R::FixTheMoment => {
            "give a name, places, minutes and a time, e.g. `backstretch profile moment add desk --place chair --minutes 3 --at 11:00`"
        }
        R::ChooseAMoment(known) if known.is_empty() => {
            "add one with `backstretch profile moment add morning --place bed --minutes 10 --at 07:30`"
        }
        R::ChooseAMoment(known) => {
            return format!(
                "name one of {}, or add it with `backstretch profile moment add NAME --place chair --minutes 3 --at 11:00`",
                known.join(", ")
            )
            .into();
        }
        R::ImportAnExport => "import reads files written by `backstretch export json`",
        R::UpgradeOrExportAgain => "upgrade backstretch, or export again with this version",
        R::FixTheImport => "nothing was imported; fix that value, or export the file again",
        R::ImportAgain => "nothing was imported; once the problem above is solved, import again",
        R::WriteElsewhere => "check there is room, or write it elsewhere with --out FILE",
    };
    text.into()
}

/// An error of the app with the terminal's help, and its source chain, for the report.
#[derive(Debug)]
pub struct Worded {
    message: String,
    help: Option<String>,
    source: Option<Box<Cause>>,
}

/// One error of a source chain, kept as its text.
#[derive(Debug)]
struct Cause(String, Option<Box<Cause>>);

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Cause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.1.as_deref().map(|c| c as _)
    }
}

impl Worded {
    /// The error, worded for the terminal.
    pub fn of(e: &AppError) -> Worded {
        let mut chain = Vec::new();
        let mut next = std::error::Error::source(e);
        while let Some(c) = next {
            chain.push(c.to_string());
            next = c.source();
        }
        let source = chain
            .into_iter()
            .rev()
            .fold(None, |inner, text| Some(Box::new(Cause(text, inner))));
        Worded {
            message: e.to_string(),
            help: help(e),
            source,
        }
    }
}

impl std::fmt::Display for Worded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Worded {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|c| c as _)
    }
}

impl miette::Diagnostic for Worded {
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_deref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every remedy has terminal words, and they name something to do.
    #[test]
    fn every_remedy_is_worded() {
        let all = [
            Remedy::CheckTheLog,
            Remedy::ChooseAnExercise(vec![]),
            Remedy::GiveAreasAndPlaces,
            Remedy::FixTheRequest,
            Remedy::WidenTheRequest,
            Remedy::MoreMinutes,
            Remedy::AcceptTheDisclaimer,
            Remedy::AnswerTheCheck,
            Remedy::CheckAgainWhenClear {
                clearable: vec!["weight-loss".into()],
                emergency: false,
                clinic: false,
            },
            Remedy::AnswerEveryQuestion,
            Remedy::AnswerKnownQuestions("a, b".into()),
            Remedy::SeekEmergencyCare,
            Remedy::AskYourClinician,
            Remedy::WriteAShortMessage,
            Remedy::ScoreUpToThreeActivities,
            Remedy::LinkToAPractice,
            Remedy::FixTheRoutine,
            Remedy::PlanANewRoutine,
            Remedy::StartANewSession,
            Remedy::FinishItThere,
            Remedy::NameWhatWasDone,
            Remedy::NameOnlyTheRoutines,
            Remedy::NameItHurtOnly,
            Remedy::RateOnlyWhatWasDone,
            Remedy::CheckTheSheetCode,
            Remedy::LogWhatHappened,
            Remedy::ReportTheTimeline,
            Remedy::SaveAProfile,
            Remedy::ChooseAMoment(vec![]),
            Remedy::FixTheMoment,
            Remedy::ChooseAMoment(vec!["morning".into()]),
            Remedy::ImportAnExport,
            Remedy::UpgradeOrExportAgain,
            Remedy::FixTheImport,
            Remedy::ImportAgain,
            Remedy::WriteElsewhere,
        ];
        for r in &all {
            assert!(words(r).len() > 10, "{r:?}");
        }
    }

    /// The report keeps the whole source chain, and the terminal's help.
    #[test]
    fn a_worded_error_keeps_its_chain() {
        let e = AppError::Store(StoreError::Backend(Box::new(SqliteError::DiskFull {
            path: "/data/log.sqlite".into(),
        })));
        let w = Worded::of(&e);
        assert!(w.to_string().contains("is full"), "{w}");
        assert_eq!(
            miette::Diagnostic::help(&w)
                .map(|h| h.to_string())
                .as_deref(),
            Some("free some space and try again")
        );
    }
}
