//! The catalogue: parsing exercise files from text, validating them, and looking exercises up.
//!
//! Files come in as `(path, text)` pairs; this module never touches the file system. Every
//! problem becomes a [`Diagnostic`] naming the file, line, column and field, with a hint on how
//! to fix it. Parsing collects every semantic problem in a file, not only the first; a syntax
//! error stops that one file.

mod diagnostics;
mod load;
mod lookup;
mod schema;
mod validate;

pub use diagnostics::Diagnostic;
pub use load::{
    Catalog, Entry, Loaded, Origin, ParsedFile, SourceFile, builtin, builtin_files, parse_files,
};
pub use lookup::NotFound;
pub use schema::{HOLD_S, MAX_FILE_BYTES, MAX_ITEMS, MAX_TEXT_CHARS, REPS, REST_S, to_toml};
pub use validate::{declared_id, is_valid_id, parse_exercise};

#[cfg(test)]
use crate::exercise::Exercise;

#[cfg(test)]
mod tests {
    use super::diagnostics::*;
    use super::*;
    use crate::exercise::Form;
    use crate::vocab::*;

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

    /// The exercises serving some areas are those serving any of them, in id order; none
    /// for no area.
    #[test]
    fn exercises_serving_areas_are_those_serving_any_of_them() {
        let c = builtin().catalog;
        let ids = |it: &mut dyn Iterator<Item = &Exercise>| -> Vec<String> {
            it.map(|e| e.id.clone()).collect()
        };
        for areas in [
            &[Area::Neck][..],
            &[Area::LowerBack, Area::Hamstrings],
            Area::ALL,
            &[],
        ] {
            let want = ids(&mut c
                .exercises()
                .filter(|e| e.areas.iter().any(|a| areas.contains(a))));
            assert_eq!(ids(&mut c.serving(areas)), want, "{areas:?}");
        }
        assert_eq!(c.serving(Area::ALL).count(), c.len());
        assert_eq!(c.serving(&[]).count(), 0);
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

    /// Regression: escape sequences in catalogue text reached the terminal raw.
    #[test]
    fn control_characters_in_text_are_refused() {
        for c in [
            "\\u001b]0;pwned\\u0007",
            "\\u0008",
            "\\r",
            "\\u0000",
            "\\u009b",
            // Text-direction overrides and isolates make a name read as something else.
            "\\u202e",
            "\\u202a",
            "\\u2066",
            "\\u2069",
        ] {
            let text = good().replace("Test stretch", &format!("Test{c}stretch"));
            let d = parse(&text).unwrap_err();
            assert!(
                d.iter().any(|d| d.message.contains("control character")),
                "{c}: {d:?}"
            );
        }
    }

    /// Regression: a file with 100,000 aliases took 15 s (the duplicate check was
    /// quadratic). Lists are bounded, and the check is linear.
    #[test]
    fn huge_lists_and_files_are_refused_with_a_location() {
        let aliases = |n: usize| {
            let many: Vec<String> = (0..n).map(|i| format!("\"alias {i}\"")).collect();
            good().replace(
                "aliases = [\"trial move\"]",
                &format!("aliases = [{}]", many.join(", ")),
            )
        };
        let d = parse(&aliases(100_000)).unwrap_err();
        assert!(d[0].message.contains("at most 64 KiB"), "{:?}", d.first());
        let d = parse(&aliases(40)).unwrap_err();
        assert!(
            d.iter()
                .any(|d| d.message.contains("at most 30") && d.field.as_deref() == Some("aliases")),
            "{d:?}"
        );
        assert!(parse(&aliases(30)).is_ok());
        let big = format!("{}\n# {}\n", good(), "x".repeat(MAX_FILE_BYTES));
        let d = parse(&big).unwrap_err();
        assert!(d[0].message.contains("at most 64 KiB"), "{d:?}");
        let long = good().replace("Loosens the lower back.", &"a".repeat(MAX_TEXT_CHARS + 1));
        let d = parse(&long).unwrap_err();
        assert!(
            d.iter().any(|d| d.message.contains("longer than 1000")),
            "{d:?}"
        );
    }

    #[test]
    fn variants_and_side_cues_are_read_and_checked() {
        let with = |extra: &str| format!("{}\n{extra}", good());
        let seated = r#"
[[variants]]
name = "seated"
position = "seated-chair"
places = ["chair"]
steps = ["Sit tall.", "Stretch."]
cautions = ["Stop if it hurts."]
"#;
        let e = parse(&with(seated)).unwrap();
        assert_eq!(e.variants.len(), 1);
        assert_eq!(e.form_for(&[Place::Chair]), Some(Form::Variant(0)));
        assert_eq!(e.form_for(&[Place::Floor, Place::Chair]), Some(Form::Main));
        let v = e.in_form(Form::Variant(0));
        assert_eq!(v.position, Position::SeatedChair);
        assert_eq!(v.steps, ["Sit tall.", "Stretch."]);
        assert_eq!(v.title(), "Test stretch (seated)");
        assert!(v.variants.is_empty());
        assert_eq!(e.in_variant(Some("seated")), v);
        assert_eq!(e.in_variant(Some("gone")), e.in_form(Form::Main));

        // A variant no place can give, one that repeats the exercise's own form, and two
        // with one name are each reported where they are.
        let bad = seated.replace("places = [\"chair\"]", "places = [\"standing\"]");
        let d = parse(&with(&bad)).unwrap_err();
        assert!(
            d.iter()
                .any(|d| d.field.as_deref() == Some("variants[0].places")
                    && d.message.contains("lets you be seated-chair")),
            "{d:?}"
        );
        let same = seated
            .replace("seated-chair", "supine")
            .replace("[\"chair\"]", "[\"bed\"]");
        let d = parse(&with(&same)).unwrap_err();
        assert!(
            d.iter()
                .any(|d| d.field.as_deref() == Some("variants[0].position")),
            "{d:?}"
        );
        let d = parse(&with(&format!("{seated}{seated}"))).unwrap_err();
        assert!(
            d.iter()
                .any(|d| d.message.contains("names another variant")),
            "{d:?}"
        );

        let cue = |c: &str| {
            good().replace(
                "sides = \"each\"",
                &format!("sides = \"each\"\nside_cue = \"{c}\""),
            )
        };
        let e = parse(&cue("stretching your {side} hip, not the {other}")).unwrap();
        assert_eq!(
            e.side_text(Side::Right),
            "stretching your right hip, not the left"
        );
        for (bad, says) in [
            ("stretching your hip", "no `{side}`"),
            ("stretching your {sdie} {side} hip", "other than {side}"),
        ] {
            let d = parse(&cue(bad)).unwrap_err();
            assert!(d.iter().any(|d| d.message.contains(says)), "{bad}: {d:?}");
        }
        let both =
            cue("stretching your {side} hip").replace("sides = \"each\"", "sides = \"both\"");
        let d = parse(&both).unwrap_err();
        assert!(
            d.iter().any(|d| d.field.as_deref() == Some("side_cue")),
            "{d:?}"
        );
    }

    /// Someone whose places have a bed and no floor sees the floor moves on a bed; with a
    /// floor, or for a move not done in bed, nothing changes.
    #[test]
    fn a_bed_without_a_floor_draws_lying_moves_on_the_bed() {
        use crate::pose::Support;
        let c = builtin().catalog;
        let tilt = c.get("pelvic-tilt").unwrap().exercise.clone();
        let support = |e: &Exercise| e.pose.as_ref().unwrap().support;
        assert_eq!(
            support(&tilt.clone().at_places(&[Place::Bed, Place::Chair])),
            Support::Bed
        );
        assert_eq!(
            support(&tilt.at_places(&[Place::Bed, Place::Floor])),
            Support::Floor
        );
        let standing = c
            .get("chin-tuck")
            .unwrap()
            .exercise
            .in_form(Form::Variant(0));
        assert_eq!(support(&standing.at_places(&[Place::Bed])), Support::Floor);
        // Every figure that can be done in bed passes its checks there, on both sides.
        for e in c.exercises() {
            for form in std::iter::once(Form::Main).chain((0..e.variants.len()).map(Form::Variant))
            {
                let x = e.in_form(form).at_places(&[Place::Bed]);
                let spec = x.pose.as_ref().unwrap();
                for s in [spec.as_ref().clone(), spec.mirrored()] {
                    let p = crate::pose::check(&s, x.position);
                    assert!(p.is_empty(), "{} ({:?}): {p:?}", x.title(), s.support);
                }
            }
        }
    }
}
