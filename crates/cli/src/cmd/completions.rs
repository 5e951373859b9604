//! `backstretch completions SHELL` and `backstretch man`, both generated from the one clap
//! definition in `args.rs`.

use std::process::ExitCode;

use clap::CommandFactory;
use miette::miette;

use crate::args::{Cli, CompletionsArgs, ManArgs};
use crate::output::print;

pub fn run(a: &CompletionsArgs) -> miette::Result<ExitCode> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "backstretch", &mut buf);
    print(&String::from_utf8_lossy(&buf))?;
    Ok(ExitCode::SUCCESS)
}

/// Escapes text for roff.
fn roff(text: &str) -> String {
    text.replace('\\', "\\\\").replace('-', "\\-")
}

/// The main page on standard output: every section but the list of per-command pages
/// (which exist only when written with `--dir`); the commands are listed in place instead.
fn main_page() -> miette::Result<String> {
    let cmd = Cli::command();
    let man = clap_mangen::Man::new(cmd.clone());
    let mut buf = Vec::new();
    let failed = |e: std::io::Error| miette!("cannot write the manual page: {e}");
    man.render_title(&mut buf).map_err(failed)?;
    man.render_name_section(&mut buf).map_err(failed)?;
    man.render_synopsis_section(&mut buf).map_err(failed)?;
    man.render_description_section(&mut buf).map_err(failed)?;
    man.render_options_section(&mut buf).map_err(failed)?;
    let mut text = String::from_utf8_lossy(&buf).into_owned();
    text.push_str(".SH COMMANDS\n");
    for sub in cmd.get_subcommands() {
        text.push_str(&format!(
            ".TP\n\\fB{}\\fR\n{}\n",
            roff(sub.get_name()),
            roff(&sub.get_about().map(ToString::to_string).unwrap_or_default())
        ));
    }
    text.push_str(
        ".PP\n`backstretch help COMMAND` shows a command's options; `backstretch man \\-\\-dir DIR` writes a page for each.\n",
    );
    let mut buf = Vec::new();
    man.render_extra_section(&mut buf).map_err(failed)?;
    man.render_version_section(&mut buf).map_err(failed)?;
    text.push_str(&String::from_utf8_lossy(&buf));
    Ok(text)
}

pub fn man(a: &ManArgs) -> miette::Result<ExitCode> {
    match &a.dir {
        None => print(&main_page()?)?,
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| miette!("cannot create {}: {e}", dir.display()))?;
            clap_mangen::generate_to(Cli::command(), dir)
                .map_err(|e| miette!("cannot write the manual pages to {}: {e}", dir.display()))?;
            let n = std::fs::read_dir(dir).map_or(0, |d| {
                d.filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "1"))
                    .count()
            });
            print(&format!("Wrote {n} manual pages to {}.\n", dir.display()))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
