//! The loop that runs the player: generic over ratatui's backend and the event source,
//! so tests run it whole with a test backend and scripted keys.

use std::io;
use std::time::Duration;

use backstretch_core::player::Event;
use ratatui::crossterm::event::{self, Event as TermEvent};

use crate::{App, Exit};

/// What the loop asks of its host: the time, and somewhere to send each event.
pub trait Host {
    /// Milliseconds on a monotonic clock.
    fn now(&self) -> u64;
    /// One event (a cue to say, a step to log). An error ends the session.
    fn event(&mut self, e: &Event) -> io::Result<()>;
    /// Called on every pass of the loop (heartbeats).
    fn tick(&mut self) -> io::Result<()>;
    /// What the person said of an exercise: logged with the next step.
    fn rate(&mut self, rating: backstretch_core::session::Rating) -> io::Result<()> {
        let _ = rating;
        Ok(())
    }
    /// How much faster than real time the clock runs (1 normally).
    fn speed(&self) -> u32 {
        1
    }
}

/// Where key presses and resizes come from.
pub trait Input {
    /// The next event, waiting at most `wait`; none when the wait ran out.
    fn next(&mut self, wait: Duration) -> io::Result<Option<TermEvent>>;
}

/// The real terminal's events.
#[derive(Debug, Default, Clone, Copy)]
pub struct Crossterm;

impl Input for Crossterm {
    fn next(&mut self, wait: Duration) -> io::Result<Option<TermEvent>> {
        if event::poll(wait)? {
            event::read().map(Some)
        } else {
            Ok(None)
        }
    }
}

/// Runs the player in the real terminal until the session ends or the person quits.
pub fn run(app: &mut App, host: &mut impl Host) -> io::Result<Exit> {
    let mut terminal = ratatui::init();
    let result = run_loop(&mut terminal, app, host, &mut Crossterm);
    ratatui::restore();
    result
}

/// The player's loop on any backend and event source: poll the player, give its events to
/// the host, draw, and wait for the next cue, the next second shown, or input.
pub fn run_loop<B: ratatui::backend::Backend>(
    terminal: &mut ratatui::Terminal<B>,
    app: &mut App,
    host: &mut impl Host,
    input: &mut impl Input,
) -> io::Result<Exit>
where
    B::Error: Send + Sync + 'static,
{
    loop {
        let now = host.now();
        for e in app.tick(now) {
            host.event(&e)?;
        }
        host.tick()?;
        terminal
            .draw(|f| app.draw(f, now))
            .map_err(io::Error::other)?;
        // Wake for the next cue, the next change of the displayed second, or input.
        let until_cue = app.player.until_next_cue(now).unwrap_or(250);
        let into_second = 1000 - app.player.at(now).remaining_ms % 1000;
        let wait_player_ms = until_cue.min(into_second).clamp(1, 250);
        let wait = Duration::from_millis((wait_player_ms / u64::from(host.speed())).max(1));
        match input.next(wait)? {
            Some(TermEvent::Key(k)) => {
                let now = host.now();
                let (events, exit) = app.key(k, now);
                for e in &events {
                    host.event(e)?;
                }
                if let Some(r) = app.rated.take() {
                    host.rate(r)?;
                }
                if let Some(x) = exit {
                    return Ok(x);
                }
            }
            Some(TermEvent::Resize(..)) => terminal.autoresize().map_err(io::Error::other)?,
            _ => {}
        }
    }
}

/// The terminal's width in columns, when standard output is a terminal.
pub fn terminal_width() -> Option<u16> {
    ratatui::crossterm::terminal::size().ok().map(|(w, _)| w)
}
