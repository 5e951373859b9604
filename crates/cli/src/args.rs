//! The command line, defined once: help, completions and the man page all come from here.

use std::path::PathBuf;

use backstretch_core::profile::Goal;
use backstretch_core::vocab::{Area, Condition, DoseStyle, EasedBy, Kind, Place, Position, Word};
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

/// A local coach for back and neck pain: gentle stretching routines from practitioners'
/// advice, fitted to where it hurts, where you can stretch and how much time you have.
///
/// Everything stays on this machine. This is general education, not medical advice: stop if
/// anything hurts and check with your own clinician.
#[derive(Debug, Parser)]
#[command(name = "backstretch", version, propagate_version = true)]
#[command(
    after_help = "Run `backstretch` with no command for a guided first run, then for today's routine."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options every command shares.
#[derive(Debug, Args)]
pub struct Global {
    /// Data directory: your log, profile and own exercises [default: $XDG_DATA_HOME/backstretch]
    #[arg(long, global = true, env = "BACKSTRETCH_HOME", value_name = "DIR")]
    pub home: Option<PathBuf>,

    /// Folder of your own exercise files [default: DIR/exercises under the data directory]
    #[arg(
        long = "catalog",
        global = true,
        env = "BACKSTRETCH_CATALOG",
        value_name = "DIR"
    )]
    pub catalog_dir: Option<PathBuf>,

    /// Output format (each command says which it supports)
    #[arg(long, global = true, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,

    /// Accept the disclaimer (read it with `backstretch disclaimer`), for scripts
    #[arg(long, global = true, env = "BACKSTRETCH_ACCEPT_DISCLAIMER", value_parser = clap::builder::FalseyValueParser::new())]
    pub accept_disclaimer: bool,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned text for reading.
    Table,
    /// Machine-readable JSON (stable; documented in the README).
    Json,
    /// Markdown, for notes and printing.
    Markdown,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Markdown => "markdown",
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Plan a routine for your areas, places and minutes (from your profile, or flags).
    Plan(PlanArgs),
    /// Play a routine with timers and cues, and log every step.
    Start(StartArgs),
    /// Print a routine sheet (PDF or HTML): pictures, doses, steps, a tick grid and a code
    /// to log it by.
    Sheet(SheetArgs),
    /// Serve the coach to a browser: today's routine, the player, history and progress, on
    /// this computer (or, with --lan, on a paired phone).
    Serve(ServeArgs),
    /// Run the sync server: people's logs kept for their devices, linked by one-time codes.
    Server(ServerArgs),
    /// Sync this log with its server (send, then fetch), or link, check and unlink it.
    Sync(SyncArgs),
    /// Past sessions, newest first.
    History(HistoryArgs),
    /// Record a session done without the player (from a printed sheet, say).
    Log(LogArgs),
    /// Your messages with your clinicians (once linked to their practice), or `send` one.
    Messages(MessagesArgs),
    /// Progress: sessions against your goal, streaks, minutes, and the pain trend.
    Stats(StatsArgs),
    /// Draw a chart: pain over time, or a calendar of sessions against your goal.
    Chart(ChartArgs),
    /// Your programme: where each exercise stands, what comes next and why, and the last
    /// four weeks.
    Programme,
    /// The weekly review: your week's pain, days and progressions; carry on, or take an
    /// easier week.
    Review(ReviewArgs),
    /// The function measure: up to three activities your back or neck makes hard, scored 0
    /// (unable) to 10 (as before); `set` them at once, or `show` every score.
    Function(FunctionArgs),
    /// Short notes on back and neck pain from the clinical guidelines, with their sources.
    Learn(LearnArgs),
    /// Export your log: csv, json, a reminder calendar (ics), or FHIR for a clinician.
    Export(ExportArgs),
    /// Restore sessions from `export json`; sessions already here are skipped.
    Import(ImportArgs),
    /// Save or show your profile: areas, places, minutes, dose style and goal.
    #[command(subcommand)]
    Profile(ProfileCommand),
    /// The red-flag check: warning signs that call for a clinician instead of stretching.
    Safety(SafetyArgs),
    /// Show the disclaimer and whether you have accepted it; `--accept` records acceptance.
    Disclaimer(DisclaimerArgs),
    /// Draw an exercise: its keyframes side by side, or one animated figure.
    Figure(FigureArgs),
    /// Browse and check the exercise catalogue.
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// Reminders on your desktop: `remind test` shows a sample one.
    Remind(RemindArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
    /// Print the manual page (roff), or write one for every command with --dir.
    Man(ManArgs),
    /// Desk breaks while you work: every so many active minutes within working hours, a
    /// minute or two on a chair or standing (--install: at each login).
    Break(BreakArgs),
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// List exercises: id, name, position, places, areas and default dose.
    List(ListArgs),
    /// Show one exercise in full: steps, purpose, cautions and sources.
    Show(ShowArgs),
    /// Validate exercise files: the built-in catalogue, or your folder when given.
    Check(CheckArgs),
}

/// clap's error for a value a parser refused, with the parser's message.
fn invalid(
    cmd: &clap::Command,
    arg: Option<&clap::Arg>,
    text: &str,
    e: &dyn std::fmt::Display,
) -> clap::Error {
    let name = arg.map_or_else(|| "value".to_string(), ToString::to_string);
    clap::Error::raw(
        clap::error::ErrorKind::ValueValidation,
        format!("invalid value '{text}' for '{name}': {e}\n"),
    )
    .with_cmd(cmd)
}

/// Parses a vocabulary word with core's message ("unknown place `flor`; ... did you mean
/// `floor`?"), and tells clap the words, so help and shell completion offer them.
#[derive(Debug, Clone, Copy)]
pub struct WordParser<W>(std::marker::PhantomData<W>);

impl<W> WordParser<W> {
    pub const fn new() -> Self {
        WordParser(std::marker::PhantomData)
    }
}

impl<W: Word + Clone + Send + Sync + 'static> clap::builder::TypedValueParser for WordParser<W> {
    type Value = W;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<W, clap::Error> {
        let text = value.to_string_lossy();
        W::parse_word(&text).map_err(|e| invalid(cmd, arg, &text, &e))
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            W::ALL
                .iter()
                .map(|w| clap::builder::PossibleValue::new(w.as_str())),
        ))
    }
}

/// A `--condition` value: a condition, or `none` (which clears them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionArg {
    /// `none`: no conditions.
    None,
    /// One condition.
    Has(Condition),
}

/// Parses a `--condition` value: `none` or a condition word, with core's message.
#[derive(Debug, Clone, Copy)]
pub struct ConditionParser;

impl clap::builder::TypedValueParser for ConditionParser {
    type Value = ConditionArg;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<ConditionArg, clap::Error> {
        let text = value.to_string_lossy();
        if text.trim().eq_ignore_ascii_case("none") {
            return Ok(ConditionArg::None);
        }
        Condition::parse_word(&text)
            .map(ConditionArg::Has)
            .map_err(|e| invalid(cmd, arg, &text, &format!("{e}, or none to clear them")))
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            Condition::ALL
                .iter()
                .map(|w| w.as_str())
                .chain(["none"])
                .map(clap::builder::PossibleValue::new),
        ))
    }
}

/// A command-line value that could not be read, with what to type instead.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadValue(String);

impl From<String> for BadValue {
    fn from(s: String) -> Self {
        BadValue(s)
    }
}

fn date(s: &str) -> Result<NaiveDate, BadValue> {
    let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        BadValue::from(format!(
            "`{s}` is not a date; use YYYY-MM-DD, like 2026-11-21"
        ))
    })?;
    not_before_2000(d)
}

/// Dates before 2000 are refused: nothing could have been logged then, and a typo such as
/// 0226 for 2026 would otherwise pass unnoticed.
fn not_before_2000(d: NaiveDate) -> Result<NaiveDate, BadValue> {
    use chrono::Datelike;
    if d.year() < backstretch_core::time::EARLIEST_YEAR {
        return Err(BadValue(format!(
            "{d} is before {}; check the year",
            backstretch_core::time::EARLIEST_YEAR
        )));
    }
    Ok(d)
}

/// Goals: `daily`, or `N/week`; completion offers each.
#[derive(Debug, Clone, Copy)]
pub struct GoalParser;

impl clap::builder::TypedValueParser for GoalParser {
    type Value = Goal;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Goal, clap::Error> {
        let text = value.to_string_lossy();
        text.parse()
            .map_err(|e: backstretch_core::profile::BadGoal| invalid(cmd, arg, &text, &e))
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        const GOALS: [&str; 7] = [
            "daily", "1/week", "2/week", "3/week", "4/week", "5/week", "6/week",
        ];
        Some(Box::new(
            GOALS.into_iter().map(clap::builder::PossibleValue::new),
        ))
    }
}

/// What a routine is for: the fields a profile saves, and `plan` and `start` override.
#[derive(Debug, Args, Clone, Default)]
pub struct RoutineFlags {
    /// An area to serve, the first is the primary (repeat: --area lower-back --area neck)
    #[arg(long, value_parser = WordParser::<Area>::new(), value_name = "AREA")]
    pub area: Vec<Area>,
    /// A place you can stretch in: floor, bed, chair, standing (repeat for several)
    #[arg(long, value_parser = WordParser::<Place>::new(), value_name = "PLACE")]
    pub place: Vec<Place>,
    /// Minutes available, 1 to 180
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=180), value_name = "N")]
    pub minutes: Option<u32>,
    /// Dose style: source (the pages' doses), standard (30 s x 2), long (60 s once)
    #[arg(long, value_parser = WordParser::<DoseStyle>::new(), value_name = "STYLE")]
    pub style: Option<DoseStyle>,
    /// Leave this exercise out (id or name; repeat for several)
    #[arg(long, value_name = "ID")]
    pub exclude: Vec<String>,
    /// Where exercises may come from: `all` (the pages and published evidence beyond them)
    /// or `pages` (only what the five source pages describe)
    #[arg(long, value_enum, value_name = "FROM", default_value_t = SourcesArg::All)]
    pub sources: SourcesArg,
}

/// Which exercises a routine may use, by where they come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum SourcesArg {
    /// The whole catalogue: the pages' exercises and those added from published evidence.
    #[default]
    All,
    /// Only exercises that one of the five source pages describes.
    Pages,
}

/// Flags for planning one routine; they override the saved profile for this run only.
#[derive(Debug, Args, Clone, Default)]
pub struct PlanFlags {
    #[command(flatten)]
    pub routine: RoutineFlags,
    /// The day to plan for [default: today]; routines rotate from day to day
    #[arg(long, value_parser = date, value_name = "YYYY-MM-DD")]
    pub date: Option<NaiveDate>,
    /// The moment of the day to plan for, from your profile (`profile moment add`)
    /// [default: the one nearest now]
    #[arg(long, value_name = "NAME")]
    pub moment: Option<String>,
}

impl PlanFlags {
    /// What these flags lay over the saved profile.
    pub fn overrides(&self) -> backstretch_app::Overrides {
        let r = &self.routine;
        backstretch_app::Overrides {
            areas: r.area.clone(),
            places: r.place.clone(),
            minutes: r.minutes,
            style: r.style,
            exclude: r.exclude.clone(),
            date: self.date,
            pages_only: r.sources == SourcesArg::Pages,
            moment: self.moment.clone(),
            desk_break: false,
        }
    }
}

/// Paper for a printed sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PaperArg {
    /// ISO A4 (210 x 297 mm).
    A4,
    /// US Letter (8.5 x 11 in).
    Letter,
}

#[derive(Debug, Args)]
pub struct SheetArgs {
    #[command(flatten)]
    pub flags: PlanFlags,
    /// Weeks of days in the tick grid, 1 to 4
    #[arg(long, value_parser = weeks, value_name = "1-4", default_value = "2")]
    pub weeks: u32,
    /// Paper size
    #[arg(long, value_enum, default_value = "a4")]
    pub paper: PaperArg,
    /// Where to write it: FILE.pdf, or FILE.html for a page to print from a browser
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

fn weeks(s: &str) -> Result<u32, BadValue> {
    match s.trim().parse::<u32>() {
        Ok(n) if backstretch_render::sheet::WEEKS.contains(&n) => Ok(n),
        _ => Err(BadValue(format!(
            "`{s}` is not a number of weeks for the grid; use 1, 2, 3 or 4"
        ))),
    }
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub flags: PlanFlags,
}

fn pain(s: &str) -> Result<u8, BadValue> {
    match s.trim().parse::<u8>() {
        Ok(n) if n <= 10 => Ok(n),
        _ => Err(BadValue(format!(
            "`{s}` is not a pain score; use a whole number from 0 (none) to 10 (worst)"
        ))),
    }
}

fn speed(s: &str) -> Result<u32, BadValue> {
    match s.parse::<u32>() {
        Ok(n @ 1..=1000) => Ok(n),
        _ => Err(BadValue(format!("`{s}` is not a speed; use 1 to 1000"))),
    }
}

#[derive(Debug, Args)]
pub struct StartArgs {
    #[command(flatten)]
    pub flags: PlanFlags,
    /// Play a routine saved with `plan --format json` instead of planning one
    #[arg(long, value_name = "FILE", conflicts_with = "resume")]
    pub routine: Option<PathBuf>,
    /// Continue the last interrupted session from its first unfinished step
    #[arg(long)]
    pub resume: bool,
    /// A desk break: a minute or two on a chair or standing, counted apart from routines
    #[arg(long = "break", conflicts_with_all = ["routine", "resume", "moment"])]
    pub desk_break: bool,
    /// No full screen: one line per cue with its time, for screen readers and pipes
    #[arg(long)]
    pub plain: bool,
    /// Speak every cue with espeak-ng (else a terminal bell)
    #[arg(long)]
    pub voice: bool,
    /// Count down the last 3 seconds of holds this long or longer (5 counts every hold)
    #[arg(long, value_name = "SECONDS", default_value_t = backstretch_core::timeline::COUNT_HOLDS_FROM_S, value_parser = clap::value_parser!(u32).range(5..=600))]
    pub count_from: u32,
    /// Pain right now, 0-10, instead of being asked
    #[arg(long, value_parser = pain, value_name = "N")]
    pub pain_before: Option<u8>,
    /// Pain at the end, 0-10, instead of being asked
    #[arg(long, value_parser = pain, value_name = "N")]
    pub pain_after: Option<u8>,
    /// Whether soreness after your last amber or red session settled by the next morning,
    /// instead of being asked
    #[arg(long, value_parser = clap::builder::BoolishValueParser::new(), value_name = "yes|no")]
    pub settled: Option<bool>,
    /// Run the clock N times faster (for trying routines and for tests)
    #[arg(long, value_parser = speed, default_value = "1", hide = true)]
    pub speed: u32,
}

impl StartArgs {
    /// What this run lays over the profile.
    pub fn overrides(&self) -> backstretch_app::Overrides {
        backstretch_app::Overrides {
            desk_break: self.desk_break,
            ..self.flags.overrides()
        }
    }
}

impl Default for StartArgs {
    fn default() -> Self {
        StartArgs {
            flags: PlanFlags::default(),
            routine: None,
            resume: false,
            desk_break: false,
            plain: false,
            voice: false,
            count_from: backstretch_core::timeline::COUNT_HOLDS_FROM_S,
            pain_before: None,
            pain_after: None,
            settled: None,
            speed: 1,
        }
    }
}

fn when(s: &str) -> Result<chrono::NaiveDateTime, BadValue> {
    let t = s.trim();
    chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M")
        .or_else(|_| {
            NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .map(|d| d.and_hms_opt(12, 0, 0).unwrap_or_default())
        })
        .map_err(|_| {
            BadValue::from(format!(
                "`{s}` is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM"
            ))
        })
        .and_then(|t| not_before_2000(t.date()).map(|_| t))
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// Pain before, 0-10
    #[arg(long, value_parser = pain, value_name = "N", required = true)]
    pub pain_before: u8,
    /// Pain after, 0-10
    #[arg(long, value_parser = pain, value_name = "N", required = true)]
    pub pain_after: u8,
    /// When it was done, local time [default: now]
    #[arg(long, value_parser = when, value_name = "YYYY-MM-DD[THH:MM]")]
    pub date: Option<chrono::NaiveDateTime>,
    /// The routine done, as saved with `plan --format json`
    #[arg(long, value_name = "FILE", conflicts_with_all = ["exercise", "sheet"])]
    pub routine: Option<PathBuf>,
    /// The routine of a printed sheet, by the code in its top right corner
    #[arg(long, value_name = "CODE", value_parser = sheet_code, conflicts_with = "exercise")]
    pub sheet: Option<backstretch_core::code::RoutineCode>,
    /// An exercise done (id or name; repeat for several). With no exercise, routine or
    /// sheet named, the routine your profile plans for the day is logged
    #[arg(long, value_name = "ID")]
    pub exercise: Vec<String>,
    /// An exercise that hurt (id or name; repeat for several)
    #[arg(long, value_name = "ID")]
    pub hurt: Vec<String>,
    /// An exercise of the routine or sheet not done (id or name; repeat for several)
    #[arg(long, value_name = "ID", conflicts_with = "exercise")]
    pub skip: Vec<String>,
    /// An exercise that felt too easy (id or name; repeat for several); one named with
    /// neither --easy nor --hard was about right
    #[arg(long, value_name = "ID")]
    pub easy: Vec<String>,
    /// An exercise that felt too hard (id or name; repeat for several): coaching steps it
    /// back
    #[arg(long, value_name = "ID")]
    pub hard: Vec<String>,
    /// The moment of the day whose routine was done, from your profile [default: the one
    /// nearest now]
    #[arg(long, value_name = "NAME", conflicts_with_all = ["routine", "sheet", "exercise"])]
    pub moment: Option<String>,
}

fn sheet_code(s: &str) -> Result<backstretch_core::code::RoutineCode, BadValue> {
    backstretch_core::code::RoutineCode::parse(s).map_err(|e| BadValue(e.to_string()))
}

fn sessions(s: &str) -> Result<u32, BadValue> {
    match s.trim().parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(BadValue(format!(
            "`{s}` is not a number of sessions; use a whole number from 1 (or --all for every one)"
        ))),
    }
}

/// `history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Show the latest N sessions
    #[arg(long, value_name = "N", default_value_t = 30, value_parser = sessions)]
    pub limit: u32,
    /// Show every session (read a page at a time)
    #[arg(long, conflicts_with = "limit")]
    pub all: bool,
}

/// `review`.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// Carry on with the programme as it stands
    #[arg(long, conflicts_with = "easier")]
    pub accept: bool,
    /// Take an easier week: every exercise a step lower for seven days
    #[arg(long)]
    pub easier: bool,
}

/// `stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Count only sessions from this day on (streaks always use the whole log)
    #[arg(long, value_parser = date, value_name = "YYYY-MM-DD")]
    pub since: Option<NaiveDate>,
}

/// Which chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChartKind {
    /// Pain before and after each session, over time.
    Pain,
    /// A calendar of sessions against your goal.
    Adherence,
}

#[derive(Debug, Args)]
pub struct ChartArgs {
    /// pain or adherence
    #[arg(value_enum)]
    pub kind: ChartKind,
    /// Where to write it: FILE.svg or FILE.png
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Only sessions from this day on
    #[arg(long, value_parser = date, value_name = "YYYY-MM-DD")]
    pub since: Option<NaiveDate>,
}

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportKind {
    /// Every session and step, one row per step.
    Csv,
    /// Every session and step; `backstretch import` reads it back.
    Json,
    /// A reminder calendar for your goal (RFC 5545).
    Ics,
    /// An HL7 FHIR R4 Bundle: pain scores and your routine, for a clinician.
    Fhir,
}

fn time_of_day(s: &str) -> Result<chrono::NaiveTime, BadValue> {
    chrono::NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| {
        BadValue::from(format!(
            "`{s}` is not a time; use HH:MM on a 24-hour clock, like 07:30"
        ))
    })
}

fn weekday(s: &str) -> Result<chrono::Weekday, BadValue> {
    s.trim().parse().map_err(|_| {
        BadValue::from(format!(
            "`{s}` is not a day; use mon, tue, wed, thu, fri, sat, sun"
        ))
    })
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// csv, json, ics or fhir
    #[arg(value_enum)]
    pub kind: ExportKind,
    /// Write to this file instead of standard output
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// ics: the reminder's time of day [default: 08:00]
    #[arg(long, value_parser = time_of_day, value_name = "HH:MM")]
    pub time: Option<chrono::NaiveTime>,
    /// ics: the days, like mon,wed,fri [default: every day for a daily goal, spread over the week otherwise]
    #[arg(long, value_parser = weekday, value_delimiter = ',', num_args = 1.., value_name = "DAYS")]
    pub days: Option<Vec<chrono::Weekday>>,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ServeArgs {
    #[command(subcommand)]
    pub command: Option<ServeCommand>,
    /// The address and port to listen on [default: 127.0.0.1:8421; with --lan, this
    /// computer's network address]
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: Option<std::net::SocketAddr>,
    /// Serve other devices on your network: HTTPS with a certificate made once, and only to
    /// devices paired with the one-time code it shows
    #[arg(long)]
    pub lan: bool,
    /// Open a browser at the address
    #[arg(long)]
    pub open: bool,
}

#[derive(Debug, Args)]
pub struct ServerArgs {
    #[command(subcommand)]
    pub command: Option<ServerCommand>,
    /// The address and port to listen on [default: 127.0.0.1:8422]; beyond this computer it
    /// needs --cert and --key
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: Option<std::net::SocketAddr>,
    /// Keep the logs in this PostgreSQL database (postgres://...) [default: one SQLite file
    /// in the data folder]
    #[arg(long, value_name = "URL", env = "BACKSTRETCH_DATABASE", global = true)]
    pub database: Option<String>,
    /// Speak HTTPS with this certificate chain (PEM)
    #[arg(long, value_name = "FILE", requires = "key")]
    pub cert: Option<PathBuf>,
    /// The certificate's private key (PEM)
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,
    /// Send alert e-mails to clinicians through this SMTP relay: smtp://HOST[:PORT]
    /// (STARTTLS required; plain only to a relay on this computer) or smtps://HOST[:PORT]
    /// (TLS). A login goes in it as smtp://USER:PASSWORD@HOST, best through the environment
    /// [default: no e-mails; alerts show on the clinic's pages]
    #[arg(
        long,
        value_name = "URL",
        env = "BACKSTRETCH_SMTP",
        hide_env_values = true
    )]
    pub smtp: Option<String>,
    /// The address alert e-mails come from, like "backstretch <clinic@example.org>" (with
    /// --smtp)
    #[arg(long, value_name = "ADDRESS", env = "BACKSTRETCH_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// The address clinicians reach the server at, for the links in alert e-mails (behind a
    /// reverse proxy, the proxy's) [default: the address it listens on]
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Make every clinician log in with a second factor (a TOTP code from an authenticator
    /// app): one without it sets it up before any patient's page opens
    #[arg(long)]
    pub require_totp: bool,
}

/// What `server` can do besides serving.
#[derive(Debug, Subcommand)]
pub enum ServerCommand {
    /// The people whose logs the server keeps.
    #[command(subcommand)]
    User(UserCommand),
    /// The practice's clinicians, who log in to the server's pages.
    #[command(subcommand)]
    Clinician(ClinicianCommand),
    /// The audit log: every login, and every clinician's read and write of patient data.
    Audit(AuditArgs),
    /// Write a backup of the server's store: a consistent copy of the SQLite file, or
    /// PostgreSQL's own dump (pg_dump).
    Backup(BackupArgs),
    /// Put a backup in place of the server's store (stop the server first).
    Restore(RestoreArgs),
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The new file to write
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup, as `server backup` wrote it
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// `server user`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a person and print a one-time code to link their first device.
    Add(UserArgs),
    /// Print another one-time code, for the person's next device.
    Code(UserArgs),
}

#[derive(Debug, Args)]
pub struct UserArgs {
    /// The person's name: letters, digits, dots, dashes or underscores
    #[arg(value_name = "NAME")]
    pub name: String,
    /// The address devices reach the server at, shown in the command to link
    /// [default: http://127.0.0.1:8422]
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ClinicianCommand {
    /// Add a clinician and print a one-time link that sets their password.
    Add(ClinicianArgs),
    /// Print another invitation link (one lost or expired, or a forgotten password).
    Invite(ClinicianArgs),
    /// Turn a clinician's second factor (TOTP) off, for a lost phone: their next login asks
    /// the password only (or, with `server --require-totp`, to set up a new one).
    #[command(name = "totp-off")]
    TotpOff(ClinicianArgs),
}

#[derive(Debug, Args)]
pub struct ClinicianArgs {
    /// The clinician's e-mail address (their login)
    #[arg(value_name = "EMAIL")]
    pub email: String,
    /// The address clinicians reach the server at, shown in the link
    /// [default: http://127.0.0.1:8422]
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only the lines after line N (each line starts with its number)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub after: u64,
}

/// `sync`: with no command, send this log's new events and fetch the other devices'.
#[derive(Debug, Args)]
pub struct SyncArgs {
    #[command(subcommand)]
    pub command: Option<SyncCommand>,
}

#[derive(Debug, Args)]
pub struct RemindArgs {
    #[command(subcommand)]
    pub command: RemindCommand,
}

/// What `remind` can do.
#[derive(Debug, Subcommand)]
pub enum RemindCommand {
    /// Turn reminders on: the system runs `remind fire` at the times (a systemd user timer,
    /// a launchd agent or a scheduled task; no daemon, never root). Without --time, one
    /// reminder for each moment of your profile, at its times.
    On(RemindOnArgs),
    /// Turn reminders off: every file they installed is removed.
    Off(RemindOffArgs),
    /// What is installed, when each reminder fires next, and whether today is skipped.
    Status,
    /// Show a sample reminder, so you can see that notifications work, and say what you did
    /// with it.
    Test(RemindTestArgs),
    /// Show the reminder now, as the schedule does: nothing on a day already done or skipped,
    /// why there is no routine during a warning-sign block.
    Fire(RemindFireArgs),
}

#[derive(Debug, Args)]
pub struct RemindOnArgs {
    /// The time, on a 24-hour clock (repeat for several) [default: each moment's times, else
    /// 08:00]
    #[arg(long, value_parser = time_of_day, value_name = "HH:MM")]
    pub time: Vec<chrono::NaiveTime>,
    /// The days, like mon-fri, mon,wed,fri or daily [default: every day for a daily goal,
    /// spread over the week otherwise]
    #[arg(long, value_parser = days, value_name = "DAYS")]
    pub days: Option<backstretch_core::schedule::Days>,
    /// Only this moment of your profile (its routine, at its times unless --time is given)
    #[arg(long, value_name = "NAME")]
    pub moment: Option<String>,
    #[command(flatten)]
    pub answer: ReminderAnswers,
}

/// What a reminder's buttons do.
#[derive(Debug, Args)]
pub struct ReminderAnswers {
    /// Where Start opens the player: terminal or web
    #[arg(long, value_enum, default_value_t = crate::launch::Open::Terminal, value_name = "WHERE")]
    pub open: crate::launch::Open,
    /// How long Snooze waits, like 15m
    #[arg(long, default_value = "15m", value_parser = snooze, value_name = "TIME")]
    pub snooze: u32,
}

#[derive(Debug, Args)]
pub struct RemindOffArgs {
    /// Only this moment's reminder [default: every reminder]
    #[arg(long, value_name = "NAME")]
    pub moment: Option<String>,
}

#[derive(Debug, Args)]
pub struct RemindFireArgs {
    /// The moment whose routine to remind of [default: the day's routine]
    #[arg(long, value_name = "NAME")]
    pub moment: Option<String>,
    #[command(flatten)]
    pub answer: ReminderAnswers,
    /// How long the reminder waits for an answer before it is taken down, in seconds
    #[arg(long, value_name = "SECONDS", default_value_t = 3600,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub wait: u64,
}

fn days(s: &str) -> Result<backstretch_core::schedule::Days, BadValue> {
    s.parse()
        .map_err(|e: backstretch_core::schedule::BadDays| BadValue(e.to_string()))
}

/// Minutes of a snooze, 1 to 120.
fn snooze(s: &str) -> Result<u32, BadValue> {
    match backstretch_core::schedule::parse_minutes(s) {
        Ok(m @ 1..=120) => Ok(m),
        Ok(_) => Err(BadValue(format!(
            "`{s}`: snooze 1 to 120 minutes, like 15m"
        ))),
        Err(e) => Err(BadValue(e)),
    }
}

#[derive(Debug, Args)]
pub struct RemindTestArgs {
    /// How long to wait for your answer before taking the reminder down
    #[arg(long, value_name = "SECONDS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub wait: u64,
}

#[derive(Debug, Args)]
pub struct FunctionArgs {
    #[command(subcommand)]
    pub command: Option<FunctionCommand>,
}

/// What `function` can do besides asking on a terminal.
#[derive(Debug, Subcommand)]
pub enum FunctionCommand {
    /// Score up to three activities at once, each "ACTIVITY=SCORE" (0 unable .. 10 as before)
    Set {
        /// For example "carrying shopping=4" "sitting an hour=6"
        #[arg(required = true, value_name = "ACTIVITY=SCORE")]
        items: Vec<String>,
    },
    /// Every score so far, and the change since the first
    Show,
}

#[derive(Debug, Args)]
pub struct LearnArgs {
    /// A card's id, to show it whole with its sources (without one: the list)
    #[arg(value_name = "ID")]
    pub id: Option<String>,
}

#[derive(Debug, Args)]
pub struct MessagesArgs {
    #[command(subcommand)]
    pub command: Option<MessagesCommand>,
}

/// What `messages` can do besides showing the thread.
#[derive(Debug, Subcommand)]
pub enum MessagesCommand {
    /// Write to your clinicians; `backstretch sync` sends it.
    Send {
        /// What to say (quote it, or give it as several words).
        #[arg(required = true, value_name = "TEXT")]
        text: Vec<String>,
    },
}

/// What `sync` can do besides syncing.
#[derive(Debug, Subcommand)]
pub enum SyncCommand {
    /// Link this log to a sync server with a one-time code from `server user add/code`.
    Link(LinkArgs),
    /// Whether this log is linked, to which server, and the server's devices for it.
    Status,
    /// Compare this log with the server's, part by part, and name any difference.
    Verify,
    /// Stop syncing: the server forgets this device's token (the log stays as it is).
    Unlink,
}

#[derive(Debug, Args)]
pub struct LinkArgs {
    /// The server's address, as `server user add` printed it
    #[arg(value_name = "URL")]
    pub url: String,
    /// The one-time code
    #[arg(value_name = "CODE")]
    pub code: String,
    /// Trust the server's certificate from this file (PEM), for a server with a certificate
    /// of its own making
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,
    /// What to call this device on the server [default: this computer's name]
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
}

/// What `serve` can do besides serving: the paired devices.
#[derive(Debug, Subcommand)]
pub enum ServeCommand {
    /// List the devices paired with `serve --lan`: name, when paired, when last seen.
    Devices,
    /// Unpair a device: a running server refuses its next request (it must pair again).
    Unpair(UnpairArgs),
}

#[derive(Debug, Args)]
pub struct UnpairArgs {
    /// The device's name, as `backstretch serve devices` lists it
    #[arg(value_name = "NAME")]
    pub name: String,
}

#[derive(Debug, Args)]
pub struct FigureArgs {
    /// Id, name or alias of the exercise
    #[arg(required_unless_present = "all", num_args = 1.., value_name = "ID-OR-NAME")]
    pub name: Vec<String>,
    /// Every exercise and variant on one contact sheet, a row each, to review the figures
    #[arg(long, conflicts_with_all = ["name", "animate", "variant"])]
    pub all: bool,
    /// With --all: the rows numbered, with no names, positions or keyframe names, for a
    /// reviewer to name each figure from its picture alone
    #[arg(long, requires = "all")]
    pub unlabelled: bool,
    /// Write to FILE.svg or FILE.png [default: the SVG on standard output]
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// One figure moving between the keyframes (SVG only)
    #[arg(long)]
    pub animate: bool,
    /// Draw this variant (`seated`, say) rather than the exercise's own form; `catalog show`
    /// lists them
    #[arg(long, value_name = "NAME")]
    pub variant: Option<String>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A file written by `backstretch export json`
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Import the sessions that are good and list those left out (without it, a file with
    /// any bad value imports nothing, and every problem is listed)
    #[arg(long)]
    pub skip_invalid: bool,
}

#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// Save your profile; options not given keep their saved values.
    Set(ProfileSetArgs),
    /// Show your saved profile.
    Show,
    /// Put back an exercise that was left out because it hurt twice lately.
    Allow(AllowArgs),
    /// Moments of the day, each its own routine: `moment add morning --place bed
    /// --minutes 10 --at 07:30`, `moment remove morning`.
    #[command(subcommand)]
    Moment(MomentCommand),
}

#[derive(Debug, Subcommand)]
pub enum MomentCommand {
    /// Add a moment, or change the one of that name.
    Add(MomentAddArgs),
    /// Remove a moment.
    Remove(MomentRemoveArgs),
}

#[derive(Debug, Args)]
pub struct MomentAddArgs {
    /// Its name: lowercase letters, digits and dashes, like morning or desk
    #[arg(value_parser = moment_name, value_name = "NAME")]
    pub name: String,
    /// Where: floor, bed, chair, standing (repeat for several)
    #[arg(long, required = true, value_parser = WordParser::<Place>::new(), value_name = "PLACE")]
    pub place: Vec<Place>,
    /// Minutes, 1 to 180
    #[arg(long, required = true, value_parser = clap::value_parser!(u32).range(1..=180), value_name = "N")]
    pub minutes: u32,
    /// When, on a 24-hour clock (repeat for several: --at 11:00 --at 15:00)
    #[arg(long, required = true, value_parser = time_of_day, value_name = "HH:MM")]
    pub at: Vec<chrono::NaiveTime>,
}

#[derive(Debug, Args)]
pub struct MomentRemoveArgs {
    /// The moment's name
    #[arg(value_name = "NAME")]
    pub name: String,
}

fn moment_name(s: &str) -> Result<String, BadValue> {
    backstretch_core::profile::Moment::check_name(s)
        .map(|()| s.to_string())
        .map_err(BadValue)
}

#[derive(Debug, Args)]
pub struct AllowArgs {
    /// The exercise (id or name)
    #[arg(required = true, num_args = 1.., value_name = "ID-OR-NAME")]
    pub name: Vec<String>,
}

#[derive(Debug, Args)]
pub struct DisclaimerArgs {
    /// Accept the disclaimer now (for scripts; a terminal run of `backstretch` asks)
    #[arg(long)]
    pub accept: bool,
}

#[derive(Debug, Args)]
pub struct SafetyArgs {
    /// Answers for scripts: `none`, or the ids of the signs present, comma-separated
    #[arg(long, value_delimiter = ',', num_args = 1.., value_name = "none|ID,ID")]
    pub answers: Option<Vec<String>>,
    /// List the questions (id, text, urgency, areas, guideline) instead of asking them
    #[arg(long, conflicts_with = "answers")]
    pub list: bool,
    /// A clinician has checked this sign (a `same-day` or `soon` one) and cleared you to
    /// exercise; holds for 12 weeks, or until the sign is answered again
    #[arg(long, value_name = "ID", conflicts_with_all = ["answers", "list"])]
    pub cleared: Option<String>,
}

/// Saves a profile: the routine flags (lists given replace the saved ones), and the goal.
#[derive(Debug, Args)]
pub struct ProfileSetArgs {
    #[command(flatten)]
    pub routine: RoutineFlags,
    /// How often: daily, or N sessions a week like 3/week
    #[arg(long, value_parser = GoalParser, value_name = "GOAL")]
    pub goal: Option<Goal>,
    /// Plan this excluded exercise again (id or name; repeat for several)
    #[arg(long, value_name = "ID")]
    pub include: Vec<String>,
    /// A health condition you have, which leaves out exercises it rules out (repeat for
    /// several; the list given replaces the saved one; `none` clears it)
    #[arg(long, value_parser = ConditionParser, value_name = "CONDITION")]
    pub condition: Vec<ConditionArg>,
    /// For lower-back pain, which movement eases it: forward (bending forward), back
    /// (arching back) or neither (or not sure); plans follow it
    #[arg(long, value_parser = WordParser::<EasedBy>::new(), value_name = "DIRECTION")]
    pub eased_by: Option<EasedBy>,
    /// Desk breaks to aim at a working day (`backstretch break`), 1 to 16; 0 sets no goal
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=16), value_name = "N")]
    pub breaks: Option<u32>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only exercises for this area (repeat for several)
    #[arg(long, value_parser = WordParser::<Area>::new(), value_name = "AREA")]
    pub area: Vec<Area>,
    /// Only exercises doable in this place (repeat for several)
    #[arg(long, value_parser = WordParser::<Place>::new(), value_name = "PLACE")]
    pub place: Vec<Place>,
    /// Only exercises in this position (repeat for several)
    #[arg(long, value_parser = WordParser::<Position>::new(), value_name = "POSITION")]
    pub position: Vec<Position>,
    /// Only exercises of this kind: stretch, mobility, activation
    #[arg(long, value_parser = WordParser::<Kind>::new(), value_name = "KIND")]
    pub kind: Vec<Kind>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Id, name or alias; case and punctuation do not matter ("childs pose")
    #[arg(required = true, num_args = 1.., value_name = "ID-OR-NAME")]
    pub name: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A folder of exercise files to check [default: the built-in catalogue]
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct BreakArgs {
    /// Active minutes between breaks, like 45m or 1h (5 minutes to 4 hours)
    #[arg(long, default_value = "45m", value_name = "TIME")]
    pub every: String,
    /// Working hours: no breaks are offered outside them
    #[arg(long, default_value = "09:00-17:30", value_name = "HH:MM-HH:MM")]
    pub hours: String,
    /// Working days, like mon-fri or mon,tue,thu
    #[arg(long, default_value = "mon-fri", value_name = "DAYS")]
    pub days: String,
    /// Time away from the keyboard and mouse that counts as a break, like 5m
    #[arg(long, default_value = "5m", value_name = "TIME")]
    pub rest: String,
    /// Active minutes until a snoozed break is offered again, like 10m
    #[arg(long, default_value = "10m", value_name = "TIME")]
    pub snooze: String,
    /// Where Start opens the player: terminal or web
    #[arg(long, value_enum, default_value_t = crate::launch::Open::Terminal, value_name = "WHERE")]
    pub open: crate::launch::Open,
    /// Run desk-break mode at each login (a user service; never as root), with these settings
    #[arg(long, conflicts_with = "uninstall")]
    pub install: bool,
    /// Remove what --install installed
    #[arg(long)]
    pub uninstall: bool,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write backstretch.1 and a page for every command (backstretch-plan.1, ...) into DIR
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to print completions for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
