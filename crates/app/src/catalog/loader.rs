use std::path::{Path, PathBuf};

use backstretch_core::catalog::{
    self, Catalog, Diagnostic, MAX_FILE_BYTES, ParsedFile, SourceFile,
};

/// A folder of exercise files could not be read.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum FolderError {
    /// The folder itself.
    #[error("cannot read the exercise folder {}", .dir.display())]
    #[diagnostic(help(
        "check the path, or create the folder and put exercise files (*.toml) in it"
    ))]
    Folder {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// A text file read for the catalogue.
#[derive(Debug)]
pub struct ReadFile {
    /// Its path, as diagnostics name it.
    pub path: String,
    pub text: String,
}

impl ReadFile {
    /// Borrowed as a catalogue source file.
    pub fn source(&self) -> SourceFile<'_> {
        SourceFile {
            path: &self.path,
            text: &self.text,
        }
    }
}

/// Reads one file of the folder: its text, or the problem that kept it out (it cannot be
/// read, is too large or is not UTF-8), boxed (a diagnostic is large, a file small).
fn read_one(full: &Path) -> Result<ReadFile, Box<Diagnostic>> {
    use std::io::Read;
    let path = full.display().to_string();
    let mut bytes = Vec::new();
    let read = std::fs::File::open(full)
        .and_then(|f| f.take(MAX_FILE_BYTES as u64 + 1).read_to_end(&mut bytes));
    if let Err(e) = read {
        return Err(Box::new(Diagnostic::whole_file(
            &path,
            format!("cannot be read: {e}"),
            "check that the file is yours and readable",
        )));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Box::new(Diagnostic::whole_file(
            &path,
            format!(
                "is larger than {} KiB, the most an exercise file may be",
                MAX_FILE_BYTES >> 10
            ),
            "keep one exercise per file, in a few short lines",
        )));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(ReadFile { path, text }),
        Err(_) => Err(Box::new(Diagnostic::whole_file(
            &path,
            "is not UTF-8 text".into(),
            "save the file as UTF-8 text",
        ))),
    }
}

/// Reads every `*.toml` file in a folder (not its subfolders), sorted by name, with a
/// problem for each file that could not be read as text. The other files still load.
pub fn read_toml_dir(dir: &Path) -> Result<(Vec<ReadFile>, Vec<Diagnostic>), FolderError> {
    let folder_error = |source| FolderError::Folder {
        dir: dir.to_path_buf(),
        source,
    };
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(folder_error)? {
        let entry = entry.map_err(folder_error)?;
        let path = entry.path();
        // A folder named `x.toml` is not a file; a link to a file is followed.
        if path.extension().is_some_and(|e| e == "toml") && !path.is_dir() {
            names.push(path);
        }
    }
    names.sort_unstable();
    let mut files = Vec::with_capacity(names.len());
    let mut problems = Vec::new();
    for full in &names {
        match read_one(full) {
            Ok(f) => files.push(f),
            Err(d) => problems.push(*d),
        }
    }
    Ok((files, problems))
}

/// Parses files on every core when there are enough to be worth it; the catalogue itself
/// never starts a thread. (10,000 files parse in about a tenth of a second on two cores.)
fn parse_parallel(files: &[SourceFile<'_>]) -> Vec<ParsedFile> {
    const PER_THREAD: usize = 256;
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    if files.len() < 2 * PER_THREAD || threads < 2 {
        return catalog::parse_files(files);
    }
    let chunk = files.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| scope.spawn(move || catalog::parse_files(part)))
            .collect();
        handles
            .into_iter()
            // A panic on a parsing thread is a bug: raise it again here, where it shows.
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// Where a data directory's catalogue comes from.
#[derive(Debug, Clone)]
pub struct Folder {
    /// The user's exercise folder.
    pub dir: PathBuf,
    /// Whether the user named it (then it must exist).
    pub explicit: bool,
}

/// A loaded catalogue, and how many of the user's files were left out as invalid.
#[derive(Debug, Clone)]
pub struct LoadedCatalog {
    pub catalog: Catalog,
    /// Invalid user files left out (`catalog check` names their problems).
    pub invalid_files: usize,
}

impl Folder {
    /// The built-in catalogue overlaid with the folder: none when the default folder does
    /// not exist, an error when a folder named explicitly does not. Files that cannot be
    /// read or parsed are left out and counted.
    pub fn load(&self) -> Result<LoadedCatalog, FolderError> {
        if !self.explicit && !self.dir.is_dir() {
            return Ok(builtin());
        }
        let (files, unreadable) = read_toml_dir(&self.dir)?;
        let user: Vec<SourceFile<'_>> = files.iter().map(ReadFile::source).collect();
        let mut loaded = Catalog::load_with(&catalog::builtin_files(), &user, parse_parallel);
        loaded.invalid_files += unreadable.len();
        Ok(LoadedCatalog {
            catalog: loaded.catalog,
            invalid_files: loaded.invalid_files,
        })
    }
}

fn builtin() -> LoadedCatalog {
    LoadedCatalog {
        catalog: catalog::builtin().catalog,
        invalid_files: 0,
    }
}
