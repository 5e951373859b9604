//! Embeds the built-in catalogue (`catalog/*.toml` at the workspace root) into the crate.
//!
//! This reads files at build time only; the crate itself stays free of I/O.

// The file-I/O ban in clippy.toml is for the library, not for its build script.
#![allow(clippy::disallowed_methods)]

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let dir = manifest.join("../../catalog");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read the catalogue folder {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut out =
        String::from("/// The built-in catalogue files, `(path, text)`, sorted by path.\n");
    out.push_str("pub static BUILTIN_FILES: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f
            .file_name()
            .and_then(|n| n.to_str())
            .expect("utf-8 file name");
        let abs = f.canonicalize().expect("catalogue file exists");
        writeln!(
            out,
            "    (\"catalog/{name}\", include_str!({:?})),",
            abs.display()
        )
        .unwrap();
    }
    out.push_str("];\n");
    let dest =
        PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo")).join("builtin_catalog.rs");
    std::fs::write(dest, out).expect("write generated catalogue index");
}
