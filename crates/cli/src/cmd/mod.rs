//! One module per subcommand.

pub mod catalog;
pub mod completions;
pub mod welcome;
