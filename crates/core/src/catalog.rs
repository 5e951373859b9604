//! The catalogue: parsing exercise files from text, validating them, and looking exercises up.
//!
//! Files come in as `(path, text)` pairs; this module never touches the file system. Every
//! problem becomes a [`Diagnostic`] naming the file, line, column and field, with a hint on how
//! to fix it. Parsing collects every semantic problem in a file, not only the first; a syntax
//! error stops that one file.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use crate::exercise::{Dose, Exercise, SourceDose, SourceRef};
use crate::sources::{SOURCE_DOCS, source_doc};
use crate::text::{closest, edit_distance, normalize_name};
use crate::vocab::{Area, Equipment, Kind, Place, Position, Sides, Word};

/// Bounds a dose must keep (inclusive).
pub const HOLD_S: Range<u32> = 1..181;
/// Repetitions per side (inclusive bounds 1-30).
pub const REPS: Range<u32> = 1..31;
/// Rest between repetitions (inclusive bounds 0-120).
pub const REST_S: Range<u32> = 0..121;

/// One problem in a catalogue file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file as the user knows it (`catalog/bridge.toml`, `/home/me/exercises/x.toml`).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Byte range in the file.
    pub span: Range<usize>,
    /// The field at fault (`places[1]`, `dose.hold_s`), when known.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
    /// The text of the line, for showing the problem in place.
    pub line_text: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

/// 1-based line and column (in characters) of a byte offset, and that line's text.
fn locate(text: &str, offset: usize) -> (usize, usize, String) {
    let offset = offset.min(text.len());
    let offset = (0..=offset)
        .rev()
        .find(|o| text.is_char_boundary(*o))
        .unwrap_or(0);
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].chars().count() + 1;
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let line_text = text[line_start..line_end]
        .trim_end_matches('\r')
        .to_string();
    (line, column, line_text)
}

/// Collects diagnostics for one file.
struct Reporter<'a> {
    file: &'a str,
    text: &'a str,
    out: Vec<Diagnostic>,
}

impl<'a> Reporter<'a> {
    fn new(file: &'a str, text: &'a str) -> Self {
        Reporter {
            file,
            text,
            out: Vec::new(),
        }
    }

    fn report(
        &mut self,
        span: Range<usize>,
        field: impl Into<String>,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        let field = field.into();
        self.out.push(make_diag(
            self.file,
            self.text,
            span,
            (!field.is_empty()).then_some(field),
            message.into(),
            hint,
        ));
    }
}

fn make_diag(
    file: &str,
    text: &str,
    span: Range<usize>,
    field: Option<String>,
    message: String,
    hint: Option<String>,
) -> Diagnostic {
    let (line, column, line_text) = locate(text, span.start);
    Diagnostic {
        file: file.to_string(),
        line,
        column,
        span,
        field,
        message,
        hint,
        line_text,
    }
}

type S<T> = Spanned<T>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExercise {
    id: S<String>,
    name: S<String>,
    aliases: Option<S<Vec<S<String>>>>,
    kind: S<String>,
    position: S<String>,
    places: S<Vec<S<String>>>,
    equipment: Option<S<Vec<S<String>>>>,
    areas: S<Vec<S<String>>>,
    sides: S<String>,
    gentleness: S<i64>,
    purpose: S<String>,
    dose: S<RawDose>,
    steps: S<Vec<S<String>>>,
    cautions: S<Vec<S<String>>>,
    sources: S<Vec<S<RawSource>>>,
    pose: Option<S<RawPose>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPose {
    view: crate::pose::View,
    support: crate::pose::Support,
    wall: Option<f64>,
    keyframes: Vec<S<crate::pose::Keyframe>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDose {
    hold_s: S<i64>,
    reps: S<i64>,
    rest_s: S<i64>,
    note: Option<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    doc: S<String>,
    dose: Option<S<RawSourceDose>>,
    note: Option<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSourceDose {
    hold_s: Option<S<i64>>,
    min_hold_s: Option<S<i64>>,
    reps: Option<S<i64>>,
    reps_max: Option<S<i64>>,
    sides: Option<S<String>>,
}

/// Where an exercise's names sit in its file, for cross-file duplicate reports.
#[derive(Debug, Clone)]
struct NameSpans {
    id: Range<usize>,
    name: Range<usize>,
    aliases: Vec<Range<usize>>,
}

/// An exercise parsed from one file, with where its names are.
#[derive(Debug, Clone)]
struct Parsed {
    exercise: Exercise,
    spans: NameSpans,
}

/// Turns a TOML/serde error into a diagnostic with a field name and a hint where possible.
fn syntax_diag(file: &str, text: &str, err: &toml::de::Error) -> Diagnostic {
    let span = err.span().unwrap_or(0..0);
    let message = err.message().trim().to_string();
    let (_, _, line_text) = locate(text, span.start);
    let field = line_text
        .split_once('=')
        .map(|(k, _)| k.trim())
        .filter(|k| {
            !k.is_empty()
                && k.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        })
        .map(str::to_string);
    let mut hint = None;
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let words: Vec<&str> = rest.split('`').step_by(2).collect();
        if let Some((bad, expected)) = words.split_first() {
            let expected: Vec<&str> = expected.to_vec();
            hint = Some(match closest(bad, expected.iter().copied()) {
                Some(s) => format!("did you mean `{s}`? Unknown keys are not allowed"),
                None => "remove it; unknown keys are not allowed (see catalog/README.md)".into(),
            });
        }
    } else if let Some(missing) = message.strip_prefix("missing field `") {
        let key = missing.split('`').next().unwrap_or_default();
        hint = Some(format!(
            "add `{key}`; every field is described in catalog/README.md"
        ));
    } else if message.contains("invalid type") {
        hint = Some("check the value's type against catalog/README.md".into());
    }
    make_diag(file, text, span, field, message, hint)
}

fn expect_text(r: &mut Reporter<'_>, field: &str, value: &S<String>) -> String {
    let v = value.get_ref().trim();
    if v.is_empty() {
        r.report(
            value.span(),
            field,
            "is empty",
            Some("write a short text in your own words".into()),
        );
    }
    v.to_string()
}

fn expect_word<W: Word>(r: &mut Reporter<'_>, field: &str, value: &S<String>) -> Option<W> {
    match W::parse_word(value.get_ref()) {
        Ok(w) => Some(w),
        Err(e) => {
            let hint = match e.suggestion {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("use one of {}", e.expected.join(", ")),
            };
            r.report(value.span(), field, e.to_string(), Some(hint));
            None
        }
    }
}

fn expect_words<W: Word + PartialEq>(
    r: &mut Reporter<'_>,
    field: &str,
    values: &S<Vec<S<String>>>,
    required: bool,
) -> Vec<W> {
    let mut out: Vec<W> = Vec::new();
    if required && values.get_ref().is_empty() {
        r.report(
            values.span(),
            field,
            format!("needs at least one {}", W::WHAT),
            Some(format!(
                "use one or more of {}",
                W::ALL
                    .iter()
                    .map(|w| w.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        );
    }
    for (i, v) in values.get_ref().iter().enumerate() {
        let f = format!("{field}[{i}]");
        if let Some(w) = expect_word::<W>(r, &f, v) {
            if out.contains(&w) {
                r.report(
                    v.span(),
                    f,
                    format!("`{}` is listed twice", w.as_str()),
                    Some("remove the repeat".into()),
                );
            } else {
                out.push(w);
            }
        }
    }
    out
}

fn expect_range(
    r: &mut Reporter<'_>,
    field: &str,
    value: &S<i64>,
    range: Range<u32>,
    unit: &str,
) -> u32 {
    let v = *value.get_ref();
    let lo = i64::from(range.start);
    let hi = i64::from(range.end) - 1;
    if v < lo || v > hi {
        r.report(
            value.span(),
            field,
            format!("{v}{unit} is out of range"),
            Some(format!("use a value from {lo} to {hi}{unit}")),
        );
        return range.start.max(1);
    }
    u32::try_from(v).unwrap_or(range.start)
}

fn expect_texts(r: &mut Reporter<'_>, field: &str, values: &S<Vec<S<String>>>) -> Vec<String> {
    if values.get_ref().is_empty() {
        r.report(
            values.span(),
            field,
            "is empty",
            Some("add at least one entry".into()),
        );
    }
    values
        .get_ref()
        .iter()
        .enumerate()
        .map(|(i, v)| expect_text(r, &format!("{field}[{i}]"), v))
        .collect()
}

/// Whether a string is a valid id: lower-case ASCII letters and digits in words joined by `-`.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|w| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// The file stem of a path-like string (`dir/a-b.toml` -> `a-b`).
fn file_stem(path: &str) -> &str {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    name.strip_suffix(".toml").unwrap_or(name)
}

fn parse_source_dose(r: &mut Reporter<'_>, field: &str, raw: &S<RawSourceDose>) -> SourceDose {
    let d = raw.get_ref();
    let num = |r: &mut Reporter<'_>, name: &str, v: &Option<S<i64>>, range: Range<u32>, unit| {
        v.as_ref()
            .map(|v| expect_range(r, &format!("{field}.{name}"), v, range, unit))
    };
    let out = SourceDose {
        hold_s: num(r, "hold_s", &d.hold_s, HOLD_S, " s"),
        min_hold_s: num(r, "min_hold_s", &d.min_hold_s, HOLD_S, " s"),
        reps: num(r, "reps", &d.reps, REPS, ""),
        reps_max: num(r, "reps_max", &d.reps_max, REPS, ""),
        sides: d
            .sides
            .as_ref()
            .and_then(|s| expect_word::<Sides>(r, &format!("{field}.sides"), s)),
    };
    if out == SourceDose::default() {
        r.report(
            raw.span(),
            field,
            "names no figure",
            Some("give hold_s, min_hold_s, reps, reps_max or sides, or leave the dose out".into()),
        );
    }
    if let (Some(lo), Some(hi), Some(span)) = (out.reps, out.reps_max, d.reps_max.as_ref())
        && hi < lo
    {
        r.report(
            span.span(),
            format!("{field}.reps_max"),
            format!("{hi} is below reps ({lo})"),
            Some("reps_max is the top of a range; make it at least reps".into()),
        );
    }
    out
}

fn parse_raw(r: &mut Reporter<'_>, raw: &RawExercise) -> Parsed {
    let id = raw.id.get_ref().trim().to_string();
    if !is_valid_id(&id) {
        r.report(
            raw.id.span(),
            "id",
            format!("`{id}` is not a valid id"),
            Some(
                "use lower-case letters and digits in words joined by `-`, like `childs-pose`"
                    .into(),
            ),
        );
    } else if file_stem(r.file) != id {
        r.report(
            raw.id.span(),
            "id",
            format!(
                "id `{id}` does not match the file name `{}`",
                file_stem(r.file)
            ),
            Some(format!("rename the file to `{id}.toml` or change the id")),
        );
    }
    let name = expect_text(r, "name", &raw.name);
    let mut aliases = Vec::new();
    let mut alias_spans = Vec::new();
    if let Some(list) = &raw.aliases {
        for (i, a) in list.get_ref().iter().enumerate() {
            let text = expect_text(r, &format!("aliases[{i}]"), a);
            aliases.push(text);
            alias_spans.push(a.span());
        }
    }
    let kind = expect_word::<Kind>(r, "kind", &raw.kind);
    let position = expect_word::<Position>(r, "position", &raw.position);
    let places = expect_words::<Place>(r, "places", &raw.places, true);
    let equipment = raw
        .equipment
        .as_ref()
        .map(|e| expect_words::<Equipment>(r, "equipment", e, false))
        .unwrap_or_default();
    let areas = expect_words::<Area>(r, "areas", &raw.areas, true);
    let sides = expect_word::<Sides>(r, "sides", &raw.sides);
    let gentleness = expect_range(r, "gentleness", &raw.gentleness, 1..4, "");
    let purpose = expect_text(r, "purpose", &raw.purpose);
    let d = raw.dose.get_ref();
    let dose = Dose {
        hold_s: expect_range(r, "dose.hold_s", &d.hold_s, HOLD_S, " s"),
        reps: expect_range(r, "dose.reps", &d.reps, REPS, ""),
        rest_s: expect_range(r, "dose.rest_s", &d.rest_s, REST_S, " s"),
        note: d.note.as_ref().map(|n| expect_text(r, "dose.note", n)),
    };
    let steps = expect_texts(r, "steps", &raw.steps);
    let cautions = expect_texts(r, "cautions", &raw.cautions);
    if raw.sources.get_ref().is_empty() {
        r.report(
            raw.sources.span(),
            "sources",
            "names no source",
            Some("add a [[sources]] table with the seed file that describes the exercise".into()),
        );
    }
    let mut sources: Vec<SourceRef> = Vec::new();
    for (i, s) in raw.sources.get_ref().iter().enumerate() {
        let field = format!("sources[{i}]");
        let raw_s = s.get_ref();
        let doc = raw_s.doc.get_ref().trim().to_string();
        if source_doc(&doc).is_none() {
            let docs = SOURCE_DOCS.iter().map(|d| d.doc);
            let hint = match closest(&doc, docs) {
                Some(c) => format!("did you mean `{c}`?"),
                None => format!(
                    "use one of {}",
                    SOURCE_DOCS
                        .iter()
                        .map(|d| d.doc)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            r.report(
                raw_s.doc.span(),
                format!("{field}.doc"),
                format!("unknown source `{doc}`"),
                Some(hint),
            );
        } else if sources.iter().any(|x| x.doc == doc) {
            r.report(
                raw_s.doc.span(),
                format!("{field}.doc"),
                format!("source `{doc}` is listed twice"),
                Some("merge the two [[sources]] tables".into()),
            );
        }
        sources.push(SourceRef {
            doc,
            dose: raw_s
                .dose
                .as_ref()
                .map(|d| parse_source_dose(r, &format!("{field}.dose"), d)),
            note: raw_s
                .note
                .as_ref()
                .map(|n| expect_text(r, &format!("{field}.note"), n)),
        });
    }
    let has_source_dose = sources.iter().any(|s| s.dose.is_some());
    if !has_source_dose && dose.note.is_none() {
        r.report(
            raw.dose.span(),
            "dose.note",
            "no source gives a dose, and the default dose says not why it was chosen",
            Some("add `note = \"...\"` to [dose] explaining the choice".into()),
        );
    }
    // Names within one entry must be distinct.
    let mut seen: Vec<String> = vec![normalize_name(&id), normalize_name(&name)];
    for (i, a) in aliases.iter().enumerate() {
        let n = normalize_name(a);
        if seen.contains(&n) {
            r.report(
                alias_spans[i].clone(),
                format!("aliases[{i}]"),
                format!("`{a}` repeats the id, the name or another alias"),
                Some("remove it: names match ignoring case and punctuation".into()),
            );
        }
        seen.push(n);
    }
    let pose = raw.pose.as_ref().map(|p| {
        let rp = p.get_ref();
        let spec = crate::pose::PoseSpec {
            view: rp.view,
            support: rp.support,
            wall: rp.wall,
            keyframes: rp.keyframes.iter().map(|k| k.get_ref().clone()).collect(),
        };
        if let Some(pos) = position {
            for problem in crate::pose::check(&spec, pos) {
                let span = rp
                    .keyframes
                    .iter()
                    .find(|k| k.get_ref().name == problem.keyframe)
                    .map_or_else(|| p.span(), Spanned::span);
                r.report(
                    span,
                    format!("pose.keyframes `{}`.{}", problem.keyframe, problem.joint),
                    problem.message.clone(),
                    Some("adjust the angles; the pose format is in catalog/README.md".into()),
                );
            }
        }
        spec
    });
    Parsed {
        exercise: Exercise {
            id,
            name,
            aliases,
            kind: kind.unwrap_or(Kind::Stretch),
            position: position.unwrap_or(Position::Standing),
            places,
            equipment,
            areas,
            sides: sides.unwrap_or(Sides::Both),
            gentleness: u8::try_from(gentleness).unwrap_or(1),
            purpose,
            dose,
            steps,
            cautions,
            sources,
            pose,
        },
        spans: NameSpans {
            id: raw.id.span(),
            name: raw.name.span(),
            aliases: alias_spans,
        },
    }
}

/// Parses one file. The parsed exercise is there whenever the syntax was sound, so that
/// cross-file checks (repeated ids) still see files with other problems.
fn parse_file(file: &str, text: &str) -> (Option<Parsed>, Vec<Diagnostic>) {
    let raw: RawExercise = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => return (None, vec![syntax_diag(file, text, &e)]),
    };
    let mut r = Reporter::new(file, text);
    let parsed = parse_raw(&mut r, &raw);
    (Some(parsed), r.out)
}

/// Parses and validates one exercise file on its own (no cross-file checks).
pub fn parse_exercise(file: &str, text: &str) -> Result<Exercise, Vec<Diagnostic>> {
    match parse_file(file, text) {
        (Some(p), d) if d.is_empty() => Ok(p.exercise),
        (_, d) => Err(d),
    }
}

/// Writes an exercise as a catalogue file.
pub fn to_toml(exercise: &Exercise) -> Result<String, toml::ser::Error> {
    toml::to_string(exercise)
}

/// Where an entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// Shipped inside the binary.
    Builtin,
    /// From the user's own folder.
    User,
}

/// One exercise in a loaded catalogue.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    /// The exercise.
    pub exercise: Exercise,
    /// Built-in or the user's.
    pub origin: Origin,
    /// The file it came from.
    pub file: String,
    /// A user entry that replaces a built-in one with the same id.
    pub replaces_builtin: bool,
}

/// A catalogue file given as text.
#[derive(Debug, Clone, Copy)]
pub struct SourceFile<'a> {
    /// The path shown in messages.
    pub path: &'a str,
    /// The file's contents.
    pub text: &'a str,
}

/// A loaded catalogue: built-in entries, overlaid by the user's.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    entries: Vec<Entry>,
    by_id: HashMap<String, usize>,
    by_name: HashMap<String, usize>,
}

/// The result of loading: the valid entries, and every problem found.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The catalogue of every valid entry.
    pub catalog: Catalog,
    /// Every problem, in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// How many of them had problems.
    pub invalid_files: usize,
}

/// No exercise answers to a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotFound {
    /// The name asked for.
    pub query: String,
    /// `(id, name)` of the closest entries, best first.
    pub suggestions: Vec<(String, String)>,
}

impl fmt::Display for NotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no exercise is called `{}`", self.query)?;
        if !self.suggestions.is_empty() {
            let s: Vec<String> = self
                .suggestions
                .iter()
                .map(|(id, name)| format!("{id} ({name})"))
                .collect();
            write!(f, "; did you mean {}?", s.join(", "))?;
        }
        Ok(())
    }
}

impl std::error::Error for NotFound {}

/// One file parsed: the exercise (when valid) and its problems. Opaque outside the catalogue;
/// callers only pass it back to [`Catalog::load_with`].
#[derive(Debug)]
pub struct ParsedFile(Option<Parsed>, Vec<Diagnostic>);

/// Parses files one after another. A caller with many files may split them across threads
/// and give the results, in order, to [`Catalog::load_with`]: the catalogue stays free of
/// threads.
pub fn parse_files(files: &[SourceFile<'_>]) -> Vec<ParsedFile> {
    files
        .iter()
        .map(|f| {
            let (p, d) = parse_file(f.path, f.text);
            ParsedFile(p, d)
        })
        .collect()
}

/// Parses one layer of files (built-in or user), reporting invalid files and repeated ids.
fn parse_layer<'a>(
    files: &[SourceFile<'a>],
    parsed: Vec<ParsedFile>,
    origin: Origin,
    diagnostics: &mut Vec<Diagnostic>,
    invalid: &mut std::collections::BTreeSet<String>,
) -> Vec<(Parsed, SourceFile<'a>, Origin)> {
    let parsed: Vec<(Option<Parsed>, Vec<Diagnostic>)> =
        parsed.into_iter().map(|ParsedFile(p, d)| (p, d)).collect();
    // An id belongs to the file named after it, or else to the first file that uses it.
    let mut owner: HashMap<&str, usize> = HashMap::new();
    for named_after_id in [true, false] {
        for (i, (p, _)) in parsed.iter().enumerate() {
            if let Some(p) = p
                && (file_stem(files[i].path) == p.exercise.id) == named_after_id
            {
                owner.entry(p.exercise.id.as_str()).or_insert(i);
            }
        }
    }
    let owner: HashMap<String, usize> =
        owner.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    let mut out: Vec<(Parsed, SourceFile<'a>, Origin)> = Vec::new();
    for (i, (p, mut diags)) in parsed.into_iter().enumerate() {
        let f = &files[i];
        if let Some(p) = &p
            && let Some(&first) = owner.get(&p.exercise.id).filter(|o| **o != i)
        {
            diags.push(make_diag(
                f.path,
                f.text,
                p.spans.id.clone(),
                Some("id".into()),
                format!(
                    "duplicate id `{}`, also in {}",
                    p.exercise.id, files[first].path
                ),
                Some("give each exercise its own id".into()),
            ));
        }
        match p {
            Some(p) if diags.is_empty() => out.push((p, *f, origin)),
            _ => {
                invalid.insert(f.path.to_string());
                diagnostics.append(&mut diags);
            }
        }
    }
    out
}

impl Catalog {
    /// Loads the built-in files, then the user's: a user entry with a built-in id replaces it.
    ///
    /// Invalid files are left out and reported; so are ids repeated within one layer and names
    /// or aliases that two entries share (the later file is the one reported).
    pub fn load(builtin: &[SourceFile<'_>], user: &[SourceFile<'_>]) -> Loaded {
        Catalog::load_with(builtin, user, parse_files)
    }

    /// [`Catalog::load`] with the caller's way of parsing files (for instance on several
    /// threads); `parse` must return one [`ParsedFile`] per file, in order, as
    /// [`parse_files`] does.
    pub fn load_with(
        builtin: &[SourceFile<'_>],
        user: &[SourceFile<'_>],
        parse: impl Fn(&[SourceFile<'_>]) -> Vec<ParsedFile>,
    ) -> Loaded {
        let mut diagnostics = Vec::new();
        let mut invalid = std::collections::BTreeSet::new();
        let base = parse_layer(
            builtin,
            parse(builtin),
            Origin::Builtin,
            &mut diagnostics,
            &mut invalid,
        );
        let over = parse_layer(
            user,
            parse(user),
            Origin::User,
            &mut diagnostics,
            &mut invalid,
        );
        let user_ids: Vec<&str> = over
            .iter()
            .map(|(p, _, _)| p.exercise.id.as_str())
            .collect();
        let replaced: Vec<String> = base
            .iter()
            .filter(|(p, _, _)| user_ids.contains(&p.exercise.id.as_str()))
            .map(|(p, _, _)| p.exercise.id.clone())
            .collect();
        let merged = base
            .into_iter()
            .filter(|(p, _, _)| !replaced.contains(&p.exercise.id))
            .chain(over);

        let mut catalog = Catalog::default();
        let mut owner: HashMap<String, (String, String)> = HashMap::new(); // name -> (id, file)
        for (p, f, origin) in merged {
            let ex = &p.exercise;
            let mut clash = Vec::new();
            let named = std::iter::once((p.spans.id.clone(), "id".to_string(), ex.id.clone()))
                .chain(std::iter::once((
                    p.spans.name.clone(),
                    "name".to_string(),
                    ex.name.clone(),
                )))
                .chain(
                    ex.aliases
                        .iter()
                        .zip(&p.spans.aliases)
                        .enumerate()
                        .map(|(i, (a, s))| (s.clone(), format!("aliases[{i}]"), a.clone())),
                );
            for (span, field, text) in named {
                if let Some((other, other_file)) = owner.get(&normalize_name(&text)) {
                    clash.push(make_diag(
                        f.path,
                        f.text,
                        span,
                        Some(field),
                        format!("`{text}` is already a name of `{other}` ({other_file})"),
                        Some("names and aliases must be unique across the catalogue".into()),
                    ));
                }
            }
            if !clash.is_empty() {
                invalid.insert(f.path.to_string());
                diagnostics.extend(clash);
                continue;
            }
            for n in ex.names() {
                owner.insert(normalize_name(n), (ex.id.clone(), f.path.to_string()));
            }
            let replaces_builtin = origin == Origin::User && replaced.contains(&ex.id);
            catalog.push(Entry {
                exercise: p.exercise,
                origin,
                file: f.path.to_string(),
                replaces_builtin,
            });
        }
        catalog
            .entries
            .sort_by(|a, b| a.exercise.id.cmp(&b.exercise.id));
        catalog.reindex();
        Loaded {
            catalog,
            diagnostics,
            invalid_files: invalid.len(),
        }
    }

    /// A catalogue of entries loaded before (from a cache), in the order given.
    pub fn from_entries(entries: Vec<Entry>) -> Self {
        let mut c = Catalog {
            entries,
            ..Catalog::default()
        };
        c.reindex();
        c
    }

    /// A catalogue of exercises given directly (tests, generated catalogues).
    pub fn from_exercises(exercises: impl IntoIterator<Item = Exercise>) -> Self {
        let mut c = Catalog::default();
        for e in exercises {
            let file = format!("{}.toml", e.id);
            c.push(Entry {
                exercise: e,
                origin: Origin::User,
                file,
                replaces_builtin: false,
            });
        }
        c.reindex();
        c
    }

    fn push(&mut self, entry: Entry) {
        self.entries.push(entry);
    }

    fn reindex(&mut self) {
        self.by_id.clear();
        self.by_name.clear();
        for (i, e) in self.entries.iter().enumerate() {
            self.by_id.insert(e.exercise.id.clone(), i);
            for n in e.exercise.names() {
                self.by_name.entry(normalize_name(n)).or_insert(i);
            }
        }
    }

    /// Every entry, ordered by id.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Every exercise, ordered by id.
    pub fn exercises(&self) -> impl Iterator<Item = &Exercise> {
        self.entries.iter().map(|e| &e.exercise)
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry with exactly this id.
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.by_id.get(id).map(|i| &self.entries[*i])
    }

    /// Finds an entry by id, name or alias, ignoring case and punctuation.
    pub fn find(&self, query: &str) -> Result<&Entry, NotFound> {
        if let Some(e) = self.get(query.trim()) {
            return Ok(e);
        }
        let q = normalize_name(query);
        if let Some(i) = self.by_name.get(&q) {
            return Ok(&self.entries[*i]);
        }
        Err(NotFound {
            query: query.trim().to_string(),
            suggestions: self.suggest(&q),
        })
    }

    /// The entries whose names are closest to a normalized query, best first (at most five).
    fn suggest(&self, q: &str) -> Vec<(String, String)> {
        if q.is_empty() {
            return Vec::new();
        }
        let q_words: Vec<&str> = q.split(' ').collect();
        let mut scored: Vec<(usize, &Entry)> = self
            .entries
            .iter()
            .filter_map(|e| {
                let best = e
                    .exercise
                    .names()
                    .map(|n| {
                        let n = normalize_name(n);
                        let words: Vec<&str> = n.split(' ').collect();
                        let all_words = q_words.iter().all(|w| {
                            words
                                .iter()
                                .any(|x| x.starts_with(w) || edit_distance(w, x) <= 1)
                        });
                        if all_words { 0 } else { edit_distance(q, &n) }
                    })
                    .min()
                    .unwrap_or(usize::MAX);
                let limit = (q.chars().count() / 3).clamp(1, 4);
                (best <= limit).then_some((best, e))
            })
            .collect();
        scored.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.exercise.id.cmp(&b.1.exercise.id)));
        scored
            .into_iter()
            .take(5)
            .map(|(_, e)| (e.exercise.id.clone(), e.exercise.name.clone()))
            .collect()
    }
}

/// The built-in catalogue files as [`SourceFile`]s.
pub fn builtin_files() -> Vec<SourceFile<'static>> {
    crate::BUILTIN_FILES
        .iter()
        .map(|(path, text)| SourceFile { path, text })
        .collect()
}

/// Loads the built-in catalogue alone.
pub fn builtin() -> Loaded {
    Catalog::load(&builtin_files(), &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
id = "test-stretch"
name = "Test stretch"
aliases = ["trial move"]
kind = "stretch"
position = "supine"
places = ["floor", "bed"]
areas = ["lower-back"]
sides = "each"
gentleness = 1
purpose = "Loosens the lower back."

[dose]
hold_s = 10
reps = 5
rest_s = 5

steps = ["Lie down.", "Stretch."]
"#;

    fn good() -> String {
        // `steps` after [dose] would belong to the dose table; keep valid TOML order.
        GOOD.replace(
            "\n[dose]\nhold_s = 10\nreps = 5\nrest_s = 5\n\nsteps = [\"Lie down.\", \"Stretch.\"]\n",
            "steps = [\"Lie down.\", \"Stretch.\"]\ncautions = [\"Stop if it hurts.\"]\n\n[dose]\nhold_s = 10\nreps = 5\nrest_s = 5\n\n[[sources]]\ndoc = \"002_0d052247460285cc.txt\"\ndose = { hold_s = 10, reps = 5 }\n",
        )
    }

    fn parse(text: &str) -> Result<Exercise, Vec<Diagnostic>> {
        parse_exercise("dir/test-stretch.toml", text)
    }

    #[test]
    fn a_good_file_parses() {
        let e = parse(&good()).unwrap();
        assert_eq!(e.id, "test-stretch");
        assert_eq!(e.places, vec![Place::Floor, Place::Bed]);
        assert_eq!(e.sources[0].dose.as_ref().unwrap().hold_s, Some(10));
    }

    #[test]
    fn every_semantic_problem_is_reported_with_position() {
        let text = good()
            .replace("[\"floor\", \"bed\"]", "[\"flor\", \"bed\"]")
            .replace("hold_s = 10\nreps", "hold_s = 0\nreps")
            .replace("002_0d052247460285cc.txt", "999_nope.txt");
        let d = parse(&text).unwrap_err();
        assert_eq!(d.len(), 3, "{d:#?}");
        let place = &d[0];
        assert_eq!(place.field.as_deref(), Some("places[0]"));
        assert!(place.message.contains("unknown place `flor`"), "{place}");
        assert_eq!(place.hint.as_deref(), Some("did you mean `floor`?"));
        assert_eq!((place.line, place.column), (7, 11));
        assert_eq!(d[1].field.as_deref(), Some("dose.hold_s"));
        assert_eq!(d[2].field.as_deref(), Some("sources[0].doc"));
    }

    #[test]
    fn unknown_key_names_field_and_suggests() {
        let text = good().replace("hold_s = 10\nreps", "hold_secs = 10\nreps");
        let d = parse(&text).unwrap_err();
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message.contains("unknown field `hold_secs`"),
            "{}",
            d[0]
        );
        assert_eq!(d[0].field.as_deref(), Some("hold_secs"));
        assert!(d[0].hint.as_deref().unwrap().contains("`hold_s`"));
    }

    #[test]
    fn id_must_match_file() {
        let d = parse_exercise("x/other.toml", &good()).unwrap_err();
        assert!(
            d[0].message
                .contains("does not match the file name `other`")
        );
    }

    #[test]
    fn locate_counts_lines_and_chars() {
        let t = "ab\nc\u{e9}d\n";
        assert_eq!(locate(t, 0).0, 1);
        let (l, c, line) = locate(t, 6);
        assert_eq!((l, c, line.as_str()), (2, 3, "c\u{e9}d"));
    }

    #[test]
    fn user_entry_replaces_builtin_and_alias_clash_is_reported() {
        let base = good();
        let user_same = base.replace("Test stretch", "My test stretch");
        let other = base
            .replace("test-stretch", "other-move")
            .replace("\"Test stretch\"", "\"Other move\"");
        let loaded = Catalog::load(
            &[SourceFile {
                path: "catalog/test-stretch.toml",
                text: &base,
            }],
            &[
                SourceFile {
                    path: "mine/test-stretch.toml",
                    text: &user_same,
                },
                SourceFile {
                    path: "mine/other-move.toml",
                    text: &other,
                },
            ],
        );
        assert_eq!(loaded.catalog.len(), 1);
        let e = loaded.catalog.get("test-stretch").unwrap();
        assert!(e.replaces_builtin);
        assert_eq!(e.exercise.name, "My test stretch");
        // other-move reuses the alias "trial move".
        assert_eq!(loaded.diagnostics.len(), 1, "{:#?}", loaded.diagnostics);
        assert_eq!(loaded.diagnostics[0].file, "mine/other-move.toml");
        assert_eq!(loaded.invalid_files, 1);
    }

    #[test]
    fn find_ignores_case_and_punctuation_and_suggests() {
        let c = Catalog::from_exercises([parse(&good()).unwrap()]);
        assert!(c.find("TEST-stretch").is_ok());
        assert!(c.find("trial  Move!").is_ok());
        let nf = c.find("tset stretch").unwrap_err();
        assert_eq!(nf.suggestions[0].0, "test-stretch");
        let nf = c.find("elbow circles").unwrap_err();
        assert!(nf.suggestions.is_empty());
    }
}
