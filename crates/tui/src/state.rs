//! The player's state and what keys do to it.

use backstretch_core::player::{Event, Outcome, Player};
use backstretch_core::session::{Effort, Rating};
use backstretch_core::timeline::StepKind;
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
    /// What the person said of an exercise (`1` too easy, `2` about right, `3` too hard),
    /// for the host to log with the next step.
    pub rated: Option<Rating>,
    /// What was said of the last exercise rated (which, and how), and until when it shows.
    pub(crate) noted: Option<(String, u64)>,
    /// The items rated so far in this session.
    pub(crate) rated_items: Vec<usize>,
}

impl App {
    /// A new app around a player.
    pub fn new(player: Player, info: Vec<ExerciseInfo>) -> Self {
        App {
            player,
            info,
            confirm_quit: false,
            asking: None,
            rated: None,
            noted: None,
            rated_items: Vec::new(),
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

    /// The exercise a rating made at step `at` is about: the one just finished while the
    /// next is being got ready (or once the session is done), otherwise the one in progress.
    pub(crate) fn rated_item(&self, at: usize) -> usize {
        let steps = self.player.timeline().steps();
        let step = &steps[at];
        let first_hold = steps
            .iter()
            .position(|s| s.item == step.item && s.kind == StepKind::Hold);
        let before_holds = first_hold.is_none_or(|h| at < h);
        if (before_holds || step.kind == StepKind::Done) && step.item > 0 {
            step.item - 1
        } else {
            step.item
        }
    }

    /// The question after an exercise, while the next is got ready: `How was Bridge? 1 too
    /// easy · 2 about right · 3 too hard`; none during an exercise, once it is answered, or
    /// for one that hurt.
    pub(crate) fn rating_prompt(&self, at: usize) -> Option<String> {
        let item = self.rated_item(at);
        let steps = self.player.timeline().steps();
        if item == steps[at].item && steps[at].kind != StepKind::Done
            || self.rated_items.contains(&item)
            || self.hurt.contains(&item)
        {
            return None;
        }
        let name = self.info.get(item).map(|i| i.name.as_str())?;
        Some(format!(
            "How was {name}? 1 too easy · 2 about right · 3 too hard"
        ))
    }

    /// Keeps what the person said of an exercise, and says so.
    fn rate(&mut self, key: char, now: u64) {
        let effort = match key {
            '1' => Effort::TooEasy,
            '2' => Effort::AboutRight,
            _ => Effort::TooHard,
        };
        let item = self.rated_item(self.player.at(now).step);
        let Some(id) = self
            .player
            .timeline()
            .steps()
            .iter()
            .find(|s| s.item == item)
            .and_then(|s| s.exercise_id.clone())
        else {
            return;
        };
        let name = self.info.get(item).map_or(id.as_str(), |i| i.name.as_str());
        self.noted = Some((
            format!("{name}: {}. It shapes your next sessions.", effort.label()),
            self.player.elapsed(now) + 4_000,
        ));
        if !self.rated_items.contains(&item) {
            self.rated_items.push(item);
        }
        self.rated = Some(Rating {
            exercise_id: id,
            effort,
        });
    }

    /// Handles one key at `now`: the events it caused, and whether to leave.
    pub fn key(&mut self, key: KeyEvent, now: u64) -> (Vec<Event>, Option<Exit>) {
        if key.kind != KeyEventKind::Press {
            return (Vec::new(), None);
        }
        if self.done {
            // The last exercise may still be rated on the done screen.
            if let KeyCode::Char(c @ '1'..='3') = key.code {
                self.rate(c, now);
                return (Vec::new(), None);
            }
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
            KeyCode::Char(c @ '1'..='3') => {
                self.rate(c, now);
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
