//! Output formats of backstretch, as pure functions of core values.
//!
//! Text in, text out: nothing here reads files, the clock or the terminal. The caller passes
//! the width to fit and whether to use colour.

pub mod catalog;
pub mod chart;
pub mod coaching;
pub mod export;
pub mod figure;
pub mod function;
pub mod json;
pub mod plan;
pub mod progress;
pub mod sheet;
pub mod table;
pub mod xml;
