//! `backstretch catalog list | show | check`.

use std::process::ExitCode;

use backstretch_app::catalog::read_toml_dir;
use backstretch_core::catalog::{self, Catalog, Entry, SourceFile};
use backstretch_render::catalog::{diagnostics_text, entry_json, list_table, show_text};
use serde::Serialize;

use crate::args::{CatalogCommand, CheckArgs, Format, ListArgs, ShowArgs};
use crate::context::Context;
use crate::lookup::find_entry;
use crate::output::{json, print, stderr_color, width};

pub fn run(ctx: &Context, cmd: CatalogCommand) -> miette::Result<ExitCode> {
    match cmd {
        CatalogCommand::List(a) => list(ctx, &a),
        CatalogCommand::Show(a) => show(ctx, &a),
        CatalogCommand::Check(a) => check(ctx, &a),
    }
}

fn list(ctx: &Context, a: &ListArgs) -> miette::Result<ExitCode> {
    let format = ctx.format(&[Format::Table, Format::Json])?;
    let catalog = ctx.catalog()?;
    let entries: Vec<&Entry> = catalog
        .entries()
        .filter(|e| {
            let x = &e.exercise;
            (a.area.is_empty() || x.areas.iter().any(|v| a.area.contains(v)))
                && (a.place.is_empty() || x.places.iter().any(|v| a.place.contains(v)))
                && (a.position.is_empty() || a.position.contains(&x.position))
                && (a.kind.is_empty() || a.kind.contains(&x.kind))
        })
        .collect();
    match format {
        Format::Json => {
            let v: Vec<_> = entries.iter().map(|e| entry_json(e, false)).collect();
            print(&json(&v)?)?;
        }
        _ => print(&list_table(&entries, width()))?,
    }
    Ok(ExitCode::SUCCESS)
}

fn show(ctx: &Context, a: &ShowArgs) -> miette::Result<ExitCode> {
    let format = ctx.format(&[Format::Table, Format::Json])?;
    let catalog = ctx.catalog()?;
    let query = a.name.join(" ");
    let entry = find_entry(&catalog, &query)?;
    match format {
        Format::Json => print(&json(&entry_json(entry, true))?)?,
        _ => print(&show_text(entry, width()))?,
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct DiagnosticJson<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    field: Option<&'a str>,
    message: &'a str,
    hint: Option<&'a str>,
}

fn check(ctx: &Context, a: &CheckArgs) -> miette::Result<ExitCode> {
    let format = ctx.format(&[Format::Table, Format::Json])?;
    let builtin = catalog::builtin_files();
    let ((user, unreadable), what) = match &a.dir {
        Some(d) => (read_toml_dir(d)?, format!("{}", d.display())),
        None => (
            (Vec::new(), Vec::new()),
            "the built-in catalogue".to_string(),
        ),
    };
    let sources: Vec<SourceFile<'_>> = user.iter().map(|f| f.source()).collect();
    let mut loaded = Catalog::load(&builtin, &sources);
    let unread = unreadable.len();
    loaded.invalid_files += unread;
    loaded.diagnostics.splice(0..0, unreadable);
    let files = if a.dir.is_some() {
        user.len() + unread
    } else {
        builtin.len()
    };
    if format == Format::Json {
        let v: Vec<DiagnosticJson<'_>> = loaded
            .diagnostics
            .iter()
            .map(|d| DiagnosticJson {
                file: &d.file,
                line: d.line,
                column: d.column,
                field: d.field.as_deref(),
                message: &d.message,
                hint: d.hint.as_deref(),
            })
            .collect();
        print(&json(&v)?)?;
    } else if !loaded.diagnostics.is_empty() {
        eprint!(
            "{}",
            crate::output::sanitize(&diagnostics_text(&loaded.diagnostics, stderr_color()))
        );
    }
    let problems = loaded.diagnostics.len();
    let summary = if files == 0 {
        format!("No exercise files (*.toml) in {what}; nothing to check.")
    } else if problems == 0 {
        format!(
            "Checked {files} file{} in {what}: all valid.",
            if files == 1 { "" } else { "s" }
        )
    } else {
        format!(
            "Checked {files} file{} in {what}: {} invalid, {problems} problem{}.",
            if files == 1 { "" } else { "s" },
            loaded.invalid_files,
            if problems == 1 { "" } else { "s" },
        )
    };
    eprintln!("{summary}");
    Ok(if problems == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
