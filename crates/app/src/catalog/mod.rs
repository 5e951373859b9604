//! The catalogue source for a data directory: the built-in catalogue overlaid with the
//! user's folder of exercise files, parsed on every core when the folder is large, and
//! cached for large folders.

pub use loader::{Check, Folder, FolderError, LoadedCatalog, ReadFile, read_toml_dir};

mod codec;
mod listing;
mod loader;

/// A thread's result, with its panic (a bug) raised again here, where it can be seen.
fn rethrow<T>(joined: std::thread::Result<T>) -> T {
    joined.unwrap_or_else(|e| std::panic::resume_unwind(e))
}
