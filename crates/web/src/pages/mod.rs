//! The server-rendered pages, one module per area: the first run (disclaimer and warning
//! signs), the profile, today, the player's frame, history and progress, the exercises, the
//! print view and pairing. Each is maud markup, which escapes every value it is given; the
//! frame, the gates and the pieces several pages share have their own modules.

pub mod exercises;
pub mod first_run;
pub mod frame;
pub mod gate;
pub mod history;
pub mod messages;
pub mod pair;
pub mod parts;
pub mod play;
pub mod print;
pub mod profile;
pub mod programme;
pub mod today;

/// Any other address: a page that says so.
pub async fn not_found() -> frame::PageError {
    frame::PageError(crate::error::WebError::not_found("there is no page here"))
}
