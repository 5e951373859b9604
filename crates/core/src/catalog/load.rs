//! Loading: files parsed in layers (built-in, then the user's), checked across files, and
//! gathered into a catalogue.

use std::collections::HashMap;

use crate::exercise::Exercise;
use crate::text::normalize_name;

use super::diagnostics::{Diagnostic, make_diag};
use super::schema::Parsed;
use super::validate::{file_stem, parse_file};

/// Where an entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// Shipped inside the binary.
    Builtin,
    /// From the user's own folder.
    User,
    /// A clinic practice's own exercise, carried by a clinician's prescription.
    Practice,
}

/// One exercise in a loaded catalogue.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Entry {
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

/// A loaded catalogue: built-in entries, overlaid by the user's, in id order.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// The entries, in id order.
    pub(super) entries: Vec<Entry>,
    /// Every normalized id, name and alias, built at the first lookup by name (a catalogue
    /// loaded only to plan never needs it).
    pub(super) by_name: std::sync::OnceLock<HashMap<String, usize>>,
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
pub(super) fn parse_layer<'a>(
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
        catalog.reindex();
        catalog.check_families(&mut diagnostics);
        Loaded {
            catalog,
            diagnostics,
            invalid_files: invalid.len(),
        }
    }

    /// Every `progresses_to` names an exercise of the catalogue, and no family loops back on
    /// itself; a link that does not is reported and left out (the exercise itself stays).
    fn check_families(&mut self, diagnostics: &mut Vec<Diagnostic>) {
        let ids: Vec<String> = self.entries.iter().map(|e| e.exercise.id.clone()).collect();
        for i in 0..self.entries.len() {
            let Some(next) = self.entries[i].exercise.progresses_to.clone() else {
                continue;
            };
            let mut seen = vec![ids[i].clone()];
            let mut at = Some(next.clone());
            let mut problem = None;
            while let Some(id) = at {
                if seen.contains(&id) {
                    problem = Some(format!("`progresses_to` loops back to `{id}`"));
                    break;
                }
                let Some(e) = self.get(&id) else {
                    problem = Some(format!(
                        "`progresses_to` names `{id}`, which is not in the catalogue"
                    ));
                    break;
                };
                at = e.exercise.progresses_to.clone();
                seen.push(id);
            }
            if let Some(message) = problem {
                let entry = &mut self.entries[i];
                entry.exercise.progresses_to = None;
                diagnostics.push(Diagnostic::whole_file(
                    &entry.file,
                    message,
                    "name the next, harder exercise of the family, or leave `progresses_to` out",
                ));
            }
        }
    }

    /// This catalogue with a practice's own exercises added (each file one exercise, checked
    /// by the same validation as any other). One whose id, name or alias is already taken
    /// is left out and reported: a practice adds exercises, it never replaces one.
    pub fn with_practice(&self, files: &[SourceFile<'_>]) -> Loaded {
        let mut catalog = self.clone();
        let mut diagnostics = Vec::new();
        let mut invalid = 0;
        for f in files {
            match super::validate::parse_exercise(f.path, f.text) {
                Ok(e) => {
                    let index = catalog.names_index();
                    if let Some(taken) = e.names().find(|n| index.contains_key(&normalize_name(n)))
                    {
                        invalid += 1;
                        diagnostics.push(Diagnostic::whole_file(
                            f.path,
                            format!("`{taken}` is already an exercise of the catalogue"),
                            "give the practice's exercise an id and names of its own",
                        ));
                        continue;
                    }
                    catalog.push(Entry {
                        exercise: e,
                        origin: Origin::Practice,
                        file: f.path.to_string(),
                        replaces_builtin: false,
                    });
                    catalog.reindex();
                }
                Err(mut d) => {
                    invalid += 1;
                    diagnostics.append(&mut d);
                }
            }
        }
        Loaded {
            catalog,
            diagnostics,
            invalid_files: invalid,
        }
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

    pub(super) fn push(&mut self, entry: Entry) {
        self.entries.push(entry);
    }

    /// Puts the entries in id order and forgets the name index.
    pub(super) fn reindex(&mut self) {
        self.entries
            .sort_by(|a, b| a.exercise.id.cmp(&b.exercise.id));
        self.by_name = std::sync::OnceLock::new();
    }

    /// The name index (the `by_name` field), built on first use.
    pub(super) fn names_index(&self) -> &HashMap<String, usize> {
        self.by_name.get_or_init(|| {
            let mut m = HashMap::new();
            for (i, e) in self.entries.iter().enumerate() {
                for n in e.exercise.names() {
                    m.entry(normalize_name(n)).or_insert(i);
                }
            }
            m
        })
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
