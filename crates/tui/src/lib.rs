//! The full-screen guided player.
//!
//! [`App`] holds the core [`Player`] and what the screen needs; [`App::draw`] is a pure
//! function of the app and the time, and [`App::key`] turns a key into player actions, so
//! both are tested without a terminal ([`ratatui::backend::TestBackend`]). [`run`] is the
//! thin loop that reads the real terminal and clock.

mod draw;
mod figure;
mod state;
mod term;

pub use draw::{COMPACT_BELOW, big_number, big_number_scaled, countdown_scale};
pub use figure::pose_at;
pub use state::{App, Ask, ExerciseInfo, Exit};
pub use term::{Crossterm, Host, Input, run, run_loop, terminal_width};

#[cfg(test)]
mod tests;
