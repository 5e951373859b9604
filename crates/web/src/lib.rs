//! `backstretch serve`: the coach in a browser, over the app layer and the same SQLite log
//! as the terminal.
//!
//! Server-rendered pages (first run, today, the player, history, progress, profile, the
//! exercises, a print view), a JSON API under `/api/` with the CLI's JSON shapes, and a
//! browser player that plays the timeline core computes. It listens on loopback unless
//! asked (`--lan`), and then speaks HTTPS and serves paired devices only. The library never
//! prints or reads the terminal: [`Server`] gives a front end the address and the pairing
//! codes to show.

mod api;
mod assets;
pub mod devices;
mod error;
pub mod files;
mod input;
mod links;
mod pages;
pub mod pair;
mod router;
mod server;
mod slots;
mod state;
mod steps;
pub mod tls;

pub use assets::STYLESHEET;
pub use devices::{Device, DevicesError, devices_file};
pub use error::{Refusal, Told, Unusable, WebError};
pub use input::BODY_LIMIT;
pub use pair::Pairing;
pub use router::{CSP, router};
pub use server::{
    CodeMint, Config, DEFAULT_PORT, HEADER_READ_TIMEOUT, Listener, PairingCode, REQUEST_TIMEOUT,
    ServeError, Server, serve, stop_signal,
};
pub use slots::{MAX_CONNECTIONS, PER_ADDRESS, Peer, Proven};
pub use state::{AfterSession, Clock, Setup, Shared};
