//! End-to-end tests of the `backstretch` binary, built as one test binary.
//!
//! Each test gets its own temporary data directory (see `util::Env`).

// A test may walk a whole story in one function; production functions stay under 100 lines.
#![allow(clippy::too_many_lines)]

mod catalog;
mod clinic;
mod clinic_e2e;
mod coaching;
mod dbus;
mod durability;
mod fhir;
mod foundation;
mod function;
mod hardening;
mod idle;
mod mail;
mod pain;
mod phone;
mod plan;
mod progress;
mod reminders;
mod safety;
mod serve;
mod session;
mod sheet;
mod sync;
mod sync_postgres;
mod tmux;
mod util;
mod webdriver;
