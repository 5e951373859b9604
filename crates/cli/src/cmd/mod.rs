//! One module per subcommand.

pub mod catalog;
pub mod coaching;
pub mod completions;
pub mod desk;
pub mod export;
pub mod figure;
pub mod function;
pub mod history;
pub mod learn;
pub mod log;
pub mod messages;
pub mod plan;
pub mod profile;
pub mod remind;
pub mod safety;
pub mod serve;
pub mod server;
pub mod sheet;
pub mod start;
pub mod stats;
pub mod sync;
pub mod welcome;
