//! The player's state and what keys do to it.

use backstretch_core::player::{Event, Outcome, Player};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// What the screen shows about one exercise of the routine.
#[derive(Debug, Clone, Default)]
pub struct ExerciseInfo {
    /// Display name.
    pub name: String,
    /// Position, with how to get into it.
    pub position: String,
    /// Numbered steps.
    pub steps: Vec<String>,
    pub cautions: Vec<String>,
    /// The figure's pose data, when the exercise has it.
    pub pose: Option<backstretch_core::pose::PoseSpec>,
    /// What a side means (`stretching your {side} hip`), when the exercise says.
    pub side_cue: Option<String>,
}

/// How the player ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Played to the end.
    Completed,
    /// The person quit.
    Stopped,
    /// Pain spread down a limb, or numbness, tingling or weakness appeared (`s`): stopped at
    /// once.
    Symptoms,
    /// "Sharper or worse" (`h`) when that ends the session (high pain, or eased plans).
    Hurt,
}

/// A key that would end the session, or record a warning sign, waiting for `y`: a stray
/// press of it does nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// `s`: it spreads or tingles (a warning sign; the session stops).
    Spreading,
    /// `h` when "sharper or worse" ends the session.
    HurtEnds,
}

/// The player's screen state.
#[derive(Debug)]
pub struct App {
    /// The core player.
    pub player: Player,
    /// One entry per routine item.
    pub info: Vec<ExerciseInfo>,
    /// Asking whether to quit.
    pub confirm_quit: bool,
    /// Asking whether to stop for a sign, or for pain (see [`Ask`]).
    pub asking: Option<Ask>,
    /// A short message and when it stops showing (player time, ms).
    pub notice: Option<(String, u64)>,
    /// Counts for the done screen: done, skipped, hurt exercises.
    pub(crate) hurt: Vec<usize>,
    pub(crate) skipped_steps: Vec<usize>,
    /// Milliseconds actually spent in steps that ended.
    pub(crate) spent_ms: u64,
    /// Whether the player reached the end and the done screen is up.
    pub done: bool,
    /// This week against the goal and the streak, as they stand with this session.
    pub progress: Option<String>,
    /// Whether "sharper or worse" ends the session instead of moving on
    /// (`core::safety::hurt_ends_session`).
    pub hurt_ends: bool,
}

impl App {
    /// A new app around a player.
    pub fn new(player: Player, info: Vec<ExerciseInfo>) -> Self {
        App {
            player,
            info,
            confirm_quit: false,
            asking: None,
            notice: None,
            hurt: Vec::new(),
            skipped_steps: Vec::new(),
            spent_ms: 0,
            done: false,
            progress: None,
            hurt_ends: false,
        }
    }

    fn note(&mut self, events: &[Event]) {
        for e in events {
            if let Event::StepEnded {
                step,
                outcome,
                done_ms,
            } = e
            {
                self.spent_ms += done_ms;
                let item = self.player.timeline().steps()[*step].item;
                match outcome {
                    Outcome::Hurt if !self.hurt.contains(&item) => self.hurt.push(item),
                    Outcome::Skipped => self.skipped_steps.push(*step),
                    _ => {}
                }
            }
            if matches!(e, Event::Finished) {
                self.done = true;
            }
        }
    }

    /// Advances to `now` (ms); returns what happened.
    pub fn tick(&mut self, now: u64) -> Vec<Event> {
        let ev = self.player.poll(now);
        self.note(&ev);
        ev
    }

    /// Handles one key at `now`: the events it caused, and whether to leave.
    pub fn key(&mut self, key: KeyEvent, now: u64) -> (Vec<Event>, Option<Exit>) {
        if key.kind != KeyEventKind::Press {
            return (Vec::new(), None);
        }
        if self.done {
            return (Vec::new(), Some(Exit::Completed));
        }
        if self.confirm_quit {
            return match key.code {
                KeyCode::Char('y' | 'Y' | 'q') => (Vec::new(), Some(Exit::Stopped)),
                _ => {
                    self.confirm_quit = false;
                    self.player.resume(now);
                    (Vec::new(), None)
                }
            };
        }
        if let Some(ask) = self.asking.take() {
            if key.code != KeyCode::Char('y') && key.code != KeyCode::Char('Y') {
                self.player.resume(now);
                return (Vec::new(), None);
            }
            // The step in progress ends as hurt and the session stops at once: the next
            // exercise's cue is not said.
            let mut ev = self.player.hurt(now);
            ev.retain(|e| !matches!(e, Event::Cue { .. }));
            self.note(&ev);
            let exit = match ask {
                Ask::Spreading => Exit::Symptoms,
                Ask::HurtEnds => Exit::Hurt,
            };
            return (ev, Some(exit));
        }
        let ctrl_c =
            key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c');
        let ev = match key.code {
            _ if ctrl_c => {
                self.confirm_quit = true;
                self.player.pause(now);
                Vec::new()
            }
            KeyCode::Char(' ' | 'p') => {
                self.player.toggle_pause(now);
                Vec::new()
            }
            KeyCode::Char('n') | KeyCode::Right => self.player.next(now),
            KeyCode::Char('b') | KeyCode::Left => {
                self.player.back(now);
                Vec::new()
            }
            KeyCode::Char('h') if self.hurt_ends => {
                // Stopping the session asks first (`y`).
                self.asking = Some(Ask::HurtEnds);
                self.player.pause(now);
                Vec::new()
            }
            KeyCode::Char('h') => {
                let item = self.player.step(now).item;
                let name = self
                    .info
                    .get(item)
                    .map(|i| i.name.clone())
                    .unwrap_or_default();
                let ev = self.player.hurt(now);
                self.notice = Some((
                    format!("Stopped {name} and logged it as hurt. Moving on gently."),
                    self.player.elapsed(now) + 6_000,
                ));
                ev
            }
            KeyCode::Char('s') => {
                // A warning sign is recorded, and the session stops, once `y` confirms.
                self.asking = Some(Ask::Spreading);
                self.player.pause(now);
                Vec::new()
            }
            KeyCode::Char('q') | KeyCode::Esc => {
                self.confirm_quit = true;
                self.player.pause(now);
                Vec::new()
            }
            _ => Vec::new(),
        };
        self.note(&ev);
        (ev, None)
    }
}
