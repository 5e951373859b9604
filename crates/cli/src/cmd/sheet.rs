//! `backstretch sheet`: the routine on paper, as a PDF or a print-ready HTML page, with a
//! code that logs it.

use backstretch_core::text::plural;
use std::process::ExitCode;

use backstretch_render::sheet::{Paper, Sheet, html};
use miette::miette;

use crate::args::{PaperArg, SheetArgs};
use crate::context::Context;
use crate::output::{print, write_file};

/// What to write, from the file's extension.
enum Kind {
    Pdf,
    Html,
}

pub fn run(ctx: &Context, a: &SheetArgs) -> miette::Result<ExitCode> {
    let ext = a
        .out
        .extension()
        .and_then(|x| x.to_str())
        .map(str::to_ascii_lowercase);
    let kind = match ext.as_deref() {
        Some("pdf") => Kind::Pdf,
        Some("html" | "htm") => Kind::Html,
        _ => {
            return Err(miette!(
                help = "end the file name with .pdf, or .html for a page to print from a browser",
                "cannot tell the format of {}",
                a.out.display()
            ));
        }
    };
    let paper = match a.paper {
        PaperArg::A4 => Paper::A4,
        PaperArg::Letter => Paper::Letter,
    };
    let catalog = ctx.catalog()?;
    let store = ctx.store()?;
    let app = ctx.app(&store);
    // A prescription may carry its practice's own exercises.
    let catalog = app.with_practice(&catalog)?;
    let overrides = a.flags.overrides();
    crate::gates::pass(ctx, &app, &catalog, &app.areas(&overrides)?)?;
    let (plan, code) = app.sheet(&catalog, &overrides)?;
    let goal = app.profile()?.unwrap_or_default().goal;
    let sheet = Sheet::new(&plan, code, a.weeks, goal);
    let bytes = match kind {
        Kind::Html => html(&sheet, paper).into_bytes(),
        Kind::Pdf => pdf(&sheet, paper)?,
    };
    write_file(&a.out, &bytes)?;
    print(&format!(
        "Wrote {} ({}, {} of ticks). Its code is {code}; after a session from it:\n  backstretch log --sheet {code} --pain-before N --pain-after N\n",
        a.out.display(),
        plural(
            u32::try_from(plan.items.len()).unwrap_or(u32::MAX),
            "exercise",
            "exercises"
        ),
        plural(a.weeks, "week", "weeks")
    ))?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(feature = "pdf")]
fn pdf(sheet: &Sheet, paper: Paper) -> miette::Result<Vec<u8>> {
    backstretch_pdf::pdf(sheet, paper).map_err(|e| miette!("{e}"))
}

#[cfg(not(feature = "pdf"))]
fn pdf(_: &Sheet, _: Paper) -> miette::Result<Vec<u8>> {
    Err(miette!(
        help = "write FILE.html and print it from a browser, or build backstretch with its default `pdf` feature",
        "this backstretch was built without PDF support"
    ))
}
