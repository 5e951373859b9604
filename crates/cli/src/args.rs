//! The command line, defined once: help, completions and the man page all come from here.

use std::path::PathBuf;

use backstretch_core::vocab::{Area, Kind, Place, Position, Word};
use clap::{Args, Parser, Subcommand, ValueEnum};

/// A local coach for back and neck pain: gentle stretching routines from practitioners'
/// advice, fitted to where it hurts, where you can stretch and how much time you have.
///
/// Everything stays on this machine. This is general education, not medical advice: stop if
/// anything hurts and check with your own clinician.
#[derive(Debug, Parser)]
#[command(name = "backstretch", version, propagate_version = true)]
#[command(after_help = "Start with `backstretch catalog list` to see every exercise.")]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options every command shares.
#[derive(Debug, Args)]
pub struct Global {
    /// Data directory: your log, profile and own exercises [default: $XDG_DATA_HOME/backstretch]
    #[arg(long, global = true, env = "BACKSTRETCH_HOME", value_name = "DIR")]
    pub home: Option<PathBuf>,

    /// Folder of your own exercise files [default: DIR/exercises under the data directory]
    #[arg(
        long = "catalog",
        global = true,
        env = "BACKSTRETCH_CATALOG",
        value_name = "DIR"
    )]
    pub catalog_dir: Option<PathBuf>,

    /// Output format (each command says which it supports)
    #[arg(long, global = true, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned text for reading.
    Table,
    /// Machine-readable JSON (stable; documented in the README).
    Json,
    /// Markdown, for notes and printing.
    Markdown,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Markdown => "markdown",
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Browse and check the exercise catalogue.
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
    /// Print the manual page (roff) to standard output.
    Man,
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// List exercises: id, name, position, places, areas and default dose.
    List(ListArgs),
    /// Show one exercise in full: steps, purpose, cautions and sources.
    Show(ShowArgs),
    /// Validate exercise files: the built-in catalogue, or your folder when given.
    Check(CheckArgs),
}

fn word<W: Word>(s: &str) -> Result<W, String> {
    W::parse_word(s).map_err(|e| e.to_string())
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only exercises for this area (repeat for several)
    #[arg(long, value_parser = word::<Area>, value_name = "AREA")]
    pub area: Vec<Area>,
    /// Only exercises doable in this place (repeat for several)
    #[arg(long, value_parser = word::<Place>, value_name = "PLACE")]
    pub place: Vec<Place>,
    /// Only exercises in this position (repeat for several)
    #[arg(long, value_parser = word::<Position>, value_name = "POSITION")]
    pub position: Vec<Position>,
    /// Only exercises of this kind: stretch, mobility, activation
    #[arg(long, value_parser = word::<Kind>, value_name = "KIND")]
    pub kind: Vec<Kind>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Id, name or alias; case and punctuation do not matter ("childs pose")
    #[arg(required = true, num_args = 1.., value_name = "ID-OR-NAME")]
    pub name: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A folder of exercise files to check [default: the built-in catalogue]
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to print completions for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
