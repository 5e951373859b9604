//! `backstretch figure ID`: the exercise drawn from its pose data.

use std::process::ExitCode;

use backstretch_render::figure::{animated_svg, contact_sheet_svg, figure_json, keyframes_svg};
use miette::miette;

use crate::args::{FigureArgs, Format};
use crate::context::Context;
use crate::lookup::find_entry;
use crate::output::{json, png, print, write_file};

pub fn run(ctx: &Context, a: &FigureArgs) -> miette::Result<ExitCode> {
    let format = ctx.format(&[Format::Table, Format::Json])?;
    let catalog = ctx.catalog()?;
    if a.all {
        if format == Format::Json {
            return Err(miette!(
                help = "leave out --format json, or ask for one exercise",
                "the contact sheet is a picture, not JSON"
            ));
        }
        let all: Vec<_> = catalog.exercises().cloned().collect();
        return write_svg(a, &contact_sheet_svg(&all, !a.unlabelled), false);
    }
    let query = a.name.join(" ");
    let entry = find_entry(&catalog, &query)?;
    let whole = &entry.exercise;
    let Some(form) = whole.form_named(a.variant.as_deref()) else {
        let names: Vec<&str> = whole.variants.iter().map(|v| v.name.as_str()).collect();
        return Err(miette!(
            help = if names.is_empty() {
                format!("{} has no variants; leave out --variant", whole.id)
            } else {
                format!("use one of: {}", names.join(", "))
            },
            "{} has no variant called `{}`",
            whole.id,
            a.variant.as_deref().unwrap_or_default()
        ));
    };
    let e = &whole.in_form(form);
    let Some(spec) = &e.pose else {
        return Err(miette!(
            help = "add a [pose] table to its file (see catalog/README.md) to draw it",
            "{} has no pose data, so it cannot be drawn",
            e.id
        ));
    };
    if format == Format::Json {
        print(&json(&figure_json(e, spec))?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let svg = if a.animate {
        animated_svg(e, spec)
    } else {
        keyframes_svg(e, spec)
    };
    write_svg(a, &svg, a.animate)
}

/// Writes a drawing to standard output, or to the SVG or PNG file asked for.
fn write_svg(a: &FigureArgs, svg: &str, moving: bool) -> miette::Result<ExitCode> {
    match &a.out {
        None => print(svg)?,
        Some(path) => {
            let ext = path
                .extension()
                .and_then(|x| x.to_str())
                .map(str::to_ascii_lowercase);
            let bytes = match ext.as_deref() {
                Some("svg") => svg.as_bytes().to_vec(),
                Some("png") if moving => {
                    return Err(miette!(
                        help = "write the animation to a .svg file",
                        "a PNG cannot move"
                    ));
                }
                Some("png") => png(svg)?,
                _ => {
                    return Err(miette!(
                        help = "end the file name with .svg or .png",
                        "cannot tell the format of {}",
                        path.display()
                    ));
                }
            };
            write_file(path, &bytes)?;
            print(&format!("Wrote {}.\n", path.display()))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
