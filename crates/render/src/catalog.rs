//! Views of the catalogue: the list table, the full entry as text, stable JSON, diagnostics.

use backstretch_core::catalog::{Diagnostic, Entry, Origin};
use backstretch_core::exercise::{Evidence, Exercise, SourceDose};
use backstretch_core::sources::source_doc;
use backstretch_core::vocab::{Sides, Word};
use serde::Serialize;

use crate::table::{Table, capitalised, hanging};

/// Comma-separated words.
pub fn word_list<W: Word>(words: &[W]) -> String {
    words
        .iter()
        .map(|w| w.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The compact default dose: `10 s x 5`, with `each side` on a second line where it applies.
pub fn compact_dose(e: &Exercise) -> String {
    let side = match e.sides {
        Sides::Both => "",
        Sides::Each => "\neach side",
        Sides::Alternate => "\nalternate",
    };
    format!("{} s x {}{side}", e.dose.hold_s, e.dose.reps)
}

/// The `catalog list` table. The first column holds the id with the name below it.
pub fn list_table(entries: &[&Entry], width: usize) -> String {
    // FROM: the source pages, evidence beyond them, or your folder.
    let headers = vec!["EXERCISE", "POSITION", "PLACES", "AREAS", "DOSE", "FROM"];
    let mut t = Table::new(headers).no_wrap(1).no_wrap(4);
    for e in entries {
        let x = &e.exercise;
        let row = vec![
            format!("{}\n  {}", x.id, x.name),
            x.position.to_string(),
            word_list(&x.all_places()),
            word_list(&x.areas),
            compact_dose(x),
            match e.origin {
                Origin::Builtin => from_label(x),
                Origin::User | Origin::Practice => origin_label(e),
            }
            .to_string(),
        ];
        t.row(row);
    }
    let mut out = t.render(width);
    let builtin = entries
        .iter()
        .filter(|e| e.origin == Origin::Builtin)
        .count();
    let user = entries.len() - builtin;
    out.push('\n');
    let footer = match (entries.len(), user) {
        (0, _) => "No exercise matches these filters.\n".to_string(),
        (n, 0) => format!(
            "{n} exercise{}. `backstretch catalog show ID` shows one in full.\n",
            plural(n)
        ),
        (n, u) => format!(
            "{n} exercise{} ({builtin} built in, {u} from your folder). `backstretch catalog show ID` shows one in full.\n",
            plural(n)
        ),
    };
    out.push_str(&hanging("", "", footer.trim_end(), width));
    if entries.iter().any(|e| e.replaces_builtin) {
        out.push_str(&hanging(
            "",
            "",
            "* yours replaces the built-in exercise with the same id.",
            width,
        ));
    }
    out
}

/// Where an exercise comes from, in a word: the source pages, or evidence beyond them.
pub fn from_label(x: &Exercise) -> &'static str {
    if x.from_pages() { "pages" } else { "evidence" }
}

fn origin_label(e: &Entry) -> &'static str {
    match (e.origin, e.replaces_builtin) {
        (Origin::Builtin, _) => "built-in",
        (Origin::User, false) => "yours",
        (Origin::User, true) => "yours*",
        (Origin::Practice, _) => "practice",
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn gentleness_word(g: u8) -> &'static str {
    match g {
        1 => "gentle",
        2 => "moderate",
        _ => "demanding",
    }
}

/// The whole entry as text, wrapped to `width`.
pub fn show_text(e: &Entry, width: usize) -> String {
    let x = &e.exercise;
    let width = width.max(40);
    let mut out = format!("{} ({})\n", x.name, x.id);
    if !x.aliases.is_empty() {
        out.push_str(&hanging(
            "Also called: ",
            "  ",
            &x.aliases.join(", "),
            width,
        ));
    }
    out.push('\n');
    facts_text(&mut out, e, width);
    how_text(&mut out, x, width);
    variants_text(&mut out, x, width);
    sources_text(&mut out, x, width);
    out
}

/// The entry's facts, one a line: kind, position, places, equipment, areas, dose, the
/// player's side words, where it comes from and how to draw its figure.
fn facts_text(out: &mut String, e: &Entry, width: usize) {
    let x = &e.exercise;
    let dose = format!(
        "hold {} s, {} repetition{}, {} s rest between{}",
        x.dose.hold_s,
        x.dose.reps,
        plural(x.dose.reps as usize),
        x.dose.rest_s,
        match x.sides {
            Sides::Both => "",
            Sides::Each => "; each side in turn",
            Sides::Alternate => "; the sides take turns, left, right, left",
        }
    );
    let equipment = if x.equipment.is_empty() {
        "none".to_string()
    } else {
        word_list(&x.equipment)
    };
    let facts = [
        (
            "Kind",
            format!(
                "{}, {} ({} of 3)",
                x.kind,
                gentleness_word(x.gentleness),
                x.gentleness
            ),
        ),
        (
            "Position",
            format!("{} ({})", x.position, x.position.get_into()),
        ),
        ("Places", word_list(&x.places)),
        ("Equipment", equipment),
        ("Areas", word_list(&x.areas)),
        ("Dose", dose),
    ];
    let pad = "           ";
    for (k, v) in facts {
        out.push_str(&hanging(&format!("{k:<10} "), pad, &v, width));
    }
    if let Some(note) = &x.dose.note {
        out.push_str(&hanging(pad, pad, &format!("Why: {note}"), width));
    }
    if x.side_cue.is_some() {
        let side = x.side_text(backstretch_core::timeline::Side::Left);
        out.push_str(&hanging(
            &format!("{:<10} ", "Sides"),
            pad,
            &format!("the player says: \"{side}\" (and the same for the right)"),
            width,
        ));
    }
    if e.origin != Origin::Builtin {
        let label = match (e.origin, e.replaces_builtin) {
            (Origin::Practice, _) => "your clinician's practice",
            (_, true) => "yours, replacing the built-in one",
            _ => "yours",
        };
        let v = format!("{label} ({})", e.file);
        out.push_str(&hanging(&format!("{:<10} ", "Origin"), pad, &v, width));
    }
    if x.pose.is_some() {
        out.push_str(&hanging(
            &format!("{:<10} ", "Figure"),
            "           ",
            &format!(
                "backstretch figure {} --out {}.svg (add --animate to see it move)",
                x.id, x.id
            ),
            width,
        ));
    }
}

/// What the exercise is for, its steps and its cautions.
fn how_text(out: &mut String, x: &Exercise, width: usize) {
    out.push_str("\nWhat it is for\n");
    out.push_str(&hanging("  ", "  ", &x.purpose, width));
    out.push_str("\nSteps\n");
    for (i, s) in x.steps.iter().enumerate() {
        out.push_str(&hanging(&format!("{:>3}. ", i + 1), "     ", s, width));
    }
    out.push_str("\nCautions\n");
    for c in &x.cautions {
        out.push_str(&hanging("  - ", "    ", c, width));
    }
    out.push_str(&hanging(
        "  - ",
        "    ",
        &format!(
            "For every exercise: {}",
            backstretch_core::safety::STOP_RULE
        ),
        width,
    ));
}

/// Each variant: its position, steps, cautions and how to draw its figure.
fn variants_text(out: &mut String, x: &Exercise, width: usize) {
    for v in &x.variants {
        out.push_str(&format!(
            "\nVariant: {} ({}; {})\n",
            v.name,
            v.position,
            word_list(&v.places)
        ));
        out.push_str(&hanging(
            "  ",
            "  ",
            &capitalised(v.position.get_into()),
            width,
        ));
        for (i, s) in v.steps.iter().enumerate() {
            out.push_str(&hanging(&format!("{:>3}. ", i + 1), "     ", s, width));
        }
        for c in &v.cautions {
            out.push_str(&hanging("  - ", "    ", c, width));
        }
        if v.pose.is_some() {
            out.push_str(&hanging(
                "  Figure: ",
                "          ",
                &format!(
                    "backstretch figure {} --variant {} --out {}.svg",
                    x.id,
                    shell_word(&v.name),
                    x.id
                ),
                width,
            ));
        }
    }
}

/// The source pages, each with its dose, and the evidence beyond them.
fn sources_text(out: &mut String, x: &Exercise, width: usize) {
    if !x.sources.is_empty() {
        out.push_str("\nSources\n");
    }
    for s in &x.sources {
        let title = source_doc(&s.doc)
            .map_or_else(|| s.doc.clone(), backstretch_core::sources::SourceDoc::cite);
        out.push_str(&hanging("  - ", "    ", &title, width));
        let dose = s
            .dose
            .as_ref()
            .map_or_else(|| "no dose given".to_string(), SourceDose::to_string);
        out.push_str(&hanging("    Dose: ", "    ", &dose, width));
        if let Some(n) = &s.note {
            out.push_str(&hanging("    ", "    ", n, width));
        }
    }
    if !x.evidence.is_empty() {
        out.push_str(if x.from_pages() {
            "\nEvidence beyond the pages\n"
        } else {
            "\nEvidence (added beyond the five pages)\n"
        });
    }
    for ev in &x.evidence {
        out.push_str(&hanging("  - ", "    ", &ev.cite_year(), width));
        if let Some(n) = &ev.note {
            out.push_str(&hanging("    ", "    ", n, width));
        }
    }
}

/// A source in JSON: the dose is `null` where the page gives none.
#[derive(Debug, Serialize)]
pub struct SourceJson<'a> {
    /// Seed file name.
    pub doc: &'a str,
    /// The page's title.
    pub title: Option<&'static str>,
    /// Who wrote it, as the page gives it (`Doctor Jo, physical therapist`).
    pub author: Option<String>,
    /// The page's dose, exactly as given.
    pub dose: Option<SourceDoseJson>,
    /// Our note.
    pub note: Option<&'a str>,
}

/// A source dose in JSON: every field present, `null` where the page is silent.
#[derive(Debug, Serialize)]
pub struct SourceDoseJson {
    /// Exact hold.
    pub hold_s: Option<u32>,
    /// Minimum hold.
    pub min_hold_s: Option<u32>,
    /// Repetitions (lower bound of a range).
    pub reps: Option<u32>,
    /// Upper bound of a range of repetitions.
    pub reps_max: Option<u32>,
    /// `each` when the page says to do each side.
    pub sides: Option<&'static str>,
}

/// The default dose in JSON.
#[derive(Debug, Serialize)]
pub struct DoseJson<'a> {
    /// Seconds per hold.
    pub hold_s: u32,
    /// Repetitions per side.
    pub reps: u32,
    /// Rest between repetitions.
    pub rest_s: u32,
    /// Why this dose, when no source gives it.
    pub note: Option<&'a str>,
}

/// One catalogue entry in JSON (the stable shape documented in the README).
#[derive(Debug, Serialize)]
pub struct EntryJson<'a> {
    /// Stable id.
    pub id: &'a str,
    /// Display name.
    pub name: &'a str,
    /// Other names.
    pub aliases: &'a [String],
    /// stretch | mobility | activation.
    pub kind: &'static str,
    /// Body position.
    pub position: &'static str,
    /// Places it can be done.
    pub places: Vec<&'static str>,
    pub equipment: Vec<&'static str>,
    /// Areas served.
    pub areas: Vec<&'static str>,
    /// both | each.
    pub sides: &'static str,
    /// 1 gentle .. 3 demanding.
    pub gentleness: u8,
    /// Default dose.
    pub dose: DoseJson<'a>,
    /// `pages` (one of the five source pages describes it) or `evidence` (added beyond them).
    pub from: &'static str,
    /// The pages that describe it.
    pub sources: Vec<SourceJson<'a>>,
    /// Published evidence beyond the pages.
    pub evidence: &'a [Evidence],
    /// builtin | user.
    pub origin: Origin,
    /// A user entry that replaces a built-in one.
    pub replaces_builtin: bool,
    /// What it is for (`catalog show` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purpose: Option<&'a str>,
    /// Steps (`catalog show` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<&'a [String]>,
    /// Cautions (`catalog show` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cautions: Option<&'a [String]>,
    /// The other forms for other places.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<VariantJson<'a>>,
}

fn words<W: Word>(w: &[W]) -> Vec<&'static str> {
    w.iter().map(|x| x.as_str()).collect()
}

/// The JSON view of an entry; `full` adds purpose, steps and cautions.
pub fn entry_json(e: &Entry, full: bool) -> EntryJson<'_> {
    let x = &e.exercise;
    EntryJson {
        id: &x.id,
        name: &x.name,
        aliases: &x.aliases,
        kind: x.kind.as_str(),
        position: x.position.as_str(),
        places: words(&x.places),
        equipment: words(&x.equipment),
        areas: words(&x.areas),
        sides: x.sides.as_str(),
        gentleness: x.gentleness,
        dose: DoseJson {
            hold_s: x.dose.hold_s,
            reps: x.dose.reps,
            rest_s: x.dose.rest_s,
            note: x.dose.note.as_deref(),
        },
        from: from_label(x),
        evidence: &x.evidence,
        sources: x
            .sources
            .iter()
            .map(|s| SourceJson {
                doc: &s.doc,
                title: source_doc(&s.doc).map(|d| d.title),
                author: source_doc(&s.doc).map(backstretch_core::sources::SourceDoc::author_text),
                dose: s.dose.as_ref().map(|d| SourceDoseJson {
                    hold_s: d.hold_s,
                    min_hold_s: d.min_hold_s,
                    reps: d.reps,
                    reps_max: d.reps_max,
                    sides: d.sides.map(Word::as_str),
                }),
                note: s.note.as_deref(),
            })
            .collect(),
        origin: e.origin,
        replaces_builtin: e.replaces_builtin,
        purpose: full.then_some(x.purpose.as_str()),
        steps: full.then_some(x.steps.as_slice()),
        cautions: full.then_some(x.cautions.as_slice()),
        variants: x
            .variants
            .iter()
            .map(|v| VariantJson {
                name: &v.name,
                position: v.position.as_str(),
                places: words(&v.places),
                equipment: words(&v.equipment),
                steps: full.then_some(v.steps.as_slice()),
                cautions: full.then_some(v.cautions.as_slice()),
            })
            .collect(),
    }
}

/// A variant in JSON; `full` adds its steps and cautions.
#[derive(Debug, Serialize)]
pub struct VariantJson<'a> {
    /// Its name (`seated`).
    pub name: &'a str,
    pub position: &'static str,
    pub places: Vec<&'static str>,
    /// What it uses.
    pub equipment: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cautions: Option<&'a [String]>,
}

/// A word as a shell argument: quoted when it holds a space.
fn shell_word(w: &str) -> String {
    if w.contains(' ') {
        format!("'{w}'")
    } else {
        w.to_string()
    }
}

/// Diagnostics as text: a heading line each, the line of the file, a caret, and the hint.
pub fn diagnostics_text(diags: &[Diagnostic], color: bool) -> String {
    let (red, cyan, bold, reset) = if color {
        ("\x1b[31m", "\x1b[36m", "\x1b[1m", "\x1b[0m")
    } else {
        ("", "", "", "")
    };
    let mut out = String::new();
    for d in diags {
        out.push_str(&format!(
            "{red}{bold}error{reset}{bold}: {}:{}:{}{reset}",
            d.file, d.line, d.column
        ));
        if let Some(f) = &d.field {
            out.push_str(&format!(": {bold}{f}{reset}"));
        }
        out.push_str(&format!(": {}\n", d.message));
        let num = d.line.to_string();
        let pad = " ".repeat(num.len());
        out.push_str(&format!("{cyan}{pad} |{reset}\n"));
        out.push_str(&format!("{cyan}{num} |{reset} {}\n", d.line_text));
        let caret_len = d
            .line_text
            .chars()
            .skip(d.column - 1)
            .take_while(|c| *c != '\n')
            .count()
            .min(d.span.len().max(1))
            .max(1);
        out.push_str(&format!(
            "{cyan}{pad} |{reset} {}{red}{}{reset}\n",
            " ".repeat(d.column - 1),
            "^".repeat(caret_len)
        ));
        if let Some(h) = &d.hint {
            out.push_str(&format!("{cyan}{pad} = hint:{reset} {h}\n"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use backstretch_core::catalog::builtin;

    #[test]
    fn list_fits_eighty_columns() {
        let loaded = builtin();
        let entries: Vec<&Entry> = loaded.catalog.entries().collect();
        let out = list_table(&entries, 80);
        for l in out.lines() {
            assert!(l.chars().count() <= 80, "too wide: {l:?}");
        }
        insta::assert_snapshot!(out);
    }

    #[test]
    fn show_text_of_childs_pose() {
        let loaded = builtin();
        let e = loaded.catalog.find("childs pose").unwrap();
        insta::assert_snapshot!(show_text(e, 80));
    }

    #[test]
    fn diagnostic_points_at_the_column() {
        let d =
            backstretch_core::catalog::parse_exercise("x/test.toml", "id = \"test\"\nname = 3\n")
                .unwrap_err();
        let out = diagnostics_text(&d, false);
        assert!(
            out.starts_with("error: x/test.toml:2:8: name: invalid type"),
            "{out}"
        );
        assert!(out.contains("2 | name = 3\n  |        ^\n"), "{out}");
    }
}
