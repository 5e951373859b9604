//! Exchange: the whole log as an export file, importing one back (every value checked, all
//! or nothing), the care plan for a clinician, and the reminder calendar's settings.

use backstretch_core::care::{Message, Prescription};
use backstretch_core::catalog::Catalog;
use backstretch_core::exchange::{
    BadValue, CareActivity, CarePlan, Checker, Clearance, FORMAT, LogFile, LogSession, Sheet,
    VERSION, check_profile,
};
use backstretch_core::function::FunctionRecord;
use backstretch_core::reminder::{Reminder, first_day, spread_days};
use backstretch_core::session::LoggedSession;
use backstretch_core::time::Stamp;
use backstretch_core::vocab::Word;
use backstretch_store::{ImportCount, Order, StoreError};
use chrono::{NaiveTime, Weekday};

use crate::planning::Overrides;
use crate::{App, AppError};

impl App<'_> {
    /// The whole log as an export file, oldest session first.
    pub fn log_file(&self) -> Result<LogFile, AppError> {
        let k = self.kept()?;
        Ok(LogFile {
            profile: self.store.profile(&self.user)?,
            profile_saved_at: k.profile_saved_at,
            clearances: k.clearances,
            sheets: k.sheets,
            prescriptions: k.prescriptions,
            messages: k.messages,
            function: k.function,
            ..LogFile::of(&self.store.sessions(&self.user)?)
        })
    }

    /// What an export keeps besides the sessions and the profile.
    fn kept(&self) -> Result<Kept, AppError> {
        let sheets = self
            .store
            .sheets(&self.user)?
            .into_iter()
            .map(|(code, routine, at)| Sheet {
                code: code.to_string(),
                at,
                routine: serde_json::to_value(&routine).unwrap_or(serde_json::Value::Null),
            })
            .collect();
        Ok(Kept {
            profile_saved_at: self.store.profile_saved_at(&self.user)?,
            clearances: self.store.clearances(&self.user)?,
            sheets,
            prescriptions: self.store.prescriptions(&self.user)?,
            messages: self.store.messages(&self.user)?,
            function: self.store.functions(&self.user)?,
        })
    }

    /// Writes the whole log as an export file (pretty JSON, the same as [`App::log_file`]
    /// gives), reading it a page of sessions at a time: memory stays bounded however long
    /// the log. An error of the log or of `out` stops the writing and comes back.
    pub fn write_log_file(&self, out: &mut dyn std::io::Write) -> Result<(), AppError> {
        let file = Streamed {
            app: self,
            failed: std::cell::RefCell::new(None),
        };
        let written = serde_json::to_writer_pretty(&mut *out, &file);
        if let Some(e) = file.failed.into_inner() {
            return Err(e.into());
        }
        written
            .map_err(|e| {
                let kind = e.io_error_kind().unwrap_or(std::io::ErrorKind::Other);
                AppError::Write(std::io::Error::new(kind, e))
            })
            .and_then(|()| out.write_all(b"\n").map_err(AppError::Write))
    }

    /// Imports an export file's text (named `file` in messages): every value is checked
    /// first, and nothing is written unless all of it is good.
    pub fn import(&self, file: &str, text: &str) -> Result<ImportCount, AppError> {
        let bytes = text.as_bytes();
        let open =
            || -> std::io::Result<Box<dyn std::io::Read + Send + '_>> { Ok(Box::new(bytes)) };
        Ok(self.import_from(file, &open, false)?.count)
    }

    /// Imports an export file read by `open` (twice: once to check every value, once to
    /// write), a session at a time, so memory stays bounded however long the file. With
    /// problems, nothing is imported and every one is reported; unless `skip_invalid`, when
    /// the good sessions are imported and the problems are listed as left out. A leading
    /// byte-order mark is passed over.
    pub fn import_from<'r>(
        &self,
        file: &str,
        open: &(dyn Fn() -> std::io::Result<Box<dyn std::io::Read + Send + 'r>> + Sync),
        skip_invalid: bool,
    ) -> Result<Imported, AppError> {
        let not_export = |detail: String| AppError::NotAnExport {
            file: file.to_string(),
            detail,
        };
        let read = |e: std::io::Error| not_export(format!("cannot read it: {e}"));
        // First pass: check everything, keep nothing but the problems.
        let mut checker = Checker::new(self.now);
        let mut problems = Vec::new();
        let mut bad = std::collections::BTreeSet::new();
        let header = stream(open().map_err(read)?, &mut |i, s| {
            if let Err(p) = checker.session(i, &s) {
                problems.extend(p);
                bad.insert(i);
            }
        })
        .map_err(|e| not_export(e.to_string()))?;
        if header.format.as_deref() != Some(FORMAT) || header.version != Some(VERSION) {
            return Err(AppError::WrongExport {
                file: file.to_string(),
                format: header.format.unwrap_or_default(),
                version: header.version.unwrap_or(0),
            });
        }
        if let Some(Err(e)) = header.profile.as_ref().map(check_profile) {
            problems.push(e);
        }
        for (i, c) in header.clearances.iter().enumerate() {
            problems.extend(c.checked(i, self.now).err());
        }
        for (i, sheet) in header.sheets.iter().enumerate() {
            problems.extend(sheet.checked(i).err());
        }
        for (i, p) in header.prescriptions.iter().enumerate() {
            problems.extend(p.checked(i, self.now).err());
        }
        for (i, m) in header.messages.iter().enumerate() {
            problems.extend(m.checked(i, self.now).err());
        }
        for (i, r) in header.function.iter().enumerate() {
            problems.extend(r.checked(i, self.now).err());
        }
        if !problems.is_empty() && !skip_invalid {
            return Err(AppError::BadImport {
                file: file.to_string(),
                problems,
            });
        }
        // Second pass: the good sessions, written as they are read.
        let count = self.write_import(open().map_err(read)?, &bad)?;
        self.restore(header)?;
        Ok(Imported {
            count,
            left_out: problems,
        })
    }

    /// Restores what a file keeps besides its sessions: the profile when it is newer than the
    /// one saved here (or none is), the clearances and the sheets not here yet. Values that
    /// did not pass their checks are left out.
    fn restore(&self, h: Header) -> Result<(), AppError> {
        if let Some(p) = h.profile.filter(|p| check_profile(p).is_ok()) {
            let here = self.store.profile_saved_at(&self.user)?;
            let newer = match (here, h.profile_saved_at) {
                (None, _) => true,
                (Some(here), Some(there)) => there > here,
                (Some(_), None) => false,
            };
            if newer {
                let at = h.profile_saved_at.unwrap_or(self.now);
                self.store.set_profile(&self.user, &p, at)?;
            }
        }
        let known = self.store.clearances(&self.user)?;
        for (i, c) in h.clearances.iter().enumerate() {
            let here = known.contains(c);
            if !here && c.checked(i, self.now).is_ok() {
                self.store.add_clearance(&self.user, c)?;
            }
        }
        for (i, sheet) in h.sheets.iter().enumerate() {
            if let Ok((code, routine)) = sheet.checked(i) {
                self.store
                    .save_sheet(&self.user, code, &routine, sheet.at)?;
            }
        }
        // Kept once by id: one already here is left as it is.
        let known: Vec<String> = self
            .store
            .prescriptions(&self.user)?
            .into_iter()
            .map(|p| p.id)
            .collect();
        for (i, p) in h.prescriptions.iter().enumerate() {
            if !known.contains(&p.id) && p.checked(i, self.now).is_ok() {
                self.store.add_prescription(&self.user, p)?;
            }
        }
        let known: Vec<String> = self
            .store
            .messages(&self.user)?
            .into_iter()
            .map(|m| m.uid)
            .collect();
        for (i, m) in h.messages.iter().enumerate() {
            if !known.contains(&m.uid) && m.checked(i, self.now).is_ok() {
                self.store.add_message(&self.user, m)?;
            }
        }
        let known: Vec<String> = self
            .store
            .functions(&self.user)?
            .into_iter()
            .map(|r| r.uid)
            .collect();
        for (i, r) in h.function.iter().enumerate() {
            if !known.contains(&r.uid) && r.checked(i, self.now).is_ok() {
                self.store.add_function(&self.user, r)?;
            }
        }
        Ok(())
    }

    /// Writes a file's sessions but those numbered in `bad`, read by a thread of its own and
    /// handed over a few at a time.
    fn write_import(
        &self,
        reader: Box<dyn std::io::Read + Send + '_>,
        bad: &std::collections::BTreeSet<usize>,
    ) -> Result<ImportCount, AppError> {
        let now = self.now;
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Result<LoggedSession, StoreError>>(16);
            scope.spawn(move || {
                let mut checker = Checker::new(now);
                let sent = tx.clone();
                let read = stream(reader, &mut |i, s| {
                    if !bad.contains(&i)
                        && let Ok(l) = checker.session(i, &s)
                    {
                        let _ = sent.send(Ok(l));
                    }
                });
                if let Err(e) = read {
                    let _ = tx.send(Err(StoreError::Backend(Box::new(e))));
                }
            });
            self.store
                .import_each(&self.user, &mut rx.into_iter())
                .map_err(AppError::ImportFailed)
        })
    }

    /// The care plan: the routine `plan` gives today (gates aside, with the pain rules
    /// applied: an exercise left out for safety is not in it), or else the latest session's
    /// routine; none when there is neither.
    pub fn care_plan(&self, catalog: &Catalog) -> Result<Option<CarePlan>, AppError> {
        let paused = self.paused(catalog)?;
        // A clinician's prescription in force is the plan, as the person's devices play it.
        if let Some(p) = self.prescription()? {
            let catalog = self.with_practice(catalog)?;
            if let Ok(plan) = self.prescription_plan(&catalog, &p, false) {
                return Ok(Some(CarePlan {
                    paused,
                    title: format!("Stretching programme prescribed by {}", p.by),
                    per_week: p.per_week,
                    activities: plan
                        .items
                        .iter()
                        .map(|i| CareActivity {
                            name: i.exercise.title(),
                            dose: i.dose_text(", "),
                        })
                        .collect(),
                }));
            }
        }
        let profile = self.store.profile(&self.user)?;
        let per_week = profile.as_ref().map_or(7, |p| p.goal.per_week());
        if let Some(p) = &profile {
            let req = self.request(catalog, &Overrides::default())?;
            let rules = self.pain_rules()?;
            let req = backstretch_core::plan::Request {
                gentler: rules.flare.easing.is_some(),
                pages_only: false,
                recent: vec![],
                ..req
            };
            if let Ok(plan) = backstretch_core::plan::plan_eased(
                catalog,
                &req,
                &rules.blocked,
                rules.flare.easing,
            ) {
                return Ok(Some(CarePlan {
                    paused,
                    title: format!(
                        "Stretching routine for {}",
                        p.areas
                            .iter()
                            .map(|a| a.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    per_week,
                    activities: plan
                        .items
                        .iter()
                        .map(|i| CareActivity {
                            name: i.exercise.title(),
                            dose: i.dose_text(", "),
                        })
                        .collect(),
                }));
            }
        }
        let latest = self
            .store
            .sessions_page(&self.user, None, 1, Order::NewestFirst)?
            .into_iter()
            .next();
        Ok(latest
            .map(|l| l.session.routine)
            .filter(|r| !r.items.is_empty())
            .map(|r| CarePlan {
                paused,
                title: "Stretching routine".into(),
                per_week,
                activities: r
                    .items
                    .iter()
                    .map(|i| CareActivity {
                        name: i.name.clone(),
                        dose: format!(
                            "{} s x {}{}",
                            i.dose.hold_s,
                            i.dose.reps,
                            if i.sides == "each" { ", each side" } else { "" }
                        ),
                    })
                    .collect(),
            }))
    }

    /// The reminder calendar's settings: at `time` (default 08:00) on `days` (default: every
    /// day for a daily goal, spread over the week otherwise), lasting the profile's minutes.
    /// `place` names the data directory, so its UID is stable for it.
    pub fn reminder(
        &self,
        catalog: &Catalog,
        place: &str,
        time: Option<NaiveTime>,
        days: Option<Vec<Weekday>>,
    ) -> Result<Reminder, AppError> {
        let paused = self.paused(catalog)?;
        let profile = self.store.profile(&self.user)?;
        let goal = profile
            .as_ref()
            .map_or(backstretch_core::profile::Goal::Daily, |p| p.goal);
        let minutes = profile.as_ref().map_or(10, |p| p.minutes);
        let days = days.unwrap_or_else(|| spread_days(goal.per_week()));
        let time = time.unwrap_or(NaiveTime::MIN + chrono::Duration::hours(8));
        let local = self.now.local();
        let when = if days.is_empty() {
            "every day".to_string()
        } else {
            days.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        Ok(Reminder {
            uid: format!(
                "backstretch-reminder-{}@backstretch.local",
                uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, place.as_bytes()).simple()
            ),
            first_day: first_day(local.date_naive(), local.time(), time, &days),
            time,
            days,
            minutes,
            stamp: local.with_timezone(&chrono::Utc),
            description: match &paused {
                Some(why) => format!(
                    "{why} Your stretching sessions ({minutes} min, {when}; goal {goal}) start again once `backstretch safety` reports no warning sign."
                ),
                None => format!(
                    "Your stretching session ({minutes} min, {when}; goal {goal}). Run `backstretch start`. Move slowly, never into pain, and stop if it is sharper, or worse than when you started, or if it spreads."
                ),
            },
            paused,
        })
    }

    /// Why plans are paused, while a warning sign from the latest check blocks them (the
    /// gate [`crate::Gate::Flagged`] for the profile's areas): the signs and what to do, for
    /// the exports to say. None when nothing blocks.
    pub fn paused(&self, catalog: &Catalog) -> Result<Option<String>, AppError> {
        let areas = self
            .store
            .profile(&self.user)?
            .map(|p| p.areas)
            .filter(|a| !a.is_empty())
            .unwrap_or_else(|| backstretch_core::vocab::Area::ALL.to_vec());
        let Some(crate::Gate::Flagged { verdict, .. }) = self.screening_gate(catalog, &areas)?
        else {
            return Ok(None);
        };
        let backstretch_core::safety::Verdict::Flagged { signs, urgency } = verdict else {
            return Ok(None);
        };
        let names: Vec<&str> = signs.iter().map(|s| s.sign.as_str()).collect();
        // What the most urgent sign calls for: emergency care for a cauda equina sign, not
        // "see a doctor".
        Ok(Some(format!(
            "Paused: a warning sign was reported ({}). {} backstretch plans nothing until a new check reports no warning sign.",
            names.join("; "),
            urgency.advice()
        )))
    }
}

/// Sessions read for an export a page at a time.
const PAGE: usize = 64;

/// The export file, its sessions read from the log as they are written.
struct Streamed<'s, 'a> {
    app: &'s App<'a>,
    /// The log's error that stopped the sessions, if one did.
    failed: std::cell::RefCell<Option<StoreError>>,
}

impl serde::Serialize for Streamed<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut m = s.serialize_struct("LogFile", 10)?;
        m.serialize_field("format", FORMAT)?;
        m.serialize_field("version", &VERSION)?;
        m.serialize_field("sessions", &Pages(self))?;
        match self.app.store.profile(&self.app.user) {
            Ok(Some(p)) => m.serialize_field("profile", &p)?,
            Ok(None) => m.skip_field("profile")?,
            Err(e) => *self.failed.borrow_mut() = Some(e),
        }
        match self.app.kept() {
            Ok(k) => {
                match k.profile_saved_at {
                    Some(at) => m.serialize_field("profile_saved_at", &at)?,
                    None => m.skip_field("profile_saved_at")?,
                }
                list(&mut m, "clearances", &k.clearances)?;
                list(&mut m, "sheets", &k.sheets)?;
                list(&mut m, "prescriptions", &k.prescriptions)?;
                list(&mut m, "messages", &k.messages)?;
                list(&mut m, "function", &k.function)?;
            }
            Err(AppError::Store(e)) => *self.failed.borrow_mut() = Some(e),
            Err(_) => {}
        }
        m.end()
    }
}

/// A list field, left out when empty.
fn list<M: serde::ser::SerializeStruct, T: serde::Serialize>(
    m: &mut M,
    name: &'static str,
    items: &[T],
) -> Result<(), M::Error> {
    if items.is_empty() {
        m.skip_field(name)
    } else {
        m.serialize_field(name, items)
    }
}

/// What an export keeps besides the sessions and the profile.
struct Kept {
    profile_saved_at: Option<Stamp>,
    clearances: Vec<Clearance>,
    sheets: Vec<Sheet>,
    prescriptions: Vec<Prescription>,
    messages: Vec<Message>,
    function: Vec<FunctionRecord>,
}

/// The `sessions` array: pages of the log, oldest first.
struct Pages<'r, 's, 'a>(&'r Streamed<'s, 'a>);

impl serde::Serialize for Pages<'_, '_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let app = self.0.app;
        let mut page: std::vec::IntoIter<LoggedSession> = Vec::new().into_iter();
        let mut after = None;
        let mut done = false;
        let sessions = std::iter::from_fn(|| {
            if let Some(l) = page.next() {
                return Some(LogSession::of(&l));
            }
            if done {
                return None;
            }
            match app
                .store
                .sessions_page(&app.user, after, PAGE, Order::OldestFirst)
            {
                Ok(next) => {
                    done = next.len() < PAGE;
                    after = next.last().map(|l| (l.session.started_at, l.session.id));
                    page = next.into_iter();
                    page.next().map(|l| LogSession::of(&l))
                }
                Err(e) => {
                    *self.0.failed.borrow_mut() = Some(e);
                    None
                }
            }
        });
        s.collect_seq(sessions)
    }
}

/// What an import added, and what it left out (only with `skip_invalid`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Imported {
    /// Sessions added, and those already here.
    pub count: ImportCount,
    /// The problems of the sessions (or profile) left out.
    pub left_out: Vec<BadValue>,
}

/// An export file's fields besides its sessions.
#[derive(Debug, Default)]
struct Header {
    format: Option<String>,
    version: Option<u32>,
    profile: Option<backstretch_core::profile::Profile>,
    profile_saved_at: Option<Stamp>,
    clearances: Vec<Clearance>,
    sheets: Vec<Sheet>,
    prescriptions: Vec<Prescription>,
    messages: Vec<Message>,
    function: Vec<FunctionRecord>,
}

/// Reads an export file from `reader`, handing each session to `each` as it is read (with
/// its place in the file), and gives the other fields. A leading byte-order mark is skipped.
fn stream(
    reader: Box<dyn std::io::Read + Send + '_>,
    each: &mut dyn FnMut(usize, LogSession),
) -> Result<Header, serde_json::Error> {
    use std::io::BufRead;
    let mut reader = std::io::BufReader::with_capacity(1 << 16, reader);
    if reader
        .fill_buf()
        .map_err(serde_json::Error::io)?
        .starts_with(b"\xEF\xBB\xBF")
    {
        reader.consume(3);
    }
    let mut de = serde_json::Deserializer::from_reader(reader);
    let header = serde::de::DeserializeSeed::deserialize(FileSeed(each), &mut de)?;
    de.end()?;
    Ok(header)
}

/// The whole file: a map whose `sessions` are handed over one by one.
struct FileSeed<'a, 'f>(&'a mut (dyn FnMut(usize, LogSession) + 'f));

impl<'de> serde::de::DeserializeSeed<'de> for FileSeed<'_, '_> {
    type Value = Header;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Header, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for FileSeed<'_, '_> {
    type Value = Header;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a backstretch export (an object with format, version and sessions)")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Header, A::Error> {
        const FIELDS: &[&str] = &[
            "format",
            "version",
            "sessions",
            "profile",
            "profile_saved_at",
            "clearances",
            "sheets",
            "prescriptions",
            "messages",
            "function",
        ];
        let mut h = Header::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "format" => h.format = Some(map.next_value()?),
                "version" => h.version = Some(map.next_value()?),
                "profile" => h.profile = map.next_value()?,
                "profile_saved_at" => h.profile_saved_at = map.next_value()?,
                "clearances" => h.clearances = map.next_value()?,
                "sheets" => h.sheets = map.next_value()?,
                "prescriptions" => h.prescriptions = map.next_value()?,
                "messages" => h.messages = map.next_value()?,
                "function" => h.function = map.next_value()?,
                "sessions" => map.next_value_seed(SessionsSeed(&mut *self.0))?,
                other => return Err(serde::de::Error::unknown_field(other, FIELDS)),
            }
        }
        Ok(h)
    }
}

/// The sessions array, each element handed over as it is read.
struct SessionsSeed<'a, 'f>(&'a mut (dyn FnMut(usize, LogSession) + 'f));

impl<'de> serde::de::DeserializeSeed<'de> for SessionsSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for SessionsSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of sessions")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        while let Some(s) = seq.next_element::<LogSession>()? {
            (self.0)(i, s);
            i += 1;
        }
        Ok(())
    }
}
