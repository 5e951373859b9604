//! `backstretch export csv | json | ics | fhir` and `backstretch import FILE`.

use std::process::ExitCode;

use backstretch_app::AppError;
use backstretch_render::export;
use miette::miette;

use crate::args::{ExportArgs, ExportKind, Format, ImportArgs};
use crate::context::Context;
use crate::files::write_private_with;
use crate::output::{json, print, write_file};

/// The whole log as JSON, written as it is read: memory stays bounded however long it is.
fn export_json(app: &backstretch_app::App<'_>, a: &ExportArgs) -> miette::Result<ExitCode> {
    let Some(path) = &a.out else {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        return match app
            .write_log_file(&mut out)
            .and_then(|()| std::io::Write::flush(&mut out).map_err(AppError::Write))
        {
            // The reader went away (`| head`): not a failure.
            Err(AppError::Write(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                Ok(ExitCode::SUCCESS)
            }
            other => other.map(|()| ExitCode::SUCCESS).map_err(Into::into),
        };
    };
    write_private_with(path, |w| Ok(app.write_log_file(w)?))?;
    eprintln!("Wrote {}.", path.display());
    Ok(ExitCode::SUCCESS)
}

fn write_out(a: &ExportArgs, text: &str) -> miette::Result<()> {
    match &a.out {
        Some(p) => {
            write_file(p, text.as_bytes())?;
            eprintln!("Wrote {}.", p.display());
            Ok(())
        }
        None => print(text),
    }
}

pub fn run(ctx: &Context, a: &ExportArgs) -> miette::Result<ExitCode> {
    ctx.format(&[Format::Table])?;
    if a.kind != ExportKind::Ics && (a.time.is_some() || a.days.is_some()) {
        return Err(miette!(
            help = "use them with `export ics`",
            "--time and --days are for the reminder calendar"
        ));
    }
    let store = ctx.store()?;
    let app = ctx.app(&store);
    let text = match a.kind {
        ExportKind::Json => return export_json(&app, a),
        ExportKind::Csv => {
            export::csv(&app.log_file()?).map_err(|e| miette!("cannot write CSV: {e}"))?
        }
        ExportKind::Ics => {
            let mut days = a.days.clone();
            if let Some(d) = &mut days {
                d.sort_by_key(chrono::Weekday::num_days_from_monday);
                d.dedup();
            }
            let catalog = ctx.catalog()?;
            let r = app.reminder(&catalog, &ctx.home.display().to_string(), a.time, days)?;
            if let Some(why) = &r.paused {
                eprintln!(
                    "{}\nThe calendar's events say that stretching is paused.",
                    crate::output::wrapped(why)
                );
            }
            export::ics(&r)
        }
        ExportKind::Fhir => {
            let catalog = ctx.catalog()?;
            let plan = app.care_plan(&catalog)?;
            if let Some(why) = plan.as_ref().and_then(|p| p.paused.as_ref()) {
                eprintln!(
                    "{}\nThe care plan is exported on hold.",
                    crate::output::wrapped(why)
                );
            }
            let created = ctx.now.rfc3339();
            let owner = ctx.home.display().to_string();
            let prescription = app.prescription()?;
            let on = prescription.as_ref().map(|p| p.at.rfc3339());
            let prescribed = prescription
                .as_ref()
                .zip(on.as_deref())
                .map(|(p, on)| export::Prescribed { by: &p.by, on });
            json(&export::fhir(
                &app.log_file()?,
                &owner,
                plan.as_ref(),
                prescribed.as_ref(),
                &created,
            ))?
        }
    };
    write_out(a, &text)?;
    Ok(ExitCode::SUCCESS)
}

pub fn import(ctx: &Context, a: &ImportArgs) -> miette::Result<ExitCode> {
    ctx.format(&[Format::Table])?;
    let name = a.file.display().to_string();
    let path = a.file.clone();
    let too_large = std::fs::metadata(&path)
        .map_err(|e| miette!("cannot read the backstretch export {name}: {e}"))?
        .len()
        > crate::files::IMPORT_MAX;
    if too_large {
        return Err(crate::files::too_large(
            &path,
            crate::files::IMPORT_MAX,
            "backstretch export",
        ));
    }
    let open = move || -> std::io::Result<Box<dyn std::io::Read + Send>> {
        Ok(Box::new(std::io::Read::take(
            std::fs::File::open(&path)?,
            crate::files::IMPORT_MAX + 1,
        )))
    };
    let store = ctx.store()?;
    let done = ctx.app(&store).import_from(&name, &open, a.skip_invalid)?;
    let n = done.count;
    print(&format!(
        "Imported {} session{} from {name}; {} already here were skipped.\n",
        n.added,
        if n.added == 1 { "" } else { "s" },
        n.skipped
    ))?;
    if !done.left_out.is_empty() {
        let mut text = format!(
            "Left out for {} problem{}:\n",
            done.left_out.len(),
            if done.left_out.len() == 1 { "" } else { "s" }
        );
        for p in &done.left_out {
            text.push_str(&format!("  {p}\n"));
        }
        crate::output::note(&text);
    }
    Ok(ExitCode::SUCCESS)
}
