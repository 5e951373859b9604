//! The catalogue source for a data directory: the built-in catalogue overlaid with the
//! user's folder of exercise files.

pub use loader::{Folder, FolderError, LoadedCatalog, ReadFile, read_toml_dir};

mod loader;
