//! The pure domain of backstretch.
//!
//! Types for exercises, doses and the vocabulary; the catalogue (parsed and validated from
//! text); and, in later modules, the planner, the timeline and the safety rules.
//!
//! Nothing here reads files, the clock, a database or the terminal: callers pass text and
//! time in as values, which keeps every rule testable with plain data.
//!
//! ```
//! use backstretch_core::catalog::builtin;
//! let loaded = builtin();
//! assert!(loaded.diagnostics.is_empty());
//! let pose = loaded.catalog.find("childs pose").unwrap();
//! assert_eq!(pose.exercise.id, "childs-pose");
//! ```

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod alert;
pub mod care;
pub mod catalog;
pub mod check;
pub mod coach;
pub mod code;
pub mod conditions;
pub mod education;
pub mod event;
pub mod exchange;
pub mod exercise;
pub mod function;
pub mod hash;
pub mod plan;
pub mod player;
pub mod pose;
pub mod profile;
pub mod reminder;
pub mod routine;
pub mod safety;
pub mod schedule;
pub mod session;
pub mod sources;
pub mod stats;
#[cfg(any(test, feature = "synth"))]
pub mod synth;
pub mod text;
pub mod time;
pub mod timeline;
pub mod vocab;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/builtin_catalog.rs"));
}

pub use embedded::BUILTIN_FILES;
