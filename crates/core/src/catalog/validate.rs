//! Validation: every field of a raw file checked, every problem reported.

use std::ops::Range;

use toml::Spanned;

use crate::exercise::{Dose, Evidence, Exercise, SourceDose, SourceRef, Variant};
use crate::sources::{SOURCE_DOCS, source_doc};
use crate::text::{closest, normalize_name};
use crate::vocab::{Area, Demand, Equipment, Kind, Place, Position, Sides, Word};

use super::diagnostics::{Diagnostic, Reporter, make_diag, syntax_diag};
use super::schema::{
    HOLD_S, MAX_FILE_BYTES, MAX_ITEMS, MAX_TEXT_CHARS, NameSpans, Parsed, REPS, REST_S,
    RawEvidence, RawExercise, RawPose, RawSource, RawSourceDose, RawVariant, S,
};

pub(super) fn expect_text(r: &mut Reporter<'_>, field: &str, value: &S<String>) -> String {
    let v = value.get_ref().trim();
    if v.chars().count() > MAX_TEXT_CHARS {
        r.report(
            value.span(),
            field,
            format!("is longer than {MAX_TEXT_CHARS} characters"),
            Some("shorten it; split long instructions into steps".into()),
        );
        return String::new();
    }
    if let Some(c) = v.chars().find(|c| crate::text::is_hidden_control(*c)) {
        r.report(
            value.span(),
            field,
            format!(
                "holds a control character or a text-direction mark (U+{:04X})",
                u32::from(c)
            ),
            Some("remove it: catalogue text is plain, one line per entry".into()),
        );
        return String::new();
    }
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

pub(super) fn expect_word<W: Word>(
    r: &mut Reporter<'_>,
    field: &str,
    value: &S<String>,
) -> Option<W> {
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

pub(super) fn expect_words<W: Word + PartialEq>(
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
            Some(format!("use one or more of {}", W::listed())),
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

pub(super) fn expect_range(
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

pub(super) fn expect_texts(
    r: &mut Reporter<'_>,
    field: &str,
    values: &S<Vec<S<String>>>,
) -> Vec<String> {
    if values.get_ref().len() > MAX_ITEMS {
        r.report(
            values.span(),
            field,
            format!(
                "has {} entries; at most {MAX_ITEMS}",
                values.get_ref().len()
            ),
            Some("keep the list short enough to follow".into()),
        );
        return Vec::new();
    }
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
pub(super) fn file_stem(path: &str) -> &str {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    name.strip_suffix(".toml").unwrap_or(name)
}

pub(super) fn parse_source_dose(
    r: &mut Reporter<'_>,
    field: &str,
    raw: &S<RawSourceDose>,
) -> SourceDose {
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

pub(super) fn parse_raw(r: &mut Reporter<'_>, raw: &RawExercise) -> Parsed {
    let id = parse_id(r, raw);
    let name = expect_text(r, "name", &raw.name);
    let (aliases, alias_spans) = parse_aliases(r, raw);
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
    let side_cue = raw.side_cue.as_ref().map(|c| parse_side_cue(r, c, sides));
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
    let demands = raw
        .demands
        .as_ref()
        .map(|d| expect_words::<Demand>(r, "demands", d, false))
        .unwrap_or_default();
    let raw_sources: &[S<RawSource>] = raw.sources.as_ref().map_or(&[], |s| s.get_ref());
    let raw_evidence: &[S<RawEvidence>] = raw.evidence.as_ref().map_or(&[], |s| s.get_ref());
    if raw_sources.is_empty() && raw_evidence.is_empty() {
        report_no_source(r, raw);
    }
    let evidence = parse_evidence(r, raw_evidence);
    let sources = parse_sources(r, raw_sources);
    let has_source_dose = sources.iter().any(|s| s.dose.is_some());
    if !has_source_dose && dose.note.is_none() {
        r.report(
            raw.dose.span(),
            "dose.note",
            "no source gives a dose, and the default dose says not why it was chosen",
            Some("add `note = \"...\"` to [dose] explaining the choice".into()),
        );
    }
    check_distinct_names(r, &id, &name, &aliases, &alias_spans);
    let pose = raw.pose.as_ref().map(|p| {
        let of = FigureOf {
            position,
            places: &places,
            areas: &areas,
            kind,
        };
        Box::new(parse_pose(r, "pose", p, &of))
    });
    let variants = raw
        .variants
        .as_ref()
        .map(|v| parse_variants(r, v, position, &places, (&areas, kind)))
        .unwrap_or_default();
    let progresses_to = raw.progresses_to.as_ref().map(|p| parse_next(r, p, &id));
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
            side_cue,
            gentleness: u8::try_from(gentleness).unwrap_or(1),
            purpose,
            dose,
            steps,
            cautions,
            demands,
            sources,
            evidence,
            pose,
            variants,
            variant: None,
            progresses_to,
        },
        spans: NameSpans {
            id: raw.id.span(),
            name: raw.name.span(),
            aliases: alias_spans,
        },
    }
}

/// The id of the next exercise in the family: a valid id, not the exercise's own. Whether it
/// is in the catalogue is checked once every file is loaded.
fn parse_next(r: &mut Reporter<'_>, next: &S<String>, own: &str) -> String {
    let id = next.get_ref();
    if !is_valid_id(id) {
        r.report(
            next.span(),
            "progresses_to",
            format!("`{id}` is not an exercise id"),
            Some("give the id of another exercise, like `double-knee-to-chest`".into()),
        );
    } else if id == own {
        r.report(
            next.span(),
            "progresses_to",
            "an exercise cannot progress to itself",
            Some("give the id of the next, harder exercise in its family".into()),
        );
    }
    id.clone()
}

/// A side cue: with `{side}` (the stretched side) and perhaps `{other}`, no other braces,
/// and only for an exercise done a side at a time.
fn parse_side_cue(r: &mut Reporter<'_>, cue: &S<String>, sides: Option<Sides>) -> String {
    let text = expect_text(r, "side_cue", cue);
    let rest = text.replace("{side}", "").replace("{other}", "");
    if sides == Some(Sides::Both) {
        r.report(
            cue.span(),
            "side_cue",
            "is for an exercise done a side at a time, and this one has sides = \"both\"",
            Some("remove side_cue, or set sides to \"each\" or \"alternate\"".into()),
        );
    } else if !text.contains("{side}") {
        r.report(
            cue.span(),
            "side_cue",
            "does not say which side: it has no `{side}`",
            Some(
                "write it with {side} for the stretched side, like \"stretching your {side} hip\""
                    .into(),
            ),
        );
    } else if rest.contains('{') || rest.contains('}') {
        r.report(
            cue.span(),
            "side_cue",
            "has a placeholder other than {side} and {other}",
            Some("use {side} for the stretched side and {other} for the other one".into()),
        );
    }
    text
}

/// What a figure is checked against: its form's position and places, and the exercise's
/// areas and kind.
struct FigureOf<'a> {
    position: Option<Position>,
    places: &'a [Place],
    areas: &'a [Area],
    kind: Option<Kind>,
}

/// A figure checked against the position it shows, on both sides, on a bed as well when it
/// can be done in one, and its highlighted regions against the exercise's areas; problems
/// are reported at `field`.
fn parse_pose(
    r: &mut Reporter<'_>,
    field: &str,
    p: &S<RawPose>,
    of: &FigureOf<'_>,
) -> crate::pose::PoseSpec {
    let rp = p.get_ref();
    let spec = crate::pose::PoseSpec {
        view: rp.view,
        support: rp.support,
        wall: rp.wall,
        door: rp.door,
        edge: rp.edge,
        planted: rp.planted.clone(),
        stretch: rp.stretch.clone(),
        inset: rp.inset,
        pillow: rp.pillow,
        arrow: rp.arrow,
        keyframes: rp.keyframes.iter().map(|k| k.get_ref().clone()).collect(),
    };
    let mut problems = crate::pose::check_regions(&spec, of.areas, of.kind == Some(Kind::Stretch));
    if let Some(pos) = of.position {
        problems.extend(crate::pose::check(&spec, pos));
        // The other side, once the shown side is right (its problems would repeat them).
        if problems.is_empty() {
            problems.extend(right_side(crate::pose::check(&spec.mirrored(), pos)));
        }
        let bed = of.places.contains(&Place::Bed) && pos.possible_in(Place::Bed);
        if problems.is_empty() && bed && spec.support == crate::pose::Support::Floor {
            problems.extend(
                crate::pose::check(&spec.on_bed(), pos)
                    .into_iter()
                    .map(|mut p| {
                        p.message = format!("{} (drawn on a bed)", p.message);
                        p
                    }),
            );
        }
    }
    for problem in problems {
        let span = rp
            .keyframes
            .iter()
            .find(|k| k.get_ref().name == problem.keyframe)
            .map_or_else(|| p.span(), Spanned::span);
        let at = if problem.keyframe.is_empty() {
            format!("{field}.{}", problem.joint)
        } else {
            format!("{field}.keyframes `{}`.{}", problem.keyframe, problem.joint)
        };
        r.report(
            span,
            at,
            problem.message.clone(),
            Some("adjust the angles; the pose format is in catalog/README.md".into()),
        );
    }
    spec
}

/// Problems of the mirrored figure, named as the right side's.
fn right_side(problems: Vec<crate::pose::PoseProblem>) -> Vec<crate::pose::PoseProblem> {
    problems
        .into_iter()
        .map(|mut p| {
            p.message = format!("{} (on the right side)", p.message);
            p
        })
        .collect()
}

/// The `[[variants]]`: each named once, in a position one of its places gives, adding a
/// place the exercise's own form does not already serve in the same position.
fn parse_variants(
    r: &mut Reporter<'_>,
    list: &S<Vec<S<RawVariant>>>,
    main_position: Option<Position>,
    main_places: &[Place],
    (areas, kind): (&[Area], Option<Kind>),
) -> Vec<Variant> {
    if list.get_ref().len() > MAX_ITEMS {
        r.report(
            list.span(),
            "variants",
            format!("has {} entries; at most {MAX_ITEMS}", list.get_ref().len()),
            Some("keep one variant for each way the place changes the exercise".into()),
        );
        return Vec::new();
    }
    let mut out: Vec<Variant> = Vec::new();
    for (i, v) in list.get_ref().iter().enumerate() {
        let field = format!("variants[{i}]");
        let raw = v.get_ref();
        let name = expect_text(r, &format!("{field}.name"), &raw.name);
        if out.iter().any(|o| o.name == name) {
            r.report(
                raw.name.span(),
                format!("{field}.name"),
                format!("`{name}` names another variant too"),
                Some("give each variant its own name, like `seated` or `standing`".into()),
            );
        }
        let position = expect_word::<Position>(r, &format!("{field}.position"), &raw.position);
        let places = expect_words::<Place>(r, &format!("{field}.places"), &raw.places, true);
        if let Some(pos) = position {
            if !places.iter().any(|p| pos.possible_in(*p)) {
                r.report(
                    raw.places.span(),
                    format!("{field}.places"),
                    format!("none of these places lets you be {}", pos.as_str()),
                    Some(format!(
                        "list a place where one can be {}, or change the position",
                        pos.as_str()
                    )),
                );
            }
            if main_position == Some(pos) && places.iter().all(|p| main_places.contains(p)) {
                r.report(
                    raw.position.span(),
                    format!("{field}.position"),
                    "is the exercise's own position in its own places, so this variant is never chosen",
                    Some("describe another position or place, or fold the steps into the exercise's own".into()),
                );
            }
        }
        let equipment = raw
            .equipment
            .as_ref()
            .map(|e| expect_words::<Equipment>(r, &format!("{field}.equipment"), e, false))
            .unwrap_or_default();
        let steps = expect_texts(r, &format!("{field}.steps"), &raw.steps);
        let cautions = expect_texts(r, &format!("{field}.cautions"), &raw.cautions);
        let pose = raw.pose.as_ref().map(|p| {
            let of = FigureOf {
                position,
                places: &places,
                areas,
                kind,
            };
            Box::new(parse_pose(r, &format!("{field}.pose"), p, &of))
        });
        out.push(Variant {
            name,
            position: position.unwrap_or(Position::Standing),
            places,
            equipment,
            steps,
            cautions,
            pose,
        });
    }
    out
}

/// Parses one file. The parsed exercise is there whenever the syntax was sound, so that
/// cross-file checks (repeated ids) still see files with other problems.
pub(super) fn parse_file(file: &str, text: &str) -> (Option<Parsed>, Vec<Diagnostic>) {
    if text.len() > MAX_FILE_BYTES {
        return (
            None,
            vec![make_diag(
                file,
                text,
                0..0,
                None,
                format!(
                    "the file is {} KiB; an exercise file is at most {} KiB",
                    text.len() >> 10,
                    MAX_FILE_BYTES >> 10
                ),
                Some("keep one exercise per file, in a few short lines".into()),
            )],
        );
    }
    let raw: RawExercise = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => return (None, vec![syntax_diag(file, text, &e)]),
    };
    let mut r = Reporter::new(file, text);
    let parsed = parse_raw(&mut r, &raw);
    (Some(parsed), r.out)
}

/// The id an exercise file's text declares (its top-level `id`), if it reads as TOML and has
/// one: the name its file must have (`{id}.toml`) before it is validated.
pub fn declared_id(text: &str) -> Option<String> {
    let table: toml::Table = toml::from_str(text).ok()?;
    table.get("id")?.as_str().map(|s| s.trim().to_string())
}

/// Parses and validates one exercise file on its own (no cross-file checks).
pub fn parse_exercise(file: &str, text: &str) -> Result<Exercise, Vec<Diagnostic>> {
    match parse_file(file, text) {
        (Some(p), d) if d.is_empty() => Ok(p.exercise),
        (_, d) => Err(d),
    }
}

/// The entry's id, reported when it is not a valid id or not the file's name.
fn parse_id(r: &mut Reporter<'_>, raw: &RawExercise) -> String {
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
    id
}

/// The aliases, each with where it stands (none when there are too many).
fn parse_aliases(r: &mut Reporter<'_>, raw: &RawExercise) -> (Vec<String>, Vec<Range<usize>>) {
    let mut aliases = Vec::new();
    let mut alias_spans = Vec::new();
    if let Some(list) = raw.aliases.as_ref().filter(|l| {
        let too_many = l.get_ref().len() > MAX_ITEMS;
        if too_many {
            r.report(
                l.span(),
                "aliases",
                format!("has {} entries; at most {MAX_ITEMS}", l.get_ref().len()),
                Some("keep the names people really use".into()),
            );
        }
        !too_many
    }) {
        for (i, a) in list.get_ref().iter().enumerate() {
            let text = expect_text(r, &format!("aliases[{i}]"), a);
            aliases.push(text);
            alias_spans.push(a.span());
        }
    }
    (aliases, alias_spans)
}

/// Reports an entry with neither a source page nor evidence.
fn report_no_source(r: &mut Reporter<'_>, raw: &RawExercise) {
    let span = raw
        .sources
        .as_ref()
        .map(S::span)
        .or_else(|| raw.evidence.as_ref().map(S::span))
        .unwrap_or_else(|| raw.id.span());
    r.report(
        span,
        "sources",
        "names no source page and no evidence",
        Some(
            "add a [[sources]] table with the page that describes the exercise, or an [[evidence]] table with the study or guideline (cite, year)"
                .into(),
        ),
    );
}

/// The [[evidence]] tables.
fn parse_evidence(r: &mut Reporter<'_>, raw_evidence: &[S<RawEvidence>]) -> Vec<Evidence> {
    let mut evidence: Vec<Evidence> = Vec::new();
    for (i, e) in raw_evidence.iter().enumerate() {
        let field = format!("evidence[{i}]");
        let raw_e = e.get_ref();
        evidence.push(Evidence {
            cite: expect_text(r, &format!("{field}.cite"), &raw_e.cite),
            year: u16::try_from(expect_range(
                r,
                &format!("{field}.year"),
                &raw_e.year,
                1900..2101,
                "",
            ))
            .unwrap_or(1900),
            note: raw_e
                .note
                .as_ref()
                .map(|n| expect_text(r, &format!("{field}.note"), n)),
        });
    }
    evidence
}

/// The [[sources]] tables, each page reported when unknown or listed twice.
fn parse_sources(r: &mut Reporter<'_>, raw_sources: &[S<RawSource>]) -> Vec<SourceRef> {
    let mut sources: Vec<SourceRef> = Vec::new();
    for (i, s) in raw_sources.iter().enumerate() {
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
    sources
}

/// Reports an alias that repeats the id, the name or another alias (names match ignoring
/// case and punctuation).
fn check_distinct_names(
    r: &mut Reporter<'_>,
    id: &str,
    name: &str,
    aliases: &[String],
    alias_spans: &[Range<usize>],
) {
    // Names within one entry must be distinct.
    let mut seen: std::collections::HashSet<String> =
        [normalize_name(id), normalize_name(name)].into();
    for (i, a) in aliases.iter().enumerate() {
        let n = normalize_name(a);
        if !seen.insert(n) {
            r.report(
                alias_spans[i].clone(),
                format!("aliases[{i}]"),
                format!("`{a}` repeats the id, the name or another alias"),
                Some("remove it: names match ignoring case and punctuation".into()),
            );
        }
    }
}
