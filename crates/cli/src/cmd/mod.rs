//! One module per subcommand.

pub mod catalog;
pub mod completions;
pub mod plan;
pub mod profile;
pub mod welcome;
